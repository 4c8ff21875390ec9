//! `AuraClient`: one typed method per Aura v1 operation auraform uses, every one
//! going through the same path: token (`auth`) → budget (`pacer`) → HTTP → size
//! cap → error mapping (`error`) → resend policy (`retry`).
//!
//! Logging: one `debug` line per HTTP exchange (method, path, status, request id,
//! duration), an `info` line per retry and per 429 pause, one `warn` if the API
//! announces its version's end (`X-Tyk-Api-Expires`). Headers and bodies are never
//! logged, so no verbosity shows a secret.
//!
//! | module | owns |
//! |---|---|
//! | this file | the public surface: [`AuraClient`], [`ClientConfig`], [`RequestCounts`] |
//! | `operations` | one method per API operation, and [`AuraClient::fetch_project`] |
//! | `transport` | the request path: budget, retries, token refresh, the 429 pause |
//! | `exchange` | one HTTP exchange: the call, the capped answer, transport failures |
//! | `decode` | envelopes and error statuses as values or [`ApiError`]s, never a raw body |
//! | `url` | which base URLs are acceptable (https or loopback), safe path segments |
//!
//! The children extend [`AuraClient`] with `impl` blocks and read its private state;
//! this file uses only the two leaves (`url`, `exchange`), so no file imports back
//! the one that imports it.

mod decode;
mod exchange;
mod operations;
mod transport;
mod url;

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The decoder every answer goes through (`{"data": …}` envelopes are `Envelope<T>`):
/// a value, or what is wrong with the body, never the body. Public for the fuzz target.
pub use self::decode::decode as decode_body;
use self::exchange::build_http;
use self::url::normalise_base_url;
use super::auth::TokenCache;
use super::credentials::Credentials;
use super::error::ApiError;
use super::pacer::Pacer;
use super::retry::RetryPolicy;
use crate::units::Rate;

/// The largest response auraform accepts. The biggest real answer is a tenant's
/// `instance_configurations` (a flat cross-product of clouds × regions × tiers ×
/// sizes × versions); the emulator's `demo` project, which offers everything, is
/// 778 KB (measured by `response_cap_has_headroom`), so 8 MiB leaves ten times the
/// room for growth while stopping a runaway body.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// How to reach and use the API.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// `https://api.neo4j.io` (a trailing `/v1` is accepted); `http` only on loopback.
    pub base_url: String,
    pub credentials: Credentials,
    /// Request budget shared by every call (`--rate-limit`).
    pub rate: Rate,
    /// Whole-exchange timeout of one attempt.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Bigger responses are refused with [`ApiError::TooLarge`].
    pub max_response_bytes: usize,
    pub retry: RetryPolicy,
    /// Refresh the token this long before it expires (capped at half its lifetime).
    pub token_refresh_margin: Duration,
    pub user_agent: String,
}

impl ClientConfig {
    /// Defaults: 125/min, 30 s per attempt, 10 s to connect, 8 MiB, 60 s margin.
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Self {
        Self {
            base_url: base_url.into(),
            credentials,
            rate: Rate::per_minute(125),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            retry: RetryPolicy::default(),
            token_refresh_margin: Duration::from_secs(60),
            user_agent: format!("auraform/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Counts of what the client sent, for the benchmark and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestCounts {
    /// HTTP requests sent (every attempt, token requests included).
    pub requests: u64,
    /// Of which token requests.
    pub token_requests: u64,
    /// 429 answers received.
    pub rate_limited: u64,
    /// Attempts that were resends of a failed one.
    pub retries: u64,
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    token_requests: AtomicU64,
    rate_limited: AtomicU64,
    retries: AtomicU64,
}

/// The Aura API client. Cheap to clone; clones share the token and the budget.
#[derive(Clone, Debug)]
pub struct AuraClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    /// Origin plus any path prefix, without a trailing `/` and without `/v1`.
    base: String,
    credentials: Credentials,
    tokens: TokenCache,
    pacer: Pacer,
    retry: RetryPolicy,
    max_body: usize,
    request_timeout: Duration,
    counters: Counters,
    /// Whether the `X-Tyk-Api-Expires` deprecation warning was already shown.
    deprecation_warned: AtomicBool,
    /// The speed-up auraform's emulator announced (`f64` bits; 0: not an emulator).
    emulated_speed: AtomicU64,
}

impl AuraClient {
    /// Builds a client. Fails on a bad or insecure base URL; sends nothing.
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        let base = normalise_base_url(&config.base_url)?;
        let http = build_http(
            &config.user_agent,
            config.connect_timeout,
            config.request_timeout,
        )?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                credentials: config.credentials,
                tokens: TokenCache::new(config.token_refresh_margin),
                pacer: Pacer::new(config.rate),
                retry: config.retry,
                max_body: config.max_response_bytes,
                request_timeout: config.request_timeout,
                counters: Counters::default(),
                deprecation_warned: AtomicBool::new(false),
                emulated_speed: AtomicU64::new(0),
            }),
        })
    }

    /// Poll spacing over this client's request budget, for pollers whose own
    /// interval is `base`: the budget knows the rate, so the polls follow it.
    pub(crate) fn poll_pacing(&self, base: Duration) -> super::pacer::PollPacing<'_> {
        self.inner.pacer.polls(base)
    }

    /// The lifecycle speed-up announced by auraform's emulator in its answers so far
    /// (`None` against the real API, or before the first answer).
    pub fn emulated_speed(&self) -> Option<f64> {
        let bits = self.inner.emulated_speed.load(Ordering::Relaxed);
        (bits != 0).then(|| f64::from_bits(bits))
    }

    /// What the client has sent so far.
    pub fn counts(&self) -> RequestCounts {
        let c = &self.inner.counters;
        RequestCounts {
            requests: c.requests.load(Ordering::Relaxed),
            token_requests: c.token_requests.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
        }
    }
}
