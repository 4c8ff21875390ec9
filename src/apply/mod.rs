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
//! | `snapshot` | the restore-point step: take a snapshot, wait until `Completed` |
//! | [`sinks`] | the only copy of a new instance's password: the `.env` file, then `credentials.command`, before anything else |
//! | [`forget`] | the credentials files of destroyed instances (`destroy --remove-credentials`) |
//! | [`progress`] | live lines on a terminal, timestamped lines elsewhere; stderr only |
//! | [`report`] | the final per-instance report and the exit code |
//! | [`report_json`] | the same report as one JSON document (`apply --format json`) |
//! | [`files_schema`] | the schema of the document of any command over several files |
//! | [`error`] | errors that end the command |

pub mod cancel;
mod conflict;
mod create;
pub mod error;
pub mod executor;
pub mod files_schema;
pub mod forget;
pub mod journal;
mod options;
pub mod progress;
pub mod report;
pub mod report_json;
mod run;
pub mod schedule;
pub mod sinks;
mod snapshot;
pub mod wait;

pub use cancel::Cancel;
pub use error::ApplyError;
pub use executor::execute;
pub use journal::Journal;
pub use options::ApplyOptions;
pub use progress::{InstanceProgress, Progress, ProgressMode};
pub use report::{ApplyReport, InstanceOutcome, InstanceReport, LastLook, RestorePoint};
pub use sinks::{Delivery, SinkFailure, SinkKind, Sinks};
pub use wait::{Timeouts, WaitError, WaitSpec};
