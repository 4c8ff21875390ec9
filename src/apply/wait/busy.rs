//! Resending a request the API refused because the instance was busy (409
//! `ongoing-database-operation`): wait until it is idle, then send it again.

use std::future::Future;

use tokio::time::Instant;

use super::error::WaitError;
use super::judge::{Verdict, WaitFor};
use super::poll::{WaitSpec, wait_until};
use crate::api::pacer::PollPacing;
use crate::api::wire::Instance;
use crate::apply::cancel::Cancel;

/// How the executor classifies the client's errors.
pub trait ApiFailure {
    /// 409 `ongoing-database-operation`: the instance is busy; wait and retry.
    fn is_busy(&self) -> bool;
}

/// Runs `op`; while it fails with 409 (busy), waits until the instance is idle and
/// runs it again, all within `spec.timeout`. A 409 means the operation did not
/// happen, so retrying it is safe even for non-idempotent calls.
///
/// When the idle instance already satisfies `already` (another apply running at the
/// same time did the same thing meanwhile), `op` is not sent again: `Ok(None)`.
pub(crate) async fn retry_while_busy<T, E, Op, OpFut, G, GFut>(
    mut op: Op,
    mut get: G,
    already: Option<WaitFor<'_>>,
    spec: WaitSpec,
    pacing: PollPacing<'_>,
    cancel: &Cancel,
    mut on_status: impl FnMut(&str),
) -> Result<Option<T>, WaitError<E>>
where
    E: ApiFailure,
    Op: FnMut() -> OpFut,
    OpFut: Future<Output = Result<T, E>>,
    G: FnMut() -> GFut,
    GFut: Future<Output = Result<Option<Instance>, E>>,
{
    let start = Instant::now();
    loop {
        match op().await {
            Ok(value) => return Ok(Some(value)),
            Err(e) if e.is_busy() => {
                on_status("busy (409): waiting for the running operation to finish");
                let remaining = spec.timeout.saturating_sub(start.elapsed());
                if remaining.is_zero() {
                    return Err(WaitError::TimedOut {
                        after: spec.timeout,
                        expected: WaitFor::Idle.describe(),
                        last_seen: Some("busy (409)".to_owned()),
                    });
                }
                let idle = wait_until(
                    &mut get,
                    WaitFor::Idle,
                    WaitSpec::new(remaining),
                    pacing,
                    cancel,
                    &mut on_status,
                )
                .await?;
                if cancel.is_cancelled() {
                    return Err(WaitError::Interrupted { last_status: None });
                }
                if already.is_some_and(|w| w.judge(idle.instance.as_ref(), false) == Verdict::Done)
                {
                    return Ok(None);
                }
            }
            Err(e) => return Err(WaitError::Api(e)),
        }
    }
}
