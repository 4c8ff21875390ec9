//! Every route's status codes and body shapes, apart from the lifecycle ones.

use auraform::api::wire::{
    Envelope, Instance, InstanceSummary, MetricsIntegration, SizingResponse, Snapshot,
    SnapshotCreated, Tenant, TenantSummary,
};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::emulator::{fast, into_resp, start};

#[tokio::test]
async fn tenants() {
    let emu = start(fast()).await;
    let r = emu.get("/v1/tenants").await;
    assert_eq!(r.status, StatusCode::OK);
    let list: Envelope<Vec<TenantSummary>> = serde_json::from_value(r.body).unwrap();
    let names: Vec<_> = list.data.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["demo", "free-only"]);
    for t in &list.data {
        assert!(uuid::Uuid::parse_str(&t.id).is_ok(), "{}", t.id);
    }

    let r = emu.get(&format!("/v1/tenants/{}", emu.demo())).await;
    let demo: Envelope<Tenant> = serde_json::from_value(r.body).unwrap();
    let configs = &demo.data.instance_configurations;
    for ty in auraform::api::wire::InstanceType::KNOWN {
        for cloud in auraform::api::wire::CloudProvider::KNOWN {
            let offered = configs
                .iter()
                .any(|c| c.instance_type == *ty && c.cloud_provider == *cloud);
            let free = *ty == auraform::api::wire::InstanceType::FreeDb;
            assert!(
                offered || (free && cloud.as_str() != "gcp"),
                "{ty} on {cloud}"
            );
        }
    }
    assert!(configs.iter().all(|c| !c.region_name.is_empty()));

    let r = emu.get(&format!("/v1/tenants/{}", emu.free_only())).await;
    let free: Envelope<Tenant> = serde_json::from_value(r.body).unwrap();
    assert!(
        free.data
            .instance_configurations
            .iter()
            .all(|c| c.instance_type.as_str() == "free-db")
    );

    let r = emu
        .get("/v1/tenants/00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.reason(), "tenant-not-found");
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn metrics_integration_needs_an_eligible_instance() {
    let emu = start(fast()).await;
    let path = format!("/v1/tenants/{}/metrics-integration", emu.demo());
    let r = emu.get(&path).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.reason(), "tenant-incapable-of-action");
    emu.create("bc", "business-critical", "4GB").await;
    let r = emu.get(&path).await;
    assert_eq!(r.status, StatusCode::OK);
    let m: Envelope<MetricsIntegration> = serde_json::from_value(r.body).unwrap();
    assert!(m.data.endpoint.starts_with("https://"));
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn instance_list_filters_by_tenant() {
    let emu = start(fast()).await;
    let a = emu.create("a", "professional-db", "2GB").await;
    let free = json!({
        "name": "f", "version": "5", "region": "europe-west1", "memory": "1GB",
        "type": "free-db", "tenant_id": emu.free_only(), "cloud_provider": "gcp"
    });
    assert_eq!(
        emu.post("/v1/instances", free).await.status,
        StatusCode::ACCEPTED
    );
    let all = emu.get("/v1/instances").await;
    let all: Envelope<Vec<InstanceSummary>> = serde_json::from_value(all.body).unwrap();
    assert_eq!(all.data.len(), 2);
    let demo = emu
        .get(&format!("/v1/instances?tenantId={}", emu.demo()))
        .await;
    let demo: Envelope<Vec<InstanceSummary>> = serde_json::from_value(demo.body).unwrap();
    assert_eq!(demo.data.len(), 1);
    assert_eq!(demo.data[0].id, a["id"].as_str().unwrap());
    assert!(demo.data[0].created_at.is_some());
    let unknown = emu.get("/v1/instances?tenantId=nope").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn snapshots_and_restore() {
    let emu = start(fast()).await;
    let id = emu.running("snap", "professional-db", "2GB").await;
    let r = emu
        .call(
            reqwest::Method::POST,
            &format!("/v1/instances/{id}/snapshots"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let created: Envelope<SnapshotCreated> = serde_json::from_value(r.body).unwrap();
    let sid = created.data.snapshot_id;
    let one = emu
        .get(&format!("/v1/instances/{id}/snapshots/{sid}"))
        .await;
    assert_eq!(one.status, StatusCode::OK);
    let _: Envelope<Snapshot> = serde_json::from_value(one.body.clone()).unwrap();
    // Completes (30 s at speed 1 → 30 ms here).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let s = emu
            .get(&format!("/v1/instances/{id}/snapshots/{sid}"))
            .await;
        if s.data()["status"] == "Completed" {
            assert_eq!(s.data()["profile"], "AdHoc");
            assert_eq!(s.data()["exportable"], true);
            break;
        }
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let list = emu.get(&format!("/v1/instances/{id}/snapshots")).await;
    let list: Envelope<Vec<Snapshot>> = serde_json::from_value(list.body).unwrap();
    assert_eq!(list.data.len(), 1);
    let other_day = emu
        .get(&format!("/v1/instances/{id}/snapshots?date=2020-01-01"))
        .await;
    assert_eq!(other_day.data().as_array().unwrap().len(), 0);
    let bad_date = emu
        .get(&format!("/v1/instances/{id}/snapshots?date=yesterday"))
        .await;
    assert_eq!(bad_date.status, StatusCode::BAD_REQUEST);
    let missing = emu.get(&format!("/v1/instances/{id}/snapshots/nope")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.reason(), "snapshot-not-found");

    let r = emu
        .post(
            &format!("/v1/instances/{id}/snapshots/{sid}/restore"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(r.data()["status"], "restoring");
    emu.wait(&id, Some("running")).await;

    // A clone from the snapshot into a new instance.
    let mut body = emu.create_body("clone", "professional-db", "2GB");
    body["source_instance_id"] = json!(id);
    body["source_snapshot_id"] = json!(sid);
    assert_eq!(
        emu.post("/v1/instances", body).await.status,
        StatusCode::ACCEPTED
    );
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn overwrite_and_upgrade() {
    let emu = start(fast()).await;
    let small = emu.running("small", "professional-db", "2GB").await;
    let big = emu.running("big", "professional-db", "4GB").await;

    let r = emu
        .post(
            &format!("/v1/instances/{big}/overwrite"),
            json!({"source_instance_id": small}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert_eq!(r.data()["status"], "overwriting");
    emu.wait(&big, Some("running")).await;

    let r = emu
        .post(
            &format!("/v1/instances/{small}/overwrite"),
            json!({"source_instance_id": big}),
        )
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        r.body["errors"][0]["message"],
        format!("Cannot clone database {big} into smaller database {small}.")
    );
    let r = emu
        .post(&format!("/v1/instances/{small}/overwrite"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.field(), Some("source_instance_id"));

    let r = emu
        .post(
            &format!("/v1/instances/{small}/upgrade"),
            json!({"memory": "4GB"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.field(), Some("storage"));
    let r = emu
        .post(
            &format!("/v1/instances/{small}/upgrade"),
            json!({"memory": "4GB", "storage": "8GB"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let up: Envelope<Instance> = serde_json::from_value(r.body).unwrap();
    assert_eq!(up.data.instance_type.as_str(), "business-critical");
    assert_eq!(up.data.memory.as_deref(), Some("4GB"));
    let again = emu
        .post(&format!("/v1/instances/{small}/upgrade"), json!({}))
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn sizing() {
    let emu = start(fast()).await;
    let r = emu
        .post(
            "/v1/instances/sizing",
            json!({"node_count": 1_000_000, "relationship_count": 5_000_000,
                   "instance_type": "professional-ds",
                   "algorithm_categories": ["pathfinding", "community-detection"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let s: Envelope<SizingResponse> = serde_json::from_value(r.body).unwrap();
    assert!(!s.data.did_exceed_maximum);
    assert!(auraform::aura::sizes::parse_gb(&s.data.recommended_size).is_some());
    let r = emu
        .post("/v1/instances/sizing", json!({"node_count": 1}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.field(), Some("relationship_count"));
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn unemulated_unknown_and_wrong_method_routes() {
    let emu = start(fast()).await;
    let r = emu.get("/v1/customer-managed-keys").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"data": []}));
    let r = emu.get("/v1/customer-managed-keys/abc").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.reason(), "encryption-key-not-found");
    let r = emu.get("/v1/graph-analytics/sessions").await;
    assert_eq!(r.body, json!({"data": []}));
    let r = emu.get("/v1/graph-analytics/sessions/s-1").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["data"], serde_json::Value::Null);
    assert_eq!(r.body["errors"][0]["reason"], "");
    let r = emu.get("/v1/nothing/here").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body["errors"][0]["message"].is_string());
    // Unknown routes are 404 even without a token.
    let r = into_resp(emu.http.get(emu.url("/v2/x")).send().await.unwrap()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = emu.call(reqwest::Method::PUT, "/v1/tenants", None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.body["errors"][0]["reason"].is_string());
    assert!(r.headers.contains_key("x-request-id"));
    emu.handle.shutdown().await;
}
