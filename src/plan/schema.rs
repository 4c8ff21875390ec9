//! The JSON Schema (draft-07) of the plan JSON and saved plan files, generated from
//! the plan types. `schema/plan.schema.json` is this, committed; a test fails when
//! the committed file is stale, and another validates real plans against it. The
//! other published documents (the apply report, the output document, the document of
//! a run over several files) are generated and spelled the same way, with
//! [`schema_of`] and [`pretty_json`].

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::Serialize;

use super::model::Plan;

/// The draft-07 schema of what `T` serializes to.
pub fn schema_of<T: JsonSchema>() -> serde_json::Value {
    let mut settings = SchemaSettings::draft07();
    settings.contract = schemars::generate::Contract::Serialize;
    settings
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// [`schema_of`] with `title` as the schema's title.
pub fn titled_schema_of<T: JsonSchema>(title: &str) -> serde_json::Value {
    let mut schema = schema_of::<T>();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("title".to_owned(), title.into());
    }
    schema
}

/// Pretty JSON with one trailing newline: how committed schemas and the JSON
/// documents auraform prints are spelled.
pub fn pretty_json(value: &impl Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// The plan JSON schema as a JSON value.
pub fn plan_schema() -> serde_json::Value {
    titled_schema_of::<Plan>("auraform plan (format version 1)")
}

/// The schema as the committed file spells it: pretty JSON with a final newline.
pub fn plan_schema_json() -> String {
    pretty_json(&plan_schema())
}
