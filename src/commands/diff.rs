//! `auraform diff OLD NEW`: two desired states compared with no API access (PRs from
//! forks have no credentials), rendered by the plan renderers. Exit 0; with
//! `--detailed-exitcode`, 2 when the files differ (any change, or an instance removed
//! from the file).

use super::diff_input;
use super::error::Result;
use super::outcome::Outcome;
use super::stdout::{print_stdout, stdout_color};
use crate::cli::{DiffArgs, GlobalArgs};
use crate::plan::render::render;

pub(super) fn run(global: &GlobalArgs, args: &DiffArgs) -> Result<Outcome> {
    let report = diff_input::diff(&args.old, &args.new)?;
    print_stdout(&render(
        &report,
        args.format.into(),
        stdout_color(global.color),
    ))?;
    Ok(Outcome::changes_if(
        args.detailed_exitcode && report.has_drift(),
    ))
}
