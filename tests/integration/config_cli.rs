//! The real binary: `validate` exit codes and output, `schema` output.

use crate::support::cli::auraform;

#[test]
fn validate_a_valid_file_exits_0() {
    let out = auraform()
        .args(["validate", "-f", "examples/aura.yaml"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "examples/aura.yaml is valid: 8 instances in project demo\n"
    );
}

#[test]
fn validate_an_invalid_file_exits_1_with_every_diagnostic() {
    let out = auraform()
        .args(["validate", "-f", "tests/fixtures/config/five_mistakes.yaml"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let stderr = out.stderr;
    assert!(
        stderr.contains("5 problems in tests/fixtures/config/five_mistakes.yaml"),
        "{stderr}"
    );
    for code in ["unknown_field", "invalid_value", "tier_rule"] {
        assert!(
            stderr.contains(&format!("auraform::config::{code}")),
            "{stderr}"
        );
    }
    assert!(stderr.contains("five_mistakes.yaml:8:5"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn validate_a_missing_file_exits_1() {
    let out = auraform().args(["validate", "-f", "nope/aura.yaml"]).run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let stderr = out.stderr;
    assert!(
        stderr.contains("cannot read nope/aura.yaml: no such file"),
        "{stderr}"
    );
}

#[test]
fn validate_global_flag_after_the_command() {
    let out = auraform()
        .args(["validate", "--file", "examples/free.yaml"])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn schema_prints_the_committed_schema_exactly() {
    let out = auraform().arg("schema").run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let committed = std::fs::read("schema/aura.schema.json").expect("schema");
    assert!(
        out.stdout.as_bytes() == committed,
        "auraform schema differs from schema/aura.schema.json"
    );
}

#[test]
fn schema_plan_prints_the_committed_plan_schema() {
    let committed = std::fs::read("schema/plan.schema.json").expect("plan schema");
    let out = auraform().args(["schema", "plan"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.as_bytes() == committed,
        "auraform schema plan differs from schema/plan.schema.json"
    );
}

/// Exactly what a user sees on stderr with `NO_COLOR=1` (ASCII art, no colour).
#[test]
fn validate_stderr_is_exact() {
    let out = auraform()
        .args([
            "validate",
            "-f",
            "tests/fixtures/config/unknown_region.yaml",
        ])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let stderr = out.stderr;
    insta::assert_snapshot!("validate_stderr_no_color", stderr);
}
