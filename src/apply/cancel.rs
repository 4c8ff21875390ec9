//! Cancellation: what Ctrl-C means during an apply.
//!
//! The first interrupt flips a shared [`Cancel`] token. From then on no new step
//! starts and every poll loop stops at its next sleep, but an API call that is already
//! on the wire is allowed to finish — above all a `POST /instances`, whose response
//! carries the only copy of a password and must reach the credentials sink. The
//! executor then reports where every instance stands and the command exits 1; running
//! `apply` again converges because plans are computed from live state.
//!
//! The token is all the executor knows of Ctrl-C; listening for the signal is the
//! command's (`commands::interrupt`).

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
