//! How long each kind of step may take before its wait gives up.

use std::time::Duration;

use crate::plan::StepAction;

/// Per-step timeouts, one per [`StepAction`]. Defaults are generous multiples of
/// what Aura takes at speed 1 (create ~2–5 min, resize ~1.5 min, pause ~1 min,
/// delete ~30 s): long enough never to abandon a healthy operation, short enough
/// that a stuck one is reported the same day. `--timeout` replaces all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub create: Duration,
    pub update: Duration,
    pub upgrade: Duration,
    pub pause: Duration,
    pub resume: Duration,
    pub delete: Duration,
    /// Waiting for an instance that was already busy when the plan was made.
    pub wait: Duration,
    /// A restore point, until the snapshot is `Completed`.
    pub snapshot: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        const MIN: u64 = 60;
        Self {
            create: Duration::from_secs(15 * MIN),
            update: Duration::from_secs(15 * MIN),
            upgrade: Duration::from_secs(15 * MIN),
            pause: Duration::from_secs(10 * MIN),
            resume: Duration::from_secs(10 * MIN),
            delete: Duration::from_secs(10 * MIN),
            wait: Duration::from_secs(15 * MIN),
            snapshot: Duration::from_secs(15 * MIN),
        }
    }
}

impl Timeouts {
    /// The same timeout for every kind of step (`--timeout`).
    pub fn uniform(timeout: Duration) -> Self {
        Self {
            create: timeout,
            update: timeout,
            upgrade: timeout,
            pause: timeout,
            resume: timeout,
            delete: timeout,
            wait: timeout,
            snapshot: timeout,
        }
    }

    /// The defaults, or `--timeout` for everything when given.
    pub fn with_override(timeout: Option<Duration>) -> Self {
        timeout.map_or_else(Self::default, Self::uniform)
    }

    /// The timeout of a step with this action.
    pub fn for_action(&self, action: StepAction) -> Duration {
        match action {
            StepAction::Create => self.create,
            StepAction::Update => self.update,
            StepAction::Upgrade => self.upgrade,
            StepAction::Pause => self.pause,
            StepAction::Resume => self.resume,
            StepAction::Delete => self.delete,
            StepAction::Wait => self.wait,
            StepAction::Snapshot => self.snapshot,
        }
    }
}
