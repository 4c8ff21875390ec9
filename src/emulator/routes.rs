//! The HTTP surface of the emulated Aura API: the router (every path, the 404 and 405
//! fallbacks, the gateway layer around all of it), the token endpoint, projects, the
//! routes that are not emulated (customer-managed keys, graph-analytics sessions), and the
//! small helpers the instance and snapshot handlers share. Instance rules live in
//! `instances`, snapshots in `snapshots`; everything a gateway would do (auth, limits,
//! faults, 415) has already happened in `gateway`.
//!
//! Decisions where the API is undocumented (NOTES.md marks them [INFER]) are commented
//! where they are made, and listed in the README.

use std::sync::{Arc, MutexGuard};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde::Serialize;

use super::errors::ApiError;
use super::gateway::{self, TOKEN_PATH};
use super::world::{InstanceRecord, OpKind, World};
use super::{Shared, admin, auth, instances, lock, snapshots};
use crate::api::wire::{Envelope, MetricsIntegration, TokenResponse, WireSecret};
use crate::aura::InstanceStatus;
use crate::aura::tiers;

pub(super) type Shr = State<Arc<Shared>>;
pub(super) type ApiResult = Result<Response, ApiError>;

/// The whole application: API, token endpoint, admin routes, with the gateway around them.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(TOKEN_PATH, post(token))
        .route("/v1/tenants", get(list_tenants))
        .route("/v1/tenants/{tenant_id}", get(get_tenant))
        .route(
            "/v1/tenants/{tenant_id}/metrics-integration",
            get(metrics_integration),
        )
        .route(
            "/v1/instances",
            get(instances::list_instances).post(instances::create_instance),
        )
        .route("/v1/instances/sizing", post(instances::sizing))
        .route(
            "/v1/instances/{id}",
            get(instances::get_instance)
                .patch(instances::patch_instance)
                .delete(instances::delete_instance),
        )
        .route("/v1/instances/{id}/pause", post(instances::pause))
        .route("/v1/instances/{id}/resume", post(instances::resume))
        .route("/v1/instances/{id}/overwrite", post(instances::overwrite))
        .route("/v1/instances/{id}/upgrade", post(instances::upgrade))
        .route(
            "/v1/instances/{id}/snapshots",
            get(snapshots::list_snapshots).post(snapshots::take_snapshot),
        )
        .route(
            "/v1/instances/{id}/snapshots/{sid}",
            get(snapshots::get_snapshot),
        )
        .route(
            "/v1/instances/{id}/snapshots/{sid}/restore",
            post(snapshots::restore),
        )
        // Customer-managed keys and graph-analytics sessions are not emulated: lists are
        // empty, lookups answer the API's own 404, creation is refused for the project.
        .route(
            "/v1/customer-managed-keys",
            get(empty_list).post(cmk_unsupported),
        )
        .route(
            "/v1/customer-managed-keys/{key_id}",
            get(cmk_not_found).delete(cmk_not_found),
        )
        .route(
            "/v1/graph-analytics/sessions",
            get(empty_list).post(sessions_unsupported),
        )
        .route(
            "/v1/graph-analytics/sessions/sizing",
            post(sessions_unsupported),
        )
        .route(
            "/v1/graph-analytics/sessions/{session_id}",
            get(session_not_found).delete(session_not_found),
        )
        .route("/_emulator/stats", get(admin::stats))
        .route(
            "/_emulator/faults",
            get(admin::get_faults).post(admin::set_faults),
        )
        .route(
            "/_emulator/instances/{id}/status",
            post(admin::force_status),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&shared),
            gateway::front,
        ))
        .with_state(shared)
}

#[allow(clippy::unnecessary_wraps)] // handlers return `ok(…)` and `Err(…)` alike
pub(super) fn ok<T: Serialize>(status: StatusCode, data: T) -> ApiResult {
    Ok((status, Json(Envelope { data })).into_response())
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        format!("No such endpoint: {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

// ---------------------------------------------------------------------------------------
// OAuth

/// `POST /oauth/token`: HTTP Basic (or, as RFC 6749 also allows, `client_id` and
/// `client_secret` in the form) and `grant_type=client_credentials`.
async fn token(State(shared): Shr, headers: HeaderMap, req: Body) -> Response {
    let bytes = axum::body::to_bytes(req, 64 * 1024)
        .await
        .unwrap_or_default();
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let oauth_error = |status: StatusCode, code: &str| {
        (status, Json(serde_json::json!({ "error": code }))).into_response()
    };
    if field("grant_type").as_deref() != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let presented = auth::basic(&headers).or_else(|| {
        Some(auth::Presented {
            client_id: field("client_id")?,
            client_secret: field("client_secret")?,
        })
    });
    let Some(presented) = presented else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    let mut tokens = lock(&shared.tokens);
    let Some(access_token) = tokens.issue(&presented, tokio::time::Instant::now()) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    let body = TokenResponse {
        access_token: WireSecret::new(access_token),
        expires_in: tokens.ttl().as_secs(),
        token_type: shared.token_type.clone(),
    };
    (StatusCode::OK, Json(body)).into_response()
}

// ---------------------------------------------------------------------------------------
// Tenants

async fn list_tenants(State(shared): Shr) -> ApiResult {
    let list = shared.world().tenant_summaries();
    ok(StatusCode::OK, list)
}

async fn get_tenant(State(shared): Shr, Path(tenant_id): Path<String>) -> ApiResult {
    let world = shared.world();
    let tenant = world
        .tenant(&tenant_id)
        .ok_or_else(ApiError::tenant_not_found)?;
    ok(StatusCode::OK, world.tenant_view(tenant))
}

/// 200 with an endpoint when the project has an instance with metrics integration
/// (business-critical or enterprise-db), else the API's 400 `tenant-incapable-of-action`.
async fn metrics_integration(State(shared): Shr, Path(tenant_id): Path<String>) -> ApiResult {
    let world = shared.world();
    let tenant = world
        .tenant(&tenant_id)
        .ok_or_else(ApiError::tenant_not_found)?;
    let eligible = world
        .instances
        .values()
        .any(|i| i.tenant_id == tenant.id && tiers::has_metrics_integration(&i.instance_type));
    if !eligible {
        return Err(ApiError::incapable(
            "This tenant has no instances eligible for metrics integration",
        ));
    }
    ok(
        StatusCode::OK,
        MetricsIntegration {
            endpoint: format!(
                "https://customer-metrics-api.neo4j.io/api/v1/{}/metrics",
                tenant.id
            ),
        },
    )
}

// ---------------------------------------------------------------------------------------
// Shared by the instance and snapshot handlers

/// The instance if it exists and is not hidden by the "not yet visible" fault.
pub(super) fn visible<'a>(
    world: &'a World,
    id: &str,
    now: i64,
) -> Result<&'a InstanceRecord, ApiError> {
    world
        .instances
        .get(id)
        .filter(|r| r.hidden_until_ms.is_none_or(|t| t <= now))
        .ok_or_else(|| ApiError::db_not_found(id))
}

pub(super) fn existing<'a>(world: &'a World, id: &str) -> Result<&'a InstanceRecord, ApiError> {
    world
        .instances
        .get(id)
        .ok_or_else(|| ApiError::db_not_found(id))
}

/// The instance an operation acts on: 404 if it does not exist, 409 while it is busy.
pub(super) fn idle<'a>(world: &'a World, id: &str) -> Result<&'a InstanceRecord, ApiError> {
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
pub(super) fn not_busy(rec: &InstanceRecord) -> Result<(), ApiError> {
    if rec.status.is_transitional() {
        return Err(ApiError::busy(rec.status.as_str()));
    }
    Ok(())
}

/// 400 when a stable instance is in the wrong stable status for the operation
/// (e.g. resizing a paused instance). The API's wording is undocumented [INFER].
pub(super) fn wrong_state(rec: &InstanceRecord, what: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid-instance-state",
        format!(
            "Cannot {what} instance {} while it is {}",
            rec.id, rec.status
        ),
    )
}
// ---------------------------------------------------------------------------------------
// Not emulated: customer-managed keys, graph-analytics sessions

async fn empty_list() -> ApiResult {
    ok(StatusCode::OK, Vec::<()>::new())
}

async fn cmk_unsupported() -> ApiError {
    ApiError::incapable("Customer managed keys are not available in the Aura emulator")
}

async fn cmk_not_found(Path(key_id): Path<String>) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "encryption-key-not-found",
        format!("Encryption Key not found: {key_id}"),
    )
}

async fn sessions_unsupported() -> ApiError {
    ApiError::incapable("Graph analytics sessions are not available in the Aura emulator")
}

async fn session_not_found(Path(session_id): Path<String>) -> ApiError {
    ApiError::session_not_found(&session_id)
}
