//! The executor against the in-process emulator: parallel creates, credentials,
//! convergence, failure isolation, 409 handling.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use auraform::api::{AuraClient, ClientConfig};
use auraform::apply::{ApplyOptions, InstanceOutcome, Progress, Timeouts, execute};
use auraform::emulator::{EmulatorConfig, EmulatorHandle};
use auraform::plan::{Live, Plan, PlanOptions, StepAction, plan};
use auraform::units::Rate;

use crate::support::client::emulator_and_client;

/// A `Write` the test can read back (captured progress).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

const RATE: Rate = Rate {
    count: 6000,
    per: Duration::from_secs(60),
};

struct World {
    emulator: EmulatorHandle,
    client: AuraClient,
    dir: tempfile::TempDir,
}

async fn world(speed: f64) -> World {
    world_with(speed, |_| {}).await
}

async fn world_with(speed: f64, tune: impl FnOnce(&mut ClientConfig)) -> World {
    let (emulator, client) = emulator_and_client(
        EmulatorConfig {
            speed,
            rate_limit: RATE,
            ..EmulatorConfig::default()
        },
        tune,
    )
    .await;
    World {
        emulator,
        client,
        dir: tempfile::tempdir().unwrap(),
    }
}

impl World {
    fn write_config(&self, yaml: &str) -> PathBuf {
        let path = self.dir.path().join("aura.yaml");
        std::fs::write(&path, yaml).unwrap();
        path
    }

    async fn plan(&self, yaml: &str) -> (Plan, PathBuf) {
        let path = self.write_config(yaml);
        let loaded = auraform::config::load(&path, &|_| None).unwrap();
        let snapshot = self
            .client
            .fetch_project(&loaded.desired.project, |_| true)
            .await
            .unwrap();
        let live = Live::from_project(&snapshot);
        let plan = plan(&loaded.desired, &live, &PlanOptions::default()).unwrap();
        (plan, loaded.desired.credentials_dir.clone())
    }

    #[allow(clippy::unused_self)] // reads best as `w.options(…)` next to `w.plan(…)`
    fn options(&self, credentials_dir: &Path, plan: &Plan, out: &Captured) -> ApplyOptions {
        let mut opts = ApplyOptions::new(credentials_dir);
        opts.poll_interval = Duration::from_millis(100);
        opts.timeouts = Timeouts::uniform(Duration::from_secs(60));
        opts.progress = Progress::plain_to(
            Box::new(out.clone()),
            plan.changes.iter().map(|c| c.name.as_str()),
        );
        opts
    }

    async fn force_status(&self, id: &str, status: &str) {
        let url = format!(
            "{}/_emulator/instances/{id}/status",
            self.emulator.base_url()
        );
        let resp = reqwest::Client::new()
            .post(url)
            .json(&serde_json::json!({ "status": status }))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());
    }

    async fn stats(&self) -> serde_json::Value {
        let url = format!("{}/_emulator/stats", self.emulator.base_url());
        reqwest::get(url).await.unwrap().json().await.unwrap()
    }

    async fn id_of(&self, name: &str) -> String {
        let project = self.emulator.project_id("demo").unwrap().to_owned();
        let list = self.client.list_instances(&project).await.unwrap();
        list.into_iter().find(|s| s.name == name).unwrap().id
    }
}

const THREE: &str = r#"
project: demo
defaults:
  cloud_provider: gcp
  region: europe-west1
  version: "5"
  type: professional-db
instances:
  alpha:
    memory: 2GB
  beta:
    memory: 4GB
    state: paused
  gamma:
    type: business-critical
    memory: 4GB
    cdc_enrichment_mode: DIFF
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_in_parallel_writes_credentials_and_converges() {
    let w = world(100.0).await;
    let (p, creds) = w.plan(THREE).await;
    assert_eq!(p.changes.len(), 3);
    let out = Captured::default();
    let report = execute(&w.client, &p, &w.options(&creds, &p, &out)).await;
    let rendered = report.render();
    assert!(report.succeeded(), "{rendered}\n{}", out.text());
    assert_eq!(report.exit_code(), 0);

    for inst in &report.instances {
        assert_eq!(inst.outcome, InstanceOutcome::Done, "{rendered}");
        let path = inst
            .credentials
            .as_ref()
            .and_then(|d| d.file.as_ref())
            .expect("credentials path");
        assert_eq!(path, &creds.join(format!("{}.env", inst.name)));
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains(&format!("AURA_INSTANCE_ID={}", inst.id.as_ref().unwrap())));
        let password = text
            .lines()
            .find_map(|l| l.strip_prefix("NEO4J_PASSWORD="))
            .unwrap();
        assert!(password.len() >= 8);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Never in the progress lines nor the report.
        assert!(!out.text().contains(password));
        assert!(!rendered.contains(password));
    }
    assert_eq!(
        std::fs::read_to_string(creds.join(".gitignore")).unwrap(),
        "*\n"
    );
    let beta = &report.instances[1];
    assert_eq!(beta.completed, ["create", "pause"]);
    assert_eq!(beta.last_status.as_deref(), Some("paused"));

    // Plain progress lines: `HH:MM:SS name: step … status`.
    let progress = out.text();
    assert!(progress.contains(" alpha: create … started"), "{progress}");
    assert!(progress.contains(" beta: pause … "), "{progress}");

    // Planning again finds nothing to do, and a second apply does nothing.
    let (again, _) = w.plan(THREE).await;
    assert!(again.changes.is_empty(), "{again:#?}");
    let before = w.stats().await["requests"].as_u64().unwrap();
    let out2 = Captured::default();
    let second = execute(&w.client, &again, &w.options(&creds, &again, &out2)).await;
    assert!(second.succeeded());
    assert!(second.instances.is_empty());
    assert_eq!(w.stats().await["requests"].as_u64().unwrap(), before);
    assert_eq!(w.stats().await["by_status"]["429"], serde_json::Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_failed_instance_does_not_stop_the_others() {
    let w = world(100.0).await;
    let two = r#"
project: demo
defaults: { cloud_provider: gcp, region: europe-west1, version: "5", type: professional-db }
instances:
  good:
    memory: 2GB
  bad:
    memory: 2GB
"#;
    let (p, creds) = w.plan(two).await;
    let out = Captured::default();
    assert!(
        execute(&w.client, &p, &w.options(&creds, &p, &out))
            .await
            .succeeded()
    );

    // Both now change memory; `bad` is busy, so its chain starts by waiting — and
    // while it waits, it goes to `loading failed`.
    let bad_id = w.id_of("bad").await;
    w.force_status(&bad_id, "updating").await;
    let resized = two.replace("2GB", "4GB");
    let (p, _) = w.plan(&resized).await;
    let bad_change = p.change("bad").unwrap();
    assert_eq!(bad_change.steps[0].action, StepAction::Wait);
    let trigger = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        w.force_status(&bad_id, "loading failed").await;
    };
    let out = Captured::default();
    let opts = w.options(&creds, &p, &out);
    let (report, ()) = tokio::join!(execute(&w.client, &p, &opts), trigger);

    assert_eq!(report.exit_code(), 1);
    let good = report.instances.iter().find(|i| i.name == "good").unwrap();
    assert_eq!(good.outcome, InstanceOutcome::Done, "{}", report.render());
    let bad = report.instances.iter().find(|i| i.name == "bad").unwrap();
    match &bad.outcome {
        InstanceOutcome::Failed { step, reason } => {
            assert_eq!(step, "wait");
            assert!(reason.contains("loading failed"), "{reason}");
        }
        other => panic!("{other:?}\n{}", report.render()),
    }
    assert_eq!(bad.remaining, ["wait", "update"]);
    let text = report.render();
    assert!(
        text.starts_with("Apply finished with errors: 1 done, 1 failed."),
        "{text}"
    );
    assert!(out.text().contains("bad: FAILED"), "{}", out.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_instance_409_is_waited_out_and_retried() {
    let w = world(100.0).await;
    let running = r#"
project: demo
defaults: { cloud_provider: gcp, region: europe-west1, version: "5", type: professional-db }
instances:
  busy:
    memory: 2GB
"#;
    let (p, creds) = w.plan(running).await;
    let out = Captured::default();
    assert!(
        execute(&w.client, &p, &w.options(&creds, &p, &out))
            .await
            .succeeded()
    );

    // Plan a pause while it is running, then make it busy before applying.
    let paused = running.replace("memory: 2GB", "memory: 2GB\n    state: paused");
    let (p, _) = w.plan(&paused).await;
    assert_eq!(p.changes[0].steps[0].action, StepAction::Pause);
    let id = w.id_of("busy").await;
    w.force_status(&id, "updating").await;
    // Released only once the pause has drawn a 409, however slow the machine.
    let release = async {
        for _ in 0..3000 {
            if w.stats().await["by_status"]["409"].as_u64().unwrap_or(0) > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        w.force_status(&id, "running").await;
    };
    let out = Captured::default();
    let opts = w.options(&creds, &p, &out);
    let (report, ()) = tokio::join!(execute(&w.client, &p, &opts), release);
    assert!(report.succeeded(), "{}\n{}", report.render(), out.text());
    assert_eq!(report.instances[0].last_status.as_deref(), Some("paused"));
    let stats = w.stats().await;
    assert!(
        stats["by_status"]["409"].as_u64().unwrap_or(0) >= 1,
        "{stats}"
    );
    assert!(out.text().contains("busy (409)"), "{}", out.text());
}

/// Every row of docs/plan.md that acts, applied on the emulator, then planned again:
/// no changes. (Create with PATCH-only fields and pause is covered above.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_plan_row_applies_and_converges() {
    let w = world(100.0).await;
    let base = r#"
project: demo
defaults: { cloud_provider: gcp, region: europe-west1, version: "5", type: professional-db }
instances:
  resize: { memory: 2GB }
  resize-paused: { memory: 2GB, state: paused }
  upgrade: { memory: 4GB }
  move: { memory: 2GB, allow_replace: true }
  old-name: { memory: 2GB }
  extra: { memory: 2GB }
  busy: { memory: 2GB }
  sleeper: { memory: 2GB, state: paused }
"#;
    let (p, creds) = w.plan(base).await;
    let out = Captured::default();
    let report = execute(&w.client, &p, &w.options(&creds, &p, &out)).await;
    assert!(report.succeeded(), "{}", report.render());
    let old_id = w.id_of("old-name").await;

    let changed = format!(
        r#"
project: demo
prune: true
defaults: {{ cloud_provider: gcp, region: europe-west1, version: "5", type: professional-db }}
instances:
  resize: {{ memory: 4GB }}
  resize-paused: {{ memory: 4GB, state: paused }}
  upgrade: {{ type: business-critical, memory: 4GB }}
  move: {{ memory: 2GB, region: europe-west2, allow_replace: true }}
  new-name: {{ id: {old_id}, memory: 2GB }}
  busy: {{ memory: 2GB, state: paused }}
  sleeper: {{ memory: 2GB }}
"#
    );
    // `busy` is in the middle of something when the plan is made.
    let busy_id = w.id_of("busy").await;
    w.force_status(&busy_id, "updating").await;
    let (p, _) = w.plan(&changed).await;
    let actions = |name: &str| -> Vec<&str> {
        p.change(name)
            .unwrap_or_else(|| panic!("no change for {name}: {p:#?}"))
            .actions
            .iter()
            .map(|a| a.as_str())
            .collect()
    };
    assert_eq!(actions("resize"), ["update"]);
    assert_eq!(actions("resize-paused"), ["resume", "update", "pause"]);
    assert_eq!(actions("upgrade"), ["upgrade"]);
    assert_eq!(actions("move"), ["replace"]);
    assert_eq!(actions("new-name"), ["update"]);
    assert_eq!(actions("extra"), ["delete"]);
    assert_eq!(actions("busy"), ["wait", "pause"]);
    assert_eq!(actions("sleeper"), ["resume"]);

    let release = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        w.force_status(&busy_id, "running").await;
    };
    let out = Captured::default();
    let opts = w.options(&creds, &p, &out);
    let (report, ()) = tokio::join!(execute(&w.client, &p, &opts), release);
    assert!(report.succeeded(), "{}\n{}", report.render(), out.text());

    // The replaced instance's new password is at the stable path; the deleted one's
    // is kept aside, marked stale.
    let moved = report.instances.iter().find(|i| i.name == "move").unwrap();
    let new_id = moved.id.clone().unwrap();
    let old_move_id = p.change("move").unwrap().id.clone().unwrap();
    assert_eq!(
        moved.credentials.as_ref().and_then(|d| d.file.as_deref()),
        Some(creds.join("move.env").as_path())
    );
    let live = std::fs::read_to_string(creds.join("move.env")).unwrap();
    assert!(
        live.contains(&format!("AURA_INSTANCE_ID={new_id}\n")),
        "{live}"
    );
    let stale =
        std::fs::read_to_string(creds.join(format!("move.{old_move_id}.stale.env"))).unwrap();
    assert!(stale.starts_with("# STALE"), "{stale}");
    assert!(
        stale.contains(&format!("AURA_INSTANCE_ID={old_move_id}\n")),
        "{stale}"
    );

    let (again, _) = w.plan(&changed).await;
    assert!(again.changes.is_empty(), "{again:#?}");
}
