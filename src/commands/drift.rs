//! `auraform drift`: the plan computed only to report how live state diverges from
//! aura.yaml. Exit 0 clean, 2 drift (changes, missing, unmanaged, needing a person),
//! 1 error. With several files, each is checked in turn (`commands::projects`).

use std::path::Path;

use super::error::Result;
use super::outcome::Outcome;
use super::stdout::{print_stdout, stdout_color};
use super::{files, pipeline, projects};
use crate::cli::{DriftArgs, GlobalArgs};
use crate::plan::render::render;
use crate::plan::{DocumentKind, PlanOptions};

pub(super) async fn run(global: &GlobalArgs, args: &DriftArgs) -> Result<Outcome> {
    let files = files::resolve(&global.files)?;
    if let [file] = files.as_slice() {
        return run_one(global, args, file).await;
    }
    let mut runs = projects::plan_each(global, &files, &PlanOptions::report_only()).await?;
    for run in &mut runs {
        if let Ok(planned) = &mut run.result {
            planned.plan.kind = DocumentKind::Drift;
        }
    }
    projects::print_plans(global, &runs, args.format, DocumentKind::Drift, |report| {
        Outcome::changes_if(report.has_drift())
    })
}

async fn run_one(global: &GlobalArgs, args: &DriftArgs, file: &Path) -> Result<Outcome> {
    let loaded = pipeline::load(file)?;
    let session = pipeline::open(global, file).await?;
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
