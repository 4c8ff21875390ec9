//! `auraform schema [--plan]`: the JSON Schema of aura.yaml (identical to
//! `schema/aura.schema.json`), or of the plan JSON (`schema/plan.schema.json`).

use super::error::Result;
use super::outcome::Outcome;
use super::output::print_stdout;

pub(super) fn run(plan: bool) -> Result<Outcome> {
    let text = if plan {
        crate::plan::schema::plan_schema_json()
    } else {
        crate::config::schema::generate_string()
    };
    print_stdout(&text)?;
    Ok(Outcome::Success)
}
