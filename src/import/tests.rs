//! The import's own tests: YAML scalars, the project choice, and files that must plan
//! clean for awkward live projects (busy, suspended, shared names, random ones).

use super::yaml::scalar;
use super::*;
use crate::api::LiveProject;
use crate::api::wire::{Instance, Tenant, TenantSummary};
use crate::aura::InstanceType;

fn inst(id: &str, name: &str, status: &str) -> Instance {
    serde_json::from_value(serde_json::json!({
        "id": id, "name": name, "status": status, "tenant_id": "t",
        "cloud_provider": "gcp", "region": "europe-west1", "type": "professional-db",
        "memory": "8GB", "storage": "16GB", "connection_url": null,
        "vector_optimized": false, "graph_analytics_plugin": false
    }))
    .unwrap()
}

fn live_project(instances: Vec<Instance>) -> LiveProject {
    LiveProject {
        tenant: Tenant {
            id: "6981ace7-efe8-4f5c-b7c5-267b5162ce91".into(),
            name: "demo".into(),
            instance_configurations: vec![],
        },
        summaries: instances
            .iter()
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "id": i.id, "name": i.name, "tenant_id": "t", "cloud_provider": "gcp"
                }))
                .unwrap()
            })
            .collect(),
        instances,
    }
}

#[test]
fn scalars_are_plain_only_when_safe() {
    assert_eq!(scalar("orders"), "orders");
    assert_eq!(scalar("8GB"), "8GB");
    assert_eq!(scalar("2f49c2b3"), "2f49c2b3");
    assert_eq!(scalar("12345678"), "\"12345678\"");
    assert_eq!(scalar("1e345678"), "\"1e345678\"");
    assert_eq!(scalar("off"), "\"off\"");
    assert_eq!(scalar("my app"), "\"my app\"");
    assert_eq!(scalar("a: b"), "\"a: b\"");
    assert_eq!(scalar("x${HOME}"), "\"x$${HOME}\"");
}

#[test]
fn busy_suspended_destroying_and_odd_names_still_plan_clean() {
    let mut odd = inst("33333333", "my app: ${HOME} #1", "running");
    odd.region = "us-east1".into();
    let live = live_project(vec![
        inst("11111111", "creating-one", "creating"),
        inst("22222222", "resizing-one", "resizing"),
        inst("44444444", "pausing-one", "pausing"),
        inst("55555555", "billing", "suspended"),
        inst("66666666", "failed", "loading failed"),
        inst("77777777", "leaving", "destroying"),
        odd,
    ]);
    let text = write_yaml(&live, "demo", "test");
    assert!(
        text.contains("# \"leaving\" (77777777) is not declared: it was being destroyed"),
        "{text}"
    );
    assert!(
        text.contains("status \"suspended\" when imported: this needs a person"),
        "{text}"
    );
    assert!(
        text.contains("status \"creating\" when imported: values may still change"),
        "{text}"
    );
    assert!(
        text.contains("  pausing-one:\n    memory: 8GB\n    storage: 16GB\n    state: paused\n"),
        "{text}"
    );
    // Keys are interpolated like values: a live name's `${` is written `$${`.
    assert!(text.contains("\"my app: $${HOME} #1\":"), "{text}");
    check_clean(&text, &live, std::path::Path::new(".")).unwrap();
}

#[test]
fn a_free_instance_aura_paused_is_left_paused() {
    let mut free = inst("11111111", "play", "paused");
    free.instance_type = InstanceType::FreeDb;
    free.memory = Some("1GB".into());
    free.storage = None;
    let live = live_project(vec![free, inst("22222222", "app", "running")]);
    let text = write_yaml(&live, "demo", "test");
    assert!(text.contains("    ignore_changes: [state]\n"), "{text}");
    assert!(!text.contains("state: paused"), "{text}");
    check_clean(&text, &live, std::path::Path::new(".")).unwrap();
}

#[test]
fn three_instances_sharing_a_name_are_all_pinned() {
    let live = live_project(vec![
        inst("11111111", "app", "running"),
        inst("22222222", "app", "running"),
        inst("33333333", "app", "paused"),
    ]);
    let text = write_yaml(&live, "demo", "test");
    assert!(text.contains("  app:\n    id: \"11111111\"\n"), "{text}");
    assert!(
        text.contains("  app-22222222:\n    id: \"22222222\"\n"),
        "{text}"
    );
    assert!(
        text.contains("  app-33333333:\n    id: \"33333333\"\n"),
        "{text}"
    );
    check_clean(&text, &live, std::path::Path::new(".")).unwrap();
}

#[test]
fn the_only_project_or_a_list() {
    let t = |id: &str, name: &str| TenantSummary {
        id: id.into(),
        name: name.into(),
    };
    assert!(matches!(only_project(&[]), Err(ImportError::NoProjects)));
    assert_eq!(only_project(&[t("a", "one")]).unwrap().id, "a");
    let err = only_project(&[t("a", "one"), t("b", "two")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "which project? These credentials see 2: one (a), two (b)"
    );
}

/// Many random projects of valid live instances (every tier, status, toggle and
/// shared names): the imported file always loads and plans clean.
#[test]
fn random_projects_always_import_clean() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let types = [
        ("professional-db", &[1u32, 2, 4, 8, 16][..]),
        ("professional-ds", &[4, 8, 16][..]),
        ("business-critical", &[2, 4, 16][..]),
        ("enterprise-db", &[2, 8, 32][..]),
        ("enterprise-ds", &[8, 16][..]),
        ("free-db", &[1][..]),
    ];
    let statuses = [
        "running",
        "running",
        "paused",
        "creating",
        "updating",
        "resizing",
        "pausing",
        "resuming",
        "suspended",
        "loading failed",
        "destroying",
    ];
    let places = [
        ("gcp", "europe-west1"),
        ("aws", "us-east-1"),
        ("gcp", "us-central1"),
    ];
    let names = ["a", "b", "c", "orders", "x${Y}", "12345", "off"];
    for round in 0..300 {
        let n = 1 + next(12);
        let mut list = Vec::new();
        for k in 0..n {
            let (ty, sizes) = types[next(types.len())];
            let gb = sizes[next(sizes.len())];
            let free = ty == "free-db";
            let (cloud, region) = if free {
                ("gcp", "europe-west1")
            } else {
                places[next(places.len())]
            };
            let mut status = statuses[next(statuses.len())];
            if free && status == "pausing" {
                status = "paused";
            }
            let mut v = serde_json::json!({
                "id": format!("{:08x}", round * 100 + k), "name": names[next(names.len())],
                "status": status, "tenant_id": "t", "cloud_provider": cloud,
                "region": region, "type": ty, "memory": format!("{gb}GB"),
                "connection_url": null, "vector_optimized": !free && gb >= 4 && next(2) == 0,
            });
            if !free {
                v["storage"] = format!("{}GB", gb * 2).into();
            }
            if ty == "professional-db" {
                v["graph_analytics_plugin"] = (next(2) == 0).into();
            }
            if ty == "enterprise-db" {
                v["secondaries_count"] = next(4).into();
            }
            if matches!(ty, "business-critical" | "enterprise-db") && next(3) > 0 {
                v["cdc_enrichment_mode"] = ["OFF", "DIFF", "FULL"][next(3)].into();
            }
            list.push(serde_json::from_value::<Instance>(v).unwrap());
        }
        let live = live_project(list);
        let text = write_yaml(&live, "demo", "test");
        if let Err(e) = check_clean(&text, &live, std::path::Path::new(".")) {
            panic!("round {round}: {e}\n{text}");
        }
    }
}
