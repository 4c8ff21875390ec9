//! Measurement, not a timed test (docs/performance.md): K independent creates against one
//! create on the same emulator, and the 429s drawn. Ignored by default; run with
//!
//! ```text
//! cargo nextest run --test integration apply_perf --run-ignored only --no-capture
//! ```

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use auraform::apply::{ApplyOptions, Timeouts, execute};
use auraform::emulator::EmulatorConfig;
use auraform::units::Rate;

use crate::support::apply::plan_file;
use crate::support::client::emulator_and_client;

async fn measure(label: &str, speed: f64, rate: Rate, poll: Duration, k: usize) {
    let (emulator, client) = emulator_and_client(
        EmulatorConfig {
            speed,
            rate_limit: rate,
            ..EmulatorConfig::default()
        },
        |_| {},
    )
    .await;
    let dir = tempfile::tempdir().unwrap();

    let mut times = Vec::new();
    for (round, n) in [1, k].into_iter().enumerate() {
        let mut yaml = String::from(
            "project: demo\ndefaults: { cloud_provider: gcp, region: europe-west1, version: \"5\", type: professional-db }\ninstances:\n",
        );
        for i in 0..n {
            writeln!(yaml, "  r{round}-i{i}:\n    memory: 2GB").unwrap();
        }
        // Keep the instances of earlier rounds declared, so nothing is deleted.
        let path = dir.path().join(format!("aura{round}.yaml"));
        std::fs::write(&path, &yaml).unwrap();
        let (_, _, plan) = plan_file(&client, &path).await;
        assert_eq!(plan.changes.len(), n);
        let mut opts = ApplyOptions::new(dir.path().join("creds"));
        opts.poll_interval = poll;
        opts.parallelism = 20;
        opts.timeouts = Timeouts::uniform(Duration::from_secs(900));
        let before = client.counts();
        let start = Instant::now();
        let report = execute(&client, &plan, &opts).await;
        let took = start.elapsed();
        assert!(report.succeeded(), "{}", report.render());
        let after = client.counts();
        println!(
            "{label}: {n:>2} create(s) in {:>6.2} s, {} requests ({:.1} per create), {} x 429",
            took.as_secs_f64(),
            after.requests - before.requests,
            (after.requests - before.requests) as f64 / n as f64,
            after.rate_limited - before.rate_limited,
        );
        times.push(took.as_secs_f64());
    }
    println!(
        "{label}: ratio {k} creates / 1 create = {:.2}",
        times[1] / times[0]
    );
    let stats: serde_json::Value = reqwest::get(format!("{}/_emulator/stats", emulator.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    println!(
        "{label}: 429s served by the emulator: {}",
        stats["by_status"]["429"]
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; run explicitly"]
async fn apply_perf_embedded_settings() {
    measure(
        "embedded (speed 40, 3000/min, poll 250ms)",
        40.0,
        Rate::per_minute(3000),
        Duration::from_millis(250),
        10,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; run explicitly"]
async fn apply_perf_real_budget() {
    measure(
        "real budget (speed 4, 125/min, poll 5s)",
        4.0,
        Rate::per_minute(125),
        Duration::from_secs(5),
        10,
    )
    .await;
}
