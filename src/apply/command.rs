//! `auraform apply [PLAN_FILE]`: load → fetch → plan (or load and re-check a saved
//! plan) → print → confirm → execute → report (DESIGN.md §2, §5).
//!
//! stdout carries the plan and the final report; the prompt, progress and
//! diagnostics go to stderr. Without a plan file the plan is computed now and
//! confirmed (`yes` on a terminal, or `--auto-approve`); a saved plan was reviewed
//! when it was made and is applied without asking, unless aura.yaml or the live
//! project moved since, in which case nothing is changed and the error says what
//! moved. Exit 1 when any instance failed or was interrupted.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use super::cancel::{Cancel, listen_for_ctrl_c};
use super::confirm::{confirm, is_interactive};
use super::error::ApplyError;
use super::executor::{ApplyOptions, execute};
use super::progress::{Progress, ProgressMode};
use super::wait::Timeouts;
use crate::api::wire::InstanceSummary;
use crate::cli::{ApplyArgs, ColorChoice, Format, GlobalArgs};
use crate::commands::Outcome;
use crate::config::{Desired, LoadedConfig};
use crate::error::{Error, Result};
use crate::plan::{Live, PlanError, PlanOptions};
use crate::session::Session;

/// Runs `apply`.
pub async fn run(global: &GlobalArgs, args: &ApplyArgs) -> Result<Outcome> {
    if args.plan_file.is_some() && (!args.targets.is_empty() || args.prune) {
        return Err(ApplyError::SavedPlanFlags.into());
    }
    let loaded = crate::config::load(&global.file, &crate::config::process_env)?;
    let config_dir = global
        .file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let session = Session::open(global, config_dir)
        .await
        .map_err(|e| Error::Session(Box::new(e)))?;
    let result = run_in(&session, global, args, &loaded).await;
    session.close().await;
    result
}

/// The instances whose details a plan needs: those aura.yaml declares by name or
/// pins by id. `plan`, `drift` and `apply` must fetch the same set, or a saved plan's
/// live fingerprint would not match.
pub fn declared(desired: &Desired) -> impl Fn(&InstanceSummary) -> bool + '_ {
    move |s| {
        desired
            .instances
            .values()
            .any(|d| d.name == s.name || d.id.as_deref() == Some(s.id.as_str()))
    }
}

/// Whether stdout gets colour.
fn stdout_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn print_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| Error::Io {
            context: "cannot write to stdout".to_owned(),
            source,
        })
}

async fn run_in(
    session: &Session,
    global: &GlobalArgs,
    args: &ApplyArgs,
    loaded: &LoadedConfig,
) -> Result<Outcome> {
    let desired = &loaded.desired;
    let saved = match &args.plan_file {
        Some(path) => Some(crate::plan::load(path)?),
        None => None,
    };
    let snapshot = session
        .client
        .fetch_snapshot(&desired.project, declared(desired))
        .await
        .map_err(|e| Error::Session(Box::new(e.into())))?;
    crate::config::validate_online(loaded, &snapshot.tenant.instance_configurations)?;
    let live = Live::from_snapshot(&snapshot);
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
        )?,
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
