//! One test per rule of docs/plan.md §2–§11 that the scenarios do not pin down on their own:
//! the refusals (errors), identity, and the exact request bodies and expectations.

use auraform::api::wire::{CdcEnrichmentMode, CloudProvider, InstanceType};
use auraform::plan::{
    Action, Expectation, ExpectedStatus, PlanError, PlanOptions, StepAction, StepRequest,
};

use crate::support::plan::{DesiredExt, LiveExt, desired, di, li, live, plan_of, plan_ok};

fn err_codes(e: &PlanError) -> Vec<String> {
    use miette::Diagnostic;
    e.problems()
        .iter()
        .map(|p| p.code().map(|c| c.to_string()).unwrap_or_default())
        .collect()
}

#[test]
fn two_live_instances_with_one_name_ask_for_a_pin() {
    let d = desired(vec![di("orders")]);
    let l = live(
        vec![li("11111111", "orders"), li("22222222", "orders")],
        &[],
    );
    let e = plan_of(&d, &l).unwrap_err();
    assert_eq!(err_codes(&e), ["auraform::plan::ambiguous_name"]);
    let help = miette::Diagnostic::help(&e).unwrap().to_string();
    assert!(help.contains("id:") && help.contains("11111111") && help.contains("22222222"));
}

#[test]
fn a_pin_resolves_the_ambiguity_and_the_other_copy_is_unmanaged() {
    let d = desired(vec![di("orders").pin("22222222")]);
    let l = live(
        vec![li("11111111", "orders"), li("22222222", "orders")],
        &[],
    );
    let plan = plan_ok(&d, &l);
    assert!(!plan.has_changes());
    assert_eq!(plan.unmanaged.len(), 1);
    assert_eq!(plan.unmanaged[0].id, "11111111");
}

#[test]
fn a_pin_to_a_missing_id_is_an_error_not_a_create() {
    let d = desired(vec![di("orders").pin("0badf00d")]);
    let e = plan_of(&d, &live(vec![], &[])).unwrap_err();
    assert_eq!(err_codes(&e), ["auraform::plan::pinned_id_not_found"]);
}

#[test]
fn duplicate_pins_are_an_error() {
    let d = desired(vec![di("a").pin("11111111"), di("b").pin("11111111")]);
    let e = plan_of(&d, &live(vec![li("11111111", "a")], &[])).unwrap_err();
    assert_eq!(err_codes(&e), ["auraform::plan::duplicate_pin"]);
}

#[test]
fn immutable_changes_without_allow_replace_name_every_field() {
    let d = desired(vec![
        di("orders")
            .region("us-east1")
            .with(|d| d.cloud_provider = CloudProvider::Aws)
            .with(|d| d.version = "4".into()),
    ]);
    let l = live(
        vec![li("11111111", "orders").with(|i| i.version = Some("5".into()))],
        &[],
    );
    let e = plan_of(&d, &l).unwrap_err();
    assert_eq!(err_codes(&e), ["auraform::plan::immutable_change"]);
    let msg = e.to_string();
    for f in ["region", "cloud_provider", "version"] {
        assert!(msg.contains(f), "{msg}");
    }
}

#[test]
fn other_type_changes_are_immutable() {
    let d = desired(vec![di("orders").ty(InstanceType::EnterpriseDb)]);
    let e = plan_of(&d, &live(vec![li("11111111", "orders")], &[])).unwrap_err();
    assert!(e.to_string().contains("type"));
    // …and business-critical → professional-db is not an upgrade either.
    let d = desired(vec![di("orders")]);
    let l = live(
        vec![li("11111111", "orders").ty(InstanceType::BusinessCritical)],
        &[],
    );
    assert!(plan_of(&d, &l).is_err());
}

#[test]
fn customer_managed_key_change_is_immutable_but_absence_is_unknown() {
    let d = desired(vec![
        di("vdc").with(|d| d.customer_managed_key_id = Some("k2".into())),
    ]);
    let changed = live(
        vec![li("11111111", "vdc").with(|i| i.customer_managed_key_id = Some("k1".into()))],
        &[],
    );
    assert!(plan_of(&d, &changed).is_err());
    let omitted = live(vec![li("11111111", "vdc")], &[]);
    assert!(!plan_ok(&d, &omitted).has_changes());
}

#[test]
fn prevent_destroy_forbids_replacement_even_with_allow_replace() {
    let d = desired(vec![
        di("orders")
            .region("us-east1")
            .allow_replace()
            .prevent_destroy(),
    ]);
    let e = plan_of(&d, &live(vec![li("11111111", "orders")], &[])).unwrap_err();
    assert_eq!(err_codes(&e), ["auraform::plan::prevent_destroy"]);
}

#[test]
fn every_error_is_reported_at_once() {
    let d = desired(vec![
        di("a").region("us-east1"),
        di("b").pin("0badf00d"),
        di("c").region("us-east1").allow_replace().prevent_destroy(),
    ]);
    let l = live(vec![li("11111111", "a"), li("33333333", "c")], &[]);
    let opts = PlanOptions::new(
        vec!["a".into(), "b".into(), "c".into(), "nope".into()],
        false,
    );
    let e = auraform::plan::plan(&d, &l, &opts).unwrap_err();
    let mut codes = err_codes(&e);
    codes.sort();
    assert_eq!(
        codes,
        [
            "auraform::plan::immutable_change",
            "auraform::plan::pinned_id_not_found",
            "auraform::plan::prevent_destroy",
            "auraform::plan::unknown_target",
        ]
    );
}

#[test]
fn a_target_may_name_a_live_unmanaged_instance_for_pruning() {
    let d = desired(vec![di("orders").memory("16GB")]);
    let l = live(
        vec![li("11111111", "orders")],
        &[("deadbeef", "scratch"), ("cafef00d", "keep")],
    );
    let plan =
        auraform::plan::plan(&d, &l, &PlanOptions::new(vec!["scratch".into()], true)).unwrap();
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].name, "scratch");
    assert_eq!(plan.changes[0].steps[0].action, StepAction::Delete);
    assert_eq!(plan.changes[0].steps[0].expect, Expectation::Gone);
}

#[test]
fn a_targeted_clone_of_an_untargeted_new_source_is_an_error() {
    let d = desired(vec![di("orders"), di("copy").source("orders")]);
    let opts = PlanOptions::new(vec!["copy".into()], false);
    let e = auraform::plan::plan(&d, &live(vec![], &[]), &opts).unwrap_err();
    assert_eq!(err_codes(&e), ["auraform::plan::source_unavailable"]);
}

#[test]
fn a_clone_of_a_live_declared_instance_uses_its_id() {
    let d = desired(vec![di("orders"), di("copy").source("orders")]);
    let plan = plan_ok(&d, &live(vec![li("11111111", "orders")], &[]));
    let c = plan.change("copy").unwrap();
    assert!(c.depends_on.is_empty());
    let Some(StepRequest::Create(body)) = &c.steps[0].request else {
        panic!()
    };
    assert_eq!(body.source_instance_id.as_deref(), Some("11111111"));
}

#[test]
fn a_clone_smaller_than_its_source_is_refused_at_plan_time() {
    // Source created by the same plan: its declared size.
    let d = desired(vec![
        di("orders").memory("8GB"),
        di("copy").memory("4GB").source("orders"),
    ]);
    let e = plan_of(&d, &live(vec![], &[])).unwrap_err();
    assert_eq!(err_codes(&e), ["auraform::plan::clone_too_small"]);
    assert_eq!(
        e.to_string(),
        "instance `copy` (4GB) clones `orders` (8GB): Aura cannot clone into a smaller instance"
    );
    // Source live and not declared (by name, or by id): its live size.
    let live_prod = || live(vec![li("11111111", "prod").memory("16GB")], &[]);
    for src in ["prod", "11111111"] {
        let d = desired(vec![di("copy").memory("8GB").source(src)]);
        let e = plan_of(&d, &live_prod()).unwrap_err();
        assert_eq!(err_codes(&e), ["auraform::plan::clone_too_small"], "{src}");
        assert!(e.to_string().contains("(16GB)"), "{e}");
    }
    // Source live and being shrunk in the same plan: it may still be the larger size
    // when the clone starts, so that one counts.
    let d = desired(vec![
        di("prod").memory("8GB"),
        di("copy").memory("8GB").source("prod"),
    ]);
    let e = plan_of(&d, &live_prod()).unwrap_err();
    assert_eq!(err_codes(&e), ["auraform::plan::clone_too_small"]);
    // Equal or larger is fine.
    let d = desired(vec![di("copy").memory("16GB").source("prod")]);
    assert_eq!(
        plan_ok(&d, &live_prod()).change("copy").unwrap().actions,
        [Action::Create]
    );
    let d = desired(vec![
        di("orders").memory("8GB"),
        di("copy").memory("16GB").source("orders"),
    ]);
    assert_eq!(
        plan_ok(&d, &live(vec![], &[]))
            .change("copy")
            .unwrap()
            .actions,
        [Action::Create]
    );
}

#[test]
fn create_body_and_patch_only_fields_and_expectations() {
    let d = desired(vec![
        di("events")
            .ty(InstanceType::BusinessCritical)
            .memory("32GB")
            .storage("64GB")
            .cdc(CdcEnrichmentMode::Diff)
            .paused(),
    ]);
    let plan = plan_ok(&d, &live(vec![], &[]));
    let c = plan.change("events").unwrap();
    let [create, patch, pause] = c.steps.as_slice() else {
        panic!("{:?}", c.steps)
    };
    let Some(StepRequest::Create(body)) = &create.request else {
        panic!()
    };
    let body = serde_json::to_value(body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "name": "events", "version": "5", "region": "europe-west1", "memory": "32GB",
            "type": "business-critical", "tenant_id": crate::support::plan::PROJECT_ID,
            "cloud_provider": "gcp", "storage": "64GB"
        })
    );
    assert!(create.instance_id.is_none());
    let Some(StepRequest::Patch(p)) = &patch.request else {
        panic!()
    };
    assert_eq!(p.cdc_enrichment_mode, Some(CdcEnrichmentMode::Diff));
    assert!(p.memory.is_none() && p.secondaries_count.is_none());
    assert!(matches!(
        &pause.expect,
        Expectation::Status {
            status: ExpectedStatus::Paused,
            ..
        }
    ));
}

#[test]
fn update_expectation_names_the_values_to_poll_for() {
    let d = desired(vec![di("orders").memory("16GB")]);
    let plan = plan_ok(&d, &live(vec![li("11111111", "orders")], &[]));
    let step = &plan.change("orders").unwrap().steps[0];
    assert_eq!(step.instance_id.as_deref(), Some("11111111"));
    let Expectation::Status { status, values } = &step.expect else {
        panic!()
    };
    assert_eq!(*status, ExpectedStatus::Running);
    assert_eq!(values.memory.as_deref(), Some("16GB"));
}

#[test]
fn live_memory_spelled_differently_is_not_a_diff() {
    let d = desired(vec![di("orders")]);
    let plan = plan_ok(
        &d,
        &live(vec![li("11111111", "orders").memory("8 GB")], &[]),
    );
    assert!(!plan.has_changes());
}

#[test]
fn errors_render_as_diagnostics_with_codes_and_help() {
    let d = desired(vec![di("orders").region("us-east1")]);
    let e = plan_of(&d, &live(vec![li("11111111", "orders")], &[])).unwrap_err();
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut out, &e)
        .unwrap();
    insta::assert_snapshot!("immutable_change_diagnostic", out);
}

#[test]
fn a_pinned_instance_is_never_replaced_because_the_pin_would_break() {
    let d = desired(vec![
        di("legacy")
            .pin("2f49c2b3")
            .region("us-east1")
            .allow_replace(),
    ]);
    let e = plan_of(&d, &live(vec![li("2f49c2b3", "legacy")], &[])).unwrap_err();
    assert_eq!(err_codes(&e), ["auraform::plan::pinned_replace"]);
}

#[test]
fn the_live_project_must_be_the_declared_one() {
    let mut d = desired(vec![di("orders")]);
    d.project = "staging".into();
    let e = plan_of(&d, &live(vec![], &[])).unwrap_err();
    assert_eq!(err_codes(&e), ["auraform::plan::project_mismatch"]);
    d.project = crate::support::plan::PROJECT_ID.into();
    assert!(plan_of(&d, &live(vec![], &[])).is_ok());
}

#[test]
fn clones_in_a_circle_are_an_error() {
    let d = desired(vec![di("a").source("b"), di("b").source("a")]);
    let e = plan_of(&d, &live(vec![], &[])).unwrap_err();
    assert_eq!(err_codes(&e), ["auraform::plan::clone_cycle"]);
}

/// Response bodies as the real API sends them (the fixtures in tests/fixtures/aura-api/, docs/aura-api.md §0): a GET without the
/// toggles, CDC, secondaries or version must plan no changes for a matching file.
#[test]
fn real_api_bodies_plan_no_phantom_changes() {
    use auraform::api::LiveProject;
    use auraform::api::wire::{Envelope, Instance, InstanceSummary, Tenant};
    let tenant: Envelope<Tenant> = serde_json::from_str(
        r#"{"data":{"id":"6981ace7-efe8-4f5c-b7c5-267b5162ce91","name":"Production","instance_configurations":[]}}"#,
    )
    .unwrap();
    let list: Envelope<Vec<InstanceSummary>> = serde_json::from_str(
        r#"{"data":[
            {"id":"2f49c2b3","name":"Production","tenant_id":"YOUR_TENANT_ID","cloud_provider":"gcp"},
            {"id":"b51dc964","name":"Instance01","tenant_id":"YOUR_TENANT_ID","cloud_provider":"aws"}]}"#,
    )
    .unwrap();
    let get: Envelope<Instance> = serde_json::from_str(
        r#"{"data":{"id":"2f49c2b3","name":"Production","status":"running","tenant_id":"YOUR_TENANT_ID",
            "cloud_provider":"gcp","connection_url":"YOUR_CONNECTION_URL","region":"europe-west1",
            "type":"professional-db","memory":"8GB","storage":"16GB"}}"#,
    )
    .unwrap();
    let live = auraform::plan::Live::from_project(&LiveProject {
        tenant: tenant.data,
        summaries: list.data,
        instances: vec![get.data],
    });
    let mut d = desired(vec![
        di("Production").storage("16GB").cdc(CdcEnrichmentMode::Off),
    ]);
    d.project = "Production".into();
    let plan = plan_ok(&d, &live);
    assert!(!plan.has_changes(), "{:#?}", plan.changes);
    assert_eq!(plan.unmanaged.len(), 1);
    assert_eq!(plan.unmanaged[0].name, "Instance01");
}

#[test]
fn offline_diff_plans_the_new_file_against_the_old_one() {
    use auraform::plan::Live;
    let old = desired(vec![di("orders"), di("legacy"), di("gone")]);
    let new = desired(vec![
        di("orders").memory("16GB").paused(),
        di("legacy").region("us-east1"),
        di("new"),
    ]);
    let plan =
        auraform::plan::plan(&new, &Live::from_desired(&old), &PlanOptions::report_only()).unwrap();
    assert_eq!(plan.change("orders").unwrap().actions.len(), 2);
    assert!(plan.change("legacy").unwrap().blocked.is_some());
    assert!(plan.change("new").is_some());
    assert_eq!(plan.unmanaged.len(), 1);
    // The same file against itself: nothing.
    let same =
        auraform::plan::plan(&old, &Live::from_desired(&old), &PlanOptions::report_only()).unwrap();
    assert!(!same.has_drift());
}

#[test]
fn prune_never_deletes_the_source_of_a_clone() {
    let mut d = desired(vec![di("copy").source("prod")]);
    d.prune = true;
    let plan = plan_ok(
        &d,
        &live(vec![], &[("abcdef12", "prod"), ("deadbeef", "scratch")]),
    );
    assert_eq!(plan.unmanaged.len(), 1);
    assert_eq!(plan.unmanaged[0].name, "prod");
    assert!(plan.change("scratch").is_some());
}

#[test]
fn problems_outside_the_targets_do_not_block_a_targeted_plan() {
    let d = desired(vec![
        di("orders").memory("16GB"),
        di("dup"),
        di("lost").pin("0badf00d"),
    ]);
    let l = live(
        vec![
            li("11111111", "orders"),
            li("22222222", "dup"),
            li("33333333", "dup"),
        ],
        &[],
    );
    assert!(plan_of(&d, &l).is_err());
    let opts = PlanOptions::new(vec!["orders".into()], false);
    let plan = auraform::plan::plan(&d, &l, &opts).unwrap();
    assert_eq!(plan.changes.len(), 1);
    assert!(plan.unmanaged.is_empty());
}

#[test]
fn a_copy_being_destroyed_does_not_make_a_name_ambiguous() {
    let d = desired(vec![di("orders").memory("16GB")]);
    let l = live(
        vec![
            li("11111111", "orders").status("destroying"),
            li("22222222", "orders"),
        ],
        &[],
    );
    let plan = plan_ok(&d, &l);
    assert_eq!(
        plan.change("orders").unwrap().id.as_deref(),
        Some("22222222")
    );
    assert_eq!(plan.unmanaged.len(), 1);
    assert_eq!(plan.unmanaged[0].id, "11111111");
}
