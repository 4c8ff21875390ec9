//! Plans: the live model, the pure differ, ordered steps and their renderers.
//!
//! ```text
//! Desired (config) ─┐
//!                   ├─ diff::plan (pure) ─▶ Plan ─▶ render::{human, json, markdown}
//! Live (from api) ──┘                         └──▶ saved::save / load / check_fresh
//! ```
//!
//! The entry point for `auraform plan` (and `drift`, `diff`, `apply`):
//! [`Live::from_snapshot`] → [`plan`] → [`render::render`] (or [`saved::save`]).
//! Nothing here does I/O except [`saved`], and only on the plan file it is given.

pub mod diff;
pub mod error;
pub mod live;
pub mod model;
pub mod render;
pub mod saved;
pub mod schema;
mod schema_helpers;
pub mod simulate;

pub use diff::plan;
pub use error::PlanError;
pub use live::{Live, LiveInstance, LiveSummary};
pub use model::{
    Action, Attention, Change, ChangeKind, Dependency, Expectation, ExpectedStatus, ExpectedValues,
    FORMAT_VERSION, FieldChange, FieldValue, KindCounts, Plan, PlanOptions, ProjectRef, Step,
    StepAction, StepRequest, Summary, Unmanaged,
};
pub use saved::{Provenance, StaleReason, check_fresh, load, save};
