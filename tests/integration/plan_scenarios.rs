//! Plan scenarios rendered by all three renderers (insta snapshots), covering every
//! row of docs/plan.md §3's table plus mixed plans. Each test also asserts the plan's
//! shape, so a snapshot update cannot silently accept a wrong plan.

use auraform::api::wire::{CdcEnrichmentMode, InstanceType};
use auraform::config::Field;
use auraform::plan::render::{human, json, markdown};
use auraform::plan::{ChangeKind, Plan, PlanOptions, StepAction};

use super::plan_support::{
    DesiredExt, LiveExt, actions, desired, di, li, live, plan_ok, snapshot, steps,
};

/// Snapshots the plan in all three formats (human without colour).
fn snap_all(name: &str, plan: &Plan) {
    insta::assert_snapshot!(format!("{name}__human"), human(plan, false));
    insta::assert_snapshot!(format!("{name}__markdown"), markdown(plan));
    insta::assert_snapshot!(format!("{name}__json"), json(plan));
}

#[test]
fn s01_empty_project_creates_everything() {
    let d = desired(vec![
        di("orders").storage("16GB"),
        di("analytics")
            .ty(InstanceType::ProfessionalDs)
            .memory("16GB")
            .paused(),
        di("sandbox").ty(InstanceType::FreeDb).memory("1GB"),
        di("events")
            .ty(InstanceType::BusinessCritical)
            .memory("32GB")
            .cdc(CdcEnrichmentMode::Diff),
    ]);
    let plan = plan_ok(&d, &live(vec![], &[]));
    assert_eq!(actions(&plan, "orders"), ["create"]);
    assert_eq!(actions(&plan, "analytics"), ["create", "pause"]);
    assert_eq!(steps(&plan, "analytics"), ["create", "pause"]);
    assert_eq!(steps(&plan, "events"), ["create", "update"]);
    assert_eq!(plan.summary.create, 4);
    snap_all("s01_empty_project_creates_everything", &plan);
}

#[test]
fn s02_no_changes() {
    let d = desired(vec![di("orders"), di("archive").paused()]);
    let l = live(
        vec![
            li("2f49c2b3", "orders"),
            li("a1b2c3d4", "archive").status("paused"),
        ],
        &[],
    );
    let plan = plan_ok(&d, &l);
    assert!(!plan.has_changes());
    assert!(!plan.has_drift());
    assert_eq!(plan.summary.unchanged, 2);
    snap_all("s02_no_changes", &plan);
}

#[test]
fn s03_resize_running_instance() {
    let d = desired(vec![di("orders").memory("16GB").storage("32GB")]);
    let l = live(vec![li("2f49c2b3", "orders")], &[]);
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "orders"), ["update"]);
    snap_all("s03_resize_running_instance", &plan);
}

#[test]
fn s04_resize_paused_instance_resumes_then_pauses() {
    let d = desired(vec![di("orders").memory("16GB").paused()]);
    let l = live(vec![li("2f49c2b3", "orders").status("paused")], &[]);
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "orders"), ["resume", "update", "pause"]);
    assert_eq!(plan.summary.update, 1);
    assert_eq!(plan.summary.pause, 1);
    assert_eq!(plan.summary.resume, 1);
    snap_all("s04_resize_paused_instance_resumes_then_pauses", &plan);
}

#[test]
fn s05_toggles_secondaries_and_cdc() {
    let d = desired(vec![
        di("search").with(|d| {
            d.vector_optimized = true;
            d.graph_analytics_plugin = true;
        }),
        di("vdc")
            .ty(InstanceType::EnterpriseDb)
            .secondaries(2)
            .cdc(CdcEnrichmentMode::Full),
    ]);
    let l = live(
        vec![
            li("11111111", "search"),
            li("22222222", "vdc")
                .ty(InstanceType::EnterpriseDb)
                .with(|i| {
                    i.secondaries_count = Some(0);
                    i.cdc_enrichment_mode = Some(CdcEnrichmentMode::Off);
                }),
        ],
        &[],
    );
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "search"), ["update"]);
    assert_eq!(actions(&plan, "vdc"), ["update"]);
    snap_all("s05_toggles_secondaries_and_cdc", &plan);
}

#[test]
fn s06_upgrade_professional_to_business_critical() {
    let d = desired(vec![
        di("orders")
            .ty(InstanceType::BusinessCritical)
            .memory("16GB"),
    ]);
    let l = live(vec![li("2f49c2b3", "orders")], &[]);
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "orders"), ["upgrade", "update"]);
    assert_eq!(steps(&plan, "orders"), ["upgrade", "update"]);
    let c = plan.change("orders").unwrap();
    assert_eq!(c.kind, ChangeKind::Update);
    assert!(c.fields.iter().all(|f| !f.forces_replacement));
    snap_all("s06_upgrade_professional_to_business_critical", &plan);
}

#[test]
fn s07_region_change_with_allow_replace() {
    let d = desired(vec![
        di("legacy").region("europe-west2").allow_replace().paused(),
    ]);
    let l = live(vec![li("2f49c2b3", "legacy")], &[]);
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "legacy"), ["replace", "pause"]);
    assert_eq!(steps(&plan, "legacy"), ["delete", "create", "pause"]);
    assert_eq!(plan.kind_counts().replace, 1);
    snap_all("s07_region_change_with_allow_replace", &plan);
}

#[test]
fn s08_pause_and_resume() {
    let d = desired(vec![di("nightly").paused(), di("daytime")]);
    let l = live(
        vec![
            li("11111111", "nightly"),
            li("22222222", "daytime").status("paused"),
        ],
        &[],
    );
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "nightly"), ["pause"]);
    assert_eq!(actions(&plan, "daytime"), ["resume"]);
    snap_all("s08_pause_and_resume", &plan);
}

#[test]
fn s09_pinned_id_is_renamed() {
    let d = desired(vec![di("legacy").pin("2f49c2b3").memory("4GB")]);
    let l = live(vec![li("2f49c2b3", "old-name").memory("4GB")], &[]);
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "legacy"), ["update"]);
    assert!(plan.unmanaged.is_empty());
    snap_all("s09_pinned_id_is_renamed", &plan);
}

#[test]
fn s10_busy_instances_are_waited_for() {
    let d = desired(vec![di("orders").memory("16GB"), di("search"), di("quiet")]);
    let l = live(
        vec![
            li("11111111", "orders").status("updating"),
            li("22222222", "search").status("pausing"),
            li("33333333", "quiet").status("resizing"),
        ],
        &[],
    );
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "orders"), ["wait", "update"]);
    assert_eq!(actions(&plan, "search"), ["wait", "resume"]);
    // Busy with nothing to do afterwards: not a change.
    assert!(plan.change("quiet").is_none());
    snap_all("s10_busy_instances_are_waited_for", &plan);
}

#[test]
fn s11_instance_being_destroyed_is_recreated_after_it_is_gone() {
    let d = desired(vec![di("orders")]);
    let l = live(
        vec![
            li("11111111", "orders")
                .status("destroying")
                .with(|i| i.memory = None),
        ],
        &[],
    );
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "orders"), ["wait", "create"]);
    assert_eq!(steps(&plan, "orders"), ["wait", "create"]);
    snap_all(
        "s11_instance_being_destroyed_is_recreated_after_it_is_gone",
        &plan,
    );
}

#[test]
fn s12_suspended_and_failed_instances_need_a_person() {
    let d = desired(vec![di("billing").memory("16GB"), di("broken")]);
    let l = live(
        vec![
            li("11111111", "billing").status("suspended"),
            li("22222222", "broken").status("loading failed"),
        ],
        &[],
    );
    let plan = plan_ok(&d, &l);
    assert!(!plan.has_changes());
    assert!(plan.has_drift());
    assert_eq!(plan.attention.len(), 2);
    snap_all("s12_suspended_and_failed_instances_need_a_person", &plan);
}

#[test]
fn s13_unmanaged_instances_are_listed_without_prune() {
    let d = desired(vec![di("orders")]);
    let l = live(
        vec![li("11111111", "orders")],
        &[("deadbeef", "scratch"), ("cafef00d", "old-poc")],
    );
    let plan = plan_ok(&d, &l);
    assert!(!plan.has_changes());
    assert!(plan.has_drift());
    assert_eq!(plan.unmanaged.len(), 2);
    snap_all("s13_unmanaged_instances_are_listed_without_prune", &plan);
}

#[test]
fn s14_prune_deletes_unmanaged_but_never_protected_names() {
    let mut d = desired(vec![di("orders").pin("11111111").prevent_destroy()]);
    d.prune = true;
    let l = Live::from_project(&snapshot(
        vec![
            li("11111111", "orders"),
            li("44444444", "busy-scratch").status("updating"),
        ],
        &[("deadbeef", "scratch"), ("22222222", "orders")],
    ));
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "scratch"), ["delete"]);
    assert_eq!(actions(&plan, "busy-scratch"), ["wait", "delete"]);
    // The second live "orders" shares the protected name: kept.
    assert_eq!(plan.unmanaged.len(), 1);
    assert_eq!(plan.unmanaged[0].id, "22222222");
    assert!(plan.unmanaged[0].kept_because.is_some());
    snap_all(
        "s14_prune_deletes_unmanaged_but_never_protected_names",
        &plan,
    );
}

use auraform::plan::Live;

#[test]
fn s15_fields_the_api_omits_are_never_a_diff() {
    let d = desired(vec![
        di("events")
            .ty(InstanceType::BusinessCritical)
            .cdc(CdcEnrichmentMode::Diff)
            .storage("16GB"),
        di("vdc").ty(InstanceType::EnterpriseDb).secondaries(3),
        di("sandbox")
            .ty(InstanceType::FreeDb)
            .memory("1GB")
            .storage("2GB"),
    ]);
    let l = live(
        vec![
            li("11111111", "events").ty(InstanceType::BusinessCritical),
            li("22222222", "vdc")
                .ty(InstanceType::EnterpriseDb)
                .with(|i| {
                    i.vector_optimized = None;
                    i.graph_analytics_plugin = None;
                }),
            li("33333333", "sandbox")
                .ty(InstanceType::FreeDb)
                .memory("1GB")
                .with(|i| i.storage = None),
        ],
        &[],
    );
    let plan = plan_ok(&d, &l);
    assert!(!plan.has_changes(), "{:#?}", plan.changes);
    snap_all("s15_fields_the_api_omits_are_never_a_diff", &plan);
}

#[test]
fn s16_ignore_changes_is_never_reverted() {
    let d = desired(vec![
        di("search").memory("8GB").ignore(&[Field::Memory]),
        di("flexible")
            .paused()
            .ignore(&[Field::State, Field::Region])
            .memory("16GB"),
    ]);
    let l = live(
        vec![
            li("11111111", "search").memory("32GB"),
            li("22222222", "flexible")
                .status("paused")
                .with(|i| i.region = "us-east1".into()),
        ],
        &[],
    );
    let plan = plan_ok(&d, &l);
    assert!(plan.change("search").is_none());
    // state is ignored, but the resize needs the instance running: it goes back to paused.
    assert_eq!(actions(&plan, "flexible"), ["resume", "update", "pause"]);
    snap_all("s16_ignore_changes_is_never_reverted", &plan);
}

#[test]
fn s17_clone_of_an_instance_created_in_the_same_plan() {
    let d = desired(vec![
        di("orders").cdc(CdcEnrichmentMode::Off).paused(),
        di("orders-copy").source("orders"),
        di("prod-copy").source("prod"),
    ]);
    let l = live(vec![], &[("abcdef12", "prod")]);
    let plan = plan_ok(&d, &l);
    let copy = plan.change("orders-copy").unwrap();
    assert_eq!(copy.depends_on.len(), 1);
    assert_eq!(copy.depends_on[0].instance, "orders");
    // Step 1 of orders (the PATCH of CDC), before its pause.
    assert_eq!(copy.depends_on[0].step, 1);
    assert_eq!(
        copy.steps[0].source_instance_from.as_deref(),
        Some("orders")
    );
    let prod_copy = plan.change("prod-copy").unwrap();
    assert_eq!(prod_copy.steps[0].action, StepAction::Create);
    assert!(json(&plan).contains("\"source_instance_id\": \"abcdef12\""));
    snap_all("s17_clone_of_an_instance_created_in_the_same_plan", &plan);
}

#[test]
fn s18_target_limits_the_plan() {
    let d = desired(vec![
        di("orders").memory("16GB"),
        di("search").memory("16GB"),
        di("new"),
    ]);
    let l = live(
        vec![li("11111111", "orders"), li("22222222", "search")],
        &[("deadbeef", "scratch")],
    );
    let opts = PlanOptions::new(vec!["orders".into(), "new".into()], false);
    let plan = auraform::plan::plan(&d, &l, &opts).unwrap();
    assert_eq!(plan.changes.len(), 2);
    assert!(plan.change("search").is_none());
    assert!(plan.unmanaged.is_empty());
    snap_all("s18_target_limits_the_plan", &plan);
}

#[test]
fn s19_mixed_plan() {
    let mut d = desired(vec![
        di("orders").memory("16GB").prevent_destroy(),
        di("analytics")
            .ty(InstanceType::ProfessionalDs)
            .memory("16GB")
            .paused(),
        di("events")
            .ty(InstanceType::BusinessCritical)
            .memory("32GB")
            .cdc(CdcEnrichmentMode::Diff),
        di("search")
            .with(|d| d.vector_optimized = true)
            .ignore(&[Field::Memory]),
        // A clone at least its source's size: smaller is refused (s20).
        di("orders-copy").memory("16GB").source("orders"),
        di("legacy")
            .memory("4GB")
            .region("europe-west2")
            .allow_replace(),
        di("renamed").pin("66666666"),
        di("billing"),
    ]);
    d.prune = true;
    let l = live(
        vec![
            li("11111111", "orders").status("paused"),
            li("22222222", "analytics")
                .ty(InstanceType::ProfessionalDs)
                .memory("16GB"),
            li("33333333", "events")
                .ty(InstanceType::ProfessionalDb)
                .memory("32GB"),
            li("44444444", "search").memory("4GB"),
            li("2f49c2b3", "legacy").memory("4GB"),
            li("55555555", "billing").status("suspended"),
            li("66666666", "renamed-old"),
        ],
        &[("deadbeef", "scratch")],
    );
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "orders"), ["resume", "update"]);
    assert_eq!(actions(&plan, "analytics"), ["pause"]);
    // The upgrade is followed by the PATCH of CDC, which professional-db did not have.
    assert_eq!(actions(&plan, "events"), ["upgrade", "update"]);
    assert_eq!(actions(&plan, "search"), ["update"]);
    assert_eq!(actions(&plan, "orders-copy"), ["create"]);
    assert_eq!(actions(&plan, "legacy"), ["replace"]);
    assert_eq!(actions(&plan, "renamed"), ["update"]);
    assert_eq!(actions(&plan, "scratch"), ["delete"]);
    assert_eq!(plan.attention.len(), 1);
    snap_all("s19_mixed_plan", &plan);
}

#[test]
fn s20_pinned_paused_rename_does_not_resume() {
    let d = desired(vec![di("archive").pin("2f49c2b3").paused()]);
    let l = live(vec![li("2f49c2b3", "archive-2024").status("paused")], &[]);
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "archive"), ["update"]);
    snap_all("s20_pinned_paused_rename_does_not_resume", &plan);
}

#[test]
fn human_colour_is_opt_in() {
    let d = desired(vec![di("orders")]);
    let plan = plan_ok(&d, &live(vec![], &[]));
    assert!(human(&plan, true).contains("\x1b["));
    assert!(!human(&plan, false).contains('\x1b'));
}

#[test]
fn json_is_one_document_with_the_contract_keys() {
    let d = desired(vec![di("orders").memory("16GB"), di("new")]);
    let plan = plan_ok(
        &d,
        &live(vec![li("11111111", "orders")], &[("deadbeef", "x")]),
    );
    let v: serde_json::Value = serde_json::from_str(&json(&plan)).unwrap();
    assert_eq!(v["format_version"], "1");
    assert_eq!(v["project"]["id"], super::plan_support::PROJECT_ID);
    assert_eq!(v["project"]["name"], "demo");
    let c = &v["changes"][0];
    assert_eq!(c["name"], "orders");
    assert_eq!(c["id"], "11111111");
    assert_eq!(c["actions"], serde_json::json!(["update"]));
    assert_eq!(
        c["fields"][0],
        serde_json::json!({"field": "memory", "before": "8GB", "after": "16GB", "forces_replacement": false})
    );
    assert!(v["changes"][1]["id"].is_null());
    assert_eq!(
        v["unmanaged"],
        serde_json::json!([{"id": "deadbeef", "name": "x"}])
    );
    for k in [
        "create",
        "update",
        "replace",
        "delete",
        "pause",
        "resume",
        "upgrade",
        "unchanged",
    ] {
        assert!(v["summary"][k].is_u64(), "{k}");
    }
}

#[test]
fn markdown_has_marker_warning_first_and_details() {
    let d = desired(vec![di("legacy").region("us-east1").allow_replace()]);
    let plan = plan_ok(&d, &live(vec![li("2f49c2b3", "legacy")], &[]));
    let md = markdown(&plan);
    assert!(md.starts_with(&format!(
        "<!-- auraform:plan project={} -->",
        super::plan_support::PROJECT_ID
    )));
    let warn = md.find("[!CAUTION]").unwrap();
    let table = md.find("| create |").unwrap();
    assert!(warn < table);
    assert!(md.contains("<details>"));
}

#[test]
fn s21_report_only_lists_refused_changes_instead_of_failing() {
    let d = desired(vec![
        di("orders").region("us-east1").memory("16GB"),
        di("vault")
            .region("us-east1")
            .allow_replace()
            .prevent_destroy(),
        di("fine").memory("16GB"),
    ]);
    let l = live(
        vec![
            li("11111111", "orders"),
            li("22222222", "vault"),
            li("33333333", "fine"),
        ],
        &[("deadbeef", "scratch")],
    );
    assert!(plan_of_default_fails(&d, &l));
    let plan = auraform::plan::plan(&d, &l, &PlanOptions::report_only()).unwrap();
    let orders = plan.change("orders").unwrap();
    assert!(orders.blocked.is_some() && orders.steps.is_empty());
    assert!(plan.change("vault").unwrap().blocked.is_some());
    assert_eq!(plan.summary.blocked, 2);
    assert_eq!(plan.summary.replace, 0);
    assert_eq!(plan.kind_counts().update, 1);
    assert!(plan.has_drift());
    snap_all(
        "s21_report_only_lists_refused_changes_instead_of_failing",
        &plan,
    );
}

fn plan_of_default_fails(d: &auraform::config::Desired, l: &Live) -> bool {
    super::plan_support::plan_of(d, l).is_err()
}

#[test]
fn s22_long_values_are_diffed_on_two_lines() {
    let old_key = "arn:aws:kms:us-east-1:123456789:key/11111-a222-1212-x789-1212f1212f";
    let new_key = "arn:aws:kms:us-east-1:123456789:key/11111-a222-1212-x789-1212f1212e";
    let d = desired(vec![
        di("vault")
            .ty(InstanceType::EnterpriseDb)
            .with(|d| d.customer_managed_key_id = Some(new_key.into()))
            .allow_replace(),
    ]);
    let l = live(
        vec![
            li("11111111", "vault")
                .ty(InstanceType::EnterpriseDb)
                .with(|i| i.customer_managed_key_id = Some(old_key.into())),
        ],
        &[],
    );
    let plan = plan_ok(&d, &l);
    assert_eq!(actions(&plan, "vault"), ["replace"]);
    let coloured = human(&plan, true);
    assert!(coloured.contains("\x1b[31mf\x1b[0m") && coloured.contains("\x1b[32me\x1b[0m"));
    snap_all("s22_long_values_are_diffed_on_two_lines", &plan);
}
