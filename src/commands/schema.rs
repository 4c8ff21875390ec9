//! `auraform schema [--plan | --files | --catalog]`: the JSON Schema of aura.yaml
//! (identical to `schema/aura.schema.json`), of the plan JSON (`schema/plan.schema.json`),
//! of the document of a `plan` or `drift` over several files (`schema/files.schema.json`),
//! or of `catalog --format json` (`schema/catalog.schema.json`).

use super::catalog_view;
use super::error::Result;
use super::outcome::Outcome;
use super::output::print_stdout;
use crate::cli::SchemaArgs;

pub(super) fn run(args: &SchemaArgs) -> Result<Outcome> {
    let text = if args.plan {
        crate::plan::schema::plan_schema_json()
    } else if args.files {
        crate::plan::schema::files_schema_json()
    } else if args.catalog {
        catalog_view::schema_json()
    } else {
        crate::config::schema::generate_string()
    };
    print_stdout(&text)?;
    Ok(Outcome::Success)
}
