//! The scheduler with plain closures for steps under tokio's paused clock:
//! parallelism, step order, dependencies, failure isolation, Ctrl-C between steps.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use tokio::time::Instant;

use super::*;
use crate::plan::{
    Action, ChangeKind, Dependency, Expectation, ExpectedStatus, ProjectRef, StepAction, Summary,
};

const SEC: Duration = Duration::from_secs(1);

fn step(action: StepAction, id: Option<&str>) -> Step {
    Step::new(
        action,
        id.map(str::to_owned),
        None,
        Expectation::status(ExpectedStatus::Running),
    )
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
            let created_id =
                (call.step.action == StepAction::Create).then(|| format!("{}-new", call.instance));
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
