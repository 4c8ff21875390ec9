//! The one path from aura.yaml and a live project to a plan, shared by `plan`,
//! `apply` and `drift`: load the file offline (so a typo never costs an API call),
//! open the API, fetch exactly what the plan needs, re-check the file against the
//! project's own `instance_configurations`, then diff. Sharing it matters beyond
//! tidiness: a saved plan's live fingerprint only matches when `plan --out` and
//! `apply PLAN_FILE` fetched the same instances.

use std::path::Path;

use crate::api::wire::InstanceSummary;
use crate::cli::GlobalArgs;
use crate::config::{self, Desired, LoadedConfig};
use crate::error::{Error, Result};
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

/// The directory of aura.yaml, where `.auraform/` lives.
pub fn config_dir(file: &Path) -> &Path {
    file.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Opens the API the global flags name (real, or the embedded emulator beside the file).
pub async fn open(global: &GlobalArgs) -> Result<Session> {
    Session::open(global, config_dir(&global.file))
        .await
        .map_err(|e| Error::Session(Box::new(e)))
}

/// Whether the plan needs the details of a listed instance: the file names it, pins
/// it, or clones from it. Only those are fetched, so the request count stays at
/// N + 3 for N declared instances.
pub fn is_relevant(desired: &Desired, s: &InstanceSummary) -> bool {
    desired.instances.contains_key(&s.name)
        || desired.instances.values().any(|i| {
            i.id.as_deref() == Some(s.id.as_str())
                || i.source.as_ref().is_some_and(|src| src.instance == s.id)
        })
}

/// Fetches the live project for `offline` and re-validates the file against the
/// project's own offering, which wins over the built-in catalogue for sizes and
/// regions (a combination the project does not offer fails here, located).
pub async fn observe(
    session: &Session,
    file: &Path,
    offline: LoadedConfig,
) -> Result<(LoadedConfig, Live)> {
    let snapshot = {
        let desired = &offline.desired;
        session
            .client
            .fetch_snapshot(&desired.project, |s| is_relevant(desired, s))
            .await?
    };
    let loaded = if snapshot.tenant.instance_configurations.is_empty() {
        offline
    } else {
        config::load_with_configurations(
            file,
            &config::process_env,
            &snapshot.tenant.instance_configurations,
        )?
    };
    Ok((loaded, Live::from_snapshot(&snapshot)))
}

/// Observes the live project for a file already loaded offline, and plans.
pub async fn plan(
    session: &Session,
    file: &Path,
    offline: LoadedConfig,
    opts: &PlanOptions,
) -> Result<Planned> {
    let (loaded, live) = observe(session, file, offline).await?;
    let plan = plan::plan(&loaded.desired, &live, opts)?;
    Ok(Planned { loaded, live, plan })
}
