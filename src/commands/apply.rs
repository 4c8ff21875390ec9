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

use std::path::Path;
use std::sync::Arc;

use super::apply_setup::{
    Carry, Target, ask, check_protected, lock_all, options, progress_for, review_journal,
    show_plans,
};
use super::approval::ApprovalError;
use super::error::Result;
use super::interrupt::{Aborted, Interrupts};
use super::outcome::Outcome;
use super::session::Session;
use super::stdout::print_stdout;
use super::{apply_files, files, pipeline, saved_plan, teardown};
use crate::apply::report_json::{document, nothing_to_do, to_json};
use crate::apply::{ApplyError, Cancel, execute};
use crate::cli::{ApplyArgs, GlobalArgs, ReportFormat};
use crate::config::LoadedConfig;
use crate::plan::render::{Format, render};
use crate::plan::{Live, Plan, PlanError, StaleReason};

/// Runs `apply`.
pub(super) async fn run(global: &GlobalArgs, args: &ApplyArgs) -> Result<Outcome> {
    if args.plan_file.is_some() && (!args.targets.is_empty() || args.prune) {
        return Err(ApprovalError::SavedPlanFlags.into());
    }
    run_files(global, &Carry::apply(args), args.plan_file.as_deref()).await
}

/// `apply` or `destroy` (as `carry` says) over the files `-f` names; `plan_file` is a
/// saved plan to apply instead of planning now (one file only).
pub(super) async fn run_files(
    global: &GlobalArgs,
    carry: &Carry,
    plan_file: Option<&Path>,
) -> Result<Outcome> {
    let files = files::resolve(&global.files)?;
    if plan_file.is_some() {
        files::single(&files, "apply PLAN_FILE")?;
    }
    files::check_single_file_flags(files.len(), false, !carry.opts.targets.is_empty())?;
    let saved = match plan_file {
        Some(path) => Some((path, saved_plan::load(path)?)),
        None => None,
    };
    // Without -f, a saved plan is applied to the file it was made from.
    let files = match &saved {
        Some((_, plan)) => saved_plan::files_for(global, plan, files),
        None => files,
    };
    let [file] = files.as_slice() else {
        return apply_files::run(global, carry, &files).await;
    };
    let loaded = pipeline::load(file)?;
    // Before the API is read: a second local run plans only once the first is done.
    let _lock = lock_all(global, carry, files.as_slice()).await?;
    let session = pipeline::open(global, file).await?;
    let result = run_in(&session, global, carry, (file, saved), loaded).await;
    session.close().await;
    result
}

/// The plan to carry out: the saved one if it is still fresh and says exactly what
/// its inputs give, else one computed now; and the live project it was checked
/// against. `file` is the aura.yaml `loaded` came from.
async fn the_plan(
    session: &Session,
    carry: &Carry,
    (file, saved): (&Path, Option<(&Path, Plan)>),
    loaded: &LoadedConfig,
) -> Result<(Plan, Live)> {
    // A saved plan was made with its own options (--prune, a destroy): fetch what it
    // fetched.
    let opts = saved
        .as_ref()
        .map_or_else(|| carry.opts.clone(), |(_, s)| s.options.clone());
    let live = pipeline::observe(session, loaded, &opts).await?;
    let desired = &loaded.desired;
    let Some((path, saved)) = saved else {
        let plan =
            crate::plan::plan(desired, &live, &opts).map_err(|e| pipeline::locate(loaded, e))?;
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
    // Only what the plan's changes say is carried out: the steps are derived again
    // from the same inputs, and a file whose steps differ is refused.
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
    carry: &Carry,
    source: (&Path, Option<(&Path, Plan)>),
    loaded: LoadedConfig,
) -> Result<Outcome> {
    let (file, from_saved) = (source.0, source.1.is_some());
    let (plan, live) = the_plan(session, carry, source, &loaded).await?;
    let journal = review_journal(file, &live, global.quiet);
    let json = carry.format == ReportFormat::Json;
    show_plans(global, carry, |color| render(&plan, Format::Human, color))?;
    if !plan.has_changes() {
        if json {
            print_stdout(&to_json(&nothing_to_do(&plan)))?;
        }
        return Ok(Outcome::Success);
    }

    if !from_saved {
        ask(carry.consent, carry.auto_approve).await?;
    }
    check_protected(&plan, &loaded)?;

    let cancel = Cancel::new();
    let progress = progress_for(global, &plan);
    let notice = Arc::new(progress.clone());
    let interrupts = Interrupts::listen(cancel.clone(), move |m| notice.note(m));
    let target = Target {
        loaded: &loaded,
        live: &live,
        journal,
    };
    let opts = options(session, global, carry, target, progress, cancel);
    let mut report = tokio::select! {
        report = execute(&session.client, &plan, &opts) => report,
        () = interrupts.aborted() => return Err(Aborted.into()),
    };
    drop(interrupts);

    let after = if plan.options.destroy {
        teardown::finish(
            session,
            &loaded,
            &plan.options,
            &mut report,
            carry.remove_credentials,
        )
        .await
    } else {
        teardown::Finished::default()
    };
    if json {
        print_stdout(&to_json(&document(&report, &plan.project)))?;
    } else {
        print_stdout(&format!("\n{}{}", report.render(), after.text))?;
    }
    match ApplyError::from_report(&report) {
        None => after.into_result(),
        Some(err) => Err(err.into()),
    }
}
