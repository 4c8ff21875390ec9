//! A plan of an aura.yaml made the way `auraform plan` makes it, for the apply tests
//! that drive the executor (or save a plan) through the library.

use std::path::Path;

use auraform::api::AuraClient;
use auraform::config::Desired;
use auraform::plan::{Live, Plan, PlanOptions};

/// Plans the aura.yaml at `path` against what `client` sees, as `auraform plan` does:
/// load it, fetch the project's relevant instances, diff with the default options.
pub async fn plan_file(client: &AuraClient, path: &Path) -> (Desired, Live, Plan) {
    let loaded = auraform::config::load(path, &|_| None).unwrap();
    let snapshot = client
        .fetch_project(&loaded.desired.project, |s| {
            auraform::plan::needs_details(&loaded.desired, &PlanOptions::default(), s)
        })
        .await
        .unwrap();
    let live = Live::from_project(&snapshot);
    let plan = auraform::plan::plan(&loaded.desired, &live, &PlanOptions::default()).unwrap();
    (loaded.desired, live, plan)
}
