//! The request path every operation goes through: token (`auth`) → budget (`pacer`)
//! → one HTTP exchange (`exchange`, with the size cap) → error mapping (`decode`) →
//! resend policy (`retry`). Owns the retry loop, the single token refresh after a
//! 401 or an expired-token 403, the ambiguous outcome of a create, and the 429
//! pause every caller shares.

use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::{Method, header};
use tokio::time::Instant;
use tracing::{debug, info};

use super::AuraClient;
use super::decode::{authentication_error, decode_token, response_error, token_status_error};
use super::exchange::{Call, NoAnswer, Raw, send};
use crate::api::auth::Token;
use crate::api::error::{ApiError, TransportKind, parse_error_body};
use crate::api::retry::Resend;
use crate::api::wire::TokenResponse;

impl AuraClient {
    async fn token(&self) -> Result<Token, ApiError> {
        self.inner.tokens.get(|| self.fetch_token()).await
    }

    /// `POST /oauth/token` with HTTP Basic credentials; resent like any idempotent
    /// call on 429/5xx/transport failures.
    async fn fetch_token(&self) -> Result<TokenResponse, ApiError> {
        let call = Call::with_body(
            Method::POST,
            "/oauth/token".to_owned(),
            b"grant_type=client_credentials".to_vec(),
            Resend::Always,
        );
        let started = Instant::now();
        let mut delays = self.inner.retry.delays();
        loop {
            self.inner
                .counters
                .token_requests
                .fetch_add(1, Ordering::Relaxed);
            let (err, retry_after) = match self.attempt(&call, None).await {
                // An unreadable token answer is as transient as a 5xx: ask again.
                Ok(raw) if (200..300).contains(&raw.status) => match decode_token(&call, &raw) {
                    Ok(token) => return Ok(token),
                    Err(err) => (err, None),
                },
                Ok(raw) if call.resend.after_status(raw.status) => {
                    self.note_rate_limit(&raw);
                    (token_status_error(&call, &raw), raw.retry_after)
                }
                Ok(raw) => return Err(authentication_error(&raw)),
                Err(NoAnswer::TooLarge) => return Err(self.too_large(&call)),
                Err(NoAnswer::Transport(kind, detail)) => (
                    ApiError::Transport {
                        method: "POST".to_owned(),
                        path: call.path.clone(),
                        url: self.inner.base.clone(),
                        kind,
                        detail,
                    },
                    None,
                ),
            };
            self.wait_before_retry(&call, &mut delays, started, retry_after, err, true)
                .await?;
        }
    }

    /// Sends `call` (with the bearer token) until it succeeds or may not be resent.
    pub(super) async fn execute(&self, call: &Call) -> Result<Raw, ApiError> {
        let started = Instant::now();
        let mut delays = self.inner.retry.delays();
        let mut refreshed = false;
        let mut rate_limited = 0u32;
        loop {
            let token = self.token().await?;
            let (err, retry_after) = match self.attempt(call, Some(&token)).await {
                Ok(raw) if (200..300).contains(&raw.status) => return Ok(raw),
                Ok(raw) => {
                    if !refreshed && is_auth_refusal(&raw) {
                        // The API refused the token before acting: refresh and resend once.
                        debug!(method = %call.method, path = %call.shown_path(), status = raw.status, "token refused; refreshing it and resending once");
                        refreshed = true;
                        self.inner.tokens.invalidate(token.generation).await;
                        continue;
                    }
                    self.note_rate_limit(&raw);
                    rate_limited += u32::from(raw.status == 429);
                    let err = response_error(call, &raw);
                    if !call.resend.after_status(raw.status) {
                        return Err(match (&call.create_name, raw.status) {
                            (Some(name), 500..=599) => ApiError::AmbiguousCreate {
                                name: name.clone(),
                                cause: ambiguous_status(&err, &raw),
                            },
                            _ => err,
                        });
                    }
                    (err, raw.retry_after)
                }
                Err(NoAnswer::TooLarge) => {
                    // A create answered with something far bigger than any real answer:
                    // the API may have acted, and what it made is unknown.
                    return Err(match &call.create_name {
                        Some(name) => ApiError::AmbiguousCreate {
                            name: name.clone(),
                            cause: format!(
                                "the answer was larger than the {} limit",
                                crate::api::error::size(self.inner.max_body)
                            ),
                        },
                        None => self.too_large(call),
                    });
                }
                Err(NoAnswer::Transport(kind, detail)) => {
                    if let Some(name) = &call.create_name
                        && kind != TransportKind::Connect
                    {
                        return Err(ApiError::AmbiguousCreate {
                            name: name.clone(),
                            cause: format!("{kind}: {detail}"),
                        });
                    }
                    let err = ApiError::Transport {
                        method: call.method.to_string(),
                        path: call.shown_path(),
                        url: self.inner.base.clone(),
                        kind,
                        detail,
                    };
                    if !call.resend.after_transport(kind) {
                        return Err(err);
                    }
                    (err, None)
                }
            };
            // A first 429 is resent as soon as the budget, just lowered to what the
            // server allows, permits (and `Retry-After` has passed); a repeated one
            // backs off as well.
            let backoff = rate_limited != 1 || !err.is_rate_limited();
            self.wait_before_retry(call, &mut delays, started, retry_after, err, backoff)
                .await?;
        }
    }

    /// [`Self::execute`], then `decode`; a success whose body does not decode is sent
    /// again like a 5xx when the call may be resent (a body damaged on its way is as
    /// transient as a gateway error), within the same attempts and deadline rules.
    pub(super) async fn execute_decoded<T>(
        &self,
        call: &Call,
        decode: impl Fn(&Call, &Raw) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let started = Instant::now();
        let mut delays = self.inner.retry.delays();
        loop {
            let raw = self.execute(call).await?;
            match decode(call, &raw) {
                Ok(value) => return Ok(value),
                Err(err) if call.resend == Resend::Always => {
                    self.wait_before_retry(call, &mut delays, started, None, err, true)
                        .await?;
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// Sleeps before the next attempt, or returns `err` when the attempts or the
    /// deadline are used up.
    async fn wait_before_retry(
        &self,
        call: &Call,
        delays: &mut (impl Iterator<Item = Duration> + Send),
        started: Instant,
        retry_after: Option<Duration>,
        err: ApiError,
        back_off: bool,
    ) -> Result<(), ApiError> {
        let Some(backoff) = delays.next() else {
            return Err(err);
        };
        let backoff = if back_off { backoff } else { Duration::ZERO };
        let delay = backoff.max(retry_after.unwrap_or_default());
        // `Retry-After` is the server's to choose: saturate, never overflow.
        if started.elapsed().saturating_add(delay) > self.inner.retry.deadline {
            return Err(err);
        }
        info!(
            method = %call.method,
            path = %call.shown_path(),
            delay_ms = delay.as_millis() as u64,
            error = %err,
            "retrying"
        );
        self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(delay).await;
        Ok(())
    }

    fn note_rate_limit(&self, raw: &Raw) {
        if raw.status == 429 {
            self.inner
                .counters
                .rate_limited
                .fetch_add(1, Ordering::Relaxed);
            // The budget was lowered when the permit was settled (`attempt`). A
            // `Retry-After` holds every caller back too, not only this one; but never
            // longer than the retry deadline, so an absurd one cannot freeze the client.
            let Some(pause) = raw.retry_after else {
                info!("rate limited by the API (429), no Retry-After");
                return;
            };
            let pause = pause.min(self.inner.retry.deadline);
            info!(
                pause_ms = pause.as_millis() as u64,
                "rate limited by the API (429); pausing every request"
            );
            self.inner.pacer.pause_for(pause);
        }
    }

    fn too_large(&self, call: &Call) -> ApiError {
        ApiError::TooLarge {
            method: call.method.to_string(),
            path: call.shown_path(),
            limit: self.inner.max_body,
        }
    }

    /// One HTTP exchange within the budget. The body is read (up to the cap) before
    /// the permit is given back, so the permit covers the whole exchange.
    async fn attempt(&self, call: &Call, bearer: Option<&Token>) -> Result<Raw, NoAnswer> {
        let inner = &self.inner;
        let url = format!("{}{}", inner.base, call.path);
        let mut request = inner.http.request(call.method.clone(), &url);
        if let Some((key, value)) = &call.query {
            request = request.query(&[(key, value)]);
        }
        request = match bearer {
            Some(token) => request.bearer_auth(token.value.expose()),
            None => request
                .basic_auth(
                    inner.credentials.client_id(),
                    Some(inner.credentials.client_secret()),
                )
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
        };
        if let Some(body) = &call.body {
            if bearer.is_some() {
                request = request.header(header::CONTENT_TYPE, "application/json");
            }
            request = request.body(body.clone());
        }
        request = request.header(header::ACCEPT, "application/json");

        let mut permit = inner.pacer.acquire(call.lane).await;
        inner.counters.requests.fetch_add(1, Ordering::Relaxed);
        let sent = Instant::now();
        let outcome = send(
            request,
            inner.max_body,
            &inner.deprecation_warned,
            &inner.emulated_speed,
        )
        .await;
        match &outcome {
            Ok(raw) if raw.status == 429 => {
                permit.rate_limited();
            }
            Ok(_) => permit.admitted(),
            Err(NoAnswer::Transport(TransportKind::Timeout, _)) => {
                permit.hold_longer(inner.request_timeout);
                drop(permit);
            }
            Err(_) => drop(permit),
        }
        log_exchange(call, &outcome, sent.elapsed().as_millis() as u64);
        outcome
    }
}

/// The one `debug` line per HTTP exchange: method, path, status or failure, request
/// id, duration. Never a header or a body.
fn log_exchange(call: &Call, outcome: &Result<Raw, NoAnswer>, elapsed_ms: u64) {
    match outcome {
        Ok(raw) => debug!(
            method = %call.method,
            path = %call.shown_path(),
            status = raw.status,
            request_id = %raw.request_id.as_deref().unwrap_or("-"),
            elapsed_ms,
            "aura api"
        ),
        Err(NoAnswer::Transport(kind, _)) => debug!(
            method = %call.method,
            path = %call.shown_path(),
            failure = %kind,
            elapsed_ms,
            "aura api"
        ),
        Err(NoAnswer::TooLarge) => debug!(
            method = %call.method,
            path = %call.shown_path(),
            failure = "response too large",
            elapsed_ms,
            "aura api"
        ),
    }
}

/// Why a create answered with a 5xx may or may not have happened, in words: the
/// status, what the answer said (an HTML page from a proxy, say), the request id.
fn ambiguous_status(err: &ApiError, raw: &Raw) -> String {
    let mut cause = format!("HTTP {}", raw.status);
    if let Some(message) = err.response().and_then(|r| r.message.as_deref()) {
        cause.push_str(": ");
        cause.push_str(message);
    }
    if let Some(id) = &raw.request_id {
        cause.push_str(", request id ");
        cause.push_str(id);
    }
    cause
}

/// A 401, or a 403 whose body speaks of the token or credentials (an expired
/// token gives 403, docs/aura-api.md §2); a bare 403 counts too, since a gateway
/// may say nothing. A 403 that names a permission problem is not retried.
pub(super) fn is_auth_refusal(raw: &Raw) -> bool {
    match raw.status {
        401 => true,
        403 => {
            let (reason, message, _) = parse_error_body(&raw.body);
            let text = format!(
                "{} {}",
                reason.unwrap_or_default(),
                message.unwrap_or_default()
            )
            .to_ascii_lowercase();
            text.trim().is_empty()
                || [
                    "expired",
                    "token",
                    "revoked",
                    "authori",
                    "authenti",
                    "credential",
                ]
                .iter()
                .any(|w| text.contains(w))
        }
        _ => false,
    }
}
