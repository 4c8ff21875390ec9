//! The final report of an apply: per instance, what was done, what failed and why,
//! what was skipped, and — after Ctrl-C — where each instance stands, so the user
//! knows what a re-run will do. It decides the exit code: 1 if anything failed or was
//! interrupted (docs/commands.md), after every other chain has finished.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::sinks::{Delivery, SinkKind};

/// How one instance's chain of steps ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstanceOutcome {
    /// Every step completed and its expectation held.
    Done,
    /// A step failed; the chain stopped there. Other instances went on.
    Failed { step: String, reason: String },
    /// No step ran (e.g. the clone source failed, or Ctrl-C came first).
    Skipped { reason: String },
    /// Ctrl-C stopped the chain: `step` was in progress (its request, if sent, finished).
    Interrupted { step: Option<String> },
    /// Another apply created the same instance at the same time and its copy is the
    /// one kept (docs/apply.md §16): this run stood back, or deleted its own copy.
    Conflict { step: String, reason: String },
}

/// A snapshot taken before a risky step, `Completed`: what the user restores from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestorePoint {
    /// The instance the snapshot is of (for a replacement: the old one).
    pub instance_id: String,
    pub snapshot_id: String,
}

/// What happened to one instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceReport {
    pub name: String,
    /// The instance id, once known (a create learns it from the response).
    pub id: Option<String>,
    /// Step words completed, in order.
    pub completed: Vec<String>,
    /// Step words never started.
    pub remaining: Vec<String>,
    /// The last status the API reported (`running`, `creating`, …), if any.
    pub last_status: Option<String>,
    /// Where the credentials of a created instance went.
    pub credentials: Option<Delivery>,
    /// What to do about a failed step, when something specific can be said.
    pub remedy: Option<String>,
    /// Restore points taken, in order; each one `Completed`.
    pub restore_points: Vec<RestorePoint>,
    /// Things the user must know and act on (lost password, remedy), in order.
    pub notes: Vec<String>,
    /// A destroy: this instance's credentials files that `--remove-credentials`
    /// removed, and those left in place (without it, or when removing one failed).
    pub credentials_removed: Vec<PathBuf>,
    pub credentials_left: Vec<PathBuf>,
    pub outcome: InstanceOutcome,
}

impl InstanceReport {
    pub fn new(name: impl Into<String>, id: Option<String>, steps: Vec<String>) -> Self {
        Self {
            name: name.into(),
            id,
            completed: Vec::new(),
            remaining: steps,
            last_status: None,
            credentials: None,
            remedy: None,
            restore_points: Vec::new(),
            notes: Vec::new(),
            credentials_removed: Vec::new(),
            credentials_left: Vec::new(),
            outcome: InstanceOutcome::Skipped {
                reason: "not started".to_owned(),
            },
        }
    }

    /// Marks the first remaining step as completed.
    pub fn complete_step(&mut self) {
        if !self.remaining.is_empty() {
            let step = self.remaining.remove(0);
            self.completed.push(step);
        }
    }

    pub fn is_success(&self) -> bool {
        matches!(self.outcome, InstanceOutcome::Done) && !self.sink_failed()
    }

    /// A credentials sink did not take this instance's credentials.
    pub fn sink_failed(&self) -> bool {
        self.credentials
            .as_ref()
            .is_some_and(|d| !d.failures.is_empty())
    }
}

/// The report of a whole apply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// In plan order.
    pub instances: Vec<InstanceReport>,
    /// Ctrl-C was received.
    pub interrupted: bool,
    /// The plan was a destroy plan: the report speaks of destroying.
    pub destroy: bool,
    /// A destroy whose chains all succeeded, then whose last look found a declared
    /// instance still live or could not look (docs/apply.md §18).
    pub last_look: Option<LastLook>,
}

/// What went wrong in a destroy's last look: what, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastLook {
    pub reason: String,
    pub remedy: String,
}

impl ApplyReport {
    /// True when every instance is done (nothing failed, skipped or interrupted).
    pub fn succeeded(&self) -> bool {
        !self.interrupted && self.instances.iter().all(InstanceReport::is_success)
    }

    /// `0` when everything succeeded, `1` otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.succeeded() {
            crate::EXIT_OK
        } else {
            crate::EXIT_ERROR
        }
    }

    pub(crate) fn count(&self, pred: impl Fn(&InstanceOutcome) -> bool) -> usize {
        self.instances.iter().filter(|i| pred(&i.outcome)).count()
    }

    /// Instances whose credentials a sink did not take.
    pub fn sink_failures(&self) -> usize {
        self.instances.iter().filter(|i| i.sink_failed()).count()
    }

    /// The human report (no colour, no secrets).
    pub fn render(&self) -> String {
        let done = self.count(|o| matches!(o, InstanceOutcome::Done));
        let failed = self.count(|o| matches!(o, InstanceOutcome::Failed { .. }));
        let skipped = self.count(|o| matches!(o, InstanceOutcome::Skipped { .. }));
        let interrupted = self.count(|o| matches!(o, InstanceOutcome::Interrupted { .. }));
        let conflicts = self.count(|o| matches!(o, InstanceOutcome::Conflict { .. }));

        let (title, command) = if self.destroy {
            ("Destroy", "destroy")
        } else {
            ("Apply", "apply")
        };
        let mut out = String::new();
        if self.instances.is_empty() {
            let _ = writeln!(out, "{title} complete: nothing to do.");
            return out;
        }
        let headline = if self.interrupted {
            format!("{title} interrupted")
        } else if self.succeeded() {
            format!("{title} complete")
        } else {
            format!("{title} finished with errors")
        };
        let mut counts = vec![format!("{done} done")];
        for (n, word) in [
            (failed, "failed"),
            (conflicts, "in conflict"),
            (skipped, "skipped"),
            (interrupted, "interrupted"),
        ] {
            if n > 0 {
                counts.push(format!("{n} {word}"));
            }
        }
        // Apart from the outcomes, which add up to the instances: a sink fails for an
        // instance that was created, so it is one of those counted above.
        let sinks_failed = self.sink_failures();
        let sinks = match sinks_failed {
            0 => String::new(),
            n => format!("; credentials not stored by the sink for {n}"),
        };
        let _ = writeln!(out, "{headline}: {}{sinks}.", counts.join(", "));
        out.push('\n');

        let width = self
            .instances
            .iter()
            .map(|i| i.name.chars().count())
            .max()
            .unwrap_or(0);
        for inst in &self.instances {
            render_instance(&mut out, inst, width);
        }

        if self.interrupted || interrupted > 0 {
            let _ = writeln!(
                out,
                "\nRun `auraform {command}` again to finish: the next plan starts from where each instance stands now."
            );
        } else if failed > 0 || skipped > 0 {
            let _ = writeln!(
                out,
                "\nFix what failed, then run `auraform {command}` again: instances that are done will show no changes."
            );
        } else if conflicts > 0 {
            out.push_str(
                "\nAnother apply of the same instances ran at the same time; its copies were kept. Give every apply of a project its own turn (a CI concurrency group), then run `auraform plan` to check.\n",
            );
        }
        if sinks_failed > 0 {
            out.push_str(
                "\nStore the credentials each remedy above names: apply does not run `credentials.command` again for instances that exist.\n",
            );
        }
        out
    }
}

fn render_instance(out: &mut String, inst: &InstanceReport, width: usize) {
    let (word, detail) = match &inst.outcome {
        InstanceOutcome::Done => ("done", inst.completed.join(", ")),
        InstanceOutcome::Failed { step, reason } => ("FAILED", format!("{step}: {reason}")),
        InstanceOutcome::Conflict { step, reason } => ("CONFLICT", format!("{step}: {reason}")),
        InstanceOutcome::Skipped { reason } => ("skipped", reason.clone()),
        InstanceOutcome::Interrupted { step } => (
            "interrupted",
            match step {
                Some(step) => format!("during {step}"),
                None => "before its next step".to_owned(),
            },
        ),
    };
    let _ = write!(out, "  {:<width$}  {word:<11}  {detail}", inst.name);
    let mut facts = Vec::new();
    if let Some(id) = &inst.id {
        facts.push(format!("id {id}"));
    }
    if let Some(status) = &inst.last_status {
        facts.push(format!("status {status}"));
    }
    if !facts.is_empty() {
        let _ = write!(out, " ({})", facts.join(", "));
    }
    out.push('\n');
    let indent = " ".repeat(width + 4);
    if !matches!(inst.outcome, InstanceOutcome::Done) {
        if !inst.completed.is_empty() {
            let _ = writeln!(out, "{indent}completed: {}", inst.completed.join(", "));
        }
        // The step that failed or was interrupted is named above, not "not started".
        let in_progress = match &inst.outcome {
            InstanceOutcome::Failed { step, .. }
            | InstanceOutcome::Conflict { step, .. }
            | InstanceOutcome::Interrupted {
                step: Some(step), ..
            } => Some(step),
            _ => None,
        };
        let skip = usize::from(in_progress.is_some() && inst.remaining.first() == in_progress);
        let not_started = &inst.remaining[skip..];
        if !not_started.is_empty() {
            let _ = writeln!(out, "{indent}not started: {}", not_started.join(", "));
        }
    }
    if let (InstanceOutcome::Failed { .. }, Some(remedy)) = (&inst.outcome, &inst.remedy) {
        let _ = writeln!(out, "{indent}remedy: {remedy}");
    }
    if let Some(delivery) = &inst.credentials {
        render_delivery(out, delivery, &indent);
    }
    for file in &inst.credentials_removed {
        let _ = writeln!(out, "{indent}credentials removed: {}", file.display());
    }
    for r in &inst.restore_points {
        let _ = writeln!(
            out,
            "{indent}restore point: snapshot {} of instance {}",
            r.snapshot_id, r.instance_id
        );
    }
    for note in &inst.notes {
        let _ = writeln!(out, "{indent}{note}");
    }
}

/// Where the credentials went, then each sink that failed with its remedy.
fn render_delivery(out: &mut String, d: &Delivery, indent: &str) {
    if let Some(path) = &d.file {
        let why = if d.file_is_fallback {
            " (written although `file: false`: the command failed)"
        } else {
            ""
        };
        let _ = writeln!(out, "{indent}credentials: {}{why}", path.display());
    }
    if let (Some(program), true) = (&d.command, d.command_stored) {
        let _ = writeln!(out, "{indent}credentials: stored by `{program}`");
    }
    for f in &d.failures {
        let which = match f.sink {
            SinkKind::File => "credentials file",
            SinkKind::Command => "credentials command",
        };
        let _ = writeln!(out, "{indent}{which} FAILED: {}", f.reason);
        let _ = writeln!(out, "{indent}  remedy: {}", f.remedy);
    }
    for note in &d.notes {
        let _ = writeln!(out, "{indent}{note}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(name: &str, steps: &[&str], done: usize, outcome: InstanceOutcome) -> InstanceReport {
        let mut r = InstanceReport::new(
            name,
            Some("0a1b2c3d".into()),
            steps.iter().map(|s| (*s).to_owned()).collect(),
        );
        for _ in 0..done {
            r.complete_step();
        }
        r.outcome = outcome;
        r
    }

    #[test]
    fn all_done_exits_zero() {
        let mut r = report("orders", &["create", "pause"], 2, InstanceOutcome::Done);
        r.credentials = Some(Delivery {
            file: Some(".auraform/credentials/orders.env".into()),
            ..Delivery::default()
        });
        r.last_status = Some("paused".into());
        let rep = ApplyReport {
            instances: vec![r],
            interrupted: false,
            destroy: false,
            last_look: None,
        };
        assert!(rep.succeeded());
        assert_eq!(rep.exit_code(), 0);
        assert_eq!(
            rep.render(),
            "Apply complete: 1 done.\n\n  orders  done         create, pause (id 0a1b2c3d, status paused)\n          credentials: .auraform/credentials/orders.env\n"
        );
    }

    #[test]
    fn failure_and_interrupt_exit_one_and_say_where_things_stand() {
        let failed = report(
            "events",
            &["update", "pause"],
            0,
            InstanceOutcome::Failed {
                step: "update".into(),
                reason: "the instance went to `loading failed`".into(),
            },
        );
        let mut interrupted = report(
            "orders",
            &["create", "update", "pause"],
            0,
            InstanceOutcome::Interrupted {
                step: Some("update".into()),
            },
        );
        interrupted.complete_step();
        interrupted.last_status = Some("creating".into());
        let skipped = InstanceReport::new("copy", None, vec!["create".into()]);
        let rep = ApplyReport {
            instances: vec![failed, interrupted, skipped],
            interrupted: true,
            destroy: false,
            last_look: None,
        };
        assert_eq!(rep.exit_code(), 1);
        let text = rep.render();
        assert!(text.starts_with("Apply interrupted: 0 done, 1 failed, 1 skipped, 1 interrupted."));
        assert!(
            text.contains("events  FAILED       update: the instance went to `loading failed`")
        );
        assert!(text.contains("orders  interrupted  during update (id 0a1b2c3d, status creating)"));
        assert!(text.contains("completed: create\n"));
        assert!(text.contains("not started: pause\n"));
        // The failed step is not listed as "not started".
        assert!(text.contains("events  FAILED       update: the instance went to `loading failed` (id 0a1b2c3d)\n          not started: pause\n"));
        assert!(text.contains("Run `auraform apply` again"));
    }

    #[test]
    fn empty_report() {
        let rep = ApplyReport::default();
        assert!(rep.succeeded());
        assert_eq!(rep.render(), "Apply complete: nothing to do.\n");
    }
}
