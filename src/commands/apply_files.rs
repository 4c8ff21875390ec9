//! `auraform apply` over several files (docs/commands.md §12): every file is planned
//! first and every plan printed, then ONE confirmation covers them all, then each
//! project is applied in turn with the run's one request budget. A file that fails to
//! plan or to apply is reported and the others go on; the run exits 1 if any failed.
//! Ctrl-C stops the project in progress as it would alone, and no later project
//! starts; a second Ctrl-C exits at once.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::apply_setup::{Target, ask, lock_all, options, progress_for, review_journal};
use super::error::{Error, Result};
use super::files::FilesError;
use super::interrupt::{Aborted, Interrupts};
use super::outcome::Outcome;
use super::output::{print_stdout, stdout_color};
use super::pipeline::Planned;
use super::projects::{self, FileRun, fail};
use super::session::Sessions;
use crate::apply::{ApplyError, Cancel, Progress, execute};
use crate::cli::{ApplyArgs, GlobalArgs};
use crate::config::LoadedConfig;
use crate::plan::render::files::{Tally, file_header, files_human, summary_line};
use crate::plan::{DocumentKind, PlanOptions};

/// How a file's apply ended, when it did not fail.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Applied {
    Done,
    NothingToDo,
}

pub(super) async fn run(
    global: &GlobalArgs,
    args: &ApplyArgs,
    files: &[PathBuf],
) -> Result<Outcome> {
    let loaded = projects::load_all(files);
    let _locks = lock_all(global, args, files).await?;
    let mut sessions = Sessions::default();
    let result = run_in(&mut sessions, global, args, loaded).await;
    sessions.close().await;
    result
}

async fn run_in(
    sessions: &mut Sessions,
    global: &GlobalArgs,
    args: &ApplyArgs,
    loaded: Vec<FileRun<LoadedConfig>>,
) -> Result<Outcome> {
    let opts = PlanOptions::new(args.targets.clone(), args.prune);
    let planned = projects::plan_loaded(sessions, global, loaded, &opts).await?;
    let color = stdout_color(global.color);
    let names: Vec<String> = planned.iter().map(FileRun::name).collect();
    let sections = projects::sections(&planned, &names);
    print_stdout(&files_human(&sections, DocumentKind::Plan, color))?;
    let any_changes = planned
        .iter()
        .any(|r| r.result.as_ref().is_ok_and(|r| r.plan.has_changes()));
    if !any_changes {
        return projects::finish(&planned, |_| Outcome::Success);
    }
    ask(args.auto_approve).await?;
    let applied = apply_all(sessions, global, args, planned).await?;
    print_stdout(&format!("\n{}\n", summary_line(&tally(&applied))))?;
    projects::finish(&applied, |_| Outcome::Success)
}

/// Applies each ready plan that has changes, in turn, under one Ctrl-C listener.
async fn apply_all(
    sessions: &mut Sessions,
    global: &GlobalArgs,
    args: &ApplyArgs,
    planned: Vec<FileRun<Planned>>,
) -> Result<Vec<FileRun<Applied>>> {
    let color = stdout_color(global.color);
    let cancel = Cancel::new();
    // The Ctrl-C notice goes above the live lines of the project being applied.
    let current: Arc<Mutex<Option<Progress>>> = Arc::default();
    let slot = Arc::clone(&current);
    let interrupts = Interrupts::listen(cancel.clone(), move |m| {
        match slot.lock().ok().and_then(|p| p.clone()) {
            Some(progress) => progress.note(m),
            None => eprintln!("{m}"),
        }
    });
    let mut out = Vec::with_capacity(planned.len());
    for run in planned {
        let file = run.file;
        let ready = match run.result {
            Err(failure) => {
                out.push(FileRun {
                    file,
                    result: Err(failure),
                });
                continue;
            }
            Ok(ready) if !ready.plan.has_changes() => {
                out.push(FileRun {
                    file,
                    result: Ok(Applied::NothingToDo),
                });
                continue;
            }
            Ok(ready) => ready,
        };
        if cancel.is_cancelled() {
            print_stdout(&format!(
                "\n{}Not started: apply was interrupted before this file's turn; nothing was changed in its project.\n",
                file_header(&file.display().to_string(), color)
            ))?;
            let failure = fail(&file, FilesError::NotStarted.into());
            out.push(FileRun {
                file,
                result: Err(failure),
            });
            continue;
        }
        let session = sessions
            .get(global, &file)
            .await
            .map_err(|e| Error::Session(Box::new(e)))?;
        let progress = progress_for(global, &ready.plan);
        progress.note(&format!(
            "Applying {} (project {:?})",
            file.display(),
            ready.plan.project.name
        ));
        if let Ok(mut p) = current.lock() {
            *p = Some(progress.clone());
        }
        let target = Target {
            loaded: &ready.loaded,
            live: &ready.live,
            journal: review_journal(&file, &ready.live, global.quiet),
        };
        let opts = options(session, global, args, target, progress, cancel.clone());
        let report = tokio::select! {
            report = execute(&session.client, &ready.plan, &opts) => report,
            () = interrupts.aborted() => return Err(Aborted.into()),
        };
        if let Ok(mut p) = current.lock() {
            *p = None;
        }
        let name = file.display().to_string();
        print_stdout(&format!(
            "\n{}{}",
            file_header(&name, color),
            report.render()
        ))?;
        let result = match ApplyError::from_report(&report) {
            None => Ok(Applied::Done),
            Some(err) => Err(fail(&file, err.into())),
        };
        out.push(FileRun { file, result });
    }
    Ok(out)
}

/// `3 files: 1 applied, 1 without changes, 1 failed.`
fn tally(runs: &[FileRun<Applied>]) -> Tally {
    let count = |want: Option<Applied>| {
        runs.iter()
            .filter(|r| r.result.as_ref().ok().copied() == want)
            .count()
    };
    Tally {
        total: runs.len(),
        parts: vec![
            (count(Some(Applied::Done)), "applied"),
            (count(Some(Applied::NothingToDo)), "without changes"),
            (count(None), "failed"),
        ],
    }
}
