//! What `apply` does between a plan and the executor, for one file or several: ask
//! for confirmation, and set the executor up from the flags, the session and the
//! file's credentials sink.

use super::approval::{confirm, is_interactive};
use super::error::{Error, Result};
use super::session::Session;
use crate::apply::{ApplyOptions, Cancel, Progress, ProgressMode, Timeouts};
use crate::cli::{ApplyArgs, GlobalArgs};
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

/// The progress reporter of one plan's apply (stderr; none with `-q` on no terminal).
pub(super) fn progress_for(global: &GlobalArgs, plan: &Plan) -> Progress {
    Progress::new(
        ProgressMode::detect(global.quiet),
        plan.changes.iter().map(|c| c.name.as_str()),
    )
}

/// How the executor runs the plan of `loaded`: the flags, this API's poll interval,
/// the file's credentials sink.
pub(super) fn options(
    session: &Session,
    global: &GlobalArgs,
    args: &ApplyArgs,
    loaded: &LoadedConfig,
    progress: Progress,
    cancel: Cancel,
) -> ApplyOptions {
    let mut opts = ApplyOptions::new(loaded.desired.credentials_dir.clone());
    opts.parallelism = usize::from(args.parallelism);
    opts.poll_interval = session.poll_interval;
    opts.timeouts = Timeouts::with_override(global.timeout.map(|d| d.0));
    opts.progress = progress;
    opts.cancel = cancel;
    opts
}
