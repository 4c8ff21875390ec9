//! The JSON Schema (draft-07) of the plan JSON and saved plan files, generated from
//! the plan types. `schema/plan.schema.json` is this, committed; a test fails when
//! the committed file is stale, and another validates real plans against it.

use schemars::generate::SchemaSettings;

use super::model::Plan;

/// The plan JSON schema as a JSON value.
pub fn plan_schema() -> serde_json::Value {
    let mut settings = SchemaSettings::draft07();
    settings.contract = schemars::generate::Contract::Serialize;
    let mut schema = settings.into_generator().into_root_schema_for::<Plan>();
    schema.insert(
        "title".to_owned(),
        "auraform plan (format version 1)".into(),
    );
    schema.to_value()
}

/// The schema as the committed file spells it: pretty JSON with a final newline.
pub fn plan_schema_json() -> String {
    let mut s = serde_json::to_string_pretty(&plan_schema()).unwrap_or_default();
    s.push('\n');
    s
}
