//! The state every request shares — the world, tokens, rate limiter, faults, stats, the
//! state-file saver — and [`lock`]. It lives apart from `mod.rs` so the handlers and the
//! gateway can reach it without importing the module root that starts them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use super::auth::Tokens;
use super::faults::Faults;
use super::limits::Limiter;
use super::persist::Persister;
use super::stats::Stats;
use super::world::World;

/// Locks a mutex, shrugging off poisoning: every critical section leaves the state
/// consistent, so a panic elsewhere is no reason to stop serving.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// State shared by every request.
pub(crate) struct SharedState {
    world: Mutex<World>,
    pub(crate) tokens: Mutex<Tokens>,
    pub(crate) limiter: Mutex<Limiter>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) stats: Mutex<Stats>,
    pub(crate) token_type: String,
    persister: OnceLock<Persister>,
    requests: AtomicU64,
}

impl SharedState {
    /// Fresh shared state around `world`: no stats, no requests yet, no saver (see
    /// [`SharedState::attach_persister`]).
    pub(crate) fn new(
        world: World,
        tokens: Tokens,
        limiter: Limiter,
        faults: Faults,
        token_type: String,
    ) -> Self {
        Self {
            world: Mutex::new(world),
            tokens: Mutex::new(tokens),
            limiter: Mutex::new(limiter),
            faults: Mutex::new(faults),
            stats: Mutex::new(Stats::default()),
            token_type,
            persister: OnceLock::new(),
            requests: AtomicU64::new(0),
        }
    }

    /// Attaches the `--state` saver once serving starts; a second one is ignored.
    pub(crate) fn attach_persister(&self, persister: Persister) {
        let _ = self.persister.set(persister);
    }

    /// The world, with every operation due by now completed.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        let mut w = lock(&self.world);
        let now = w.now();
        if w.advance(now) {
            self.changed();
        }
        w
    }

    /// After a request may have changed the world (the gateway calls this for every
    /// successful POST/PATCH/DELETE): with `--state`, save it before answering, so
    /// whatever a client saw acknowledged survives a restart (the `--emulator` runs of
    /// `plan`, `apply`, `plan` are separate processes). Clock-driven changes need no such
    /// care: they follow from the saved due times.
    pub(crate) async fn commit(&self) {
        if let Some(p) = self.persister.get()
            && let Err(e) = p.flush().await
        {
            if let Some(cause) = std::error::Error::source(&e) {
                tracing::warn!("{e}: {cause}");
            } else {
                tracing::warn!("{e}");
            }
        }
    }

    /// Marks the world changed (saved soon when `--state` is set).
    pub(crate) fn changed(&self) {
        if let Some(p) = self.persister.get() {
            p.mark_dirty();
        }
    }

    /// A request id in the gateway's style: 32 hex, `/`, a decimal sequence number.
    pub(crate) fn next_request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        format!("{}/{n}", uuid::Uuid::new_v4().simple())
    }
}
