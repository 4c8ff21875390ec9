//! The fault matrix: `plan` and `apply` on an emulated project while
//! the API misbehaves — injected 5xx at 10 % and 30 %, 429 bursts from a stricter
//! server, latency, dropped connections, 2-second tokens, the mix of all of them with
//! 3-second tokens — or while someone else works on the project: an instance stuck in
//! a transitional status past the timeout, and instances deleted, resized or paused
//! out of band during the apply. Every run is seeded.
//!
//! Each run starts from the same project (an instance to resize, one to pause, one to
//! resume, one to replace, one nobody declares, two to create) and checks:
//!
//! - the apply converges (a plan made afterwards, faults off, is empty), or it fails
//!   with a report line per failed instance that names it and says why; then a second
//!   apply (same faults) converges;
//! - nothing is deleted that the plan did not delete (only the replaced instance's old
//!   id, and what the test itself deleted out of band, may be gone; the undeclared
//!   instance survives);
//! - nothing is created twice: one live instance per declared name, nothing else new;
//! - every instance the runs created has its password on disk (a credentials file with
//!   its id), or the report says its password was lost and how to reset it.
//!
//! Plan and apply go through the library as the commands do (load, fetch, plan, the
//! executor with the journal and the ids known at plan time), because one option must
//! follow the sped-up server: how long a create with an unknown outcome is looked for
//! before it is known not to have happened (60 s against Aura, docs/apply.md §8;
//! here 2 s, ten times the emulator's not-yet-visible window at speed 100).
//!
//! The normal suite runs every cell once ([`fault_matrix_one_seed_per_cell`]); the
//! sweep runs many seeds per cell and prints the table (docs/apply.md §20):
//! `AURAFORM_MATRIX_SEEDS=20 cargo nextest run --run-ignored only fault_matrix_sweep --no-capture`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use auraform::emulator::{EmulatorConfig, FaultKind};
use auraform::units::Rate;
use serde_json::{Value, json};

use std::collections::HashSet;

use auraform::api::{AuraClient, ClientConfig, Credentials};
use auraform::apply::{ApplyOptions, ApplyReport, InstanceOutcome, Journal, Timeouts, execute};
use auraform::plan::{Live, Plan, PlanOptions};

use crate::support::emulator::{CLIENT_ID, CLIENT_SECRET, Emu, set_faults, start, string_pairs};

/// What aura.yaml declares: `a` and `n` new, `b` resized, `c` paused, `d` resumed, `r`
/// moved to another region (replaced); `e` is live and undeclared.
const FILE: &str = "\
project: demo
defaults:
  type: professional-db
  cloud_provider: gcp
  region: europe-west1
instances:
  a:
    memory: 2GB
  b:
    memory: 4GB
  c:
    memory: 2GB
    state: paused
  d:
    memory: 2GB
  r:
    memory: 2GB
    region: europe-west2
    allow_replace: true
  n:
    memory: 2GB
";

const DECLARED: [&str; 6] = ["a", "b", "c", "d", "r", "n"];

/// Something that happens to the project while the first apply runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OutOfBand {
    None,
    /// `b` is stuck in `updating` from before the apply until after it.
    Stuck,
    /// `c` is deleted by someone else while auraform pauses it.
    Deleted,
    /// `d` is resized by someone else right after auraform resumed it.
    Resized,
    /// `b` is paused by someone else while auraform resizes it.
    Paused,
}

/// One cell of the matrix.
#[derive(Clone, Debug)]
struct Cell {
    name: &'static str,
    fault_rate: f64,
    kinds: Vec<FaultKind>,
    latency: Duration,
    token_ttl: Duration,
    /// The server's own limit (the client is told a far higher one).
    server_rate: Option<Rate>,
    oob: OutOfBand,
    /// `--timeout` of the first apply.
    timeout: &'static str,
}

fn cell(name: &'static str) -> Cell {
    Cell {
        name,
        fault_rate: 0.0,
        kinds: Vec::new(),
        latency: Duration::ZERO,
        token_ttl: Duration::from_secs(3600),
        server_rate: None,
        oob: OutOfBand::None,
        timeout: "20s",
    }
}

fn cells() -> Vec<Cell> {
    use FaultKind::{Drop, Status500, Status502, Status503, Status504};
    let five = vec![Status500, Status502, Status503, Status504];
    vec![
        Cell {
            fault_rate: 0.10,
            kinds: five.clone(),
            ..cell("5xx 10 %")
        },
        Cell {
            fault_rate: 0.30,
            kinds: five,
            ..cell("5xx 30 %")
        },
        Cell {
            server_rate: Some(Rate {
                count: 12,
                per: Duration::from_secs(1),
            }),
            ..cell("429 bursts (server 12/s)")
        },
        Cell {
            latency: Duration::from_millis(150),
            ..cell("latency 150 ms")
        },
        Cell {
            fault_rate: 0.15,
            kinds: vec![Drop],
            ..cell("dropped connections 15 %")
        },
        Cell {
            token_ttl: Duration::from_secs(2),
            latency: Duration::from_millis(20),
            ..cell("token TTL 2 s")
        },
        Cell {
            fault_rate: 0.20,
            kinds: FaultKind::DEFAULT.to_vec(),
            token_ttl: Duration::from_secs(3),
            ..cell("all kinds 20 %, TTL 3 s")
        },
        Cell {
            oob: OutOfBand::Stuck,
            timeout: "2s",
            ..cell("stuck past its timeout")
        },
        Cell {
            oob: OutOfBand::Deleted,
            ..cell("deleted out of band")
        },
        Cell {
            oob: OutOfBand::Resized,
            ..cell("resized out of band")
        },
        Cell {
            oob: OutOfBand::Paused,
            ..cell("paused out of band")
        },
    ]
}

/// How one run went.
#[derive(Debug, Default)]
struct RunResult {
    converged_first: bool,
    converged_rerun: bool,
    /// Applies that failed with every failure named and explained.
    clean_failures: u32,
    /// Violations of the checks above, in words (must stay empty).
    violations: Vec<String>,
    lost: u32,
    duplicated: u32,
}

/// The world every run starts from; returns name → id of what exists.
async fn seed_world(emu: &Emu) -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    for name in ["b", "c", "d", "r", "e"] {
        let created = emu.create(name, "professional-db", "2GB").await;
        ids.insert(name.to_owned(), created["id"].as_str().unwrap().to_owned());
    }
    for id in ids.values() {
        emu.wait(id, Some("running")).await;
    }
    emu.pause_instance(&ids["d"]).await;
    ids
}

/// `GET path` until it answers 200 (the cell's server may be strict or faulty).
async fn get_ok(emu: &mut Emu, path: &str) -> Value {
    for _ in 0..100 {
        let r = emu.get(path).await;
        match r.status.as_u16() {
            200 => return r.body,
            401 | 403 => emu.token = emu.fresh_token().await,
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("GET {path} never answered 200");
}

/// A client for `emu` as `auraform` builds one, told the budget `rate`.
fn client(emu: &Emu, rate: Rate) -> AuraClient {
    let mut config = ClientConfig::new(
        emu.handle.base_url(),
        Credentials::new(CLIENT_ID, CLIENT_SECRET),
    );
    config.rate = rate;
    AuraClient::new(config).unwrap()
}

/// The plan of aura.yaml in `dir` as `auraform plan` makes it, and the ids the project
/// had; an error in words, as the command would print it.
async fn plan_in(client: &AuraClient, dir: &Path) -> Result<(Plan, HashSet<String>), String> {
    let loaded =
        auraform::config::load(&dir.join("aura.yaml"), &|_| None).map_err(|e| e.to_string())?;
    let desired = &loaded.desired;
    let opts = PlanOptions::default();
    let project = client
        .fetch_project(&desired.project, |s| {
            auraform::plan::needs_details(desired, &opts, s)
        })
        .await
        .map_err(|e| format!("{e}"))?;
    let known = project.summaries.iter().map(|s| s.id.clone()).collect();
    let live = Live::from_project(&project);
    let plan = auraform::plan::plan(desired, &live, &opts).map_err(|e| e.to_string())?;
    Ok((plan, known))
}

/// What one apply did: `Ok(report)` when it ran, `Err(message)` when it stopped
/// before changing anything.
async fn apply_in(
    client: &AuraClient,
    dir: &Path,
    timeout: Duration,
) -> Result<ApplyReport, String> {
    let (plan, known) = plan_in(client, dir).await?;
    let mut opts = ApplyOptions::new(dir.join(".auraform/credentials"));
    opts.poll_interval = Duration::from_millis(50);
    opts.timeouts = Timeouts::uniform(timeout);
    opts.not_found_grace = Duration::from_secs(2);
    opts.journal = Some(Journal::in_dir(&dir.join(".auraform")));
    opts.known_ids = known;
    Ok(execute(client, &plan, &opts).await)
}

fn faults_on(cell: &Cell) -> Value {
    json!({
        "fault_rate": cell.fault_rate,
        "kinds": cell.kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
        "latency_ms": cell.latency.as_millis() as u64,
    })
}

fn faults_off() -> Value {
    json!({"fault_rate": 0.0, "latency_ms": 0})
}

/// Whether a failed apply said, for every instance it did not finish, which one and
/// why (or, stopping before any change, what went wrong).
fn clean_failure(outcome: &Result<ApplyReport, String>) -> Result<(), String> {
    let report = match outcome {
        Err(message) if message.trim().len() > 10 => return Ok(()),
        Err(message) => return Err(format!("an unclear failure: {message:?}")),
        Ok(report) => report,
    };
    for i in &report.instances {
        let reason = match &i.outcome {
            InstanceOutcome::Done => continue,
            InstanceOutcome::Failed { reason, .. }
            | InstanceOutcome::Skipped { reason }
            | InstanceOutcome::Conflict { reason, .. } => reason.clone(),
            InstanceOutcome::Interrupted { .. } => "interrupted".to_owned(),
        };
        if !DECLARED.contains(&i.name.as_str()) || reason.trim().len() < 6 {
            return Err(format!("`{}` failed without a reason: {reason:?}", i.name));
        }
        if !report.render().contains(&i.name) {
            return Err(format!("the report does not name `{}`", i.name));
        }
    }
    Ok(())
}

/// A plan made now (faults off, a fresh client) is empty.
async fn converged(emu: &Emu, dir: &Path) -> Result<bool, String> {
    let fresh = client(emu, Rate::per_minute(100_000));
    plan_in(&fresh, dir)
        .await
        .map(|(plan, _)| plan.changes.is_empty())
        .map_err(|e| format!("the verifying plan failed: {e}"))
}

/// Everything an apply said, for the password checks.
fn said(outcome: &Result<ApplyReport, String>) -> String {
    match outcome {
        Ok(report) => report.render(),
        Err(message) => message.clone(),
    }
}

/// The invariants that must hold whatever happened.
async fn check_world(
    emu: &mut Emu,
    dir: &Path,
    initial: &BTreeMap<String, String>,
    allowed_gone: &BTreeSet<String>,
    outputs: &str,
    result: &mut RunResult,
) {
    let path = format!("/v1/instances?tenantId={}", emu.demo());
    let list = get_ok(emu, &path).await;
    let live = string_pairs(&list["data"], "name", "id");
    let live_ids: BTreeSet<&str> = live.iter().map(|(_, id)| id.as_str()).collect();
    for (name, id) in initial {
        if !live_ids.contains(id.as_str()) && !allowed_gone.contains(id) {
            result.violations.push(format!(
                "`{name}` ({id}) was deleted, and no plan deleted it"
            ));
        }
    }
    if !live.iter().any(|(n, _)| n == "e") {
        result
            .violations
            .push("the undeclared `e` is gone".to_owned());
    }
    let mut per_name: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, _) in &live {
        *per_name.entry(name.as_str()).or_default() += 1;
    }
    for (name, count) in &per_name {
        if *count > 1 {
            result.duplicated += 1;
            result
                .violations
                .push(format!("{count} live instances named `{name}`"));
        }
        if !DECLARED.contains(name) && *name != "e" {
            result.violations.push(format!("an unexpected `{name}`"));
        }
    }
    // Every instance the runs created: its password on disk, or its loss reported.
    let on_disk = credential_ids(&dir.join(".auraform/credentials"));
    let initial_ids: BTreeSet<&str> = initial.values().map(String::as_str).collect();
    for (name, id) in &live {
        if initial_ids.contains(id.as_str()) {
            continue;
        }
        if on_disk.contains(id) {
            continue;
        }
        if outputs.contains(id.as_str()) && outputs.contains("reset") {
            result.lost += 1;
            continue;
        }
        result.lost += 1;
        result.violations.push(format!(
            "`{name}` ({id}) was created, its password is not on disk and its loss was not reported"
        ));
    }
}

/// The `AURA_INSTANCE_ID`s of the credentials files in `dir`.
fn credential_ids(dir: &Path) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        if let Some(id) = text
            .lines()
            .find_map(|l| l.strip_prefix("AURA_INSTANCE_ID="))
        {
            ids.insert(id.to_owned());
        }
    }
    ids
}

/// The out-of-band actor: waits for its moment during the first apply and acts,
/// through the admin routes (never faulted) and the API. Returns what it deleted.
async fn act_out_of_band(
    emu: &Emu,
    oob: OutOfBand,
    ids: &BTreeMap<String, String>,
) -> Option<String> {
    let status = |id: String| async move {
        let r = emu.get(&format!("/v1/instances/{id}")).await;
        r.data()["status"].as_str().unwrap_or("gone").to_owned()
    };
    let until = |id: String, want: &'static str| async move {
        for _ in 0..400 {
            if status(id.clone()).await == want {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    };
    match oob {
        OutOfBand::None | OutOfBand::Stuck => None,
        OutOfBand::Deleted => {
            let c = ids["c"].clone();
            if until(c.clone(), "pausing").await {
                // Someone cancels the pause and deletes the instance.
                emu.force_status(&c, "running").await;
                let r = emu.delete(&format!("/v1/instances/{c}")).await;
                assert!(r.status.is_success(), "{:?}", r.body);
            }
            Some(c)
        }
        OutOfBand::Resized => {
            let d = ids["d"].clone();
            if until(d.clone(), "resuming").await && until(d.clone(), "running").await {
                let _ = emu
                    .patch(&format!("/v1/instances/{d}"), json!({"memory": "4GB"}))
                    .await;
            }
            None
        }
        OutOfBand::Paused => {
            let b = ids["b"].clone();
            if until(b.clone(), "updating").await {
                // Someone pauses it mid-resize (the resize is cancelled).
                emu.force_status(&b, "paused").await;
            }
            None
        }
    }
}

async fn run_cell(cell: &Cell, seed: u64) -> RunResult {
    let mut result = RunResult::default();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("aura.yaml"), FILE).unwrap();
    // The world is made on a relaxed server, then served from its state file by one
    // configured as the cell says (its rate limit and token lifetime are fixed at start).
    let state = dir.path().join("world.json");
    let world = |rate_limit, token_ttl| EmulatorConfig {
        speed: 100.0,
        rate_limit,
        token_ttl,
        seed: Some(seed),
        state_file: Some(state.clone()),
        ..EmulatorConfig::default()
    };
    let seeder = start(world(
        Rate::per_minute(1_000_000),
        Duration::from_secs(3600),
    ))
    .await;
    let initial = seed_world(&seeder).await;
    seeder.handle.shutdown().await;
    let mut emu = start(world(
        cell.server_rate.unwrap_or(Rate::per_minute(1_000_000)),
        cell.token_ttl,
    ))
    .await;
    set_faults(&emu.handle, json!({ "seed": seed })).await;
    if cell.oob == OutOfBand::Stuck {
        emu.force_status(&initial["b"], "updating").await;
    }
    set_faults(&emu.handle, faults_on(cell)).await;

    let mut outputs = String::new();
    let rate = if cell.server_rate.is_some() {
        // Told far more than the strict server allows: its 429s come in bursts.
        Rate::per_minute(100_000)
    } else {
        Rate::per_minute(1_000_000)
    };
    let faulty = client(&emu, rate);
    match plan_in(&faulty, dir.path()).await {
        Ok((plan, _)) if !plan.changes.is_empty() => {}
        Ok(_) => result
            .violations
            .push("the first plan was empty".to_owned()),
        Err(e) => {
            writeln!(outputs, "{e}").unwrap();
            result.clean_failures += 1;
        }
    }
    let timeout = parse_timeout(cell.timeout);
    let (first, deleted) = tokio::join!(
        apply_in(&faulty, dir.path(), timeout),
        act_out_of_band(&emu, cell.oob, &initial)
    );
    writeln!(outputs, "{}", said(&first)).unwrap();
    set_faults(&emu.handle, faults_off()).await;
    let mut allowed_gone = BTreeSet::from([initial["r"].clone()]);
    allowed_gone.extend(deleted);
    let first_done = first.as_ref().is_ok_and(ApplyReport::succeeded);
    match (first_done, converged(&emu, dir.path()).await) {
        (true, Ok(true)) => result.converged_first = true,
        (_, Err(e)) => result.violations.push(e),
        (done, Ok(_)) => {
            // Done but not converged: something moved under it (out of band), and the
            // next run puts it right.
            if !done {
                match clean_failure(&first) {
                    Ok(()) => result.clean_failures += 1,
                    Err(e) => result.violations.push(format!("first apply: {e}")),
                }
            }
            if cell.oob == OutOfBand::Stuck {
                emu.force_status(&initial["b"], "running").await;
            }
            set_faults(&emu.handle, faults_on(cell)).await;
            let again = apply_in(&faulty, dir.path(), Duration::from_secs(20)).await;
            writeln!(outputs, "{}", said(&again)).unwrap();
            set_faults(&emu.handle, faults_off()).await;
            match converged(&emu, dir.path()).await {
                Ok(true) => result.converged_rerun = true,
                Ok(false) => result
                    .violations
                    .push(format!("the re-run did not converge: {}", said(&again))),
                Err(e) => result.violations.push(e),
            }
        }
    }
    check_world(
        &mut emu,
        dir.path(),
        &initial,
        &allowed_gone,
        &outputs,
        &mut result,
    )
    .await;
    emu.handle.shutdown().await;
    if std::env::var_os("AURAFORM_MATRIX_VERBOSE").is_some() {
        eprintln!("=== {} (seed {seed})\n{outputs}", cell.name);
    }
    result
}

fn parse_timeout(text: &str) -> Duration {
    text.parse::<auraform::units::WallDuration>().unwrap().0
}

/// Totals of one cell over its runs.
#[derive(Debug, Default)]
struct Row {
    runs: u32,
    first: u32,
    rerun: u32,
    clean_failures: u32,
    lost: u32,
    duplicated: u32,
    violations: Vec<String>,
    /// Wall time of the cell's runs.
    seconds: f64,
}

async fn matrix(seeds: u64) -> Vec<(&'static str, Row)> {
    let cells = cells();
    let runs = cells.iter().map(|cell| async move {
        let mut row = Row::default();
        let started = std::time::Instant::now();
        for seed in 0..seeds {
            let r = run_cell(cell, 1000 + seed).await;
            row.runs += 1;
            row.first += u32::from(r.converged_first);
            row.rerun += u32::from(r.converged_rerun);
            row.clean_failures += r.clean_failures;
            row.lost += r.lost;
            row.duplicated += r.duplicated;
            row.violations.extend(
                r.violations
                    .into_iter()
                    .map(|v| format!("seed {}: {v}", 1000 + seed)),
            );
        }
        row.seconds = started.elapsed().as_secs_f64();
        (cell.name, row)
    });
    futures::future::join_all(runs).await
}

fn table(rows: &[(&str, Row)]) -> String {
    let mut out = String::from(
        "| cell | runs | converged first time | converged on re-run | clean failures | passwords lost (reported) | duplicated | violations | seconds |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (name, r) in rows {
        writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {:.1} |",
            r.runs,
            r.first,
            r.rerun,
            r.clean_failures,
            r.lost,
            r.duplicated,
            r.violations.len(),
            r.seconds
        )
        .unwrap();
    }
    out
}

fn assert_rows(rows: &[(&str, Row)]) {
    let table = table(rows);
    eprintln!("{table}");
    let violations: Vec<String> = rows
        .iter()
        .flat_map(|(name, r)| r.violations.iter().map(move |v| format!("{name}: {v}")))
        .collect();
    assert!(violations.is_empty(), "{table}\n{violations:#?}");
    for (name, r) in rows {
        assert_eq!(
            r.first + r.rerun,
            r.runs,
            "{name}: every run converges\n{table}"
        );
        assert_eq!(r.duplicated, 0, "{name}\n{table}");
    }
}

/// Every cell once (seeded), all cells at the same time: the size that fits CI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix_one_seed_per_cell() {
    assert_rows(&matrix(1).await);
}

/// The larger sweep: `AURAFORM_MATRIX_SEEDS` seeds per cell (default 10); prints the
/// table. `AURAFORM_MATRIX_SEEDS=20 cargo nextest run --run-ignored only fault_matrix_sweep --no-capture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the large sweep: minutes; run it with --run-ignored only"]
async fn fault_matrix_sweep() {
    let seeds = std::env::var("AURAFORM_MATRIX_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    assert_rows(&matrix(seeds).await);
}
