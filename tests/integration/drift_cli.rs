//! `auraform drift` against the emulator: out-of-band changes made through the API
//! each make it exit 2 and name the instance and field in JSON and Markdown;
//! `ignore_changes` hides exactly its field; instances forced into `suspended` or
//! `loading failed` are reported as needing a person.

use serde_json::json;

use crate::support::bench::Bench;
use crate::support::cli::auraform;
use crate::support::plan_doc::{change, fields};

const FILE: &str = "\
project: demo
defaults:
  type: professional-db
  cloud_provider: gcp
  region: europe-west1
instances:
  orders:
    memory: 8GB
  reports:
    memory: 4GB
  legacy:
    memory: 2GB
  search:
    memory: 8GB
    ignore_changes: [memory]
";

async fn setup() -> (Bench, Vec<String>) {
    let b = Bench::start().await;
    b.write("aura.yaml", FILE);
    let mut ids = Vec::new();
    for (name, memory) in [
        ("orders", "8GB"),
        ("reports", "4GB"),
        ("legacy", "2GB"),
        ("search", "8GB"),
    ] {
        ids.push(b.emu.launch(name, json!({ "memory": memory })).await);
    }
    (b, ids)
}

async fn drift_json(b: &Bench) -> serde_json::Value {
    let out = b.run(&["drift", "--format", "json"]).await;
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    let doc = out.json();
    assert_eq!(doc["kind"], "drift");
    doc
}

async fn drift_markdown(b: &Bench) -> String {
    let out = b.run(&["drift", "--format", "markdown"]).await;
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.starts_with(&format!(
            "<!-- auraform:drift project={} -->\n",
            b.emu.demo()
        )),
        "{}",
        out.stdout
    );
    out.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_project_exits_0_in_every_format() {
    let (b, _) = setup().await;
    let human = b.run(&["drift"]).await;
    assert_eq!(human.code, 0, "{}\n{}", human.stdout, human.stderr);
    assert!(
        human
            .stdout
            .contains("No drift. Live state matches aura.yaml."),
        "{}",
        human.stdout
    );
    let j = b.run(&["drift", "--format", "json"]).await;
    assert_eq!(j.code, 0);
    let doc = j.json();
    assert_eq!(doc["kind"], "drift");
    assert_eq!(doc["changes"], json!([]));
    let md = b.run(&["drift", "--format", "markdown"]).await;
    assert_eq!(md.code, 0);
    assert!(md.stdout.contains("<!-- auraform:drift project="));
    assert!(
        md.stdout
            .contains("**No drift. Live state matches aura.yaml.**")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_out_of_band_change_is_drift_naming_instance_and_field() {
    let (b, ids) = setup().await;

    // Resize.
    b.emu
        .patch_instance(&ids[0], json!({ "memory": "16GB" }))
        .await;
    let doc = drift_json(&b).await;
    assert!(
        fields(&doc, "orders").contains(&"memory".to_owned()),
        "{doc:#}"
    );
    let f = &change(&doc, "orders").unwrap()["fields"][0];
    assert_eq!((&f["before"], &f["after"]), (&json!("16GB"), &json!("8GB")));
    let md = drift_markdown(&b).await;
    assert!(
        md.contains("<b>orders</b>") && md.contains("| `memory` | `16GB` | `8GB` |"),
        "{md}"
    );
    let human = b.run(&["drift"]).await;
    assert_eq!(human.code, 2);
    assert!(
        human.stdout.contains("# orders differs from aura.yaml"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("Drift detected: 1 changed."),
        "{}",
        human.stdout
    );

    // Pause.
    b.emu.pause_instance(&ids[1]).await;
    let doc = drift_json(&b).await;
    assert_eq!(fields(&doc, "reports"), ["state"], "{doc:#}");
    let md = drift_markdown(&b).await;
    assert!(
        md.contains("<b>reports</b>") && md.contains("| `state` | `paused` | `running` |"),
        "{md}"
    );

    // A new instance nobody declared.
    let intruder = b.emu.launch("intruder", json!({ "memory": "2GB" })).await;
    let doc = drift_json(&b).await;
    assert_eq!(doc["unmanaged"][0]["name"], "intruder", "{doc:#}");
    assert_eq!(doc["unmanaged"][0]["id"], intruder.as_str());
    let md = drift_markdown(&b).await;
    assert!(md.contains(&format!("- `intruder` (`{intruder}`)")), "{md}");

    // A deleted instance.
    b.emu.delete_instance(&ids[2]).await;
    let doc = drift_json(&b).await;
    let legacy = change(&doc, "legacy").unwrap();
    assert_eq!(legacy["actions"], json!(["create"]));
    assert!(fields(&doc, "legacy").contains(&"memory".to_owned()));
    let md = drift_markdown(&b).await;
    assert!(md.contains("<b>legacy</b> is missing"), "{md}");
    let human = b.run(&["drift"]).await;
    assert!(
        human
            .stdout
            .contains("Drift detected: 2 changed, 1 missing, 1 unmanaged."),
        "{}",
        human.stdout
    );
    // drift never changes anything: the same report again.
    assert_eq!(drift_json(&b).await, doc);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignore_changes_hides_exactly_its_field() {
    let (b, ids) = setup().await;
    // `search` ignores memory: a resize is not drift.
    b.emu
        .patch_instance(&ids[3], json!({ "memory": "16GB" }))
        .await;
    let out = b.run(&["drift", "--format", "json"]).await;
    assert_eq!(out.code, 0, "{}", out.stdout);
    // Its other fields still are: pause it.
    b.emu.pause_instance(&ids[3]).await;
    let doc = drift_json(&b).await;
    assert_eq!(fields(&doc, "search"), ["state"], "{doc:#}");
    // The same resize on an instance without the ignore is drift.
    b.emu
        .patch_instance(&ids[0], json!({ "memory": "16GB" }))
        .await;
    let doc = drift_json(&b).await;
    assert_eq!(fields(&doc, "orders"), ["memory"], "{doc:#}");
    assert_eq!(fields(&doc, "search"), ["state"], "{doc:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspended_and_loading_failed_need_a_person() {
    let (b, ids) = setup().await;
    b.emu.force_status(&ids[0], "suspended").await;
    b.emu.force_status(&ids[1], "loading failed").await;
    let doc = drift_json(&b).await;
    let attention = crate::support::emulator::string_pairs(&doc["attention"], "name", "status");
    assert_eq!(
        attention,
        [
            ("orders".to_owned(), "suspended".to_owned()),
            ("reports".to_owned(), "loading failed".to_owned())
        ]
    );
    assert_eq!(doc["changes"], json!([]));
    let md = drift_markdown(&b).await;
    assert!(md.contains("**Instances that need a person**"), "{md}");
    assert!(
        md.contains("- ❗ `orders`") && md.contains("`loading failed`"),
        "{md}"
    );
    let human = b.run(&["drift"]).await;
    assert_eq!(human.code, 2);
    assert!(
        human.stdout.contains("Drift detected: 2 need a person."),
        "{}",
        human.stdout
    );
    // For plan, they are not changes: apply would do nothing about them.
    let plan = b.run(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(plan.code, 0, "{}", plan.stdout);
}

/// An instance in a status auraform does not know (a new Aura status) was once
/// reported as `No drift` with exit 0. It is drift that needs a person, and busy for
/// apply: plan waits for it before any change, and apply never acts on it meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_status_is_drift_needing_a_person_and_busy_for_apply() {
    let (b, ids) = setup().await;
    b.emu.force_status(&ids[0], "migrating").await;
    let doc = drift_json(&b).await;
    assert_eq!(doc["attention"][0]["name"], "orders", "{doc:#}");
    assert_eq!(doc["attention"][0]["status"], "migrating");
    let advice = doc["attention"][0]["advice"].as_str().unwrap();
    assert!(advice.contains("does not know this status"), "{advice}");
    let human = b.run(&["drift"]).await;
    assert_eq!(human.code, 2, "{}", human.stdout);
    assert!(
        human.stdout.contains("Drift detected: 1 needs a person."),
        "{}",
        human.stdout
    );

    // Busy for apply: a change to it starts by waiting for it to settle…
    b.write(
        "aura.yaml",
        &FILE.replacen("memory: 8GB", "memory: 16GB", 1),
    );
    let plan = b.run(&["plan", "--format", "json"]).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let orders = change(&plan.json(), "orders").unwrap().clone();
    assert_eq!(orders["actions"], json!(["wait", "update"]), "{orders:#}");
    assert_eq!(orders["waits_for"], "migrating");
    // …and apply does not touch it while the status lasts.
    let apply = b
        .run(&[
            "apply",
            "--auto-approve",
            "--timeout",
            "1s",
            "--poll-interval",
            "100ms",
        ])
        .await;
    assert_eq!(apply.code, 1, "{}\n{}", apply.stdout, apply.stderr);
    assert!(apply.stdout.contains("orders"), "{}", apply.stdout);
    assert!(apply.stdout.contains("migrating"), "{}", apply.stdout);
    let live = b.emu.get(&format!("/v1/instances/{}", ids[0])).await;
    assert_eq!(live.data()["memory"], "8GB");
    assert_eq!(live.data()["status"], "migrating");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_errors_exit_1() {
    let b = Bench::start().await;
    b.write("aura.yaml", "project: nope\ninstances: {}\n");
    let out = b.run(&["drift"]).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.is_empty());
}

/// The embedded emulator (`--emulator`) needs no account: an empty world means every
/// declared instance is missing.
#[test]
fn drift_on_the_embedded_emulator() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("aura.yaml"), FILE).unwrap();
    let out = auraform()
        .dir(dir.path())
        .args(["drift", "--format", "json"])
        .embedded()
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let missing: Vec<&str> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["actions"] == json!(["create"]))
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["orders", "reports", "legacy", "search"]);
    assert!(dir.path().join(".auraform/emulator.json").exists());
}
