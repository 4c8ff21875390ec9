//! What `apply` does between a plan and the executor, for one file or several: ask
//! for confirmation, and set the executor up from the flags, the session and the
//! file's credentials sinks.

use super::approval::{confirm, is_interactive};
use super::error::{Error, Result};
use super::session::Session;
use super::stdout::{print_stderr, print_stdout, stderr_color, stdout_color};
use crate::apply::{ApplyOptions, Cancel, Progress, ProgressMode, Sinks, Timeouts};
use crate::cli::{ApplyArgs, GlobalArgs, ReportFormat};
use crate::config::LoadedConfig;
use crate::plan::Plan;

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

/// Shows the plan (or the plans of several files) that `apply` is about to carry out,
/// as `text(color)` renders it: on stdout, or with `--format json` on stderr, since
/// stdout is then the report alone — where people look, and even with `-q` when a
/// person is about to be asked to approve it.
pub(super) fn show_plans(
    global: &GlobalArgs,
    args: &ApplyArgs,
    text: impl FnOnce(bool) -> String,
) -> Result<()> {
    if args.format == ReportFormat::Json {
        let will_ask = args.plan_file.is_none() && !args.auto_approve;
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

/// How the executor runs the plan of `loaded`: the flags, this API's poll interval,
/// the file's credentials sinks (docs/apply.md §10).
pub(super) fn options(
    session: &Session,
    global: &GlobalArgs,
    args: &ApplyArgs,
    loaded: &LoadedConfig,
    progress: Progress,
    cancel: Cancel,
) -> ApplyOptions {
    let desired = &loaded.desired;
    let mut opts = ApplyOptions::new(desired.credentials_dir.clone());
    opts.sinks = Sinks {
        dir: desired.credentials_dir.clone(),
        file: desired.credentials_file,
        command: desired.credentials_command.clone(),
    };
    opts.parallelism = usize::from(args.parallelism);
    opts.poll_interval = session.poll_interval;
    opts.timeouts = Timeouts::with_override(global.timeout.map(|d| d.0));
    opts.progress = progress;
    opts.cancel = cancel;
    opts
}
