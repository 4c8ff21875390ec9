//! The executor: what each step of a plan does against the API.
//!
//! [`execute`] hands the plan to the scheduler ([`super::schedule`]) with a step
//! runner that, for every step, sends the step's one request and then polls until
//! the step's expectation holds ([`super::wait`]):
//!
//! | step | request | then waits for |
//! |---|---|---|
//! | `wait` | none | the status the plan expects (the instance was busy) |
//! | `create` | `POST /instances`, **once** | `running`, tolerating 404s for a while |
//! | `update` | `PATCH /instances/{id}` | the patched values, running or paused |
//! | `upgrade` | `POST /instances/{id}/upgrade` | `business-critical`, running |
//! | `pause` / `resume` | `POST …/pause` / `…/resume` | `paused` / `running` |
//! | `delete` | `DELETE /instances/{id}` (404 = done) | `GET` → 404 |
//!
//! A 409 (`ongoing-database-operation`) means the instance is busy and nothing
//! happened: wait until it is idle and send the request again, within the step's
//! timeout — unless, once idle, it already is what the step wanted (an overlapping
//! apply did the same). A `wait` accepts any settled state; when it is not the one
//! the plan foresaw, the rest of the chain is re-derived from it
//! ([`crate::plan::resettle`]). Create has its own module (`create`): the response
//! carries the only copy of the password, an ambiguous outcome is resolved by
//! listing the project, and overlapping applies give way to one another (`conflict`).

use std::time::Duration;

use tokio::time::Instant;

use super::create::create_step;
use super::options::ApplyOptions;
use super::report::ApplyReport;
use super::run::{Run, from_wait_error, settled_elsewhere};
use super::schedule::{StepCall, StepEffects, StepResult, run_plan};
use super::wait::{
    ApiFailure, Verdict, WaitError, WaitFor, WaitSpec, retry_while_busy, wait_until,
};
use crate::api::wire::{PatchInstanceRequest, UpgradeRequest};
use crate::api::{ApiError, AuraClient};
use crate::plan::{Expectation, ExpectedStatus, Plan, StepAction, StepRequest};

impl ApiFailure for ApiError {
    fn is_busy(&self) -> bool {
        ApiError::is_busy(self)
    }
}

/// Carries out `plan` and reports how every instance ended. Never fails as a whole:
/// every problem is a failed (or skipped, or interrupted) instance in the report.
pub async fn execute(client: &AuraClient, plan: &Plan, opts: &ApplyOptions) -> ApplyReport {
    let mut known = opts.known_ids.clone();
    for change in &plan.changes {
        known.extend(change.id.iter().cloned());
        known.extend(change.steps.iter().filter_map(|s| s.instance_id.clone()));
    }
    let run = Run {
        client,
        project_id: plan.project.id.as_str(),
        opts,
        pacing: client.poll_pacing(opts.poll_interval),
        known,
    };
    let run = &run;
    let runner = |call: StepCall| async move { run_step(run, call).await };
    let report = run_plan(plan, opts.parallelism, &opts.progress, &opts.cancel, runner).await;
    opts.progress.finish();
    report
}

/// Runs one step and logs how it ended (names, ids, statuses and reasons only).
async fn run_step(run: &Run<'_>, call: StepCall) -> StepResult {
    let (name, action, id) = (
        call.instance.clone(),
        call.step.action.as_str(),
        call.id.clone(),
    );
    // Plain words and `-` for "none yet": a log line a person reads at -v, never a
    // Rust debug form (`Some("…")`).
    tracing::info!(
        instance = %name,
        step = %action,
        id = %id.as_deref().unwrap_or("-"),
        "step started"
    );
    let started = Instant::now();
    let result = run_step_inner(run, call).await;
    let end_id = result.effects.created_id.as_ref().or(id.as_ref());
    tracing::info!(
        instance = %name,
        step = %action,
        id = %end_id.map_or("-", String::as_str),
        status = %result.effects.last_status.as_ref().map_or("-", |s| s.as_str()),
        end = %result.end.word(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "step ended"
    );
    result
}

async fn run_step_inner(run: &Run<'_>, call: StepCall) -> StepResult {
    let (client, opts, pacing) = (run.client, run.opts, run.pacing);
    let timeout = opts.timeouts.for_action(call.step.action);
    match call.step.action {
        StepAction::Create => return create_step(run, call, timeout).await,
        StepAction::Snapshot => {
            return super::snapshot::snapshot_step(
                run.client,
                &run.opts.cancel,
                run.pacing,
                &call,
                timeout,
            )
            .await;
        }
        _ => {}
    }
    let mut effects = StepEffects::default();
    let Some(id) = call.id.clone() else {
        return StepResult::failed(effects, "the plan gives this step no instance id");
    };
    let start = Instant::now();
    let progress = &call.progress;
    let on_status = |s: &str| progress.status(s);
    let get = || client.get_instance(&id);
    let cancel = &opts.cancel;
    let busy_spec = WaitSpec::new(timeout);
    let until = WaitFor::Step(&call.step.expect);

    if let (StepAction::Wait, Expectation::Status { status, .. }) =
        (call.step.action, &call.step.expect)
    {
        return settle_wait(run, &id, *status, timeout, progress).await;
    }
    let request = match (call.step.action, &call.step.request) {
        (StepAction::Wait, _) => None,
        (StepAction::Update, Some(StepRequest::Patch(body))) => Some(InstanceRequest::Patch(body)),
        (StepAction::Upgrade, Some(StepRequest::Upgrade(body))) => {
            Some(InstanceRequest::Upgrade(body))
        }
        (StepAction::Pause, _) => Some(InstanceRequest::Pause),
        (StepAction::Resume, _) => Some(InstanceRequest::Resume),
        (StepAction::Delete, _) => Some(InstanceRequest::Delete),
        (action, _) => {
            return StepResult::failed(
                effects,
                format!(
                    "the plan's `{}` step has no usable request body",
                    action.as_str()
                ),
            );
        }
    };
    if let Some(request) = request {
        // A delete has nothing to compare with once idle: it is sent again.
        let already = (!matches!(request, InstanceRequest::Delete)).then_some(until);
        let sent = retry_while_busy(
            || request.send(client, &id),
            get,
            already,
            busy_spec,
            pacing,
            cancel,
            &on_status,
        )
        .await;
        match sent {
            Ok(_) => {}
            Err(WaitError::Api(e)) if e.is_invalid_state() => {
                // Refused for the state it is in: done if that state is the target
                // (an overlapping apply paused it first), else the refusal stands.
                match client.get_instance(&id).await {
                    Ok(Some(inst)) if until.judge(Some(&inst), false) == Verdict::Done => {
                        effects.last_status = Some(inst.status.to_string());
                        return StepResult::done(effects);
                    }
                    _ => return from_wait_error(effects, &WaitError::Api(e)),
                }
            }
            Err(err) => return from_wait_error(effects, &err),
        }
    }

    let mut spec = WaitSpec::new(timeout.saturating_sub(start.elapsed()));
    if call.step.action == StepAction::Wait {
        spec = spec.poll_now();
    }
    // A resize or an upgrade is done once its values hold, in either settled status
    // (an overlapping apply may pause the instance right after); a pause or resume
    // is about the status itself.
    let until = match call.step.action {
        StepAction::Update | StepAction::Upgrade => WaitFor::Settled(&call.step.expect),
        _ => until,
    };
    match wait_until(get, until, spec, pacing, cancel, &on_status).await {
        Ok(waited) => StepResult::done(StepEffects {
            settled: settled_elsewhere(&call.step.expect, waited.instance.as_ref()),
            last_status: Some(
                waited
                    .instance
                    .map_or_else(|| "deleted".to_owned(), |i| i.status.to_string()),
            ),
            ..effects
        }),
        Err(err) => from_wait_error(effects, &err.for_step(timeout)),
    }
}

/// A `wait` for a busy instance to settle: any settled state is accepted; when it
/// is not the one the plan foresaw, the scheduler re-derives the rest of the chain.
async fn settle_wait(
    run: &Run<'_>,
    id: &str,
    expected: ExpectedStatus,
    timeout: Duration,
    progress: &super::progress::InstanceProgress,
) -> StepResult {
    let get = || run.client.get_instance(id);
    let spec = WaitSpec::new(timeout).poll_now();
    let on_status = |s: &str| progress.status(s);
    match wait_until(
        get,
        WaitFor::Idle,
        spec,
        run.pacing,
        &run.opts.cancel,
        on_status,
    )
    .await
    {
        Ok(waited) => {
            let status = waited.instance.map(|i| i.status);
            let actual = match status {
                Some(crate::aura::InstanceStatus::Paused) => ExpectedStatus::Paused,
                _ => ExpectedStatus::Running,
            };
            let mut effects = StepEffects {
                last_status: status.map(|s| s.to_string()),
                ..StepEffects::default()
            };
            if actual != expected {
                progress.detail(&format!(
                    "settled `{}`, not `{}`: carrying on from there",
                    actual.as_str(),
                    expected.as_str()
                ));
                effects.settled = Some(actual);
            }
            StepResult::done(effects)
        }
        Err(err) => from_wait_error(StepEffects::default(), &err),
    }
}

/// The one request a step other than create sends to an existing instance; sent
/// again (by [`retry_while_busy`]) while the instance answers 409 busy.
#[derive(Clone, Copy)]
enum InstanceRequest<'a> {
    Patch(&'a PatchInstanceRequest),
    Upgrade(&'a UpgradeRequest),
    Pause,
    Resume,
    Delete,
}

impl InstanceRequest<'_> {
    /// Sends the request once; what the API answers is not needed, the step polls.
    async fn send(self, client: &AuraClient, id: &str) -> Result<(), ApiError> {
        match self {
            InstanceRequest::Patch(body) => client.patch_instance(id, body).await.map(drop),
            InstanceRequest::Upgrade(body) => client.upgrade_instance(id, body).await.map(drop),
            InstanceRequest::Pause => client.pause_instance(id).await.map(drop),
            InstanceRequest::Resume => client.resume_instance(id).await.map(drop),
            InstanceRequest::Delete => client.delete_instance(id).await,
        }
    }
}
