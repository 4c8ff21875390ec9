//! `auraform plan` end to end: each scenario seeds its live world in a real in-process
//! emulator through the API (creates, resizes, pauses, forced statuses), writes an
//! aura.yaml, runs the real binary with `--api-url` in all three formats and snapshots
//! what it prints. Together the scenarios cover every row of docs/plan.md §3's table plus
//! mixed plans (the same situations as `plan_scenarios`, which builds them in Rust).
//!
//! Every JSON plan is also parsed, its summary checked against its changes, and
//! validated against `schema/plan.schema.json`; every scenario asserts the plan's
//! shape, so accepting a snapshot cannot silently accept a wrong plan.

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::{Value, json};

use super::emulator_support::{Emu, fast, start};

/// Every scenario's aura.yaml starts with this; instances give their own memory.
const HEADER: &str = "\
project: demo
defaults:
  type: professional-db
  cloud_provider: gcp
  region: europe-west1
";

/// What one run of the binary printed.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// One scenario: an emulator of its own, a directory for aura.yaml, and the ids it
/// seeded with the label each is shown as in snapshots.
struct Scenario {
    emu: Emu,
    dir: tempfile::TempDir,
    labels: Vec<(String, String)>,
    /// Top-level keys written between HEADER and `instances:` (e.g. `prune: true`).
    top: &'static str,
}

impl Scenario {
    async fn new() -> Self {
        Self {
            emu: start(fast()).await,
            dir: tempfile::tempdir().unwrap(),
            labels: Vec::new(),
            top: "",
        }
    }

    /// Creates an instance in the demo project from `body` (merged over the defaults),
    /// waits until it runs, and labels its id `[<label>-id]` in snapshots.
    async fn create_as(
        &mut self,
        label: &str,
        name: &str,
        ty: &str,
        memory: &str,
        extra: Value,
    ) -> String {
        let mut body = self.emu.create_body(name, ty, memory);
        if let Value::Object(more) = extra {
            body.as_object_mut().unwrap().extend(more);
        }
        let r = self.emu.post("/v1/instances", body).await;
        assert_eq!(r.status.as_u16(), 202, "{:?}", r.body);
        let id = r.data()["id"].as_str().unwrap().to_owned();
        self.emu.wait(&id, Some("running")).await;
        self.labels.push((id.clone(), label.to_owned()));
        id
    }

    /// A running instance (gcp, europe-west1, version 5) labelled by its name.
    async fn running(&mut self, name: &str, ty: &str, memory: &str) -> String {
        self.create_as(name, name, ty, memory, json!({})).await
    }

    /// Same, with more create fields (region, toggles, …).
    async fn running_with(&mut self, name: &str, ty: &str, memory: &str, extra: Value) -> String {
        self.create_as(name, name, ty, memory, extra).await
    }

    /// A running instance, then paused through the API.
    async fn paused(&mut self, name: &str, ty: &str, memory: &str) -> String {
        let id = self.running(name, ty, memory).await;
        self.pause(&id).await;
        id
    }

    async fn pause(&self, id: &str) {
        let r = self
            .emu
            .post(&format!("/v1/instances/{id}/pause"), json!({}))
            .await;
        assert_eq!(r.status.as_u16(), 202, "{:?}", r.body);
        self.emu.wait(id, Some("paused")).await;
    }

    /// A PATCH through the API (resize, toggles, CDC, secondaries), until running again.
    async fn patch(&self, id: &str, body: Value) {
        let r = self.emu.patch(&format!("/v1/instances/{id}"), body).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        self.emu.wait(id, Some("running")).await;
    }

    /// Forces a status through the emulator's admin route; it stays until changed.
    async fn force(&self, id: &str, status: &str) {
        self.emu.force_status(id, status).await;
    }

    fn yaml(&self, instances: &str) -> String {
        format!("{HEADER}{}instances:\n{instances}", self.top)
    }

    /// Writes aura.yaml (HEADER + `instances`) and runs `auraform plan` on it.
    async fn plan(&self, instances: &str, args: &[&str]) -> Run {
        let file: PathBuf = self.dir.path().join("aura.yaml");
        std::fs::write(&file, self.yaml(instances)).unwrap();
        let out = tokio::process::Command::new(assert_cmd::cargo::cargo_bin("auraform"))
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env("AURA_CLIENT_ID", "emulator")
            .env("AURA_CLIENT_SECRET", "emulator-secret")
            .env_remove("AURA_PROJECT")
            .env_remove("AURA_API_URL")
            .args(["plan", "-f", "aura.yaml", "--api-url"])
            .arg(self.emu.handle.base_url())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Filters for everything not reproducible: the seeded ids (by label), any other
    /// instance id, the project UUID, other UUIDs, the emulator's port.
    fn settings(&self) -> insta::Settings {
        let mut s = insta::Settings::clone_current();
        s.add_filter(&regex_escape(&self.emu.demo()), "[project-id]");
        s.add_filter(
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[uuid]",
        );
        for (id, label) in &self.labels {
            s.add_filter(&format!(r"\b{id}\b"), format!("[{label}-id]"));
        }
        s.add_filter(r"\b[0-9a-f]{8}\b", "[id]");
        s.add_filter(r"https?://(127\.0\.0\.1|localhost):\d+", "[api-url]");
        s.set_prepend_module_to_snapshot(true);
        s.set_omit_expression(true);
        s
    }

    /// Runs the plan in all three formats (with `args`), snapshots each stdout, checks
    /// the JSON (parses, summary consistent, valid against the schema) and returns it.
    async fn snap_all(&self, name: &str, instances: &str, args: &[&str]) -> Value {
        let mut outputs = Vec::new();
        for format in ["human", "json", "markdown"] {
            let mut all = vec!["--format", format];
            all.extend_from_slice(args);
            let run = self.plan(instances, &all).await;
            assert_eq!(
                run.code,
                Some(0),
                "{name} --format {format}:\n{}\n{}",
                run.stdout,
                run.stderr
            );
            assert!(
                run.stderr.trim().is_empty(),
                "{name} --format {format} wrote to stderr:\n{}",
                run.stderr
            );
            outputs.push((format, run.stdout));
        }
        self.settings().bind(|| {
            for (format, stdout) in &outputs {
                insta::assert_snapshot!(format!("{name}__{format}"), stdout);
            }
        });
        let plan: Value = serde_json::from_str(&outputs[1].1).unwrap();
        check_json(&plan);
        plan
    }

    /// Runs a plan that must fail: the same exit code 1, empty stdout and the same
    /// diagnostic whatever the format. Snapshots the exit code and stderr once.
    async fn snap_error(&self, name: &str, instances: &str, args: &[&str]) -> String {
        let mut stderrs = Vec::new();
        for format in ["human", "json", "markdown"] {
            let mut all = vec!["--format", format];
            all.extend_from_slice(args);
            let run = self.plan(instances, &all).await;
            assert_eq!(
                run.code,
                Some(1),
                "{name} --format {format}: {}",
                run.stderr
            );
            assert!(run.stdout.is_empty(), "{name}: stdout {}", run.stdout);
            stderrs.push(run.stderr);
        }
        assert!(stderrs.windows(2).all(|w| w[0] == w[1]), "{stderrs:#?}");
        let stderr = stderrs.swap_remove(0);
        let shown = format!("exit code: 1\n--- stderr ---\n{stderr}");
        self.settings().bind(|| {
            insta::assert_snapshot!(format!("{name}__error"), shown);
        });
        stderr
    }
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escape = !c.is_ascii_alphanumeric();
            escape.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}

/// The JSON plan is one document of the contract's shape, its summary counts the
/// action words of its changes, and it validates against `schema/plan.schema.json`.
fn check_json(plan: &Value) {
    assert_eq!(plan["format_version"], "1");
    assert_eq!(plan["project"]["name"], "demo");
    let changes = plan["changes"].as_array().unwrap();
    let summary = &plan["summary"];
    for word in [
        "create", "update", "replace", "delete", "pause", "resume", "upgrade", "wait",
    ] {
        let counted = changes
            .iter()
            .filter(|c| c["blocked"].is_null())
            .flat_map(|c| c["actions"].as_array().unwrap())
            .filter(|a| *a == word)
            .count();
        assert_eq!(summary[word], counted, "summary.{word}: {plan:#}");
    }
    assert_eq!(
        summary["unmanaged"],
        plan["unmanaged"].as_array().unwrap().len()
    );
    assert_eq!(
        summary["attention"],
        plan["attention"].as_array().unwrap().len()
    );
    for c in changes {
        assert!(!c["actions"].as_array().unwrap().is_empty(), "{c:#}");
    }
    let validator = jsonschema::draft7::new(&auraform::plan::schema::plan_schema()).unwrap();
    let errors: Vec<String> = validator.iter_errors(plan).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The action words of the change for `name` (empty if unchanged).
fn actions(plan: &Value, name: &str) -> Vec<String> {
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .map(|c| {
            c["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The step actions of the change for `name`.
fn steps(plan: &Value, name: &str) -> Vec<String> {
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .map(|c| {
            c["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["action"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn count(plan: &Value, key: &str) -> u64 {
    plan["summary"][key].as_u64().unwrap()
}

// ---------------------------------------------------------------------------------------
// §4 row 1: declared, not live → create, then PATCH-only fields, then pause

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e01_empty_project_creates_everything() {
    let sc = Scenario::new().await;
    let plan = sc
        .snap_all(
            "e01_empty_project_creates_everything",
            "  orders:
    memory: 8GB
    storage: 16GB
  analytics:
    type: professional-ds
    memory: 16GB
    state: paused
  sandbox:
    type: free-db
    memory: 1GB
  events:
    type: business-critical
    memory: 32GB
    cdc_enrichment_mode: DIFF
  vdc:
    type: enterprise-db
    memory: 16GB
    secondaries_count: 2
",
            &[],
        )
        .await;
    assert_eq!(actions(&plan, "orders"), ["create"]);
    assert_eq!(actions(&plan, "analytics"), ["create", "pause"]);
    assert_eq!(steps(&plan, "analytics"), ["create", "pause"]);
    // CDC and secondaries cannot be sent on create: a PATCH follows.
    assert_eq!(steps(&plan, "events"), ["create", "update"]);
    assert_eq!(steps(&plan, "vdc"), ["create", "update"]);
    assert_eq!(count(&plan, "create"), 5);
    assert_eq!(count(&plan, "pause"), 1);
}

// ---------------------------------------------------------------------------------------
// Nothing to do; `--detailed-exitcode` 0 without changes, 2 with

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e02_no_changes() {
    let mut sc = Scenario::new().await;
    sc.running("orders", "professional-db", "8GB").await;
    sc.paused("archive", "professional-db", "4GB").await;
    let yaml = "  orders:
    memory: 8GB
  archive:
    memory: 4GB
    state: paused
";
    let plan = sc.snap_all("e02_no_changes", yaml, &[]).await;
    assert!(plan["changes"].as_array().unwrap().is_empty());
    assert_eq!(count(&plan, "unchanged"), 2);
    let run = sc.plan(yaml, &["--detailed-exitcode"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout
            .contains("No changes. Live state matches aura.yaml.")
    );
}

// ---------------------------------------------------------------------------------------
// §4 row 2: memory/storage differ → update; paused → resume, update, pause

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e03_resize_running_instance() {
    let mut sc = Scenario::new().await;
    sc.running("orders", "professional-db", "8GB").await;
    let yaml = "  orders:
    memory: 16GB
    storage: 32GB
";
    let plan = sc.snap_all("e03_resize_running_instance", yaml, &[]).await;
    assert_eq!(actions(&plan, "orders"), ["update"]);
    let run = sc.plan(yaml, &["--detailed-exitcode"]).await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stdout.contains("Plan: 0 to create, 1 to update"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e04_resize_paused_instance_resumes_then_pauses() {
    let mut sc = Scenario::new().await;
    sc.paused("orders", "professional-db", "8GB").await;
    let plan = sc
        .snap_all(
            "e04_resize_paused_instance_resumes_then_pauses",
            "  orders:
    memory: 16GB
    state: paused
",
            &[],
        )
        .await;
    assert_eq!(actions(&plan, "orders"), ["resume", "update", "pause"]);
    assert_eq!(steps(&plan, "orders"), ["resume", "update", "pause"]);
    assert_eq!(count(&plan, "resume"), 1);
    assert_eq!(count(&plan, "update"), 1);
    assert_eq!(count(&plan, "pause"), 1);
}

// §4 row 2: toggles, secondaries, CDC

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e05_toggles_secondaries_and_cdc() {
    let mut sc = Scenario::new().await;
    sc.running("search", "professional-db", "8GB").await;
    sc.running("vdc", "enterprise-db", "16GB").await;
    let events = sc.running("events", "business-critical", "8GB").await;
    sc.patch(&events, json!({"cdc_enrichment_mode": "DIFF"}))
        .await;
    let plan = sc
        .snap_all(
            "e05_toggles_secondaries_and_cdc",
            "  search:
    memory: 8GB
    vector_optimized: true
    graph_analytics_plugin: true
  vdc:
    type: enterprise-db
    memory: 16GB
    secondaries_count: 2
    cdc_enrichment_mode: FULL
  events:
    type: business-critical
    memory: 8GB
    cdc_enrichment_mode: \"OFF\"
",
            &[],
        )
        .await;
    assert_eq!(actions(&plan, "search"), ["update"]);
    assert_eq!(actions(&plan, "vdc"), ["update"]);
    assert_eq!(actions(&plan, "events"), ["update"]);
    assert_eq!(count(&plan, "update"), 3);
}

// ---------------------------------------------------------------------------------------
// §4 row 3: professional-db → business-critical is an upgrade in place

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e06_upgrade_professional_to_business_critical() {
    let mut sc = Scenario::new().await;
    sc.running("orders", "professional-db", "8GB").await;
    sc.running("billing", "professional-db", "16GB").await;
    let plan = sc
        .snap_all(
            "e06_upgrade_professional_to_business_critical",
            "  orders:
    type: business-critical
    memory: 16GB
  billing:
    type: business-critical
    memory: 16GB
",
            &[],
        )
        .await;
    assert_eq!(actions(&plan, "orders"), ["upgrade", "update"]);
    assert_eq!(actions(&plan, "billing"), ["upgrade"]);
    for c in plan["changes"].as_array().unwrap() {
        assert_eq!(c["kind"], "update", "{c:#}");
        assert!(
            c["fields"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["forces_replacement"] == false)
        );
    }
    assert_eq!(count(&plan, "upgrade"), 2);
    assert_eq!(count(&plan, "replace"), 0);
}

// ---------------------------------------------------------------------------------------
// §4 row 4: immutable fields: refused (located error) unless allow_replace → replace;
// never with prevent_destroy

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e07_region_change_is_refused_without_allow_replace() {
    let mut sc = Scenario::new().await;
    sc.running("legacy", "professional-db", "4GB").await;
    let yaml = "  legacy:
    memory: 4GB
    region: europe-west2
";
    let stderr = sc
        .snap_error(
            "e07_region_change_is_refused_without_allow_replace",
            yaml,
            &[],
        )
        .await;
    assert!(stderr.contains("region"), "{stderr}");
    assert!(stderr.contains("allow_replace"), "{stderr}");
    // Located: the diagnostic points into aura.yaml.
    assert!(stderr.contains("aura.yaml:"), "{stderr}");
    // An error is exit 1 with --detailed-exitcode too.
    let run = sc.plan(yaml, &["--detailed-exitcode"]).await;
    assert_eq!(run.code, Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e08_region_change_with_allow_replace_is_a_replace() {
    let mut sc = Scenario::new().await;
    sc.running("legacy", "professional-db", "4GB").await;
    let plan = sc
        .snap_all(
            "e08_region_change_with_allow_replace_is_a_replace",
            "  legacy:
    memory: 4GB
    region: europe-west2
    state: paused
    allow_replace: true
",
            &[],
        )
        .await;
    assert_eq!(actions(&plan, "legacy"), ["replace", "pause"]);
    assert_eq!(steps(&plan, "legacy"), ["delete", "create", "pause"]);
    let region = plan["changes"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "region")
        .unwrap()
        .clone();
    assert_eq!(region["forces_replacement"], true);
    assert_eq!(count(&plan, "replace"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e09_prevent_destroy_refuses_an_immutable_change() {
    let mut sc = Scenario::new().await;
    sc.running("vault", "professional-db", "8GB").await;
    let stderr = sc
        .snap_error(
            "e09_prevent_destroy_refuses_an_immutable_change",
            "  vault:
    memory: 8GB
    cloud_provider: aws
    region: eu-west-1
    prevent_destroy: true
",
            &[],
        )
        .await;
    // The prevent_destroy refusal, not the advice to add `allow_replace` (which
    // aura.yaml forbids next to `prevent_destroy`).
    assert!(
        stderr.contains("auraform::plan::prevent_destroy"),
        "{stderr}"
    );
    assert!(!stderr.contains("allow_replace"), "{stderr}");
    assert!(stderr.contains("aura.yaml:"), "{stderr}");
}

// ---------------------------------------------------------------------------------------
// §4 row 5: state differs → pause / resume

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e10_pause_and_resume() {
    let mut sc = Scenario::new().await;
    sc.running("nightly", "professional-db", "8GB").await;
    sc.paused("daytime", "professional-db", "8GB").await;
    let plan = sc
        .snap_all(
            "e10_pause_and_resume",
            "  nightly:
    memory: 8GB
    state: paused
  daytime:
    memory: 8GB
",
            &[],
        )
        .await;
    assert_eq!(actions(&plan, "nightly"), ["pause"]);
    assert_eq!(actions(&plan, "daytime"), ["resume"]);
}

// ---------------------------------------------------------------------------------------
// §4 row 6: pinned id, name differs → rename (a paused one is not resumed for it)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e11_pinned_id_is_renamed() {
    let mut sc = Scenario::new().await;
    let legacy = sc
        .create_as("legacy", "old-name", "professional-db", "4GB", json!({}))
        .await;
    let archive = sc
        .create_as(
            "archive",
            "archive-2024",
            "professional-db",
            "4GB",
            json!({}),
        )
        .await;
    sc.pause(&archive).await;
    let plan = sc
        .snap_all(
            "e11_pinned_id_is_renamed",
            &format!(
                "  legacy:
    id: \"{legacy}\"
    memory: 4GB
  archive:
    id: \"{archive}\"
    memory: 4GB
    state: paused
"
            ),
            &[],
        )
        .await;
    assert_eq!(actions(&plan, "legacy"), ["update"]);
    assert_eq!(actions(&plan, "archive"), ["update"]);
    assert_eq!(plan["changes"][0]["id"], legacy.as_str());
    assert!(plan["unmanaged"].as_array().unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------
// §4 row 7: transitional or unknown status → wait first

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e12_busy_instances_are_waited_for() {
    let mut sc = Scenario::new().await;
    let orders = sc.running("orders", "professional-db", "8GB").await;
    let search = sc.running("search", "professional-db", "8GB").await;
    let fresh = sc.running("fresh", "professional-db", "8GB").await;
    let quiet = sc.running("quiet", "professional-db", "8GB").await;
    sc.force(&orders, "updating").await;
    sc.force(&search, "pausing").await;
    sc.force(&fresh, "creating").await;
    sc.force(&quiet, "resizing").await;
    let plan = sc
        .snap_all(
            "e12_busy_instances_are_waited_for",
            "  orders:
    memory: 16GB
  search:
    memory: 8GB
  fresh:
    memory: 8GB
    state: paused
  quiet:
    memory: 8GB
",
            &[],
        )
        .await;
    assert_eq!(actions(&plan, "orders"), ["wait", "update"]);
    assert_eq!(actions(&plan, "search"), ["wait", "resume"]);
    assert_eq!(actions(&plan, "fresh"), ["wait", "pause"]);
    // An unknown status counts as busy; with nothing to do after it, no change.
    assert!(actions(&plan, "quiet").is_empty());
    assert_eq!(count(&plan, "wait"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e13_instance_being_destroyed_is_recreated_after_it_is_gone() {
    let mut sc = Scenario::new().await;
    let orders = sc.running("orders", "professional-db", "8GB").await;
    sc.force(&orders, "destroying").await;
    let plan = sc
        .snap_all(
            "e13_instance_being_destroyed_is_recreated_after_it_is_gone",
            "  orders:
    memory: 8GB
",
            &[],
        )
        .await;
    assert_eq!(actions(&plan, "orders"), ["wait", "create"]);
    assert_eq!(steps(&plan, "orders"), ["wait", "create"]);
}

// ---------------------------------------------------------------------------------------
// §4 row 8: suspended / loading failed → needs a person, no action

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e14_suspended_and_failed_instances_need_a_person() {
    let mut sc = Scenario::new().await;
    let billing = sc.running("billing", "professional-db", "8GB").await;
    let broken = sc.running("broken", "professional-db", "8GB").await;
    sc.force(&billing, "suspended").await;
    sc.force(&broken, "loading failed").await;
    let yaml = "  billing:
    memory: 16GB
  broken:
    memory: 8GB
";
    let plan = sc
        .snap_all(
            "e14_suspended_and_failed_instances_need_a_person",
            yaml,
            &[],
        )
        .await;
    assert!(plan["changes"].as_array().unwrap().is_empty());
    assert_eq!(plan["attention"].as_array().unwrap().len(), 2);
    // Not a change for --detailed-exitcode: apply would do nothing about it.
    let run = sc.plan(yaml, &["--detailed-exitcode"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------
// §4 row 9: live, not declared → unmanaged; delete only with prune

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e15_unmanaged_instances_are_listed_without_prune() {
    let mut sc = Scenario::new().await;
    sc.running("orders", "professional-db", "8GB").await;
    sc.running("scratch", "professional-db", "2GB").await;
    sc.running("old-poc", "free-db", "1GB").await;
    let plan = sc
        .snap_all(
            "e15_unmanaged_instances_are_listed_without_prune",
            "  orders:
    memory: 8GB
",
            &[],
        )
        .await;
    assert!(plan["changes"].as_array().unwrap().is_empty());
    let names: Vec<&str> = plan["unmanaged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"scratch") && names.contains(&"old-poc"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e16_prune_deletes_unmanaged_but_never_protected_names() {
    let mut sc = Scenario::new().await;
    let orders = sc.running("orders", "professional-db", "8GB").await;
    sc.running("scratch", "professional-db", "2GB").await;
    let busy = sc.running("busy-scratch", "professional-db", "2GB").await;
    sc.force(&busy, "updating").await;
    let twin = sc
        .create_as("orders-twin", "orders", "professional-db", "2GB", json!({}))
        .await;
    let plan = sc
        .snap_all(
            "e16_prune_deletes_unmanaged_but_never_protected_names",
            &format!(
                "  orders:
    id: \"{orders}\"
    memory: 8GB
    prevent_destroy: true
"
            ),
            &["--prune"],
        )
        .await;
    assert_eq!(actions(&plan, "scratch"), ["delete"]);
    assert_eq!(actions(&plan, "busy-scratch"), ["wait", "delete"]);
    // The other live "orders" shares the protected name: kept, and said why.
    let unmanaged = plan["unmanaged"].as_array().unwrap();
    assert_eq!(unmanaged.len(), 1);
    assert_eq!(unmanaged[0]["id"], twin.as_str());
    assert!(!unmanaged[0]["kept_because"].is_null(), "{unmanaged:#?}");
    assert_eq!(count(&plan, "delete"), 2);
    assert!(
        plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "orders")
    );
}

// ---------------------------------------------------------------------------------------
// §4 row 10: fields the API omits are never a phantom diff

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e17_fields_the_api_omits_are_never_a_diff() {
    let mut sc = Scenario::new().await;
    // free-db: no storage in GET; professional-ds: no graph_analytics_plugin;
    // no tier reports `version` (declared "5" here); business-critical reports CDC,
    // which aura.yaml leaves alone when it does not set it.
    sc.running("sandbox", "free-db", "1GB").await;
    sc.running("analytics", "professional-ds", "16GB").await;
    sc.running("orders", "professional-db", "8GB").await;
    sc.running("events", "business-critical", "8GB").await;
    let plan = sc
        .snap_all(
            "e17_fields_the_api_omits_are_never_a_diff",
            "  sandbox:
    type: free-db
    memory: 1GB
  analytics:
    type: professional-ds
    memory: 16GB
  orders:
    memory: 8GB
    version: \"5\"
  events:
    type: business-critical
    memory: 8GB
",
            &[],
        )
        .await;
    assert!(plan["changes"].as_array().unwrap().is_empty(), "{plan:#}");
    assert_eq!(count(&plan, "unchanged"), 4);
}

// ---------------------------------------------------------------------------------------
// ignore_changes suppresses exactly its field

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e18_ignore_changes_suppresses_exactly_its_field() {
    let mut sc = Scenario::new().await;
    sc.running("search", "professional-db", "32GB").await;
    sc.running("tuned", "professional-db", "32GB").await;
    let flexible = sc
        .running_with(
            "flexible",
            "professional-db",
            "8GB",
            json!({"region": "us-east1"}),
        )
        .await;
    sc.pause(&flexible).await;
    let plan = sc
        .snap_all(
            "e18_ignore_changes_suppresses_exactly_its_field",
            "  search:
    memory: 8GB
    ignore_changes: [memory]
  tuned:
    memory: 8GB
    vector_optimized: true
    ignore_changes: [memory]
  flexible:
    memory: 16GB
    state: paused
    ignore_changes: [state, region]
",
            &[],
        )
        .await;
    assert!(actions(&plan, "search").is_empty());
    // Memory ignored, the toggle is not.
    assert_eq!(actions(&plan, "tuned"), ["update"]);
    let tuned = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "tuned")
        .unwrap();
    let fields: Vec<&str> = tuned["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["vector_optimized"]);
    // Region ignored (no refusal); the resize needs it running, then back to paused.
    assert_eq!(actions(&plan, "flexible"), ["resume", "update", "pause"]);
}

// ---------------------------------------------------------------------------------------
// Identity: two live instances with one name → error asking for an `id:` pin

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e19_two_live_instances_with_one_name_need_an_id_pin() {
    let mut sc = Scenario::new().await;
    sc.create_as("orders-1", "orders", "professional-db", "8GB", json!({}))
        .await;
    sc.create_as("orders-2", "orders", "professional-db", "8GB", json!({}))
        .await;
    let stderr = sc
        .snap_error(
            "e19_two_live_instances_with_one_name_need_an_id_pin",
            "  orders:
    memory: 8GB
",
            &[],
        )
        .await;
    assert!(stderr.contains("id:"), "{stderr}");
}

// ---------------------------------------------------------------------------------------
// --target limits the plan (no unmanaged either)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e20_target_limits_the_plan() {
    let mut sc = Scenario::new().await;
    sc.running("orders", "professional-db", "8GB").await;
    sc.running("search", "professional-db", "8GB").await;
    sc.running("scratch", "professional-db", "2GB").await;
    let plan = sc
        .snap_all(
            "e20_target_limits_the_plan",
            "  orders:
    memory: 16GB
  search:
    memory: 16GB
  new:
    memory: 8GB
",
            &["--target", "orders", "--target", "new"],
        )
        .await;
    assert_eq!(plan["changes"].as_array().unwrap().len(), 2);
    assert_eq!(actions(&plan, "orders"), ["update"]);
    assert_eq!(actions(&plan, "new"), ["create"]);
    assert!(actions(&plan, "search").is_empty());
    assert!(plan["unmanaged"].as_array().unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------
// Mixed plans

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e21_mixed_plan() {
    let mut sc = Scenario::new().await;
    sc.paused("orders", "professional-db", "8GB").await;
    sc.running("analytics", "professional-ds", "16GB").await;
    sc.running("events", "professional-db", "32GB").await;
    sc.running("search", "professional-db", "4GB").await;
    sc.running("legacy", "professional-db", "4GB").await;
    let billing = sc.running("billing", "professional-db", "8GB").await;
    sc.force(&billing, "suspended").await;
    let renamed = sc
        .create_as(
            "renamed",
            "renamed-old",
            "professional-db",
            "8GB",
            json!({}),
        )
        .await;
    sc.running("scratch", "professional-db", "2GB").await;
    let yaml = format!(
        "  orders:
    memory: 16GB
    prevent_destroy: true
  analytics:
    type: professional-ds
    memory: 16GB
    state: paused
  events:
    type: business-critical
    memory: 32GB
    cdc_enrichment_mode: DIFF
  search:
    memory: 8GB
    vector_optimized: true
    ignore_changes: [memory]
  orders-copy:
    memory: 16GB
    source: {{ instance: orders }}
  legacy:
    memory: 4GB
    region: europe-west2
    allow_replace: true
  renamed:
    id: \"{renamed}\"
    memory: 8GB
  billing:
    memory: 8GB
"
    );
    // prune: true in the file this time (e16 uses the flag).
    sc.top = "prune: true\n";
    let plan = sc.snap_all("e21_mixed_plan", &yaml, &[]).await;
    assert_eq!(actions(&plan, "orders"), ["resume", "update"]);
    assert_eq!(actions(&plan, "analytics"), ["pause"]);
    // The upgrade is followed by the PATCH of CDC, which professional-db did not have.
    assert_eq!(actions(&plan, "events"), ["upgrade", "update"]);
    assert_eq!(actions(&plan, "search"), ["update"]);
    assert_eq!(actions(&plan, "orders-copy"), ["create"]);
    assert_eq!(actions(&plan, "legacy"), ["replace"]);
    assert_eq!(actions(&plan, "renamed"), ["update"]);
    assert_eq!(actions(&plan, "scratch"), ["delete"]);
    assert!(actions(&plan, "billing").is_empty());
    assert_eq!(plan["attention"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e22_clones_of_a_live_instance_and_of_one_created_in_the_same_plan() {
    let mut sc = Scenario::new().await;
    sc.running("prod", "professional-db", "8GB").await;
    let plan = sc
        .snap_all(
            "e22_clones_of_a_live_instance_and_of_one_created_in_the_same_plan",
            "  prod:
    memory: 8GB
  prod-copy:
    memory: 8GB
    source: { instance: prod }
  staging:
    type: business-critical
    memory: 8GB
    cdc_enrichment_mode: \"OFF\"
    state: paused
  staging-copy:
    type: business-critical
    memory: 8GB
    source: { instance: staging }
",
            &[],
        )
        .await;
    assert_eq!(actions(&plan, "prod-copy"), ["create"]);
    assert_eq!(actions(&plan, "staging"), ["create", "pause"]);
    assert_eq!(actions(&plan, "staging-copy"), ["create"]);
    let copy = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "staging-copy")
        .unwrap();
    assert_eq!(copy["depends_on"][0]["instance"], "staging");
}

// ---------------------------------------------------------------------------------------
// A saved plan made with --prune is applied as made: `apply PLAN_FILE` fetches what
// `plan --out --prune` fetched (the busy instance's details), so it is not stale.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e23_saved_prune_plan_is_not_stale_and_waits_for_the_busy_instance() {
    let mut sc = Scenario::new().await;
    sc.running("orders", "professional-db", "8GB").await;
    let busy = sc.running("busy-scratch", "professional-db", "2GB").await;
    sc.force(&busy, "updating").await;
    let yaml = "  orders:
    memory: 8GB
";
    let run = sc
        .plan(yaml, &["--prune", "--out", "plan.json", "--format", "json"])
        .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let plan: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(actions(&plan, "busy-scratch"), ["wait", "delete"]);
    // The instance settles once apply is polling it (its two observing GETs, then at
    // least one poll), so apply saw the world the plan was made from.
    let stats_url = sc.emu.url("/_emulator/stats");
    let gets_before = instance_gets(&sc.emu.http, &stats_url).await;
    let status_url = sc.emu.url(&format!("/_emulator/instances/{busy}/status"));
    let http = sc.emu.http.clone();
    let release = tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        while instance_gets(&http, &stats_url).await < gets_before + 3 {
            assert!(tokio::time::Instant::now() < deadline, "apply never polled");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let r = http
            .post(status_url)
            .json(&json!({"status": "running"}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    });
    let out = tokio::process::Command::new(assert_cmd::cargo::cargo_bin("auraform"))
        .current_dir(sc.dir.path())
        .env("NO_COLOR", "1")
        .env("AURA_CLIENT_ID", "emulator")
        .env("AURA_CLIENT_SECRET", "emulator-secret")
        .env_remove("AURA_PROJECT")
        .env_remove("AURA_API_URL")
        .args([
            "apply",
            "plan.json",
            "-f",
            "aura.yaml",
            "--poll-interval",
            "20ms",
        ])
        .arg("--api-url")
        .arg(sc.emu.handle.base_url())
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    release.await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("Apply complete"), "{stdout}");
    sc.emu.wait(&busy, None).await;
}

/// `GET /v1/instances/{id}` responses the emulator has served so far.
async fn instance_gets(http: &reqwest::Client, stats_url: &str) -> u64 {
    let stats: Value = http
        .get(stats_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["by_route"]["GET /v1/instances/{id}"]
        .as_u64()
        .unwrap_or(0)
}
