//! When a failed request may be sent again, and how long to wait before it.
//!
//! | call | 429, connection refused | 5xx, timeout, broken connection |
//! |---|---|---|
//! | GET, PATCH, DELETE, pause, resume, upgrade, sizing, the token | resend | resend |
//! | create snapshot, overwrite, restore | resend | give up (a duplicate snapshot or a second overwrite is not "the same") |
//! | `POST /instances` | resend | never: report an **ambiguous** outcome |
//!
//! PATCH, DELETE, pause, resume and upgrade name a target state, so sending one
//! twice ends in the same state; the worst a resend can draw is a 409 (the first
//! copy is still running) or a 404 (DELETE already done), which callers handle.
//! A 429 is answered by the rate limiter before the API acts, and a connection that
//! could not be opened carried no request at all: in both cases nothing happened, so
//! every call is resent, create included. What is never resent is a call that may
//! have been acted on: for create (names are not unique: docs/aura-api.md §9.4) that
//! outcome is ambiguous and the executor resolves it. A 401/403 for an expired token
//! is also answered before the API acts: after a token refresh any call is resent once.
//!
//! Delays: capped exponential backoff with jitter (backon), at least `Retry-After`
//! when the server sent one, and never past the overall deadline.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

use crate::api::error::TransportKind;

/// Which failures a call may be resent after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resend {
    /// Idempotent: 429, 5xx and transport failures.
    Always,
    /// Not idempotent: only when the API certainly did not act (a 429, or a
    /// connection that could not be opened).
    Unprocessed,
}

impl Resend {
    pub(crate) fn after_status(self, status: u16) -> bool {
        match self {
            Resend::Always => status == 429 || (500..=599).contains(&status),
            Resend::Unprocessed => status == 429,
        }
    }

    /// After a transport failure of `kind`: a failed connect sent nothing.
    pub(crate) fn after_transport(self, kind: TransportKind) -> bool {
        self == Resend::Always || kind == TransportKind::Connect
    }
}

/// Retry timing for resendable calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: usize,
    /// First backoff delay.
    pub min_delay: Duration,
    /// Largest backoff delay.
    pub max_delay: Duration,
    /// No retry starts after this much time since the first attempt.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            min_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            deadline: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Never retry (tests that want to see the first failure).
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The delays before the 2nd, 3rd, … attempts.
    pub(crate) fn delays(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        ExponentialBuilder::new()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .with_jitter()
            .with_max_times(self.max_attempts.saturating_sub(1))
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_resent() {
        assert!(Resend::Always.after_status(503));
        assert!(Resend::Always.after_status(429));
        assert!(!Resend::Always.after_status(409));
        assert!(!Resend::Always.after_status(404));
        assert!(Resend::Unprocessed.after_status(429));
        assert!(!Resend::Unprocessed.after_status(500));
        assert!(!Resend::Unprocessed.after_status(502));
        assert!(Resend::Unprocessed.after_transport(TransportKind::Connect));
        assert!(!Resend::Unprocessed.after_transport(TransportKind::Timeout));
        assert!(!Resend::Unprocessed.after_transport(TransportKind::Broken));
        assert!(Resend::Always.after_transport(TransportKind::Broken));
    }

    #[test]
    fn delays_are_capped_and_counted() {
        let p = RetryPolicy {
            max_attempts: 5,
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            deadline: Duration::from_secs(10),
        };
        let d: Vec<_> = p.delays().collect();
        assert_eq!(d.len(), 4);
        // Jitter may add up to one more delay on top of the cap.
        assert!(d.iter().all(|d| *d <= Duration::from_millis(600)), "{d:?}");
        assert_eq!(RetryPolicy::none().delays().count(), 0);
    }
}
