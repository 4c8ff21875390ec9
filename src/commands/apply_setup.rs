//! What `apply` and `destroy` do between a plan and the executor, for one file or
//! several: the flags they share ([`Carry`]), take the lock of each file's
//! `.auraform/`, ask for confirmation, say what an interrupted earlier run left (the
//! journal), the last check before anything is deleted, show the plan where `--format`
//! wants it, and set the executor up from the flags, the session, the file's
//! credentials sinks and journal, and the live project the plan was made from.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::approval::{Consent, confirm, is_interactive};
use super::error::{Error, Result};
use super::lock::{self, ApplyLock};
use super::pipeline;
use super::session::Session;
use super::stdout::{print_stderr, print_stdout, stderr_color, stdout_color};
use crate::apply::journal::{self, Journal};
use crate::apply::{ApplyOptions, Cancel, Progress, ProgressMode, Sinks, Timeouts};
use crate::cli::{ApplyArgs, DestroyArgs, GlobalArgs, ReportFormat};
use crate::config::LoadedConfig;
use crate::plan::{Live, Plan, PlanError, PlanOptions, StepAction};

/// How `apply` or `destroy` carries plans out.
#[derive(Clone, Debug)]
pub(super) struct Carry {
    /// What the prompt asks.
    pub(super) consent: Consent,
    pub(super) auto_approve: bool,
    /// Instance chains at once (`--parallelism`).
    pub(super) parallelism: u16,
    /// `--lock-timeout`.
    pub(super) lock_timeout: Duration,
    /// The plan to make (ignored for a saved plan, which carries its own).
    pub(super) opts: PlanOptions,
    /// `destroy --remove-credentials`.
    pub(super) remove_credentials: bool,
    /// `--format`: where the plan and the report go.
    pub(super) format: ReportFormat,
    /// `apply PLAN_FILE`: a saved plan, applied without asking.
    pub(super) saved_plan: bool,
}

impl Carry {
    pub(super) fn apply(args: &ApplyArgs) -> Self {
        Self {
            consent: Consent::Apply,
            auto_approve: args.auto_approve,
            parallelism: args.parallelism,
            lock_timeout: args.lock_timeout,
            opts: PlanOptions::new(args.targets.clone(), args.prune),
            remove_credentials: false,
            format: args.format,
            saved_plan: args.plan_file.is_some(),
        }
    }

    pub(super) fn destroy(args: &DestroyArgs) -> Self {
        Self {
            consent: Consent::Destroy,
            auto_approve: args.auto_approve,
            parallelism: args.parallelism,
            lock_timeout: args.lock_timeout,
            opts: PlanOptions::destroy(args.targets.clone()),
            remove_credentials: args.remove_credentials,
            format: args.format,
            saved_plan: false,
        }
    }
}

/// Takes the lock of the `.auraform/` folder of every file (each folder once, in a
/// fixed order, so that two runs over overlapping sets of files cannot deadlock),
/// before anything is read from the API (docs/apply.md §16). `apply` and `destroy`
/// take the same lock.
pub(super) async fn lock_all(
    global: &GlobalArgs,
    carry: &Carry,
    files: &[PathBuf],
) -> Result<Vec<ApplyLock>> {
    let mut dirs: Vec<PathBuf> = files.iter().map(|f| lock::dir_for(f)).collect();
    dirs.sort();
    dirs.dedup();
    let quiet = global.quiet;
    let mut held = Vec::with_capacity(dirs.len());
    for dir in dirs {
        held.push(
            lock::acquire(&dir, carry.lock_timeout, |m| {
                if !quiet {
                    eprintln!("{m}");
                }
            })
            .await?,
        );
    }
    Ok(held)
}

/// The journal beside the aura.yaml at `file`. What it says about `live` — instances an
/// interrupted earlier apply created without saving their passwords — is said once on
/// stderr, then forgotten, with the entries that need no word (docs/apply.md §17).
pub(super) fn review_journal(file: &Path, live: &Live, quiet: bool) -> Journal {
    let journal = Journal::in_dir(&lock::dir_for(file));
    let review = journal::review(&journal, &live.project.id, &live.summaries, true);
    pipeline::warn_unsaved(&review, quiet);
    for entry in review
        .settled
        .iter()
        .chain(review.unsaved.iter().map(|u| &u.entry))
    {
        let _ = std::fs::remove_file(entry);
    }
    journal
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

/// Shows the plan (or the plans of several files) that `apply` is about to carry out,
/// as `text(color)` renders it: on stdout, or with `--format json` on stderr, since
/// stdout is then the report alone — where people look, and even with `-q` when a
/// person is about to be asked to approve it.
pub(super) fn show_plans(
    global: &GlobalArgs,
    carry: &Carry,
    text: impl FnOnce(bool) -> String,
) -> Result<()> {
    if carry.format == ReportFormat::Json {
        let will_ask = !carry.saved_plan && !carry.auto_approve;
        if !global.quiet || will_ask {
            print_stderr(&text(stderr_color(global.color)));
        }
        Ok(())
    } else {
        print_stdout(&text(stdout_color(global.color)))
    }
}

/// The progress reporter of one plan's apply (stderr; none with `-q` on no terminal).
pub(super) fn progress_for(global: &GlobalArgs, plan: &Plan) -> Progress {
    Progress::new(
        ProgressMode::detect(global.quiet),
        plan.changes.iter().map(|c| c.name.as_str()),
    )
}

/// What the executor runs a plan against besides the session: the file, the live
/// project the plan was made from, and the file's journal.
pub(super) struct Target<'a> {
    pub(super) loaded: &'a LoadedConfig,
    pub(super) live: &'a Live,
    pub(super) journal: Journal,
}

/// How the executor runs the plan of `target`: the flags, this API's poll interval,
/// the file's credentials sinks (docs/apply.md §10) and journal, the instances live
/// when it was planned.
pub(super) fn options(
    session: &Session,
    global: &GlobalArgs,
    carry: &Carry,
    target: Target<'_>,
    progress: Progress,
    cancel: Cancel,
) -> ApplyOptions {
    let desired = &target.loaded.desired;
    let mut opts = ApplyOptions::new(desired.credentials_dir.clone());
    opts.sinks = Sinks {
        dir: desired.credentials_dir.clone(),
        file: desired.credentials_file,
        command: desired.credentials_command.clone(),
    };
    opts.parallelism = usize::from(carry.parallelism);
    opts.poll_interval = session.poll_interval;
    opts.timeouts = Timeouts::with_override(global.timeout.map(|d| d.0));
    opts.journal = Some(target.journal);
    opts.known_ids = target.live.summaries.iter().map(|s| s.id.clone()).collect();
    opts.progress = progress;
    opts.cancel = cancel;
    opts
}
