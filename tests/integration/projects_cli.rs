//! Several projects in one run (docs/commands.md §12): `-f` given more than once, or a
//! directory of `*.aura.yaml`, runs `plan`, `drift`, `apply` and `validate` over each
//! file in turn with one client, one report per file and the worst exit code; a
//! failing file does not stop the others; JSON stays one document, valid against
//! `schema/files.schema.json`.

use std::path::Path;

use auraform::apply::files_schema::{files_schema, files_schema_json};
use serde_json::json;

use crate::support::bench::Bench;
use crate::support::cli::auraform;
use crate::support::emulator::{by_route, stats_at};

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/files.schema.json");

/// `demo` with `orders` as it runs after [`start`]; nothing to change.
pub(crate) const DEMO: &str = "\
project: demo
instances:
  orders:
    type: professional-db
    cloud_provider: gcp
    region: europe-west1
    memory: 8GB
";

/// `free-only` with one free instance that does not exist yet.
pub(crate) const FREE: &str = "project: free-only\ninstances:\n  sandbox:\n    type: free-db\n";

/// An emulator with `orders` running in `demo`, a.yaml = [`DEMO`], b.yaml = [`FREE`].
pub(crate) async fn start() -> Bench {
    let b = Bench::start().await;
    b.emu.launch("orders", json!({ "memory": "8GB" })).await;
    b.write("a.yaml", DEMO);
    b.write("b.yaml", FREE);
    b
}

/// `plan` over both files, exit 2 when either has changes.
const PLAN_BOTH: [&str; 6] = [
    "plan",
    "-f",
    "a.yaml",
    "-f",
    "b.yaml",
    "--detailed-exitcode",
];

async fn token_requests(b: &Bench) -> u64 {
    by_route(
        &stats_at(&b.emu.handle.base_url()).await,
        "POST /oauth/token",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_over_two_projects_reports_both_and_exits_2_when_either_has_changes() {
    let b = start().await;
    let tokens = token_requests(&b).await;
    let out = b.run(&PLAN_BOTH).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    insta::assert_snapshot!(
        "two_projects_plan_human",
        out.stdout
            .replace(&b.emu.demo(), "<demo>")
            .replace(&b.emu.free_only(), "<free-only>")
    );
    // One client for both files: one token, so one request budget.
    assert_eq!(token_requests(&b).await, tokens + 1);

    // Neither has changes: 0.
    b.write("b.yaml", "project: free-only\ninstances: {}\n");
    let out = b.run(&PLAN_BOTH).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.ends_with("\n2 files: 2 without changes.\n"),
        "{}",
        out.stdout
    );
    // Without --detailed-exitcode changes are exit 0, as for one file.
    b.write("b.yaml", FREE);
    let out = b.run(&["plan", "-f", "a.yaml", "-f", "b.yaml"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markdown_over_two_projects_keeps_each_marker_and_one_summary() {
    let b = start().await;
    let out = b
        .run(&[
            "plan", "-f", "a.yaml", "-f", "b.yaml", "--format", "markdown",
        ])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with(&format!(
        "<!-- auraform:plan project={} -->\n",
        b.emu.demo()
    )));
    assert!(out.stdout.contains(&format!(
        "\n---\n\n<!-- auraform:plan project={} -->\n",
        b.emu.free_only()
    )));
    assert!(
        out.stdout
            .ends_with("\n---\n\n**2 files: 1 with changes, 1 without changes.**\n"),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_file_does_not_stop_the_others_and_json_stays_one_valid_document() {
    let b = start().await;
    b.write(
        "bad.yaml",
        "project: demo\ninstances:\n  x: {memory: 3GB}\n",
    );
    b.write("again.yaml", DEMO);
    let out = b
        .run(&[
            "plan",
            "--format",
            "json",
            "--detailed-exitcode",
            "-f",
            "a.yaml",
            "-f",
            "bad.yaml",
            "-f",
            "b.yaml",
            "-f",
            "again.yaml",
            "-f",
            "missing.yaml",
        ])
        .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    let validator = jsonschema::draft7::new(&files_schema()).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(doc["exit_code"], 1);
    let files: Vec<(&str, u64)> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap(),
                f["exit_code"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("a.yaml", 0),
            ("bad.yaml", 1),
            ("b.yaml", 2),
            ("again.yaml", 1),
            ("missing.yaml", 1)
        ]
    );
    let f = &doc["files"];
    // Each report is exactly the plan JSON a run over that file alone prints.
    let alone = b
        .run(&["plan", "--format", "json", "-f", "b.yaml"])
        .await
        .json();
    assert_eq!(f[2]["report"], alone);
    assert_eq!(f[0]["report"]["project"]["name"], "demo");
    assert_eq!(f[1]["error"]["code"], "auraform::config::invalid");
    assert_eq!(f[1]["error"]["related"].as_array().unwrap().len(), 3);
    assert_eq!(f[3]["error"]["code"], "auraform::files::same_project");
    assert_eq!(f[4]["error"]["code"], "auraform::config::io");
    // stderr: each failure under its file, then the run's own line.
    assert!(out.stderr.contains("==> bad.yaml <==\n"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("again.yaml and a.yaml both manage project \"demo\""),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("3 of 5 files failed (each error is shown above)"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_stands_for_its_aura_yaml_files_in_name_order() {
    let b = start().await;
    std::fs::create_dir(b.path("envs")).unwrap();
    b.write("envs/prod.aura.yaml", DEMO);
    b.write("envs/free.aura.yaml", FREE);
    b.write("envs/notes.yaml", "not a project");
    let out = b.run(&["drift", "-f", "envs", "--format", "json"]).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    let doc = out.json();
    assert_eq!(doc["files"][0]["file"], "envs/free.aura.yaml");
    assert_eq!(doc["files"][0]["exit_code"], 2);
    assert_eq!(doc["files"][0]["report"]["kind"], "drift");
    assert_eq!(doc["files"][1]["file"], "envs/prod.aura.yaml");
    assert_eq!(doc["files"][1]["exit_code"], 0);

    // The same file named again (here through the directory) counts once; one file
    // left is a plain single-file run, byte for byte.
    std::fs::remove_file(b.path("envs/free.aura.yaml")).unwrap();
    let several = b
        .run(&["drift", "-f", "envs", "-f", "envs/prod.aura.yaml"])
        .await;
    let one = b.run(&["drift", "-f", "envs/prod.aura.yaml"]).await;
    assert_eq!((several.code, &several.stdout), (one.code, &one.stdout));
    assert!(one.stdout.starts_with("Project \"demo\""), "{}", one.stdout);

    std::fs::create_dir(b.path("empty")).unwrap();
    let out = b.run(&["plan", "-f", "empty"]).await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("auraform::files::empty_dir"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_shows_every_plan_asks_once_and_applies_each_project() {
    let b = start().await;
    b.write("a.yaml", &DEMO.replace("8GB", "16GB"));
    let args = [
        "apply",
        "-f",
        "a.yaml",
        "-f",
        "b.yaml",
        "--poll-interval",
        "20ms",
    ];
    // No terminal and no --auto-approve: every plan is shown, then one refusal, and
    // nothing changes.
    let out = b.run(&args).await;
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("==> a.yaml <==\n") && out.stdout.contains("==> b.yaml <==\n"));
    assert!(
        out.stdout.ends_with("\n2 files: 2 with changes.\n"),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stderr
            .matches("auraform::apply::confirmation_needed")
            .count(),
        1,
        "{}",
        out.stderr
    );

    let mut approved = args.to_vec();
    approved.push("--auto-approve");
    let out = b.run(&approved).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let reports = out
        .stdout
        .split_once("\n2 files: 2 with changes.\n")
        .unwrap()
        .1;
    assert!(
        reports.starts_with("\n==> a.yaml <==\nApply complete: 1 done.\n"),
        "{reports}"
    );
    assert!(
        reports.contains("\n==> b.yaml <==\nApply complete: 1 done.\n"),
        "{reports}"
    );
    assert!(reports.ends_with("\n2 files: 2 applied.\n"), "{reports}");
    assert!(
        out.stderr.contains("Applying a.yaml (project \"demo\")"),
        "{}",
        out.stderr
    );
    // Each project's credentials beside its file; no password printed.
    let password = b.password("sandbox");
    assert!(!out.stdout.contains(&password) && !out.stderr.contains(&password));

    let out = b.run(&PLAN_BOTH).await;
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_goes_on_after_a_file_that_cannot_be_planned_and_exits_1() {
    let b = start().await;
    b.write("bad.yaml", "project: nowhere\ninstances: {}\n");
    let out = b
        .run(&[
            "apply",
            "-f",
            "bad.yaml",
            "-f",
            "b.yaml",
            "--auto-approve",
            "--poll-interval",
            "20ms",
        ])
        .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("==> bad.yaml <==\nFailed: "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("\n==> b.yaml <==\nApply complete: 1 done.\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.ends_with("\n2 files: 1 applied, 1 failed.\n"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("1 of 2 files failed"), "{}", out.stderr);
    assert!(Path::new(&b.path(".auraform/credentials/sandbox.env")).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_for_one_file_are_refused_with_several_before_any_request() {
    let b = start().await;
    let before = token_requests(&b).await;
    for (args, code) in [
        (
            vec!["plan", "--out", "p.json"],
            "auraform::files::out_with_several",
        ),
        (
            vec!["plan", "--target", "orders"],
            "auraform::files::target_with_several",
        ),
        (
            vec!["apply", "--target", "orders"],
            "auraform::files::target_with_several",
        ),
        (vec!["apply", "p.json"], "auraform::files::one_file"),
        (vec!["import"], "auraform::files::one_file"),
    ] {
        let mut all = args.clone();
        all.extend(["-f", "a.yaml", "-f", "b.yaml"]);
        let out = b.run(&all).await;
        assert_eq!(out.code, 1, "{args:?}");
        assert!(out.stderr.contains(code), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(token_requests(&b).await, before);
    assert!(!b.path("p.json").exists());
}

#[test]
fn validate_checks_every_file_and_fails_if_any_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), DEMO).unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "project: demo\ninstances:\n  x: {memory: 3GB}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("b.yaml"), FREE).unwrap();
    let out = auraform()
        .dir(dir.path())
        .args(["validate", "-f", "a.yaml", "-f", "bad.yaml", "-f", "b.yaml"])
        .run();
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "a.yaml is valid: 1 instance in project demo\nb.yaml is valid: 1 instance in project free-only\n"
    );
    assert!(
        out.stderr.starts_with("==> bad.yaml <==\n"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("1 of 3 files failed"), "{}", out.stderr);
}

#[test]
fn files_schema_file_is_fresh_and_printed_by_schema_files() {
    let want = files_schema_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(SCHEMA, &want).unwrap();
    }
    let have = std::fs::read_to_string(SCHEMA).unwrap_or_default();
    assert!(
        have == want,
        "schema/files.schema.json is stale: run `UPDATE_SCHEMA=1 cargo nextest run files_schema` and commit it"
    );
    let out = auraform().args(["schema", "files"]).run();
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, want);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_project_in_progress_and_starts_no_other() {
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), DEMO).unwrap();
    std::fs::write(dir.path().join("b.yaml"), FREE).unwrap();
    let args = ["apply", "-f", "a.yaml", "-f", "b.yaml", "--auto-approve"];
    let child = auraform().dir(dir.path()).args(args).embedded().spawn();
    // The first project's create is sent once its credentials are on disk.
    let orders = dir.path().join(".auraform/credentials/orders.env");
    let start = Instant::now();
    while !orders.exists() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(orders.exists());
    child.interrupt();
    let out = child.wait();
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let reports = out
        .stdout
        .split_once("\n2 files: 2 with changes.\n")
        .unwrap()
        .1;
    assert!(
        reports.starts_with("\n==> a.yaml <==\nApply interrupted"),
        "{reports}"
    );
    assert!(
        reports.contains(
            "\n==> b.yaml <==\nNot started: apply was interrupted before this file's turn"
        ),
        "{reports}"
    );
    assert!(reports.ends_with("\n2 files: 2 failed.\n"), "{reports}");
    assert!(
        out.stderr.contains("auraform::files::not_started"),
        "{}",
        out.stderr
    );
    assert!(
        !dir.path()
            .join(".auraform/credentials/sandbox.env")
            .exists()
    );

    // Run again: both converge, nothing created twice (`orders` may still be creating,
    // which the new plan waits for, or be done already).
    let again = auraform().dir(dir.path()).args(args).embedded().run();
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    let summary = again.stdout.lines().last().unwrap();
    assert!(
        [
            "2 files: 1 applied, 1 without changes.",
            "2 files: 2 applied."
        ]
        .contains(&summary),
        "{}",
        again.stdout
    );
    assert!(
        dir.path()
            .join(".auraform/credentials/sandbox.env")
            .exists()
    );
    let plan = auraform()
        .dir(dir.path())
        .args(["plan", "-f", "a.yaml", "-f", "b.yaml", "--format", "json"])
        .embedded()
        .run()
        .json();
    for file in plan["files"].as_array().unwrap() {
        assert_eq!(file["report"]["changes"], json!([]), "{file}");
        assert_eq!(file["report"]["unmanaged"], json!([]), "{file}");
    }
}
