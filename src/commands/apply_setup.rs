//! What `apply` does between a plan and the executor, for one file or several: take
//! the lock of each file's `.auraform/`, ask for confirmation, say what an interrupted
//! earlier run left (the journal), and set the executor up from the flags, the
//! session, the file's credentials sink and journal, and the live project the plan
//! was made from.

use std::path::{Path, PathBuf};

use super::approval::{confirm, is_interactive};
use super::error::{Error, Result};
use super::lock::{self, ApplyLock};
use super::pipeline;
use super::session::Session;
use crate::apply::journal::{self, Journal};
use crate::apply::{ApplyOptions, Cancel, Progress, ProgressMode, Timeouts};
use crate::cli::{ApplyArgs, GlobalArgs};
use crate::config::LoadedConfig;
use crate::plan::{Live, Plan};

/// Takes the lock of the `.auraform/` folder of every file (each folder once, in a
/// fixed order, so that two runs over overlapping sets of files cannot deadlock),
/// before anything is read from the API (docs/apply.md §16).
pub(super) async fn lock_all(
    global: &GlobalArgs,
    args: &ApplyArgs,
    files: &[PathBuf],
) -> Result<Vec<ApplyLock>> {
    let mut dirs: Vec<PathBuf> = files.iter().map(|f| lock::dir_for(f)).collect();
    dirs.sort();
    dirs.dedup();
    let quiet = global.quiet;
    let mut held = Vec::with_capacity(dirs.len());
    for dir in dirs {
        held.push(
            lock::acquire(&dir, args.lock_timeout, |m| {
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
pub(super) async fn ask(auto_approve: bool) -> Result<()> {
    tokio::task::spawn_blocking(move || {
        confirm(
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
/// the file's credentials sink and journal, the instances live when it was planned.
pub(super) fn options(
    session: &Session,
    global: &GlobalArgs,
    args: &ApplyArgs,
    target: Target<'_>,
    progress: Progress,
    cancel: Cancel,
) -> ApplyOptions {
    let mut opts = ApplyOptions::new(target.loaded.desired.credentials_dir.clone());
    opts.parallelism = usize::from(args.parallelism);
    opts.poll_interval = session.poll_interval;
    opts.timeouts = Timeouts::with_override(global.timeout.map(|d| d.0));
    opts.journal = Some(target.journal);
    opts.known_ids = target.live.summaries.iter().map(|s| s.id.clone()).collect();
    opts.progress = progress;
    opts.cancel = cancel;
    opts
}
