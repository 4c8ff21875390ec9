//! Injected faults reproducible by seed, latency, and the admin routes.

use std::time::{Duration, Instant};

use auraform::emulator::EmulatorConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::emulator::{Emu, fast, start};

/// The fault outcome of `n` sequential GETs: an injected status (429/5xx), 0 for a
/// dropped connection, 1 for a request that went through (whatever the handler said).
async fn outcomes(emu: &Emu, n: usize) -> Vec<u16> {
    // A fresh connection per request, so a dropped one does not affect the next.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut out = Vec::new();
    for _ in 0..n {
        let r = client
            .get(emu.url("/v1/tenants"))
            .bearer_auth(&emu.token)
            .header("connection", "close")
            .send()
            .await;
        out.push(match r {
            Ok(r) => {
                let status = r.status().as_u16();
                if status == 429 {
                    assert!(r.headers().contains_key("retry-after"));
                }
                match (r.bytes().await.is_ok(), status) {
                    (false, _) => 0,
                    (true, 429 | 500..) => status,
                    (true, _) => 1,
                }
            }
            Err(_) => 0,
        });
    }
    out
}

async fn set_faults(emu: &Emu, body: Value) -> Value {
    let r = emu
        .http
        .post(emu.url("/_emulator/faults"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn same_seed_same_faults() {
    let emu = start(fast()).await;
    set_faults(&emu, json!({"fault_rate": 0.5, "seed": 42})).await;
    let first = outcomes(&emu, 11).await;
    set_faults(&emu, json!({"seed": 42})).await;
    let second = outcomes(&emu, 11).await;
    assert_eq!(first, second);
    assert!(first.contains(&1));
    assert!(first.iter().any(|s| *s >= 500), "{first:?}");
    assert!(first.contains(&0), "some connections dropped: {first:?}");
    assert!(first.contains(&429), "{first:?}");
    // The same seed from the command line gives the same sequence too (the token is
    // unknown to this emulator, which does not matter: faults come before auth).
    let handle = auraform::emulator::spawn(EmulatorConfig {
        fault_rate: 0.5,
        seed: Some(42),
        ..fast()
    })
    .await
    .unwrap();
    let emu2 = Emu {
        handle,
        http: crate::support::emulator::http_client(),
        token: "unknown".to_owned(),
    };
    assert_eq!(outcomes(&emu2, 11).await, first);
    let stats: Value = emu
        .http
        .get(emu.url("/_emulator/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(stats["dropped"].as_u64().unwrap() > 0);
    emu.handle.shutdown().await;
    emu2.handle.shutdown().await;
}

#[tokio::test]
async fn new_instances_may_404_for_a_moment() {
    // Speed 10: the new instance stays invisible for 1.5 s, long enough to observe on a
    // loaded machine.
    let emu = start(EmulatorConfig {
        speed: 10.0,
        ..fast()
    })
    .await;
    // Every draw faults, so the new instance is hidden; then turn request faults off.
    set_faults(&emu, json!({"fault_rate": 1.0, "seed": 7})).await;
    // Only a "slow" fault lets the create through; every other one refuses or drops it.
    let body = emu.create_body("hidden", "professional-db", "2GB");
    let mut created = None;
    for _ in 0..200 {
        let sent = emu
            .http
            .post(emu.url("/v1/instances"))
            .bearer_auth(&emu.token)
            .json(&body)
            .send()
            .await;
        let Ok(r) = sent else { continue };
        if r.status() == StatusCode::ACCEPTED {
            let v: Value = r.json().await.unwrap();
            created = Some(v["data"]["id"].as_str().unwrap().to_owned());
            break;
        }
    }
    let id = created.expect("a create got through the faults");
    set_faults(&emu, json!({"fault_rate": 0.0})).await;
    let r = emu.get(&format!("/v1/instances/{id}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // It is listed, and becomes visible (15 s / 10 = 1.5 s), still creating.
    let list = emu.get("/v1/instances").await;
    assert!(
        list.data()
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id.as_str())
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = emu.get(&format!("/v1/instances/{id}")).await;
        if r.status == StatusCode::OK {
            assert_eq!(r.data()["status"], "creating");
            break;
        }
        assert!(Instant::now() < deadline, "never became visible");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn latency_is_added() {
    let emu = start(fast()).await;
    let settings = set_faults(&emu, json!({"latency_ms": 200})).await;
    assert_eq!(settings["latency_ms"], 200);
    let t = Instant::now();
    assert_eq!(emu.get("/v1/tenants").await.status, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(200));
    let bad = emu
        .http
        .post(emu.url("/_emulator/faults"))
        .json(&json!({"fault_rate": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn stats_count_api_responses_by_status_and_route() {
    let emu = start(fast()).await;
    emu.get("/v1/tenants").await;
    emu.get("/v1/instances/deadbeef").await;
    emu.get("/v1/instances/cafebabe").await;
    let admin = emu
        .http
        .get(emu.url("/_emulator/stats"))
        .send()
        .await
        .unwrap();
    assert!(admin.headers().contains_key("x-request-id"));
    let stats: Value = admin.json().await.unwrap();
    // token + 3 API calls; admin requests are not counted.
    assert_eq!(stats["requests"], 4);
    assert_eq!(stats["by_status"]["200"], 2);
    assert_eq!(stats["by_status"]["404"], 2);
    assert_eq!(stats["by_route"]["GET /v1/instances/{id}"], 2);
    assert_eq!(stats["by_route"]["POST /oauth/token"], 1);
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn forced_status() {
    let emu = start(fast()).await;
    let id = emu.running("f", "professional-db", "2GB").await;
    let r = emu
        .http
        .post(emu.url(&format!("/_emulator/instances/{id}/status")))
        .json(&json!({"status": "suspended"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        emu.get(&format!("/v1/instances/{id}")).await.data()["status"],
        "suspended"
    );
    // Any status, even one the API does not document.
    let r = emu
        .http
        .post(emu.url(&format!("/_emulator/instances/{id}/status")))
        .json(&json!({"status": "loading failed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = emu
        .http
        .post(emu.url("/_emulator/instances/deadbeef/status"))
        .json(&json!({"status": "running"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = emu
        .http
        .post(emu.url(&format!("/_emulator/instances/{id}/status")))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    emu.handle.shutdown().await;
}

/// What one GET answered, byte for byte: status, content type, body (or `None` when
/// the body broke off).
async fn answer(emu: &Emu, path: &str) -> (u16, String, Option<Vec<u8>>) {
    let r = emu
        .http
        .get(emu.url(path))
        .bearer_auth(&emu.token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, r.bytes().await.ok().map(|b| b.to_vec()))
}

/// The hostile kinds are chosen by name and by route, replay by seed, and damage the
/// answer the handler gave: truncated, a proxy's HTML 502, the wrong shape, an empty
/// 200, 16 MiB, a stall that ends in a closed connection.
#[tokio::test]
async fn hostile_kinds_by_name_and_route_reproducible_by_seed() {
    let emu = start(fast()).await;
    let settings = set_faults(
        &emu,
        json!({"fault_rate": 1.0, "kinds": ["truncated", "html", "wrong-shape", "empty"],
               "routes": ["GET /v1/tenants"], "seed": 4}),
    )
    .await;
    assert_eq!(
        settings["kinds"],
        json!(["truncated", "html", "wrong-shape", "empty"])
    );
    assert_eq!(settings["routes"], json!(["GET /v1/tenants"]));
    let real: Value = serde_json::from_slice(
        &answer(&emu, &format!("/v1/tenants/{}", emu.demo()))
            .await
            .2
            .unwrap(),
    )
    .unwrap();
    assert!(real["data"]["id"].is_string(), "other routes are untouched");
    let run = || async {
        let mut seen = Vec::new();
        for _ in 0..12 {
            seen.push(answer(&emu, "/v1/tenants").await);
        }
        seen
    };
    let first = run().await;
    set_faults(&emu, json!({"seed": 4})).await;
    assert_eq!(run().await, first);
    let parses = |b: &Option<Vec<u8>>| {
        b.as_ref()
            .and_then(|b| serde_json::from_slice::<Value>(b).ok())
    };
    let mut kinds = std::collections::BTreeSet::new();
    for (status, content_type, body) in &first {
        let kind = match (status, content_type.as_str(), parses(body)) {
            (502, "text/html", _) => "html",
            (200, _, None) if body.as_deref() == Some(b"") => "empty",
            (200, _, None) => "truncated",
            (200, _, Some(v)) if !v["data"].is_array() => "wrong-shape",
            other => panic!("an answer that is not damaged: {other:?}"),
        };
        kinds.insert(kind);
    }
    assert_eq!(kinds.len(), 4, "{kinds:?}");

    set_faults(&emu, json!({"kinds": ["huge"]})).await;
    let (status, _, body) = answer(&emu, "/v1/tenants").await;
    assert_eq!(status, 200);
    let body = body.unwrap();
    assert!(body.len() >= 16 * 1024 * 1024, "{}", body.len());
    assert!(serde_json::from_slice::<Value>(&body).unwrap()["data"].is_array());

    set_faults(&emu, json!({"kinds": ["stall"], "stall_ms": 300})).await;
    let started = Instant::now();
    let (status, _, body) = answer(&emu, "/v1/tenants").await;
    assert_eq!(status, 200);
    assert!(body.is_none(), "the body never completes");
    assert!(started.elapsed() >= Duration::from_millis(300));

    // Bad settings name the field; "all" and null work.
    let r = emu
        .http
        .post(emu.url("/_emulator/faults"))
        .json(&json!({"kinds": ["truncated", "nope"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "kinds");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`nope`")
    );
    let all = set_faults(&emu, json!({"kinds": "all", "routes": null})).await;
    assert_eq!(all["kinds"].as_array().unwrap().len(), 14);
    assert_eq!(all["routes"], json!([]));
    let defaults = set_faults(&emu, json!({"kinds": null})).await;
    assert_eq!(
        defaults["kinds"],
        json!([
            "500",
            "502",
            "503",
            "504",
            "429",
            "slow",
            "drop",
            "not-visible"
        ])
    );
    emu.handle.shutdown().await;
}
