//! The data lineage admin routes (not part of the Aura API; no auth, loopback only, as
//! every route under `/_emulator/`): what tests read to see data survive a
//! replacement, and how they make a restore point fail (docs/emulator.md §14).
//!
//! - `GET /_emulator/instances/{id}`: the instance as the emulator keeps it — status,
//!   type, memory, `data_from` (where its data came from: `{"by": "clone" | "restore" |
//!   "overwrite", "instance_id", "snapshot_id"?}`, or `null` for a fresh create) and its
//!   snapshots, each with what the instance was when it was taken (`taken_of`).
//! - `POST /_emulator/instances/{id}/snapshot-outcome` with `{"status": "Failed"}`:
//!   how the instance's next on-demand snapshots end (`Completed`, `Failed` or
//!   `Cancelled`; `null` restores the default, `Completed`).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::Json;
use serde::Serialize;
use serde_json::Value;

use super::body;
use super::errors::Rejection;
use super::shared::SharedState;
use super::world::{DataOrigin, TakenOf, World, rfc3339};
use crate::aura::{InstanceStatus, InstanceType, SnapshotStatus};

/// `GET /_emulator/instances/{id}`.
#[derive(Serialize)]
pub(crate) struct LineageView {
    id: String,
    name: String,
    tenant_id: String,
    status: InstanceStatus,
    #[serde(rename = "type")]
    instance_type: InstanceType,
    memory: String,
    created_at: String,
    data_from: Option<DataOrigin>,
    snapshots: Vec<SnapshotLineage>,
}

#[derive(Serialize)]
struct SnapshotLineage {
    snapshot_id: String,
    status: SnapshotStatus,
    taken_at: String,
    taken_of: Option<TakenOf>,
}

pub(crate) async fn instance(
    State(shared): State<Arc<SharedState>>,
    Path(id): Path<String>,
) -> Result<Json<LineageView>, Rejection> {
    let world = shared.world();
    let now = world.now();
    let rec = world
        .instances
        .get(&id)
        .ok_or_else(|| Rejection::db_not_found(&id))?;
    let snapshots = world
        .snapshots
        .iter()
        .filter(|s| s.instance_id == id)
        .map(|s| SnapshotLineage {
            snapshot_id: s.snapshot_id.clone(),
            status: World::snapshot_view(s, now).status,
            taken_at: rfc3339(s.taken_ms),
            taken_of: s.taken_of.clone(),
        })
        .collect();
    Ok(Json(LineageView {
        id: rec.id.clone(),
        name: rec.name.clone(),
        tenant_id: rec.tenant_id.clone(),
        status: rec.status.clone(),
        instance_type: rec.instance_type.clone(),
        memory: rec.memory.clone(),
        created_at: rfc3339(rec.created_ms),
        data_from: rec.data_from.clone(),
        snapshots,
    }))
}

/// `POST /_emulator/instances/{id}/snapshot-outcome`: `{"status": "Failed"}`.
pub(crate) async fn snapshot_outcome(
    State(shared): State<Arc<SharedState>>,
    Path(id): Path<String>,
    req: Body,
) -> Result<Json<Value>, Rejection> {
    let map = body::object(req).await?;
    let outcome = match map.get("status") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match SnapshotStatus::parse(s) {
            st @ (SnapshotStatus::Completed
            | SnapshotStatus::Failed
            | SnapshotStatus::Cancelled) => Some(st),
            _ => return Err(bad_outcome()),
        },
        Some(_) => return Err(bad_outcome()),
    };
    let mut world = shared.world();
    let rec = world
        .instances
        .get_mut(&id)
        .ok_or_else(|| Rejection::db_not_found(&id))?;
    rec.snapshot_outcome.clone_from(&outcome);
    Ok(Json(
        serde_json::json!({ "id": id, "snapshot_outcome": outcome }),
    ))
}

fn bad_outcome() -> Rejection {
    Rejection::invalid(
        "status",
        "status must be \"Completed\", \"Failed\", \"Cancelled\" or null",
    )
}
