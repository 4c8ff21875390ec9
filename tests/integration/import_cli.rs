//! `auraform import` against the emulator: the file it writes plans clean (never a
//! replacement after import, unlike the Terraform provider before 1.1.1), pins ids of
//! shared names, and is never written over an existing file without `--force`.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::support::bench::Bench;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_of_twelve_varied_instances_plans_clean() {
    let b = Bench::start().await;
    let ids = seed_twelve(&b).await;

    let out = b
        .run(&["import", "--project", "demo", "--output", "aura.yaml"])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("Wrote aura.yaml (12 instances"),
        "{}",
        out.stderr
    );
    let text = b.read("aura.yaml");
    println!("{text}");

    assert!(
        text.starts_with("# yaml-language-server: $schema="),
        "{text}"
    );
    assert!(text.contains("project: demo\n"), "{text}");
    // Defaults are the most common values; instances omit them.
    assert!(
        text.contains(
            "defaults:\n  type: professional-db\n  cloud_provider: gcp\n  region: europe-west1\n"
        ),
        "{text}"
    );
    // Both instances named `orders` are pinned; the second gets its own key and keeps its name.
    for id in &ids["orders"] {
        assert!(text.contains(&format!("    id: {id}\n")), "{text}");
    }
    assert!(
        text.contains(&format!("  orders-{}:\n", ids["orders"][1])),
        "{text}"
    );
    assert!(text.contains("ignore_changes: [name]"), "{text}");
    for needle in [
        "state: paused",
        "vector_optimized: true",
        "graph_analytics_plugin: true",
        "cdc_enrichment_mode: DIFF",
        "cdc_enrichment_mode: FULL",
        "secondaries_count: 2",
        "type: free-db",
        "type: enterprise-ds",
        "cloud_provider: aws",
        "region: us-east-1",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert_eq!(text.matches("state: paused").count(), 3, "{text}");

    let plan = b
        .run(&["plan", "-f", "aura.yaml", "--detailed-exitcode"])
        .await;
    assert_eq!(plan.code, 0, "{}\n{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout
            .contains("No changes. Live state matches aura.yaml."),
        "{}",
        plan.stdout
    );
    let drift = b.run(&["drift", "-f", "aura.yaml"]).await;
    assert_eq!(drift.code, 0, "{}\n{}", drift.stdout, drift.stderr);
    assert!(drift.stdout.contains("No drift."), "{}", drift.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_refuses_to_overwrite_without_force() {
    let b = Bench::start().await;
    b.emu.launch("orders", json!({})).await;
    b.write("aura.yaml", "# mine\n");
    let out = b
        .run(&["import", "--project", "demo", "--output", "aura.yaml"])
        .await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("aura.yaml already exists"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--force"), "{}", out.stderr);
    assert_eq!(b.read("aura.yaml"), "# mine\n");

    let out = b
        .run(&[
            "import",
            "--project",
            "demo",
            "--output",
            "aura.yaml",
            "--force",
        ])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(b.read("aura.yaml").contains("  orders:\n    memory: 8GB\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_to_stdout_and_project_choice() {
    let b = Bench::start().await;
    b.emu.launch("app", json!({"memory": "2GB"})).await;
    // No --project, no aura.yaml: the emulator has two projects, so it asks.
    let out = b.run(&["import"]).await;
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("which project?"), "{}", out.stderr);
    assert!(
        out.stderr.contains("demo (") && out.stderr.contains("free-only ("),
        "{}",
        out.stderr
    );

    // With an aura.yaml, its project.
    b.write("aura.yaml", "project: demo\ninstances: {}\n");
    let out = b.run(&["import"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("project: demo\n"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("  app:\n    memory: 2GB\n    storage: 4GB\n"),
        "{}",
        out.stdout
    );

    // An empty project imports to an empty instances map that still loads.
    let out = b.run(&["import", "--project", "free-only"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("instances: {}"), "{}", out.stdout);
}

/// Twelve varied instances: every tier, paused ones, toggles, a name shared by two
/// instances, CDC, secondaries, another cloud. Returns name → ids.
async fn seed_twelve(b: &Bench) -> HashMap<&'static str, Vec<String>> {
    let mut ids: HashMap<&'static str, Vec<String>> = HashMap::new();
    let specs: Vec<(&'static str, Value)> = vec![
        ("orders", json!({"memory": "8GB"})),
        ("orders", json!({"memory": "4GB"})),
        (
            "analytics",
            json!({"type": "professional-ds", "memory": "16GB"}),
        ),
        ("sandbox", json!({"type": "free-db", "memory": "1GB"})),
        (
            "events",
            json!({"type": "business-critical", "memory": "32GB"}),
        ),
        ("vdc", json!({"type": "enterprise-db", "memory": "16GB"})),
        (
            "search",
            json!({"memory": "8GB", "vector_optimized": true, "graph_analytics_plugin": true}),
        ),
        ("graphs", json!({"type": "enterprise-ds", "memory": "16GB"})),
        ("archive", json!({"memory": "2GB"})),
        (
            "aws-app",
            json!({"memory": "4GB", "cloud_provider": "aws", "region": "us-east-1"}),
        ),
        (
            "bc-paused",
            json!({"type": "business-critical", "memory": "16GB"}),
        ),
        ("reports", json!({"memory": "16GB", "storage": "32GB"})),
    ];
    for (name, body) in specs {
        let id = b.emu.launch(name, body).await;
        ids.entry(name).or_default().push(id);
    }
    b.emu
        .patch_instance(&ids["events"][0], json!({"cdc_enrichment_mode": "DIFF"}))
        .await;
    b.emu
        .patch_instance(
            &ids["vdc"][0],
            json!({"secondaries_count": 2, "cdc_enrichment_mode": "FULL"}),
        )
        .await;
    for name in ["analytics", "archive", "bc-paused"] {
        b.emu.pause_instance(&ids[name][0]).await;
    }
    ids
}
