//! What `apply` and `destroy` do between a plan and the executor, for one file or
//! several: the flags they share ([`Carry`]), asking for confirmation, the last check
//! before anything is deleted, and setting the executor up from the flags, the session
//! and the file's credentials sink.

use super::approval::{Consent, confirm, is_interactive};
use super::error::{Error, Result};
use super::pipeline;
use super::session::Session;
use crate::apply::{ApplyOptions, Cancel, Progress, ProgressMode, Timeouts};
use crate::cli::{ApplyArgs, DestroyArgs, GlobalArgs};
use crate::config::LoadedConfig;
use crate::plan::{Plan, PlanError, PlanOptions, StepAction};

/// How `apply` or `destroy` carries plans out.
#[derive(Clone, Debug)]
pub(super) struct Carry {
    /// What the prompt asks.
    pub(super) consent: Consent,
    pub(super) auto_approve: bool,
    /// Instance chains at once (`--parallelism`).
    pub(super) parallelism: u16,
    /// The plan to make (ignored for a saved plan, which carries its own).
    pub(super) opts: PlanOptions,
    /// `destroy --remove-credentials`.
    pub(super) remove_credentials: bool,
}

impl Carry {
    pub(super) fn apply(args: &ApplyArgs) -> Self {
        Self {
            consent: Consent::Apply,
            auto_approve: args.auto_approve,
            parallelism: args.parallelism,
            opts: PlanOptions::new(args.targets.clone(), args.prune),
            remove_credentials: false,
        }
    }

    pub(super) fn destroy(args: &DestroyArgs) -> Self {
        Self {
            consent: Consent::Destroy,
            auto_approve: args.auto_approve,
            parallelism: args.parallelism,
            opts: PlanOptions::destroy(args.targets.clone()),
            remove_credentials: args.remove_credentials,
        }
    }
}

/// Asks for confirmation on the terminal ([`confirm`] with stdin and stderr), unless
/// `auto_approve`; the prompt blocks a thread of its own, not the runtime.
pub(super) async fn ask(consent: Consent, auto_approve: bool) -> Result<()> {
    tokio::task::spawn_blocking(move || {
        confirm(
            consent,
            auto_approve,
            is_interactive(),
            &mut std::io::stdin().lock(),
            &mut std::io::stderr(),
        )
    })
    .await
    .map_err(|e| Error::Io {
        context: "the confirmation prompt failed".to_owned(),
        source: std::io::Error::other(e.to_string()),
    })??;
    Ok(())
}

/// The last check before the first request: no `delete` step of the plan may touch an
/// instance that a `prevent_destroy` declaration claims (by pin, or by name). The
/// differ never plans one; this holds for saved plans and every plan kind alike, and
/// refuses the whole plan, so nothing at all is deleted (all or nothing).
pub(super) fn check_protected(plan: &Plan, loaded: &LoadedConfig) -> Result<()> {
    let mut refused = Vec::new();
    for change in &plan.changes {
        for step in change
            .steps
            .iter()
            .filter(|s| s.action == StepAction::Delete)
        {
            let id = step.instance_id.as_deref();
            let protected = loaded.desired.instances.values().find(|d| {
                d.prevent_destroy
                    && (d.name == change.name || (id.is_some() && d.id.as_deref() == id))
            });
            if let Some(d) = protected {
                refused.push(PlanError::DestroyProtected {
                    name: d.name.clone(),
                    id: id.unwrap_or_default().to_owned(),
                });
            }
        }
    }
    match PlanError::collect(refused) {
        None => Ok(()),
        Some(e) => Err(pipeline::locate(loaded, e)),
    }
}

/// The progress reporter of one plan's apply (stderr; none with `-q` on no terminal).
pub(super) fn progress_for(global: &GlobalArgs, plan: &Plan) -> Progress {
    Progress::new(
        ProgressMode::detect(global.quiet),
        plan.changes.iter().map(|c| c.name.as_str()),
    )
}

/// How the executor runs the plan of `loaded`: the flags, this API's poll interval,
/// the file's credentials sink.
pub(super) fn options(
    session: &Session,
    global: &GlobalArgs,
    carry: &Carry,
    loaded: &LoadedConfig,
    progress: Progress,
    cancel: Cancel,
) -> ApplyOptions {
    let mut opts = ApplyOptions::new(loaded.desired.credentials_dir.clone());
    opts.parallelism = usize::from(carry.parallelism);
    opts.poll_interval = session.poll_interval;
    opts.timeouts = Timeouts::with_override(global.timeout.map(|d| d.0));
    opts.progress = progress;
    opts.cancel = cancel;
    opts
}
