//! The executor: carries a plan out against the API as ordered, polled steps.
//!
//! It takes a plan, a client and [`ApplyOptions`]; it does not know the command line
//! (the `apply` command, its prompt and its Ctrl-C listener live in `commands`).
//! [`execute`] → `schedule` (chains, order, dependencies, cancellation) → per step:
//! one request, then `wait` (polling with pacing, timeouts, 404 grace, 409 retry) →
//! `report`.
//!
//! | module | owns |
//! |---|---|
//! | [`executor`] | [`execute`]: what each step sends, then waits for |
//! | `create` | the create step: sent once per trustworthy answer, password first, ambiguous outcomes |
//! | `conflict` | overlapping applies: the check before a create, the survivor every run keeps |
//! | [`journal`] | each create recorded until its password is on disk; what an interrupted run left |
//! | [`schedule`] | chains in parallel, steps in order, dependencies, Ctrl-C between steps |
//! | [`wait`] | polling until a step's expectation holds; timeouts; 404 grace; 409 retry (poll spacing comes from the client's budget) |
//! | [`cancel`] | the cancellation token: no new steps, in-flight calls finish, polls stop |
//! | [`credentials`] | the only copy of a new instance's password, written before anything else |
//! | [`progress`] | live lines on a terminal, timestamped lines elsewhere; stderr only |
//! | [`report`] | the final per-instance report and the exit code |
//! | [`error`] | errors that end the command |

pub mod cancel;
mod conflict;
mod create;
pub mod credentials;
pub mod error;
pub mod executor;
pub mod journal;
mod options;
pub mod progress;
pub mod report;
mod run;
pub mod schedule;
pub mod wait;

pub use cancel::Cancel;
pub use error::ApplyError;
pub use executor::execute;
pub use journal::Journal;
pub use options::ApplyOptions;
pub use progress::{InstanceProgress, Progress, ProgressMode};
pub use report::{ApplyReport, InstanceOutcome, InstanceReport};
pub use wait::{Timeouts, WaitError, WaitSpec};
