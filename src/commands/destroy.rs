//! `auraform destroy [--target NAME]… [--auto-approve] [--remove-credentials]
//! [--format human|json]`: delete exactly the instances aura.yaml declares and that
//! exist — matched as `plan` matches them — and nothing else (docs/commands.md §9.3a).
//! The teardown of a CI pipeline's instances in a project that holds others.
//!
//! It is `apply` of a destroy plan: the same load → fetch → plan → print → confirm →
//! execute → report path (`apply::run_files`), over several files the same way, with
//! its own question (`yes`, there is no undo), `prevent_destroy` refusing the whole
//! plan before the first DELETE, a wait for every deleted instance to be gone (404),
//! then a last look that nothing declared is left; with `--format json`, apply's one
//! report document (`"operation": "destroy"`). A second destroy finds nothing to
//! do and exits 0. A saved destroy plan (`plan --destroy --out FILE`) is applied with
//! `apply FILE`, as Terraform applies one.

use super::apply::run_files;
use super::apply_setup::Carry;
use super::error::Result;
use super::outcome::Outcome;
use crate::cli::{DestroyArgs, GlobalArgs};

/// Exit 0 when every declared instance (within the targets) is gone, 1 otherwise.
pub(super) async fn run(global: &GlobalArgs, args: &DestroyArgs) -> Result<Outcome> {
    run_files(global, &Carry::destroy(args), None).await
}
