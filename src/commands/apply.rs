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
//! or was interrupted.

use std::path::Path;
use std::sync::Arc;

use super::approval::{ApprovalError, confirm, is_interactive};
use super::error::{Error, Result};
use super::interrupt::{Aborted, Interrupts};
use super::outcome::Outcome;
use super::output::{print_stdout, stdout_color};
use super::session::Session;
use super::{pipeline, saved_plan};
use crate::apply::{ApplyError, ApplyOptions, Cancel, Progress, ProgressMode, Timeouts, execute};
use crate::cli::{ApplyArgs, GlobalArgs};
use crate::config::LoadedConfig;
use crate::plan::render::{Format, render};
use crate::plan::{Plan, PlanError, PlanOptions, StaleReason};

/// Runs `apply`.
pub(super) async fn run(global: &GlobalArgs, args: &ApplyArgs) -> Result<Outcome> {
    if args.plan_file.is_some() && (!args.targets.is_empty() || args.prune) {
        return Err(ApprovalError::SavedPlanFlags.into());
    }
    let saved = match &args.plan_file {
        Some(path) => Some((path.as_path(), saved_plan::load(path)?)),
        None => None,
    };
    let global = &match &saved {
        Some((_, plan)) => saved_plan::global_for(global, plan),
        None => global.clone(),
    };
    let loaded = pipeline::load(global.file())?;
    let session = pipeline::open(global).await?;
    let result = run_in(&session, global, args, saved, loaded).await;
    session.close().await;
    result
}

/// The plan to carry out: the saved one if it is still fresh and says exactly what
/// its inputs give, else one computed now.
async fn the_plan(
    session: &Session,
    global: &GlobalArgs,
    args: &ApplyArgs,
    saved: Option<(&Path, Plan)>,
    loaded: &LoadedConfig,
) -> Result<Plan> {
    // A saved plan was made with its own --prune: fetch what it fetched.
    let prune = saved.as_ref().map_or(args.prune, |(_, s)| s.options.prune);
    let live = pipeline::observe(session, loaded, prune).await?;
    let desired = &loaded.desired;
    let Some((path, saved)) = saved else {
        return crate::plan::plan(
            desired,
            &live,
            &PlanOptions::new(args.targets.clone(), args.prune),
        )
        .map_err(|e| pipeline::locate(loaded, e));
    };
    if saved.options.report_only {
        return Err(ApprovalError::ReportOnlyPlan.into());
    }
    let file = global.file();
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
    Ok(again)
}

async fn run_in(
    session: &Session,
    global: &GlobalArgs,
    args: &ApplyArgs,
    saved: Option<(&Path, Plan)>,
    loaded: LoadedConfig,
) -> Result<Outcome> {
    let plan = the_plan(session, global, args, saved, &loaded).await?;
    print_stdout(&render(&plan, Format::Human, stdout_color(global.color)))?;
    if !plan.has_changes() {
        return Ok(Outcome::Success);
    }

    if args.plan_file.is_none() {
        let auto_approve = args.auto_approve;
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
    }

    let cancel = Cancel::new();
    let progress = Progress::new(
        ProgressMode::detect(global.quiet),
        plan.changes.iter().map(|c| c.name.as_str()),
    );
    let notice = Arc::new(progress.clone());
    let interrupts = Interrupts::listen(cancel.clone(), move |m| notice.note(m));
    let mut opts = ApplyOptions::new(loaded.desired.credentials_dir.clone());
    opts.parallelism = usize::from(args.parallelism);
    opts.poll_interval = session.poll_interval;
    opts.timeouts = Timeouts::with_override(global.timeout.map(|d| d.0));
    opts.progress = progress;
    opts.cancel = cancel;
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
