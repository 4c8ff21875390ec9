//! Crash recovery (docs/apply.md §17): the real binary killed with SIGKILL at seeded
//! moments across create, update, pause, resume, upgrade, clone, delete and replace
//! chains, then `apply` run again. Every moment must end converged (a plan after the
//! re-run is empty), with exactly one instance per declared name, every credentials
//! file complete, and every created instance's password on disk — or, when the kill
//! fell between the create's answer and the credentials write, reported by the
//! re-run with the instance's id and the remedy.
//!
//! The normal suite runs three moments. The sweep (every named moment plus seeded
//! random ones) prints a table:
//! `AURAFORM_CRASH_RANDOM=10 cargo nextest run --run-ignored only crash_sweep --no-capture`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use auraform::apply::{ApplyOptions, Timeouts, execute};
use rand::{RngExt, SeedableRng};
use reqwest::Method;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::apply_overlap::{auraform_at, credentials_files, emulator, live};
use crate::support::proxy::{self as proxy_support, Action};

/// What exists before the killed run.
const BEFORE: &str = r#"
project: demo
defaults: { cloud_provider: gcp, region: europe-west1, version: "5", type: professional-db }
instances:
  resize: { memory: 2GB }
  worker: { memory: 2GB }
  sleeper: { memory: 2GB, state: paused }
  upgrade: { memory: 4GB }
  doomed: { memory: 2GB }
  moved: { memory: 2GB, allow_replace: true }
"#;

/// What the killed run (and the re-run) apply: one chain of every kind. `copy` is as
/// large as `resize` becomes: a clone smaller than its source is refused at plan time.
const AFTER: &str = r#"
project: demo
prune: true
defaults: { cloud_provider: gcp, region: europe-west1, version: "5", type: professional-db }
instances:
  resize: { memory: 4GB }
  worker: { memory: 2GB, state: paused }
  sleeper: { memory: 2GB }
  upgrade: { memory: 4GB, type: business-critical }
  moved: { memory: 2GB, region: europe-west2, allow_replace: true }
  fresh: { memory: 2GB }
  copy: { memory: 4GB, source: { instance: resize } }
  fresh-copy: { memory: 2GB, source: { instance: fresh } }
"#;

const DECLARED: [&str; 8] = [
    "resize",
    "worker",
    "sleeper",
    "upgrade",
    "moved",
    "fresh",
    "copy",
    "fresh-copy",
];

/// When the kill lands.
#[derive(Clone, Debug)]
enum Moment {
    /// After a progress line containing this text, plus a delay.
    Line(&'static str, u64),
    /// This long after the start.
    After(u64),
    /// While the answer of a create of the run is held back (the instance exists;
    /// the password is only in the answer).
    AnswerHeld,
}

impl Moment {
    fn label(&self) -> String {
        match self {
            Moment::Line(text, 0) => format!("after `{text}`"),
            Moment::Line(text, ms) => format!("{ms} ms after `{text}`"),
            Moment::After(ms) => format!("{ms} ms after start"),
            Moment::AnswerHeld => "create answered, credentials not written".to_owned(),
        }
    }
}

/// The named moments of the sweep.
fn moments() -> Vec<Moment> {
    use Moment::{AnswerHeld, Line};
    vec![
        Line("Plan: ", 0),
        Line("fresh: create … started", 0),
        Line("fresh: create … sending POST /instances", 0),
        Line("fresh: create … sending POST /instances", 3),
        AnswerHeld,
        Line("fresh: create … creating", 0),
        Line("fresh: done", 0),
        Line("copy: create … sending POST /instances", 2),
        Line("copy: create … creating", 0),
        Line("fresh-copy: create … sending POST /instances", 0),
        Line("fresh-copy: create … creating", 0),
        Line("resize: update … started", 0),
        Line("resize: update … updating", 0),
        Line("worker: pause … started", 0),
        Line("worker: pause … pausing", 0),
        Line("sleeper: resume … resuming", 0),
        Line("upgrade: upgrade … started", 0),
        Line("upgrade: done", 0),
        Line("doomed: delete … started", 0),
        Line("doomed: delete … destroying", 0),
        Line("moved: delete … destroying", 0),
        Line("moved: create … sending POST /instances", 1),
        Line("moved: create … creating", 0),
        Line("moved: done", 0),
    ]
}

/// One row of the table.
#[derive(Debug)]
struct Row {
    moment: String,
    killed: bool,
    converged: bool,
    reported_unsaved: usize,
    lost_unreported: usize,
    duplicated: usize,
    half_written: usize,
}

/// Runs `apply` in `dir` through `proxy` and kills it with SIGKILL at `moment`.
/// False when it ended before the moment came.
async fn kill_at(moment: &Moment, dir: &Path, proxy: &proxy_support::Proxy) -> bool {
    let mut child = auraform_at(dir, &proxy.base_url)
        .args(["apply", "--auto-approve"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    for pipe in [
        Box::new(stdout) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
        Box::new(stderr),
    ] {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = tx.send(line);
            }
        });
    }
    drop(tx);
    let started = tokio::time::Instant::now();
    let trigger = async {
        match moment {
            Moment::Line(text, delay) => {
                while let Some(line) = rx.recv().await {
                    if line.contains(text) {
                        tokio::time::sleep(Duration::from_millis(*delay)).await;
                        return true;
                    }
                }
                false
            }
            Moment::After(ms) => {
                tokio::time::sleep_until(started + Duration::from_millis(*ms)).await;
                true
            }
            Moment::AnswerHeld => {
                for _ in 0..3000 {
                    if proxy.intercepted() > 0 {
                        return true;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                false
            }
        }
    };
    let killed = tokio::select! {
        fire = trigger => fire && child.start_kill().is_ok(),
        _ = child.wait() => false,
    };
    let _ = tokio::time::timeout(Duration::from_secs(60), child.wait()).await;
    killed
}

async fn run_moment(moment: &Moment, seed: u64) -> Row {
    let (emulator, client) = emulator(100.0, seed).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aura.yaml");

    // The world before: applied in process, credentials in the same folder.
    std::fs::write(&path, BEFORE).unwrap();
    let (desired, live_before, plan) = crate::support::apply::plan_file(&client, &path).await;
    let mut opts = ApplyOptions::new(&desired.credentials_dir);
    opts.poll_interval = Duration::from_millis(50);
    opts.timeouts = Timeouts::uniform(Duration::from_secs(60));
    opts.known_ids = live_before.summaries.iter().map(|s| s.id.clone()).collect();
    let report = execute(&client, &plan, &opts).await;
    assert!(report.succeeded(), "{}", report.render());
    std::fs::write(&path, AFTER).unwrap();

    // The killed run goes through a proxy that can hold a create's answer back.
    let hold = Arc::new(AtomicBool::new(matches!(moment, Moment::AnswerHeld)));
    let holding = Arc::clone(&hold);
    let proxy = proxy_support::start(
        &emulator.base_url(),
        Arc::new(move |m: &Method, p: &str, _| {
            if holding.load(Ordering::SeqCst) && m == Method::POST && p == "/v1/instances" {
                Action::Hold(Duration::from_secs(30))
            } else {
                Action::Forward
            }
        }),
    )
    .await;
    let killed = kill_at(moment, dir.path(), &proxy).await;
    hold.store(false, Ordering::SeqCst);

    // The re-run, straight to the API.
    let rerun = tokio::time::timeout(
        Duration::from_secs(120),
        auraform_at(dir.path(), &emulator.base_url())
            .args(["apply", "--auto-approve"])
            .output(),
    )
    .await
    .expect("the re-run hung")
    .unwrap();
    let rerun_err = String::from_utf8_lossy(&rerun.stderr).into_owned();
    let rerun_out = String::from_utf8_lossy(&rerun.stdout).into_owned();
    let plan = auraform_at(dir.path(), &emulator.base_url())
        .args(["plan", "--detailed-exitcode"])
        .output()
        .await
        .unwrap();
    let converged = rerun.status.code() == Some(0) && plan.status.code() == Some(0);
    if !converged {
        eprintln!(
            "{}: re-run exit {:?}\n{rerun_out}\n{rerun_err}\nplan:\n{}",
            moment.label(),
            rerun.status.code(),
            String::from_utf8_lossy(&plan.stdout)
        );
    }

    let live: BTreeMap<String, Vec<String>> = live(&emulator, &client).await;
    let duplicated = live.values().filter(|ids| ids.len() > 1).count();
    let files = credentials_files(dir.path());
    let half_written = files.iter().filter(|(_, _, complete)| !complete).count();
    // Instances this test's runs created: everything but what `BEFORE` made and kept.
    let mut reported_unsaved = 0;
    let mut lost_unreported = 0;
    for name in ["fresh", "copy", "fresh-copy", "moved"] {
        for id in live.get(name).into_iter().flatten() {
            if files
                .iter()
                .any(|(_, fid, complete)| fid == id && *complete)
            {
                continue;
            }
            if rerun_err.contains(&format!(
                "`{name}` ({id}) was created by an interrupted apply"
            )) {
                reported_unsaved += 1;
            } else {
                lost_unreported += 1;
                eprintln!(
                    "{}: `{name}` {id} has no credentials and no report\n{rerun_err}",
                    moment.label()
                );
            }
        }
    }
    for name in DECLARED {
        assert!(
            !converged || live.get(name).is_some_and(|ids| !ids.is_empty()),
            "{}: `{name}` is missing after a converged re-run",
            moment.label()
        );
    }
    emulator.shutdown().await;
    Row {
        moment: moment.label(),
        killed,
        converged,
        reported_unsaved,
        lost_unreported,
        duplicated,
        half_written,
    }
}

fn assert_clean(row: &Row) {
    assert!(row.killed, "the kill never fired: {row:?}");
    assert!(row.converged, "{row:?}");
    assert_eq!(
        (row.lost_unreported, row.duplicated, row.half_written),
        (0, 0, 0),
        "{row:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_creating_then_re_run_converges() {
    assert_clean(&run_moment(&Moment::Line("fresh: create … creating", 0), 21).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_resizing_pausing_and_deleting_then_re_run_converges() {
    assert_clean(&run_moment(&Moment::Line("doomed: delete … destroying", 0), 22).await);
}

/// The one window where a password can be lost: the instance exists, its answer
/// never reached the credentials file. The re-run names it and the remedy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_create_answer_and_credentials_the_re_run_names_the_instance() {
    let row = run_moment(&Moment::AnswerHeld, 23).await;
    assert_clean(&row);
    assert!(row.reported_unsaved >= 1, "{row:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the sweep: every named moment plus AURAFORM_CRASH_RANDOM (default 6) seeded ones"]
async fn crash_sweep() {
    let random: u64 = std::env::var("AURAFORM_CRASH_RANDOM")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    let mut all = moments();
    let mut rng = rand::rngs::StdRng::seed_from_u64(77);
    for _ in 0..random {
        all.push(Moment::After(rng.random_range(100..2200)));
    }
    let mut rows = Vec::new();
    for (i, moment) in all.iter().enumerate() {
        let row = run_moment(moment, 100 + i as u64).await;
        eprintln!("{row:?}");
        rows.push(row);
    }
    eprintln!(
        "\n| # | moment | killed | converged on re-run | unsaved, reported | lost unreported | duplicated | half-written files |"
    );
    eprintln!("|---|---|---|---|---|---|---|---|");
    for (i, r) in rows.iter().enumerate() {
        eprintln!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            i + 1,
            r.moment,
            if r.killed { "yes" } else { "no (ended first)" },
            if r.converged { "yes" } else { "NO" },
            r.reported_unsaved,
            r.lost_unreported,
            r.duplicated,
            r.half_written
        );
    }
    for row in &rows {
        assert!(row.converged, "{row:?}");
        assert_eq!(
            (row.lost_unreported, row.duplicated, row.half_written),
            (0, 0, 0),
            "{row:?}"
        );
    }
    assert!(rows.iter().filter(|r| r.killed).count() >= 20);
}
