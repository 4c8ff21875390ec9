//! `auraform schema [WHICH]`: a JSON Schema, identical to the committed file —
//! aura.yaml (`schema/aura.schema.json`, the default), the plan JSON
//! (`schema/plan.schema.json`), the apply report (`schema/apply-report.schema.json`),
//! the output document (`schema/output.schema.json`), the document of a run over several
//! files (`schema/files.schema.json`) or `catalog --format json`
//! (`schema/catalog.schema.json`). The hidden `--plan`, `--files`, `--catalog` are the
//! older spellings (docs/commands.md §9.7).

use super::catalog_view;
use super::error::Result;
use super::outcome::Outcome;
use super::stdout::print_stdout;
use crate::cli::{SchemaArgs, SchemaName};

pub(super) fn run(args: &SchemaArgs) -> Result<Outcome> {
    let text = match args.which() {
        SchemaName::Aura => crate::config::schema::generate_string(),
        SchemaName::Plan => crate::plan::schema::plan_schema_json(),
        SchemaName::ApplyReport => crate::apply::report_json::report_schema_json(),
        SchemaName::Output => crate::plan::connections::output_schema_json(),
        SchemaName::Files => crate::apply::files_schema::files_schema_json(),
        SchemaName::Catalog => catalog_view::schema_json(),
    };
    print_stdout(&text)?;
    Ok(Outcome::Success)
}
