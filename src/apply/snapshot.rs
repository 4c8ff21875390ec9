//! The restore-point step: `POST /instances/{id}/snapshots` (sent again only after a
//! 409 busy, which means nothing was taken), then `GET …/snapshots/{snapshot_id}` on
//! the poll schedule until it is `Completed`. `Failed` or `Cancelled` fail the step,
//! and with it the instance's chain, before the risky step that follows it
//! (docs/apply.md §2). The snapshot id goes into the report, so the user can restore it.

use std::time::Duration;

use super::cancel::Cancel;
use super::report::RestorePoint;
use super::schedule::{StepCall, StepEffects, StepResult};
use super::wait::{Verdict, WaitError, WaitSpec, poll_until, retry_while_busy};
use crate::api::pacer::PollPacing;
use crate::api::wire::Snapshot;
use crate::api::{ApiError, AuraClient};
use crate::aura::SnapshotStatus;

/// Takes a restore point of the step's instance and waits until it is `Completed`.
pub(super) async fn snapshot_step(
    client: &AuraClient,
    cancel: &Cancel,
    pacing: PollPacing<'_>,
    call: &StepCall,
    timeout: Duration,
) -> StepResult {
    let mut effects = StepEffects::default();
    let Some(id) = call.id.as_deref() else {
        return StepResult::failed(effects, "the plan gives this step no instance id");
    };
    let progress = &call.progress;
    let on_status = |s: &str| progress.status(s);
    progress.status(&format!("sending POST /instances/{id}/snapshots"));
    let start = tokio::time::Instant::now();
    let taken = retry_while_busy(
        || client.create_snapshot(id),
        || client.get_instance(id),
        None,
        WaitSpec::new(timeout),
        pacing,
        cancel,
        on_status,
    )
    .await;
    let snapshot_id = match taken {
        Ok(Some(sid)) => sid,
        // Only a wait for an "already done" state answers nothing; none was asked for.
        Ok(None) => {
            return StepResult::failed(effects, "the restore point could not be taken");
        }
        Err(err) if err.is_interrupted() => return StepResult::interrupted(effects),
        Err(err) => {
            return StepResult::failed(
                effects,
                format!("the restore point could not be taken: {err}"),
            );
        }
    };
    let spec = WaitSpec::new(timeout.saturating_sub(start.elapsed()));
    let polled = poll_until(
        || client.get_snapshot(id, &snapshot_id),
        |observed: Option<&Snapshot>, _| judge(observed),
        "snapshot completed",
        spec,
        pacing,
        cancel,
        on_status,
    )
    .await;
    // The snapshot's status is not the instance's: the report keeps the instance's.
    match polled {
        Ok(_) => {
            effects.restore_point = Some(RestorePoint {
                instance_id: id.to_owned(),
                snapshot_id,
            });
            StepResult::done(effects)
        }
        Err(err) if err.is_interrupted() => {
            effects.notes.push(format!(
                "snapshot {snapshot_id} was still being taken when apply was interrupted"
            ));
            StepResult::interrupted(effects)
        }
        Err(err) => {
            effects
                .notes
                .push(format!(
                    "snapshot {snapshot_id} is no restore point: `auraform apply` again takes a new one before going on"
                ));
            StepResult::failed(effects, restore_point_failure(&err))
        }
    }
}

/// Whether one observation of the snapshot completes the wait.
fn judge(observed: Option<&Snapshot>) -> (Verdict, Option<String>) {
    let Some(s) = observed else {
        return (
            Verdict::Fail("the snapshot is gone (404) before it completed".to_owned()),
            None,
        );
    };
    let status = format!("snapshot {}", s.status);
    let verdict = match s.status {
        SnapshotStatus::Completed => Verdict::Done,
        SnapshotStatus::Failed | SnapshotStatus::Cancelled => Verdict::Fail(format!(
            "the restore point ended `{}`, so the risky step after it was not started",
            s.status
        )),
        _ => Verdict::Pending(status.clone()),
    };
    (verdict, Some(status))
}

/// The step's failure reason once the snapshot was taken but did not complete.
fn restore_point_failure(err: &WaitError<ApiError>) -> String {
    match err {
        WaitError::Unexpected { reason, .. } => reason.clone(),
        other => format!(
            "the restore point did not complete ({other}), so the risky step after it was not started"
        ),
    }
}
