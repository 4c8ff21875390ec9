//! OAuth client-credentials tokens: `POST /oauth/token` mints them, every API request
//! presents one as `Authorization: Bearer …`.
//!
//! The rules are the API's (docs/aura-api.md §2): HTTP Basic `client_id:client_secret`
//! and a form body `grant_type=client_credentials`; 401 for bad credentials or a missing/malformed/
//! unknown bearer; **403 for an expired token**. Tokens live in memory only and expire in
//! real time (`--token-ttl`), whatever `--speed` is; after a restart every old token is
//! unknown (401), which a client handles like a revoked token: fetch a new one.
//!
//! Tokens are opaque random strings from the OS RNG, never from `--seed`: they are
//! credentials, and reproducible runs do not need reproducible tokens.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine as _;
use rand::RngExt;
use tokio::time::Instant;

use super::errors::Rejection;

/// Who presented a bearer token, and whether it is still valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Bearer {
    /// No `Authorization` header, or not `Bearer <token>`.
    Missing,
    /// A well-formed bearer the emulator never issued (or issued before a restart).
    Unknown,
    /// Issued to this client id, and expired.
    Expired(String),
    /// Issued to this client id, and valid.
    Valid(String),
}

impl Bearer {
    /// The client id the request can be attributed to (for the rate limiter).
    pub(crate) fn client_id(&self) -> Option<&str> {
        match self {
            Bearer::Expired(id) | Bearer::Valid(id) => Some(id),
            Bearer::Missing | Bearer::Unknown => None,
        }
    }

    /// The refusal for anything but a valid token.
    pub(crate) fn check(&self) -> Result<(), Rejection> {
        match self {
            Bearer::Valid(_) => Ok(()),
            Bearer::Missing => Err(Rejection::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authorization header missing or not of the form `Bearer <token>`",
            )),
            Bearer::Unknown => Err(Rejection::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "The access token is not valid; request a new one from /oauth/token",
            )),
            Bearer::Expired(_) => Err(Rejection::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "The access token has expired; request a new one from /oauth/token",
            )),
        }
    }
}

/// Issued tokens and the one credential pair the emulator accepts.
pub(crate) struct Tokens {
    client_id: String,
    client_secret: String,
    ttl: Duration,
    issued: HashMap<String, (String, Instant)>,
}

/// Client credentials as presented to the token endpoint.
pub(crate) struct Presented {
    pub client_id: String,
    pub client_secret: String,
}

impl Tokens {
    pub(crate) fn new(client_id: String, client_secret: String, ttl: Duration) -> Self {
        Self {
            client_id,
            client_secret,
            ttl,
            issued: HashMap::new(),
        }
    }

    pub(crate) fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Mints a token if the credentials match.
    pub(crate) fn issue(&mut self, presented: &Presented, now: Instant) -> Option<String> {
        if presented.client_id != self.client_id || presented.client_secret != self.client_secret {
            return None;
        }
        // Forget long-expired tokens so the map cannot grow without bound; keep recently
        // expired ones for a while so they still get the 403 a client must handle.
        let grace = self.ttl.max(Duration::from_secs(60));
        self.issued.retain(|_, (_, exp)| *exp + grace > now);
        let bytes: [u8; 32] = rand::rng().random();
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        self.issued
            .insert(token.clone(), (presented.client_id.clone(), now + self.ttl));
        Some(token)
    }

    /// Classifies the request's bearer token.
    pub(crate) fn bearer(&self, headers: &HeaderMap, now: Instant) -> Bearer {
        let Some(value) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return Bearer::Missing;
        };
        let Some((scheme, token)) = value.trim().split_once(' ') else {
            return Bearer::Missing;
        };
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Bearer::Missing;
        }
        match self.issued.get(token) {
            None => Bearer::Unknown,
            Some((id, exp)) if *exp <= now => Bearer::Expired(id.clone()),
            Some((id, _)) => Bearer::Valid(id.clone()),
        }
    }
}

/// Reads HTTP Basic credentials (`Authorization: Basic base64(id:secret)`).
pub(crate) fn basic(headers: &HeaderMap) -> Option<Presented> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some(Presented {
        client_id: id.to_owned(),
        client_secret: secret.to_owned(),
    })
}
