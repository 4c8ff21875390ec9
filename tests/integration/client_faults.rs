//! A bad day at the API: 429 with Retry-After, injected 5xx and dropped connections,
//! 409 while busy. Reads recover; a create is never sent twice.

use std::time::{Duration, Instant};

use auraform::api::{ApiError, AuraClient};
use auraform::emulator::EmulatorConfig;
use auraform::units::Rate;
use miette::Diagnostic;
use serde_json::json;

use crate::support::client::{client_for, config_for, create_request, fast_emulator, spawn};
use crate::support::emulator::{by_route, by_status, project_id, set_faults, stats};

/// A client whose budget is wrong for the server (or that shares its credential)
/// draws 429s; it waits as `Retry-After` says and every call still succeeds.
#[tokio::test]
async fn rate_limited_calls_wait_for_retry_after() {
    let emu = spawn(EmulatorConfig {
        rate_limit: Rate {
            count: 5,
            per: Duration::from_secs(1),
        },
        ..fast_emulator()
    })
    .await;
    let client = client_for(&emu); // believes it may send 100 000/min
    let started = Instant::now();
    let calls = (0..12).map(|_| client.list_tenants());
    for r in futures::future::join_all(calls).await {
        r.unwrap();
    }
    let s = stats(&emu).await;
    assert!(by_status(&s, "429") >= 1, "{s}");
    assert_eq!(client.counts().rate_limited, by_status(&s, "429"));
    // 13 requests at 5/s: at least two more windows after the first burst.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    emu.shutdown().await;
}

/// With the client's budget set to the server's, the same load draws no 429.
#[tokio::test]
async fn paced_calls_draw_no_429() {
    let rate = Rate {
        count: 5,
        per: Duration::from_secs(1),
    };
    let emu = spawn(EmulatorConfig {
        rate_limit: rate,
        ..fast_emulator()
    })
    .await;
    let mut config = config_for(&emu);
    config.rate = rate;
    let client = AuraClient::new(config).unwrap();
    let calls = (0..12).map(|_| client.list_tenants());
    for r in futures::future::join_all(calls).await {
        r.unwrap();
    }
    let s = stats(&emu).await;
    assert_eq!(by_status(&s, "429"), 0, "{s}");
    emu.shutdown().await;
}

/// Injected 500/502/503/504, 429, slow answers and dropped connections: every read
/// succeeds in the end.
#[tokio::test]
async fn reads_survive_injected_faults() {
    let emu = spawn(fast_emulator()).await;
    let client = client_for(&emu);
    let tenant_id = project_id(&emu, "demo");
    let created = client
        .create_instance(&create_request(&tenant_id, "steady"))
        .await
        .unwrap();
    set_faults(&emu, json!({"fault_rate": 0.4, "seed": 7})).await;
    for _ in 0..15 {
        client.list_instances(&tenant_id).await.unwrap();
        // A just-created instance may 404 for a moment (an injected fault too).
        let _ = client.get_instance(&created.id).await.unwrap();
        client.get_tenant(&tenant_id).await.unwrap();
    }
    let s = stats(&emu).await;
    let server_errors: u64 = ["500", "502", "503", "504"]
        .iter()
        .map(|c| by_status(&s, c))
        .sum();
    assert!(server_errors > 0, "{s}");
    assert!(s["dropped"].as_u64().unwrap_or(0) > 0, "{s}");
    assert!(client.counts().retries > 0);
    emu.shutdown().await;
}

/// Under faults a create is sent again only after an answer that proves the API did
/// not act on it (a 429); an injected 5xx or a dropped connection gives an
/// ambiguous-outcome error, never a resend.
#[tokio::test]
async fn create_is_resent_only_after_a_429_and_otherwise_ambiguous() {
    let emu = spawn(fast_emulator()).await;
    let client = client_for(&emu);
    let tenant_id = project_id(&emu, "demo");
    client.list_tenants().await.unwrap(); // token cached before the faults start
    set_faults(&emu, json!({"fault_rate": 1.0, "seed": 11})).await;

    let (mut ambiguous, mut rate_limited, mut other) = (0, 0, 0);
    let attempts = 14;
    for i in 0..attempts {
        match client
            .create_instance(&create_request(&tenant_id, &format!("maybe-{i}")))
            .await
        {
            Err(e @ ApiError::AmbiguousCreate { .. }) => {
                assert!(e.is_ambiguous());
                assert_eq!(
                    e.code().unwrap().to_string(),
                    "auraform::api::ambiguous_create"
                );
                assert!(e.help().unwrap().to_string().contains("did not resend"));
                ambiguous += 1;
            }
            Err(e) => {
                // 429 on every attempt: definitely not created, reported as such.
                assert!(e.is_rate_limited(), "{e:?}");
                rate_limited += 1;
            }
            Ok(_) => other += 1, // an injected slow answer still succeeds
        }
    }
    set_faults(&emu, json!({"fault_rate": 0.0})).await;
    let s = stats(&emu).await;
    let sent = by_route(&s, "POST /v1/instances") + s["dropped"].as_u64().unwrap_or(0);
    let answered_429 = by_status(&s, "429");
    // Every attempt that was not refused with 429 may have been acted on: exactly
    // one per create that did not end in a 429.
    assert_eq!(
        sent - answered_429,
        attempts - rate_limited,
        "{ambiguous} ambiguous, {rate_limited} rate limited, {other} other: {s}"
    );
    assert!(answered_429 > 0, "the seed draws a 429: {s}");
    assert!(ambiguous > 0, "{ambiguous} ambiguous, {other} other");
    emu.shutdown().await;
}

/// An operation on a busy instance is a recognisable `Busy` error, not retried.
#[tokio::test]
async fn busy_instance_gives_busy_error() {
    let emu = spawn(EmulatorConfig {
        speed: 1.0, // a create takes ~2 minutes: plenty of time to be busy
        ..fast_emulator()
    })
    .await;
    let client = client_for(&emu);
    let tenant_id = project_id(&emu, "demo");
    let created = client
        .create_instance(&create_request(&tenant_id, "busy"))
        .await
        .unwrap();
    let err = client.pause_instance(&created.id).await.unwrap_err();
    assert!(err.is_busy(), "{err:?}");
    assert_eq!(err.status(), Some(409));
    assert_eq!(err.code().unwrap().to_string(), "auraform::api::busy");
    assert!(
        err.to_string().contains("ongoing-database-operation"),
        "{err}"
    );
    let s = stats(&emu).await;
    assert_eq!(by_route(&s, "POST /v1/instances/{id}/pause"), 1, "{s}");
    emu.shutdown().await;
}

/// A create that times out is ambiguous: the client cannot know whether the API
/// acted (the emulator abandons a request whose client went away; the live API may
/// not), so it never resends and the list shows at most one. A read that times out
/// is retried until its attempts run out and then reported as a timeout.
#[tokio::test]
async fn timeouts_make_a_create_ambiguous_and_reads_report_a_timeout() {
    let emu = spawn(fast_emulator()).await;
    let mut config = config_for(&emu);
    config.request_timeout = Duration::from_millis(300);
    config.retry.max_attempts = 3;
    let client = AuraClient::new(config).unwrap();
    let tenant_id = project_id(&emu, "demo");
    client.list_tenants().await.unwrap(); // token cached
    set_faults(&emu, json!({"latency_ms": 800})).await;

    let sent_before = client.counts().requests;
    let err = client
        .create_instance(&create_request(&tenant_id, "slow-create"))
        .await
        .unwrap_err();
    assert!(err.is_ambiguous(), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert_eq!(client.counts().requests - sent_before, 1, "sent once");

    let err = client.list_tenants().await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Transport {
                kind: auraform::api::TransportKind::Timeout,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code().unwrap().to_string(), "auraform::api::timeout");

    set_faults(&emu, json!({"latency_ms": 0})).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let listed = client.list_instances(&tenant_id).await.unwrap();
    assert!(listed.iter().filter(|i| i.name == "slow-create").count() <= 1);
    let s = stats(&emu).await;
    assert!(by_route(&s, "POST /v1/instances") <= 1, "{s}");
    emu.shutdown().await;
}

/// A body over the cap is refused with a clear error, not read to the end.
#[tokio::test]
async fn oversized_response_is_refused() {
    let emu = spawn(fast_emulator()).await;
    let mut config = config_for(&emu);
    config.max_response_bytes = 64 * 1024; // the demo project is ~778 KB
    let client = AuraClient::new(config).unwrap();
    let err = client.resolve_project("demo").await.unwrap_err();
    assert!(
        matches!(err, ApiError::TooLarge { limit: 65_536, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.code().unwrap().to_string(),
        "auraform::api::response_too_large"
    );
    emu.shutdown().await;
}
