//! `auraform plan`: what apply would change (with `--destroy`, what destroy would
//! delete), on stdout in the requested format; `--out` saves it for `apply PLAN_FILE`. With several files, each is planned in turn
//! (`commands::projects`).

use std::path::Path;

use super::error::Result;
use super::outcome::Outcome;
use super::stdout::{print_stdout, stdout_color};
use super::{files, pipeline, projects, saved_plan};
use crate::cli::{GlobalArgs, PlanArgs};
use crate::plan::render::render;
use crate::plan::{DocumentKind, PlanOptions};

/// Exit 0; with `--detailed-exitcode`, 2 when apply would act.
pub(super) async fn run(global: &GlobalArgs, args: &PlanArgs) -> Result<Outcome> {
    let files = files::resolve(&global.files)?;
    files::check_single_file_flags(files.len(), args.out.is_some(), !args.targets.is_empty())?;
    if let [file] = files.as_slice() {
        return run_one(global, args, file).await;
    }
    let runs = projects::plan_each(global, &files, &options(args)).await?;
    for run in &runs {
        if let Ok(planned) = &run.result {
            pipeline::check_journal(&run.file, &planned.live, global.quiet);
        }
    }
    projects::print_plans(global, &runs, args.format, DocumentKind::Plan, |plan| {
        Outcome::changes_if(args.detailed_exitcode && plan.has_changes())
    })
}

async fn run_one(global: &GlobalArgs, args: &PlanArgs, file: &Path) -> Result<Outcome> {
    // The file is checked before anything touches the network or the disk.
    let loaded = pipeline::load(file)?;
    let session = pipeline::open(global, file).await?;
    let planned = pipeline::plan(&session, loaded, &options(args)).await;
    session.close().await;
    let planned = planned?;
    pipeline::check_journal(file, &planned.live, global.quiet);
    if let Some(out) = &args.out {
        saved_plan::save(out, &planned.plan, &planned.loaded, file, &planned.live)?;
    }
    print_stdout(&render(
        &planned.plan,
        args.format.into(),
        stdout_color(global.color),
    ))?;
    if let Some(out) = &args.out {
        // The command to run next, with what it needs of this one's flags.
        let file = if global.files_given {
            format!(" -f {}", file.display())
        } else {
            String::new()
        };
        let emulator = if global.emulator { " --emulator" } else { "" };
        let apply = format!("auraform apply {}{file}{emulator}", out.display());
        eprintln!(
            "Saved the {what} to {out}. Review it with `auraform show {out}`; apply exactly this plan with `{apply}`.",
            what = if args.destroy { "destroy plan" } else { "plan" },
            out = out.display(),
        );
    }
    Ok(Outcome::changes_if(
        args.detailed_exitcode && planned.plan.has_changes(),
    ))
}

/// The plan `plan` makes: a destroy plan with `--destroy`.
fn options(args: &PlanArgs) -> PlanOptions {
    if args.destroy {
        PlanOptions::destroy(args.targets.clone())
    } else {
        PlanOptions::new(args.targets.clone(), args.prune)
    }
}
