//! [`ApplyOptions`]: how an apply runs, as the command (or a test) sets it.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use super::cancel::Cancel;
use super::journal::Journal;
use super::progress::{Progress, ProgressMode};
use super::sinks::Sinks;
use super::wait::Timeouts;

/// How an apply runs.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Instance chains in flight at once (`--parallelism`, default 10).
    pub parallelism: usize,
    /// Poll interval for one instance (`--poll-interval`); the client's request
    /// budget (`--rate-limit`), which polls share, widens it with more in flight.
    pub poll_interval: Duration,
    /// Per-step timeouts (`--timeout` replaces them all).
    pub timeouts: Timeouts,
    /// How long a just-created instance may answer 404 (docs/aura-api.md §9.3).
    pub not_found_grace: Duration,
    /// Where credentials of created instances go (aura.yaml `credentials:`).
    pub sinks: Sinks,
    /// Where each create is recorded while its password is not on disk yet
    /// (`.auraform/journal/` beside aura.yaml); `None` records nothing.
    pub journal: Option<Journal>,
    /// Every instance id of the project when the plan was made: an instance of a
    /// name this apply creates that is not among them was made by an overlapping run
    /// (docs/apply.md §16). The plan's own ids count as known too.
    pub known_ids: HashSet<String>,
    pub progress: Progress,
    /// Ctrl-C.
    pub cancel: Cancel,
}

impl ApplyOptions {
    /// Defaults for the real API: parallelism 10, a 5 s poll interval, the default
    /// timeouts, 60 s of 404 grace, no progress output, credentials to files in
    /// `credentials_dir` only.
    pub fn new(credentials_dir: impl Into<PathBuf>) -> Self {
        Self {
            parallelism: 10,
            poll_interval: Duration::from_secs(5),
            timeouts: Timeouts::default(),
            not_found_grace: Duration::from_secs(60),
            sinks: Sinks::file_only(credentials_dir),
            journal: None,
            known_ids: HashSet::new(),
            progress: Progress::new(ProgressMode::Hidden, []),
            cancel: Cancel::new(),
        }
    }
}
