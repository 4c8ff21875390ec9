//! The emulator's own routes under `/_emulator/` (not part of the Aura API): no auth, no
//! faults, no rate limit, loopback peers only (enforced in `gateway`).
//!
//! - `GET /_emulator/stats`: API responses served since start, by status and by route
//!   template (`"GET /v1/instances/{id}"`); admin requests are never counted, dropped
//!   connections are counted apart in `dropped`.
//! - `GET|POST /_emulator/faults`: read or change `fault_rate`, `latency_ms`, `seed`,
//!   `kinds`, `routes`, `stall_ms`.
//! - `POST /_emulator/instances/{id}/status` with `{"status":"suspended"}`: force any
//!   status (for drift tests). It cancels the operation in flight, if any; the status then
//!   stays until an API operation or another forced status changes it.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use serde::Serialize;
use serde_json::Value;

use super::body;
use super::errors::Rejection;
use super::faults::FaultKind;
use super::shared::{SharedState, lock};
use super::stats::Stats;
use super::world::World;
use crate::api::wire::Envelope;
use crate::aura::InstanceStatus;

pub(crate) async fn stats(State(shared): State<Arc<SharedState>>) -> Json<Stats> {
    Json(lock(&shared.stats).clone())
}

#[derive(Serialize)]
pub(crate) struct FaultSettings {
    fault_rate: f64,
    latency_ms: u64,
    seed: Option<u64>,
    kinds: Vec<&'static str>,
    routes: Vec<String>,
    stall_ms: u64,
}

fn settings(shared: &SharedState) -> FaultSettings {
    let f = lock(&shared.faults);
    FaultSettings {
        fault_rate: f.rate,
        latency_ms: u64::try_from(f.latency.as_millis()).unwrap_or(u64::MAX),
        seed: f.seed,
        kinds: f.kinds.iter().map(|k| k.name()).collect(),
        routes: f.routes.clone(),
        stall_ms: u64::try_from(f.stall.as_millis()).unwrap_or(u64::MAX),
    }
}

/// `"kinds"`: a list of names, `"all"`, or `null` for the defaults.
fn kinds_field(v: &Value) -> Result<Vec<FaultKind>, Rejection> {
    let names: Vec<String> = match v {
        Value::Null => return Ok(Vec::new()),
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                Rejection::invalid("kinds", "kinds must be a list of fault kind names")
            })?,
        _ => {
            return Err(Rejection::invalid(
                "kinds",
                "kinds must be a list of fault kind names, \"all\" or null",
            ));
        }
    };
    FaultKind::parse_list(&names).map_err(|e| Rejection::invalid("kinds", e))
}

/// `"routes"`: route templates such as `"POST /v1/instances"`, or `null`/`[]` for all.
fn routes_field(v: &Value) -> Result<Vec<String>, Rejection> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                Rejection::invalid(
                    "routes",
                    "routes must be a list such as [\"POST /v1/instances\"]",
                )
            }),
        _ => Err(Rejection::invalid(
            "routes",
            "routes must be a list such as [\"POST /v1/instances\"]",
        )),
    }
}

pub(crate) async fn get_faults(State(shared): State<Arc<SharedState>>) -> Json<FaultSettings> {
    Json(settings(&shared))
}

/// `{"fault_rate"?: 0..1, "latency_ms"?: n, "seed"?: n|null, "kinds"?: [..]|"all"|null,
/// "routes"?: [..]|null, "stall_ms"?: n}`; a given `seed` (even the same one) restarts
/// the fault sequence, so a test can replay it.
pub(crate) async fn set_faults(
    State(shared): State<Arc<SharedState>>,
    req: Body,
) -> Result<Json<FaultSettings>, Rejection> {
    let map = body::object(req).await?;
    let rate = match map.get("fault_rate") {
        None => None,
        Some(v) => match v.as_f64() {
            Some(r) if (0.0..=1.0).contains(&r) => Some(r),
            _ => {
                return Err(Rejection::invalid(
                    "fault_rate",
                    "fault_rate must be a number between 0 and 1",
                ));
            }
        },
    };
    let latency = match map.get("latency_ms") {
        None => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| {
            Rejection::invalid(
                "latency_ms",
                "latency_ms must be a whole number of milliseconds",
            )
        })?),
    };
    let kinds = map.get("kinds").map(kinds_field).transpose()?;
    let routes = map.get("routes").map(routes_field).transpose()?;
    let stall = match map.get("stall_ms") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|ms| *ms <= 600_000)
                .map(Duration::from_millis)
                .ok_or_else(|| {
                    Rejection::invalid(
                        "stall_ms",
                        "stall_ms must be a whole number of milliseconds, at most 600000",
                    )
                })?,
        ),
    };
    let seed = match map.get("seed") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => Some(Some(v.as_u64().ok_or_else(|| {
            Rejection::invalid("seed", "seed must be a non-negative integer or null")
        })?)),
    };
    {
        let mut f = lock(&shared.faults);
        if let Some(r) = rate {
            f.rate = r;
        }
        if let Some(ms) = latency {
            f.latency = Duration::from_millis(ms);
        }
        if let Some(k) = kinds {
            f.set_kinds(k);
        }
        if let Some(r) = routes {
            f.routes = r;
        }
        if let Some(s) = stall {
            f.stall = s;
        }
        if let Some(s) = seed {
            f.reseed(s);
        }
    }
    Ok(Json(settings(&shared)))
}

/// Forces an instance into any status (drift tests): `{"status": "suspended"}`.
pub(crate) async fn force_status(
    State(shared): State<Arc<SharedState>>,
    Path(id): Path<String>,
    req: Body,
) -> Result<Response, Rejection> {
    let map = body::object(req).await?;
    let Some(status) = map.get("status").and_then(Value::as_str) else {
        return Err(Rejection::invalid(
            "status",
            "status is required: an instance status such as \"suspended\"",
        ));
    };
    let status = InstanceStatus::parse(status);
    let view = {
        let mut world = shared.world();
        let rec = world
            .instances
            .get_mut(&id)
            .ok_or_else(|| Rejection::db_not_found(&id))?;
        rec.status = status;
        rec.op = None;
        rec.hidden_until_ms = None;
        World::view(rec)
    };
    Ok((StatusCode::OK, Json(Envelope { data: view })).into_response())
}
