//! `auraform apply` over several files (docs/commands.md §12): every file is planned
//! first and every plan printed, then ONE confirmation covers them all, then each
//! project is applied in turn with the run's one request budget. A file that fails to
//! plan or to apply is reported and the others go on; the run exits 1 if any failed.
//! Ctrl-C stops the project in progress as it would alone, and no later project
//! starts; a second Ctrl-C exits at once. With `--format json` stdout is one
//! several-files document holding each file's apply report (what `apply --format
//! json` prints for that file alone) or its error, and the plans go to stderr.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::apply_setup::{
    Carry, Target, ask, check_protected, lock_all, options, progress_for, review_journal,
    show_plans,
};
use super::error::{Error, Result};
use super::files::FilesError;
use super::interrupt::{Aborted, Interrupts};
use super::outcome::Outcome;
use super::pipeline::Planned;
use super::projects::{self, FileRun, fail};
use super::session::{Session, Sessions};
use super::stdout::{print_stdout, stdout_color};
use super::teardown;
use crate::apply::report_json::{ReportDocument, document, nothing_to_do};
use crate::apply::{ApplyError, Cancel, Progress, execute};
use crate::cli::{GlobalArgs, ReportFormat};
use crate::config::LoadedConfig;
use crate::plan::DocumentKind;
use crate::plan::files::{Failure, FileDocument, FileOutcome};
use crate::plan::render::files::{Tally, file_header, files_human, files_json, summary_line};

/// How a file's apply ended, when it did not fail.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Applied {
    Done,
    NothingToDo,
}

/// How one file of the run ended, with its apply report when it got as far as one.
enum End {
    /// Applied, or nothing to do.
    Ok(Applied, ReportDocument),
    /// Applied, and something failed or was interrupted (shown on stderr).
    Failed(ReportDocument, Failure),
    /// Never applied: it failed to plan, or was not started (shown on stderr).
    NotApplied(Failure),
}

/// One file of the run, once it is over.
struct Finished {
    file: PathBuf,
    end: End,
}

impl Finished {
    fn run(self) -> FileRun<Applied> {
        let result = match self.end {
            End::Ok(applied, _) => Ok(applied),
            End::Failed(_, failure) | End::NotApplied(failure) => Err(failure),
        };
        FileRun {
            file: self.file,
            result,
        }
    }

    /// Its entry in the JSON document: its report whenever it has one (exit 1 when its
    /// apply failed, as alone), else its error.
    fn entry(&self) -> FileDocument<&ReportDocument> {
        let (exit_code, outcome) = match &self.end {
            End::Ok(_, report) => (crate::EXIT_OK, FileOutcome::Report(report)),
            End::Failed(report, _) => (crate::EXIT_ERROR, FileOutcome::Report(report)),
            End::NotApplied(failure) => (crate::EXIT_ERROR, FileOutcome::Error(failure.clone())),
        };
        FileDocument {
            file: self.file.display().to_string(),
            exit_code,
            outcome,
        }
    }
}

/// A planned file whose plan has no changes, or that failed to plan.
fn unapplied(run: FileRun<Planned>) -> Finished {
    let end = match run.result {
        Ok(p) => End::Ok(Applied::NothingToDo, nothing_to_do(&p.plan)),
        Err(failure) => End::NotApplied(failure),
    };
    Finished {
        file: run.file,
        end,
    }
}

pub(super) async fn run(global: &GlobalArgs, carry: &Carry, files: &[PathBuf]) -> Result<Outcome> {
    let loaded = projects::load_all(files);
    let _locks = lock_all(global, carry, files).await?;
    let mut sessions = Sessions::default();
    let result = run_in(&mut sessions, global, carry, loaded).await;
    sessions.close().await;
    result
}

async fn run_in(
    sessions: &mut Sessions,
    global: &GlobalArgs,
    carry: &Carry,
    loaded: Vec<FileRun<LoadedConfig>>,
) -> Result<Outcome> {
    let planned = projects::plan_loaded(sessions, global, loaded, &carry.opts).await?;
    let names: Vec<String> = planned.iter().map(FileRun::name).collect();
    let sections = projects::sections(&planned, &names);
    show_plans(global, carry, |color| {
        files_human(&sections, DocumentKind::Plan, color)
    })?;
    let any_changes = planned
        .iter()
        .any(|r| r.result.as_ref().is_ok_and(|r| r.plan.has_changes()));
    let finished = if any_changes {
        ask(carry.consent, carry.auto_approve).await?;
        apply_all(sessions, global, carry, planned).await?
    } else {
        planned.into_iter().map(unapplied).collect()
    };
    let json = carry.format == ReportFormat::Json;
    if json {
        print_stdout(&files_json(&projects::files_document(
            finished.iter().map(Finished::entry).collect(),
        )))?;
    }
    let runs: Vec<FileRun<Applied>> = finished.into_iter().map(Finished::run).collect();
    if any_changes && !json {
        print_stdout(&format!(
            "\n{}\n",
            summary_line(&tally(&runs, carry.opts.destroy))
        ))?;
    }
    projects::finish(&runs, |_| Outcome::Success)
}

/// Applies each ready plan that has changes, in turn, under one Ctrl-C listener.
async fn apply_all(
    sessions: &mut Sessions,
    global: &GlobalArgs,
    carry: &Carry,
    planned: Vec<FileRun<Planned>>,
) -> Result<Vec<Finished>> {
    let color = stdout_color(global.color);
    let json = carry.format == ReportFormat::Json;
    let verb = if carry.opts.destroy {
        "destroy"
    } else {
        "apply"
    };
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
        let ready = match run.result {
            Ok(ready) if ready.plan.has_changes() => ready,
            result => {
                out.push(unapplied(FileRun {
                    file: run.file,
                    result,
                }));
                continue;
            }
        };
        let file = run.file;
        if cancel.is_cancelled() {
            // With --format json stdout is the document alone; the diagnostic on
            // stderr says the same.
            if !json {
                print_stdout(&format!(
                    "\n{}Not started: {verb} was interrupted before this file's turn; nothing was changed in its project.\n",
                    file_header(&file.display().to_string(), color)
                ))?;
            }
            let failure = fail(&file, FilesError::NotStarted.into());
            out.push(Finished {
                file,
                end: End::NotApplied(failure),
            });
            continue;
        }
        let session = sessions
            .get(global, &file)
            .await
            .map_err(|e| Error::Session(Box::new(e)))?;
        if let Err(e) = check_protected(&ready.plan, &ready.loaded) {
            let failure = fail(&file, e);
            out.push(Finished {
                file,
                end: End::NotApplied(failure),
            });
            continue;
        }
        let shared = Shared {
            global,
            carry,
            cancel: &cancel,
            current: &current,
            interrupts: &interrupts,
        };
        let end = apply_one(&shared, session, &ready, &file).await?;
        out.push(Finished { file, end });
    }
    Ok(out)
}

/// What every project's turn of a run shares.
struct Shared<'a> {
    global: &'a GlobalArgs,
    carry: &'a Carry,
    cancel: &'a Cancel,
    /// The progress of the project being applied, for the Ctrl-C notice.
    current: &'a Mutex<Option<Progress>>,
    interrupts: &'a Interrupts,
}

/// One project's turn: execute its plan, finish a destroy, print its report under its
/// header (unless `--format json`). `Err` ends the run (a second Ctrl-C, stdout
/// closed).
async fn apply_one(
    shared: &Shared<'_>,
    session: &Session,
    ready: &Planned,
    file: &Path,
) -> Result<End> {
    let (global, carry) = (shared.global, shared.carry);
    let progress = progress_for(global, &ready.plan);
    progress.note(&format!(
        "{} {} (project {:?})",
        if carry.opts.destroy {
            "Destroying"
        } else {
            "Applying"
        },
        file.display(),
        ready.plan.project.name
    ));
    if let Ok(mut p) = shared.current.lock() {
        *p = Some(progress.clone());
    }
    let target = Target {
        loaded: &ready.loaded,
        live: &ready.live,
        journal: review_journal(file, &ready.live, global.quiet),
    };
    let opts = options(
        session,
        global,
        carry,
        target,
        progress,
        shared.cancel.clone(),
    );
    let mut report = tokio::select! {
        report = execute(&session.client, &ready.plan, &opts) => report,
        () = shared.interrupts.aborted() => return Err(Aborted.into()),
    };
    if let Ok(mut p) = shared.current.lock() {
        *p = None;
    }
    let after = if ready.plan.options.destroy {
        teardown::finish(
            session,
            &ready.loaded,
            &ready.plan.options,
            &mut report,
            carry.remove_credentials,
        )
        .await
    } else {
        teardown::Finished::default()
    };
    if carry.format != ReportFormat::Json {
        let name = file.display().to_string();
        print_stdout(&format!(
            "\n{}{}{}",
            file_header(&name, stdout_color(global.color)),
            report.render(),
            after.text
        ))?;
    }
    let doc = document(&report, &ready.plan.project);
    Ok(match ApplyError::from_report(&report) {
        None => match after.into_result() {
            Ok(_) => End::Ok(Applied::Done, doc),
            Err(e) => End::Failed(doc, fail(file, e)),
        },
        Some(err) => End::Failed(doc, fail(file, err.into())),
    })
}

/// `3 files: 1 applied, 1 without changes, 1 failed.` (`destroyed` for a destroy)
fn tally(runs: &[FileRun<Applied>], destroy: bool) -> Tally {
    let count = |want: Option<Applied>| {
        runs.iter()
            .filter(|r| r.result.as_ref().ok().copied() == want)
            .count()
    };
    Tally {
        total: runs.len(),
        parts: vec![
            (
                count(Some(Applied::Done)),
                if destroy { "destroyed" } else { "applied" },
            ),
            (count(Some(Applied::NothingToDo)), "without changes"),
            (count(None), "failed"),
        ],
    }
}
