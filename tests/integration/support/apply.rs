//! Helpers for the apply tests: an in-process emulator and an `AuraClient` logged in to
//! it, paced at the emulator's own rate limit, as `auraform apply` against the embedded
//! emulator is; and a plan of an aura.yaml made the way `auraform plan` makes it.

use std::path::Path;

use auraform::api::{AuraClient, ClientConfig, Credentials};
use auraform::config::Desired;
use auraform::emulator::{EmulatorConfig, EmulatorHandle, spawn};
use auraform::plan::{Live, Plan, PlanOptions};

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

/// Plans the aura.yaml at `path` against what `client` sees, as `auraform plan` does:
/// load it, fetch the project's relevant instances, diff with the default options.
pub async fn plan_file(client: &AuraClient, path: &Path) -> (Desired, Live, Plan) {
    let loaded = auraform::config::load(path, &|_| None).unwrap();
    let snapshot = client
        .fetch_project(&loaded.desired.project, |s| {
            auraform::plan::needs_details(&loaded.desired, false, s)
        })
        .await
        .unwrap();
    let live = Live::from_project(&snapshot);
    let plan = auraform::plan::plan(&loaded.desired, &live, &PlanOptions::default()).unwrap();
    (loaded.desired, live, plan)
}
