//! `schema/apply-report.schema.json` and `schema/output.schema.json` are generated
//! from the report types: these fail when a committed file is stale (regenerate with
//! `UPDATE_SCHEMA=1 cargo nextest run report_schemas`), and `auraform schema WHICH`
//! prints exactly the committed files.

use std::path::Path;

use super::support::cli::auraform;

fn fresh(file: &str, want: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join(file);
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "schema/{file} is stale: run `UPDATE_SCHEMA=1 cargo nextest run report_schemas` and commit it"
    );
}

#[test]
fn apply_report_schema_file_is_fresh() {
    fresh(
        "apply-report.schema.json",
        &auraform::apply::report_json::report_schema_json(),
    );
}

#[test]
fn output_schema_file_is_fresh() {
    fresh(
        "output.schema.json",
        &auraform::plan::connections::output_schema_json(),
    );
}

#[test]
fn the_schema_command_prints_each_committed_schema() {
    for (which, file) in [
        (None, "aura.schema.json"),
        (Some("plan"), "plan.schema.json"),
        (Some("apply-report"), "apply-report.schema.json"),
        (Some("output"), "output.schema.json"),
        (Some("files"), "files.schema.json"),
        (Some("catalog"), "catalog.schema.json"),
    ] {
        let out = auraform().arg("schema").args(which).run();
        assert_eq!(out.code, 0, "{}", out.stderr);
        let committed = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("schema")
                .join(file),
        )
        .unwrap();
        assert!(
            out.stdout == committed,
            "`auraform schema {which:?}` differs from {file}"
        );
    }
    // The spellings from before WHICH still work, each the same as its name, and help
    // shows only the names.
    for (flag, which) in [
        ("--plan", "plan"),
        ("--files", "files"),
        ("--catalog", "catalog"),
    ] {
        let old = auraform().args(["schema", flag]).run();
        let new = auraform().args(["schema", which]).run();
        assert_eq!((old.code, &old.stdout), (0, &new.stdout), "{flag}");
    }
    let help = auraform().args(["schema", "--help"]).run();
    assert_eq!(help.code, 0, "{}", help.stderr);
    for name in ["aura", "plan", "apply-report", "output", "files", "catalog"] {
        assert!(help.stdout.contains(name), "{name}: {}", help.stdout);
    }
    for flag in ["--plan", "--files", "--catalog"] {
        assert!(!help.stdout.contains(flag), "{flag}: {}", help.stdout);
    }
    // A name and an old flag together, or both flags, are refused rather than one
    // silently winning.
    for args in [
        ["schema", "output", "--plan"],
        ["schema", "plan", "--files"],
        ["schema", "--plan", "--files"],
        ["schema", "--files", "--catalog"],
        ["schema", "catalog", "--catalog"],
    ] {
        let out = auraform().args(args).run();
        assert_eq!(out.code, 1, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            out.stderr.contains("cannot be used with"),
            "{args:?}: {}",
            out.stderr
        );
    }
}
