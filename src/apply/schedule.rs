//! Scheduling a plan: which chain runs when.
//!
//! Each [`Change`] of a plan is one instance's chain of steps. Chains run
//! concurrently, at most `parallelism` at a time (a semaphore); the steps of one chain
//! run strictly in order. A chain with `depends_on` (a clone of an instance this plan
//! creates) starts only once the step it depends on has completed, and gets that
//! instance's new id for `source_instance_id`; if the source's chain fails or is
//! interrupted first, the dependent chain is skipped with the reason. A chain waiting
//! for a dependency holds no permit, so even `--parallelism 1` cannot deadlock.
//!
//! Failure of one chain never stops the others. After Ctrl-C no chain starts and no
//! chain starts another step; the report says where each one stopped.
//!
//! What a step *does* is not decided here: a runner function gets a [`StepCall`] and
//! says how it ended. The executor passes one that talks to the API; the tests here
//! pass plain closures to check the scheduling itself.

use std::collections::HashMap;
use std::future::Future;
use tokio::sync::{Semaphore, watch};

use super::cancel::Cancel;
use super::progress::{InstanceProgress, Progress};
use super::report::{ApplyReport, InstanceOutcome, InstanceReport, RestorePoint};
use super::sinks::Delivery;
use crate::plan::{Change, ExpectedStatus, Plan, Step, StepAction};

/// One step to run, with everything resolved that depends on earlier steps.
#[derive(Debug)]
pub struct StepCall {
    /// The instance name (the change's name).
    pub instance: String,
    /// Index of the step in its chain.
    pub index: usize,
    pub step: Step,
    /// The id the request goes to: the step's own, or the one an earlier create of
    /// this chain returned. `None` only for a create.
    pub id: Option<String>,
    /// For a clone of an instance this plan creates: that instance's new id.
    pub source_id: Option<String>,
    /// For a clone made from the restore point of this chain: that snapshot's id.
    pub source_snapshot_id: Option<String>,
    /// The live instance the change is about when the plan was made (`Change::id`):
    /// for a create, the one it replaces, if any.
    pub change_id: Option<String>,
    pub progress: InstanceProgress,
}

/// What a step left behind, whether it succeeded or not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepEffects {
    /// The id of an instance the step created.
    pub created_id: Option<String>,
    /// The last status the API reported.
    pub last_status: Option<String>,
    /// Where a created instance's credentials went.
    pub credentials: Option<Delivery>,
    /// What to do about the step's failure, when something specific can be said.
    pub remedy: Option<String>,
    /// A restore point the step took.
    pub restore_point: Option<RestorePoint>,
    /// Messages the user must see (e.g. a lost password and the remedy).
    pub notes: Vec<String>,
    /// A `wait` saw the instance settle in this status rather than the one the plan
    /// foresaw: the rest of the chain is re-derived from it ([`crate::plan::resettle`]).
    pub settled: Option<ExpectedStatus>,
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepEnd {
    Done,
    Failed(String),
    /// Ctrl-C stopped it (its request, if sent, completed).
    Interrupted,
    /// Another apply made the same instance at the same time, and its copy is kept.
    Conflict(String),
}

impl StepEnd {
    /// `done`, `failed`, `interrupted` or `conflict`, for log lines.
    pub fn word(&self) -> &'static str {
        match self {
            StepEnd::Done => "done",
            StepEnd::Failed(_) => "failed",
            StepEnd::Interrupted => "interrupted",
            StepEnd::Conflict(_) => "conflict",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepResult {
    pub effects: StepEffects,
    pub end: StepEnd,
}

impl StepResult {
    pub fn done(effects: StepEffects) -> Self {
        Self {
            effects,
            end: StepEnd::Done,
        }
    }

    pub fn failed(effects: StepEffects, reason: impl Into<String>) -> Self {
        Self {
            effects,
            end: StepEnd::Failed(reason.into()),
        }
    }

    pub fn interrupted(effects: StepEffects) -> Self {
        Self {
            effects,
            end: StepEnd::Interrupted,
        }
    }

    pub fn conflict(effects: StepEffects, reason: impl Into<String>) -> Self {
        Self {
            effects,
            end: StepEnd::Conflict(reason.into()),
        }
    }
}

/// What other chains can see of a chain.
#[derive(Clone, Debug, Default)]
struct Signal {
    /// Steps completed so far.
    completed: usize,
    /// `Some(success)` once the chain has ended.
    ended: Option<bool>,
    /// The instance's id (known after a create).
    id: Option<String>,
}

/// Runs every chain of `plan` with `runner` and reports how each ended.
pub async fn run_plan<R, Fut>(
    plan: &Plan,
    parallelism: usize,
    progress: &Progress,
    cancel: &Cancel,
    runner: R,
) -> ApplyReport
where
    R: Fn(StepCall) -> Fut,
    Fut: Future<Output = StepResult>,
{
    let permits = Semaphore::new(parallelism.max(1));
    let mut senders = Vec::with_capacity(plan.changes.len());
    let mut receivers: HashMap<&str, watch::Receiver<Signal>> = HashMap::new();
    for change in &plan.changes {
        let (tx, rx) = watch::channel(Signal {
            id: change.id.clone(),
            ..Signal::default()
        });
        senders.push(tx);
        receivers.insert(change.name.as_str(), rx);
    }
    let chains = plan.changes.iter().zip(&senders).map(|(change, signal)| {
        run_chain(
            change, signal, &receivers, &permits, progress, cancel, &runner,
        )
    });
    let instances = futures::future::join_all(chains).await;
    ApplyReport {
        instances,
        interrupted: cancel.is_cancelled(),
        destroy: plan.options.destroy,
        last_look: None,
    }
}

/// One instance's chain: its dependencies, a permit, then its steps in order.
async fn run_chain<R, Fut>(
    change: &Change,
    signal: &watch::Sender<Signal>,
    others: &HashMap<&str, watch::Receiver<Signal>>,
    permits: &Semaphore,
    progress: &Progress,
    cancel: &Cancel,
    runner: &R,
) -> InstanceReport
where
    R: Fn(StepCall) -> Fut,
    Fut: Future<Output = StepResult>,
{
    let words = change
        .steps
        .iter()
        .map(|s| s.action.as_str().to_owned())
        .collect();
    let mut report = InstanceReport::new(&change.name, change.id.clone(), words);
    let line = progress.instance(&change.name);
    let end = |report: &mut InstanceReport, outcome: InstanceOutcome, success: bool| {
        report.outcome = outcome;
        signal.send_modify(|s| s.ended = Some(success));
    };

    // A change auraform refuses to make (only in report-only plans, which are never
    // applied; checked here too so that such a change can never run).
    if let Some(reason) = &change.blocked {
        let reason = format!("blocked: {reason}");
        line.skipped(&reason);
        end(&mut report, InstanceOutcome::Skipped { reason }, false);
        return report;
    }

    // Dependencies first, holding no permit.
    if let Err(outcome) = await_dependencies(change, others, cancel, &line).await {
        end(&mut report, outcome, false);
        return report;
    }

    let permit = tokio::select! {
        biased;
        () = cancel.cancelled() => None,
        permit = permits.acquire() => permit.ok(),
    };
    // Held until the chain ends.
    let Some(_permit) = permit else {
        line.interrupted("before its first step");
        end(
            &mut report,
            InstanceOutcome::Interrupted { step: None },
            false,
        );
        return report;
    };

    match run_steps(change, signal, others, cancel, runner, &line, &mut report).await {
        Ok(()) => {
            line.done(&report.completed.join(", "));
            end(&mut report, InstanceOutcome::Done, true);
        }
        Err(outcome) => end(&mut report, outcome, false),
    }
    report
}

/// Waits until every chain `change` depends on has completed the step it needs.
/// `Err` is how the chain ends instead (already shown on its progress line): that
/// chain stopped short of the step, or Ctrl-C came first.
async fn await_dependencies(
    change: &Change,
    others: &HashMap<&str, watch::Receiver<Signal>>,
    cancel: &Cancel,
    line: &InstanceProgress,
) -> Result<(), InstanceOutcome> {
    for dep in &change.depends_on {
        let Some(rx) = others.get(dep.instance.as_str()) else {
            continue; // not in this plan: nothing to wait for
        };
        let mut rx = rx.clone();
        line.detail(&format!("waiting for `{}` ({})", dep.instance, dep.reason));
        let reached = tokio::select! {
            biased;
            () = cancel.cancelled() => None,
            s = rx.wait_for(|s| s.completed > dep.step || s.ended.is_some()) => {
                s.ok().map(|s| s.completed > dep.step)
            }
        };
        match reached {
            Some(true) => {}
            Some(false) => {
                let reason = format!(
                    "`{}` did not get far enough ({}), so this chain never started",
                    dep.instance, dep.reason
                );
                line.skipped(&reason);
                return Err(InstanceOutcome::Skipped { reason });
            }
            None => {
                line.interrupted("before its first step");
                return Err(InstanceOutcome::Interrupted { step: None });
            }
        }
    }
    Ok(())
}

/// Runs the steps of `change` in order, recording each one's effects in `report`
/// and telling the chains that wait for it. `Err` is how the chain ends when a step
/// does not complete (already shown on its progress line).
async fn run_steps<R, Fut>(
    change: &Change,
    signal: &watch::Sender<Signal>,
    others: &HashMap<&str, watch::Receiver<Signal>>,
    cancel: &Cancel,
    runner: &R,
    line: &InstanceProgress,
    report: &mut InstanceReport,
) -> Result<(), InstanceOutcome>
where
    R: Fn(StepCall) -> Fut,
    Fut: Future<Output = StepResult>,
{
    let mut current_id = change.id.clone();
    // The restore point this chain took, for a clone made from it.
    let mut restore_point: Option<String> = None;
    // Owned: a wait that sees the instance settle elsewhere re-derives the rest.
    let mut steps = change.steps.clone();
    let mut index = 0;
    while let Some(step) = steps.get(index).cloned() {
        let word = step.action.as_str();
        if cancel.is_cancelled() {
            line.interrupted(&format!("before {word}"));
            return Err(InstanceOutcome::Interrupted { step: None });
        }
        let source_id = match clone_source_id(&step, others) {
            Ok(id) => id,
            Err(reason) => {
                line.failed(&reason);
                return Err(InstanceOutcome::Failed {
                    step: word.to_owned(),
                    reason,
                });
            }
        };
        let source_snapshot_id = restore_point
            .clone()
            .filter(|_| step.source_snapshot_from_restore_point);
        line.step(word);
        let id = step.instance_id.clone().or_else(|| current_id.clone());
        let result = runner(StepCall {
            instance: change.name.clone(),
            index,
            step: step.clone(),
            id: id.clone(),
            source_id,
            source_snapshot_id,
            change_id: change.id.clone(),
            progress: line.clone(),
        })
        .await;

        let StepResult { effects, end: how } = result;
        if let Some(r) = &effects.restore_point {
            restore_point = Some(r.snapshot_id.clone());
        }
        let settled = effects.settled;
        // A step on another instance than the chain's own (a clone-replace deleting the
        // old one) says nothing of the new instance's status.
        let about_current = step.instance_id.is_none() || step.instance_id == current_id;
        record_effects(report, effects, &mut current_id, about_current);

        match how {
            StepEnd::Done => {
                report.complete_step();
                // The instance the step left: its own, or the one a create made.
                let acted_on = step.instance_id.clone().or_else(|| current_id.clone());
                if let (Some(actual), Some(expected), Some(id)) =
                    (settled, expected_status(&step), acted_on.as_deref())
                {
                    let rest = crate::plan::resettle(&steps[index + 1..], id, expected, actual);
                    steps.truncate(index + 1);
                    steps.extend(rest);
                    report.remaining = steps[index + 1..]
                        .iter()
                        .map(|s| s.action.as_str().to_owned())
                        .collect();
                }
                signal.send_modify(|s| {
                    s.completed = index + 1;
                    s.id.clone_from(&current_id);
                });
            }
            StepEnd::Failed(reason) => {
                line.failed(&reason);
                return Err(InstanceOutcome::Failed {
                    step: word.to_owned(),
                    reason,
                });
            }
            StepEnd::Conflict(reason) => {
                line.conflict(&reason);
                return Err(InstanceOutcome::Conflict {
                    step: word.to_owned(),
                    reason,
                });
            }
            StepEnd::Interrupted => {
                line.interrupted(&format!("during {word}"));
                return Err(InstanceOutcome::Interrupted {
                    step: Some(word.to_owned()),
                });
            }
        }
        index += 1;
    }
    Ok(())
}

/// The status a step expected, for the steps that accept either settled status
/// (`wait`, create, update, upgrade; docs/apply.md §5).
fn expected_status(step: &Step) -> Option<ExpectedStatus> {
    match (&step.action, &step.expect) {
        (
            StepAction::Wait | StepAction::Create | StepAction::Update | StepAction::Upgrade,
            crate::plan::Expectation::Status { status, .. },
        ) => Some(*status),
        _ => None,
    }
}

/// For a clone of an instance this plan creates: that instance's new id, as its
/// chain announced it. `Err` says why it is not known.
fn clone_source_id(
    step: &Step,
    others: &HashMap<&str, watch::Receiver<Signal>>,
) -> Result<Option<String>, String> {
    let Some(name) = &step.source_instance_from else {
        return Ok(None);
    };
    others
        .get(name.as_str())
        .and_then(|rx| rx.borrow().id.clone())
        .map(Some)
        .ok_or_else(|| format!("the id of its clone source `{name}` is not known"))
}

/// Records what a step left behind, whether it completed or not: the id it created
/// (which later steps of the chain use), its last status (when the step was on the
/// chain's current instance), credentials and notes.
fn record_effects(
    report: &mut InstanceReport,
    effects: StepEffects,
    current_id: &mut Option<String>,
    about_current: bool,
) {
    if let Some(id) = effects.created_id {
        *current_id = Some(id.clone());
        report.id = Some(id);
    } else if report.id.is_none() {
        report.id.clone_from(current_id);
    }
    if about_current && effects.last_status.is_some() {
        report.last_status = effects.last_status;
    }
    if effects.credentials.is_some() {
        report.credentials = effects.credentials;
    }
    if let Some(r) = effects.restore_point {
        report.restore_points.push(r);
    }
    if effects.remedy.is_some() {
        report.remedy = effects.remedy;
    }
    report.notes.extend(effects.notes);
}

#[cfg(test)]
mod tests;
