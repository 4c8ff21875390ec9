//! Plan scenarios rendered by all three renderers (insta snapshots), planned in-process
//! by the pure differ. Most scenarios are defined once in `scenarios` (aura.yaml, live
//! world, expected change set), which `plan_emulator` runs through the real binary too;
//! here each is loaded, its world built as the wire instances the API would return, and
//! planned. The ones whose desired state aura.yaml refuses are built in Rust below: the
//! differ must plan them all the same. Each test also asserts the plan's shape, so a
//! snapshot update cannot silently accept a wrong plan.

use std::path::Path;

use auraform::api::wire::{CdcEnrichmentMode, Instance, InstanceType};
use auraform::plan::render::{human, json, markdown};
use auraform::plan::{ChangeKind, Live, Plan, PlanOptions, StepAction};

use crate::scenarios::{self, Scenario, Seed};
use crate::support::plan::{DesiredExt, LiveExt, desired, di, fetched, li, live, plan_ok};

/// Snapshots the plan in all three formats (human without colour).
fn snap_all(name: &str, plan: &Plan) {
    insta::assert_snapshot!(format!("{name}__human"), human(plan, false));
    insta::assert_snapshot!(format!("{name}__markdown"), markdown(plan));
    insta::assert_snapshot!(format!("{name}__json"), json(plan));
}

/// Plans `sc` in-process, checks its expected change set, snapshots it as `name`.
fn in_process(sc: &Scenario, name: &str) -> Plan {
    let id_of = |label: &str| {
        let seed = sc.world.iter().find(|s| s.label == label).unwrap();
        seed.id.expect("in-process seeds have ids").to_owned()
    };
    let yaml = sc.yaml(id_of);
    let desired = auraform::config::load_str("aura.yaml", yaml, Path::new("."), &|_| None)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
        .desired;
    // As the pipeline fetches: every instance listed, the relevant ones in detail.
    let live = Live::from_project(&fetched(sc.world.iter().map(instance).collect(), |s| {
        auraform::plan::needs_details(&desired, &sc.options(), s)
    }));
    let plan = match auraform::plan::plan(&desired, &live, &sc.options()) {
        Ok(p) => p,
        Err(e) => panic!("{name}: expected a plan, got {e:?}"),
    };
    sc.check(name, &serde_json::from_str(&json(&plan)).unwrap());
    snap_all(name, &plan);
    plan
}

/// The wire instance `GET /instances/{id}` returns for `seed`: [`li`]'s defaults, with
/// what the seed was created, patched and left as, and what the API reports instead.
fn instance(seed: &Seed) -> Instance {
    let id = seed.id.expect("in-process seeds have ids");
    let mut v = serde_json::to_value(li(id, seed.name)).unwrap();
    v["type"] = seed.ty.into();
    v["memory"] = seed.memory.into();
    for fields in [Some(&seed.create), seed.patch.as_ref()]
        .into_iter()
        .flatten()
    {
        for (k, x) in fields.as_object().unwrap() {
            v[k] = x.clone();
        }
    }
    v["status"] = seed.state.status().into();
    for (k, x) in seed.reported.as_object().unwrap() {
        v[k] = x.clone();
    }
    serde_json::from_value(v).unwrap()
}

// ---------------------------------------------------------------------------------------
// The shared scenarios (`scenarios`; e01–e22 are their emulator runs)

#[test]
fn s01_empty_project_creates_everything() {
    in_process(
        &scenarios::empty_project_creates_everything(false),
        "s01_empty_project_creates_everything",
    );
}

#[test]
fn s02_no_changes() {
    let plan = in_process(&scenarios::no_changes(), "s02_no_changes");
    assert!(!plan.has_changes());
    assert!(!plan.has_drift());
}

#[test]
fn s03_resize_running_instance() {
    in_process(
        &scenarios::resize_running_instance(),
        "s03_resize_running_instance",
    );
}

#[test]
fn s04_resize_paused_instance_resumes_then_pauses() {
    in_process(
        &scenarios::resize_paused_instance_resumes_then_pauses(),
        "s04_resize_paused_instance_resumes_then_pauses",
    );
}

#[test]
fn s05_toggles_secondaries_and_cdc() {
    in_process(
        &scenarios::toggles_secondaries_and_cdc_on_two(),
        "s05_toggles_secondaries_and_cdc",
    );
}

#[test]
fn s06_upgrade_professional_to_business_critical() {
    let plan = in_process(
        &scenarios::upgrade_professional_to_business_critical(false),
        "s06_upgrade_professional_to_business_critical",
    );
    let c = plan.change("orders").unwrap();
    assert_eq!(c.kind, ChangeKind::Update);
    assert!(c.fields.iter().all(|f| !f.forces_replacement));
}

#[test]
fn s07_region_change_with_allow_replace() {
    let plan = in_process(
        &scenarios::region_change_with_allow_replace("8GB"),
        "s07_region_change_with_allow_replace",
    );
    assert_eq!(plan.kind_counts().replace, 1);
}

#[test]
fn s08_pause_and_resume() {
    in_process(&scenarios::pause_and_resume(), "s08_pause_and_resume");
}

#[test]
fn s09_pinned_id_is_renamed() {
    in_process(
        &scenarios::pinned_id_is_renamed(),
        "s09_pinned_id_is_renamed",
    );
}

#[test]
fn s10_busy_instances_are_waited_for() {
    in_process(
        &scenarios::busy_instances_are_waited_for_none_creating(),
        "s10_busy_instances_are_waited_for",
    );
}

#[test]
fn s11_instance_being_destroyed_is_recreated_after_it_is_gone() {
    in_process(
        &scenarios::instance_being_destroyed_is_recreated_after_it_is_gone(),
        "s11_instance_being_destroyed_is_recreated_after_it_is_gone",
    );
}

#[test]
fn s12_suspended_and_failed_instances_need_a_person() {
    let plan = in_process(
        &scenarios::suspended_and_failed_instances_need_a_person(),
        "s12_suspended_and_failed_instances_need_a_person",
    );
    assert!(!plan.has_changes());
    assert!(plan.has_drift());
}

#[test]
fn s13_unmanaged_instances_are_listed_without_prune() {
    let plan = in_process(
        &scenarios::unmanaged_instances_are_listed_without_prune(),
        "s13_unmanaged_instances_are_listed_without_prune",
    );
    assert!(!plan.has_changes());
    assert!(plan.has_drift());
}

#[test]
fn s14_prune_deletes_unmanaged_but_never_protected_names() {
    let plan = in_process(
        &scenarios::prune_in_the_file_deletes_unmanaged_but_never_protected_names(),
        "s14_prune_deletes_unmanaged_but_never_protected_names",
    );
    // The second live "orders" shares the protected name: kept.
    assert_eq!(plan.unmanaged.len(), 1);
    assert_eq!(plan.unmanaged[0].id, "22222222");
    assert!(plan.unmanaged[0].kept_because.is_some());
}

#[test]
fn s16_ignore_changes_is_never_reverted() {
    in_process(
        &scenarios::ignore_changes_is_never_reverted(),
        "s16_ignore_changes_is_never_reverted",
    );
}

#[test]
fn s18_target_limits_the_plan() {
    in_process(
        &scenarios::target_limits_the_plan(),
        "s18_target_limits_the_plan",
    );
}

#[test]
fn s19_mixed_plan() {
    in_process(&scenarios::mixed_plan(), "s19_mixed_plan");
}

#[test]
fn s20_pinned_paused_rename_does_not_resume() {
    in_process(
        &scenarios::pinned_paused_rename_does_not_resume(),
        "s20_pinned_paused_rename_does_not_resume",
    );
}

#[test]
fn s22_long_values_are_diffed_on_two_lines() {
    let plan = in_process(
        &scenarios::long_values_are_diffed_on_two_lines(),
        "s22_long_values_are_diffed_on_two_lines",
    );
    let coloured = human(&plan, true);
    assert!(coloured.contains("\x1b[31mf\x1b[0m") && coloured.contains("\x1b[32me\x1b[0m"));
}

// ---------------------------------------------------------------------------------------
// Desired states aura.yaml refuses, built in Rust: storage on free-db (s15), CDC on
// professional-db (s17), `prevent_destroy` beside `allow_replace` (s21)

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
    crate::support::plan::plan_of(d, l).is_err()
}

// ---------------------------------------------------------------------------------------
// The renderers' contracts

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
    assert_eq!(v["project"]["id"], crate::support::plan::PROJECT_ID);
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
        crate::support::plan::PROJECT_ID
    )));
    let warn = md.find("[!CAUTION]").unwrap();
    let table = md.find("| create |").unwrap();
    assert!(warn < table);
    assert!(md.contains("<details>"));
}
