//! The request budget: at most `count` requests in any window of length `per`,
//! shared by every caller of one client (the token request included), learned down
//! from the server's 429s, with a priority lane for requests that move a chain on.
//!
//! **Permits.** A permit is taken before a request is sent and given back one window
//! *after its response arrived*. The server counted the request at some moment
//! between our send and the response, so the response time is an upper bound on that
//! moment: whatever the latency or its jitter, two requests using the same permit are
//! counted at least one window apart, hence no window of the server's (sliding or
//! fixed) ever sees more than `count` of ours. No safety margin is needed, and bursts
//! of up to `count` are allowed because the budget allows them. A dropped (cancelled)
//! request still returns its permit only a window later; after a timeout there is no
//! response time to bound the server's count, so the permit is held one request
//! timeout longer (the request may still be on its way).
//!
//! **Lanes.** Waiting requests queue in two lanes: [`Lane::Priority`] (everything a
//! chain sends to move on: mutations, the checks around a create, the plan's reads) is
//! served before [`Lane::Routine`] (the polls of waits). So a chain whose instance
//! just reached its target sends its next request ahead of the routine polls of the
//! others, and starting many creates never starves later steps. Each lane is FIFO.
//!
//! **A budget learned from the server.** Aura allows 125 requests a minute, 25 on Free
//! and trial projects: a fifth. The configured budget (`--rate-limit`) is a ceiling
//! the pacer never exceeds. Until the server has admitted more than a fifth of it
//! within one window, requests beyond that fifth go out one at a time (a *probe*), so
//! that a stricter server refuses one request, not a burst. A 429 lowers the budget,
//! for the rest of the run, to the requests of ours the server certainly admitted
//! within the last window (never below a fifth of the ceiling); the first lowering is
//! said once on stderr (a `warn`). `Retry-After`, when sent, pauses every caller too.
//!
//! **Poll spacing** ([`PollPacing`]): the waits that are polling now widen the poll
//! interval so that all pollers together use at most 80 % of the budget —
//! `interval = max(base, polling × spacing × 5/4)`, `spacing = per / count` of the
//! budget as learned — leaving room for the mutations themselves. The spacing lives
//! here, next to the rate, because it must follow the budget.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;
use tracing::{info, warn};

use crate::units::Rate;

/// Which queue a request waits in when the budget is spent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lane {
    /// Requests that move a chain on (and everything that is not a poll).
    Priority,
    /// The polls of waits.
    Routine,
}

/// A budget shared by every request of one client.
#[derive(Debug)]
pub(crate) struct Pacer {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// `--rate-limit`: never exceeded.
    ceiling: Rate,
    state: Mutex<State>,
    /// Waits polling an instance now (see [`PollPacing`]).
    polling: AtomicUsize,
}

#[derive(Debug)]
struct State {
    /// Requests allowed per window now (≤ the ceiling's).
    cap: u32,
    /// Sent freely before the server has shown it admits more (a fifth of the ceiling).
    free: u32,
    /// The server admitted more than `free` of ours within one window.
    confirmed: bool,
    /// Permits held by requests in flight or cooling down.
    used: u32,
    /// A probe (a request beyond `free` before `confirmed`) is in flight.
    probing: bool,
    priority: VecDeque<oneshot::Sender<Grant>>,
    routine: VecDeque<oneshot::Sender<Grant>>,
    paused_until: Option<Instant>,
    /// Send times of the requests the server admitted, within the last window.
    admitted: VecDeque<Instant>,
    /// The first lowering was said on stderr.
    warned: bool,
}

/// What a waiter is handed.
#[derive(Clone, Copy, Debug)]
struct Grant {
    probe: bool,
}

/// What became of a 429 ([`Permit::rate_limited`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Learned {
    /// The budget after this 429.
    pub(crate) rate: Rate,
    /// Whether this 429 lowered it.
    pub(crate) lowered: bool,
}

impl Pacer {
    pub(crate) fn new(ceiling: Rate) -> Self {
        let count = ceiling.count.max(1);
        Self {
            shared: Arc::new(Shared {
                ceiling,
                state: Mutex::new(State {
                    cap: count,
                    free: count.div_ceil(5),
                    confirmed: false,
                    used: 0,
                    probing: false,
                    priority: VecDeque::new(),
                    routine: VecDeque::new(),
                    paused_until: None,
                    admitted: VecDeque::new(),
                    warned: false,
                }),
                polling: AtomicUsize::new(0),
            }),
        }
    }

    /// The budget as it stands (the ceiling, or what a 429 lowered it to).
    pub(crate) fn rate(&self) -> Rate {
        self.shared.rate()
    }

    /// Poll spacing over this budget for pollers whose own interval is `base`
    /// (`--poll-interval`).
    pub(crate) fn polls(&self, base: Duration) -> PollPacing<'_> {
        PollPacing { budget: self, base }
    }

    /// Waits until a request may be sent. Keep the permit until the response has
    /// been read, then say how it went (or drop it): it returns to the budget one
    /// window later.
    pub(crate) async fn acquire(&self, lane: Lane) -> Permit {
        let (tx, rx) = oneshot::channel();
        {
            let mut state = self.shared.lock();
            match lane {
                Lane::Priority => state.priority.push_back(tx),
                Lane::Routine => state.routine.push_back(tx),
            }
            state.dispatch();
        }
        let mut waiting = Waiting {
            rx: Some(rx),
            shared: &self.shared,
        };
        let grant = match waiting.rx.as_mut() {
            // The sender lives in the queue until granted, and the queue lives as long
            // as `self`; a closed channel would mean a lost waiter: take a plain permit
            // rather than hang.
            Some(rx) => rx.await.unwrap_or(Grant { probe: false }),
            None => Grant { probe: false },
        };
        waiting.rx = None;
        Permit {
            shared: Arc::clone(&self.shared),
            sent: Instant::now(),
            probe: grant.probe,
            extra: Duration::ZERO,
        }
    }

    /// Holds every caller back for `delay` (a `Retry-After`), extending any pause.
    pub(crate) fn pause_for(&self, delay: Duration) {
        // A `Retry-After` is the server's to choose: never let it overflow the clock.
        let now = Instant::now();
        let until = now.checked_add(delay).unwrap_or(now);
        let mut state = self.shared.lock();
        if state.paused_until.is_none_or(|p| p < until) {
            state.paused_until = Some(until);
            let shared = Arc::clone(&self.shared);
            spawn_after(until, move || {
                let mut state = shared.lock();
                state.dispatch();
            });
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn rate(&self) -> Rate {
        Rate {
            count: self.lock().cap,
            per: self.ceiling.per,
        }
    }

    /// Gives a permit back (now: its window has passed, or it was never used).
    fn release(&self) {
        let mut state = self.lock();
        state.used = state.used.saturating_sub(1);
        state.dispatch();
    }

    /// Requests of ours admitted within the last window (by send time), pruning
    /// older ones.
    fn admitted_within_window(state: &mut State, window: Duration, now: Instant) -> u32 {
        while state
            .admitted
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            state.admitted.pop_front();
        }
        u32::try_from(state.admitted.len()).unwrap_or(u32::MAX)
    }
}

impl State {
    /// Hands out every permit the budget allows now, priority lane first.
    fn dispatch(&mut self) {
        let now = Instant::now();
        if self.paused_until.is_some_and(|until| until > now) {
            return; // the pause's own timer dispatches when it ends
        }
        self.paused_until = None;
        while self.used < self.cap {
            let probe = !self.confirmed && self.used >= self.free;
            if probe && self.probing {
                return;
            }
            let Some(tx) = self
                .priority
                .pop_front()
                .or_else(|| self.routine.pop_front())
            else {
                return;
            };
            // A waiter that gave up has dropped its receiver: serve the next one.
            if tx.send(Grant { probe }).is_ok() {
                self.used += 1;
                self.probing |= probe;
            }
        }
    }
}

/// A queued `acquire`; if it is dropped after its permit was granted but before it
/// was taken, the permit goes back at once (no request was sent).
struct Waiting<'a> {
    rx: Option<oneshot::Receiver<Grant>>,
    shared: &'a Shared,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let Some(mut rx) = self.rx.take() else {
            return;
        };
        rx.close();
        if let Ok(grant) = rx.try_recv() {
            let mut state = self.shared.lock();
            state.used = state.used.saturating_sub(1);
            if grant.probe {
                state.probing = false;
            }
            state.dispatch();
        }
    }
}

/// The right to have one request counted by the server. Say how the request went
/// ([`Permit::admitted`], [`Permit::rate_limited`]) or drop it; either way it returns
/// to the budget one window after the response.
#[derive(Debug)]
pub(crate) struct Permit {
    shared: Arc<Shared>,
    sent: Instant,
    probe: bool,
    extra: Duration,
}

impl Permit {
    /// Keeps the permit `extra` longer. After a timeout the request may still be
    /// on its way and be counted later than the moment we gave up on it.
    pub(crate) fn hold_longer(&mut self, extra: Duration) {
        self.extra += extra;
    }

    /// The server answered with something other than 429: it counted the request.
    pub(crate) fn admitted(mut self) {
        let now = Instant::now();
        let window = self.shared.ceiling.per;
        let mut state = self.shared.lock();
        state.admitted.push_back(self.sent);
        let within = Shared::admitted_within_window(&mut state, window, now);
        if !state.confirmed && within > state.free {
            state.confirmed = true;
        }
        if self.probe {
            state.probing = false;
            self.probe = false;
        }
        state.dispatch();
    }

    /// The server answered 429: lower the budget to what it certainly admitted of
    /// ours within the last window, never below a fifth of the ceiling.
    pub(crate) fn rate_limited(mut self) -> Learned {
        let now = Instant::now();
        let window = self.shared.ceiling.per;
        let mut state = self.shared.lock();
        let within = Shared::admitted_within_window(&mut state, window, now);
        let floor = state.free.min(state.cap);
        let learned = within.max(floor).min(state.cap);
        let lowered = learned < state.cap;
        let before = state.cap;
        state.cap = learned;
        if self.probe {
            state.probing = false;
            self.probe = false;
        }
        let first = lowered && !state.warned;
        state.warned |= lowered;
        drop(state);
        let rate = Rate {
            count: learned,
            per: window,
        };
        if first {
            warn!(
                "the API refused a request for its rate limit (429): pacing at {rate} instead of {} for the rest of the run",
                Rate {
                    count: before,
                    per: window
                }
            );
        } else if lowered {
            info!(budget = %rate, "rate limited again (429): budget lowered");
        }
        Learned { rate, lowered }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.probe {
            // No answer: the probe proved nothing; let the next one go.
            let mut state = self.shared.lock();
            state.probing = false;
            state.dispatch();
        }
        let shared = Arc::clone(&self.shared);
        let until = Instant::now() + self.shared.ceiling.per + self.extra;
        spawn_after(until, move || shared.release());
    }
}

/// Runs `f` at `until` on the current runtime. Without a runtime the client is gone
/// with it: nothing left to pace.
fn spawn_after(until: Instant, f: impl FnOnce() + Send + 'static) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            tokio::time::sleep_until(until).await;
            f();
        });
    }
}

/// How the waits polling instances share a [`Pacer`]: every poller asks for the
/// interval before each sleep, so the spacing widens as soon as more waits poll and
/// narrows as they finish.
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
            .rate()
            .spacing()
            .saturating_mul(n as u32)
            .saturating_mul(5)
            / 4;
        self.base.max(share)
    }

    /// How many waits are polling now.
    pub(crate) fn in_flight(self) -> usize {
        self.budget.shared.polling.load(Ordering::Relaxed)
    }

    /// Registers a poller for as long as the returned guard lives.
    pub(crate) fn enter(self) -> PollSlot<'a> {
        self.budget.shared.polling.fetch_add(1, Ordering::Relaxed);
        PollSlot {
            polling: &self.budget.shared.polling,
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

#[cfg(test)]
mod tests;
