//! The access token: fetched with the client credentials, cached, refreshed before
//! it expires, and refreshed at most once per stale token however many requests
//! notice at the same time (single flight).
//!
//! Policy (docs/aura-api.md §2): refresh `margin` (60 s) before `expires_in` runs out,
//! the margin shrinking to half the lifetime for very short-lived tokens; after a
//! 401, or a 403 that looks like an expired token, the request path calls
//! [`TokenCache::invalidate`] and resends once with a fresh token.

use std::future::Future;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::error::ApiError;
use super::wire::{TokenResponse, WireSecret};

/// The longest token lifetime believed: a day.
const MAX_TOKEN_LIFETIME_SECS: u64 = 24 * 3600;

/// A token and the cache generation it belongs to.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub(crate) value: WireSecret,
    pub(crate) generation: u64,
}

#[derive(Debug)]
struct Cached {
    token: Token,
    refresh_at: Instant,
}

#[derive(Debug)]
struct State {
    current: Option<Cached>,
    generation: u64,
}

/// The client's token cache.
#[derive(Debug)]
pub(crate) struct TokenCache {
    state: Mutex<State>,
    margin: Duration,
}

impl TokenCache {
    pub(crate) fn new(margin: Duration) -> Self {
        Self {
            state: Mutex::new(State {
                current: None,
                generation: 0,
            }),
            margin,
        }
    }

    /// A valid token: the cached one, or a new one from `fetch`. The lock is held
    /// while fetching, so concurrent callers wait for that one request instead of
    /// sending their own.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<Token, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<TokenResponse, ApiError>>,
    {
        let mut state = self.state.lock().await;
        if let Some(cached) = &state.current
            && Instant::now() < cached.refresh_at
        {
            return Ok(cached.token.clone());
        }
        let fetched_at = Instant::now();
        let response = fetch().await?;
        if !response.token_type.is_empty() && !response.token_type.eq_ignore_ascii_case("bearer") {
            return Err(ApiError::Decode {
                method: "POST".to_owned(),
                path: "/oauth/token".to_owned(),
                detail: format!(
                    "token_type `{}` is not a bearer token",
                    response
                        .token_type
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(40)
                        .collect::<String>()
                ),
            });
        }
        // The server's number: a day at most, so no `expires_in` can overflow the clock
        // (a longer-lived token is simply refreshed daily).
        let lifetime = Duration::from_secs(response.expires_in.min(MAX_TOKEN_LIFETIME_SECS));
        let margin = self.margin.min(lifetime / 2);
        state.generation += 1;
        let token = Token {
            value: response.access_token,
            generation: state.generation,
        };
        state.current = Some(Cached {
            token: token.clone(),
            refresh_at: fetched_at + lifetime.saturating_sub(margin),
        });
        Ok(token)
    }

    /// Forgets the token of `generation` (the one a request was refused with). A
    /// newer token fetched meanwhile by another caller is kept.
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut state = self.state.lock().await;
        if state
            .current
            .as_ref()
            .is_some_and(|c| c.token.generation == generation)
        {
            state.current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn response(token: &str, expires_in: u64, token_type: &str) -> TokenResponse {
        TokenResponse {
            access_token: WireSecret::new(token),
            expires_in,
            token_type: token_type.to_owned(),
        }
    }

    #[tokio::test]
    async fn single_flight_under_concurrency() {
        let cache = Arc::new(TokenCache::new(Duration::from_secs(60)));
        let fetches = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let cache = Arc::clone(&cache);
            let fetches = Arc::clone(&fetches);
            tasks.push(tokio::spawn(async move {
                cache
                    .get(|| async move {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(response("t1", 3600, "Bearer"))
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().value.expose(), "t1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn invalidate_only_the_stale_generation() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let t1 = cache
            .get(|| async { Ok(response("t1", 3600, "bearer")) })
            .await
            .unwrap();
        cache.invalidate(t1.generation).await;
        let t2 = cache
            .get(|| async { Ok(response("t2", 3600, "BEARER")) })
            .await
            .unwrap();
        assert_eq!(t2.value.expose(), "t2");
        // A late invalidation for t1 must not throw t2 away.
        cache.invalidate(t1.generation).await;
        let again = cache
            .get(|| async { Ok(response("t3", 3600, "")) })
            .await
            .unwrap();
        assert_eq!(again.value.expose(), "t2");
    }

    #[tokio::test]
    async fn refreshes_early_and_rejects_other_token_types() {
        // 2 s lifetime: the 60 s margin shrinks to 1 s, so the token is reused
        // for about a second and then refreshed.
        let cache = TokenCache::new(Duration::from_secs(60));
        let t1 = cache
            .get(|| async { Ok(response("t1", 2, "bearer")) })
            .await
            .unwrap();
        let same = cache
            .get(|| async { Ok(response("x", 2, "bearer")) })
            .await
            .unwrap();
        assert_eq!(same.generation, t1.generation);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let t2 = cache
            .get(|| async { Ok(response("t2", 2, "bearer")) })
            .await
            .unwrap();
        assert_eq!(t2.value.expose(), "t2");

        let fresh = TokenCache::new(Duration::from_secs(60));
        let err = fresh
            .get(|| async { Ok(response("t", 3600, "mac")) })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("mac"));
    }

    /// A server's `expires_in` of u64::MAX once would have overflowed the clock.
    #[tokio::test]
    async fn an_absurd_token_lifetime_does_not_overflow() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let t = cache
            .get(|| async { Ok(response("t1", u64::MAX, "bearer")) })
            .await
            .unwrap();
        assert_eq!(t.value.expose(), "t1");
        let same = cache
            .get(|| async { Ok(response("x", 1, "bearer")) })
            .await
            .unwrap();
        assert_eq!(same.generation, t.generation);
    }
}
