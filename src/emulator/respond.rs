//! What every API handler shares: the handler result, the `{"data": …}` answer, and the
//! lookups that turn "which instance, in which status" into the API's 404, 409 and 400.
//! The router (`routes`) and the instance and snapshot handlers all build on these; they
//! import nothing back.

use std::sync::{Arc, MutexGuard};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use serde::Serialize;

use super::errors::Rejection;
use super::shared::SharedState;
use super::world::{InstanceRecord, OpKind, World};
use crate::api::wire::Envelope;
use crate::aura::InstanceStatus;

/// The state extractor every handler takes.
pub(super) type Shr = State<Arc<SharedState>>;
/// What every API handler answers: a response, or the API's refusal.
pub(super) type ApiResult = Result<Response, Rejection>;

/// `status` with `{"data": data}`, the envelope of every successful API answer.
#[allow(
    clippy::unnecessary_wraps,
    reason = "handlers return `ok(…)` and `Err(…)` alike"
)]
pub(super) fn ok<T: Serialize>(status: StatusCode, data: T) -> ApiResult {
    Ok((status, Json(Envelope { data })).into_response())
}

/// The instance if it exists and is not hidden by the "not yet visible" fault.
pub(super) fn visible<'a>(
    world: &'a World,
    id: &str,
    now: i64,
) -> Result<&'a InstanceRecord, Rejection> {
    world
        .instances
        .get(id)
        .filter(|r| r.hidden_until_ms.is_none_or(|t| t <= now))
        .ok_or_else(|| Rejection::db_not_found(id))
}

pub(super) fn existing<'a>(world: &'a World, id: &str) -> Result<&'a InstanceRecord, Rejection> {
    world
        .instances
        .get(id)
        .ok_or_else(|| Rejection::db_not_found(id))
}

/// The instance an operation acts on: 404 if it does not exist, 409 while it is busy.
pub(super) fn idle<'a>(world: &'a World, id: &str) -> Result<&'a InstanceRecord, Rejection> {
    let rec = existing(world, id)?;
    not_busy(rec)?;
    Ok(rec)
}

/// Starts the operation (see [`World::begin`]), releases the world and answers 202 with
/// the instance in its transitional status.
pub(super) fn accepted(
    mut world: MutexGuard<'_, World>,
    id: &str,
    status: InstanceStatus,
    kind: OpKind,
    base_secs: f64,
    now: i64,
) -> ApiResult {
    let view = world.begin(id, status, kind, base_secs, now);
    drop(world);
    ok(StatusCode::ACCEPTED, view)
}

/// 409 while the instance is in a transitional status (unknown statuses count as busy).
pub(super) fn not_busy(rec: &InstanceRecord) -> Result<(), Rejection> {
    if rec.status.is_transitional() {
        return Err(Rejection::busy(rec.status.as_str()));
    }
    Ok(())
}

/// 400 when a stable instance is in the wrong stable status for the operation
/// (e.g. resizing a paused instance). The API's wording is undocumented [INFER].
pub(super) fn wrong_state(rec: &InstanceRecord, what: &str) -> Rejection {
    Rejection::new(
        StatusCode::BAD_REQUEST,
        "invalid-instance-state",
        format!(
            "Cannot {what} instance {} while it is {}",
            rec.id, rec.status
        ),
    )
}
