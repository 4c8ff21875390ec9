//! What the API gateway does around every handler, in the order the live API (a Tyk
//! gateway in front of the service) appears to do it:
//!
//! 1. `X-Request-Id` on every response, admin routes included.
//! 2. Admin routes (`/_emulator/…`) skip everything below; they answer loopback peers only.
//! 3. `--latency`, then an injected fault drawn for this request (5xx, 429, slow, drop).
//!    Injected faults never consume rate-limit budget.
//! 4. The per-client rate limit (429 + `Retry-After`; refused requests are not counted).
//! 5. Bearer authentication (401 missing/unknown, 403 expired), except `/oauth/token`
//!    and unknown routes (those answer 404 to anyone).
//! 6. `Content-Type: application/json` on POST/PATCH (415).
//!
//! Then the handler runs, and the response is counted in the stats (`/_emulator/stats`
//! counts API responses only, injected ones included, never admin requests).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use super::errors::ApiError;
use super::faults::Fault;
use super::{Shared, auth, lock};

/// The token endpoint (not versioned, no bearer).
pub(crate) const TOKEN_PATH: &str = "/oauth/token";
/// Prefix of the emulator's own routes.
pub(crate) const ADMIN_PREFIX: &str = "/_emulator/";

pub(crate) async fn front(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let request_id = shared.next_request_id();
    let mut response = if req.uri().path().starts_with(ADMIN_PREFIX) {
        admin(req, next).await
    } else {
        let method = req.method().clone();
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
        let Some(response) = api(&shared, req, next).await else {
            lock(&shared.stats).dropped += 1;
            return dropped();
        };
        lock(&shared.stats).record(&method, &route, response.status());
        response
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// Admin routes: no auth, no faults, loopback peers only.
async fn admin(req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if peer.is_some_and(|ip| !ip.is_loopback()) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Emulator admin routes answer loopback clients only",
        )
        .into_response();
    }
    next.run(req).await
}

/// The API path through the gateway. `None` means: drop the connection.
async fn api(shared: &Shared, req: Request, next: Next) -> Option<Response> {
    let (latency, fault) = {
        let mut faults = lock(&shared.faults);
        (faults.latency, faults.draw())
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault {
        None => {}
        Some(Fault::Drop) => return None,
        Some(Fault::Slow(d)) => tokio::time::sleep(d).await,
        Some(Fault::TooManyRequests(secs)) => {
            return Some(
                ApiError::gateway(StatusCode::TOO_MANY_REQUESTS, "API rate limit exceeded")
                    .with_retry_after(secs)
                    .into_response(),
            );
        }
        Some(Fault::Status(code)) => return Some(injected_status(code).into_response()),
    }

    let now = Instant::now();
    let is_token = req.uri().path() == TOKEN_PATH;
    let bearer = lock(&shared.tokens).bearer(req.headers(), now);
    let client = if is_token {
        auth::basic(req.headers()).map(|p| p.client_id)
    } else {
        bearer.client_id().map(str::to_owned)
    };
    let client = client.unwrap_or_else(|| "(anonymous)".to_owned());
    if let Err(secs) = lock(&shared.limiter).admit(&client, now) {
        return Some(
            ApiError::gateway(StatusCode::TOO_MANY_REQUESTS, "API rate limit exceeded")
                .with_retry_after(secs)
                .into_response(),
        );
    }
    // Unknown routes answer 404 whoever asks; known ones need a valid token.
    let matched = req.extensions().get::<MatchedPath>().is_some();
    if !is_token && matched {
        if let Err(e) = bearer.check() {
            return Some(e.into_response());
        }
        if matches!(*req.method(), Method::POST | Method::PATCH) && !is_json(&req) {
            return Some(
                ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type",
                    "This endpoint requires the `Content-Type: application/json` header",
                )
                .into_response(),
            );
        }
    }
    Some(next.run(req).await)
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// An injected 5xx: 500 from the service (standard shape), the others from the gateway.
fn injected_status(code: u16) -> ApiError {
    match code {
        502 => ApiError::gateway(
            StatusCode::BAD_GATEWAY,
            "There was a problem proxying the request",
        ),
        503 => ApiError::gateway(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service temporarily unavailable",
        )
        .with_retry_after(1),
        504 => ApiError::gateway(StatusCode::GATEWAY_TIMEOUT, "Upstream request timed out"),
        _ => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-server-error",
            "An internal error occurred (injected by the emulator)",
        ),
    }
}

/// A response whose body fails before its first byte: hyper then closes the connection
/// without writing anything, which the client sees as a dropped connection.
fn dropped() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("injected fault: dropped connection"))
    });
    Response::new(Body::from_stream(failing))
}
