//! `auraform show PLAN_FILE [--format human|json|markdown]`: a plan saved by
//! `plan --out`, rendered exactly as `plan` printed it when it was saved (the same
//! renderers, on the plan without its `made_from` seal). It reads only the file: no
//! aura.yaml, no API, no credentials, so a reviewer can look at a plan from CI.
//! Whether the plan is still fresh is for `apply PLAN_FILE` to check.

use super::error::Result;
use super::outcome::Outcome;
use super::saved_plan;
use super::stdout::{print_stdout, stdout_color};
use crate::cli::{GlobalArgs, ShowArgs};
use crate::plan::render::render;

/// Exit 0, or 1 when the file is not a saved plan of this format.
pub(super) fn run(global: &GlobalArgs, args: &ShowArgs) -> Result<Outcome> {
    let mut plan = saved_plan::load(&args.plan_file)?;
    // `plan` renders before it seals; the seal is the file's, not the plan's.
    plan.made_from = None;
    print_stdout(&render(
        &plan,
        args.format.into(),
        stdout_color(global.color),
    ))?;
    Ok(Outcome::Success)
}
