//! `auraform apply [PLAN_FILE]`: load → fetch → plan (or load and re-check a saved
//! plan) → print → confirm → execute → report (docs/commands.md, docs/apply.md).
//!
//! stdout carries the plan and the final report (with `--format json`, only the
//! report, as one JSON document, and the plan goes to stderr); the prompt, progress
//! and diagnostics go to stderr. Without a plan file the plan is computed now and
//! confirmed (`yes` on a terminal, or `--auto-approve`); a saved plan was reviewed
//! when it was made and is applied without asking, unless aura.yaml or the live
//! project moved since, in which case nothing is changed and the error says what
//! moved. Exit 1 when any instance failed or was interrupted. Several files are
//! planned, confirmed once and applied in turn by `apply_files`.

use std::sync::Arc;

use super::apply_setup::{ask, options, progress_for};
use super::approval::ApprovalError;
use super::error::Result;
use super::interrupt::{Aborted, Interrupts};
use super::outcome::Outcome;
use super::session::Session;
use super::stdout::print_stdout;
use super::{apply_files, apply_setup, files, pipeline, saved_plan};
use crate::apply::report_json::{document, to_json};
use crate::apply::{ApplyError, ApplyReport, Cancel, execute};
use crate::cli::{ApplyArgs, GlobalArgs, ReportFormat};
use crate::config::LoadedConfig;
use crate::plan::render::{Format, render};
use crate::plan::{Plan, PlanError, PlanOptions};

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
    let [file] = files.as_slice() else {
        return apply_files::run(global, args, &files).await;
    };
    let loaded = pipeline::load(file)?;
    let session = pipeline::open(global, file).await?;
    let result = run_in(&session, global, args, loaded).await;
    session.close().await;
    result
}

/// The plan to carry out: the saved one if it is still fresh, else one computed now.
async fn the_plan(session: &Session, args: &ApplyArgs, loaded: &LoadedConfig) -> Result<Plan> {
    let saved = match &args.plan_file {
        Some(path) => Some(saved_plan::load(path)?),
        None => None,
    };
    // A saved plan was made with its own --prune: fetch what it fetched.
    let prune = saved.as_ref().map_or(args.prune, |s| s.options.prune);
    let live = pipeline::observe(session, loaded, prune).await?;
    let desired = &loaded.desired;
    match saved {
        Some(saved) => {
            if saved.options.report_only {
                return Err(ApprovalError::ReportOnlyPlan.into());
            }
            crate::plan::check_fresh(&saved, desired, &live)
                .map_err(|reason| PlanError::Stale { reason })?;
            Ok(saved)
        }
        None => crate::plan::plan(
            desired,
            &live,
            &PlanOptions::new(args.targets.clone(), args.prune),
        )
        .map_err(|e| pipeline::locate(loaded, e)),
    }
}

async fn run_in(
    session: &Session,
    global: &GlobalArgs,
    args: &ApplyArgs,
    loaded: LoadedConfig,
) -> Result<Outcome> {
    let plan = the_plan(session, args, &loaded).await?;
    let json = args.format == ReportFormat::Json;
    apply_setup::show_plans(global, args, |color| render(&plan, Format::Human, color))?;
    if !plan.has_changes() {
        if json {
            print_stdout(&to_json(&document(&ApplyReport::default(), &plan.project)))?;
        }
        return Ok(Outcome::Success);
    }

    if args.plan_file.is_none() {
        ask(args.auto_approve).await?;
    }

    let cancel = Cancel::new();
    let progress = progress_for(global, &plan);
    let notice = Arc::new(progress.clone());
    let interrupts = Interrupts::listen(cancel.clone(), move |m| notice.note(m));
    let opts = options(session, global, args, &loaded, progress, cancel);
    let report = tokio::select! {
        report = execute(&session.client, &plan, &opts) => report,
        () = interrupts.aborted() => return Err(Aborted.into()),
    };
    drop(interrupts);

    if json {
        print_stdout(&to_json(&document(&report, &plan.project)))?;
    } else {
        print_stdout(&format!("\n{}", report.render()))?;
    }
    match ApplyError::from_report(&report) {
        None => Ok(Outcome::Success),
        Some(err) => Err(err.into()),
    }
}
