//! `auraform apply [PLAN_FILE]`: load → fetch → plan (or load and re-check a saved
//! plan) → print → confirm → execute → report (docs/commands.md, docs/apply.md).
//!
//! stdout carries the plan and the final report; the prompt, progress and
//! diagnostics go to stderr. Without a plan file the plan is computed now and
//! confirmed (`yes` on a terminal, or `--auto-approve`); a saved plan was reviewed
//! when it was made and is applied without asking, unless aura.yaml or the live
//! project moved since, in which case nothing is changed and the error says what
//! moved. A saved plan is never executed from its own steps alone: the plan is made
//! again from the same (fresh) inputs and must say exactly what the file says, so an
//! edited file cannot send requests nobody reviewed. Exit 1 when any instance failed
//! or was interrupted. Several files are planned, confirmed once and applied in turn by
//! `apply_files`.

use std::path::Path;
use std::sync::Arc;

use super::apply_setup::{Target, ask, lock_all, options, progress_for, review_journal};
use super::approval::ApprovalError;
use super::error::Result;
use super::interrupt::{Aborted, Interrupts};
use super::outcome::Outcome;
use super::output::{print_stdout, stdout_color};
use super::session::Session;
use super::{apply_files, files, pipeline, saved_plan};
use crate::apply::{ApplyError, Cancel, execute};
use crate::cli::{ApplyArgs, GlobalArgs};
use crate::config::LoadedConfig;
use crate::plan::render::{Format, render};
use crate::plan::{Live, Plan, PlanError, PlanOptions, StaleReason};

/// Runs `apply`.
pub(super) async fn run(global: &GlobalArgs, args: &ApplyArgs) -> Result<Outcome> {
    if args.plan_file.is_some() && (!args.targets.is_empty() || args.prune) {
        return Err(ApprovalError::SavedPlanFlags.into());
    }
    let files = files::resolve(&global.files)?;
    if args.plan_file.is_some() {
        files::single(&files, "apply PLAN_FILE")?;
    }
    files::check_single_file_flags(files.len(), false, !args.targets.is_empty())?;
    let saved = match &args.plan_file {
        Some(path) => Some((path.as_path(), saved_plan::load(path)?)),
        None => None,
    };
    // Without -f, a saved plan is applied to the file it was made from.
    let files = match &saved {
        Some((_, plan)) => saved_plan::files_for(global, plan, files),
        None => files,
    };
    let [file] = files.as_slice() else {
        return apply_files::run(global, args, &files).await;
    };
    let loaded = pipeline::load(file)?;
    // Before the API is read: a second local run plans only once the first is done.
    let _lock = lock_all(global, args, files.as_slice()).await?;
    let session = pipeline::open(global, file).await?;
    let result = run_in(&session, global, args, (file, saved), loaded).await;
    session.close().await;
    result
}

/// The plan to carry out: the saved one if it is still fresh and says exactly what
/// its inputs give, else one computed now; and the live project it was checked
/// against. `file` is the aura.yaml `loaded` came from.
async fn the_plan(
    session: &Session,
    args: &ApplyArgs,
    (file, saved): (&Path, Option<(&Path, Plan)>),
    loaded: &LoadedConfig,
) -> Result<(Plan, Live)> {
    // A saved plan was made with its own --prune: fetch what it fetched.
    let prune = saved.as_ref().map_or(args.prune, |(_, s)| s.options.prune);
    let live = pipeline::observe(session, loaded, prune).await?;
    let desired = &loaded.desired;
    let Some((path, saved)) = saved else {
        let plan = crate::plan::plan(
            desired,
            &live,
            &PlanOptions::new(args.targets.clone(), args.prune),
        )
        .map_err(|e| pipeline::locate(loaded, e))?;
        return Ok((plan, live));
    };
    if saved.options.report_only {
        return Err(ApprovalError::ReportOnlyPlan.into());
    }
    crate::plan::check_fresh(&saved, &saved_plan::as_written(loaded, file), &live).map_err(
        |mut reason| {
            if let StaleReason::ConfigChanged { now, .. } = &mut reason {
                *now = Some(saved_plan::canonical(file));
            }
            PlanError::Stale { reason }
        },
    )?;
    let again = crate::plan::plan(desired, &live, &saved.options)
        .map_err(|e| pipeline::locate(loaded, e))?;
    crate::plan::check_unaltered(&saved, &again).map_err(|altered| PlanError::SavedAltered {
        path: path.to_owned(),
        altered,
    })?;
    Ok((again, live))
}

async fn run_in(
    session: &Session,
    global: &GlobalArgs,
    args: &ApplyArgs,
    source: (&Path, Option<(&Path, Plan)>),
    loaded: LoadedConfig,
) -> Result<Outcome> {
    let file = source.0;
    let (plan, live) = the_plan(session, args, source, &loaded).await?;
    let journal = review_journal(file, &live, global.quiet);
    print_stdout(&render(&plan, Format::Human, stdout_color(global.color)))?;
    if !plan.has_changes() {
        return Ok(Outcome::Success);
    }

    if args.plan_file.is_none() {
        ask(args.auto_approve).await?;
    }

    let cancel = Cancel::new();
    let progress = progress_for(global, &plan);
    let notice = Arc::new(progress.clone());
    let interrupts = Interrupts::listen(cancel.clone(), move |m| notice.note(m));
    let target = Target {
        loaded: &loaded,
        live: &live,
        journal,
    };
    let opts = options(session, global, args, target, progress, cancel);
    let report = tokio::select! {
        report = execute(&session.client, &plan, &opts) => report,
        () = interrupts.aborted() => return Err(Aborted.into()),
    };
    drop(interrupts);

    print_stdout(&format!("\n{}", report.render()))?;
    match ApplyError::from_report(&report) {
        None => Ok(Outcome::Success),
        Some(err) => Err(err.into()),
    }
}
