//! `auraform import`: an aura.yaml that describes a live project, written so that the
//! `plan` right after it shows **no changes** (the Terraform provider's import was
//! followed by a plan that replaced the imported instance until its 1.1.1;
//! docs/prior-art.md §1.5).
//!
//! [`write_yaml`] is pure: live data in, commented YAML out. [`check_clean`] loads
//! that text with the same loader `plan` uses and plans it against the very data it
//! was written from; the command refuses to hand out a file that would plan any
//! change. Decisions where the contract is silent:
//!
//! - `defaults` hold the most common `type`, `cloud_provider` and `region` (and
//!   `version` when the API reports one other than the default "5"); an instance
//!   writes only the values that differ from them. `memory` is always written.
//! - `storage`, `secondaries_count` and `cdc_enrichment_mode` are written whenever
//!   the API reports them (on tiers that have them), so later drift in them is seen.
//!   Toggles are written only when true (false is the default).
//! - Two live instances with one name: every one of them is pinned with `id:`; the
//!   first keeps the name as its key, the others get `<name>-<id>` keys with
//!   `ignore_changes: [name]` (keys must be unique, and without the ignore a plan
//!   would rename them).
//! - A free instance Aura paused (idle) gets `ignore_changes: [state]`: free
//!   instances cannot be paused on request, and `running` would plan a resume.
//! - `paused`/`pausing` → `state: paused`; other transitional statuses are written as
//!   they will settle, with a comment; `suspended`/`loading failed` are declared with
//!   a comment (plan and drift report them as needing a person); instances being
//!   destroyed, or of a type or cloud auraform does not know, are left out as
//!   comments.
//!
//! | module | owns |
//! |---|---|
//! | `project` | which project to import, and how the file names it |
//! | `defaults` | choosing `defaults` (the most common values) |
//! | `write` | the YAML text: which instances, their keys, comments and fields |
//! | `yaml` | YAML scalars: plain or quoted, `${` escaped |
//! | `check` | the clean-plan self-check |
//! | `starter` | the starter aura.yaml of `auraform init` (one instance to create) |
//! | `error` | [`ImportError`] |

mod check;
mod defaults;
mod error;
mod project;
mod starter;
mod write;
mod yaml;

#[cfg(test)]
mod tests;

pub(crate) use check::check_clean;
pub(crate) use error::ImportError;
pub(crate) use project::{only_project, project_label};
pub(crate) use starter::{Starter, starter_yaml};
pub(crate) use write::write_yaml;
