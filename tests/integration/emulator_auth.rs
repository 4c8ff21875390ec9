//! The gateway: tokens (401 vs 403), 415, the per-client rate limit (429 + Retry-After).

use std::time::Duration;

use auraform::api::wire::TokenResponse;
use auraform::emulator::EmulatorConfig;
use auraform::units::Rate;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::emulator::{fast, into_resp, start};

#[tokio::test]
async fn token_endpoint() {
    let emu = start(fast()).await;
    let url = emu.url("/oauth/token");
    let ok = emu
        .http
        .post(&url)
        .basic_auth("emulator", Some("emulator-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.headers().contains_key("x-request-id"));
    let t: TokenResponse = ok.json().await.unwrap();
    assert_eq!(t.expires_in, 3600);
    assert_eq!(t.token_type, "Bearer");

    let bad = emu
        .http
        .post(&url)
        .basic_auth("emulator", Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let no_grant = emu
        .http
        .post(&url)
        .basic_auth("emulator", Some("emulator-secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_grant.status(), StatusCode::BAD_REQUEST);
    // RFC 6749 form credentials work too.
    let form = emu
        .http
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "emulator"),
            ("client_secret", "emulator-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn missing_malformed_and_unknown_bearer_are_401() {
    let emu = start(fast()).await;
    let url = emu.url("/v1/tenants");
    let none = into_resp(emu.http.get(&url).send().await.unwrap()).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert!(none.headers.contains_key("x-request-id"));
    assert!(none.body["errors"][0]["message"].is_string());
    let basic = emu
        .http
        .get(&url)
        .basic_auth("emulator", Some("emulator-secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    let unknown = emu.http.get(&url).bearer_auth("nope").send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn expired_token_is_403_and_a_new_token_works() {
    let emu = start(EmulatorConfig {
        token_ttl: Duration::from_secs(1),
        ..fast()
    })
    .await;
    assert_eq!(emu.get("/v1/tenants").await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = emu.get("/v1/tenants").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    let fresh = emu.fresh_token().await;
    let r = emu
        .http
        .get(emu.url("/v1/tenants"))
        .bearer_auth(fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn post_and_patch_need_json_content_type() {
    let emu = start(fast()).await;
    let id = emu.running("ct", "professional-db", "2GB").await;
    for (method, path) in [
        (reqwest::Method::POST, "/v1/instances".to_owned()),
        (reqwest::Method::POST, format!("/v1/instances/{id}/pause")),
        (reqwest::Method::PATCH, format!("/v1/instances/{id}")),
    ] {
        let r = emu
            .http
            .request(method.clone(), emu.url(&path))
            .bearer_auth(&emu.token)
            .header("content-type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{method} {path}"
        );
        let none = emu
            .http
            .request(method.clone(), emu.url(&path))
            .bearer_auth(&emu.token)
            .send()
            .await
            .unwrap();
        assert_eq!(none.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    // With a charset parameter it is still JSON.
    let r = emu
        .http
        .patch(emu.url(&format!("/v1/instances/{id}")))
        .bearer_auth(&emu.token)
        .header("content-type", "application/json; charset=utf-8")
        .body(json!({"name": "ct2"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn rate_limit_is_a_sliding_window_per_client() {
    let emu = start(EmulatorConfig {
        rate_limit: Rate {
            count: 5,
            per: Duration::from_secs(2),
        },
        ..fast()
    })
    .await;
    // The token request of `start` counted: 4 more fit in the window.
    for _ in 0..4 {
        assert_eq!(emu.get("/v1/tenants").await.status, StatusCode::OK);
    }
    let limited = emu.get("/v1/tenants").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    // Refused requests do not consume budget: after the window, 5 fit again.
    for _ in 0..3 {
        assert_eq!(
            emu.get("/v1/tenants").await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    tokio::time::sleep(Duration::from_millis(2050)).await;
    for _ in 0..5 {
        assert_eq!(emu.get("/v1/tenants").await.status, StatusCode::OK);
    }
    assert_eq!(
        emu.get("/v1/tenants").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Token requests count too, and are limited the same way.
    let token = emu
        .http
        .post(emu.url("/oauth/token"))
        .basic_auth("emulator", Some("emulator-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::TOO_MANY_REQUESTS);
    // …whichever way the client id is presented.
    let form = emu
        .http
        .post(emu.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "emulator"),
            ("client_secret", "emulator-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::TOO_MANY_REQUESTS);
    let stats = emu
        .http
        .get(emu.url("/_emulator/stats"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        stats.status(),
        StatusCode::OK,
        "admin routes are not limited"
    );
    emu.handle.shutdown().await;
}
