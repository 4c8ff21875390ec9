//! `ApiError`: everything that can go wrong between auraform and the Aura API, as
//! diagnostics that say what happened, where, and what to do.
//!
//! Two rules hold for every variant: the raw response body is never kept (only the
//! `reason`/`message`/`field` the API chose to tell us), and no secret can reach an
//! error because no variant has a field that could hold one (credentials and tokens
//! are `secrecy`/`WireSecret` values and never formatted).

use std::fmt;
use std::time::Duration;

use miette::Diagnostic;
use thiserror::Error;

use super::wire::{ErrorBody, MiddlewareError};

/// What the API said about a request it refused: the status and the fields of
/// whichever of the three error body shapes it used (docs/aura-api.md §4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResponseError {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request path, e.g. `/v1/instances/2f49c2b3` (no host, no secrets).
    pub path: String,
    pub status: u16,
    /// The API's `reason`, when it gave a non-empty one.
    pub reason: Option<String>,
    /// The API's `message` (or the gateway's `error`).
    pub message: Option<String>,
    /// The request property the API blamed, when it named one.
    pub field: Option<String>,
    /// The `X-Request-Id` header, to quote to Neo4j support.
    pub request_id: Option<String>,
}

impl ApiResponseError {
    /// Builds the error from a response status and body. Accepts the standard
    /// `{"errors":[…]}`, the gateway's `{"error":"…"}` and the graph-analytics
    /// `{"data":null,"errors":[{"id":…}]}` shapes, plus `{"message"|"details":…}`;
    /// anything else (HTML from a proxy, garbage) is dropped, never echoed.
    pub fn from_body(
        method: &str,
        path: &str,
        status: u16,
        body: &[u8],
        request_id: Option<String>,
    ) -> Self {
        let (reason, mut message, field) = parse_error_body(body);
        if reason.is_none() && message.is_none() && body.trim_ascii_start().starts_with(b"<") {
            message = Some(
                "the answer was an HTML page, not the API's JSON (a proxy or gateway answered)"
                    .to_owned(),
            );
        }
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            status,
            reason,
            message,
            field,
            request_id,
        }
    }

    /// True for the 409 the API answers while another operation runs on the instance.
    pub fn is_ongoing_operation(&self) -> bool {
        self.status == 409
            && (self.reason.as_deref() == Some("ongoing-database-operation")
                || self.reason.is_none())
    }
}

impl fmt::Display for ApiResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} failed with HTTP {}",
            self.method, self.path, self.status
        )?;
        if let Some(reason) = &self.reason {
            write!(f, " ({reason})")?;
        }
        match (&self.field, &self.message) {
            (Some(field), Some(message)) => write!(f, ": {field}: {message}")?,
            (None, Some(message)) => write!(f, ": {message}")?,
            (Some(field), None) => write!(f, ": invalid {field}")?,
            (None, None) => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

/// The fields of an error body, whichever shape it has. Messages are trimmed and
/// capped so that a misbehaving server cannot flood the terminal.
pub fn parse_error_body(body: &[u8]) -> (Option<String>, Option<String>, Option<String>) {
    fn clean(s: &str) -> Option<String> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let mut out: String = s.chars().filter(|c| !c.is_control()).take(500).collect();
        if s.chars().count() > 500 {
            out.push('…');
        }
        Some(out)
    }
    if let Ok(standard) = serde_json::from_slice::<ErrorBody>(body)
        && let Some(first) = standard.errors.first()
    {
        // Several errors are rare (validation of several fields); show them all.
        let message = standard
            .errors
            .iter()
            .filter_map(|e| clean(&e.message))
            .collect::<Vec<_>>()
            .join("; ");
        return (
            clean(&first.reason),
            clean(&message),
            first.field.as_deref().and_then(clean),
        );
    }
    if let Ok(gateway) = serde_json::from_slice::<MiddlewareError>(body) {
        return (None, clean(&gateway.error), None);
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) {
        for key in ["message", "details", "detail", "error_description"] {
            if let Some(serde_json::Value::String(s)) = map.get(key) {
                return (None, clean(s), None);
            }
        }
    }
    (None, None, None)
}

/// How a request failed before any HTTP status arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    /// Could not connect (refused, DNS, TLS handshake).
    Connect,
    /// No complete answer within the request timeout.
    Timeout,
    /// The connection broke while sending or receiving.
    Broken,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "could not connect",
            TransportKind::Timeout => "timed out",
            TransportKind::Broken => "connection broken",
        })
    }
}

/// Every failure of the API client.
#[derive(Debug, Error)]
pub enum ApiError {
    /// The API answered with an error status.
    #[error("{0}")]
    Response(Box<ApiResponseError>),

    /// 409 `ongoing-database-operation`: the instance is busy with another operation.
    /// Wait until it is stable and try again (the executor does; the client does not).
    #[error("instance busy: {0}")]
    Busy(Box<ApiResponseError>),

    /// `POST /instances` failed in a way that leaves its outcome unknown (timeout,
    /// dropped connection, 5xx). It is never resent: list the project to find out.
    #[error("creating instance `{name}` had an unknown outcome ({cause}); it may or may not exist")]
    AmbiguousCreate { name: String, cause: String },

    /// The token endpoint refused the credentials.
    #[error("authentication failed: the token endpoint answered HTTP {status}{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Authentication { status: u16, detail: Option<String> },

    /// No HTTP answer (connect, timeout, broken connection), after any retries.
    /// `detail` says why in words (never the HTTP library's error chain).
    #[error("{}", transport_message(method, path, url, *kind, detail))]
    Transport {
        method: String,
        path: String,
        /// The API's base URL.
        url: String,
        kind: TransportKind,
        detail: String,
    },

    /// A success status with a body we could not read as the documented shape.
    #[error("{method} {path}: unexpected response body: {detail}")]
    Decode {
        method: String,
        path: String,
        detail: String,
    },

    /// A response bigger than the configured cap.
    #[error("{method} {path}: response larger than the {} limit", size(*limit))]
    TooLarge {
        method: String,
        path: String,
        limit: usize,
    },

    /// `--api-url` is not acceptable.
    #[error("invalid API URL `{url}`: {problem}")]
    InvalidUrl { url: String, problem: String },

    /// No credentials anywhere we looked.
    #[error("no Aura API credentials found (tried: {})", tried.join("; "))]
    NoCredentials { tried: Vec<String> },

    /// A credentials source exists but is unusable (e.g. a malformed aura-cli file).
    #[error("cannot read credentials from {source_name}: {problem}")]
    BadCredentials {
        source_name: String,
        problem: String,
    },

    /// `project:` matched no project.
    #[error(
        "no project with id or name `{query}` (available: {})",
        list_or_none(available)
    )]
    ProjectNotFound {
        query: String,
        available: Vec<String>,
    },

    /// `project:` matched several projects by name.
    #[error("`{query}` names several projects: {}", matches.join(", "))]
    ProjectAmbiguous { query: String, matches: Vec<String> },

    /// The HTTP client could not be built (TLS setup).
    #[error("cannot set up the HTTP client: {0}")]
    Setup(String),
}

/// A byte count as people read it: `8 MiB`, `64 KiB`, or `1000 bytes`.
pub(crate) fn size(bytes: usize) -> String {
    const KIB: usize = 1024;
    if bytes >= KIB * KIB && bytes.is_multiple_of(KIB * KIB) {
        format!("{} MiB", bytes / (KIB * KIB))
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Whether the URL's host is this machine (`localhost`, `127.x`, `[::1]`).
fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?']).next().unwrap_or(rest);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn transport_message(
    method: &str,
    path: &str,
    url: &str,
    kind: TransportKind,
    detail: &str,
) -> String {
    match kind {
        TransportKind::Connect => format!("cannot reach the Aura API at {url}: {detail}"),
        TransportKind::Timeout => {
            format!("{method} {path}: no answer from the Aura API at {url}: {detail}")
        }
        TransportKind::Broken => {
            format!("{method} {path}: the connection to the Aura API at {url} broke: {detail}")
        }
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

impl ApiError {
    /// The HTTP status, when the API answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Response(e) | ApiError::Busy(e) => Some(e.status),
            ApiError::Authentication { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API's error details, when it answered with an error status.
    pub fn response(&self) -> Option<&ApiResponseError> {
        match self {
            ApiError::Response(e) | ApiError::Busy(e) => Some(e.as_ref()),
            _ => None,
        }
    }

    /// True for a 404 answer.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// True for 409 `ongoing-database-operation`.
    pub fn is_busy(&self) -> bool {
        matches!(self, ApiError::Busy(_))
    }

    /// True for 400 `invalid-instance-state`: refused for the stable state the
    /// instance is in (pausing a paused one, docs/emulator.md §10).
    pub fn is_invalid_state(&self) -> bool {
        matches!(self, ApiError::Response(e)
            if e.status == 400 && e.reason.as_deref() == Some("invalid-instance-state"))
    }

    /// True when a create may or may not have happened.
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, ApiError::AmbiguousCreate { .. })
    }

    /// True for a 429 answer (only after retries gave up, or for a create).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    fn code_str(&self) -> &'static str {
        match self {
            ApiError::Response(e) => match e.status {
                400 => "auraform::api::bad_request",
                401 => "auraform::api::unauthorized",
                402 => "auraform::api::payment_required",
                403 => "auraform::api::forbidden",
                404 => "auraform::api::not_found",
                405 => "auraform::api::instance_limit",
                409 => "auraform::api::conflict",
                415 => "auraform::api::unsupported_media_type",
                420 => "auraform::api::unsupported_for_tier",
                429 => "auraform::api::rate_limited",
                500..=599 => "auraform::api::server_error",
                _ => "auraform::api::http_error",
            },
            ApiError::Busy(_) => "auraform::api::busy",
            ApiError::AmbiguousCreate { .. } => "auraform::api::ambiguous_create",
            ApiError::Authentication { .. } => "auraform::api::authentication",
            ApiError::Transport { kind, .. } => match kind {
                TransportKind::Connect => "auraform::api::connect",
                TransportKind::Timeout => "auraform::api::timeout",
                TransportKind::Broken => "auraform::api::connection_broken",
            },
            ApiError::Decode { .. } => "auraform::api::unexpected_body",
            ApiError::TooLarge { .. } => "auraform::api::response_too_large",
            ApiError::InvalidUrl { .. } => "auraform::api::invalid_url",
            ApiError::NoCredentials { .. } => "auraform::api::no_credentials",
            ApiError::BadCredentials { .. } => "auraform::api::bad_credentials",
            ApiError::ProjectNotFound { .. } => "auraform::api::project_not_found",
            ApiError::ProjectAmbiguous { .. } => "auraform::api::project_ambiguous",
            ApiError::Setup(_) => "auraform::api::setup",
        }
    }

    fn help_text(&self) -> Option<String> {
        let text = match self {
            ApiError::Response(e) => match e.status {
                400 => {
                    if e.reason.as_deref() == Some("missing-billing-details") {
                        "add billing details in the Aura Console, then run again"
                    } else if e.reason.as_deref() == Some("tenant-incapable-of-action") {
                        "this project or tier does not offer that action; check the instance type and the project's instance_configurations"
                    } else {
                        "the API rejected the request; check the values named above against the project's offered configurations"
                    }
                }
                401 => {
                    "the API could not authenticate the request: check AURA_CLIENT_ID / AURA_CLIENT_SECRET (or the aura-cli credential in use)"
                }
                402 => "this action needs a paid plan or billing details for the project",
                403 => {
                    "the credentials were revoked or lack permission for this project: create new API credentials in the Aura Console (Account settings → API keys) or use ones with access"
                }
                404 => {
                    "it does not exist (or no longer does): check the id, or whether it was deleted"
                }
                405 => {
                    "the project has reached its maximum number of instances: delete one or ask Neo4j to raise the limit"
                }
                409 => "another operation is running on it: wait until it is done and run again",
                415 => {
                    "the request lacked `Content-Type: application/json` — a bug in auraform; please report it"
                }
                420 => {
                    "this action is not supported for the instance's tier (e.g. free-db cannot be paused or overwritten)"
                }
                429 => "the API's rate limit was exceeded: wait a minute, or lower --rate-limit",
                500..=599 => {
                    "the Aura API had a problem; it is usually transient: run again later, and quote the request id to Neo4j support if it persists"
                }
                _ => return None,
            },
            ApiError::Busy(_) => {
                "another operation is running on the instance: wait until its status is stable (running/paused) and try again"
            }
            ApiError::AmbiguousCreate { .. } => {
                "auraform did not resend the create (names are not unique, a resend could create a duplicate): list the project (`auraform plan`) to see whether the instance exists; if it does, its password was lost — reset it in the Aura Console"
            }
            ApiError::Authentication { .. } => {
                "check AURA_CLIENT_ID / AURA_CLIENT_SECRET: the credentials may be wrong, deleted or revoked (create new ones in the Aura Console under API keys)"
            }
            ApiError::Transport { kind, url, .. } => match kind {
                TransportKind::Connect if is_loopback_url(url) => {
                    return Some(format!(
                        "{url} is this machine: is the emulator running there? Start one with `auraform emulator`, or use --emulator instead of --api-url for an in-process one"
                    ));
                }
                TransportKind::Connect => {
                    "check the network connection (and a proxy, if one is needed: HTTPS_PROXY), and that --api-url or AURA_API_URL names the Aura API (https://api.neo4j.io by default); to try auraform without an account, use --emulator"
                }
                TransportKind::Timeout => {
                    "the API did not answer in time; run again (reads are retried automatically)"
                }
                TransportKind::Broken => {
                    "the connection to the API broke; run again (reads are retried automatically)"
                }
            },
            ApiError::Decode { .. } => {
                "the answer could not be read (a read is sent again, and this one failed every time): run again later, and check --api-url points at the Aura API"
            }
            ApiError::TooLarge { .. } => {
                "check --api-url points at the Aura API; the answer was far bigger than any real one"
            }
            ApiError::InvalidUrl { .. } => {
                "use an https:// URL (plain http is allowed only for localhost / 127.0.0.1 / ::1), e.g. https://api.neo4j.io"
            }
            ApiError::NoCredentials { .. } => {
                "set AURA_CLIENT_ID and AURA_CLIENT_SECRET (create them in the Aura Console under API keys), put them in ./.env, or use --emulator"
            }
            ApiError::BadCredentials { .. } => {
                "fix or remove that source, or set AURA_CLIENT_ID and AURA_CLIENT_SECRET"
            }
            ApiError::ProjectNotFound { .. } => {
                "use one of the listed ids or exact names (in aura.yaml's `project:`, or with --project)"
            }
            ApiError::ProjectAmbiguous { .. } => "use the project id instead of its name",
            ApiError::Setup(_) => return None,
        };
        Some(text.to_owned())
    }
}

impl Diagnostic for ApiError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code_str()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help_text()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }
}

/// Parses `Retry-After`: integer seconds or an HTTP date (docs/aura-api.md §6). A
/// date in the past means "now"; nonsense is ignored.
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        // Too big for a Duration is nonsense too (from_secs_f64 would panic on it).
        return Duration::try_from_secs_f64(secs).ok();
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/aura-api");
        std::fs::read(format!("{dir}/{name}")).unwrap()
    }

    #[test]
    fn standard_shape() {
        let e = ApiResponseError::from_body(
            "POST",
            "/v1/instances",
            400,
            &fixture("error-missing-billing-details.400.json"),
            Some("abc/123".into()),
        );
        assert_eq!(e.reason.as_deref(), Some("missing-billing-details"));
        assert!(
            e.message
                .as_deref()
                .unwrap()
                .starts_with("You must provide")
        );
        assert_eq!(e.field, None);
        let shown = e.to_string();
        assert!(shown.contains("HTTP 400"), "{shown}");
        assert!(shown.contains("missing-billing-details"), "{shown}");
        assert!(shown.contains("abc/123"), "{shown}");
    }

    #[test]
    fn busy_shape() {
        let e = ApiResponseError::from_body(
            "POST",
            "/v1/instances/x/pause",
            409,
            &fixture("error-ongoing-database-operation.409.json"),
            None,
        );
        assert!(e.is_ongoing_operation());
    }

    #[test]
    fn gds_shape_with_empty_reason() {
        let e = ApiResponseError::from_body(
            "GET",
            "/v1/graph-analytics/sessions/s-1",
            404,
            &fixture("error-gds-session-not-found.404.json"),
            None,
        );
        assert_eq!(e.reason, None);
        assert_eq!(
            e.message.as_deref(),
            Some("session with id s-f5138f3b-7956 not found")
        );
    }

    #[test]
    fn gateway_shape_and_field_and_garbage() {
        let e = ApiResponseError::from_body(
            "GET",
            "/v1/x",
            403,
            br#"{"error":"Key not authorised"}"#,
            None,
        );
        assert_eq!(e.message.as_deref(), Some("Key not authorised"));
        let e = ApiResponseError::from_body(
            "POST",
            "/v1/instances",
            400,
            br#"{"errors":[{"message":"must be 1-30 characters","reason":"invalid-input","field":"name"}]}"#,
            None,
        );
        assert_eq!(e.field.as_deref(), Some("name"));
        assert!(e.to_string().contains("name: must be 1-30 characters"));
        let e = ApiResponseError::from_body(
            "GET",
            "/v1/x",
            502,
            b"<html>secret-ish proxy page</html>",
            None,
        );
        assert_eq!(e.reason, None);
        assert_eq!(
            e.message.as_deref(),
            Some("the answer was an HTML page, not the API's JSON (a proxy or gateway answered)")
        );
        assert!(!e.to_string().contains("secret-ish"));
        let e = ApiResponseError::from_body("GET", "/v1/x", 500, br#"{"details":"boom"}"#, None);
        assert_eq!(e.message.as_deref(), Some("boom"));
    }

    #[test]
    fn every_status_has_code_and_help() {
        for status in [400, 401, 402, 403, 404, 405, 409, 415, 420, 429, 500, 503] {
            let e = ApiError::Response(Box::new(ApiResponseError::from_body(
                "GET", "/v1/x", status, b"", None,
            )));
            let code = e.code().unwrap().to_string();
            assert!(code.starts_with("auraform::api::"), "{code}");
            assert!(e.help().is_some(), "{status}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(parse_retry_after("5", now), Some(Duration::from_secs(5)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(7)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    /// A server's absurd `Retry-After` is ignored or kept as a (huge) value that the
    /// callers saturate; it never panics the conversion.
    #[test]
    fn retry_after_too_big_for_a_duration_does_not_panic() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(parse_retry_after("1e30", now), None);
        assert_eq!(parse_retry_after("99999999999999999999", now), None);
        assert_eq!(
            parse_retry_after("18446744073709551615", now),
            Some(Duration::from_secs(u64::MAX))
        );
    }
}
