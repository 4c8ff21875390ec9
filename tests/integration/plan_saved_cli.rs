//! Saved plans through the real binary on the embedded emulator: the file a plan was
//! made from, named another way, is the same file; a file that really differs is
//! named in the error; and a plan file edited after `plan --out` is refused, naming
//! the instance and the field, with nothing changed.

use std::path::Path;

use serde_json::Value;

use crate::support::cli::{Out, auraform};

const APP: &str = "project: demo\ninstances:\n  app:\n    type: professional-db\n    cloud_provider: gcp\n    region: europe-west1\n    memory: 2GB\n";

/// `auraform ARGS --emulator` in `dir`.
fn run(dir: &Path, args: &[&str]) -> Out {
    auraform().dir(dir).args(args).embedded().run()
}

/// Text without whitespace and miette's `|` margins: a message however it wrapped.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '|')
        .collect()
}

fn ok(out: &Out) {
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
}

/// The `<name>.env` credentials files under `dir/.auraform/credentials`.
fn env_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join(".auraform/credentials"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| Path::new(n).extension().is_some_and(|x| x == "env"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `plan -f aura.yaml --out p.json`, then `apply -f /abs/dir/aura.yaml p.json` was
/// refused as stale ("aura.yaml changed") although it is the same file.
#[test]
fn a_saved_plan_fits_its_file_however_the_path_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("aura.yaml"), APP).unwrap();
    ok(&run(d, &["plan", "-f", "aura.yaml", "--out", "p.json"]));
    let absolute = d.canonicalize().unwrap().join("aura.yaml");
    let out = auraform()
        .dir(d)
        .args(["apply", "p.json", "-f"])
        .arg(&absolute)
        .embedded()
        .run();
    ok(&out);
    assert!(out.stdout.contains("Apply complete: 1 done."));
    assert_eq!(env_files(d), ["app.env"]);
}

/// `plan -f envs/prod.yaml --out p.json`, then `apply p.json`: the plan is about
/// envs/prod.yaml (its credentials and emulator world are beside it), not about
/// ./aura.yaml; a different file given with -f is refused, naming both files.
#[test]
fn a_saved_plan_is_applied_to_the_file_it_was_made_from() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("envs")).unwrap();
    std::fs::write(d.join("envs/prod.yaml"), APP).unwrap();
    std::fs::write(d.join("envs/other.yaml"), APP.replace("2GB", "4GB")).unwrap();
    ok(&run(
        d,
        &["plan", "-f", "envs/prod.yaml", "--out", "p.json"],
    ));

    // Really another file (beside it, so the same emulated world): refused, and the
    // error says which file the plan is about.
    let out = run(d, &["apply", "-f", "envs/other.yaml", "p.json"]);
    assert_eq!(out.code, 1);
    let stderr = out.stderr;
    let prod = d.canonicalize().unwrap().join("envs/prod.yaml");
    let other = d.canonicalize().unwrap().join("envs/other.yaml");
    assert!(
        squash(&stderr).contains(&squash(&format!(
            "the plan was made from {}, and {} (which this apply read) says something else",
            prod.display(),
            other.display()
        ))),
        "{stderr}"
    );

    let out = run(d, &["apply", "p.json"]);
    ok(&out);
    assert!(
        squash(&out.stderr).contains(&squash(&format!(
            "Applying the plan to {}, the file it was made from.",
            prod.display()
        ))),
        "{}",
        out.stderr
    );
    assert_eq!(env_files(&d.join("envs")), ["app.env"]);
    assert!(env_files(d).is_empty());
    // A plan of that file now has nothing to do.
    let again = run(d, &["plan", "-f", "envs/prod.yaml"]);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
}

fn edit(path: &Path, change: impl FnOnce(&mut Value)) {
    let mut plan: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    change(&mut plan);
    std::fs::write(path, serde_json::to_vec_pretty(&plan).unwrap()).unwrap();
}

/// A plan showing `app` at 2GB, edited to create `evil` at 64GB, once created `evil`.
/// `apply PLAN_FILE` makes the plan again from the same inputs and refuses a file
/// that says anything else, naming the instance and the field; nothing is created.
#[test]
fn an_edited_saved_plan_is_refused_naming_instance_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("aura.yaml"), APP).unwrap();
    ok(&run(d, &["plan", "--out", "p.json"]));

    // Only the request body edited: the steps disagree with the changes.
    std::fs::copy(d.join("p.json"), d.join("body.json")).unwrap();
    edit(&d.join("body.json"), |p| {
        let body = &mut p["changes"][0]["steps"][0]["request"]["body"];
        body["name"] = "evil".into();
        body["memory"] = "64GB".into();
    });
    let out = run(d, &["apply", "body.json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    insta::assert_snapshot!(
        "edited_request_body",
        out.stderr
            .replace(&d.canonicalize().unwrap().display().to_string(), "[DIR]")
    );

    // Everything edited consistently (name, fields, steps): still not what aura.yaml
    // and the live project give.
    std::fs::copy(d.join("p.json"), d.join("all.json")).unwrap();
    edit(&d.join("all.json"), |p| {
        let change = &mut p["changes"][0];
        change["name"] = "evil".into();
        for f in change["fields"].as_array_mut().unwrap() {
            if f["field"] == "memory" {
                f["after"] = "64GB".into();
            }
        }
        let body = &mut change["steps"][0]["request"]["body"];
        body["name"] = "evil".into();
        body["memory"] = "64GB".into();
    });
    let out = run(d, &["apply", "all.json"]);
    assert_eq!(out.code, 1);
    let stderr = out.stderr;
    assert!(stderr.contains("auraform::plan::saved_altered"), "{stderr}");
    assert!(stderr.contains("instance `app`"), "{stderr}");
    assert!(stderr.contains("64GB"), "{stderr}");

    // Nothing was created by either; the untouched file applies.
    assert!(env_files(d).is_empty());
    let out = run(d, &["apply", "p.json"]);
    ok(&out);
    assert!(out.stdout.contains("Apply complete: 1 done."));
    let live = run(d, &["plan", "--format", "json"]);
    let live: Value = live.json();
    assert_eq!(live["changes"], serde_json::json!([]), "{live:#}");
}
