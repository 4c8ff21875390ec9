//! auraform against the strategies users have today (docs/performance.md §8), in one
//! run on the same emulated world.
//!
//! Everything runs at speed [`SPEED`] = 60: operations take their Aura durations ÷ 60
//! and the budget is 125 requests per second — Aura's 125 per minute on the same
//! compressed clock, window included — so one real minute is one second here. Every
//! time in the table is the measured one × 60: what the run would take on Aura.
//!
//! The peers are written here as each tool does it, talking plain HTTP:
//! - **seed CI script**: one operation after another, a poll every 10 s, fails on any
//!   error (a 429 included);
//! - **aura-cli `--await`**: one after another, a poll every 20 s, stops on a 429;
//! - **Terraform provider**: 10 resources at once, a poll every 1 s per resource, a
//!   429 (or 5xx) retried after `Retry-After`, else with a backoff of 1 s doubling to
//!   30 s; `apply` refreshes every existing resource first.
//!
//! auraform runs as a user runs it: the release binary, `apply --auto-approve`, every
//! flag at its default scaled to the clock (`--poll-interval` 5 s ÷ 60, `--rate-limit`
//! 125/s); its usual durations follow the speed-up the emulator announces.
//!
//! Every strategy talks to a recording proxy ([`Recorder`]) in front of a fresh copy of
//! the world, so requests, 429s, polls per step and detection latency (an instance's
//! operation finishing → the first answer that shows it) are counted the same way.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use auraform::api::wire::InstanceStatus;
use auraform::units::Rate;

use super::peer_tools::Peer;
use super::recorder::{Event, Recorder};
use super::{BIN, client, create_request, measured_emulator, median};

/// The clock's compression: Aura's durations and budget window ÷ 60.
pub(crate) const SPEED: f64 = 60.0;
/// Aura's 125 requests a minute at [`SPEED`].
pub(crate) const BUDGET: Rate = Rate {
    count: 125,
    per: Duration::from_secs(1),
};

/// What one step does to one instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Create,
    Resize,
    Pause,
    Resume,
    Upgrade,
}

impl Kind {
    /// Aura's duration of the operation (docs/emulator.md §8), at speed 1.
    fn usual(self) -> Duration {
        Duration::from_secs(match self {
            Kind::Create => 120,
            Kind::Resize | Kind::Resume => 90,
            Kind::Pause => 60,
            Kind::Upgrade => 0,
        })
    }

    pub(crate) fn target(self) -> &'static str {
        if self == Kind::Pause {
            "paused"
        } else {
            "running"
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Op {
    pub(crate) kind: Kind,
    pub(crate) name: String,
}

/// One row: a world, what the file asks of it, and the same as steps for the peers.
struct Scenario {
    label: String,
    world: PathBuf,
    ops: Vec<Op>,
    /// aura.yaml text for auraform.
    yaml: String,
    /// Measure the sequential peers (else their figure is scaled from K = 50).
    sequential: bool,
    /// Its name for `--peer-rows`.
    key: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strategy {
    Auraform,
    SeedScript,
    AuraCli,
    Terraform,
}

impl Strategy {
    const ALL: [Strategy; 4] = [
        Strategy::Auraform,
        Strategy::SeedScript,
        Strategy::AuraCli,
        Strategy::Terraform,
    ];

    fn label(self) -> &'static str {
        match self {
            Strategy::Auraform => "auraform (defaults)",
            Strategy::SeedScript => "seed CI script",
            Strategy::AuraCli => "aura-cli --await",
            Strategy::Terraform => "Terraform provider",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Strategy::Auraform => "auraform",
            Strategy::SeedScript => "seed",
            Strategy::AuraCli => "aura-cli",
            Strategy::Terraform => "terraform",
        }
    }

    fn sequential(self) -> bool {
        matches!(self, Strategy::SeedScript | Strategy::AuraCli)
    }
}

/// What one run of one strategy measured (times as on Aura: × [`SPEED`]).
#[derive(Clone, Debug, Default)]
struct Figures {
    wall: f64,
    requests: u64,
    rejected: u64,
    polls_per_step: f64,
    detect_median: f64,
    detect_max: f64,
    failed: Option<String>,
    /// Scaled from a smaller row, not run.
    extrapolated: bool,
}

pub(crate) async fn peer_rows(dir: &Path, reps: usize, table: &mut String) {
    // `--peer-rows 1,5,20,50,mixed,500` chooses rows (K = 50 is needed to scale 500).
    let chosen = super::flag("--peer-rows", "1,5,20,50,mixed,500");
    // `--peer-strategies auraform,seed,aura-cli,terraform` chooses columns.
    let strategies = super::flag("--peer-strategies", "auraform,seed,aura-cli,terraform");
    let scenarios: Vec<Scenario> = scenarios(dir)
        .await
        .into_iter()
        .filter(|s| chosen.split(',').any(|c| c == s.key))
        .collect();
    let _ = writeln!(
        table,
        "\n| plan | strategy | wall | requests | 429s | polls per step | detection latency (median / max) | × auraform | × floor |"
    );
    let _ = writeln!(table, "|---|---|---|---|---|---|---|---|---|");
    let mut per_create: [Option<Figures>; 4] = Default::default();
    for scenario in &scenarios {
        let floor = floor(&scenario.ops);
        let mut rows: Vec<(Strategy, Figures)> = Vec::new();
        for (slot, strategy) in Strategy::ALL.into_iter().enumerate() {
            if !strategies.split(',').any(|c| c == strategy.key()) {
                continue;
            }
            let figures = if strategy.sequential() && !scenario.sequential {
                // Sequential: their time and requests grow with the number of steps.
                let Some(base) = per_create[slot].clone() else {
                    continue; // K = 50 was not chosen
                };
                let n = scenario.ops.len() as f64;
                Figures {
                    wall: base.wall * n,
                    requests: (base.requests as f64 * n) as u64,
                    rejected: base.rejected,
                    extrapolated: true,
                    ..base
                }
            } else {
                // Sequential peers are deterministic (durations and a fixed poll
                // interval): one run each. auraform and Terraform: the median of `reps`.
                let n = if strategy.sequential() { 1 } else { reps };
                let mut runs = Vec::new();
                for rep in 0..n {
                    runs.push(run_one(dir, scenario, strategy, rep).await);
                }
                median_figures(&runs)
            };
            if scenario.label.starts_with("K = 50 ") {
                let n = scenario.ops.len() as f64;
                per_create[slot] = Some(Figures {
                    wall: figures.wall / n,
                    requests: (figures.requests as f64 / n).round() as u64,
                    ..figures.clone()
                });
            }
            rows.push((strategy, figures));
        }
        let ours = rows[0].1.wall;
        for (strategy, f) in &rows {
            let approx = if f.extrapolated { "≈ " } else { "" };
            let wall = match &f.failed {
                Some(why) => format!("failed: {why}"),
                None => format!("{approx}{}", clock(f.wall)),
            };
            let detection = if f.extrapolated {
                "as K = 50".to_owned()
            } else {
                format!("{} / {}", clock(f.detect_median), clock(f.detect_max))
            };
            let _ = writeln!(
                table,
                "| {} | {} | {wall} | {approx}{} | {} | {:.1} | {detection} | {:.2} | {:.2} |",
                scenario.label,
                strategy.label(),
                f.requests,
                f.rejected,
                f.polls_per_step,
                f.wall / ours,
                f.wall / floor.as_secs_f64(),
            );
        }
    }
    let _ = writeln!(
        table,
        "\nTimes as on Aura (measured at speed {SPEED} × {SPEED}). Floor: the longest operation, or the fewest requests (a token, then one request and one confirming poll per step) ÷ the budget, whichever is larger. ≈: not run, scaled from K = 50 (a sequential strategy's time and requests grow linearly)."
    );
}

/// The physical floor of a row (docs/performance.md §1), in seconds as on Aura.
fn floor(ops: &[Op]) -> Duration {
    let longest = ops.iter().map(|o| o.kind.usual()).max().unwrap_or_default();
    let requests = 1 + 2 * ops.len() as u64;
    let windows = (requests - 1) / u64::from(BUDGET.count);
    longest.max(Duration::from_secs(60) * u32::try_from(windows).unwrap())
}

fn clock(seconds: f64) -> String {
    let whole = seconds.round() as u64;
    if whole >= 3600 {
        format!("{}h{:02}m", whole / 3600, (whole % 3600 + 30) / 60)
    } else if whole >= 60 {
        format!("{}m{:02}s", whole / 60, whole % 60)
    } else {
        format!("{seconds:.1} s")
    }
}

fn median_figures(runs: &[Figures]) -> Figures {
    let mut by_wall = runs.to_vec();
    by_wall.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    let mid = by_wall[by_wall.len() / 2].clone();
    Figures {
        wall: median(runs.iter().map(|f| f.wall).collect()),
        requests: median(runs.iter().map(|f| f.requests as f64).collect()) as u64,
        rejected: median(runs.iter().map(|f| f.rejected as f64).collect()) as u64,
        polls_per_step: median(runs.iter().map(|f| f.polls_per_step).collect()),
        detect_median: median(runs.iter().map(|f| f.detect_median).collect()),
        detect_max: median(runs.iter().map(|f| f.detect_max).collect()),
        failed: runs.iter().find_map(|f| f.failed.clone()),
        ..mid
    }
}

// ---- the rows -------------------------------------------------------------------------

async fn scenarios(dir: &Path) -> Vec<Scenario> {
    let empty = super::seed(dir, 0).await;
    let mixed = seed_mixed(dir).await;
    let mut out = Vec::new();
    for k in [1usize, 5, 20, 50, 500] {
        let names: Vec<String> = (0..k).map(|i| format!("new-{i:03}")).collect();
        let mut yaml = String::from(HEADER);
        for n in &names {
            let _ = writeln!(yaml, "  {n}: {{}}");
        }
        out.push(Scenario {
            label: if k == 500 {
                "500-instance plan (500 creates)".to_owned()
            } else {
                format!("K = {k} creates")
            },
            world: empty.clone(),
            ops: names
                .into_iter()
                .map(|name| Op {
                    kind: Kind::Create,
                    name,
                })
                .collect(),
            yaml,
            sequential: k <= 50,
            key: k.to_string(),
        });
    }
    // Mixed: 7 resizes, 6 pauses, 6 resumes, 1 upgrade over 20 instances.
    let mut yaml = String::from(HEADER);
    let mut ops = Vec::new();
    for i in 0..20 {
        let name = format!("mix-{i:02}");
        let (kind, line) = match i {
            0..=6 => (Kind::Resize, "{memory: 4GB}"),
            7..=12 => (Kind::Pause, "{state: paused}"),
            13..=18 => (Kind::Resume, "{}"),
            _ => (Kind::Upgrade, "{type: business-critical}"),
        };
        let _ = writeln!(yaml, "  {name}: {line}");
        ops.push(Op { kind, name });
    }
    out.insert(
        4,
        Scenario {
            label: "mixed plan, 20 instances".to_owned(),
            world: mixed,
            ops,
            yaml,
            sequential: true,
            key: "mixed".to_owned(),
        },
    );
    out
}

const HEADER: &str = "project: demo\ndefaults:\n  type: professional-db\n  cloud_provider: gcp\n  region: europe-west1\n  memory: 2GB\ninstances:\n";

/// 20 running professional-db 2GB instances `mix-00…19`, `mix-13…18` paused.
async fn seed_mixed(dir: &Path) -> PathBuf {
    let state = dir.join("world-mixed.json");
    if state.exists() {
        return state;
    }
    let unlimited = Rate::per_minute(10_000_000);
    let emu = auraform::emulator::spawn(auraform::emulator::EmulatorConfig {
        speed: 100_000.0,
        rate_limit: unlimited,
        seed: Some(8),
        state_file: Some(state.clone()),
        ..auraform::emulator::EmulatorConfig::default()
    })
    .await
    .unwrap();
    let c = client(&emu, unlimited);
    let tenant = c.resolve_project("demo").await.unwrap();
    let mut ids = Vec::new();
    for i in 0..20 {
        let made = c
            .create_instance(&create_request(&tenant.id, &format!("mix-{i:02}")))
            .await
            .unwrap();
        ids.push(made.id);
    }
    settle(&c, &ids, |_| InstanceStatus::Running).await;
    for id in &ids[13..19] {
        c.pause_instance(id).await.unwrap();
    }
    settle(&c, &ids, |i| {
        if (13..19).contains(&i) {
            InstanceStatus::Paused
        } else {
            InstanceStatus::Running
        }
    })
    .await;
    emu.shutdown().await;
    state
}

async fn settle(
    c: &auraform::api::AuraClient,
    ids: &[String],
    want: impl Fn(usize) -> InstanceStatus,
) {
    loop {
        let mut busy = 0;
        for (i, id) in ids.iter().enumerate() {
            if c.get_instance(id).await.unwrap().unwrap().status != want(i) {
                busy += 1;
            }
        }
        if busy == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

// ---- one run --------------------------------------------------------------------------

async fn run_one(dir: &Path, scenario: &Scenario, strategy: Strategy, rep: usize) -> Figures {
    let tag = format!(
        "peer-{}-{:?}-{rep}",
        scenario.label.replace([' ', '=', ',', '(', ')'], ""),
        strategy
    );
    let run_dir = dir.join(&tag);
    std::fs::create_dir_all(&run_dir).unwrap();
    let emu = measured_emulator(&scenario.world, &run_dir.join("world.json"), BUDGET, SPEED).await;
    // The project id and the instances' ids, as a script would have them configured:
    // read beside the measurement, then one window left to pass.
    let direct = client(&emu, BUDGET);
    let tenant = direct.resolve_project("demo").await.unwrap().id;
    let ids: std::collections::HashMap<String, String> = direct
        .list_instances(&tenant)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.name, s.id))
        .collect();
    tokio::time::sleep(BUDGET.per * 2).await;

    let recorder = Recorder::start(&emu.base_url()).await;
    let start = Instant::now();
    let failed = if strategy == Strategy::Auraform {
        auraform(&recorder, &run_dir, &scenario.yaml).await
    } else {
        let peer = Peer::login(&recorder.base_url, strategy).await;
        peer.run(&scenario.ops, &tenant, &ids).await
    };
    let wall = start.elapsed().as_secs_f64() * SPEED;
    let events = recorder.events();
    recorder.stop();
    if std::env::var_os("PEERS_DUMP").is_some() {
        for e in &events {
            eprintln!(
                "{:>8.3} {} {} {} {:?}",
                e.at.saturating_duration_since(start).as_secs_f64(),
                e.method,
                e.path,
                e.status,
                e.instance_status
            );
        }
    }
    emu.shutdown().await;
    let (polls, detect) = detection(&events, &scenario.ops, start);
    Figures {
        wall,
        requests: events.len() as u64,
        rejected: events.iter().filter(|e| e.status == 429).count() as u64,
        polls_per_step: polls as f64 / scenario.ops.len() as f64,
        detect_median: if detect.is_empty() {
            0.0
        } else {
            median(detect.clone())
        },
        detect_max: detect.iter().copied().fold(0.0, f64::max),
        failed,
        extrapolated: false,
    }
}

async fn auraform(recorder: &Recorder, run_dir: &Path, yaml: &str) -> Option<String> {
    let config = run_dir.join("aura.yaml");
    std::fs::write(&config, yaml).unwrap();
    let base = recorder.base_url.clone();
    let poll = format!("{}ms", (5000.0 / SPEED).round());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(["apply", "-f", config.to_str().unwrap(), "--auto-approve"])
            .args([
                "--api-url",
                &base,
                "--rate-limit",
                "125/s",
                "--poll-interval",
                &poll,
            ])
            .args(["-q"])
            .env("AURA_CLIENT_ID", "emulator")
            .env("AURA_CLIENT_SECRET", "emulator-secret")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    (!out.status.success()).then(|| {
        eprintln!(
            "auraform failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        format!("exit {:?}", out.status.code())
    })
}

/// Polls (instance GETs) and, per step that waits, how long after its operation ended
/// the first answer showed it ended (seconds as on Aura).
fn detection(events: &[Event], ops: &[Op], _start: Instant) -> (u64, Vec<f64>) {
    let is_get = |e: &Event| e.method == "GET" && e.path.starts_with("/v1/instances/");
    let polls = events.iter().filter(|e| is_get(e)).count() as u64;
    let mut latencies = Vec::new();
    for e in events.iter().filter(|e| (200..300).contains(&e.status)) {
        let (kind, id) = match (e.method.as_str(), e.path.as_str()) {
            ("POST", "/v1/instances") => (Kind::Create, e.id.clone()),
            ("PATCH", p) if e.status == 202 => (Kind::Resize, instance_of(p)),
            ("POST", p) if p.ends_with("/pause") => (Kind::Pause, instance_of(p)),
            ("POST", p) if p.ends_with("/resume") => (Kind::Resume, instance_of(p)),
            _ => continue,
        };
        let Some(id) = id else { continue };
        if !ops.iter().any(|o| o.kind == kind) {
            continue;
        }
        let ends = e.at + kind.usual().div_f64(SPEED);
        let path = format!("/v1/instances/{id}");
        let seen = events.iter().find(|g| {
            g.at >= e.at
                && is_get(g)
                && g.path == path
                && g.instance_status.as_deref() == Some(kind.target())
        });
        if let Some(g) = seen {
            latencies.push(g.at.saturating_duration_since(ends).as_secs_f64() * SPEED);
        }
    }
    (polls, latencies)
}

fn instance_of(path: &str) -> Option<String> {
    path.strip_prefix("/v1/instances/")
        .map(|rest| rest.split('/').next().unwrap_or_default().to_owned())
}
