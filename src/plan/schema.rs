//! The JSON Schema (draft-07) of the plan JSON and saved plan files, generated from
//! the plan types. `schema/plan.schema.json` is this, committed; a test fails when
//! the committed file is stale, and another validates real plans against it. The
//! same for `schema/files.schema.json`, the document of a `plan` or `drift` over
//! several files (docs/commands.md §12).

use schemars::generate::SchemaSettings;

use super::files::FilesDocument;
use super::model::Plan;

/// The plan JSON schema as a JSON value.
pub fn plan_schema() -> serde_json::Value {
    root_schema::<Plan>("auraform plan (format version 1)")
}

/// The schema of `plan` / `drift --format json` over several files: each file's plan
/// JSON (or drift report), or its error.
pub fn files_schema() -> serde_json::Value {
    root_schema::<FilesDocument<Plan>>(
        "auraform plan or drift over several files (format version 1)",
    )
}

fn root_schema<T: schemars::JsonSchema>(title: &str) -> serde_json::Value {
    let mut settings = SchemaSettings::draft07();
    settings.contract = schemars::generate::Contract::Serialize;
    let mut schema = settings.into_generator().into_root_schema_for::<T>();
    schema.insert("title".to_owned(), title.into());
    schema.to_value()
}

/// The plan schema as the committed file spells it: pretty JSON with a final newline.
pub fn plan_schema_json() -> String {
    pretty(&plan_schema())
}

/// The several-files schema as the committed file spells it.
pub fn files_schema_json() -> String {
    pretty(&files_schema())
}

fn pretty(schema: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(schema).unwrap_or_default();
    s.push('\n');
    s
}
