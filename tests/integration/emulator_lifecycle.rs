//! The instance lifecycle through the API: create → resize → pause → resume → delete at a
//! high speed factor, field presence per status and tier, 409 while busy, tier refusals.

use auraform::api::wire::{CreatedInstance, Envelope, Instance, InstanceStatus};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::emulator::{fast, start};

#[tokio::test]
async fn full_cycle_create_resize_pause_resume_delete() {
    let emu = start(fast()).await;
    let r = emu
        .post(
            "/v1/instances",
            emu.create_body("orders", "professional-db", "2GB"),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    // The create response has no status, and the only copy of the password.
    assert!(r.data().get("status").is_none());
    let created: Envelope<CreatedInstance> = serde_json::from_value(r.body.clone()).unwrap();
    let id = created.data.id.clone();
    assert_eq!(id.len(), 8);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(created.data.username, "neo4j");
    assert!(created.data.password.expose().len() >= 20);
    assert_eq!(
        created.data.connection_url.as_deref(),
        Some(format!("neo4j+s://{id}.databases.neo4j.io").as_str())
    );

    let first = emu.get(&format!("/v1/instances/{id}")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.data().get("password").is_none());
    let running = emu.wait(&id, Some("running")).await;
    assert_eq!(running["memory"], "2GB");
    assert_eq!(running["storage"], "4GB");

    // Resize: 202, `updating`, and the OLD memory until the update completes.
    let r = emu
        .patch(&format!("/v1/instances/{id}"), json!({"memory": "4GB"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let inst: Envelope<Instance> = serde_json::from_value(r.body.clone()).unwrap();
    assert_eq!(inst.data.status, InstanceStatus::Updating);
    assert_eq!(inst.data.memory.as_deref(), Some("2GB"));
    let done = emu.wait(&id, Some("running")).await;
    assert_eq!(done["memory"], "4GB");
    assert_eq!(done["storage"], "8GB");

    // Rename only: 200 and immediate.
    let r = emu
        .patch(&format!("/v1/instances/{id}"), json!({"name": "orders-2"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.data()["name"], "orders-2");
    assert_eq!(r.data()["status"], "running");

    // Pause (no body at all, as aura-cli sends it) → paused, connection_url empty.
    let r = emu
        .call(
            reqwest::Method::POST,
            &format!("/v1/instances/{id}/pause"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(r.data()["status"], "pausing");
    let paused = emu.wait(&id, Some("paused")).await;
    assert_eq!(paused["connection_url"], "");

    // Resume with `{}` (as Terraform sends it).
    let r = emu
        .post(&format!("/v1/instances/{id}/resume"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(r.data()["status"], "resuming");
    let resumed = emu.wait(&id, Some("running")).await;
    assert_eq!(
        resumed["connection_url"],
        format!("neo4j+s://{id}.databases.neo4j.io")
    );

    // Delete: 202 once with `destroying` and no memory, then 404.
    let r = emu.delete(&format!("/v1/instances/{id}")).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(r.data()["status"], "destroying");
    assert!(r.data().get("memory").is_none());
    let gone = emu.wait(&id, None).await;
    assert_eq!(gone["errors"][0]["reason"], "db-not-found");
    assert_eq!(gone["errors"][0]["message"], format!("DB not found: {id}"));
    let again = emu.delete(&format!("/v1/instances/{id}")).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn busy_instances_answer_409() {
    // Slow enough that the create is still in progress for the whole test.
    let emu = start(auraform::emulator::EmulatorConfig {
        speed: 1.0,
        ..fast()
    })
    .await;
    let id = emu.create("slow", "professional-db", "2GB").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let get = emu.get(&format!("/v1/instances/{id}")).await;
    assert_eq!(get.data()["status"], "creating");
    for r in [
        emu.post(&format!("/v1/instances/{id}/pause"), json!({}))
            .await,
        emu.patch(&format!("/v1/instances/{id}"), json!({"memory": "4GB"}))
            .await,
        emu.patch(&format!("/v1/instances/{id}"), json!({"name": "x"}))
            .await,
        emu.delete(&format!("/v1/instances/{id}")).await,
    ] {
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.reason(), "ongoing-database-operation");
        assert_eq!(
            r.body["errors"][0]["message"],
            "The database is current undergoing an operation: creating"
        );
    }
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn free_tier_fields_and_refusals() {
    let emu = start(fast()).await;
    let body = json!({
        "name": "sandbox", "version": "5", "region": "europe-west1", "memory": "1GB",
        "type": "free-db", "tenant_id": emu.free_only(), "cloud_provider": "gcp"
    });
    let r = emu.post("/v1/instances", body).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let id = r.data()["id"].as_str().unwrap().to_owned();
    let inst = emu.wait(&id, Some("running")).await;
    assert!(inst.get("storage").is_none(), "no storage for free-db");
    assert!(inst["graph_nodes"].is_u64(), "graph counts are numbers");
    assert!(inst["graph_relationships"].is_u64());

    let pause = emu
        .post(&format!("/v1/instances/{id}/pause"), json!({}))
        .await;
    assert_eq!(pause.status, StatusCode::BAD_REQUEST);
    assert_eq!(pause.reason(), "tenant-incapable-of-action");

    let resize = emu
        .patch(&format!("/v1/instances/{id}"), json!({"memory": "2GB"}))
        .await;
    assert_eq!(resize.status, StatusCode::BAD_REQUEST);
    assert_eq!(resize.field(), Some("memory"));

    let overwrite = emu
        .post(
            &format!("/v1/instances/{id}/overwrite"),
            json!({"source_instance_id": id}),
        )
        .await;
    assert_eq!(overwrite.status.as_u16(), 420);

    // The free-only project offers nothing else.
    let pro = json!({
        "name": "pro", "version": "5", "region": "europe-west1", "memory": "2GB",
        "type": "professional-db", "tenant_id": emu.free_only(), "cloud_provider": "gcp"
    });
    let r = emu.post("/v1/instances", pro).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.field(), Some("type"));

    // free-db exists only on gcp europe-west1 at 1GB.
    let mut wrong = emu.create_body("f", "free-db", "1GB");
    wrong["region"] = json!("us-central1");
    let r = emu.post("/v1/instances", wrong).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.field(), Some("region"));
    let r = emu
        .post("/v1/instances", emu.create_body("f", "free-db", "2GB"))
        .await;
    assert_eq!(r.field(), Some("memory"));
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn field_presence_per_tier() {
    let emu = start(fast()).await;
    let pro = emu.running("pro", "professional-db", "4GB").await;
    let bc = emu.running("bc", "business-critical", "4GB").await;
    let vdc = emu.running("vdc", "enterprise-db", "4GB").await;
    let pro = emu.get(&format!("/v1/instances/{pro}")).await;
    assert!(pro.data().get("graph_nodes").is_none());
    assert!(pro.data().get("metrics_integration_url").is_none());
    assert!(pro.data().get("secondaries_count").is_none());
    assert_eq!(pro.data()["graph_analytics_plugin"], false);
    let bc = emu.get(&format!("/v1/instances/{bc}")).await;
    assert!(bc.data()["metrics_integration_url"].is_string());
    assert_eq!(bc.data()["cdc_enrichment_mode"], "OFF");
    let vdc_get = emu.get(&format!("/v1/instances/{vdc}")).await;
    assert_eq!(vdc_get.data()["secondaries_count"], 0);

    // PATCH-only fields are set by PATCH once running, applied at the end of the update.
    let r = emu
        .patch(
            &format!("/v1/instances/{vdc}"),
            json!({"secondaries_count": 2, "cdc_enrichment_mode": "DIFF"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(r.data()["status"], "updating");
    assert_eq!(r.data()["secondaries_count"], 0);
    let done = emu.wait(&vdc, Some("running")).await;
    assert_eq!(done["secondaries_count"], 2);
    assert_eq!(done["cdc_enrichment_mode"], "DIFF");

    // …and refused where the tier lacks them.
    let r = emu
        .patch(
            &format!("/v1/instances/{}", pro.data()["id"].as_str().unwrap()),
            json!({"cdc_enrichment_mode": "FULL"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.reason(), "tenant-incapable-of-action");
    assert_eq!(r.field(), Some("cdc_enrichment_mode"));
    let r = emu
        .patch(
            &format!("/v1/instances/{vdc}"),
            json!({"secondaries_count": 16}),
        )
        .await;
    assert_eq!(r.field(), Some("secondaries_count"));
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn create_validation_names_the_field() {
    let emu = start(fast()).await;
    let cases = [
        (json!({"secondaries_count": 1}), "secondaries_count"),
        (
            json!({"cdc_enrichment_mode": "DIFF"}),
            "cdc_enrichment_mode",
        ),
        (json!({"name": "x".repeat(31)}), "name"),
        (json!({"name": " padded"}), "name"),
        (json!({"memory": "3GB"}), "memory"),
        (json!({"storage": "64GB"}), "storage"),
        (json!({"region": "mars-north1"}), "region"),
        (json!({"cloud_provider": "ibm"}), "cloud_provider"),
        (json!({"version": "3"}), "version"),
        (json!({"type": "huge-db"}), "type"),
        (json!({"memory": 8}), "memory"),
        (json!({"vector_optimized": true}), "vector_optimized"),
        (
            json!({"graph_analytics_plugin": "yes"}),
            "graph_analytics_plugin",
        ),
    ];
    for (patch, field) in cases {
        let mut body = emu.create_body("v", "professional-db", "2GB");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = emu.post("/v1/instances", body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body} → {:?}", r.body);
        assert_eq!(r.field(), Some(field), "{body} → {:?}", r.body);
        assert!(!r.body["errors"][0]["message"].as_str().unwrap().is_empty());
    }
    // A missing required field is named too.
    let mut body = emu.create_body("v", "professional-db", "2GB");
    body.as_object_mut().unwrap().remove("region");
    let r = emu.post("/v1/instances", body).await;
    assert_eq!(r.field(), Some("region"));
    // Unknown project.
    let mut body = emu.create_body("v", "professional-db", "2GB");
    body["tenant_id"] = json!("00000000-0000-4000-8000-000000000000");
    let r = emu.post("/v1/instances", body).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.reason(), "tenant-not-found");
    // Nothing was created by any of these.
    let list = emu.get("/v1/instances").await;
    assert_eq!(list.data().as_array().unwrap().len(), 0);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn malformed_bodies_are_400_not_crashes() {
    let emu = start(fast()).await;
    let id = emu.running("m", "professional-db", "2GB").await;
    for raw in ["{", "[1,2]", "\"text\"", "{\"memory\": }", "nul"] {
        for path in [
            "/v1/instances".to_owned(),
            format!("/v1/instances/{id}/pause"),
            format!("/v1/instances/{id}/overwrite"),
        ] {
            let r = emu
                .http
                .post(emu.url(&path))
                .bearer_auth(&emu.token)
                .header("content-type", "application/json")
                .body(raw)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path} {raw}");
            let v: serde_json::Value = r.json().await.unwrap();
            assert!(v["errors"][0]["reason"].is_string(), "{v}");
        }
    }
    let r = emu
        .patch(&format!("/v1/instances/{id}"), json!({"name": 5}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.field(), Some("name"));
    // A path segment that is not UTF-8 still gets a JSON error, not axum's plain text.
    let r = emu.get("/v1/instances/%FF%FE").await;
    assert!(r.status.is_client_error());
    assert!(r.body["errors"][0]["message"].is_string(), "{:?}", r.body);
    // Unknown instance ids are 404 on every instance route.
    for r in [
        emu.get("/v1/instances/deadbeef").await,
        emu.patch("/v1/instances/deadbeef", json!({"name": "x"}))
            .await,
        emu.delete("/v1/instances/deadbeef").await,
        emu.post("/v1/instances/deadbeef/pause", json!({})).await,
        emu.post("/v1/instances/deadbeef/resume", json!({})).await,
        emu.get("/v1/instances/deadbeef/snapshots").await,
    ] {
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.reason(), "db-not-found");
    }
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn wrong_state_refusals_and_noop_patch() {
    let emu = start(fast()).await;
    let id = emu.running("s", "professional-db", "2GB").await;
    let r = emu
        .post(&format!("/v1/instances/{id}/resume"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // An empty PATCH changes nothing: 202 with the instance as it is.
    let r = emu.patch(&format!("/v1/instances/{id}"), json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(r.data()["status"], "running");
    emu.post(&format!("/v1/instances/{id}/pause"), json!({}))
        .await;
    emu.wait(&id, Some("paused")).await;
    // Resizing a paused instance needs a resume first.
    let r = emu
        .patch(&format!("/v1/instances/{id}"), json!({"memory": "4GB"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Renaming it does not.
    let r = emu
        .patch(&format!("/v1/instances/{id}"), json!({"name": "s2"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    emu.handle.shutdown().await;
}

/// The lifecycle clock follows tokio's clock, so paused-time tests can jump through a
/// real-speed (speed 1) lifecycle instantly.
#[tokio::test(start_paused = true)]
async fn lifecycle_under_paused_time() {
    let emu = start(auraform::emulator::EmulatorConfig {
        speed: 1.0,
        ..fast()
    })
    .await;
    let id = emu.create("paused-time", "professional-db", "2GB").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/instances/{id}");
    assert_eq!(emu.get(&path).await.data()["status"], "creating");
    tokio::time::advance(std::time::Duration::from_secs(121)).await;
    assert_eq!(emu.get(&path).await.data()["status"], "running");
    let r = emu.post(&format!("{path}/pause"), json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    tokio::time::advance(std::time::Duration::from_secs(61)).await;
    let paused = emu.get(&path).await;
    assert_eq!(paused.data()["status"], "paused");
    assert_eq!(paused.data()["connection_url"], "");
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn concurrent_creates_get_distinct_instances() {
    let emu = start(fast()).await;
    let creates = (0..20).map(|i| {
        let emu = &emu;
        async move {
            emu.create(&format!("par-{i}"), "professional-db", "2GB")
                .await
        }
    });
    let created = futures::future::join_all(creates).await;
    let mut ids: Vec<_> = created
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    let waits = ids.iter().map(|id| emu.wait(id, Some("running")));
    futures::future::join_all(waits).await;
    let list = emu
        .get(&format!("/v1/instances?tenantId={}", emu.demo()))
        .await;
    assert_eq!(list.data().as_array().unwrap().len(), 20);
    emu.handle.shutdown().await;
}
