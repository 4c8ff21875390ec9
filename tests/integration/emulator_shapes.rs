//! Shapes: the real API bodies in `tests/fixtures/aura-api/` (copied from the shared
//! research notes) and the emulator's responses deserialize into the same wire types, and
//! the emulator sends every field the official spec marks required (except where docs/aura-api.md §3.3
//! documents that the live API omits it: `storage` for free-db, `memory` while destroying).

use auraform::api::wire::{
    CreatedInstance, Envelope, ErrorBody, Instance, InstanceSummary, MetricsIntegration,
    MiddlewareError, Snapshot, Tenant, TenantSummary, TokenResponse,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::emulator::{fast, start};

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aura-api")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn parses<T: DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}"))
}

fn has_all(v: &Value, fields: &[&str]) {
    for f in fields {
        assert!(v.get(f).is_some(), "required field {f} missing in {v}");
    }
}

/// Required fields per the spec's schemas.
const INSTANCE_REQUIRED: &[&str] = &[
    "id",
    "name",
    "status",
    "connection_url",
    "cloud_provider",
    "tenant_id",
    "memory",
    "storage",
    "region",
    "type",
    "created_at",
];
const CREATED_REQUIRED: &[&str] = &[
    "id",
    "connection_url",
    "username",
    "password",
    "tenant_id",
    "cloud_provider",
    "region",
    "type",
    "name",
    "created_at",
];
const SUMMARY_REQUIRED: &[&str] = &["id", "name", "tenant_id", "cloud_provider", "created_at"];
const CONFIG_REQUIRED: &[&str] = &[
    "region",
    "region_name",
    "type",
    "version",
    "memory",
    "storage",
    "cloud_provider",
];

#[test]
fn fixtures_deserialize_into_the_wire_types() {
    let _: TokenResponse = parses(&fixture("oauth-token.200.json"));
    let _: Envelope<Vec<TenantSummary>> = parses(&fixture("tenants-list.200.json"));
    let _: Envelope<Tenant> = parses(&fixture("tenant-get.200.json"));
    let _: Envelope<MetricsIntegration> = parses(&fixture("tenant-metrics-integration.200.json"));
    let _: Envelope<Vec<InstanceSummary>> = parses(&fixture("instances-list.200.json"));
    let _: Envelope<CreatedInstance> = parses(&fixture("instance-create-free-db.202.json"));
    for f in [
        "instance-get-enterprise-db.200.json",
        "instance-get-professional-db.200.json",
        "instance-overwrite.202.json",
        "instance-patch-memory.202.json",
        "instance-pause.202.json",
    ] {
        let _: Envelope<Instance> = parses(&fixture(f));
    }
    let _: Envelope<Snapshot> = parses(&fixture("snapshot-get.200.json"));
    for f in [
        "error-missing-billing-details.400.json",
        "error-ongoing-database-operation.409.json",
        "error-tenant-incapable-of-action.400.json",
        "error-gds-session-not-found.404.json",
    ] {
        let _: ErrorBody = parses(&fixture(f));
    }
}

#[tokio::test]
async fn emulator_bodies_match_the_fixtures_and_the_spec() {
    let emu = start(fast()).await;
    let token = emu
        .http
        .post(emu.url("/oauth/token"))
        .basic_auth("emulator", Some("emulator-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let fixture_keys = |name: &str| -> Vec<String> {
        let v = fixture(name);
        let obj = v.get("data").unwrap_or(&v).as_object().unwrap().clone();
        obj.keys().cloned().collect()
    };
    // Same keys as the real token response.
    let mut got: Vec<_> = token.as_object().unwrap().keys().cloned().collect();
    let mut want = fixture_keys("oauth-token.200.json");
    got.sort();
    want.sort();
    assert_eq!(got, want);

    let tenants = emu.get("/v1/tenants").await;
    let _: Envelope<Vec<TenantSummary>> = parses(&tenants.body);
    let tenant = emu.get(&format!("/v1/tenants/{}", emu.demo())).await;
    let _: Envelope<Tenant> = parses(&tenant.body);
    has_all(tenant.data(), &["id", "name", "instance_configurations"]);
    for c in tenant.data()["instance_configurations"].as_array().unwrap() {
        has_all(c, CONFIG_REQUIRED);
    }

    let created = emu
        .post(
            "/v1/instances",
            emu.create_body("shape", "enterprise-db", "4GB"),
        )
        .await;
    let _: Envelope<CreatedInstance> = parses(&created.body);
    has_all(created.data(), CREATED_REQUIRED);
    let id = created.data()["id"].as_str().unwrap().to_owned();
    // Every key of the real create response is in ours.
    for k in fixture_keys("instance-create-free-db.202.json") {
        assert!(created.data().get(&k).is_some(), "{k}");
    }

    let running = emu.wait(&id, Some("running")).await;
    has_all(&running, INSTANCE_REQUIRED);
    let _: Envelope<Instance> = parses(&json!({ "data": running }));
    for k in fixture_keys("instance-get-enterprise-db.200.json") {
        assert!(running.get(&k).is_some(), "{k}");
    }

    let list = emu.get("/v1/instances").await;
    for s in list.data().as_array().unwrap() {
        has_all(s, SUMMARY_REQUIRED);
    }
    let _: Envelope<Vec<InstanceSummary>> = parses(&list.body);

    let paused = emu
        .post(&format!("/v1/instances/{id}/pause"), json!({}))
        .await;
    has_all(paused.data(), INSTANCE_REQUIRED);
    let _: Envelope<Instance> = parses(&paused.body);
    for k in fixture_keys("instance-pause.202.json") {
        assert!(paused.data().get(&k).is_some(), "{k}");
    }

    let busy = emu.busy_instance().await;
    let busy = emu
        .post(&format!("/v1/instances/{busy}/pause"), json!({}))
        .await;
    let err: ErrorBody = parses(&busy.body);
    assert_eq!(err.errors[0].reason, "ongoing-database-operation");

    // Errors in the gateway shape parse as the middleware error.
    let r = emu
        .http
        .post(emu.url("/oauth/token"))
        .basic_auth("emulator", Some("bad"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let _: MiddlewareError = r.json().await.unwrap();
    emu.handle.shutdown().await;
}
