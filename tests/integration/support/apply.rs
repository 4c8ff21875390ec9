//! Helpers for the apply tests: an in-process emulator and an `AuraClient` logged in to
//! it, paced at the emulator's own rate limit, as `auraform apply` against the embedded
//! emulator is.

use auraform::api::{AuraClient, ClientConfig, Credentials};
use auraform::emulator::{EmulatorConfig, EmulatorHandle, spawn};

/// Starts an emulator from `config` and a client for it whose rate is the emulator's
/// `rate_limit`; `tune` adjusts the client's configuration before it is built.
pub async fn emulator_and_client(
    config: EmulatorConfig,
    tune: impl FnOnce(&mut ClientConfig),
) -> (EmulatorHandle, AuraClient) {
    let rate = config.rate_limit;
    let emulator = spawn(config).await.unwrap();
    let mut client_config = ClientConfig::new(
        emulator.base_url(),
        Credentials::new("emulator", "emulator-secret"),
    );
    client_config.rate = rate;
    tune(&mut client_config);
    let client = AuraClient::new(client_config).unwrap();
    (emulator, client)
}
