//! The schema of the document a run over several aura.yaml files prints with
//! `--format json` (docs/commands.md §12), `schema/files.schema.json`: one entry per
//! file holding the document a run over that file alone prints — a plan or drift
//! report (`plan`, `drift`), an apply report (`apply`) or an output document
//! (`output`) — or that file's error. Each document names itself (`kind`), so one
//! schema serves every command. It is generated here, not in `plan::files` beside the
//! wrapper's types, because this is the lowest layer that sees all three documents.

use schemars::JsonSchema;
use serde::Serialize;

use super::report_json::ReportDocument;
use crate::plan::Plan;
use crate::plan::connections::Connections;
use crate::plan::files::FilesDocument;
use crate::plan::schema::{pretty_json, titled_schema_of};

/// One file's report in a run over several: whichever document its command prints.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
#[allow(
    dead_code,
    reason = "only its JSON Schema is used: the commands build `FilesDocument`s of one kind"
)]
enum AnyReport {
    /// `plan` or `drift` (schema/plan.schema.json).
    Plan(Box<Plan>),
    /// `apply` (schema/apply-report.schema.json).
    Apply(ReportDocument),
    /// `output` (schema/output.schema.json).
    Output(Connections),
}

/// The several-files schema as a JSON value.
pub fn files_schema() -> serde_json::Value {
    titled_schema_of::<FilesDocument<AnyReport>>(
        "auraform plan, drift, apply or output over several files (format version 1)",
    )
}

/// The several-files schema as the committed file spells it.
pub fn files_schema_json() -> String {
    pretty_json(&files_schema())
}
