//! The request budget of an apply with default flags (docs/apply.md §3), on a
//! compressed clock: the emulator at speed 60 with a one-second window, so Aura's
//! 125/min is 125/s here and a Free project's 25/min is 25/s. These tests count
//! requests and 429s; they time nothing.

use std::fmt::Write as _;

use auraform::emulator::{EmulatorConfig, EmulatorHandle, spawn};
use auraform::units::Rate;

use crate::support::cli::{Out, auraform};

/// Aura's default budget, 125/min, on the compressed clock.
const DEFAULT_BUDGET: &str = "125/s";

async fn project(limit: u32) -> EmulatorHandle {
    spawn(EmulatorConfig {
        speed: 60.0,
        rate_limit: Rate {
            count: limit,
            per: std::time::Duration::from_secs(1),
        },
        seed: Some(14),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap()
}

/// `apply` of `k` new instances with default flags on the compressed clock: `budget`
/// and a 5 s poll interval (83 ms here).
async fn apply_creates(emulator: &EmulatorHandle, k: usize, budget: &str) -> Out {
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = String::from(
        "project: demo\ndefaults: { cloud_provider: gcp, region: europe-west1, type: professional-db, memory: 2GB }\ninstances:\n",
    );
    for i in 0..k {
        writeln!(yaml, "  new-{i:02}: {{}}").unwrap();
    }
    std::fs::write(dir.path().join("aura.yaml"), yaml).unwrap();
    auraform()
        .dir(dir.path())
        .against_url(&emulator.base_url())
        .args(["apply", "--auto-approve", "--poll-interval", "83ms"])
        .args(["--rate-limit", budget])
        .run_async()
        .await
}

async fn rejected(emulator: &EmulatorHandle) -> u64 {
    crate::support::emulator::stats(emulator).await["by_status"]["429"]
        .as_u64()
        .unwrap_or(0)
}

/// A Free project (a fifth of the default budget) with default flags: the first 429
/// teaches the client the budget, said once on stderr; the apply converges with at
/// most 3 429s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_free_project_with_default_flags_converges_with_at_most_3_429s() {
    let emulator = project(25).await;
    let out = apply_creates(&emulator, 12, DEFAULT_BUDGET).await;
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let n = rejected(&emulator).await;
    eprintln!("{n} x 429 against a 25/s project with default flags");
    assert!(n <= 3, "{n} x 429\n{}", out.stderr);
    assert!(
        n >= 1,
        "the budget was never exceeded: the test shows nothing"
    );
    assert_eq!(
        out.stderr
            .matches("(429): pacing at 25/s instead of 125/s for the rest of the run")
            .count(),
        1,
        "said once: {}",
        out.stderr
    );
    emulator.shutdown().await;
}

/// With the budget given (`--rate-limit` as the project allows), no 429 at all, even
/// with every chain started at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_429_when_the_budget_is_known() {
    let emulator = project(25).await;
    let out = apply_creates(&emulator, 12, "25/s").await;
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(rejected(&emulator).await, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("429"), "{}", out.stderr);
    emulator.shutdown().await;
}
