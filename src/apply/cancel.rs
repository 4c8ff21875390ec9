//! Cancellation: what Ctrl-C means during an apply.
//!
//! The first interrupt flips a shared [`Cancel`] token. From then on no new step
//! starts and every poll loop stops at its next sleep, but an API call that is already
//! on the wire is allowed to finish — above all a `POST /instances`, whose response
//! carries the only copy of a password and must reach the credentials sink. The
//! executor then reports where every instance stands and the command exits 1; running
//! `apply` again converges because plans are computed from live state.
//!
//! A second interrupt exits at once, as Terraform does, with a warning that a
//! mutation may have been cut off (the Terraform provider before 0.0.4-beta ignored
//! Ctrl-C while polling; aura-cli cannot be interrupted cleanly at all — ANCHORS.md
//! §1.6, §2.3).

use std::sync::Arc;

use tokio::sync::watch;

/// A clonable cancellation flag that can be awaited.
#[derive(Clone, Debug)]
pub struct Cancel {
    tx: Arc<watch::Sender<bool>>,
}

impl Default for Cancel {
    fn default() -> Self {
        Self::new()
    }
}

impl Cancel {
    pub fn new() -> Self {
        let (tx, _rx) = watch::channel(false);
        Self { tx: Arc::new(tx) }
    }

    /// Requests cancellation. Idempotent.
    pub fn cancel(&self) {
        self.tx.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.tx.borrow()
    }

    /// Resolves once [`Cancel::cancel`] has been called (at once if it already was).
    pub async fn cancelled(&self) {
        let mut rx = self.tx.subscribe();
        // `wait_for` only errors when the sender is dropped, which cannot happen while
        // `self` holds it.
        let _ = rx.wait_for(|cancelled| *cancelled).await;
    }
}

/// What the Ctrl-C listener says on stderr (through the progress reporter, so that
/// live progress lines are not torn).
pub const FIRST_INTERRUPT_NOTICE: &str = "Interrupt received: no new steps will start; waiting for requests already sent to finish. \
     Press Ctrl-C again to exit at once (a request in flight may then be lost).";

/// Listens for SIGINT (Ctrl-C) for the rest of the process: the first one cancels
/// `cancel` and calls `notice`, the second exits the process with code 1.
///
/// Install it only once the user has confirmed: during the `yes` prompt the default
/// behaviour (the process ends, nothing has been changed) is the right one.
pub fn listen_for_ctrl_c(
    cancel: Cancel,
    notice: impl Fn(&str) + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            // No signal handling on this platform: nothing to listen for.
            return;
        }
        cancel.cancel();
        notice(FIRST_INTERRUPT_NOTICE);
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "Second interrupt: exiting now. An operation may still be running in Aura; \
                 run `auraform plan` to see where instances stand."
            );
            std::process::exit(i32::from(crate::EXIT_ERROR));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cancelled_resolves_for_every_clone() {
        let cancel = Cancel::new();
        let other = cancel.clone();
        assert!(!other.is_cancelled());
        let waiter = tokio::spawn(async move { other.cancelled().await });
        tokio::task::yield_now().await;
        cancel.cancel();
        waiter.await.unwrap();
        assert!(cancel.is_cancelled());
        // Already cancelled: resolves immediately.
        cancel.cancelled().await;
    }
}
