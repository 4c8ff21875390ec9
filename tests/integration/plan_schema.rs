//! `schema/plan.schema.json` is generated from the plan types: this fails when the
//! committed file is stale (regenerate with `UPDATE_SCHEMA=1 cargo nextest run
//! plan_schema`), and checks real plans against it.

use std::path::Path;

use auraform::api::wire::{CdcEnrichmentMode, InstanceType};
use auraform::plan::render::json;
use auraform::plan::schema::{plan_schema, plan_schema_json};

use crate::support::plan::{DesiredExt, LiveExt, desired, di, li, live, plan_ok};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/plan.schema.json");

#[test]
fn plan_schema_file_is_fresh() {
    let want = plan_schema_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(Path::new(PATH).parent().unwrap()).unwrap();
        std::fs::write(PATH, &want).unwrap();
    }
    let have = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        have == want,
        "schema/plan.schema.json is stale: run `UPDATE_SCHEMA=1 cargo nextest run plan_schema` and commit it"
    );
}

#[test]
fn produced_plans_validate_against_the_schema() {
    let validator = jsonschema::draft7::new(&plan_schema()).unwrap();
    let mut d = desired(vec![
        di("orders").memory("16GB").paused(),
        di("events")
            .ty(InstanceType::BusinessCritical)
            .cdc(CdcEnrichmentMode::Diff),
        di("legacy").region("us-east1").allow_replace(),
        di("copy").source("events"),
        di("up").ty(InstanceType::BusinessCritical),
        di("busy").memory("4GB"),
        di("billing"),
    ]);
    d.prune = true;
    let l = live(
        vec![
            li("11111111", "orders").status("paused"),
            li("22222222", "legacy"),
            li("33333333", "up"),
            li("44444444", "busy").status("resizing"),
            li("55555555", "billing").status("suspended"),
        ],
        &[("deadbeef", "scratch")],
    );
    let plan = plan_ok(&d, &l);
    let value: serde_json::Value = serde_json::from_str(&json(&plan)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let sealed = auraform::plan::saved::seal(plan, &d, &l);
    let value = serde_json::to_value(&sealed).unwrap();
    assert!(validator.is_valid(&value));

    let mut broken = value.clone();
    broken["changes"][0]["actions"] = serde_json::json!(["explode"]);
    assert!(!validator.is_valid(&broken));
}
