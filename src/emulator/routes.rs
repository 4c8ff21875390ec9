//! The HTTP surface of the emulated Aura API: the router (every path, the 404 and 405
//! fallbacks, the gateway layer around all of it), the token endpoint, projects, the
//! routes that are not emulated (customer-managed keys, graph-analytics sessions).
//! Instance rules live in `instances`, `patch`, `lifecycle` and `sizing`, snapshots in
//! `snapshots`, the helpers they share in `respond`; everything a gateway would do (auth,
//! limits, faults, 415) has already happened in `gateway`.
//!
//! Decisions where the API is undocumented (docs/aura-api.md marks them [INFER]) are
//! commented where they are made, and listed in the README.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};

use super::errors::Rejection;
use super::gateway::{self, TOKEN_PATH};
use super::respond::{ApiResult, Shr, ok};
use super::shared::{SharedState, lock};
use super::{admin, auth, instances, lifecycle, lineage, patch, sizing, snapshots};
use crate::api::wire::{MetricsIntegration, TokenResponse, WireSecret};
use crate::aura::tiers;

/// The whole application: API, token endpoint, admin routes, with the gateway around them.
pub(crate) fn router(shared: Arc<SharedState>) -> Router {
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
        .route("/v1/instances/sizing", post(sizing::sizing))
        .route(
            "/v1/instances/{id}",
            get(instances::get_instance)
                .patch(patch::patch_instance)
                .delete(lifecycle::delete_instance),
        )
        .route("/v1/instances/{id}/pause", post(lifecycle::pause))
        .route("/v1/instances/{id}/resume", post(lifecycle::resume))
        .route("/v1/instances/{id}/overwrite", post(lifecycle::overwrite))
        .route("/v1/instances/{id}/upgrade", post(lifecycle::upgrade))
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
        .route("/_emulator/instances/{id}", get(lineage::instance))
        .route(
            "/_emulator/instances/{id}/snapshot-outcome",
            post(lineage::snapshot_outcome),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&shared),
            gateway::front,
        ))
        .with_state(shared)
}

async fn not_found(method: Method, uri: Uri) -> Rejection {
    Rejection::new(
        StatusCode::NOT_FOUND,
        "not-found",
        format!("No such endpoint: {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Rejection {
    Rejection::new(
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
        .ok_or_else(Rejection::tenant_not_found)?;
    ok(StatusCode::OK, world.tenant_view(tenant))
}

/// 200 with an endpoint when the project has an instance with metrics integration
/// (business-critical or enterprise-db), else the API's 400 `tenant-incapable-of-action`.
async fn metrics_integration(State(shared): Shr, Path(tenant_id): Path<String>) -> ApiResult {
    let world = shared.world();
    let tenant = world
        .tenant(&tenant_id)
        .ok_or_else(Rejection::tenant_not_found)?;
    let eligible = world
        .instances
        .values()
        .any(|i| i.tenant_id == tenant.id && tiers::has_metrics_integration(&i.instance_type));
    if !eligible {
        return Err(Rejection::incapable(
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
// Not emulated: customer-managed keys, graph-analytics sessions

async fn empty_list() -> ApiResult {
    ok(StatusCode::OK, Vec::<()>::new())
}

async fn cmk_unsupported() -> Rejection {
    Rejection::incapable("Customer managed keys are not available in the Aura emulator")
}

async fn cmk_not_found(Path(key_id): Path<String>) -> Rejection {
    Rejection::new(
        StatusCode::NOT_FOUND,
        "encryption-key-not-found",
        format!("Encryption Key not found: {key_id}"),
    )
}

async fn sessions_unsupported() -> Rejection {
    Rejection::incapable("Graph analytics sessions are not available in the Aura emulator")
}

async fn session_not_found(Path(session_id): Path<String>) -> Rejection {
    Rejection::session_not_found(&session_id)
}
