//! Ctrl-C during `apply`. The first interrupt cancels the executor's [`Cancel`] token:
//! no new step starts, calls already on the wire finish (above all a create, whose
//! response carries the only copy of a password), and the report says where every
//! instance stands. A second interrupt stops at once, as Terraform does, with a warning
//! that a mutation may have been cut off: the command drops the executor and returns
//! [`Aborted`], so the session still closes (the embedded emulator writes its world)
//! and the process exits 1 through the normal path. The Terraform provider before
//! 0.0.4-beta ignored Ctrl-C while polling; aura-cli cannot be interrupted cleanly at
//! all (docs/prior-art.md §1.6, §2.3).

use miette::Diagnostic;
use thiserror::Error;
use tokio::task::JoinHandle;

use crate::apply::Cancel;

/// What the listener says on stderr after the first interrupt.
const FIRST_INTERRUPT_NOTICE: &str = "Interrupt received: no new steps will start; waiting for requests already sent to finish. \
     Press Ctrl-C again to exit at once (a request in flight may then be lost).";

/// A second Ctrl-C stopped `apply` without waiting.
#[derive(Debug, Error, Diagnostic)]
#[error("second interrupt: apply stopped at once; an operation may still be running in Aura")]
#[diagnostic(
    code(auraform::apply::aborted),
    help("run `auraform plan` to see where instances stand; `auraform apply` again converges")
)]
pub(crate) struct Aborted;

/// Listens for SIGINT for as long as it lives.
pub(super) struct Interrupts {
    abort: Cancel,
    task: JoinHandle<()>,
}

impl Interrupts {
    /// Starts listening: the first interrupt cancels `cancel` and calls `notice`, the
    /// second resolves [`Interrupts::aborted`].
    ///
    /// Start it only once the user has confirmed: during the `yes` prompt the default
    /// behaviour (the process ends, nothing has been changed) is the right one.
    pub(super) fn listen(cancel: Cancel, notice: impl Fn(&str) + Send + 'static) -> Self {
        let abort = Cancel::new();
        let second = abort.clone();
        let task = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                // No signal handling on this platform: nothing to listen for.
                return;
            }
            cancel.cancel();
            notice(FIRST_INTERRUPT_NOTICE);
            if tokio::signal::ctrl_c().await.is_ok() {
                second.cancel();
            }
        });
        Self { abort, task }
    }

    /// Resolves on the second interrupt.
    pub(super) async fn aborted(&self) {
        self.abort.cancelled().await;
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        self.task.abort();
    }
}
