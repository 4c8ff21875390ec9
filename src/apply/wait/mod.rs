//! The waiting engine: poll an instance until a step's expectation holds.
//!
//! Every Aura mutation is asynchronous (docs/aura-api.md §9.1): a 202 means
//! "accepted", so each step is followed by polling `GET /instances/{id}` until the
//! target status *and* the target values hold — not merely until the status leaves
//! the transitional one it started from, which is how aura-cli's `--await` ends up
//! reporting `loading failed` as success (docs/prior-art.md §2.3).
//!
//! What a step waits for is the plan's [`Expectation`](crate::plan::Expectation), the
//! contract between plan and executor; `judge` says whether an observation
//! satisfies it, following these rules in order:
//! - a 404 is success when waiting for a delete, tolerated during a grace period
//!   after a create (a new instance may 404 for about a minute, docs/aura-api.md
//!   §9.3), and a failure otherwise;
//! - `destroying` when not deleting, `loading failed` and `suspended` fail the step at
//!   once: waiting cannot fix them, and only this instance's chain stops;
//! - the expected status with the expected values (fields the API omits never count
//!   as a mismatch, docs/aura-api.md §9.6) completes the step;
//! - anything else, including `resizing` and statuses this build does not know, means
//!   keep waiting until the step's timeout.
//!
//! Pacing: polls share the client's request budget with every other call of the
//! apply, and the budget spaces them (`api::pacer::PollPacing`):
//! the more waits in flight, the wider the interval, so polling many instances never
//! draws a 429; a wait counts among the pollers from its first poll on. The first
//! poll comes 3/4 of the way into the operation's usual duration (`usual`), or one
//! interval after the step's request when that is later or the duration unknown (a
//! 202 was just received; asking at once only costs a request). Polls go through the
//! budget's routine lane, behind the requests that move chains on, and follow a fixed
//! schedule independent of response latency, so a step that lasts `d` costs at most
//! `(d − first) / interval + 1` polls (docs/performance.md).
//!
//! Ctrl-C ([`Cancel`](super::cancel::Cancel)) stops a wait at its next sleep; a GET
//! already sent finishes.
//!
//! The engine is generic over how an instance is fetched and over the client's error
//! type, so it is tested with tokio's paused clock and plain closures.
//!
//! | module | owns |
//! |---|---|
//! | `timeouts` | [`Timeouts`]: how long each kind of step may take |
//! | `usual` | [`UsualDurations`]: how long each operation usually takes, so when the first poll comes |
//! | `judge` | `WaitFor`: does an observed instance satisfy what a wait is for |
//! | `poll` | `wait_until` (an instance) on `poll_until` (any observation): the polling loop, its schedule, grace and deadline; [`WaitSpec`] |
//! | `busy` | `retry_while_busy`: resending a request the API refused with 409; [`ApiFailure`] |
//! | `error` | [`WaitError`]: why a wait did not complete |

mod busy;
mod error;
mod judge;
mod poll;
mod timeouts;
mod usual;

#[cfg(test)]
mod tests;

pub use busy::ApiFailure;
pub(crate) use busy::retry_while_busy;
pub use error::WaitError;
pub(crate) use judge::{Verdict, WaitFor};
pub use poll::{WaitSpec, Waited};
pub(crate) use poll::{poll_until, wait_until};
pub use timeouts::Timeouts;
pub use usual::{FIRST_POLL, UsualDurations};
