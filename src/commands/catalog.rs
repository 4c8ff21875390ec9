//! `auraform catalog [--project P] [--type T] [--cloud C] [--format human|json]`: what
//! a project can run, read live from its `instance_configurations` (with
//! `--emulator`, the emulated project's), with the facts of each tier
//! (`catalog_view`). The project is `--project`, else the `project:` of aura.yaml
//! (read leniently, so a file with an unknown region can still be fixed with the
//! catalogue's help), else the only one the credentials see.

use super::catalog_text;
use super::catalog_view::{CatalogDocument, Filter, no_match};
use super::error::Result;
use super::outcome::Outcome;
use super::stdout::print_stdout;
use super::{files, pipeline, which_project};
use crate::cli::{CatalogArgs, CatalogFormat, GlobalArgs};
use crate::config;

pub(super) async fn run(global: &GlobalArgs, args: &CatalogArgs) -> Result<Outcome> {
    let files = files::resolve(&global.files)?;
    let file = files::single(&files, "catalog")?;
    let from_file = match &args.project {
        Some(_) => None,
        None => config::declared_project(file, &config::process_env),
    };
    let session = pipeline::open(global, file).await?;
    let tenant =
        which_project::choose(&session, args.project.as_deref().or(from_file.as_deref())).await;
    session.close().await;
    let tenant = tenant?;
    let filter = Filter {
        instance_type: args.instance_type.clone(),
        cloud_provider: args.cloud.clone(),
    };
    let doc = CatalogDocument::new(&tenant, filter);
    if doc.configurations.is_empty() {
        return Err(no_match(&tenant, args).into());
    }
    print_stdout(&match args.format {
        CatalogFormat::Human => catalog_text::human(&doc),
        CatalogFormat::Json => doc.json(),
    })?;
    Ok(Outcome::Success)
}
