//! Snapshot routes (docs/aura-api.md §3.6): on-demand snapshots (`InProgress` →
//! `Completed`), the per-day list, one snapshot, and restore in place (`restoring` →
//! `running`).

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;

use super::body;
use super::errors::Rejection;
use super::respond::{ApiResult, Shr, accepted, existing, idle, ok, wrong_state};
use super::world::{OpKind, SnapshotRecord, TakenOf, World, durations, uuid_from};
use crate::api::wire::SnapshotCreated;
use crate::aura::tiers;
use crate::aura::{InstanceStatus, SnapshotProfile};

// ---------------------------------------------------------------------------------------
// Snapshots

/// `?date=YYYY-MM-DD` (default today, UTC) → the day's bounds in unix ms.
fn day_bounds(query: Option<&str>, now: i64) -> Result<(i64, i64), Rejection> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or_default()).unwrap_or_default();
    let day_ms = 86_400_000;
    match pairs.into_iter().find(|(k, _)| k == "date") {
        None => {
            let start = now - now.rem_euclid(day_ms);
            Ok((start, start + day_ms))
        }
        Some((_, d)) => {
            let date = time::Date::parse(
                &d,
                &time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| {
                Rejection::invalid("date", format!("date must be YYYY-MM-DD, not {d:?}"))
            })?;
            let start = date.midnight().assume_utc().unix_timestamp() * 1000;
            Ok((start, start + day_ms))
        }
    }
}

pub(super) async fn list_snapshots(
    State(shared): Shr,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    let world = shared.world();
    let now = world.now();
    let (from, to) = day_bounds(query.as_deref(), now)?;
    existing(&world, &id)?;
    let list: Vec<_> = world
        .snapshots
        .iter()
        .filter(|s| s.instance_id == id && s.taken_ms >= from && s.taken_ms < to)
        .map(|s| World::snapshot_view(s, now))
        .collect();
    ok(StatusCode::OK, list)
}

pub(super) async fn take_snapshot(
    State(shared): Shr,
    Path(id): Path<String>,
    req: Body,
) -> ApiResult {
    body::object(req).await?;
    let mut world = shared.world();
    let now = world.now();
    let rec = idle(&world, &id)?;
    if !tiers::can_snapshot(&rec.instance_type) {
        return Err(Rejection::incapable(
            "On-demand snapshots are not available for free instances",
        ));
    }
    if rec.status != InstanceStatus::Running {
        return Err(wrong_state(rec, "snapshot"));
    }
    let taken_of = TakenOf {
        instance_type: rec.instance_type.clone(),
        memory: rec.memory.clone(),
        data_from: rec.data_from.clone(),
    };
    let outcome = rec.snapshot_outcome.clone();
    let snapshot_id = uuid_from(&mut world.rng);
    let completes_ms = now.saturating_add(world.duration_ms(durations::SNAPSHOT));
    world.snapshots.push(SnapshotRecord {
        snapshot_id: snapshot_id.clone(),
        instance_id: id,
        profile: SnapshotProfile::AdHoc,
        taken_ms: now,
        completes_ms,
        outcome,
        taken_of: Some(taken_of),
    });
    drop(world);
    ok(StatusCode::ACCEPTED, SnapshotCreated { snapshot_id })
}

pub(super) async fn get_snapshot(
    State(shared): Shr,
    Path((id, sid)): Path<(String, String)>,
) -> ApiResult {
    let world = shared.world();
    existing(&world, &id)?;
    let snap = snapshot(&world, &id, &sid)?;
    ok(StatusCode::OK, World::snapshot_view(snap, world.now()))
}

pub(super) async fn restore(
    State(shared): Shr,
    Path((id, sid)): Path<(String, String)>,
    req: Body,
) -> ApiResult {
    body::object(req).await?;
    let world = shared.world();
    let now = world.now();
    let rec = idle(&world, &id)?;
    if rec.status != InstanceStatus::Running {
        return Err(wrong_state(rec, "restore"));
    }
    let snap = snapshot(&world, &id, &sid)?;
    if !World::snapshot_usable(snap, now) {
        return Err(Rejection::invalid(
            "snapshotId",
            format!("Snapshot {sid} is not completed"),
        ));
    }
    accepted(
        world,
        &id,
        InstanceStatus::Restoring,
        OpKind::Restore {
            snapshot_id: Some(sid),
        },
        durations::RESTORE,
        now,
    )
}

/// Snapshot `sid` of instance `id`: 404 if the instance has no such snapshot.
fn snapshot<'a>(world: &'a World, id: &str, sid: &str) -> Result<&'a SnapshotRecord, Rejection> {
    world
        .snapshots
        .iter()
        .find(|s| s.instance_id == id && s.snapshot_id == sid)
        .ok_or_else(|| Rejection::snapshot_not_found(sid))
}
