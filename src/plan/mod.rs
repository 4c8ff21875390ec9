//! Plans: the live model, the pure differ, ordered steps and their renderers.
//!
//! ```text
//! Desired (config) ─┐
//!                   ├─ diff::plan (pure) ─▶ Plan ─▶ render::{human, json, markdown}
//! Live (from api) ──┘                         └──▶ saved::to_json / from_json / check_fresh
//! ```
//!
//! The entry point for `auraform plan` (and `drift`, `diff`, `apply`):
//! [`Live::from_project`] → [`plan`] → [`render::render`] (or [`saved::to_json`]).
//! Nothing here does I/O: saved plans are bytes in and out ([`saved::to_json`],
//! [`saved::from_json`]); the command reads and writes the file.
//!
//! # Contract for the executor (`apply`)
//!
//! - Each [`Change`] is one instance's chain; chains run concurrently, the
//!   [`Step`]s of one chain strictly in order. A chain with `depends_on` starts only
//!   once step `step` of instance `instance` has completed (a clone waits for its
//!   source to be created and running).
//! - A step's `instance_id` is the live id it acts on; it is `null` for a create and
//!   for every step after a create in the same chain, which act on the id the create
//!   returned. `source_instance_from: X` means "put the id X's create returned into
//!   `source_instance_id`" before sending the body.
//! - `request` is the exact body to send (`create` → `POST /instances`, `update` →
//!   `PATCH /instances/{id}`, `upgrade` → `POST /instances/{id}/upgrade`); pause,
//!   resume and delete send an empty object; `wait` sends nothing.
//! - After each step, poll `GET /instances/{id}` until `expect` holds: `gone` is a
//!   404; `status` is that status plus the listed values, where a value the API
//!   omits counts as matching (it may never report CDC or secondaries).
//! - Steps after a `wait` were computed for the status the wait expects; if the
//!   instance settles elsewhere (e.g. `loading failed`), fail that chain.
//! - A plan with any `blocked` change is a report (`drift`, `diff`), never applied.
//!
//! # What counts as a change
//!
//! [`Plan::has_changes`] (for `plan --detailed-exitcode`) is true when apply would act.
//! Unmanaged instances that are left alone and instances that need a person are not
//! changes for `plan`, because apply would do nothing about them; they are drift, and
//! [`Plan::has_drift`] (for `drift`) counts them. A busy instance with nothing to do
//! once it settles is not a change either.

pub mod connections;
pub mod diff;
pub mod error;
pub mod files;
pub mod live;
pub mod located;
pub mod model;
pub mod offline;
pub mod provenance;
pub mod render;
pub mod resettle;
pub mod saved;
pub mod schema;
mod schema_helpers;
pub mod simulate;

pub use diff::{identify, plan};
pub use error::PlanError;
pub use live::{Live, LiveInstance, LiveSummary, needs_details};
pub use located::LocatedPlanError;
pub use model::{
    Action, Attention, Change, ChangeKind, Dependency, DocumentKind, Expectation, ExpectedStatus,
    ExpectedValues, FORMAT_VERSION, FieldChange, FieldValue, KindCounts, Plan, PlanOptions,
    ProjectRef, Step, StepAction, StepRequest, Summary, Unmanaged,
};
pub use offline::diff_files;
pub use provenance::{Altered, Provenance, StaleReason};
pub use resettle::resettle;
pub use saved::{check_fresh, check_unaltered, from_json, to_json};
