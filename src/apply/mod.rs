//! The executor: carries a plan out against the API as ordered, polled steps.
//!
//! | module | owns |
//! |---|---|
//! | [`executor`] | [`execute`]: what each step sends, then waits for; create's once-only rule |
//! | [`wait`] | polling until a step's expectation holds; timeouts; 404 grace; 409 retry; pacing |
//! | [`command`] | the `apply` command: plan or saved plan, print, confirm, execute, report |
//! | [`cancel`] | the Ctrl-C token: no new steps, in-flight calls finish, polls stop |
//! | [`progress`] | live lines on a terminal, timestamped lines elsewhere; stderr only |
//! | [`report`] | the final per-instance report and the exit code |
//! | [`schedule`] | chains in parallel, steps in order, dependencies, Ctrl-C between steps |
//! | [`confirm`] | the `yes` prompt and its refusal without a terminal |
//! | [`credentials`] | the only copy of a new instance's password, written before anything else |
//! | [`error`] | errors that end the command |

pub mod cancel;
pub mod command;
pub mod confirm;
pub mod credentials;
pub mod error;
pub mod executor;
pub mod progress;
pub mod report;
pub mod schedule;
pub mod wait;

pub use cancel::Cancel;
pub use error::ApplyError;
pub use executor::{ApplyOptions, execute};
pub use progress::{InstanceProgress, Progress, ProgressMode};
pub use report::{ApplyReport, InstanceOutcome, InstanceReport};
pub use wait::{Expectation, ExpectedStatus, Pacer, StepKind, Timeouts, WaitError, WaitSpec};
