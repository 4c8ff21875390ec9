//! The one path from aura.yaml and a live project to a plan, shared by `plan`,
//! `apply` and `drift`: load the file offline (so a typo never costs an API call),
//! open the API, fetch exactly what the plan needs, re-check the file against the
//! project's own `instance_configurations`, then diff.

use std::path::Path;

use crate::api::wire::InstanceSummary;
use crate::config::{self, Desired, LoadedConfig};
use crate::error::Result;
use crate::plan::{self, Live, Plan, PlanOptions};
use crate::session::Session;

/// What a plan was computed from, kept for saving it or applying it.
pub struct Planned {
    pub loaded: LoadedConfig,
    pub live: Live,
    pub plan: Plan,
}

/// Loads aura.yaml offline: syntax, types and the built-in catalogue.
pub fn load(file: &Path) -> Result<LoadedConfig> {
    Ok(config::load(file, &config::process_env)?)
}

/// Whether the plan needs the details of a listed instance: the file names it, pins
/// it, or clones from it. Only those are fetched, so the request count stays at
/// N + 3 for N declared instances.
fn is_relevant(desired: &Desired, s: &InstanceSummary) -> bool {
    desired.instances.contains_key(&s.name)
        || desired.instances.values().any(|i| {
            i.id.as_deref() == Some(s.id.as_str())
                || i.source.as_ref().is_some_and(|src| src.instance == s.id)
        })
}

/// Loads the file, fetches the live project, validates the file against the
/// project's own offering (which wins over the built-in catalogue), and plans.
pub async fn plan(session: &Session, file: &Path, opts: &PlanOptions) -> Result<Planned> {
    let offline = load(file)?;
    let snapshot = {
        let desired = &offline.desired;
        session
            .client
            .fetch_snapshot(&desired.project, |s| is_relevant(desired, s))
            .await?
    };
    // Reload against the live rows: a region the project offers but the built-in
    // catalogue does not know must pass, and one it does not offer must fail, located.
    let loaded = if snapshot.tenant.instance_configurations.is_empty() {
        offline
    } else {
        config::load_with_configurations(
            file,
            &config::process_env,
            &snapshot.tenant.instance_configurations,
        )?
    };
    let live = Live::from_snapshot(&snapshot);
    let plan = plan::plan(&loaded.desired, &live, opts)?;
    Ok(Planned { loaded, live, plan })
}
