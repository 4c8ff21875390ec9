//! The example GitHub Actions workflows in `examples/ci/`, run here with the emulator
//! standing in for Aura: each test parses the workflow YAML, takes the `run:` script
//! of the step that calls auraform and runs it the way Actions does
//! (`ci_support::Runner`), with the job's and step's `env:` (secrets replaced by the
//! emulator's credentials, or left empty as on a fork), then checks the step's outputs
//! and the Markdown the next step would post, including that the posting script looks
//! for the marker the Markdown really carries.

use std::path::Path;

use serde_json::{Value, json};

use crate::ci_support::{Ran, Runner, repo, step, steps, yaml};
use crate::support::bench::Bench;
use crate::support::cli::{auraform, bin_dir};
use crate::support::git::git;

fn workflow(name: &str) -> Value {
    yaml(&format!("examples/ci/{name}"))
}

/// The string the `actions/github-script` step searches comments/issues for.
fn script_marker(wf: &Value, job: &str) -> String {
    let script = steps(wf, Some(job))
        .iter()
        .find_map(|s| s["with"]["script"].as_str())
        .unwrap();
    let start = script.find("const marker = '").unwrap() + "const marker = '".len();
    let end = start + script[start..].find('\'').unwrap();
    script[start..end].to_owned()
}

/// A runner in `dir` with the test's auraform on PATH, pointed at the emulator at
/// `api_url`, with `secrets` (absent = empty, as on a fork).
fn runner(dir: &Path, api_url: &str, secrets: &[(&str, &str)]) -> Runner {
    let mut r = Runner::new(dir);
    r.path.push(bin_dir().display().to_string());
    r.env("AURA_API_URL", api_url);
    r.var("github.base_ref", "main");
    r.var("github.repository", "acme/infra");
    for (k, v) in secrets {
        r.var(&format!("secrets.{k}"), v);
    }
    r
}

/// Runs the step `id` of `job` in `wf` on a blocking thread (the emulator serves on
/// this test's runtime meanwhile).
async fn run_step(wf: &Value, job: &str, id: &str, runner: Runner) -> Ran {
    let job_env = wf["jobs"][job]["env"].clone();
    let step = step(steps(wf, Some(job)), id).clone();
    tokio::task::spawn_blocking(move || runner.run(&job_env, &step))
        .await
        .unwrap()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/diff")
            .join(name),
    )
    .unwrap()
}

/// A checkout of a PR: `origin/main` has old.yaml as aura.yaml, the work tree new.yaml.
fn pr_checkout(dir: &Path) {
    std::fs::write(dir.join("aura.yaml"), fixture("old.yaml")).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "aura.yaml"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    git(dir, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    std::fs::write(dir.join("aura.yaml"), fixture("new.yaml")).unwrap();
}

const SECRETS: [(&str, &str); 2] = [
    ("AURA_CLIENT_ID", "emulator"),
    ("AURA_CLIENT_SECRET", "emulator-secret"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_on_pr_posts_the_plan_with_secrets_and_the_offline_diff_without() {
    let wf = workflow("plan-on-pr.yml");
    let marker = script_marker(&wf, "plan");
    let b = Bench::start().await;
    b.emu
        .launch("orders", json!({ "memory": "8GB", "storage": "16GB" }))
        .await;
    pr_checkout(b.dir.path());
    let url = b.emu.handle.base_url();

    // Same-repo PR: secrets present → a live plan.
    let ran = run_step(&wf, "plan", "plan", runner(b.dir.path(), &url, &SECRETS)).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.outputs["mode"], "plan");
    assert_eq!(ran.outputs["exitcode"], "2");
    let comment = b.read("comment.md");
    assert!(
        comment.starts_with(&format!("{marker} project={} -->", b.emu.demo())),
        "{comment}"
    );
    assert!(
        comment.contains("### auraform plan for project `demo`"),
        "{comment}"
    );
    assert_eq!(ran.summary, comment);

    // Fork PR: no secrets → the offline diff against the base branch, same marker.
    let ran = run_step(
        &wf,
        "plan",
        "plan",
        runner(b.dir.path(), "https://127.0.0.1:9", &[]),
    )
    .await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.outputs["mode"], "diff");
    assert_eq!(ran.outputs["exitcode"], "2");
    let comment = b.read("comment.md");
    assert!(
        comment.starts_with(&format!("{marker} project=demo kind=diff -->")),
        "{comment}"
    );
    assert!(
        comment.contains("<b>orders</b> will be updated in place"),
        "{comment}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_on_pr_fails_the_job_on_an_error() {
    let wf = workflow("plan-on-pr.yml");
    let b = Bench::start().await;
    b.write(
        "aura.yaml",
        "project: demo\ninstances:\n  bad: {memory: 3GB}\n",
    );
    let url = b.emu.handle.base_url();
    let ran = run_step(&wf, "plan", "plan", runner(b.dir.path(), &url, &SECRETS)).await;
    assert_ne!(ran.code, 0);
    assert_eq!(ran.outputs["exitcode"], "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_workflow_reports_drift_with_the_issue_marker() {
    let wf = workflow("drift.yml");
    let marker = script_marker(&wf, "drift");
    let b = Bench::start().await;
    let orders = b
        .emu
        .launch("orders", json!({ "memory": "8GB", "storage": "16GB" }))
        .await;
    b.write(
        "aura.yaml",
        "project: demo\ninstances:\n  orders:\n    type: professional-db\n    cloud_provider: gcp\n    region: europe-west1\n    memory: 8GB\n",
    );
    let url = b.emu.handle.base_url();
    let ran = run_step(&wf, "drift", "drift", runner(b.dir.path(), &url, &SECRETS)).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.outputs["exitcode"], "0");

    // Someone resizes it in the console.
    b.emu
        .patch_instance(&orders, json!({ "memory": "16GB" }))
        .await;
    let ran = run_step(&wf, "drift", "drift", runner(b.dir.path(), &url, &SECRETS)).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.outputs["exitcode"], "2");
    let report = b.read("drift.md");
    assert!(
        report.starts_with(&format!("{marker} project={} -->", b.emu.demo())),
        "{report}"
    );
    assert!(report.contains("| `memory` | `16GB` | `8GB` |"), "{report}");
    assert_eq!(ran.summary, report);
    // The issue step runs exactly on exit codes 0 (close) and 2 (open/update).
    let issue_step = steps(&wf, Some("drift"))
        .iter()
        .find(|s| s["with"]["script"].is_string())
        .unwrap();
    assert_eq!(
        issue_step["if"],
        "steps.drift.outputs.exitcode == '2' || steps.drift.outputs.exitcode == '0'"
    );
    // Two overlapping runs would each open an issue: one at a time, none cancelled.
    assert_eq!(
        wf["concurrency"]["group"],
        "auraform-drift-${{ github.repository }}"
    );
    assert_eq!(wf["concurrency"]["cancel-in-progress"], false);
}

/// `orders` in `demo`, as aura.yaml declares it for the apply-on-merge tests.
const ORDERS: &str = "\
project: demo
instances:
  orders:
    type: professional-db
    cloud_provider: gcp
    region: europe-west1
    memory: 8GB
";

/// The apply step with a short poll interval: the emulator runs a create in 120 ms,
/// the default interval against a real API is 5 s. Only timing changes.
fn fast_apply(wf: &Value) -> Value {
    let mut wf = wf.clone();
    let apply = wf["jobs"]["apply"]["steps"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["id"] == "apply")
        .unwrap();
    let script = apply["run"].as_str().unwrap();
    assert_eq!(script.matches("auraform apply ").count(), 1, "{script}");
    apply["run"] = script
        .replace("auraform apply ", "auraform --poll-interval 20ms apply ")
        .into();
    wf
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_on_merge_applies_main_and_reports_without_printing_a_password() {
    let wf = workflow("apply-on-merge.yml");
    // On a push to main that touches aura.yaml (a merged PR), or by hand; one apply at a
    // time per repository, and a running apply is never cancelled.
    assert_eq!(wf["on"]["push"]["branches"], json!(["main"]));
    assert_eq!(wf["on"]["push"]["paths"], json!(["aura.yaml"]));
    assert!(wf["on"]["workflow_dispatch"].is_null() || wf["on"]["workflow_dispatch"].is_object());
    assert_eq!(
        wf["concurrency"]["group"],
        "auraform-apply-${{ github.repository }}"
    );
    assert_eq!(wf["concurrency"]["cancel-in-progress"], false);
    let wf = fast_apply(&wf);
    let b = Bench::start().await;
    b.write("aura.yaml", ORDERS);
    let url = b.emu.handle.base_url();

    let ran = run_step(&wf, "apply", "apply", runner(b.dir.path(), &url, &SECRETS)).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.outputs["exitcode"], "0");
    assert!(
        ran.summary
            .starts_with("### auraform apply\n\n```text\nProject \"demo\""),
        "{}",
        ran.summary
    );
    assert!(
        ran.summary.contains("\nApply complete: 1 done.\n"),
        "{}",
        ran.summary
    );
    assert!(ran.summary.ends_with("```\n"), "{}", ran.summary);
    assert!(
        ran.stdout.contains("Apply complete: 1 done."),
        "{}",
        ran.stdout
    );
    let secret = b.password("orders");
    assert!(
        !ran.everything().contains(&secret),
        "a password was printed"
    );

    // Merged again with nothing new: nothing to do, exit 0.
    let ran = run_step(&wf, "apply", "apply", runner(b.dir.path(), &url, &SECRETS)).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(
        ran.summary
            .contains("No changes. Live state matches aura.yaml."),
        "{}",
        ran.summary
    );

    // The README shows the same credentials block the workflow's header does.
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    for line in documented_sink().lines() {
        assert!(
            readme.contains(&format!("\n  {line}\n")),
            "README lacks {line:?}"
        );
    }

    // A file that does not load fails the job, nothing changed.
    b.write(
        "aura.yaml",
        "project: demo\ninstances:\n  bad: {memory: 3GB}\n",
    );
    let ran = run_step(&wf, "apply", "apply", runner(b.dir.path(), &url, &SECRETS)).await;
    assert_eq!(ran.code, 1);
    assert_eq!(ran.outputs["exitcode"], "1");
}

/// The `credentials:` block the apply-on-merge workflow tells users to add to aura.yaml
/// (its header, between `# --- aura.yaml ---` and `# --- end ---`).
fn documented_sink() -> String {
    let text = std::fs::read_to_string(repo("examples/ci/apply-on-merge.yml")).unwrap();
    let start = text.find("# --- aura.yaml ---\n").unwrap() + "# --- aura.yaml ---\n".len();
    let end = text.find("# --- end ---\n").unwrap();
    let mut block = String::new();
    for line in text[start..end].lines() {
        block.push_str(
            line.strip_prefix("# ")
                .unwrap_or_else(|| line.strip_prefix('#').unwrap()),
        );
        block.push('\n');
    }
    block
}

/// A stand-in for `gh secret set --env-file -`: records its arguments and the
/// instance's environment in `gh.log` beside itself, and stores each `KEY=VALUE` line
/// of stdin as `secrets/KEY`, as GitHub would.
const FAKE_GH: &str = r#"#!/bin/sh
here=$(dirname "$0")
printf 'argv=%s|instance=%s|id=%s|project=%s|token=%s|repo=%s\n' "$*" "$AURA_INSTANCE_NAME" \
  "$AURA_INSTANCE_ID" "$AURA_PROJECT_ID" "$GH_TOKEN" "$GH_REPO" >> "$here/gh.log"
[ "$1 $2 $3 $4" = "secret set --env-file -" ] || { echo "unexpected: $*" >&2; exit 2; }
mkdir -p "$here/secrets"
while IFS= read -r line; do
  printf '%s' "${line#*=}" > "$here/secrets/${line%%=*}"
done
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_on_merge_stores_each_new_instance_in_repository_secrets() {
    use std::os::unix::fs::PermissionsExt as _;
    let wf = fast_apply(&workflow("apply-on-merge.yml"));
    let b = Bench::start().await;
    b.write("aura.yaml", &format!("{ORDERS}{}", documented_sink()));
    let tools = tempfile::tempdir().unwrap();
    let gh = tools.path().join("gh");
    std::fs::write(&gh, FAKE_GH).unwrap();
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    let url = b.emu.handle.base_url();
    let mut secrets = SECRETS.to_vec();
    secrets.push(("AURAFORM_SECRETS_TOKEN", "gh-token"));
    let mut r = runner(b.dir.path(), &url, &secrets);
    r.path.insert(0, tools.path().display().to_string());

    let ran = run_step(&wf, "apply", "apply", r).await;
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let secret = b.password("orders");
    let stored =
        |key: &str| std::fs::read_to_string(tools.path().join("secrets").join(key)).unwrap();
    assert_eq!(stored("ORDERS_NEO4J_PASSWORD"), secret);
    assert_eq!(stored("ORDERS_NEO4J_USERNAME"), "neo4j");
    assert!(stored("ORDERS_NEO4J_URI").starts_with("neo4j+s://"));
    let id = stored("ORDERS_AURA_INSTANCE_ID");
    let log = std::fs::read_to_string(tools.path().join("gh.log")).unwrap();
    assert_eq!(
        log,
        format!(
            "argv=secret set --env-file -|instance=orders|id={id}|project={}|token=gh-token|repo=acme/infra\n",
            b.emu.demo()
        )
    );
    // The password went through stdin only: not in gh's arguments, not in anything the
    // step printed or handed on.
    assert!(!log.contains(&secret));
    assert!(
        !ran.everything().contains(&secret),
        "a password was printed"
    );
}

#[test]
fn completions_mention_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = auraform().args(["completions", shell]).run();
        assert!(out.code == 0, "{shell}");
        let text = out.stdout;
        assert!(text.len() > 500, "{shell}: {text}");
        for sub in ["plan", "drift", "import", "diff", "completions"] {
            assert!(text.contains(sub), "{shell} completions lack {sub}");
        }
    }
}
