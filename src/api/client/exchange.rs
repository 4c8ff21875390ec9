//! One HTTP exchange, in the terms the request path reasons in: what is sent
//! ([`Call`]), what came back ([`Raw`], body already read within the cap) or why
//! nothing did ([`NoAnswer`]). Everything that touches reqwest's client, response
//! and error types lives here, so the request path above reads as policy.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::{Method, header};
use tracing::{debug, warn};

use crate::api::error::{ApiError, TransportKind, parse_retry_after};
use crate::api::pacer::Lane;
use crate::api::retry::Resend;
use crate::api::wire::EMULATOR_SPEED_HEADER;

/// One logical call: what to send and how it may be resent.
pub(super) struct Call {
    pub(super) method: Method,
    /// Path below the base, e.g. `/v1/instances/x`.
    pub(super) path: String,
    pub(super) query: Option<(&'static str, String)>,
    pub(super) body: Option<Vec<u8>>,
    pub(super) resend: Resend,
    /// Set for `POST /instances`: the name, for the ambiguous-outcome error.
    pub(super) create_name: Option<String>,
    /// Where the call queues when the budget is spent: polls are routine.
    pub(super) lane: Lane,
}

impl Call {
    pub(super) fn get(path: String) -> Self {
        Self {
            method: Method::GET,
            path,
            query: None,
            body: None,
            resend: Resend::Always,
            create_name: None,
            lane: Lane::Priority,
        }
    }

    pub(super) fn with_body(method: Method, path: String, body: Vec<u8>, resend: Resend) -> Self {
        Self {
            method,
            path,
            query: None,
            body: Some(body),
            resend,
            create_name: None,
            lane: Lane::Priority,
        }
    }

    pub(super) fn shown_path(&self) -> String {
        match &self.query {
            Some((k, v)) => format!("{}?{k}={v}", self.path),
            None => self.path.clone(),
        }
    }
}

/// A complete HTTP answer, body already read (within the cap).
pub(super) struct Raw {
    pub(super) status: u16,
    pub(super) body: Vec<u8>,
    pub(super) request_id: Option<String>,
    pub(super) retry_after: Option<Duration>,
}

/// Why an attempt produced no answer.
pub(super) enum NoAnswer {
    Transport(TransportKind, String),
    TooLarge,
}

/// The reqwest client every call shares. Fails only if TLS cannot be set up.
pub(super) fn build_http(
    user_agent: &str,
    connect_timeout: Duration,
    request_timeout: Duration,
) -> Result<reqwest::Client, ApiError> {
    // reqwest is built without a default crypto provider; install ring once per
    // process (a second install reports "already installed", which is fine).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(user_agent.to_owned())
        .connect_timeout(connect_timeout)
        .timeout(request_timeout)
        // A redirect would resend credentials to wherever it points.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ApiError::Setup(error_chain(&e)))
}

/// Sends `request` and reads the whole answer, refusing a body over `cap` bytes.
/// The first answer that announces the API version's end (`X-Tyk-Api-Expires`)
/// logs one warning per client (`deprecation_warned`). An answer of auraform's
/// emulator says its speed-up, kept in `emulated_speed` (as `f64` bits).
pub(super) async fn send(
    request: reqwest::RequestBuilder,
    cap: usize,
    deprecation_warned: &AtomicBool,
    emulated_speed: &AtomicU64,
) -> Result<Raw, NoAnswer> {
    let response = request.send().await.map_err(|e| transport(&e))?;
    let status = response.status().as_u16();
    let headers = response.headers();
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(200).collect::<String>());
    if headers.contains_key("x-tyk-api-expires")
        && !deprecation_warned.swap(true, Ordering::Relaxed)
    {
        let when: String = headers
            .get("x-tyk-api-expires")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("on an announced date")
            .chars()
            .filter(|c| !c.is_control())
            .take(64)
            .collect();
        warn!(
            "the Aura API version auraform uses is deprecated and expires {when}; upgrade auraform"
        );
    }
    if let Some(speed) = headers
        .get(EMULATOR_SPEED_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
    {
        emulated_speed.store(speed.to_bits(), Ordering::Relaxed);
    }
    let retry_after = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    let body = read_capped(response, cap).await?;
    Ok(Raw {
        status,
        body,
        request_id,
        retry_after,
    })
}

async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, NoAnswer> {
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(NoAnswer::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport(&e))? {
        if body.len() + chunk.len() > cap {
            return Err(NoAnswer::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn transport(e: &reqwest::Error) -> NoAnswer {
    let kind = if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Broken
    };
    // The library's chain (`error sending request: client error (Connect): …`) is
    // for -vv; the user gets what happened in words.
    let chain = error_chain(e);
    debug!(failure = %kind, detail = %chain, "no answer");
    NoAnswer::Transport(kind, cause_in_words(e, kind, &chain))
}

/// What kept a request from being answered, in words about the host: the name did
/// not resolve, nothing listens on the port, the TLS handshake failed, …
fn cause_in_words(e: &reqwest::Error, kind: TransportKind, chain: &str) -> String {
    let host = e.url().and_then(|u| {
        u.host_str()
            .map(|h| (h.to_owned(), u.port_or_known_default()))
    });
    let at = match &host {
        Some((h, Some(port))) => format!("{h}:{port}"),
        Some((h, None)) => h.clone(),
        None => "the server".to_owned(),
    };
    let name = host.as_ref().map_or("the server", |(h, _)| h.as_str());
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            let words = match io.kind() {
                K::ConnectionRefused => {
                    Some(format!("nothing is listening on {at} (connection refused)"))
                }
                K::ConnectionReset | K::ConnectionAborted => {
                    Some(format!("{at} closed the connection"))
                }
                K::TimedOut => Some(format!("{at} did not answer in time")),
                K::NetworkUnreachable | K::NetworkDown => {
                    Some("the network is unreachable".to_owned())
                }
                K::HostUnreachable => Some(format!("the host {name} is unreachable")),
                K::AddrNotAvailable => {
                    Some(format!("{at} is not an address this machine can reach"))
                }
                _ => None,
            };
            if let Some(w) = words {
                return w;
            }
        }
        source = err.source();
    }
    let lower = chain.to_ascii_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        format!("the host name {name} could not be resolved (DNS)")
    } else if lower.contains("certificate") {
        format!("the TLS certificate of {name} was not accepted")
    } else if lower.contains("tls") || lower.contains("handshake") {
        format!("the TLS handshake with {name} failed")
    } else {
        // A body cut short (truncated, stalled mid-body) differs from no answer at
        // all: the server did answer, so a non-idempotent request may have been done.
        let mid_body = e.is_body() || e.is_decode();
        match kind {
            TransportKind::Timeout if mid_body => {
                "it began to answer, then stalled until the request timeout".to_owned()
            }
            TransportKind::Timeout => format!("{at} did not answer in time"),
            TransportKind::Connect => format!("the connection to {at} failed"),
            TransportKind::Broken if mid_body => {
                "the answer was cut off before it was complete".to_owned()
            }
            TransportKind::Broken if e.is_request() => {
                format!("{at} closed the connection before answering")
            }
            TransportKind::Broken => {
                format!("the connection to {at} broke before the answer was complete")
            }
        }
    }
}

/// The error and its causes on one line, without the URL (which carries nothing
/// secret, but is already in the message).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        let text = err.to_string();
        let text = match text.find(" for url (") {
            Some(i) => text[..i].to_owned(),
            None => text,
        };
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        current = err.source();
    }
    parts.join(": ")
}
