//! The real binary: `validate` exit codes and output, `schema` output.

use assert_cmd::Command;

fn auraform() -> Command {
    let mut cmd = Command::cargo_bin("auraform").expect("binary");
    cmd.env("NO_COLOR", "1").env_remove("AURA_PROJECT");
    cmd
}

#[test]
fn validate_a_valid_file_exits_0() {
    let out = auraform()
        .args(["validate", "-f", "examples/aura.yaml"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert_eq!(
        stdout,
        "examples/aura.yaml is valid: 8 instances in project demo\n"
    );
}

#[test]
fn validate_an_invalid_file_exits_1_with_every_diagnostic() {
    let out = auraform()
        .args(["validate", "-f", "tests/fixtures/config/five_mistakes.yaml"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
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
    assert!(out.get_output().stdout.is_empty());
}

#[test]
fn validate_a_missing_file_exits_1() {
    let out = auraform()
        .args(["validate", "-f", "nope/aura.yaml"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("cannot read nope/aura.yaml: no such file"),
        "{stderr}"
    );
}

#[test]
fn validate_global_flag_after_the_command() {
    auraform()
        .args(["validate", "--file", "examples/free.yaml"])
        .assert()
        .success();
}

#[test]
fn schema_prints_the_committed_schema_exactly() {
    let out = auraform().arg("schema").assert().success();
    let committed = std::fs::read("schema/aura.schema.json").expect("schema");
    assert!(
        out.get_output().stdout == committed,
        "auraform schema differs from schema/aura.schema.json"
    );
}

#[test]
fn schema_plan_prints_the_plan_schema_or_says_it_is_missing() {
    let path = std::path::Path::new("schema/plan.schema.json");
    if path.exists() {
        let out = auraform().args(["schema", "--plan"]).assert().success();
        assert!(out.get_output().stdout == std::fs::read(path).expect("plan schema"));
    } else {
        let out = auraform().args(["schema", "--plan"]).assert().code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            stderr.contains("plan JSON schema is not available"),
            "{stderr}"
        );
    }
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
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    insta::assert_snapshot!("validate_stderr_no_color", stderr);
}
