//! `apply --format json`: the final report as one JSON document on stdout
//! (docs/apply.md §14.1), published as `schema/apply-report.schema.json`. The same
//! facts as the human report, with every failure's reason and remedy apart, so a CI
//! job can act on them without parsing text.

use schemars::JsonSchema;
use serde::Serialize;

use super::report::{ApplyReport, InstanceOutcome, InstanceReport};
use super::sinks::{Delivery, SinkKind};
use crate::plan::schema::{pretty_json, schema_of};
use crate::plan::{Plan, ProjectRef};

/// The format version of the apply report.
pub const REPORT_FORMAT_VERSION: &str = "1";

/// The whole report.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(title = "auraform apply report (format version 1)")]
pub struct ReportDocument {
    /// `"1"`.
    pub format_version: String,
    /// Always `"apply-report"`.
    #[schemars(with = "ReportKind")]
    pub kind: &'static str,
    /// What the plan did: `apply`, or `destroy` (`auraform destroy`, or `apply` of a
    /// saved destroy plan).
    pub operation: Operation,
    pub project: ProjectRef,
    /// How the apply ended; the exit code is 0 exactly when this is `complete` or
    /// `nothing-to-do`.
    pub outcome: ApplyOutcome,
    pub summary: ReportSummary,
    /// One entry per instance of the plan, in plan order.
    pub instances: Vec<InstanceEntry>,
    /// What went wrong that is no one instance's: a destroy's last look found a
    /// declared instance still live, or could not look (`not-destroyed`).
    pub failures: Vec<FailureEntry>,
}

/// What the plan did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Apply,
    /// Every instance `done` is gone (`GET` answered 404): `steps_done` holds `delete`
    /// when this run deleted it, only `wait` when it was already being destroyed.
    Destroy,
}

/// How the apply ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ApplyOutcome {
    /// The plan had no changes: nothing was done.
    NothingToDo,
    /// Every instance is done and every credentials sink took its credentials.
    Complete,
    /// Something failed or was skipped; the rest went on to its end.
    FinishedWithErrors,
    /// Ctrl-C: no new step started after it.
    Interrupted,
}

/// Instances by how they ended.
#[derive(Clone, Copy, Debug, Default, Serialize, JsonSchema)]
pub struct ReportSummary {
    pub done: usize,
    pub failed: usize,
    /// Instances another apply created at the same time, whose copy was kept
    /// (docs/apply.md §16).
    pub conflicts: usize,
    pub skipped: usize,
    pub interrupted: usize,
    /// Instances for which a credentials sink failed (they may also be `done`).
    pub credentials_sink_failures: usize,
}

/// What happened to one instance.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct InstanceEntry {
    pub name: String,
    /// The instance id, once known (a create learns it from the response).
    pub id: Option<String>,
    pub outcome: EntryOutcome,
    /// Step words completed, in order (`create`, `update`, `pause`, …).
    pub steps_done: Vec<String>,
    /// The step that failed or was interrupted, if any.
    pub step_in_progress: Option<String>,
    /// Steps never started.
    pub steps_not_started: Vec<String>,
    /// The last status the API reported (`running`, `paused`, …), if any.
    pub status: Option<String>,
    /// Where the credentials of a created instance went; `null` when nothing was
    /// created.
    pub credentials: Option<CredentialsEntry>,
    /// Everything that went wrong for this instance, each with what to do.
    pub failures: Vec<FailureEntry>,
    /// Other things to know (e.g. the credentials file went beside an older one).
    pub notes: Vec<String>,
    /// Snapshots taken before a risky step (`snapshot_before`), each `Completed`: what
    /// to restore from (docs/apply.md §19).
    pub restore_points: Vec<RestorePointEntry>,
    /// A destroy: the credentials files of this instance that `--remove-credentials`
    /// removed.
    pub credentials_removed: Vec<String>,
    /// A destroy: the credentials files of this destroyed instance still in place
    /// (without `--remove-credentials`, or removing one failed: see `notes`). They
    /// hold the password of an instance that no longer exists.
    pub credentials_left: Vec<String>,
}

/// One restore point: the snapshot and the instance it is of (for a replacement by a
/// clone, the old instance).
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct RestorePointEntry {
    pub instance_id: String,
    pub snapshot_id: String,
}

/// How one instance's chain ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntryOutcome {
    Done,
    Failed,
    Skipped,
    Interrupted,
    // Another apply created the instance at the same time and its copy is the one
    // kept: this run created nothing, or deleted its own copy (docs/apply.md §16).
    Conflict,
}

/// The credentials sinks of one created instance.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct CredentialsEntry {
    /// The `.env` file (mode 0600) that holds them, if one was written.
    pub file: Option<String>,
    /// The file was written only because the command failed under `file: false`.
    pub file_is_fallback: bool,
    /// `credentials.command`, if one ran.
    pub command: Option<CommandEntry>,
    /// At least one sink holds the password (`false`: it is lost; see `failures`).
    pub stored: bool,
}

/// The command sink's run.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct CommandEntry {
    /// The command as the report names it: its words, shell-quoted, cut at 72
    /// characters.
    pub label: String,
    /// It exited 0.
    pub stored: bool,
}

/// One thing that went wrong.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FailureEntry {
    pub kind: FailureKind,
    /// The step it happened in, for `step` and `interrupted`.
    pub step: Option<String>,
    /// What happened (never a secret, never a raw API body).
    pub reason: String,
    /// What to do about it.
    pub remedy: String,
}

/// What a failure is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// A step failed; the instance's chain stopped there.
    Step,
    /// The chain never started (its clone source failed, or a blocked change).
    Skipped,
    /// Ctrl-C stopped the chain.
    Interrupted,
    /// An overlapping apply's copy of the instance was kept (docs/apply.md §16).
    Conflict,
    /// The `.env` file could not be written.
    CredentialsFile,
    /// `credentials.command` failed, timed out or could not be started.
    CredentialsCommand,
    /// After a destroy, a declared instance was still live, or the last look failed.
    NotDestroyed,
}

#[derive(JsonSchema)]
#[allow(
    dead_code,
    reason = "only its JSON Schema is used: it is never constructed"
)]
enum ReportKind {
    #[serde(rename = "apply-report")]
    ApplyReport,
}

const RUN_AGAIN: &str =
    "fix the cause, then run `auraform apply` again: instances that are done show no changes";
const TAKE_TURNS: &str = "give every apply of a project its own turn (a CI concurrency group), then run `auraform plan` to check";
const FINISH: &str =
    "run `auraform apply` again to finish: the next plan starts from where the instance stands";

/// The document of a plan without changes: nothing was done.
pub fn nothing_to_do(plan: &Plan) -> ReportDocument {
    let report = ApplyReport {
        destroy: plan.options.destroy,
        ..ApplyReport::default()
    };
    document(&report, &plan.project)
}

/// The document for `report` of an apply in `project`.
pub fn document(report: &ApplyReport, project: &ProjectRef) -> ReportDocument {
    let outcome = if report.instances.is_empty() && !report.interrupted {
        ApplyOutcome::NothingToDo
    } else if report.interrupted {
        ApplyOutcome::Interrupted
    } else if report.succeeded() && report.last_look.is_none() {
        ApplyOutcome::Complete
    } else {
        ApplyOutcome::FinishedWithErrors
    };
    let summary = ReportSummary {
        done: report.count(|o| matches!(o, InstanceOutcome::Done)),
        failed: report.count(|o| matches!(o, InstanceOutcome::Failed { .. })),
        conflicts: report.count(|o| matches!(o, InstanceOutcome::Conflict { .. })),
        skipped: report.count(|o| matches!(o, InstanceOutcome::Skipped { .. })),
        interrupted: report.count(|o| matches!(o, InstanceOutcome::Interrupted { .. })),
        credentials_sink_failures: report.sink_failures(),
    };
    ReportDocument {
        format_version: REPORT_FORMAT_VERSION.to_owned(),
        kind: "apply-report",
        operation: if report.destroy {
            Operation::Destroy
        } else {
            Operation::Apply
        },
        project: project.clone(),
        outcome,
        summary,
        instances: report.instances.iter().map(entry).collect(),
        failures: report
            .last_look
            .iter()
            .map(|l| FailureEntry {
                kind: FailureKind::NotDestroyed,
                step: None,
                reason: l.reason.clone(),
                remedy: l.remedy.clone(),
            })
            .collect(),
    }
}

/// The document as `apply --format json` prints it: pretty, one trailing newline.
pub fn to_json(doc: &ReportDocument) -> String {
    pretty_json(doc)
}

fn entry(inst: &InstanceReport) -> InstanceEntry {
    let (outcome, in_progress, failure) = match &inst.outcome {
        InstanceOutcome::Done => (EntryOutcome::Done, None, None),
        InstanceOutcome::Failed { step, reason } => (
            EntryOutcome::Failed,
            Some(step.clone()),
            Some(FailureEntry {
                kind: FailureKind::Step,
                step: Some(step.clone()),
                reason: reason.clone(),
                remedy: inst.remedy.clone().unwrap_or_else(|| RUN_AGAIN.to_owned()),
            }),
        ),
        InstanceOutcome::Conflict { step, reason } => (
            EntryOutcome::Conflict,
            Some(step.clone()),
            Some(FailureEntry {
                kind: FailureKind::Conflict,
                step: Some(step.clone()),
                reason: reason.clone(),
                remedy: TAKE_TURNS.to_owned(),
            }),
        ),
        InstanceOutcome::Skipped { reason } => (
            EntryOutcome::Skipped,
            None,
            Some(FailureEntry {
                kind: FailureKind::Skipped,
                step: None,
                reason: reason.clone(),
                remedy: RUN_AGAIN.to_owned(),
            }),
        ),
        InstanceOutcome::Interrupted { step } => (
            EntryOutcome::Interrupted,
            step.clone(),
            Some(FailureEntry {
                kind: FailureKind::Interrupted,
                step: step.clone(),
                reason: match step {
                    Some(step) => format!("interrupted during {step}"),
                    None => "interrupted before its next step".to_owned(),
                },
                remedy: FINISH.to_owned(),
            }),
        ),
    };
    // The step in progress heads `remaining`; it is not "not started".
    let skip = usize::from(in_progress.is_some() && inst.remaining.first() == in_progress.as_ref());
    let mut failures: Vec<FailureEntry> = failure.into_iter().collect();
    if let Some(d) = &inst.credentials {
        failures.extend(d.failures.iter().map(|f| FailureEntry {
            kind: match f.sink {
                SinkKind::File => FailureKind::CredentialsFile,
                SinkKind::Command => FailureKind::CredentialsCommand,
            },
            step: Some("create".to_owned()),
            reason: f.reason.clone(),
            remedy: f.remedy.clone(),
        }));
    }
    let mut notes = inst.notes.clone();
    if let Some(d) = &inst.credentials {
        notes.extend(d.notes.iter().cloned());
    }
    InstanceEntry {
        name: inst.name.clone(),
        id: inst.id.clone(),
        outcome,
        steps_done: inst.completed.clone(),
        step_in_progress: in_progress,
        steps_not_started: inst.remaining[skip..].to_vec(),
        status: inst.last_status.clone(),
        credentials: inst.credentials.as_ref().map(credentials),
        failures,
        notes,
        restore_points: inst
            .restore_points
            .iter()
            .map(|r| RestorePointEntry {
                instance_id: r.instance_id.clone(),
                snapshot_id: r.snapshot_id.clone(),
            })
            .collect(),
        credentials_removed: paths(&inst.credentials_removed),
        credentials_left: paths(&inst.credentials_left),
    }
}

fn paths(files: &[std::path::PathBuf]) -> Vec<String> {
    files.iter().map(|f| f.display().to_string()).collect()
}

fn credentials(d: &Delivery) -> CredentialsEntry {
    CredentialsEntry {
        file: d.file.as_ref().map(|p| p.to_string_lossy().into_owned()),
        file_is_fallback: d.file_is_fallback,
        command: d.command.as_ref().map(|label| CommandEntry {
            label: label.clone(),
            stored: d.command_stored,
        }),
        stored: !d.is_lost(),
    }
}

/// The JSON Schema of the report (draft-07), `schema/apply-report.schema.json`.
pub fn report_schema() -> serde_json::Value {
    schema_of::<ReportDocument>()
}

/// The schema as the committed file spells it.
pub fn report_schema_json() -> String {
    pretty_json(&report_schema())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::sinks::SinkFailure;

    /// The document of a finished (not interrupted) apply of `instances` in `demo`.
    fn document_of(instances: Vec<InstanceReport>) -> ReportDocument {
        let report = ApplyReport {
            instances,
            interrupted: false,
            destroy: false,
            last_look: None,
        };
        let project = ProjectRef {
            id: "p".into(),
            name: "demo".into(),
        };
        document(&report, &project)
    }

    #[test]
    fn failures_carry_reason_and_remedy() {
        let mut failed = InstanceReport::new(
            "a",
            Some("0a1b2c3d".into()),
            vec!["update".into(), "pause".into()],
        );
        failed.outcome = InstanceOutcome::Failed {
            step: "update".into(),
            reason: "boom".into(),
        };
        let mut done = InstanceReport::new("b", None, vec!["create".into()]);
        done.complete_step();
        done.outcome = InstanceOutcome::Done;
        done.credentials = Some(Delivery {
            file: Some("x/b.env".into()),
            command: Some("vault".into()),
            failures: vec![SinkFailure {
                sink: SinkKind::Command,
                reason: "`vault` exited with status 2".into(),
                remedy: "store it by hand".into(),
            }],
            ..Delivery::default()
        });
        let doc = document_of(vec![failed, done]);
        assert_eq!(doc.outcome, ApplyOutcome::FinishedWithErrors);
        assert_eq!(doc.summary.credentials_sink_failures, 1);
        let a = &doc.instances[0];
        assert_eq!(a.step_in_progress.as_deref(), Some("update"));
        assert_eq!(a.steps_not_started, vec!["pause".to_owned()]);
        assert_eq!(a.failures[0].remedy, RUN_AGAIN);
        let b = &doc.instances[1];
        assert_eq!(b.outcome, EntryOutcome::Done);
        assert_eq!(b.failures[0].kind, FailureKind::CredentialsCommand);
        let creds = b.credentials.as_ref().unwrap();
        assert!(creds.stored && !creds.command.as_ref().unwrap().stored);
        let validator = jsonschema::draft7::new(&report_schema()).unwrap();
        assert!(validator.is_valid(&serde_json::to_value(&doc).unwrap()));
    }

    #[test]
    fn a_copy_that_gave_way_is_a_conflict_with_what_to_do() {
        let mut gave_way = InstanceReport::new("orders", Some("k1".into()), vec!["create".into()]);
        gave_way.outcome = InstanceOutcome::Conflict {
            step: "create".into(),
            reason: "another apply created `orders` at the same time; kept k1".into(),
        };
        let doc = document_of(vec![gave_way]);
        assert_eq!(doc.outcome, ApplyOutcome::FinishedWithErrors);
        assert_eq!(doc.summary.conflicts, 1);
        let entry = &doc.instances[0];
        assert_eq!(entry.outcome, EntryOutcome::Conflict);
        assert_eq!(entry.step_in_progress.as_deref(), Some("create"));
        assert!(entry.steps_not_started.is_empty());
        assert_eq!(entry.failures[0].kind, FailureKind::Conflict);
        assert_eq!(entry.failures[0].remedy, TAKE_TURNS);
        let value = serde_json::to_value(&doc).unwrap();
        assert_eq!(value["instances"][0]["outcome"], "conflict");
        let validator = jsonschema::draft7::new(&report_schema()).unwrap();
        assert!(validator.is_valid(&value));
    }

    #[test]
    fn a_destroy_names_its_credentials_and_a_failed_last_look() {
        let mut gone =
            InstanceReport::new("pr-7-db", Some("7a7a7a7a".into()), vec!["delete".into()]);
        gone.complete_step();
        gone.outcome = InstanceOutcome::Done;
        gone.credentials_left = vec![".auraform/credentials/pr-7-db.env".into()];
        let report = ApplyReport {
            instances: vec![gone],
            interrupted: false,
            destroy: true,
            last_look: Some(super::super::LastLook {
                reason: "after the destroy, `pr-7-db` still exists".into(),
                remedy: "run `auraform destroy` again".into(),
            }),
        };
        let project = ProjectRef {
            id: "p".into(),
            name: "demo".into(),
        };
        let doc = document(&report, &project);
        // Every chain succeeded, but the command exits 1: the outcome says so.
        assert_eq!(doc.operation, Operation::Destroy);
        assert_eq!(doc.outcome, ApplyOutcome::FinishedWithErrors);
        assert_eq!(doc.failures[0].kind, FailureKind::NotDestroyed);
        let value = serde_json::to_value(&doc).unwrap();
        assert_eq!(value["failures"][0]["kind"], "not-destroyed");
        assert_eq!(
            value["instances"][0]["credentials_left"][0],
            ".auraform/credentials/pr-7-db.env"
        );
        let validator = jsonschema::draft7::new(&report_schema()).unwrap();
        assert!(validator.is_valid(&value));
        assert_eq!(document_of(Vec::new()).operation, Operation::Apply);
    }
}
