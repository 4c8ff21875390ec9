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
use std::path::PathBuf;

use tokio::sync::{Semaphore, watch};

use super::cancel::Cancel;
use super::progress::{InstanceProgress, Progress};
use super::report::{ApplyReport, InstanceOutcome, InstanceReport};
use crate::plan::{Change, Plan, Step};

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
    pub progress: InstanceProgress,
}

/// What a step left behind, whether it succeeded or not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepEffects {
    /// The id of an instance the step created.
    pub created_id: Option<String>,
    /// The last status the API reported.
    pub last_status: Option<String>,
    /// Where a created instance's credentials were written.
    pub credentials: Option<PathBuf>,
    /// Messages the user must see (e.g. a lost password and the remedy).
    pub notes: Vec<String>,
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepEnd {
    Done,
    Failed(String),
    /// Ctrl-C stopped it (its request, if sent, completed).
    Interrupted,
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
    }
}

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
                end(&mut report, InstanceOutcome::Skipped { reason }, false);
                return report;
            }
            None => {
                line.interrupted("before its first step");
                end(
                    &mut report,
                    InstanceOutcome::Interrupted { step: None },
                    false,
                );
                return report;
            }
        }
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

    let mut current_id = change.id.clone();
    for (index, step) in change.steps.iter().enumerate() {
        let word = step.action.as_str();
        if cancel.is_cancelled() {
            line.interrupted(&format!("before {word}"));
            end(
                &mut report,
                InstanceOutcome::Interrupted { step: None },
                false,
            );
            return report;
        }
        let source_id = step.source_instance_from.as_ref().map(|name| {
            (
                name,
                others
                    .get(name.as_str())
                    .and_then(|rx| rx.borrow().id.clone()),
            )
        });
        let source_id = match source_id {
            None => None,
            Some((_, Some(id))) => Some(id),
            Some((name, None)) => {
                let reason = format!("the id of its clone source `{name}` is not known");
                line.failed(&reason);
                end(
                    &mut report,
                    InstanceOutcome::Failed {
                        step: word.to_owned(),
                        reason,
                    },
                    false,
                );
                return report;
            }
        };
        line.step(word);
        let result = runner(StepCall {
            instance: change.name.clone(),
            index,
            step: step.clone(),
            id: step.instance_id.clone().or_else(|| current_id.clone()),
            source_id,
            progress: line.clone(),
        })
        .await;

        let StepResult { effects, end: how } = result;
        if let Some(id) = effects.created_id {
            current_id = Some(id.clone());
            report.id = Some(id);
        } else if report.id.is_none() {
            report.id.clone_from(&current_id);
        }
        if effects.last_status.is_some() {
            report.last_status = effects.last_status;
        }
        if effects.credentials.is_some() {
            report.credentials = effects.credentials;
        }
        report.notes.extend(effects.notes);

        match how {
            StepEnd::Done => {
                report.complete_step();
                signal.send_modify(|s| {
                    s.completed = index + 1;
                    s.id.clone_from(&current_id);
                });
            }
            StepEnd::Failed(reason) => {
                line.failed(&reason);
                end(
                    &mut report,
                    InstanceOutcome::Failed {
                        step: word.to_owned(),
                        reason,
                    },
                    false,
                );
                return report;
            }
            StepEnd::Interrupted => {
                line.interrupted(&format!("during {word}"));
                end(
                    &mut report,
                    InstanceOutcome::Interrupted {
                        step: Some(word.to_owned()),
                    },
                    false,
                );
                return report;
            }
        }
    }
    line.done(&report.completed.join(", "));
    end(&mut report, InstanceOutcome::Done, true);
    report
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::time::Duration;

    use tokio::time::Instant;

    use super::*;
    use crate::plan::{
        Action, ChangeKind, Dependency, Expectation, ExpectedStatus, ProjectRef, StepAction,
        Summary,
    };

    const SEC: Duration = Duration::from_secs(1);

    fn step(action: StepAction, id: Option<&str>) -> Step {
        Step {
            action,
            instance_id: id.map(str::to_owned),
            request: None,
            source_instance_from: None,
            expect: Expectation::status(ExpectedStatus::Running),
        }
    }

    fn change(name: &str, id: Option<&str>, steps: Vec<Step>) -> Change {
        Change {
            name: name.into(),
            id: id.map(str::to_owned),
            kind: ChangeKind::Update,
            actions: vec![Action::Update],
            fields: Vec::new(),
            waits_for: None,
            steps,
            depends_on: Vec::new(),
            blocked: None,
        }
    }

    fn plan(changes: Vec<Change>) -> Plan {
        Plan {
            format_version: "1".into(),
            project: ProjectRef {
                id: "p".into(),
                name: "demo".into(),
            },
            changes,
            unmanaged: Vec::new(),
            attention: Vec::new(),
            summary: Summary::default(),
            options: crate::plan::PlanOptions::default(),
            made_from: None,
            kind: crate::plan::DocumentKind::Plan,
        }
    }

    fn hidden() -> Progress {
        Progress::new(super::super::progress::ProgressMode::Hidden, [])
    }

    #[tokio::test(start_paused = true)]
    async fn chains_run_concurrently_up_to_parallelism() {
        let p = plan(
            (0..5)
                .map(|i| {
                    change(
                        &format!("i{i}"),
                        Some("0000000{i}"),
                        vec![step(StepAction::Update, None)],
                    )
                })
                .collect(),
        );
        let running = Cell::new(0);
        let peak = Cell::new(0);
        let start = Instant::now();
        let report = run_plan(&p, 2, &hidden(), &Cancel::new(), |call| {
            let (running, peak) = (&running, &peak);
            async move {
                assert!(call.id.is_some());
                running.set(running.get() + 1);
                peak.set(peak.get().max(running.get()));
                tokio::time::sleep(10 * SEC).await;
                running.set(running.get() - 1);
                StepResult::done(StepEffects::default())
            }
        })
        .await;
        assert!(report.succeeded());
        assert_eq!(peak.get(), 2);
        assert_eq!(start.elapsed(), 30 * SEC);
    }

    #[tokio::test(start_paused = true)]
    async fn one_failure_does_not_stop_the_others() {
        let p = plan(vec![
            change(
                "bad",
                Some("0000000a"),
                vec![
                    step(StepAction::Resume, None),
                    step(StepAction::Update, None),
                    step(StepAction::Pause, None),
                ],
            ),
            change(
                "good",
                Some("0000000b"),
                vec![
                    step(StepAction::Update, None),
                    step(StepAction::Pause, None),
                ],
            ),
        ]);
        let report = run_plan(&p, 10, &hidden(), &Cancel::new(), |call| async move {
            tokio::time::sleep(SEC).await;
            if call.instance == "bad" && call.index == 1 {
                StepResult::failed(
                    StepEffects {
                        last_status: Some("loading failed".into()),
                        ..StepEffects::default()
                    },
                    "went to `loading failed`",
                )
            } else {
                StepResult::done(StepEffects::default())
            }
        })
        .await;
        assert_eq!(report.exit_code(), 1);
        let bad = &report.instances[0];
        assert_eq!(
            bad.outcome,
            InstanceOutcome::Failed {
                step: "update".into(),
                reason: "went to `loading failed`".into()
            }
        );
        assert_eq!(bad.completed, ["resume"]);
        assert_eq!(bad.remaining, ["update", "pause"]);
        assert_eq!(bad.last_status.as_deref(), Some("loading failed"));
        let good = &report.instances[1];
        assert_eq!(good.outcome, InstanceOutcome::Done);
        assert_eq!(good.completed, ["update", "pause"]);
    }

    fn clone_plan() -> Plan {
        let mut copy = change("copy", None, vec![step(StepAction::Create, None)]);
        copy.steps[0].source_instance_from = Some("orders".into());
        copy.depends_on.push(Dependency {
            instance: "orders".into(),
            step: 0,
            reason: "clone source".into(),
        });
        plan(vec![
            // The dependent chain comes first: with parallelism 1 it must not deadlock.
            copy,
            change(
                "orders",
                None,
                vec![
                    step(StepAction::Create, None),
                    step(StepAction::Pause, None),
                ],
            ),
        ])
    }

    #[tokio::test(start_paused = true)]
    async fn clone_waits_for_its_source_and_gets_its_new_id() {
        let p = clone_plan();
        let log = RefCell::new(Vec::new());
        let report = run_plan(&p, 1, &hidden(), &Cancel::new(), |call| {
            let log = &log;
            async move {
                tokio::time::sleep(5 * SEC).await;
                log.borrow_mut().push(format!(
                    "{} {} id={:?} src={:?}",
                    call.instance,
                    call.step.action.as_str(),
                    call.id,
                    call.source_id
                ));
                let created_id = (call.step.action == StepAction::Create)
                    .then(|| format!("{}-new", call.instance));
                StepResult::done(StepEffects {
                    created_id,
                    ..StepEffects::default()
                })
            }
        })
        .await;
        assert!(report.succeeded(), "{}", report.render());
        assert_eq!(
            *log.borrow(),
            [
                "orders create id=None src=None",
                "orders pause id=Some(\"orders-new\") src=None",
                "copy create id=None src=Some(\"orders-new\")",
            ]
        );
        assert_eq!(report.instances[0].id.as_deref(), Some("copy-new"));
    }

    #[tokio::test(start_paused = true)]
    async fn clone_is_skipped_when_its_source_fails() {
        let p = clone_plan();
        let report = run_plan(&p, 10, &hidden(), &Cancel::new(), |call| async move {
            if call.instance == "orders" {
                StepResult::failed(StepEffects::default(), "400 invalid region")
            } else {
                panic!("the clone must not start");
            }
        })
        .await;
        assert!(matches!(
            &report.instances[0].outcome,
            InstanceOutcome::Skipped { reason } if reason.contains("`orders`")
        ));
        assert!(matches!(
            report.instances[1].outcome,
            InstanceOutcome::Failed { .. }
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn ctrl_c_starts_no_new_step_and_reports_where_each_stands() {
        let p = plan(vec![
            change(
                "a",
                Some("0000000a"),
                vec![
                    step(StepAction::Update, None),
                    step(StepAction::Pause, None),
                ],
            ),
            change("b", Some("0000000b"), vec![step(StepAction::Update, None)]),
        ]);
        let cancel = Cancel::new();
        let trigger = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(5 * SEC).await;
            trigger.cancel();
        });
        let calls = Cell::new(0);
        let report = run_plan(&p, 1, &hidden(), &cancel, |call| {
            let (calls, cancel) = (&calls, &cancel);
            async move {
                calls.set(calls.get() + 1);
                // The step's request completes, then its wait sees the interrupt.
                cancel.cancelled().await;
                let _ = call;
                StepResult::interrupted(StepEffects {
                    last_status: Some("updating".into()),
                    ..StepEffects::default()
                })
            }
        })
        .await;
        assert_eq!(calls.get(), 1);
        assert!(report.interrupted);
        assert_eq!(report.exit_code(), 1);
        assert_eq!(
            report.instances[0].outcome,
            InstanceOutcome::Interrupted {
                step: Some("update".into())
            }
        );
        assert_eq!(
            report.instances[1].outcome,
            InstanceOutcome::Interrupted { step: None }
        );
        assert!(report.render().contains("status updating"));
    }
}
