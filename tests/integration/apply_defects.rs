//! Regression tests for defects found trying auraform as a new user would (issue 11),
//! each named after what it guards: the executor against the in-process emulator,
//! sometimes through a proxy that answers what the emulator's faults cannot.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use auraform::api::{AuraClient, ClientConfig, Credentials};
use auraform::apply::{ApplyOptions, ApplyReport, InstanceOutcome, Timeouts, execute};
use auraform::emulator::{EmulatorConfig, EmulatorHandle, spawn};
use auraform::plan::{Live, Plan, PlanOptions, plan};
use auraform::units::Rate;
use reqwest::Method;

use crate::support::proxy::{self as proxy_support, Action};

const FAST: Rate = Rate {
    count: 6000,
    per: Duration::from_secs(60),
};

const ONE: &str = r#"
project: demo
defaults: { cloud_provider: gcp, region: europe-west1, version: "5", type: professional-db }
instances:
  maybe: { memory: 2GB }
"#;

async fn emulator(speed: f64, rate: Rate) -> EmulatorHandle {
    spawn(EmulatorConfig {
        speed,
        rate_limit: rate,
        seed: Some(11),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap()
}

fn client(base_url: &str, rate: Rate) -> AuraClient {
    let mut config = ClientConfig::new(base_url, Credentials::new("emulator", "emulator-secret"));
    config.rate = rate;
    AuraClient::new(config).unwrap()
}

/// Plans `yaml` (written into `dir`) against what `client` sees; the plan, the ids
/// it was made from, and the credentials directory.
async fn plan_in(client: &AuraClient, dir: &Path, yaml: &str) -> (Plan, HashSet<String>, PathBuf) {
    let path = dir.join("aura.yaml");
    std::fs::write(&path, yaml).unwrap();
    let loaded = auraform::config::load(&path, &|_| None).unwrap();
    let snapshot = client
        .fetch_project(&loaded.desired.project, |_| true)
        .await
        .unwrap();
    let live = Live::from_project(&snapshot);
    let plan = plan(&loaded.desired, &live, &PlanOptions::default()).unwrap();
    let known = live.summaries.iter().map(|s| s.id.clone()).collect();
    (plan, known, loaded.desired.credentials_dir.clone())
}

fn options(creds: &Path, known: HashSet<String>) -> ApplyOptions {
    let mut opts = ApplyOptions::new(creds);
    opts.poll_interval = Duration::from_millis(50);
    opts.usual = auraform::apply::UsualDurations::unknown();
    opts.timeouts = Timeouts::uniform(Duration::from_secs(60));
    opts.not_found_grace = Duration::from_millis(400);
    opts.known_ids = known;
    opts
}

async fn names(client: &AuraClient, emulator: &EmulatorHandle, name: &str) -> Vec<String> {
    let project = emulator.project_id("demo").unwrap();
    let list = client.list_instances(project).await.unwrap();
    list.into_iter()
        .filter(|s| s.name == name)
        .map(|s| s.id)
        .collect()
}

async fn stats(emulator: &EmulatorHandle) -> serde_json::Value {
    let url = format!("{}/_emulator/stats", emulator.base_url());
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

fn posts(stats: &serde_json::Value, route: &str) -> u64 {
    stats["by_route"][route].as_u64().unwrap_or(0)
}

fn assert_done(report: &ApplyReport) {
    assert!(report.succeeded(), "{}", report.render());
}

/// An emulator, a proxy in front of it that decides what to do with the n-th
/// `POST /v1/instances` (every other request is forwarded), a client through the
/// proxy, and a directory for [`ONE`].
struct Proxied {
    emulator: EmulatorHandle,
    proxy: proxy_support::Proxy,
    client: AuraClient,
    dir: tempfile::TempDir,
}

impl Proxied {
    async fn start(on_create: impl Fn(usize) -> Action + Send + Sync + 'static) -> Self {
        Self::start_with(on_create, |_| {}).await
    }

    async fn start_with(
        on_create: impl Fn(usize) -> Action + Send + Sync + 'static,
        tune: impl FnOnce(&mut ClientConfig),
    ) -> Self {
        let emulator = emulator(1000.0, FAST).await;
        let proxy = proxy_support::start(
            &emulator.base_url(),
            Arc::new(move |m: &Method, path: &str, n: usize| {
                if m == Method::POST && path == "/v1/instances" {
                    on_create(n)
                } else {
                    Action::Forward
                }
            }),
        )
        .await;
        let mut config = ClientConfig::new(
            proxy.base_url.as_str(),
            Credentials::new("emulator", "emulator-secret"),
        );
        config.rate = FAST;
        tune(&mut config);
        let client = AuraClient::new(config).unwrap();
        Self {
            emulator,
            proxy,
            client,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Plans [`ONE`] and applies it; the report and the credentials directory.
    async fn apply_one(&self) -> (ApplyReport, PathBuf) {
        let (p, known, creds) = plan_in(&self.client, self.dir.path(), ONE).await;
        (
            execute(&self.client, &p, &options(&creds, known)).await,
            creds,
        )
    }

    fn creates_sent(&self) -> usize {
        self.proxy.count(&Method::POST, "/v1/instances")
    }
}

/// A create answered 429 was not processed: it is sent again after `Retry-After`
/// (it failed the instance with a 5/min and a 20/min server and default flags).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_answered_429_is_sent_again_after_retry_after() {
    let w = Proxied::start(|n| {
        if n < 2 {
            Action::Answer(429, r#"{"error":"API rate limit exceeded"}"#)
        } else {
            Action::Forward
        }
    })
    .await;
    let started = std::time::Instant::now();
    let (report, creds) = w.apply_one().await;
    assert_done(&report);
    // Twice refused, each time after `Retry-After: 1`; the third is processed.
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(w.creates_sent(), 3);
    assert_eq!(posts(&stats(&w.emulator).await, "POST /v1/instances"), 1);
    assert_eq!(w.client.counts().rate_limited, 2);
    assert_eq!(names(&w.client, &w.emulator, "maybe").await.len(), 1);
    assert!(creds.join("maybe.env").exists());
}

/// A connection that could not be opened carried no request: a create is sent again
/// (here the API is down for a moment between the token and the create).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_refused_connection_is_sent_again() {
    let state = tempfile::tempdir().unwrap();
    let config = EmulatorConfig {
        speed: 1000.0,
        rate_limit: FAST,
        seed: Some(5),
        state_file: Some(state.path().join("world.json")),
        ..EmulatorConfig::default()
    };
    let first = spawn(config.clone()).await.unwrap();
    let addr = first.addr();
    let client = client(&first.base_url(), FAST);
    let project = first.project_id("demo").unwrap().to_owned();
    client.list_tenants().await.unwrap(); // token cached
    first.shutdown().await;
    let restart = async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        tokio::spawn(auraform::emulator::serve(
            listener,
            config,
            std::future::pending(),
        ));
    };
    let request = crate::support::client::create_request(&project, "after-refusal");
    let (created, ()) = tokio::join!(client.create_instance(&request), restart);
    let created = created.unwrap();
    assert!(client.counts().retries > 0);
    let list = client.list_instances(&project).await.unwrap();
    let same: Vec<_> = list.iter().filter(|s| s.name == "after-refusal").collect();
    assert_eq!(same.len(), 1, "{list:?}");
    assert_eq!(same[0].id, created.id);
}

/// A create answered 502 (a proxy's HTML page) after which the project shows no such
/// instance for the whole grace period is created then — once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_answered_502_with_nothing_created_is_created_once() {
    let w = Proxied::start(|n| {
        if n == 0 {
            Action::Answer(502, "<html><body>502 Bad Gateway</body></html>")
        } else {
            Action::Forward
        }
    })
    .await;
    let (report, creds) = w.apply_one().await;
    assert_done(&report);
    assert_eq!(w.creates_sent(), 2);
    assert_eq!(posts(&stats(&w.emulator).await, "POST /v1/instances"), 1);
    let ids = names(&w.client, &w.emulator, "maybe").await;
    assert_eq!(ids.len(), 1);
    let text = std::fs::read_to_string(creds.join("maybe.env")).unwrap();
    assert!(text.contains(&format!("AURA_INSTANCE_ID={}\n", ids[0])));
}

/// A create that happened but whose answer was lost (502) is found by listing, never
/// sent again; the report says the password is lost and how to recover, and the next
/// plan adopts the instance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_whose_answer_was_lost_is_reported_and_never_sent_again() {
    let w = Proxied::start(|_| Action::Lose(502, "<html>502 Bad Gateway</html>")).await;
    let (report, creds) = w.apply_one().await;
    let InstanceOutcome::Failed { reason, .. } = &report.instances[0].outcome else {
        panic!("{}", report.render());
    };
    assert!(reason.contains("password is lost"), "{reason}");
    assert_eq!(w.creates_sent(), 1);
    let ids = names(&w.client, &w.emulator, "maybe").await;
    assert_eq!(ids.len(), 1);
    assert!(report.render().contains(&ids[0]));
    assert!(!creds.join("maybe.env").exists());
    let (again, _, _) = plan_in(&w.client, w.dir.path(), ONE).await;
    assert!(again.changes.is_empty(), "{again:#?}");
}

/// `POST /instances` timed out after the API acted on it: the outcome is unknown.
/// It is never sent again; the listing finds the instance and says the password is
/// lost (the emulator's own latency would slow every request; the proxy slows only
/// this answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_that_timed_out_is_resolved_by_listing_never_by_resending() {
    let w = Proxied::start_with(
        |_| Action::Hold(Duration::from_millis(900)),
        |c| c.request_timeout = Duration::from_millis(300),
    )
    .await;
    let (report, _) = w.apply_one().await;
    let InstanceOutcome::Failed { reason, .. } = &report.instances[0].outcome else {
        panic!("{}", report.render());
    };
    assert!(reason.contains("password is lost (timed out: "), "{reason}");
    assert_eq!(w.creates_sent(), 1);
    assert_eq!(names(&w.client, &w.emulator, "maybe").await.len(), 1);
    assert!(report.render().contains("reset its password"));
}

/// No trustworthy answer, three times, and nothing created each time: the step gives
/// up, saying so, after three POSTs (never an endless loop, never two instances).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_without_answer_three_times_gives_up_having_created_nothing() {
    let w = Proxied::start(|_| Action::Answer(503, "")).await;
    let (report, _) = w.apply_one().await;
    let InstanceOutcome::Failed { reason, .. } = &report.instances[0].outcome else {
        panic!("{}", report.render());
    };
    assert!(reason.contains("3 times"), "{reason}");
    assert!(reason.contains("nothing was created"), "{reason}");
    assert_eq!(w.creates_sent(), 3);
    assert!(names(&w.client, &w.emulator, "maybe").await.is_empty());
}

/// Plans `yaml` with `busy` in the middle of an update, then lets it settle as `to`
/// (another run got there first) and applies the plan.
async fn apply_after_busy_settles(
    declared: &str,
    to: &str,
) -> (EmulatorHandle, AuraClient, Plan, ApplyReport) {
    let emulator = emulator(1000.0, FAST).await;
    let client = client(&emulator.base_url(), FAST);
    let dir = tempfile::tempdir().unwrap();
    let running = r#"
project: demo
defaults: { cloud_provider: gcp, region: europe-west1, version: "5", type: professional-db }
instances:
  busy: { memory: 2GB }
"#;
    let (p, known, creds) = plan_in(&client, dir.path(), running).await;
    assert_done(&execute(&client, &p, &options(&creds, known)).await);
    let id = names(&client, &emulator, "busy").await.remove(0);
    let force = |status: &'static str| {
        let url = format!("{}/_emulator/instances/{id}/status", emulator.base_url());
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .json(&serde_json::json!({ "status": status }))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
        }
    };
    force("updating").await;
    let (p, known, creds) = plan_in(&client, dir.path(), declared).await;
    assert_eq!(p.changes[0].steps[0].action.as_str(), "wait", "{p:#?}");
    let settled = match to {
        "paused" => "paused",
        _ => "running",
    };
    force(settled).await;
    let report = execute(&client, &p, &options(&creds, known)).await;
    (emulator, client, p, report)
}

/// A `wait` that finds its instance already settled as the plan wants it (another run
/// paused it) accepts that state instead of waiting 15 minutes for `running`: the
/// pause it was going to send is not needed and not sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_accepts_a_settled_state_that_satisfies_the_plan() {
    let paused = r#"
project: demo
defaults: { cloud_provider: gcp, region: europe-west1, version: "5", type: professional-db }
instances:
  busy: { memory: 2GB, state: paused }
"#;
    let (emulator, _client, p, report) = apply_after_busy_settles(paused, "paused").await;
    assert_eq!(
        p.changes[0]
            .steps
            .iter()
            .map(|s| s.action.as_str())
            .collect::<Vec<_>>(),
        ["wait", "pause"]
    );
    assert_done(&report);
    assert_eq!(report.instances[0].completed, ["wait"]);
    assert_eq!(report.instances[0].last_status.as_deref(), Some("paused"));
    assert_eq!(
        posts(&stats(&emulator).await, "POST /v1/instances/{id}/pause"),
        0
    );
}

/// A `wait` that finds its instance paused when the rest of the chain needs it
/// running re-derives the chain: resume first, then the resize, then pause again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_that_finds_it_paused_resumes_before_a_resize() {
    let bigger = r#"
project: demo
defaults: { cloud_provider: gcp, region: europe-west1, version: "5", type: professional-db }
instances:
  busy: { memory: 4GB }
"#;
    let (_emulator, client, _p, report) = apply_after_busy_settles(bigger, "paused").await;
    assert_done(&report);
    assert_eq!(report.instances[0].completed, ["wait", "resume", "update"]);
    let dir = tempfile::tempdir().unwrap();
    let (again, _, _) = plan_in(&client, dir.path(), bigger).await;
    assert!(again.changes.is_empty(), "{again:#?}");
}
