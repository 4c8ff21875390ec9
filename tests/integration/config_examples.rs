//! Every example validates with the loader and against the committed JSON Schema
//! (checked by an independent validator, the `jsonschema` crate), and the committed
//! schema is what `auraform schema` generates.

use std::path::{Path, PathBuf};

use super::config_diagnostics::{render, test_env};

fn examples() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir("examples")
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    assert!(out.len() >= 3, "expected at least three examples: {out:?}");
    out
}

fn committed_schema() -> serde_json::Value {
    let text = std::fs::read_to_string("schema/aura.schema.json").expect("schema/aura.schema.json");
    serde_json::from_str(&text).expect("schema is JSON")
}

/// Fails when `schema/aura.schema.json` is stale. Regenerate with
/// `cargo run -- schema > schema/aura.schema.json`, or run this test with
/// `UPDATE_SCHEMA=1`.
#[test]
fn committed_schema_is_up_to_date() {
    let generated = auraform::config::schema::generate_string();
    let path = Path::new("schema/aura.schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).expect("write schema");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/aura.schema.json is stale: run `cargo run -- schema > schema/aura.schema.json` (or this test with UPDATE_SCHEMA=1)"
    );
}

#[test]
fn schema_is_draft_07_with_enums_and_patterns() {
    let s = committed_schema();
    assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(s["title"], "aura.yaml");
    assert_eq!(s["required"], serde_json::json!(["project", "instances"]));
    assert_eq!(s["definitions"]["TypeName"]["enum"][0], "free-db");
    assert_eq!(
        s["definitions"]["CloudName"]["enum"],
        serde_json::json!(["gcp", "aws", "azure"])
    );
    assert_eq!(
        s["definitions"]["StateName"]["enum"],
        serde_json::json!(["running", "paused"])
    );
    assert_eq!(
        s["definitions"]["CdcName"]["enum"],
        serde_json::json!(["OFF", "DIFF", "FULL"])
    );
    assert_eq!(
        s["definitions"]["RawSettings"]["properties"]["memory"]["pattern"],
        "^[1-9][0-9]*GB$"
    );
    assert_eq!(
        s["definitions"]["RawInstance"]["additionalProperties"],
        false
    );
    assert!(
        s["definitions"]["RawInstance"]["properties"]["memory"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("<n>GB"))
    );
}

#[test]
fn every_example_loads() {
    for path in examples() {
        match auraform::config::load(&path, &test_env) {
            Ok(loaded) => assert_eq!(loaded.desired.project, "demo", "{}", path.display()),
            Err(e) => panic!("{} is invalid:\n{}", path.display(), render(&e)),
        }
    }
}

#[test]
fn every_example_has_the_schema_modeline() {
    for path in examples() {
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schema/aura.schema.json\n"),
            "{} lacks the modeline",
            path.display()
        );
    }
}

fn yaml_to_json(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).expect("example is YAML")
}

#[test]
fn every_example_validates_against_the_json_schema() {
    let validator = jsonschema::validator_for(&committed_schema()).expect("schema compiles");
    for path in examples() {
        let doc = yaml_to_json(&std::fs::read_to_string(&path).expect("read"));
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

#[test]
fn the_json_schema_rejects_what_the_loader_rejects() {
    let validator = jsonschema::validator_for(&committed_schema()).expect("schema compiles");
    for bad in [
        "project: demo\ninstances:\n  a:\n    memroy: 8GB\n",
        "project: demo\ninstances:\n  a:\n    memory: 8 GB\n",
        "project: demo\ninstances:\n  a:\n    type: free\n",
        "project: demo\ninstances:\n  a:\n    cdc_enrichment_mode: off\n",
        "project: demo\ninstances:\n  a:\n    id: 2F49C2B3\n",
        "project: demo\ninstances:\n  a:\n    secondaries_count: 16\n",
        "project: demo\ninstances:\n  a:\n    memory:\n",
        "project: demo\ndefaults:\n  id: 2f49c2b3\ninstances: {}\n",
        "project: demo\ninstances:\n  this-name-is-far-too-long-for-aura: {}\n",
        "instances: {}\n",
    ] {
        assert!(
            !validator.is_valid(&yaml_to_json(bad)),
            "schema accepted:\n{bad}"
        );
    }
}
