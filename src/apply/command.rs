//! `auraform apply [PLAN_FILE]`: load → fetch → plan (or load and re-check a saved
//! plan) → print → confirm → execute → report (DESIGN.md §2, §5).
//!
//! stdout carries the plan and the final report; the prompt, progress and
//! diagnostics go to stderr. Without a plan file the plan is computed now and
//! confirmed (`yes` on a terminal, or `--auto-approve`); a saved plan was reviewed
//! when it was made and is applied without asking, unless aura.yaml or the live
//! project moved since, in which case nothing is changed and the error says what
//! moved. Exit 1 when any instance failed or was interrupted.

use std::sync::Arc;

use super::cancel::{Cancel, listen_for_ctrl_c};
use super::confirm::{confirm, is_interactive};
use super::error::ApplyError;
use super::executor::{ApplyOptions, execute};
use super::progress::{Progress, ProgressMode};
use super::wait::Timeouts;
use crate::cli::{ApplyArgs, Format, GlobalArgs};
use crate::commands::Outcome;
use crate::config::LoadedConfig;
use crate::error::{Error, Result};
use crate::output::{print_stdout, stdout_color};
use crate::pipeline;
use crate::plan::{PlanError, PlanOptions};
use crate::session::Session;

/// Runs `apply`.
pub async fn run(global: &GlobalArgs, args: &ApplyArgs) -> Result<Outcome> {
    if args.plan_file.is_some() && (!args.targets.is_empty() || args.prune) {
        return Err(ApplyError::SavedPlanFlags.into());
    }
    let loaded = pipeline::load(&global.file)?;
    let session = pipeline::open(global).await?;
    let result = run_in(&session, global, args, loaded).await;
    session.close().await;
    result
}

async fn run_in(
    session: &Session,
    global: &GlobalArgs,
    args: &ApplyArgs,
    offline: LoadedConfig,
) -> Result<Outcome> {
    let saved = match &args.plan_file {
        Some(path) => Some(crate::plan::load(path)?),
        None => None,
    };
    // A saved plan was made with its own --prune: fetch what it fetched.
    let prune = saved.as_ref().map_or(args.prune, |s| s.options.prune);
    let (loaded, live) = pipeline::observe(session, &global.file, offline, prune).await?;
    let desired = &loaded.desired;
    let plan = match saved {
        Some(saved) => {
            if saved.options.report_only {
                return Err(ApplyError::ReportOnlyPlan.into());
            }
            crate::plan::check_fresh(&saved, desired, &live)
                .map_err(|reason| PlanError::Stale { reason })?;
            saved
        }
        None => crate::plan::plan(
            desired,
            &live,
            &PlanOptions::new(args.targets.clone(), args.prune),
        )
        .map_err(|e| pipeline::locate(&loaded, e))?,
    };

    print_stdout(&crate::plan::render::render(
        &plan,
        Format::Human,
        stdout_color(global.color),
    ))?;
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
    let listener = listen_for_ctrl_c(cancel.clone(), move |m| notice.note(m));
    let mut opts = ApplyOptions::new(desired.credentials_dir.clone());
    opts.parallelism = usize::from(args.parallelism);
    opts.poll_interval = session.poll_interval;
    opts.rate = session.rate;
    opts.timeouts = Timeouts::with_override(global.timeout.map(|d| d.0));
    opts.progress = progress;
    opts.cancel = cancel;
    let report = execute(&session.client, &plan, &opts).await;
    listener.abort();

    print_stdout(&format!("\n{}", report.render()))?;
    match ApplyError::from_report(&report) {
        None => Ok(Outcome::Success),
        Some(err) => Err(err.into()),
    }
}
