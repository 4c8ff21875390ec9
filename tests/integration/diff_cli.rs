//! `auraform diff OLD NEW`: offline (no credentials, no network), the same change set
//! `plan` shows on a live project in OLD's state, and `git:REV:PATH` for OLD.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};

use crate::support::bench::Bench;
use crate::support::cli::auraform;
use crate::support::git::git;

const OLD: &str = "tests/fixtures/diff/old.yaml";
const NEW: &str = "tests/fixtures/diff/new.yaml";

/// Runs the binary with no credentials and an API URL nothing listens on.
fn offline(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = auraform()
        .dir(dir)
        .args(args)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir)
        .env("AURA_API_URL", "https://127.0.0.1:9")
        .run();
    (out.code, out.stdout, out.stderr)
}

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// (name, actions, fields with before/after) of every change, plus unmanaged names.
fn change_set(doc: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let changes = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut fields: Vec<String> = c["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| format!("{}:{}->{}", f["field"], f["before"], f["after"]))
                .collect();
            fields.sort();
            format!(
                "{} {} [{}] blocked={}",
                c["name"],
                c["actions"],
                fields.join(", "),
                c["blocked"]
            )
        })
        .collect();
    let unmanaged = doc["unmanaged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_owned())
        .collect();
    (changes, unmanaged)
}

#[test]
fn diff_works_offline_in_every_format() {
    let (code, human, err) = offline(manifest(), &["diff", OLD, NEW]);
    assert_eq!(code, 0, "{err}");
    assert!(
        human.contains("offline diff of two files; no API access"),
        "{human}"
    );
    assert!(
        human.contains("Diff: 1 to create, 4 to update, 1 to replace, 0 to delete. 1 instance removed from the file"),
        "{human}"
    );
    let (code, md, _) = offline(manifest(), &["diff", OLD, NEW, "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(
        md.starts_with("<!-- auraform:plan project=demo kind=diff -->\n"),
        "{md}"
    );
    let (code, j, _) = offline(manifest(), &["diff", OLD, NEW, "--format", "json"]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&j).unwrap();
    assert_eq!(doc["kind"], "diff");
    // --detailed-exitcode: 2 when the files differ, 0 when they do not.
    let (code, _, _) = offline(manifest(), &["diff", OLD, NEW, "--detailed-exitcode"]);
    assert_eq!(code, 2);
    let (code, same, _) = offline(manifest(), &["diff", NEW, NEW, "--detailed-exitcode"]);
    assert_eq!(code, 0, "{same}");
    assert!(same.contains("No differences."), "{same}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_gives_the_change_set_plan_gives_on_a_live_project_in_the_old_state() {
    let b = Bench::start().await;
    // Live = old.yaml, created through the API.
    b.emu
        .launch("orders", json!({ "memory": "8GB", "storage": "16GB" }))
        .await;
    b.emu
        .launch(
            "analytics",
            json!({ "type": "professional-ds", "memory": "16GB" }),
        )
        .await;
    let events = b
        .emu
        .launch(
            "events",
            json!({ "type": "business-critical", "memory": "16GB" }),
        )
        .await;
    b.emu
        .patch_instance(&events, json!({ "cdc_enrichment_mode": "DIFF" }))
        .await;
    b.emu.launch("search", json!({ "memory": "8GB" })).await;
    b.emu.launch("scratch", json!({ "memory": "2GB" })).await;
    b.emu.launch("catalog", json!({ "memory": "4GB" })).await;
    let old = std::fs::read_to_string(manifest().join(OLD)).unwrap();
    let new = std::fs::read_to_string(manifest().join(NEW)).unwrap();
    b.write("old.yaml", &old);
    b.write("new.yaml", &new);
    // The live project matches old.yaml exactly.
    let same = b
        .run(&["plan", "-f", "old.yaml", "--detailed-exitcode"])
        .await;
    assert_eq!(same.code, 0, "{}", same.stdout);

    let plan = b.run(&["plan", "-f", "new.yaml", "--format", "json"]).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let (code, diff, err) = offline(
        b.dir.path(),
        &["diff", "old.yaml", "new.yaml", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let diff: Value = serde_json::from_str(&diff).unwrap();
    let plan_set = change_set(&plan.json());
    let diff_set = change_set(&diff);
    assert_eq!(plan_set, diff_set);
    assert_eq!(plan_set.0.len(), 6, "{plan_set:#?}");
    assert_eq!(plan_set.1, BTreeSet::from(["scratch".to_owned()]));
    // The same summary counts.
    assert_eq!(plan.json()["summary"], diff["summary"]);
}

#[test]
fn old_from_git_is_the_same_as_from_a_file_and_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    std::fs::copy(manifest().join(OLD), d.join("aura.yaml")).unwrap();
    std::fs::copy(manifest().join(OLD), d.join("old.yaml")).unwrap();
    git(d, &["add", "aura.yaml"]);
    git(d, &["commit", "-q", "-m", "old"]);
    std::fs::copy(manifest().join(NEW), d.join("aura.yaml")).unwrap();

    let (code, from_git, err) = offline(
        d,
        &[
            "diff",
            "git:HEAD:aura.yaml",
            "aura.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, from_file, _) = offline(d, &["diff", "old.yaml", "aura.yaml", "--format", "json"]);
    assert_eq!(from_git, from_file);

    let (code, out, err) = offline(d, &["diff", "git:no-such-rev:aura.yaml", "aura.yaml"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("git could not read no-such-rev:aura.yaml"),
        "{err}"
    );
    let (code, _, err) = offline(d, &["diff", "git:HEAD:nope.yaml", "aura.yaml"]);
    assert_eq!(code, 1);
    assert!(err.contains("git could not read HEAD:nope.yaml"), "{err}");
    std::fs::write(d.join("other.yaml"), "project: other\ninstances: {}\n").unwrap();
    let (code, _, err) = offline(d, &["diff", "old.yaml", "other.yaml"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("the two files name different projects: `demo` in OLD, `other` in NEW"),
        "{err}"
    );
    let (code, _, err) = offline(d, &["diff", "git:HEAD", "aura.yaml"]);
    assert_eq!(code, 1);
    assert!(err.contains("is not of the form git:REV:PATH"), "{err}");
}

/// `git:--output=FILE:aura.yaml` once made `git show` write FILE: a revision that
/// starts with `-` is refused before git runs, and git is always told where the
/// options end.
#[test]
fn a_git_revision_is_never_passed_to_git_as_an_option() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    std::fs::copy(manifest().join(OLD), d.join("aura.yaml")).unwrap();
    git(d, &["add", "aura.yaml"]);
    git(d, &["commit", "-q", "-m", "old"]);
    for spec in [
        "git:--output=pwned:aura.yaml",
        "git:-p:aura.yaml",
        "git:--end-of-options:aura.yaml",
    ] {
        let (code, out, err) = offline(d, &["diff", spec, "aura.yaml"]);
        assert_eq!(code, 1, "{spec}: {out}");
        assert!(err.contains("is not a git revision"), "{spec}: {err}");
        assert!(err.contains("auraform::diff::bad_revision"), "{err}");
    }
    assert!(!d.join("pwned").exists(), "git wrote the file");

    // What git is called with: a stand-in `git` first on PATH records its argv.
    let bin = d.join("bin");
    std::fs::create_dir(&bin).unwrap();
    let argv = d.join("argv");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\ncat aura.yaml\n",
        argv.display()
    );
    std::fs::write(bin.join("git"), script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join("git"), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = auraform()
        .dir(d)
        .args(["diff", "git:HEAD:aura.yaml", "aura.yaml"])
        .env("PATH", path)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(&argv).unwrap(),
        "show\n--end-of-options\nHEAD:aura.yaml\n"
    );
}
