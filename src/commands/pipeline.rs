//! The one path from aura.yaml and a live project to a plan, shared by `plan`,
//! `apply` and `drift`: load the file offline (so a typo never costs an API call),
//! open the API, fetch exactly what the plan needs, re-check the loaded file against
//! the project's own `instance_configurations`, then diff. Sharing it matters beyond
//! tidiness: a saved plan's live fingerprint only matches when `plan --out` and
//! `apply PLAN_FILE` fetched the same instances.

use std::path::Path;

use super::error::{Error, Result};
use super::session::Session;
use crate::cli::GlobalArgs;
use crate::config::{self, LoadedConfig};
use crate::fsutil;
use crate::plan::{self, Live, LocatedPlanError, Plan, PlanOptions};

/// What a plan was computed from, kept for saving it or applying it.
pub(super) struct Planned {
    pub(super) loaded: LoadedConfig,
    pub(super) live: Live,
    pub(super) plan: Plan,
}

/// Loads aura.yaml offline: syntax, types and the built-in catalogue.
pub(super) fn load(file: &Path) -> Result<LoadedConfig> {
    Ok(config::load(file, &config::process_env)?)
}

/// Opens the API the global flags name (real, or the embedded emulator beside `file`).
pub(super) async fn open(global: &GlobalArgs, file: &Path) -> Result<Session> {
    Session::open(global, fsutil::parent_dir(file))
        .await
        .map_err(|e| Error::Session(Box::new(e)))
}

/// Fetches the live project for `loaded` and re-validates the file against the
/// project's own offering, which wins over the built-in catalogue for sizes and
/// regions (a combination the project does not offer fails here, located). `opts` are
/// the plan's: with prune every instance is fetched in detail, for a destroy only the
/// declared ones (see [`plan::needs_details`]).
pub(super) async fn observe(
    session: &Session,
    loaded: &LoadedConfig,
    opts: &PlanOptions,
) -> Result<Live> {
    let desired = &loaded.desired;
    let project_state = session
        .client
        .fetch_project(&desired.project, |s| plan::needs_details(desired, opts, s))
        .await?;
    if !project_state.tenant.instance_configurations.is_empty() {
        config::validate_online(loaded, &project_state.tenant.instance_configurations)?;
    }
    Ok(Live::from_project(&project_state))
}

/// Observes the live project for a file already loaded offline, and plans.
pub(super) async fn plan(
    session: &Session,
    loaded: LoadedConfig,
    opts: &PlanOptions,
) -> Result<Planned> {
    let live = observe(session, &loaded, opts).await?;
    let plan = plan::plan(&loaded.desired, &live, opts).map_err(|e| locate(&loaded, e))?;
    Ok(Planned { loaded, live, plan })
}

/// Says on stderr which instances an interrupted earlier apply created without saving
/// their passwords (docs/apply.md §17).
pub(super) fn warn_unsaved(review: &crate::apply::journal::Review, quiet: bool) {
    if quiet {
        return;
    }
    for unsaved in &review.unsaved {
        eprintln!("Warning: {}.", unsaved.message());
    }
}

/// What the journal beside aura.yaml says about the project, for `plan`: looked at,
/// never changed (only `apply`, under its lock, repairs and forgets entries:
/// `apply_setup::review_journal`).
pub(super) fn check_journal(file: &Path, live: &Live, quiet: bool) {
    let journal = crate::apply::Journal::in_dir(&super::lock::dir_for(file));
    let review = crate::apply::journal::review(&journal, &live.project.id, &live.summaries, false);
    warn_unsaved(&review, quiet);
}

/// Points a plan error into aura.yaml where it is about a declared instance, so the
/// user sees the line to fix, like any other problem in the file.
pub(super) fn locate(loaded: &LoadedConfig, error: plan::PlanError) -> Error {
    let located = LocatedPlanError::new(loaded, error);
    if located.is_located() {
        Error::PlanAt(Box::new(located))
    } else {
        Error::Plan(located.into_inner())
    }
}
