//! An `AuraClient` against an in-process emulator: the `client_*` tests' generous
//! configuration with quick retries, and the apply tests' client paced at the
//! emulator's own rate limit (as `auraform apply --emulator` is).

use std::time::Duration;

use auraform::api::wire::{
    CloudProvider, CreateInstanceRequest, Instance, InstanceStatus, InstanceType,
};
use auraform::api::{AuraClient, ClientConfig, Credentials, RetryPolicy};
use auraform::emulator::{EmulatorConfig, EmulatorHandle};
use auraform::units::Rate;

use super::emulator::{CLIENT_ID, CLIENT_SECRET};

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

/// Starts an emulator from `config` and a client for it whose rate is the emulator's
/// `rate_limit`; `tune` adjusts the client's configuration before it is built.
pub async fn emulator_and_client(
    config: EmulatorConfig,
    tune: impl FnOnce(&mut ClientConfig),
) -> (EmulatorHandle, AuraClient) {
    let rate = config.rate_limit;
    let emulator = spawn(config).await;
    let mut client_config = ClientConfig::new(
        emulator.base_url(),
        Credentials::new(CLIENT_ID, CLIENT_SECRET),
    );
    client_config.rate = rate;
    tune(&mut client_config);
    let client = AuraClient::new(client_config).unwrap();
    (emulator, client)
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
