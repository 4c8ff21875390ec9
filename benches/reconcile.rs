//! The reconcile benchmark (docs/performance.md §4): runs the real `auraform` binary against the
//! emulator and prints a table of figures. It asserts nothing — speed is measured here,
//! never in a timed test, and the figures are read by people (medians and ratios).
//!
//! `cargo bench --bench reconcile` (add `-- --quick` for one repetition per row, and
//! `--rows plan,apply,memory` to choose rows).
//!
//! Rows:
//! - plan wall time vs the rate-limit floor, and 429s received (target ≤ 1.10 × floor, 0);
//! - apply of K independent creates vs one create (target ≤ 1.3 × for K ≤ 20);
//! - polling requests per step vs duration / poll-interval + 2;
//! - peak memory of `plan` for 1,000 instances (target < 50 MB).
//!
//! Worlds are seeded by one unlimited emulator writing a state file; the measured
//! emulator then loads that file with the limit under test, so seeding never spends
//! the budget the measurement is about.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use auraform::api::wire::{CloudProvider, CreateInstanceRequest, InstanceStatus, InstanceType};
use auraform::api::{AuraClient, ClientConfig, Credentials};
use auraform::emulator::{EmulatorConfig, EmulatorHandle, spawn};
use auraform::units::Rate;

#[path = "reconcile/peer_tools.rs"]
mod peer_tools;
#[path = "reconcile/peers.rs"]
mod peers;
#[path = "reconcile/recorder.rs"]
mod recorder;

const BIN: &str = env!("CARGO_BIN_EXE_auraform");

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let reps = if quick { 1 } else { 3 };
    let rows = flag("--rows", "plan,apply,memory,peers");
    let wants = |row: &str| rows.split(',').any(|r| r == row);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut table = String::new();
    let _ = writeln!(table, "| measurement | figure | target | result |");
    let _ = writeln!(table, "|---|---|---|---|");

    rt.block_on(async {
        if wants("plan") {
            plan_rows(work.path(), reps, &mut table).await;
        }
        if wants("apply") {
            apply_rows(work.path(), reps, &mut table).await;
        }
        if wants("memory") {
            memory_row(work.path(), &mut table).await;
        }
        if wants("peers") {
            peers::peer_rows(work.path(), reps, &mut table).await;
        }
    });
    println!("\n{table}");
}

/// The value after `name` on the command line, or `default`.
fn flag(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| default.to_owned(), Clone::clone)
}

// ---- worlds ---------------------------------------------------------------------------

/// Seeds `n` running professional-db instances named `inst-0000…` into a state file.
async fn seed(dir: &Path, n: usize) -> PathBuf {
    let state = dir.join(format!("world-{n}.json"));
    if state.exists() {
        return state;
    }
    let emu = spawn(EmulatorConfig {
        speed: 100_000.0,
        rate_limit: Rate::per_minute(10_000_000),
        seed: Some(7),
        state_file: Some(state.clone()),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let client = client(&emu, Rate::per_minute(10_000_000));
    let tenant = client.resolve_project("demo").await.unwrap();
    for i in 0..n {
        client
            .create_instance(&create_request(&tenant.id, &format!("inst-{i:04}")))
            .await
            .unwrap();
    }
    // At this speed a create takes ~1 ms; make sure every one settled before saving.
    loop {
        let mut busy = 0;
        for s in client.list_instances(&tenant.id).await.unwrap() {
            let i = client.get_instance(&s.id).await.unwrap().unwrap();
            if i.status != InstanceStatus::Running {
                busy += 1;
            }
        }
        if busy == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    emu.shutdown().await;
    state
}

fn create_request(tenant: &str, name: &str) -> CreateInstanceRequest {
    CreateInstanceRequest {
        name: name.to_owned(),
        version: "5".to_owned(),
        region: "europe-west1".to_owned(),
        memory: "2GB".to_owned(),
        instance_type: InstanceType::ProfessionalDb,
        tenant_id: tenant.to_owned(),
        cloud_provider: CloudProvider::Gcp,
        storage: None,
        source_instance_id: None,
        source_snapshot_id: None,
        customer_managed_key_id: None,
        vector_optimized: None,
        graph_analytics_plugin: None,
    }
}

/// An aura.yaml declaring `names` as professional-db 2GB in gcp/europe-west1.
fn write_config(dir: &Path, file: &str, names: impl Iterator<Item = String>) -> PathBuf {
    let mut text = String::from(
        "project: demo\ndefaults:\n  type: professional-db\n  cloud_provider: gcp\n  region: europe-west1\n  memory: 2GB\ninstances:\n",
    );
    for name in names {
        let _ = writeln!(text, "  {name}: {{}}");
    }
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path
}

async fn measured_emulator(state: &Path, copy_to: &Path, rate: Rate, speed: f64) -> EmulatorHandle {
    std::fs::copy(state, copy_to).unwrap();
    spawn(EmulatorConfig {
        speed,
        rate_limit: rate,
        seed: Some(11),
        state_file: Some(copy_to.to_owned()),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap()
}

fn client(emu: &EmulatorHandle, rate: Rate) -> AuraClient {
    let mut config = ClientConfig::new(
        emu.base_url(),
        Credentials::new("emulator", "emulator-secret"),
    );
    config.rate = rate;
    AuraClient::new(config).unwrap()
}

/// `GET /_emulator/stats` as JSON.
async fn stats(emu: &EmulatorHandle) -> serde_json::Value {
    reqwest::get(format!("{}/_emulator/stats", emu.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn count(stats: &serde_json::Value, path: &[&str]) -> u64 {
    let mut v = stats;
    for p in path {
        v = &v[*p];
    }
    v.as_u64().unwrap_or(0)
}

/// Runs the binary against `emu`; returns (wall time, exit code, peak RSS in KiB, CPU
/// seconds, user + system).
fn run(emu: &EmulatorHandle, args: &[&str], rate: Rate) -> (Duration, i32, u64, f64) {
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .args([
            "--api-url",
            &emu.base_url(),
            "--rate-limit",
            &rate.to_string(),
            "-q",
        ])
        .env("AURA_CLIENT_ID", "emulator")
        .env("AURA_CLIENT_SECRET", "emulator-secret")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // VmHWM is the process's peak resident set so far, and utime + stime (fields 14
    // and 15 of /proc/PID/stat, in USER_HZ = 100 ticks a second) its CPU time;
    // sampled every 2 ms until it exits.
    let mut peak_kib = 0;
    let mut cpu_ticks = 0u64;
    let status = loop {
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // After the `(comm)` field, which may hold spaces.
            let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
            let f: Vec<u64> = rest
                .split_whitespace()
                .map(|x| x.parse().unwrap_or(0))
                .collect();
            if f.len() > 13 {
                cpu_ticks = cpu_ticks.max(f[11] + f[12]);
            }
        }
        if let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            for line in text.lines() {
                if let Some(v) = line.strip_prefix("VmHWM:") {
                    let kib: u64 = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
                    peak_kib = peak_kib.max(kib);
                }
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = start.elapsed();
    let code = status.code().unwrap_or(-1);
    if code != 0 && code != 2 {
        use std::io::Read;
        let (mut out, mut err) = (String::new(), String::new());
        let _ = child.stdout.take().unwrap().read_to_string(&mut out);
        let _ = child.stderr.take().unwrap().read_to_string(&mut err);
        eprintln!("auraform {args:?} exited {code}:\n{out}\n{err}");
    }
    (elapsed, code, peak_kib, cpu_ticks as f64 / 100.0)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// The least time `requests` requests can take under `rate` when every window of
/// length W admits N: request k cannot start before ⌊(k−1)/N⌋·W.
fn floor(requests: u64, rate: Rate) -> Duration {
    let windows = (requests.saturating_sub(1)) / u64::from(rate.count);
    rate.per * u32::try_from(windows).unwrap()
}

// ---- rows -----------------------------------------------------------------------------

async fn plan_rows(dir: &Path, reps: usize, table: &mut String) {
    // 120 declared instances against a budget of 10/s: the plan needs ~124 requests,
    // so the budget (not the network) sets the pace — 12 full windows.
    let n = 120;
    let rate = Rate {
        count: 10,
        per: Duration::from_secs(1),
    };
    let state = seed(dir, n).await;
    let config = write_config(dir, "plan.yaml", (0..n).map(|i| format!("inst-{i:04}")));
    let mut ratios = Vec::new();
    let mut walls = Vec::new();
    let mut rejected = 0;
    let mut requests = 0;
    for rep in 0..reps {
        let emu = measured_emulator(&state, &dir.join(format!("plan-{rep}.json")), rate, 1.0).await;
        let (wall, code, _, _) = run(
            &emu,
            &[
                "plan",
                "-f",
                config.to_str().unwrap(),
                "--detailed-exitcode",
            ],
            rate,
        );
        assert_eq!(code, 0, "plan of a matching world must show no changes");
        let s = stats(&emu).await;
        requests = count(&s, &["requests"]);
        rejected += count(&s, &["by_status", "429"]);
        let f = floor(requests, rate);
        ratios.push(wall.as_secs_f64() / f.as_secs_f64());
        walls.push(wall.as_secs_f64());
        emu.shutdown().await;
    }
    let _ = writeln!(
        table,
        "| plan, {n} instances, budget {rate} ({requests} requests) | {:.2} s median; floor {:.2} s; ratio {:.3} | ≤ 1.10 × floor | {} |",
        median(walls),
        floor(requests, rate).as_secs_f64(),
        median(ratios.clone()),
        verdict(median(ratios) <= 1.10),
    );
    let _ = writeln!(
        table,
        "| 429s received by plan (all repetitions) | {rejected} | 0 | {} |",
        verdict(rejected == 0)
    );
}

async fn apply_rows(dir: &Path, reps: usize, table: &mut String) {
    // Speed 10: a create takes ~12 s, long against request latency, short for a bench.
    // The budget is the real 125/min on the same compressed clock.
    let speed = 10.0;
    let rate = Rate::per_minute(125 * 10);
    let empty = seed(dir, 0).await;
    let poll = "1s";
    let ks = [1usize, 10, 20];
    let mut walls: Vec<Vec<f64>> = vec![Vec::new(); ks.len()];
    let mut polls: Vec<f64> = vec![0.0; ks.len()];
    let mut rejected = 0;
    for rep in 0..reps {
        for (slot, &count) in ks.iter().enumerate() {
            let emu = measured_emulator(
                &empty,
                &dir.join(format!("apply-{count}-{rep}.json")),
                rate,
                speed,
            )
            .await;
            // Each run in its own folder: its credentials files are its own.
            let run_dir = dir.join(format!("apply-{count}-{rep}"));
            std::fs::create_dir_all(&run_dir).unwrap();
            let config = write_config(
                &run_dir,
                "aura.yaml",
                (0..count).map(|i| format!("new-{i:02}")),
            );
            // K creates in parallel: the default --parallelism (10) would run 20 in two
            // waves, which is the user's limit at work, not the executor's speed.
            let parallelism = count.max(10).to_string();
            let args = [
                "apply",
                "-f",
                config.to_str().unwrap(),
                "--auto-approve",
                "--poll-interval",
                poll,
                "--parallelism",
                &parallelism,
            ];
            let (wall, code, _, _) = run(&emu, &args, rate);
            assert_eq!(code, 0, "apply must succeed");
            walls[slot].push(wall.as_secs_f64());
            let s = stats(&emu).await;
            rejected += s["by_status"]["429"].as_u64().unwrap_or(0);
            // One create step per instance: every instance GET is a poll of one.
            polls[slot] = count_route(&s, "GET /v1/instances/{id}") as f64 / count as f64;
            emu.shutdown().await;
        }
    }
    let one = median(walls[0].clone());
    for (slot, &k) in ks.iter().enumerate().skip(1) {
        let many = median(walls[slot].clone());
        let _ = writeln!(
            table,
            "| apply: {k} creates vs 1 create (speed {speed}, budget 125/min scaled, --parallelism {}) | {many:.2} s vs {one:.2} s; ratio {:.3} | ≤ 1.3 | {} |",
            k.max(10),
            many / one,
            verdict(many / one <= 1.3)
        );
    }
    // A create lasts 120 s / speed; polling every `poll` (1 s) allows that / 1 s + 2.
    let bound = 120.0 / speed + 2.0;
    let worst = polls.iter().copied().fold(0.0, f64::max);
    let _ = writeln!(
        table,
        "| polling GETs per create step (poll {poll}; K = 1, 10, 20) | {} | ≤ {bound:.1} | {} |",
        polls
            .iter()
            .map(|p| format!("{p:.1}"))
            .collect::<Vec<_>>()
            .join(", "),
        verdict(worst <= bound)
    );
    let _ = writeln!(
        table,
        "| 429s received by apply (all runs) | {rejected} | 0 | {} |",
        verdict(rejected == 0)
    );
}

fn count_route(stats: &serde_json::Value, route: &str) -> u64 {
    stats["by_route"][route].as_u64().unwrap_or(0)
}

async fn memory_row(dir: &Path, table: &mut String) {
    // The API's per-project maximum.
    let n = 2000;
    let rate = Rate::per_minute(1_000_000);
    let state = seed(dir, n).await;
    let config = write_config(dir, "memory.yaml", (0..n).map(|i| format!("inst-{i:04}")));
    let emu = measured_emulator(&state, &dir.join("memory.json"), rate, 1.0).await;
    let (wall, code, peak_kib, cpu) = run(
        &emu,
        &[
            "plan",
            "-f",
            config.to_str().unwrap(),
            "--detailed-exitcode",
        ],
        rate,
    );
    assert_eq!(code, 0);
    emu.shutdown().await;
    let mb = peak_kib as f64 / 1024.0;
    let _ = writeln!(
        table,
        "| peak RSS of plan, {n} instances ({:.2} s) | {mb:.1} MiB | < 50 MB | {} |",
        wall.as_secs_f64(),
        verdict(mb * 1.048_576 < 50.0)
    );
    let _ = writeln!(
        table,
        "| CPU time of plan, {n} instances (user + system) | {cpu:.2} s | < 1 s | {} |",
        verdict(cpu < 1.0)
    );
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}
