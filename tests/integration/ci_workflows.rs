//! The example GitHub Actions workflows in `examples/ci/`, run here with the emulator
//! standing in for Aura: each test parses the workflow YAML, takes the `run:` script
//! of the step that calls auraform and runs it the way Actions does (`bash
//! --noprofile --norc -eo pipefail`), with the job's and step's `env:` (secrets
//! replaced by the emulator's credentials, or left empty as on a fork), then checks
//! the step's outputs and the Markdown the next step would post, including that the
//! posting script looks for the marker the Markdown really carries.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::bench::Bench;
use crate::support::cli::{auraform, bin_dir};
use crate::support::git::git;

fn workflow(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/ci")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str::<Value>(&text).unwrap()
}

/// The job's only entry, and its step with `id`.
fn step<'a>(wf: &'a Value, job: &str, id: &str) -> (&'a Value, &'a Value) {
    let job = &wf["jobs"][job];
    let step = job["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step with id {id}"));
    (job, step)
}

/// The string the `actions/github-script` step searches comments/issues for.
fn script_marker(job: &Value) -> String {
    let script = job["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|s| s["with"]["script"].as_str())
        .unwrap();
    let start = script.find("const marker = '").unwrap() + "const marker = '".len();
    let end = start + script[start..].find('\'').unwrap();
    script[start..end].to_owned()
}

struct Ran {
    code: i32,
    outputs: HashMap<String, String>,
    summary: String,
    stderr: String,
}

/// Runs a step's script in `dir` as Actions would. `secrets` are the values of
/// `${{ secrets.NAME }}` (absent = empty, as on a fork).
fn run_step(
    job: &Value,
    step: &Value,
    dir: &Path,
    api_url: &str,
    secrets: &HashMap<&str, &str>,
) -> Ran {
    assert_eq!(step["shell"], "bash");
    let script = step["run"].as_str().unwrap();
    std::fs::write(dir.join("step.sh"), script).unwrap();
    let output = dir.join("github_output");
    let summary = dir.join("step_summary");
    std::fs::write(&output, "").unwrap();
    std::fs::write(&summary, "").unwrap();
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "step.sh"])
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("AURA_API_URL", api_url);
    for env in [&job["env"], &step["env"]] {
        let Some(map) = env.as_object() else { continue };
        for (k, v) in map {
            let v = v.as_str().unwrap();
            let value = if let Some(name) = v
                .strip_prefix("${{ secrets.")
                .and_then(|r| r.strip_suffix(" }}"))
            {
                secrets.get(name).copied().unwrap_or_default().to_owned()
            } else if v == "${{ github.base_ref }}" {
                "main".to_owned()
            } else {
                assert!(!v.contains("${{"), "unhandled expression {v}");
                v.to_owned()
            };
            cmd.env(k, value);
        }
    }
    let out = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    Ran {
        code: out.status.code().unwrap_or(-1),
        outputs,
        summary: std::fs::read_to_string(&summary).unwrap(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
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
    let (job, plan_step) = step(&wf, "plan", "plan");
    let marker = script_marker(job);
    let b = Bench::start().await;
    b.emu
        .launch("orders", json!({ "memory": "8GB", "storage": "16GB" }))
        .await;
    pr_checkout(b.dir.path());
    let url = b.emu.handle.base_url();

    // Same-repo PR: secrets present → a live plan.
    let secrets: HashMap<&str, &str> = SECRETS.into_iter().collect();
    let dir = b.dir.path().to_owned();
    let (job2, step2, url2) = (job.clone(), plan_step.clone(), url.clone());
    let ran = tokio::task::spawn_blocking(move || run_step(&job2, &step2, &dir, &url2, &secrets))
        .await
        .unwrap();
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
    let dir = b.dir.path().to_owned();
    let (job2, step2) = (job.clone(), plan_step.clone());
    let ran = tokio::task::spawn_blocking(move || {
        run_step(&job2, &step2, &dir, "https://127.0.0.1:9", &HashMap::new())
    })
    .await
    .unwrap();
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
    let (job, plan_step) = step(&wf, "plan", "plan");
    let b = Bench::start().await;
    b.write(
        "aura.yaml",
        "project: demo\ninstances:\n  bad: {memory: 3GB}\n",
    );
    let secrets: HashMap<&str, &str> = SECRETS.into_iter().collect();
    let dir = b.dir.path().to_owned();
    let url = b.emu.handle.base_url();
    let (job2, step2) = (job.clone(), plan_step.clone());
    let ran = tokio::task::spawn_blocking(move || run_step(&job2, &step2, &dir, &url, &secrets))
        .await
        .unwrap();
    assert_ne!(ran.code, 0);
    assert_eq!(ran.outputs["exitcode"], "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_workflow_reports_drift_with_the_issue_marker() {
    let wf = workflow("drift.yml");
    let (job, drift_step) = step(&wf, "drift", "drift");
    let marker = script_marker(job);
    let b = Bench::start().await;
    let orders = b
        .emu
        .launch("orders", json!({ "memory": "8GB", "storage": "16GB" }))
        .await;
    b.write(
        "aura.yaml",
        "project: demo\ninstances:\n  orders:\n    type: professional-db\n    cloud_provider: gcp\n    region: europe-west1\n    memory: 8GB\n",
    );
    let run = |job: Value, step: Value, dir: std::path::PathBuf, url: String| {
        tokio::task::spawn_blocking(move || {
            let secrets: HashMap<&str, &str> = SECRETS.into_iter().collect();
            run_step(&job, &step, &dir, &url, &secrets)
        })
    };
    let url = b.emu.handle.base_url();
    let ran = run(
        job.clone(),
        drift_step.clone(),
        b.dir.path().to_owned(),
        url.clone(),
    )
    .await
    .unwrap();
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.outputs["exitcode"], "0");

    // Someone resizes it in the console.
    b.emu
        .patch_instance(&orders, json!({ "memory": "16GB" }))
        .await;
    let ran = run(
        job.clone(),
        drift_step.clone(),
        b.dir.path().to_owned(),
        url,
    )
    .await
    .unwrap();
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
    let issue_step = job["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["with"]["script"].is_string())
        .unwrap();
    assert_eq!(
        issue_step["if"],
        "steps.drift.outputs.exitcode == '2' || steps.drift.outputs.exitcode == '0'"
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
