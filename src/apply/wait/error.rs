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
                write!(
                    f,
                    "; the operation may still finish in Aura — raise --timeout or run apply again later"
                )
            }
            WaitError::Unexpected { reason, .. } => f.write_str(reason),
            WaitError::Interrupted { .. } => f.write_str("interrupted"),
            WaitError::Api(e) => write!(f, "{e}"),
        }
    }
}
