//! Replacement that keeps the data (`replace: clone`) and restore points
//! (`snapshot_before`), end to end: the real binary against an in-process emulator,
//! whose data lineage (`GET /_emulator/instances/{id}`, docs/emulator.md §14) shows
//! where each instance's data came from and which snapshots were taken of what.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::bench::{Bench, FAST_POLL};
use crate::support::cli::{Out, auraform};
use crate::support::emulator::{Emu, by_route, stats};
use crate::support::plan_doc::{actions, steps};
use crate::support::proxy::{self, Action};

const POST_INSTANCES: &str = "POST /v1/instances";
const DELETE: &str = "DELETE /v1/instances/{id}";
const UPGRADE: &str = "POST /v1/instances/{id}/upgrade";

fn ok(out: &Out) {
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
}

/// The admin view of an instance: status, type, memory, `data_from`, snapshots.
async fn lineage(emu: &Emu, id: &str) -> Value {
    let r = emu
        .http
        .get(emu.url(&format!("/_emulator/instances/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{id}");
    r.json().await.unwrap()
}

/// How the next on-demand snapshots of `id` end (`"Failed"`, or `null`: `Completed`).
async fn snapshot_outcome(emu: &Emu, id: &str, status: Value) {
    let r = emu
        .http
        .post(emu.url(&format!("/_emulator/instances/{id}/snapshot-outcome")))
        .json(&json!({ "status": status }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// The live instances of `demo` by name: `(name, id, region)`.
async fn listed(emu: &Emu) -> Vec<(String, String, String)> {
    let r = emu
        .get(&format!("/v1/instances?tenantId={}", emu.demo()))
        .await;
    let mut all = Vec::new();
    for i in r.data().as_array().unwrap() {
        let id = i["id"].as_str().unwrap();
        let one = emu.get(&format!("/v1/instances/{id}")).await;
        all.push((
            i["name"].as_str().unwrap().to_owned(),
            id.to_owned(),
            one.data()["region"].as_str().unwrap().to_owned(),
        ));
    }
    all.sort();
    all
}

/// `orders` (running) and `archive` (paused) move region with `replace: clone` in
/// defaults: each ends as one instance in the new region whose data came from the old
/// one, the old one gone, `archive` paused again, their credentials files written;
/// `keep` (not declared) is untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn region_change_by_clone_keeps_the_data_and_deletes_the_old_instance() {
    let bench = Bench::start().await;
    let emu = &bench.emu;
    let orders = emu.launch("orders", json!({"memory": "4GB"})).await;
    let archive = emu.launch("archive", json!({"memory": "2GB"})).await;
    emu.pause_instance(&archive).await;
    let keep = emu.launch("keep", json!({"memory": "2GB"})).await;
    bench.write(
        "aura.yaml",
        "project: demo
defaults:
  type: professional-db
  cloud_provider: gcp
  region: us-east1
  replace: clone
  allow_replace: true
instances:
  orders:
    memory: 4GB
  archive:
    memory: 2GB
    state: paused
",
    );

    let plan = bench.run_polling(&["plan", "--format", "json"]).await;
    ok(&plan);
    let doc = plan.json();
    assert_eq!(actions(&doc, "orders"), ["clone-replace"]);
    assert_eq!(
        actions(&doc, "archive"),
        ["resume", "clone-replace", "pause"]
    );
    assert_eq!(
        steps(&doc, "archive"),
        ["resume", "create", "delete", "pause"]
    );
    let human = bench.run_polling(&["plan"]).await;
    ok(&human);
    for line in [
        "+/- instance \"orders\" {",
        "~ region = \"europe-west1\" -> \"us-east1\" # forces replacement",
        &format!("# data: copied into the new instance (a clone of \"{orders}\")"),
    ] {
        assert!(human.stdout.contains(line), "{line}\n{}", human.stdout);
    }

    let apply = bench.run_polling(&["apply", "--auto-approve"]).await;
    ok(&apply);
    let live = listed(emu).await;
    let names: Vec<&str> = live.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["archive", "keep", "orders"], "{live:?}");
    for (name, old, status) in [
        ("orders", &orders, "running"),
        ("archive", &archive, "paused"),
    ] {
        let (_, new, region) = live.iter().find(|(n, _, _)| n == name).unwrap();
        assert_ne!(new, old, "{name} was not replaced");
        assert_eq!(region, "us-east1", "{name}");
        let view = lineage(emu, new).await;
        assert_eq!(view["data_from"]["by"], "clone", "{name}: {view}");
        assert_eq!(
            view["data_from"]["instance_id"],
            old.as_str(),
            "{name}: {view}"
        );
        assert_eq!(view["status"], status, "{name}: {view}");
        let r = emu.get(&format!("/v1/instances/{old}")).await;
        assert_eq!(r.status, 404, "the old {name} is still there");
        let creds = bench.read(&format!(".auraform/credentials/{name}.env"));
        assert!(
            creds.contains(&format!("AURA_INSTANCE_ID={new}")),
            "{creds}"
        );
        // The report speaks of the new instance and its status, not the old one's.
        assert!(
            apply
                .stdout
                .contains(&format!("(id {new}, status {status})")),
            "{}",
            apply.stdout
        );
    }
    assert_eq!(lineage(emu, &keep).await["status"], "running");
    let s = stats(&emu.handle).await;
    assert_eq!(by_route(&s, POST_INSTANCES), 3 + 2, "{s}");
    assert_eq!(by_route(&s, DELETE), 2, "{s}");

    let again = bench.run_polling(&["plan", "--detailed-exitcode"]).await;
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
}

/// The same change with a smaller memory is refused when planning, before anything is
/// created or deleted; so is any replacement of a `prevent_destroy` instance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clone_into_a_smaller_or_protected_instance_is_refused_before_anything_changes() {
    let bench = Bench::start().await;
    let emu = &bench.emu;
    emu.launch("orders", json!({"memory": "4GB"})).await;
    let yaml = |extra: &str| {
        format!(
            "project: demo
instances:
  orders:
    type: professional-db
    cloud_provider: gcp
    region: us-east1
    replace: clone
{extra}"
        )
    };
    bench.write(
        "aura.yaml",
        &yaml("    allow_replace: true\n    memory: 2GB\n"),
    );
    let smaller = bench.run_polling(&["apply", "--auto-approve"]).await;
    assert_eq!(smaller.code, 1, "{}\n{}", smaller.stdout, smaller.stderr);
    assert!(smaller.stderr.contains("smaller"), "{}", smaller.stderr);
    assert!(smaller.stderr.contains("aura.yaml:"), "{}", smaller.stderr);

    bench.write(
        "aura.yaml",
        &yaml("    prevent_destroy: true\n    memory: 4GB\n"),
    );
    let protected = bench.run_polling(&["apply", "--auto-approve"]).await;
    assert_eq!(
        protected.code, 1,
        "{}\n{}",
        protected.stdout, protected.stderr
    );
    assert!(
        protected.stderr.contains("prevent_destroy"),
        "{}",
        protected.stderr
    );

    let s = stats(&emu.handle).await;
    assert_eq!(by_route(&s, POST_INSTANCES), 1, "{s}");
    assert_eq!(by_route(&s, DELETE), 0, "{s}");
}

/// The API refuses the clone (a 400 for a target it cannot clone into): the old
/// instance is not deleted, and the error says why, in the API's words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clone_the_api_refuses_deletes_nothing_and_says_why() {
    let bench = Bench::start().await;
    let emu = &bench.emu;
    let orders = emu.launch("orders", json!({"memory": "4GB"})).await;
    let refusal = r#"{"errors":[{"message":"Cannot clone into region us-east1 from this instance","reason":"invalid-request","field":"region"}]}"#;
    let proxy = proxy::start(
        &emu.handle.base_url(),
        Arc::new(move |method: &Method, path: &str, _| {
            if method == Method::POST && path == "/v1/instances" {
                Action::Answer(400, refusal)
            } else {
                Action::Forward
            }
        }),
    )
    .await;
    bench.write(
        "aura.yaml",
        "project: demo
instances:
  orders:
    type: professional-db
    cloud_provider: gcp
    region: us-east1
    memory: 4GB
    replace: clone
    allow_replace: true
",
    );
    let out = auraform()
        .dir(bench.dir.path())
        .args(["apply", "--auto-approve"])
        .args(FAST_POLL)
        .against_url(&proxy.base_url)
        .run_async()
        .await;
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains("Cannot clone into region us-east1 from this instance"),
        "{all}"
    );
    assert!(!all.contains("\"errors\""), "a raw body was shown: {all}");
    assert!(out.stdout.contains("not started: delete"), "{}", out.stdout);
    assert_eq!(proxy.count(&Method::POST, "/v1/instances"), 1);
    assert_eq!(
        proxy.count(&Method::DELETE, &format!("/v1/instances/{orders}")),
        0
    );
    assert_eq!(lineage(emu, &orders).await["status"], "running");
}

/// `snapshot_before: [upgrade]` on a Professional → Business Critical upgrade: a
/// snapshot is taken and `Completed` before the upgrade is sent (the emulator recorded
/// it as a snapshot of a professional-db), and the report names it; when the snapshot
/// fails, that instance's chain stops before the upgrade while another goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_point_is_taken_before_an_upgrade_and_a_failed_one_stops_the_chain() {
    let bench = Bench::start().await;
    let emu = &bench.emu;
    let events = emu.launch("events", json!({"memory": "4GB"})).await;
    let ledger = emu.launch("ledger", json!({"memory": "4GB"})).await;
    bench.write(
        "aura.yaml",
        "project: demo
defaults:
  type: business-critical
  cloud_provider: gcp
  region: europe-west1
  memory: 4GB
  snapshot_before: [upgrade]
instances:
  events: {}
  ledger: {}
",
    );
    snapshot_outcome(emu, &ledger, json!("Failed")).await;

    let plan = bench.run_polling(&["plan", "--format", "json"]).await;
    ok(&plan);
    let doc = plan.json();
    assert_eq!(steps(&doc, "events"), ["snapshot", "upgrade"]);
    let human = bench.run_polling(&["plan"]).await;
    assert!(
        human.stdout.contains(
            "# restore point: a snapshot, which must complete first; taken before the upgrade"
        ),
        "{}",
        human.stdout
    );

    let apply = bench.run_polling(&["apply", "--auto-approve"]).await;
    assert_eq!(apply.code, 1, "{}\n{}", apply.stdout, apply.stderr);

    let view = lineage(emu, &events).await;
    assert_eq!(view["type"], "business-critical", "{view}");
    let taken: Vec<&Value> = view["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["taken_of"]["type"] == "professional-db")
        .collect();
    assert_eq!(taken.len(), 1, "{view}");
    assert_eq!(taken[0]["status"], "Completed", "{view}");
    let snapshot_id = taken[0]["snapshot_id"].as_str().unwrap();
    assert!(
        apply.stdout.contains(&format!(
            "restore point: snapshot {snapshot_id} of instance {events}"
        )),
        "{}",
        apply.stdout
    );
    // The API lists it as the instance's snapshot, restorable.
    let listed = emu
        .get(&format!("/v1/instances/{events}/snapshots/{snapshot_id}"))
        .await;
    assert_eq!(listed.data()["status"], "Completed", "{:?}", listed.body);

    let failed = lineage(emu, &ledger).await;
    assert_eq!(
        failed["type"], "professional-db",
        "upgraded without a restore point"
    );
    for line in [
        "ledger  FAILED       snapshot: the restore point ended `Failed`, so the risky step after it was not started",
        "not started: upgrade",
        "is no restore point: `auraform apply` again takes a new one before going on",
    ] {
        assert!(apply.stdout.contains(line), "{line}\n{}", apply.stdout);
    }
    assert_eq!(by_route(&stats(&emu.handle).await, UPGRADE), 1);

    // Run again once snapshots succeed: `ledger` gets its restore point, and the JSON
    // report names it.
    ok(&{
        snapshot_outcome(emu, &ledger, Value::Null).await;
        let again = bench
            .run_polling(&["apply", "--auto-approve", "--format", "json"])
            .await;
        let doc = again.json();
        let ledger_entry = doc["instances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == "ledger")
            .unwrap()
            .clone();
        let points = ledger_entry["restore_points"].as_array().unwrap();
        assert_eq!(points.len(), 1, "{doc:#}");
        assert_eq!(points[0]["instance_id"], ledger.as_str());
        let sid = points[0]["snapshot_id"].as_str().unwrap();
        let taken = lineage(emu, &ledger).await;
        assert!(
            taken["snapshots"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["snapshot_id"] == sid
                    && s["status"] == "Completed"
                    && s["taken_of"]["type"] == "professional-db"),
            "{taken}"
        );
        assert_eq!(taken["type"], "business-critical");
        again
    });
}
