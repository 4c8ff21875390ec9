//! The polling loop: GET the instance on a fixed schedule until the judgement says
//! done, fail, or the deadline has passed; a 404 grace period after a create; Ctrl-C
//! at the next sleep.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::error::WaitError;
use super::judge::{Verdict, WaitFor};
use crate::api::pacer::PollPacing;
use crate::api::wire::Instance;
use crate::apply::cancel::Cancel;

/// How one wait runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitSpec {
    /// Give up after this long.
    pub timeout: Duration,
    /// 404s are tolerated this long after the wait starts (after a create).
    pub not_found_grace: Duration,
    /// Poll at once instead of one interval after the start.
    pub poll_now: bool,
    /// How long the operation usually takes ([`UsualDurations`](super::UsualDurations)):
    /// the first poll comes [`FIRST_POLL`](super::FIRST_POLL) of the way in (or one
    /// interval after the start, if that is later), the next one when it usually ends,
    /// later ones every interval. `None`: polls every interval from the start.
    pub usual: Option<Duration>,
}

impl WaitSpec {
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            not_found_grace: Duration::ZERO,
            poll_now: false,
            usual: None,
        }
    }

    pub fn with_grace(mut self, grace: Duration) -> Self {
        self.not_found_grace = grace;
        self
    }

    pub fn poll_now(mut self) -> Self {
        self.poll_now = true;
        self
    }

    /// The operation usually takes `d` (zero: unknown).
    pub fn usual(mut self, d: Duration) -> Self {
        self.usual = (!d.is_zero()).then_some(d);
        self
    }
}

/// A completed wait.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waited {
    /// The last observation (`None` after a delete).
    pub instance: Option<Instance>,
    /// GETs sent.
    pub polls: u32,
    pub elapsed: Duration,
}

/// Polls `get` (which returns `Ok(None)` for a 404) until `until` holds, at the
/// interval `pacing` gives (asked again before every sleep, so it follows the number
/// of waits in flight).
///
/// `on_status` is called with each observation's description (for progress).
pub(crate) async fn wait_until<E, G, Fut>(
    get: G,
    until: WaitFor<'_>,
    spec: WaitSpec,
    pacing: PollPacing<'_>,
    cancel: &Cancel,
    on_status: impl FnMut(&str),
) -> Result<Waited, WaitError<E>>
where
    G: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<Instance>, E>>,
{
    let judge = |observed: Option<&Instance>, in_grace: bool| {
        let verdict = until.judge(observed, in_grace);
        (verdict, observed.map(|i| i.status.to_string()))
    };
    let (instance, polls, elapsed) = poll_until(
        get,
        judge,
        until.describe(),
        spec,
        pacing,
        cancel,
        on_status,
    )
    .await?;
    Ok(Waited {
        instance,
        polls,
        elapsed,
    })
}

/// The polling loop of every wait, whatever is observed (an instance, a snapshot):
/// `judge` says whether an observation (`None`: a 404; the flag: within the grace
/// period) completes the wait, and which status it shows for the report. Returns the
/// last observation, the GETs sent and the time taken.
pub(crate) async fn poll_until<T, E, G, Fut>(
    mut get: G,
    judge: impl Fn(Option<&T>, bool) -> (Verdict, Option<String>),
    expected: &'static str,
    spec: WaitSpec,
    pacing: PollPacing<'_>,
    cancel: &Cancel,
    mut on_status: impl FnMut(&str),
) -> Result<(Option<T>, u32, Duration), WaitError<E>>
where
    G: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, E>>,
{
    let start = Instant::now();
    let deadline = after(start, spec.timeout);
    let grace_end = after(start, spec.not_found_grace);
    // When the operation usually ends: one poll lands there.
    let usual_end = spec.usual.map(|d| after(start, d));
    let mut next = if spec.poll_now {
        start
    } else {
        let first = spec.usual.map_or(Duration::ZERO, super::usual::first_poll);
        after(start, pacing.interval().max(first)).min(deadline)
    };
    // A wait counts among the pollers sharing the budget from its first poll on:
    // before it, it sends nothing.
    let mut slot = None;
    let mut polls = 0u32;
    let mut last_status: Option<String> = None;
    loop {
        tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(WaitError::Interrupted { last_status }),
            () = tokio::time::sleep_until(next) => {}
        }
        slot.get_or_insert_with(|| pacing.enter());
        let sent = Instant::now();
        polls += 1;
        // Not raced with `cancel`: a request on the wire is allowed to finish.
        let observed = get().await.map_err(WaitError::Api)?;
        let (verdict, status) = judge(observed.as_ref(), sent < grace_end);
        if status.is_some() {
            last_status = status;
        }
        match verdict {
            Verdict::Done => return Ok((observed, polls, start.elapsed())),
            Verdict::Fail(reason) => {
                return Err(WaitError::Unexpected {
                    reason,
                    last_status,
                });
            }
            Verdict::Pending(seen) => {
                on_status(&seen);
                let now = Instant::now();
                if now >= deadline {
                    return Err(WaitError::TimedOut {
                        after: spec.timeout,
                        expected,
                        last_seen: Some(seen),
                    });
                }
                // A fixed schedule: response latency does not stretch the interval,
                // and the last poll lands on the deadline. Before the usual end, the
                // next poll is at it: polls in between would most likely find the
                // operation still running, and landing on it sees the usual finish
                // at once.
                next = match usual_end {
                    Some(end) if sent < end => end,
                    _ => after(next, pacing.interval()),
                };
                next = next.max(now).min(deadline);
            }
        }
    }
}

/// `t + d`, never overflowing: the flags that set `d` are bounded when parsed
/// (`--timeout`, `--poll-interval`), and this keeps any other duration from panicking
/// the clock; a sum past what the clock can hold is "a century from now".
pub(crate) fn after(t: Instant, d: Duration) -> Instant {
    t.checked_add(d)
        .or_else(|| t.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(t)
}
