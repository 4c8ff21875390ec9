//! Helpers shared by the `client_*` tests: an emulator, a client for it, and the
//! emulator's admin routes.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use std::time::Duration;

use auraform::api::wire::{
    CloudProvider, CreateInstanceRequest, Instance, InstanceStatus, InstanceType,
};
use auraform::api::{AuraClient, ClientConfig, Credentials, RetryPolicy};
use auraform::emulator::{EmulatorConfig, EmulatorHandle};
use auraform::units::Rate;
use serde_json::Value;

pub const CLIENT_ID: &str = "emulator";
pub const CLIENT_SECRET: &str = "emulator-secret";

/// An emulator where a create takes about 0.1 s.
pub fn fast_emulator() -> EmulatorConfig {
    EmulatorConfig {
        speed: 1000.0,
        seed: Some(42),
        rate_limit: Rate::per_minute(100_000),
        ..EmulatorConfig::default()
    }
}

pub async fn spawn(config: EmulatorConfig) -> EmulatorHandle {
    auraform::emulator::spawn(config).await.unwrap()
}

/// A client for `emu` with a generous budget and quick retries.
pub fn config_for(emu: &EmulatorHandle) -> ClientConfig {
    let mut config = ClientConfig::new(emu.base_url(), Credentials::new(CLIENT_ID, CLIENT_SECRET));
    config.rate = Rate::per_minute(100_000);
    config.retry = RetryPolicy {
        max_attempts: 10,
        min_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(500),
        deadline: Duration::from_secs(60),
    };
    config.request_timeout = Duration::from_secs(10);
    config
}

pub fn client_for(emu: &EmulatorHandle) -> AuraClient {
    AuraClient::new(config_for(emu)).unwrap()
}

fn admin() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// `GET /_emulator/stats`.
pub async fn stats(emu: &EmulatorHandle) -> Value {
    admin()
        .get(format!("{}/_emulator/stats", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub fn by_route(stats: &Value, route: &str) -> u64 {
    stats["by_route"][route].as_u64().unwrap_or(0)
}

pub fn by_status(stats: &Value, status: &str) -> u64 {
    stats["by_status"][status].as_u64().unwrap_or(0)
}

/// `POST /_emulator/faults`.
pub async fn set_faults(emu: &EmulatorHandle, settings: Value) {
    let status = admin()
        .post(format!("{}/_emulator/faults", emu.base_url()))
        .json(&settings)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
}

/// The id of a seeded project.
pub fn project_id(emu: &EmulatorHandle, name: &str) -> String {
    emu.projects()
        .iter()
        .find(|p| p.name == name)
        .unwrap()
        .id
        .clone()
}

pub fn create_request(tenant_id: &str, name: &str) -> CreateInstanceRequest {
    CreateInstanceRequest {
        name: name.to_owned(),
        version: "5".to_owned(),
        region: "europe-west1".to_owned(),
        memory: "4GB".to_owned(),
        instance_type: InstanceType::ProfessionalDb,
        tenant_id: tenant_id.to_owned(),
        cloud_provider: CloudProvider::Gcp,
        storage: Some("8GB".to_owned()),
        source_instance_id: None,
        source_snapshot_id: None,
        customer_managed_key_id: None,
        vector_optimized: None,
        graph_analytics_plugin: None,
    }
}

/// Polls until the instance has `status` (a just-created one may 404 for a moment).
pub async fn wait_for(client: &AuraClient, id: &str, status: &InstanceStatus) -> Instance {
    for _ in 0..400 {
        if let Some(instance) = client.get_instance(id).await.unwrap()
            && instance.status == *status
        {
            return instance;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("instance {id} never became {status}");
}
