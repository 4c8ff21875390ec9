//! Saved plans: round trip, refusal of what is not a saved plan, and staleness that
//! says what moved. (Writing the file atomically is `fsutil`'s, tested there.)

use std::path::Path;

use auraform::plan::provenance::{DeltaKind, StaleReason};
use auraform::plan::saved::{check_fresh, from_json, to_json};
use auraform::plan::{PlanError, PlanOptions};

use crate::support::plan::{DesiredExt, LiveExt, desired, di, li, live, plan_ok};

#[test]
fn save_then_load_round_trips_and_is_fresh() {
    let d = desired(vec![di("orders").memory("16GB"), di("new")]);
    let l = live(vec![li("11111111", "orders")], &[("deadbeef", "scratch")]);
    let plan = plan_ok(&d, &l);
    let bytes = to_json(&plan, &d, &l);
    let loaded = from_json(Path::new("plan.json"), &bytes).unwrap();
    assert_eq!(loaded.changes, plan.changes);
    assert!(loaded.made_from.is_some());
    assert_eq!(check_fresh(&loaded, &d, &l), Ok(()));
}

#[test]
fn a_config_change_makes_it_stale() {
    let d = desired(vec![di("orders").memory("16GB")]);
    let l = live(vec![li("11111111", "orders")], &[]);
    let sealed = auraform::plan::saved::seal(plan_ok(&d, &l), &d, &l);
    let d2 = desired(vec![di("orders").memory("32GB")]);
    assert_eq!(
        check_fresh(&sealed, &d2, &l),
        Err(StaleReason::ConfigChanged {
            made_from: None,
            now: None
        })
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
    let d = desired(vec![di("orders")]);
    let l = live(vec![], &[]);
    let plan = plan_ok(&d, &l);
    let path = Path::new("p.json");
    let load = |bytes: &[u8]| from_json(path, bytes);
    assert!(matches!(
        load(auraform::plan::render::json(&plan).as_bytes()),
        Err(PlanError::SavedInvalid { .. })
    ));
    assert!(matches!(
        load(br#"{"format_version": "9"}"#),
        Err(PlanError::SavedVersion { .. })
    ));
    assert!(matches!(
        load(b"not json"),
        Err(PlanError::SavedInvalid { .. })
    ));
}

#[test]
fn saved_plans_hold_no_secrets() {
    // Request bodies are the only API payloads in a plan; none has a password field.
    let d = desired(vec![di("orders"), di("copy").source("orders")]);
    let l = live(vec![], &[]);
    let text = String::from_utf8(to_json(&plan_ok(&d, &l), &d, &l))
        .unwrap()
        .to_lowercase();
    assert!(!text.contains("password") && !text.contains("secret"));
}
