//! Why a wait, or a step around it, did not complete; its text is the step's
//! failure reason in the report.

use std::fmt;
use std::time::Duration;

/// Why a wait (or a step around it) did not complete.
#[derive(Debug)]
pub enum WaitError<E> {
    /// The expectation did not hold within the step's timeout.
    TimedOut {
        /// The step's timeout (what `--timeout` set): the time the wait was given,
        /// not the few milliseconds more it took to notice.
        after: Duration,
        expected: &'static str,
        last_seen: Option<String>,
    },
    /// An observation that waiting cannot fix.
    Unexpected {
        reason: String,
        last_status: Option<String>,
    },
    /// Ctrl-C.
    Interrupted { last_status: Option<String> },
    /// The API call failed (after the client's own retries).
    Api(E),
}

impl<E> WaitError<E> {
    /// The last status seen, for the report.
    pub fn last_status(&self) -> Option<&str> {
        match self {
            WaitError::TimedOut { last_seen, .. } => last_seen.as_deref(),
            WaitError::Unexpected { last_status, .. } | WaitError::Interrupted { last_status } => {
                last_status.as_deref()
            }
            WaitError::Api(_) => None,
        }
    }

    /// What to do about it, when waiting itself failed (an API error carries its own).
    pub fn remedy(&self) -> Option<&'static str> {
        match self {
            WaitError::TimedOut { .. } => Some(
                "run `auraform apply` again later (it goes on from where the instance stands), or raise --timeout",
            ),
            WaitError::Unexpected { .. } => Some(
                "waiting cannot fix this: look at the instance in the Aura console, then run `auraform apply` again",
            ),
            WaitError::Interrupted { .. } | WaitError::Api(_) => None,
        }
    }

    /// The same error, saying the whole step's `timeout` when the wait was what was
    /// left of it after the step's request (`after` is what the user gave, not the
    /// remainder).
    #[must_use]
    pub fn for_step(self, timeout: Duration) -> Self {
        match self {
            WaitError::TimedOut {
                expected,
                last_seen,
                ..
            } => WaitError::TimedOut {
                after: timeout,
                expected,
                last_seen,
            },
            other => other,
        }
    }

    pub fn is_interrupted(&self) -> bool {
        matches!(self, WaitError::Interrupted { .. })
    }

    /// Converts the API error type.
    pub fn map_api<F>(self, f: impl FnOnce(E) -> F) -> WaitError<F> {
        match self {
            WaitError::TimedOut {
                after,
                expected,
                last_seen,
            } => WaitError::TimedOut {
                after,
                expected,
                last_seen,
            },
            WaitError::Unexpected {
                reason,
                last_status,
            } => WaitError::Unexpected {
                reason,
                last_status,
            },
            WaitError::Interrupted { last_status } => WaitError::Interrupted { last_status },
            WaitError::Api(e) => WaitError::Api(f(e)),
        }
    }
}

impl<E: fmt::Display> fmt::Display for WaitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::TimedOut {
                after,
                expected,
                last_seen,
            } => {
                write!(
                    f,
                    "timed out after {} waiting for `{expected}`",
                    crate::units::WallDuration(*after)
                )?;
                if let Some(seen) = last_seen {
                    write!(f, " (last seen: {seen})")?;
                }
                write!(f, "; the operation may still finish in Aura")
            }
            WaitError::Unexpected { reason, .. } => f.write_str(reason),
            WaitError::Interrupted { .. } => f.write_str("interrupted"),
            WaitError::Api(e) => write!(f, "{e}"),
        }
    }
}
