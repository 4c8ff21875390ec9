//! What the API gateway does around every handler, in the order the live API (a Tyk
//! gateway in front of the service) appears to do it:
//!
//! 1. `X-Request-Id` on every response, admin routes included.
//! 2. Admin routes (`/_emulator/…`) skip everything below; they answer loopback peers only.
//! 3. `--latency`, then an injected fault drawn for this request (5xx, 429, slow, drop,
//!    or a hostile answer). An injected 5xx, 429 or drop answers here and consumes no
//!    rate-limit budget; a slow one carries on below after its delay; a hostile one
//!    carries on, and the handler's answer is damaged on its way out (`mangle`).
//! 4. The per-client rate limit (429 + `Retry-After`; refused requests are not counted).
//! 5. Bearer authentication (401 missing/unknown, 403 expired), except `/oauth/token`
//!    and unknown routes (those answer 404 to anyone).
//! 6. `Content-Type: application/json` on POST/PATCH (415).
//!
//! Then the handler runs. A successful POST/PATCH/DELETE is saved to the `--state` file
//! before the response leaves, and the response is counted in the stats
//! (`/_emulator/stats` counts API responses only, injected ones included, never admin
//! requests).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use super::auth;
use super::errors::Rejection;
use super::faults::{Fault, Mangling};
use super::mangle::mangle;
use super::shared::{SharedState, lock};
use crate::api::wire::EMULATOR_SPEED_HEADER;

/// The token endpoint (not versioned, no bearer).
pub(crate) const TOKEN_PATH: &str = "/oauth/token";
/// Prefix of the emulator's own routes.
pub(crate) const ADMIN_PREFIX: &str = "/_emulator/";

/// The middleware around every route (see the module doc for the order of concerns).
pub(crate) async fn front(
    State(shared): State<Arc<SharedState>>,
    req: Request,
    next: Next,
) -> Response {
    let request_id = shared.next_request_id();
    let mut response = if req.uri().path().starts_with(ADMIN_PREFIX) {
        admin(&shared, req, next).await
    } else {
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
        let key = format!("{method} {route}");
        let Some((response, mangling)) = api(&shared, &key, req, next).await else {
            lock(&shared.stats).dropped += 1;
            tracing::info!("{method} {path} -> dropped connection (injected)");
            return dropped();
        };
        let response = json_errors(response).await;
        let response = match mangling {
            Some(how) => {
                tracing::info!("{method} {path} -> answer damaged ({how:?}, injected)");
                mangle(response, how).await
            }
            None => response,
        };
        lock(&shared.stats).record(&method, &route, response.status());
        // Method, path and status only: never headers (tokens) or bodies (passwords).
        tracing::info!("{method} {path} -> {}", response.status().as_u16());
        response
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", v);
    }
    // So that a client pointed at it with `--api-url` can scale its idea of how long
    // operations take (docs/emulator.md §2); the real API sends no such header.
    if let Ok(v) = HeaderValue::from_str(&shared.speed.to_string()) {
        response.headers_mut().insert(EMULATOR_SPEED_HEADER, v);
    }
    response
}

/// Admin routes: no auth, no faults, loopback peers only.
async fn admin(shared: &SharedState, req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if peer.is_some_and(|ip| !ip.is_loopback()) {
        return Rejection::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Emulator admin routes answer loopback clients only",
        )
        .into_response();
    }
    let changes = *req.method() == Method::POST;
    let response = next.run(req).await;
    if changes && response.status().is_success() {
        shared.commit().await;
    }
    response
}

/// The API path through the gateway for a request to `route` (`"GET /v1/…/{id}"`).
/// `None` means: drop the connection; a [`Mangling`] comes back when the answer is to
/// be damaged on its way out.
async fn api(
    shared: &SharedState,
    route: &str,
    req: Request,
    next: Next,
) -> Option<(Response, Option<Mangling>)> {
    let (latency, fault) = {
        let mut faults = lock(&shared.faults);
        (faults.latency, faults.draw(route))
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut mangling = None;
    match fault {
        None => {}
        Some(Fault::Drop) => return None,
        Some(Fault::Slow(d)) => tokio::time::sleep(d).await,
        Some(Fault::TooManyRequests(secs)) => {
            return Some((
                Rejection::gateway(StatusCode::TOO_MANY_REQUESTS, "API rate limit exceeded")
                    .with_retry_after(secs)
                    .into_response(),
                None,
            ));
        }
        Some(Fault::Status(code)) => return Some((injected_status(code).into_response(), None)),
        Some(Fault::Mangle(how)) => mangling = Some(how),
    }
    Some((handled(shared, req, next).await, mangling))
}

/// Rate limit, authentication, content type, then the handler (steps 4–7).
async fn handled(shared: &SharedState, mut req: Request, next: Next) -> Response {
    let now = Instant::now();
    let is_token = req.uri().path() == TOKEN_PATH;
    let bearer = lock(&shared.tokens).bearer(req.headers(), now);
    let client = if is_token {
        if let Some(p) = auth::basic(req.headers()) {
            Some(p.client_id)
        } else {
            // Credentials may be in the form body instead (RFC 6749): read it to
            // attribute the request, and hand the same bytes on to the handler.
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, 64 * 1024)
                .await
                .unwrap_or_default();
            let form: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
            req = Request::from_parts(parts, Body::from(bytes));
            form.into_iter()
                .find(|(k, _)| k == "client_id")
                .map(|(_, v)| v)
        }
    } else {
        bearer.client_id().map(str::to_owned)
    };
    let client = client.unwrap_or_else(|| "(anonymous)".to_owned());
    if let Err(secs) = lock(&shared.limiter).admit(&client, now) {
        return Rejection::gateway(StatusCode::TOO_MANY_REQUESTS, "API rate limit exceeded")
            .with_retry_after(secs)
            .into_response();
    }
    // Unknown routes answer 404 whoever asks; known ones need a valid token.
    let matched = req.extensions().get::<MatchedPath>().is_some();
    if !is_token && matched {
        if let Err(e) = bearer.check() {
            return e.into_response();
        }
        if matches!(*req.method(), Method::POST | Method::PATCH) && !is_json(&req) {
            return Rejection::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "This endpoint requires the `Content-Type: application/json` header",
            )
            .into_response();
        }
    }
    // Token requests and sizing estimates change nothing worth a write.
    let mutating = matches!(*req.method(), Method::POST | Method::PATCH | Method::DELETE)
        && !is_token
        && req.uri().path() != "/v1/instances/sizing";
    let response = next.run(req).await;
    if mutating && response.status().is_success() {
        shared.commit().await;
    }
    response
}

/// A safety net: an error answered by axum itself (an undecodable path segment, say) is
/// plain text; rewrap it in the API's error shape so clients only ever see JSON errors.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("Error").to_owned()
    } else {
        text
    };
    let mut wrapped = Rejection::new(status, "invalid-request", message).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            wrapped.headers_mut().insert(name.clone(), value.clone());
        }
    }
    wrapped
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// An injected 5xx: 500 from the service (standard shape), the others from the gateway.
fn injected_status(code: u16) -> Rejection {
    match code {
        502 => Rejection::gateway(
            StatusCode::BAD_GATEWAY,
            "There was a problem proxying the request",
        ),
        503 => Rejection::gateway(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service temporarily unavailable",
        )
        .with_retry_after(1),
        504 => Rejection::gateway(StatusCode::GATEWAY_TIMEOUT, "Upstream request timed out"),
        _ => Rejection::new(
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
