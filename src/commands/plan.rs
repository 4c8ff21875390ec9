//! `auraform plan`: what apply would change, on stdout in the requested format;
//! `--out` saves it for `apply PLAN_FILE`.

use super::error::Result;
use super::outcome::Outcome;
use super::output::{print_stdout, stdout_color};
use super::{pipeline, saved_plan};
use crate::cli::{GlobalArgs, PlanArgs};
use crate::plan::PlanOptions;
use crate::plan::render::render;

/// Exit 0; with `--detailed-exitcode`, 2 when apply would act.
pub(super) async fn run(global: &GlobalArgs, args: &PlanArgs) -> Result<Outcome> {
    // The file is checked before anything touches the network or the disk.
    let loaded = pipeline::load(global.file())?;
    let session = pipeline::open(global).await?;
    let opts = PlanOptions::new(args.targets.clone(), args.prune);
    let planned = pipeline::plan(&session, loaded, &opts).await;
    session.close().await;
    let planned = planned?;
    if let Some(out) = &args.out {
        saved_plan::save(
            out,
            &planned.plan,
            &planned.loaded,
            global.file(),
            &planned.live,
        )?;
    }
    print_stdout(&render(
        &planned.plan,
        args.format.into(),
        stdout_color(global.color),
    ))?;
    if let Some(out) = &args.out {
        eprintln!(
            "Saved the plan to {}. Apply exactly this plan with: auraform apply {}",
            out.display(),
            out.display()
        );
    }
    Ok(Outcome::changes_if(
        args.detailed_exitcode && planned.plan.has_changes(),
    ))
}
