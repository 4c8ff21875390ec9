//! `auraform drift`: the plan computed only to report how live state diverges from
//! aura.yaml. Exit 0 clean, 2 drift (changes, missing, unmanaged, needing a person),
//! 1 error.

use super::error::Result;
use super::outcome::Outcome;
use super::output::{print_stdout, stdout_color};
use super::pipeline;
use crate::cli::{DriftArgs, GlobalArgs};
use crate::plan::render::render;
use crate::plan::{DocumentKind, PlanOptions};

pub(super) async fn run(global: &GlobalArgs, args: &DriftArgs) -> Result<Outcome> {
    let loaded = pipeline::load(global.file())?;
    let session = pipeline::open(global).await?;
    let planned = pipeline::plan(&session, loaded, &PlanOptions::report_only()).await;
    session.close().await;
    let mut report = planned?.plan;
    report.kind = DocumentKind::Drift;
    print_stdout(&render(
        &report,
        args.format.into(),
        stdout_color(global.color),
    ))?;
    Ok(Outcome::changes_if(report.has_drift()))
}
