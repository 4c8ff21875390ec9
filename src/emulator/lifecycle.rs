//! The operations on an existing instance (docs/aura-api.md §3.5): delete, pause,
//! resume, overwrite from another instance, and the in-place upgrade — which status and
//! tier allow each, and the transitional status it starts.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::body;
use super::errors::Rejection;
use super::respond::{ApiResult, Shr, accepted, existing, idle, not_busy, ok, wrong_state};
use super::validate::{Wanted, check_offered, gb};
use super::world::{DataCopy, DataOrigin, OpKind, World, durations};
use crate::api::wire::{OverwriteRequest, UpgradeRequest};
use crate::aura::InstanceStatus;
use crate::aura::tiers;

/// `DELETE /instances/{id}`: 202 once (`destroying`, no `memory`), then 404 — also for a
/// second DELETE while it is being destroyed, as the spec says the API "will respond with
/// error status codes for any other requests (most likely with 404)".
pub(super) async fn delete_instance(State(shared): Shr, Path(id): Path<String>) -> ApiResult {
    let world = shared.world();
    let now = world.now();
    let rec = existing(&world, &id)?;
    if rec.status == InstanceStatus::Destroying {
        return Err(Rejection::db_not_found(&id));
    }
    not_busy(rec)?;
    accepted(
        world,
        &id,
        InstanceStatus::Destroying,
        OpKind::Delete,
        durations::DELETE,
        now,
    )
}

pub(super) async fn pause(State(shared): Shr, Path(id): Path<String>, req: Body) -> ApiResult {
    body::object(req).await?;
    let world = shared.world();
    let now = world.now();
    let rec = idle(&world, &id)?;
    if !tiers::can_pause(&rec.instance_type) {
        // Undocumented code for this refusal; 400 as docs/aura-api.md §3.5 infers.
        return Err(Rejection::incapable("Free instances cannot be paused"));
    }
    if rec.status != InstanceStatus::Running {
        return Err(wrong_state(rec, "pause"));
    }
    accepted(
        world,
        &id,
        InstanceStatus::Pausing,
        OpKind::Pause,
        durations::PAUSE,
        now,
    )
}

pub(super) async fn resume(State(shared): Shr, Path(id): Path<String>, req: Body) -> ApiResult {
    body::object(req).await?;
    let world = shared.world();
    let now = world.now();
    let rec = idle(&world, &id)?;
    // Suspended instances (suspended by Aura) can be resumed too, as in the console.
    if !matches!(
        rec.status,
        InstanceStatus::Paused | InstanceStatus::Suspended
    ) {
        return Err(wrong_state(rec, "resume"));
    }
    accepted(
        world,
        &id,
        InstanceStatus::Resuming,
        OpKind::Resume,
        durations::RESUME,
        now,
    )
}

/// `POST /instances/{id}/overwrite`: 420 for free, 409 if busy, 500 when the target is
/// smaller than the source (the API's documented "size disparity"), else 202 `overwriting`.
pub(super) async fn overwrite(State(shared): Shr, Path(id): Path<String>, req: Body) -> ApiResult {
    let req: OverwriteRequest = body::parse(req).await?;
    let world = shared.world();
    let now = world.now();
    let rec = existing(&world, &id)?;
    if !tiers::can_snapshot(&rec.instance_type) {
        return Err(Rejection::new(
            StatusCode::from_u16(420).unwrap_or(StatusCode::BAD_REQUEST),
            "action-unsupported-for-tier",
            "Action unsupported for this tier of instance",
        ));
    }
    not_busy(rec)?;
    if rec.status != InstanceStatus::Running {
        return Err(wrong_state(rec, "overwrite"));
    }
    let source = world
        .instances
        .get(&req.source_instance_id)
        .filter(|s| s.tenant_id == rec.tenant_id && s.status != InstanceStatus::Destroying)
        .ok_or_else(|| {
            Rejection::db_not_found(&req.source_instance_id).with_field("source_instance_id")
        })?;
    if gb(&source.memory) > gb(&rec.memory) {
        return Err(Rejection::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "db-overwrite-size-disparity",
            format!(
                "Cannot clone database {} into smaller database {}.",
                source.id, rec.id
            ),
        ));
    }
    if let Some(sid) = &req.source_snapshot_id {
        let found = world.snapshots.iter().any(|s| {
            s.snapshot_id == *sid && s.instance_id == source.id && World::snapshot_usable(s, now)
        });
        if !found {
            return Err(Rejection::snapshot_not_found(sid).with_field("source_snapshot_id"));
        }
    }
    let kind = OpKind::Overwrite {
        graph_nodes: source.graph_nodes,
        graph_relationships: source.graph_relationships,
        from: Some(DataOrigin {
            by: DataCopy::Overwrite,
            instance_id: source.id.clone(),
            snapshot_id: req.source_snapshot_id.clone(),
        }),
    };
    accepted(
        world,
        &id,
        InstanceStatus::Overwriting,
        kind,
        durations::OVERWRITE,
        now,
    )
}

/// `POST /instances/{id}/upgrade`: professional-db → business-critical, in place and
/// synchronous (200), optionally resized (`memory` and `storage` together or neither).
pub(super) async fn upgrade(State(shared): Shr, Path(id): Path<String>, req: Body) -> ApiResult {
    let req: UpgradeRequest = body::parse(req).await?;
    let mut world = shared.world();
    let rec = idle(&world, &id)?.clone();
    let Some(upgraded) = tiers::upgrades_to(&rec.instance_type) else {
        return Err(Rejection::incapable(format!(
            "Only professional-db instances can be upgraded to business-critical, not {}",
            rec.instance_type
        )));
    };
    if rec.status != InstanceStatus::Running {
        return Err(wrong_state(&rec, "upgrade"));
    }
    match (&req.memory, &req.storage) {
        (Some(_), None) => {
            return Err(Rejection::invalid(
                "storage",
                "storage is required when memory is given",
            ));
        }
        (None, Some(_)) => {
            return Err(Rejection::invalid(
                "memory",
                "memory is required when storage is given",
            ));
        }
        _ => {}
    }
    let memory = req.memory.clone().unwrap_or_else(|| rec.memory.clone());
    let tenant = world
        .tenant(&rec.tenant_id)
        .ok_or_else(Rejection::tenant_not_found)?;
    let storage = check_offered(
        &world,
        tenant,
        &Wanted {
            instance_type: &upgraded,
            cloud: &rec.cloud_provider,
            region: &rec.region,
            version: &rec.version,
            memory: &memory,
            storage: req.storage.as_deref(),
        },
    )?;
    let view = world.instances.get_mut(&id).map(|r| {
        r.instance_type = upgraded;
        r.memory = memory;
        r.storage = storage;
        r.graph_analytics_plugin = false;
        World::view(r)
    });
    drop(world);
    ok(StatusCode::OK, view)
}
