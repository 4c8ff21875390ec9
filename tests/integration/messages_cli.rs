//! The messages a new user meets, each pinned to its exact text: what happened, where,
//! and what to do — never a library's error chain, a temporary file's name, a Rust
//! debug form, or a spurious error beside the real one.

use std::path::Path;

use super::first_run_cli::{run, stable};
use crate::support::bench::Bench;
use crate::support::cli::auraform;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `plan` against `url` with (fake) credentials in the environment.
fn plan_against(dir: &Path, url: &str) -> (i32, String) {
    let out = auraform()
        .dir(dir)
        .args(["plan", "--api-url", url])
        .env("AURA_CLIENT_ID", "someone")
        .env("AURA_CLIENT_SECRET", "not-a-real-secret")
        .run();
    (out.code, out.stderr)
}

#[test]
fn a_connection_failure_says_what_was_unreachable_and_what_to_check() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "aura.yaml", "project: demo\ninstances: {}\n");
    let port = closed_port();
    // Both are retried for several seconds first (connections are resent like any
    // idempotent call), so they run side by side.
    let (refused, unresolved) = std::thread::scope(|s| {
        let refused = s.spawn(|| plan_against(dir.path(), &format!("http://127.0.0.1:{port}")));
        let unresolved = s.spawn(|| plan_against(dir.path(), "https://aura.example.invalid"));
        (refused.join().unwrap(), unresolved.join().unwrap())
    });
    for (code, stderr) in [&refused, &unresolved] {
        assert_eq!(*code, 1, "{stderr}");
        assert!(!stderr.contains("error sending request"), "{stderr}");
        assert!(!stderr.contains("os error"), "{stderr}");
        assert!(!stderr.contains("not-a-real-secret"), "{stderr}");
    }
    let mut s = insta::Settings::clone_current();
    s.add_filter(&format!(":{port}\\b"), ":[port]");
    s.bind(|| insta::assert_snapshot!("connection_refused", refused.1));
    insta::assert_snapshot!("host_not_resolved", unresolved.1);
}

#[test]
fn a_write_error_names_the_file_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "aura.yaml", "project: demo\ninstances: {}\n");
    let plan = run(
        dir.path(),
        &["plan", "--emulator", "--out", "nodir/plan.json"],
    );
    assert_eq!(plan.code, 1);
    assert!(!plan.stderr.contains(".auraform-"), "{}", plan.stderr);
    insta::assert_snapshot!("plan_out_into_a_missing_directory", plan.stderr);
    let import = run(
        dir.path(),
        &[
            "import",
            "--emulator",
            "--project",
            "demo",
            "--output",
            "nodir/aura.yaml",
        ],
    );
    assert_eq!(import.code, 1);
    insta::assert_snapshot!("import_output_into_a_missing_directory", import.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_into_a_missing_directory_says_which() {
    // Against an API (with --emulator the emulator's state folder would create it).
    let bench = Bench::start().await;
    let init = bench
        .run(&["init", "--project", "demo", "-f", "nodir/aura.yaml"])
        .await;
    assert_eq!(init.code, 1, "{}", init.stderr);
    insta::assert_snapshot!("init_into_a_missing_directory", init.stderr);
    bench.emu.handle.shutdown().await;
}

#[test]
fn log_lines_say_plain_values_never_debug_forms() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "aura.yaml",
        "project: free-only\ninstances:\n  sandbox:\n    type: free-db\n",
    );
    let out = run(
        dir.path(),
        &["apply", "--emulator", "--auto-approve", "-vvv"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for debug_form in ["Some(", "None", "=\""] {
        assert!(
            !out.stderr.contains(debug_form),
            "{debug_form}: {}",
            out.stderr
        );
    }
    let steps: String = out
        .stderr
        .lines()
        .filter(|l| l.contains(" step "))
        .map(|l| {
            // `2026-12-01T11:18:19.588783Z  INFO step started …` without the clock.
            let l = l.split_once('Z').map_or(l, |(_, rest)| rest).trim_start();
            let mut l = l.to_owned();
            if let Some(i) = l.find("elapsed_ms=") {
                l.replace_range(i.., "elapsed_ms=[ms]");
            }
            l + "\n"
        })
        .collect();
    stable().bind(|| insta::assert_snapshot!("apply_step_log_lines", steps));
}

#[test]
fn a_timeout_says_the_time_it_was_given() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "aura.yaml",
        "project: free-only\ninstances:\n  sandbox:\n    type: free-db\n",
    );
    // A create takes 3 s on the embedded emulator: 1.5 s is too short.
    let out = run(
        dir.path(),
        &[
            "apply",
            "--emulator",
            "--auto-approve",
            "--timeout",
            "1.5s",
            "--poll-interval",
            "0.25s",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("timed out"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    stable().bind(|| insta::assert_snapshot!("apply_timed_out_line", line));
    // What to do is on its own line under it.
    assert!(
        out.stdout.contains(&format!(
            "{line}\n           remedy: run `auraform apply` again later (it goes on from where the instance stands), or raise --timeout\n"
        )),
        "{}",
        out.stdout
    );
    let bad = run(dir.path(), &["plan", "--emulator", "--timeout", "5minutes"]);
    assert_eq!(bad.code, 1);
    insta::assert_snapshot!("duration_with_an_unknown_unit", bad.stderr);
}

#[test]
fn an_instance_that_is_not_a_mapping_is_one_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "aura.yaml",
        "project: demo\ninstances:\n  a: hello\n",
    );
    let out = run(dir.path(), &["validate"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr.matches("auraform::config::").count(),
        1,
        "{}",
        out.stderr
    );
    insta::assert_snapshot!("instance_is_a_string", out.stderr);
}

#[test]
fn an_unquoted_id_that_yaml_reads_as_a_number_is_taken_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let text = "project: demo\ninstances:\n  orders:\n    id: 798e3386\n    type: professional-db\n    cloud_provider: gcp\n    region: europe-west1\n    memory: 2GB\n";
    write(dir.path(), "aura.yaml", text);
    let out = run(dir.path(), &["validate"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("unquoted_numeric_id_validates", out.stdout);
    // The pin is the text `798e3386` (it names no live instance here).
    let plan = run(dir.path(), &["plan", "--emulator"]);
    assert_eq!(plan.code, 1);
    assert!(
        plan.stderr.contains("pinned to id `798e3386`"),
        "{}",
        plan.stderr
    );
    // A number where a number is wanted is still refused as one.
    write(
        dir.path(),
        "count.yaml",
        "project: demo\ninstances:\n  vdc:\n    type: enterprise-db\n    cloud_provider: gcp\n    region: europe-west1\n    memory: 2GB\n    secondaries_count: 1e999\n",
    );
    let out = run(dir.path(), &["validate", "-f", "count.yaml"]);
    assert_eq!(out.code, 1);
    assert!(!out.stderr.contains("finite"), "{}", out.stderr);
    assert!(out.stderr.contains("secondaries_count"), "{}", out.stderr);
}

#[test]
fn a_dotenv_that_is_not_utf8_is_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "aura.yaml", "project: demo\ninstances: {}\n");
    std::fs::write(
        dir.path().join(".env"),
        b"# keys\nAURA_CLIENT_ID=abc\nAURA_CLIENT_SECRET=\xff\xfe\n",
    )
    .unwrap();
    let out = run(dir.path(), &["plan"]);
    assert_eq!(out.code, 1);
    assert!(!out.stderr.contains("not found"), "{}", out.stderr);
    assert!(
        !out.stderr.contains("abc"),
        "the file is never quoted: {}",
        out.stderr
    );
    let mut s = insta::Settings::clone_current();
    s.add_filter(&regex_escape(&dir.path().display().to_string()), "[dir]");
    s.bind(|| insta::assert_snapshot!("dotenv_not_utf8", out.stderr));
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

#[test]
fn diff_shows_an_added_or_removed_pin_as_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let base = "project: demo\ndefaults: {type: professional-db, cloud_provider: gcp, region: europe-west1}\ninstances:\n  orders:\n    memory: 2GB\n  search:\n    memory: 4GB\n";
    write(dir.path(), "old.yaml", base);
    write(
        dir.path(),
        "new.yaml",
        &base.replace("  orders:\n", "  orders:\n    id: 0a1b2c3d\n"),
    );
    let out = run(
        dir.path(),
        &["diff", "old.yaml", "new.yaml", "--detailed-exitcode"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    insta::assert_snapshot!("diff_pin_added", out.stdout);
    let json = run(
        dir.path(),
        &["diff", "old.yaml", "new.yaml", "--format", "json"],
    );
    assert_eq!(json.code, 0, "{}", json.stderr);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let changes = doc["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{doc}");
    assert_eq!(changes[0]["name"], "orders");
    assert_eq!(
        changes[0]["fields"],
        serde_json::json!([{"field": "id", "before": null, "after": "0a1b2c3d", "forces_replacement": false}])
    );
    // Removed again: the same change the other way.
    let out = run(dir.path(), &["diff", "new.yaml", "old.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("diff_pin_removed", out.stdout);
    // A pin to an instance the old file does not describe cannot be judged offline.
    write(
        dir.path(),
        "elsewhere.yaml",
        &format!("{base}  adopted:\n    id: 0a1b2c3d\n    memory: 2GB\n"),
    );
    let out = run(dir.path(), &["diff", "old.yaml", "elsewhere.yaml"]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("diff_pin_unknown_offline", out.stderr);
}

#[test]
fn a_clone_smaller_than_its_source_is_caught_by_plan() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "aura.yaml",
        "project: demo\ndefaults:\n  type: professional-db\n  cloud_provider: gcp\n  region: europe-west1\ninstances:\n  orders:\n    memory: 8GB\n  orders-copy:\n    memory: 2GB\n    source: { instance: orders }\n",
    );
    let out = run(dir.path(), &["plan", "--emulator"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    insta::assert_snapshot!("clone_smaller_than_its_source", out.stderr);
}

#[test]
fn no_changes_says_so_and_names_the_unmanaged_instances_too() {
    let dir = tempfile::tempdir().unwrap();
    let both = "project: demo\ndefaults: {type: professional-db, cloud_provider: gcp, region: europe-west1}\ninstances:\n  orders:\n    memory: 1GB\n  scratch:\n    memory: 1GB\n";
    write(dir.path(), "aura.yaml", both);
    let apply = run(dir.path(), &["apply", "--emulator", "--auto-approve", "-q"]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    let clean = run(dir.path(), &["plan", "--emulator"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert!(
        clean
            .stdout
            .ends_with("No changes. Live state matches aura.yaml.\n"),
        "{}",
        clean.stdout
    );
    // `scratch` is no longer declared: the plan has no changes, but live state does
    // not "match aura.yaml" — there is an instance the file does not mention.
    write(
        dir.path(),
        "aura.yaml",
        &both.replace("  scratch:\n    memory: 1GB\n", ""),
    );
    let out = run(dir.path(), &["plan", "--emulator", "--detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    stable().bind(|| insta::assert_snapshot!("no_changes_with_an_unmanaged_instance", out.stdout));
}
