//! Drift reports and offline diffs rendered by the plan renderers (insta snapshots):
//! the wording says "drift" / "old -> new", not "will be created", each kind has its
//! marker, and the JSON (with its `kind`) stays valid against `schema/plan.schema.json`.

use auraform::config::Field;
use auraform::plan::render::{human, json, markdown};
use auraform::plan::schema::plan_schema;
use auraform::plan::{DocumentKind, Live, Plan, PlanOptions};

use crate::support::plan::{DesiredExt, LiveExt, desired, di, li, live};

fn snap_all(name: &str, plan: &Plan) {
    insta::assert_snapshot!(format!("{name}__human"), human(plan, false));
    insta::assert_snapshot!(format!("{name}__markdown"), markdown(plan));
    insta::assert_snapshot!(format!("{name}__json"), json(plan));
    let validator = jsonschema::draft7::new(&plan_schema()).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json(plan)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn drift_report() -> Plan {
    let d = desired(vec![
        di("orders"),
        di("reports").memory("4GB"),
        di("legacy").memory("2GB"),
        di("search").ignore(&[Field::Memory]),
        di("billing"),
        di("moved"),
    ]);
    let l = live(
        vec![
            li("11111111", "orders").memory("16GB"),
            li("22222222", "reports").memory("4GB").status("paused"),
            li("44444444", "search").memory("32GB"),
            li("55555555", "billing").status("suspended"),
            li("66666666", "moved").with(|i| i.region = "us-east1".into()),
        ],
        &[("deadbeef", "intruder")],
    );
    let mut plan = auraform::plan::plan(&d, &l, &PlanOptions::report_only()).unwrap();
    plan.kind = DocumentKind::Drift;
    plan
}

#[test]
fn d01_drift_report() {
    let plan = drift_report();
    assert!(plan.has_drift());
    // `search` ignores memory: not drift.
    assert!(plan.change("search").is_none());
    assert!(plan.change("moved").unwrap().blocked.is_some());
    let h = human(&plan, false);
    assert!(h.contains("# legacy is missing: declared in aura.yaml, not live"));
    assert!(
        h.ends_with("Drift detected: 3 changed, 1 missing, 1 unmanaged, 1 needs a person.\n"),
        "{h}"
    );
    assert!(!h.contains("will be created"));
    snap_all("d01_drift_report", &plan);
}

#[test]
fn d02_no_drift() {
    let d = desired(vec![di("orders")]);
    let l = live(vec![li("11111111", "orders")], &[]);
    let mut plan = auraform::plan::plan(&d, &l, &PlanOptions::report_only()).unwrap();
    plan.kind = DocumentKind::Drift;
    assert!(!plan.has_drift());
    snap_all("d02_no_drift", &plan);
}

#[test]
fn d03_offline_diff() {
    let old = desired(vec![
        di("orders"),
        di("gone").memory("2GB"),
        di("pinned").pin("2f49c2b3").memory("4GB"),
    ]);
    let new = desired(vec![
        di("orders").memory("16GB").paused(),
        di("pinned").pin("2f49c2b3").memory("8GB"),
        di("added").memory("4GB"),
    ]);
    let mut plan =
        auraform::plan::plan(&new, &Live::from_desired(&old), &PlanOptions::report_only()).unwrap();
    plan.kind = DocumentKind::Diff;
    let h = human(&plan, false);
    // Stand-in ids of unpinned instances are not shown; pinned ids are.
    assert!(!h.contains("file:"), "{h}");
    assert!(h.contains("\"2f49c2b3\""), "{h}");
    assert!(!markdown(&plan).contains("file:"));
    snap_all("d03_offline_diff", &plan);
}
