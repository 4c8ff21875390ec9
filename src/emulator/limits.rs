//! Per-client rate limiting: at most `count` requests in **any** window of length `per`
//! (a sliding log, the strictest way a server can count), so a client that paces itself
//! as docs/commands.md promises never sees a 429, and one that bursts does.
//!
//! Every request attributed to a client id counts, `/oauth/token` included (the docs warn
//! that token requests are rate limited too). A refused request does not consume budget:
//! `Retry-After` says, in whole seconds rounded up, when the oldest counted request leaves
//! the window. Real time, whatever `--speed` is.

use std::collections::{HashMap, VecDeque};

use tokio::time::Instant;

use crate::units::Rate;

/// Sliding-window request logs, one per client id.
pub(crate) struct Limiter {
    rate: Rate,
    logs: HashMap<String, VecDeque<Instant>>,
}

impl Limiter {
    pub(crate) fn new(rate: Rate) -> Self {
        Self {
            rate,
            logs: HashMap::new(),
        }
    }

    /// Counts a request by `client` at `now`, or refuses it with the seconds to wait.
    pub(crate) fn admit(&mut self, client: &str, now: Instant) -> Result<(), u64> {
        let per = self.rate.per;
        let count = self.rate.count as usize;
        let log = self.logs.entry(client.to_owned()).or_default();
        while log.front().is_some_and(|t| now.duration_since(*t) >= per) {
            log.pop_front();
        }
        if log.len() >= count {
            let wait = log
                .front()
                .map(|oldest| (*oldest + per).saturating_duration_since(now))
                .unwrap_or_default();
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(secs.max(1));
        }
        log.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn sliding_window_refuses_without_consuming() {
        let mut l = Limiter::new(Rate {
            count: 2,
            per: Duration::from_secs(10),
        });
        let t0 = Instant::now();
        assert!(l.admit("a", t0).is_ok());
        assert!(l.admit("a", t0 + Duration::from_secs(4)).is_ok());
        assert_eq!(l.admit("a", t0 + Duration::from_secs(5)), Err(5));
        assert_eq!(l.admit("a", t0 + Duration::from_millis(9500)), Err(1));
        // Another client has its own budget.
        assert!(l.admit("b", t0 + Duration::from_secs(5)).is_ok());
        // The first request leaves the window at t0+10s.
        assert!(l.admit("a", t0 + Duration::from_secs(10)).is_ok());
        assert_eq!(l.admit("a", t0 + Duration::from_secs(11)), Err(3));
    }
}
