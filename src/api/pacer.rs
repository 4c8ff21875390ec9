//! The request budget: at most `Rate::count` requests in any window of length
//! `Rate::per`, shared by every caller of one client (the token request included).
//!
//! Design: a semaphore of `count` permits. A permit is taken before a request is
//! sent and given back one window *after its response arrived*. The server counted
//! the request at some moment between our send and the response, so the response
//! time is an upper bound on that moment: whatever the latency or its jitter, two
//! requests using the same permit are counted at least one window apart, hence no
//! window of the server's (sliding or fixed) ever sees more than `count` of ours.
//! No safety margin is needed, and bursts of up to `count` are allowed because the
//! budget allows them. A request in flight holds its permit, and a dropped
//! (cancelled) request still returns its permit only a window later. After a
//! timeout there is no response time to bound the server's count, so the permit is
//! held one request timeout longer (the request may still be on its way).
//!
//! When a 429 arrives anyway (another tool sharing the credential, a stricter
//! server), `pause_for` stops every caller until `Retry-After` has passed.
//!
//! The budget also spaces the polls of apply's waits ([`PollPacing`]): it counts the
//! waits polling now and widens the poll interval so that all pollers together use
//! at most 80 % of the budget — `interval = max(base, polling × spacing × 5/4)`,
//! with `spacing = per / count` — leaving room for the mutations themselves, so
//! polling many instances never draws a 429. The spacing lives here, next to the
//! rate, because it must follow the budget: whatever rate the budget works with is
//! the rate the polls are spread over.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::units::Rate;

/// A budget shared by every request of one client.
#[derive(Debug)]
pub(crate) struct Pacer {
    permits: Arc<Semaphore>,
    rate: Rate,
    paused_until: Mutex<Option<Instant>>,
    /// Waits polling an instance now (see [`PollPacing`]).
    polling: AtomicUsize,
}

impl Pacer {
    pub(crate) fn new(rate: Rate) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(rate.count.max(1) as usize)),
            rate,
            paused_until: Mutex::new(None),
            polling: AtomicUsize::new(0),
        }
    }

    /// Poll spacing over this budget for pollers whose own interval is `base`
    /// (`--poll-interval`).
    pub(crate) fn polls(&self, base: Duration) -> PollPacing<'_> {
        PollPacing { budget: self, base }
    }

    /// Waits until a request may be sent. Keep the permit until the response has
    /// been read, then drop it: it returns to the budget one window later.
    pub(crate) async fn acquire(&self) -> Permit {
        self.wait_out_pause().await;
        // The semaphore is never closed, so this cannot fail; be total anyway.
        let inner = Arc::clone(&self.permits).acquire_owned().await.ok();
        // A 429 may have paused everyone while we queued for the permit.
        self.wait_out_pause().await;
        Permit {
            inner,
            window: self.rate.per,
        }
    }

    /// Holds every caller back for `delay` (a `Retry-After`), extending any pause.
    pub(crate) fn pause_for(&self, delay: Duration) {
        // A `Retry-After` is the server's to choose: never let it overflow the clock.
        let now = Instant::now();
        let until = now.checked_add(delay).unwrap_or(now);
        let mut paused = self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }

    async fn wait_out_pause(&self) {
        loop {
            let until = *self
                .paused_until
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match until {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => return,
            }
        }
    }
}

/// How the waits polling instances share a [`Pacer`]: every poller asks for the
/// interval before each sleep, so the spacing widens as soon as more waits start
/// and narrows as they finish.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PollPacing<'a> {
    budget: &'a Pacer,
    /// The interval for one instance alone.
    base: Duration,
}

impl<'a> PollPacing<'a> {
    /// The interval every poller should use right now.
    pub(crate) fn interval(self) -> Duration {
        let n = self.in_flight().max(1);
        // Polls together use at most 4/5 of the budget.
        let share = self
            .budget
            .rate
            .spacing()
            .saturating_mul(n as u32)
            .saturating_mul(5)
            / 4;
        self.base.max(share)
    }

    /// How many waits are polling now.
    pub(crate) fn in_flight(self) -> usize {
        self.budget.polling.load(Ordering::Relaxed)
    }

    /// Registers a poller for as long as the returned guard lives.
    pub(crate) fn enter(self) -> PollSlot<'a> {
        self.budget.polling.fetch_add(1, Ordering::Relaxed);
        PollSlot {
            polling: &self.budget.polling,
        }
    }
}

/// A registered poller; dropping it frees its share of the budget.
#[derive(Debug)]
pub(crate) struct PollSlot<'a> {
    polling: &'a AtomicUsize,
}

impl Drop for PollSlot<'_> {
    fn drop(&mut self) {
        self.polling.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The right to have one request counted by the server. Dropping it (after the
/// response arrived) returns it to the budget one window later.
#[derive(Debug)]
pub(crate) struct Permit {
    inner: Option<OwnedSemaphorePermit>,
    window: Duration,
}

impl Permit {
    /// Keeps the permit `extra` longer. After a timeout the request may still be
    /// on its way and be counted later than the moment we gave up on it.
    pub(crate) fn hold_longer(&mut self, extra: Duration) {
        self.window += extra;
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let Some(permit) = self.inner.take() else {
            return;
        };
        let window = self.window;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                tokio::time::sleep(window).await;
                drop(permit);
            });
        }
        // Without a runtime the client is gone with it; nothing left to pace.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every window of `per` must contain at most `count` sends, counting a
    /// request as sent when its permit was granted.
    #[tokio::test]
    async fn never_more_than_count_per_window() {
        let rate = Rate {
            count: 3,
            per: Duration::from_millis(300),
        };
        let pacer = Arc::new(Pacer::new(rate));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..9 {
            let pacer = Arc::clone(&pacer);
            tasks.push(tokio::spawn(async move {
                let permit = pacer.acquire().await;
                let sent = start.elapsed();
                tokio::time::sleep(Duration::from_millis(20)).await; // "latency"
                drop(permit);
                sent
            }));
        }
        let mut sent: Vec<Duration> = Vec::new();
        for t in tasks {
            sent.push(t.await.unwrap());
        }
        sent.sort();
        for (i, a) in sent.iter().enumerate() {
            let in_window = sent[i..]
                .iter()
                .filter(|b| b.saturating_sub(*a) < rate.per)
                .count();
            assert!(in_window <= 3, "{sent:?}");
        }
        // Three bursts: the last one starts about two windows (+ latency) in.
        assert!(sent[8] >= Duration::from_millis(600), "{sent:?}");
        assert!(sent[8] < Duration::from_millis(1200), "{sent:?}");
        assert!(
            sent[2] < Duration::from_millis(100),
            "bursts allowed: {sent:?}"
        );
    }

    #[tokio::test]
    async fn pause_holds_everyone() {
        let pacer = Pacer::new(Rate::per_minute(100));
        pacer.pause_for(Duration::from_millis(150));
        let start = Instant::now();
        drop(pacer.acquire().await);
        assert!(start.elapsed() >= Duration::from_millis(150));
        // A shorter pause does not shorten a longer one.
        pacer.pause_for(Duration::from_millis(200));
        pacer.pause_for(Duration::from_millis(10));
        let start = Instant::now();
        drop(pacer.acquire().await);
        assert!(start.elapsed() >= Duration::from_millis(190));
    }

    #[test]
    fn poll_interval_widens_with_pollers_in_flight() {
        // 60/min: one request a second; 4/5 of it for polls.
        let budget = Pacer::new(Rate::per_minute(60));
        let pacing = budget.polls(Duration::from_secs(2));
        assert_eq!(pacing.interval(), Duration::from_secs(2));
        let slots: Vec<_> = (0..10).map(|_| pacing.enter()).collect();
        assert_eq!(pacing.in_flight(), 10);
        assert_eq!(pacing.interval(), Duration::from_millis(12_500));
        drop(slots);
        assert_eq!(pacing.in_flight(), 0);
        assert_eq!(pacing.interval(), Duration::from_secs(2));
    }
}
