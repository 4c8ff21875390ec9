//! Saved plans: round trip, atomic write, and staleness that says what moved.

use auraform::plan::saved::{DeltaKind, StaleReason, check_fresh, load, save};
use auraform::plan::{PlanError, PlanOptions};

use super::plan_support::{DesiredExt, LiveExt, desired, di, li, live, plan_ok};

#[test]
fn save_then_load_round_trips_and_is_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let d = desired(vec![di("orders").memory("16GB"), di("new")]);
    let l = live(vec![li("11111111", "orders")], &[("deadbeef", "scratch")]);
    let plan = plan_ok(&d, &l);
    save(&path, &plan, &d, &l).unwrap();
    let loaded = load(&path).unwrap();
    assert_eq!(loaded.changes, plan.changes);
    assert!(loaded.made_from.is_some());
    assert_eq!(check_fresh(&loaded, &d, &l), Ok(()));
    // Only the plan file in the directory: the temporary file was renamed over it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_config_change_makes_it_stale() {
    let d = desired(vec![di("orders").memory("16GB")]);
    let l = live(vec![li("11111111", "orders")], &[]);
    let sealed = auraform::plan::saved::seal(plan_ok(&d, &l), &d, &l);
    let d2 = desired(vec![di("orders").memory("32GB")]);
    assert_eq!(
        check_fresh(&sealed, &d2, &l),
        Err(StaleReason::ConfigChanged)
    );
}

#[test]
fn a_live_change_makes_it_stale_and_names_the_instance() {
    let d = desired(vec![di("orders").memory("16GB")]);
    let l = live(vec![li("11111111", "orders")], &[("deadbeef", "scratch")]);
    let sealed = auraform::plan::saved::seal(plan_ok(&d, &l), &d, &l);

    let resized = live(
        vec![li("11111111", "orders").memory("4GB")],
        &[("deadbeef", "scratch")],
    );
    let Err(StaleReason::LiveChanged(deltas)) = check_fresh(&sealed, &d, &resized) else {
        panic!()
    };
    assert_eq!(deltas.len(), 1);
    assert_eq!(deltas[0].name, "orders");
    assert_eq!(deltas[0].kind, DeltaKind::Changed);

    let more = live(
        vec![li("11111111", "orders")],
        &[("deadbeef", "scratch"), ("cafef00d", "intruder")],
    );
    let err = check_fresh(&sealed, &d, &more).unwrap_err();
    assert!(
        err.to_string().contains("`intruder` (cafef00d) appeared"),
        "{err}"
    );

    let fewer = live(vec![li("11111111", "orders")], &[]);
    let Err(StaleReason::LiveChanged(deltas)) = check_fresh(&sealed, &d, &fewer) else {
        panic!()
    };
    assert_eq!(deltas[0].kind, DeltaKind::Vanished);
}

#[test]
fn targeted_plans_ignore_changes_outside_their_scope() {
    let d = desired(vec![di("orders").memory("16GB"), di("search")]);
    let l = live(
        vec![li("11111111", "orders"), li("22222222", "search")],
        &[],
    );
    let opts = PlanOptions::new(vec!["orders".into()], false);
    let plan = auraform::plan::plan(&d, &l, &opts).unwrap();
    let sealed = auraform::plan::saved::seal(plan, &d, &l);
    let other = live(
        vec![
            li("11111111", "orders"),
            li("22222222", "search").status("paused"),
        ],
        &[],
    );
    assert_eq!(check_fresh(&sealed, &d, &other), Ok(()));
}

#[test]
fn loading_rejects_json_plans_without_provenance_and_other_versions() {
    let dir = tempfile::tempdir().unwrap();
    let d = desired(vec![di("orders")]);
    let l = live(vec![], &[]);
    let plan = plan_ok(&d, &l);
    let path = dir.path().join("p.json");
    std::fs::write(&path, auraform::plan::render::json(&plan)).unwrap();
    assert!(matches!(load(&path), Err(PlanError::SavedInvalid { .. })));
    std::fs::write(&path, r#"{"format_version": "9"}"#).unwrap();
    assert!(matches!(load(&path), Err(PlanError::SavedVersion { .. })));
    std::fs::write(&path, "not json").unwrap();
    assert!(matches!(load(&path), Err(PlanError::SavedInvalid { .. })));
    assert!(matches!(
        load(&dir.path().join("missing.json")),
        Err(PlanError::SavedRead { .. })
    ));
}

#[test]
fn saved_plans_hold_no_secrets() {
    // Request bodies are the only API payloads in a plan; none has a password field.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let d = desired(vec![di("orders"), di("copy").source("orders")]);
    let l = live(vec![], &[]);
    save(&path, &plan_ok(&d, &l), &d, &l).unwrap();
    let text = std::fs::read_to_string(&path).unwrap().to_lowercase();
    assert!(!text.contains("password") && !text.contains("secret"));
}
