//! Tokens: cached, refreshed early, refreshed once after an expired-token 403, single
//! flight under concurrency, either `token_type` casing; bad credentials reported.

use std::fmt::Write as _;
use std::time::Duration;

use auraform::api::{ApiError, AuraClient, Credentials};
use auraform::emulator::EmulatorConfig;
use auraform::units::Rate;

use crate::support::client::{client_for, config_for, fast_emulator, spawn};
use crate::support::emulator::{by_route, by_status, stats};

const TOKEN_ROUTE: &str = "POST /oauth/token";

/// The token expires while calls wait for the budget: they were handed a token that
/// was valid, are sent after it expired, get the API's 403, refresh (single flight)
/// and resend once; every caller sees success.
#[tokio::test]
async fn token_expiry_mid_run_is_refreshed_after_403() {
    let emu = spawn(EmulatorConfig {
        token_ttl: Duration::from_secs(2),
        ..fast_emulator()
    })
    .await;
    let mut config = config_for(&emu);
    // 3 requests per second: ten calls queue for about three seconds, outliving the
    // 2-second token they were given.
    config.rate = Rate {
        count: 3,
        per: Duration::from_secs(1),
    };
    let client = AuraClient::new(config).unwrap();
    let calls = (0..10).map(|_| client.list_tenants());
    for r in futures::future::join_all(calls).await {
        assert_eq!(r.unwrap().len(), 2);
    }
    let s = stats(&emu).await;
    let refused = by_status(&s, "403");
    assert!(refused >= 1, "{s}");
    // Each refused call was resent exactly once, with a fresh token.
    assert_eq!(by_route(&s, "GET /v1/tenants"), 10 + refused, "{s}");
    assert_eq!(by_status(&s, "200"), 10 + by_route(&s, TOKEN_ROUTE), "{s}");
    assert_eq!(client.counts().rate_limited, 0);
    emu.shutdown().await;
}

/// With the default margin the token is renewed before it expires: no 403 at all.
#[tokio::test]
async fn token_is_refreshed_before_expiry() {
    let emu = spawn(EmulatorConfig {
        token_ttl: Duration::from_secs(2),
        token_type: "bearer".to_owned(), // the docs' casing
        ..fast_emulator()
    })
    .await;
    let client = client_for(&emu);
    for _ in 0..4 {
        client.list_tenants().await.unwrap();
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    let s = stats(&emu).await;
    assert_eq!(by_status(&s, "403"), 0, "{s}");
    assert!(by_route(&s, TOKEN_ROUTE) >= 2, "{s}");
    emu.shutdown().await;
}

/// Twenty concurrent first calls share one token request.
#[tokio::test]
async fn concurrent_callers_share_one_token_request() {
    let emu = spawn(fast_emulator()).await;
    let client = client_for(&emu);
    let calls = (0..20).map(|_| client.list_tenants());
    for r in futures::future::join_all(calls).await {
        r.unwrap();
    }
    let s = stats(&emu).await;
    assert_eq!(by_route(&s, TOKEN_ROUTE), 1, "{s}");
    assert_eq!(client.counts().requests, 21);
    emu.shutdown().await;
}

#[tokio::test]
async fn wrong_credentials_are_an_authentication_error_without_the_secret() {
    let emu = spawn(fast_emulator()).await;
    let mut config = config_for(&emu);
    config.credentials = Credentials::new("emulator", "wrong-secret-6c1f");
    let client = AuraClient::new(config).unwrap();
    let err = client.list_tenants().await.unwrap_err();
    assert!(
        matches!(err, ApiError::Authentication { status: 401, .. }),
        "{err:?}"
    );
    let mut shown = format!("{err} {err:?}");
    write!(shown, "{:?}", miette::Report::new(err)).unwrap();
    assert!(!shown.contains("wrong-secret-6c1f"), "{shown}");
    assert!(shown.contains("auraform::api::authentication"), "{shown}");
    // Not retried: a 401 from the token endpoint is final.
    assert_eq!(by_route(&stats(&emu).await, TOKEN_ROUTE), 1);
    emu.shutdown().await;
}

/// Credentials found in `./.env` work end to end.
#[tokio::test]
async fn credentials_from_dotenv_work() {
    let emu = spawn(fast_emulator()).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "# local\nAURA_CLIENT_ID=emulator\nAURA_CLIENT_SECRET=\"emulator-secret\"\n",
    )
    .unwrap();
    let credentials = Credentials::discover_in(dir.path(), |_| None, None).unwrap();
    assert!(matches!(
        credentials.source(),
        auraform::api::CredentialSource::DotEnv(_)
    ));
    let mut config = config_for(&emu);
    config.credentials = credentials;
    let client = AuraClient::new(config).unwrap();
    assert_eq!(client.list_tenants().await.unwrap().len(), 2);
    emu.shutdown().await;
}
