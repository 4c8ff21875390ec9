//! Pacing against a server that allows N requests in any window W (the emulator's
//! sliding log): a live snapshot of 40 instances draws no 429, and the ignored
//! `pacing_figures` prints wall time against the floor the budget allows.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use std::path::Path;
use std::time::{Duration, Instant};

use auraform::api::{AuraClient, ClientConfig};
use auraform::emulator::{EmulatorConfig, EmulatorHandle};
use auraform::units::Rate;

use crate::support::client::{config_for, create_request, fast_emulator, spawn};
use crate::support::emulator::{by_status, project_id, stats};

const INSTANCES: usize = 40;

/// Seeds `INSTANCES` instances into the state file with an unlimited emulator, so
/// that the measured emulator starts with a fresh budget.
async fn seed_state(state: &Path) {
    let emu = spawn(EmulatorConfig {
        state_file: Some(state.to_owned()),
        ..fast_emulator()
    })
    .await;
    let client = AuraClient::new(config_for(&emu)).unwrap();
    let tenant_id = project_id(&emu, "demo");
    let creates = (0..INSTANCES).map(|i| {
        let request = create_request(&tenant_id, &format!("db-{i:02}"));
        let client = client.clone();
        async move { client.create_instance(&request).await.unwrap() }
    });
    futures::future::join_all(creates).await;
    emu.shutdown().await;
}

async fn limited(state: &Path, rate: Rate) -> (EmulatorHandle, AuraClient) {
    let emu = spawn(EmulatorConfig {
        state_file: Some(state.to_owned()),
        rate_limit: rate,
        ..fast_emulator()
    })
    .await;
    let mut config: ClientConfig = config_for(&emu);
    config.rate = rate;
    let client = AuraClient::new(config).unwrap();
    (emu, client)
}

#[tokio::test]
async fn snapshot_of_40_instances_at_60_per_minute_draws_no_429() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("world.json");
    seed_state(&state).await;
    let (emu, client) = limited(&state, Rate::per_minute(60)).await;
    let snap = client.fetch_project("demo", |_| true).await.unwrap();
    assert_eq!(snap.instances.len(), INSTANCES);
    let s = stats(&emu).await;
    assert_eq!(by_status(&s, "429"), 0, "{s}");
    assert_eq!(client.counts().rate_limited, 0);
    // token + tenants + tenant + list + 40 GETs
    assert_eq!(client.counts().requests, 4 + INSTANCES as u64);
    emu.shutdown().await;
}

fn row(label: &str, requests: u64, r429: u64, wall: Duration, floor: Duration) {
    let ratio = if floor.is_zero() {
        "n/a".to_owned()
    } else {
        format!("{:.3}", wall.as_secs_f64() / floor.as_secs_f64())
    };
    println!(
        "| {label} | {requests} | {r429} | {:.3} s | {:.3} s | {ratio} |",
        wall.as_secs_f64(),
        floor.as_secs_f64()
    );
}

/// `cargo nextest run --run-ignored only pacing_figures --no-capture`
#[tokio::test]
#[ignore = "measurement: takes about two minutes and prints figures"]
async fn pacing_figures() {
    println!("| scenario | requests | 429s | wall | floor | wall/floor |");
    println!("|---|---|---|---|---|---|");
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("world.json");
    seed_state(&state).await;

    // A: fresh 60/min budget. 44 requests <= 60 fit in one burst: the budget imposes
    // no wait (floor 0); what remains is the dependency chain (token -> tenants ->
    // tenant -> list -> GETs), five round trips.
    {
        let (emu, client) = limited(&state, Rate::per_minute(60)).await;
        let t = Instant::now();
        let snap = client.fetch_project("demo", |_| true).await.unwrap();
        let wall = t.elapsed();
        assert_eq!(snap.instances.len(), INSTANCES);
        let s = stats(&emu).await;
        row(
            "A: 40 instances, fresh 60/min",
            client.counts().requests,
            by_status(&s, "429"),
            wall,
            Duration::ZERO,
        );
        emu.shutdown().await;
    }

    // B: the same client first seeds 40 more instances (token + 40 creates = 41
    // requests, sent from T0), then snapshots those 40 by project id (tenant + list
    // + 40 GETs = 42 requests): 83 in all, 60 allowed per minute. On a sliding-window
    // server request k is counted at least W after request k - N, so request k cannot
    // be sent before T0 + floor((k - 1) / N) * W: the last one not before T0 + W.
    {
        let rate = Rate::per_minute(60);
        let (emu, client) = limited(&state, rate).await;
        let tenant_id = project_id(&emu, "demo");
        let t0 = Instant::now();
        let creates = (0..INSTANCES).map(|i| {
            let request = create_request(&tenant_id, &format!("more-{i:02}"));
            let client = client.clone();
            async move { client.create_instance(&request).await.unwrap() }
        });
        futures::future::join_all(creates).await;
        let t1 = Instant::now();
        let seeded = client.counts().requests;
        let start = Instant::now();
        let snap = client
            .fetch_project(&tenant_id, |s| s.name.starts_with("more-"))
            .await
            .unwrap();
        let wall = start.elapsed();
        let total = client.counts().requests;
        assert_eq!(snap.instances.len(), INSTANCES);
        let floor_at = t0 + rate.per * ((total - 1) / u64::from(rate.count)) as u32;
        let floor = floor_at.saturating_duration_since(start);
        let s = stats(&emu).await;
        row(
            "B: 40 instances right after 41 seeding requests, 60/min",
            total - seeded,
            by_status(&s, "429"),
            wall,
            floor,
        );
        println!(
            "   (seeding: {seeded} requests in {:.3} s; snapshot started {:.3} s after T0)",
            (t1 - t0).as_secs_f64(),
            (start - t0).as_secs_f64()
        );
        emu.shutdown().await;
    }

    // C: more requests than the budget, fresh: 44 requests at 20 per 10 s. Request k
    // cannot be sent before floor((k-1)/N) * W = 2 W = 20 s.
    {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("world.json");
        seed_state(&state).await;
        let rate = Rate {
            count: 20,
            per: Duration::from_secs(10),
        };
        let (emu, client) = limited(&state, rate).await;
        let t = Instant::now();
        let snap = client.fetch_project("demo", |_| true).await.unwrap();
        let wall = t.elapsed();
        assert_eq!(snap.instances.len(), INSTANCES);
        let m = client.counts().requests;
        let floor = rate.per * ((m - 1) / u64::from(rate.count)) as u32;
        let s = stats(&emu).await;
        row(
            "C: 40 instances, fresh 20 per 10 s",
            m,
            by_status(&s, "429"),
            wall,
            floor,
        );
        emu.shutdown().await;
    }
}
