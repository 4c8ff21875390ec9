//! The document of a run over several aura.yaml files (`plan`, `drift`, `apply` or
//! `output` with `--format json` and more than one `-f`, docs/commands.md §12): one
//! entry per file, holding the document a run over that file alone would print, or
//! the error that file ended with. `schema/files.schema.json` is generated from these
//! types (by `apply::files_schema`, which sees every kind of report).

use schemars::JsonSchema;
use serde::Serialize;

/// The version of the several-files JSON document. Bumped only for incompatible changes.
pub const FILES_FORMAT_VERSION: &str = "1";

/// A run over several files as one JSON document: `plan`, `drift`, `apply` or
/// `output` with `--format json` and more than one `-f`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FilesDocument<T> {
    /// Always `"1"` for this format.
    pub format_version: String,
    /// The exit code of the whole run: the worst of the files' (1 over 2 over 0).
    #[schemars(range(max = 2))]
    pub exit_code: u8,
    /// One entry per file, in the order the files were named (a directory's
    /// `*.aura.yaml` files in name order).
    pub files: Vec<FileDocument<T>>,
}

/// One file of a run over several.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FileDocument<T> {
    /// The path as given on the command line (or found in a directory named there).
    pub file: String,
    /// What a run over this file alone, with the same flags, would have exited with.
    #[schemars(range(max = 2))]
    pub exit_code: u8,
    /// The report, or why there is none.
    #[serde(flatten)]
    pub outcome: FileOutcome<T>,
}

/// A file's report (exactly the document a run over that file alone prints), or its
/// error.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileOutcome<T> {
    Report(T),
    Error(Failure),
}

/// Why a file has no report: the diagnostic the run printed on stderr, as data.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Failure {
    /// The stable code, e.g. `auraform::config::invalid_value`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The individual problems, when there are several (every problem in aura.yaml).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Failure>,
}
