//! `auraform plan` end to end: each scenario of `scenarios` (the situations
//! `plan_scenarios` plans in-process) seeds its live world in a real in-process emulator
//! through the API (creates, resizes, pauses, forced statuses), writes its aura.yaml,
//! runs the real binary with `--api-url` in all three formats and snapshots what it
//! prints. Together the scenarios cover every row of docs/plan.md §3's table plus mixed
//! plans.
//!
//! Every JSON plan is also parsed, its summary checked against its changes, and
//! validated against `schema/plan.schema.json`; every scenario asserts the plan's
//! shape, so accepting a snapshot cannot silently accept a wrong plan.

use serde_json::{Value, json};

use crate::scenarios::{self, Scenario, Seed, SeedState};
use crate::support::bench::Bench;
use crate::support::cli::{Out, auraform};
use crate::support::emulator::{by_route, stats_at};
use crate::support::plan_doc::{actions, change, check_json};

/// One scenario seeded in an emulator of its own, its aura.yaml written.
struct Seeded {
    bench: Bench,
    /// The seeded ids, with the label each is shown as in snapshots.
    labels: Vec<(String, &'static str)>,
    /// The scenario's plan options as flags.
    flags: Vec<&'static str>,
}

impl Seeded {
    async fn new(sc: &Scenario) -> Self {
        let bench = Bench::start().await;
        let emu = &bench.emu;
        let mut labels = Vec::new();
        for seed in &sc.world {
            let mut body = json!({ "type": seed.ty, "memory": seed.memory });
            for (k, v) in seed.create.as_object().unwrap() {
                body[k] = v.clone();
            }
            let id = emu.launch(seed.name, body).await;
            if let Some(patch) = &seed.patch {
                emu.patch_instance(&id, patch.clone()).await;
            }
            match seed.state {
                SeedState::Running => {}
                SeedState::Paused => emu.pause_instance(&id).await,
                SeedState::Forced(status) => emu.force_status(&id, status).await,
            }
            labels.push((id, seed.label));
        }
        let seeded = Self {
            bench,
            labels,
            flags: sc.flags(),
        };
        let yaml = sc.yaml(|label| seeded.id(label).to_owned());
        seeded.bench.write("aura.yaml", &yaml);
        seeded
    }

    /// The id the emulator gave the seed `label`.
    fn id(&self, label: &str) -> &str {
        &self.labels.iter().find(|(_, l)| *l == label).unwrap().0
    }

    /// Runs `auraform plan` on aura.yaml with `args`.
    async fn plan(&self, args: &[&str]) -> Out {
        auraform()
            .dir(self.bench.dir.path())
            .args(["plan", "-f", "aura.yaml"])
            .against(&self.bench.emu)
            .args(args)
            .run_async()
            .await
    }

    /// Filters for everything not reproducible: the seeded ids (by label), any other
    /// instance id, the project UUID, other UUIDs, the emulator's port.
    fn settings(&self) -> insta::Settings {
        let mut s = insta::Settings::clone_current();
        s.add_filter(&regex_escape(&self.bench.emu.demo()), "[project-id]");
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

    /// Runs the plan in all three formats (with the scenario's flags), snapshots each
    /// stdout, checks the JSON (parses, summary consistent, valid against the schema)
    /// and returns it.
    async fn snap_all(&self, name: &str) -> Value {
        let mut outputs = Vec::new();
        for format in ["human", "json", "markdown"] {
            let mut all = vec!["--format", format];
            all.extend_from_slice(&self.flags);
            let run = self.plan(&all).await;
            assert_eq!(
                run.code, 0,
                "{name} --format {format}:\n{}\n{}",
                run.stdout, run.stderr
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
    async fn snap_error(&self, name: &str) -> String {
        let mut stderrs = Vec::new();
        for format in ["human", "json", "markdown"] {
            let mut all = vec!["--format", format];
            all.extend_from_slice(&self.flags);
            let run = self.plan(&all).await;
            assert_eq!(run.code, 1, "{name} --format {format}: {}", run.stderr);
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

/// Seeds `sc`, snapshots its plan as `name` and checks its expected change set.
async fn on_emulator(sc: &Scenario, name: &str) -> (Seeded, Value) {
    let seeded = Seeded::new(sc).await;
    let plan = seeded.snap_all(name).await;
    sc.check(name, &plan);
    (seeded, plan)
}

/// Seeds `sc` and snapshots the error its plan must fail with as `name`.
async fn on_emulator_error(sc: &Scenario, name: &str) -> (Seeded, String) {
    let seeded = Seeded::new(sc).await;
    let stderr = seeded.snap_error(name).await;
    (seeded, stderr)
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escape = !c.is_ascii_alphanumeric();
            escape.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Declared, not live; nothing to do (`--detailed-exitcode` 0 without changes, 2 with)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e01_empty_project_creates_everything() {
    on_emulator(
        &scenarios::empty_project_creates_everything(true),
        "e01_empty_project_creates_everything",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e02_no_changes() {
    let (sc, _) = on_emulator(&scenarios::no_changes(), "e02_no_changes").await;
    let run = sc.plan(&["--detailed-exitcode"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("No changes. Live state matches aura.yaml.")
    );
}

// ---------------------------------------------------------------------------------------
// A live instance differs: update, upgrade, replace or refusal, pause / resume

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e03_resize_running_instance() {
    let (sc, _) = on_emulator(
        &scenarios::resize_running_instance(),
        "e03_resize_running_instance",
    )
    .await;
    let run = sc.plan(&["--detailed-exitcode"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.contains("Plan: 0 to create, 1 to update"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e04_resize_paused_instance_resumes_then_pauses() {
    on_emulator(
        &scenarios::resize_paused_instance_resumes_then_pauses(),
        "e04_resize_paused_instance_resumes_then_pauses",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e05_toggles_secondaries_and_cdc() {
    on_emulator(
        &scenarios::toggles_secondaries_and_cdc(),
        "e05_toggles_secondaries_and_cdc",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e06_upgrade_professional_to_business_critical() {
    let (_, plan) = on_emulator(
        &scenarios::upgrade_professional_to_business_critical(true),
        "e06_upgrade_professional_to_business_critical",
    )
    .await;
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e07_region_change_is_refused_without_allow_replace() {
    let (sc, stderr) = on_emulator_error(
        &scenarios::region_change_is_refused_without_allow_replace(),
        "e07_region_change_is_refused_without_allow_replace",
    )
    .await;
    assert!(stderr.contains("region"), "{stderr}");
    assert!(stderr.contains("allow_replace"), "{stderr}");
    // Located: the diagnostic points into aura.yaml.
    assert!(stderr.contains("aura.yaml:"), "{stderr}");
    // An error is exit 1 with --detailed-exitcode too.
    let run = sc.plan(&["--detailed-exitcode"]).await;
    assert_eq!(run.code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e08_region_change_with_allow_replace_is_a_replace() {
    let (_, plan) = on_emulator(
        &scenarios::region_change_with_allow_replace("4GB"),
        "e08_region_change_with_allow_replace_is_a_replace",
    )
    .await;
    let region = plan["changes"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "region")
        .unwrap()
        .clone();
    assert_eq!(region["forces_replacement"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e09_prevent_destroy_refuses_an_immutable_change() {
    let (_, stderr) = on_emulator_error(
        &scenarios::prevent_destroy_refuses_an_immutable_change(),
        "e09_prevent_destroy_refuses_an_immutable_change",
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e10_pause_and_resume() {
    on_emulator(&scenarios::pause_and_resume(), "e10_pause_and_resume").await;
}

// ---------------------------------------------------------------------------------------
// Identity: renames of pinned ids; one name on two live instances

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e11_pinned_id_is_renamed() {
    let (sc, plan) = on_emulator(
        &scenarios::pinned_ids_are_renamed(),
        "e11_pinned_id_is_renamed",
    )
    .await;
    assert_eq!(plan["changes"][0]["id"], sc.id("legacy"));
}

// ---------------------------------------------------------------------------------------
// Busy, destroyed, suspended and unmanaged instances; fields the API omits

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e12_busy_instances_are_waited_for() {
    on_emulator(
        &scenarios::busy_instances_are_waited_for(),
        "e12_busy_instances_are_waited_for",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e13_instance_being_destroyed_is_recreated_after_it_is_gone() {
    on_emulator(
        &scenarios::instance_being_destroyed_is_recreated_after_it_is_gone(),
        "e13_instance_being_destroyed_is_recreated_after_it_is_gone",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e14_suspended_and_failed_instances_need_a_person() {
    let (sc, _) = on_emulator(
        &scenarios::suspended_and_failed_instances_need_a_person(),
        "e14_suspended_and_failed_instances_need_a_person",
    )
    .await;
    // Not a change for --detailed-exitcode: apply would do nothing about it.
    let run = sc.plan(&["--detailed-exitcode"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e15_unmanaged_instances_are_listed_without_prune() {
    on_emulator(
        &scenarios::unmanaged_instances_are_listed_without_prune(),
        "e15_unmanaged_instances_are_listed_without_prune",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e16_prune_deletes_unmanaged_but_never_protected_names() {
    let (sc, plan) = on_emulator(
        &scenarios::prune_deletes_unmanaged_but_never_protected_names(),
        "e16_prune_deletes_unmanaged_but_never_protected_names",
    )
    .await;
    // The other live "orders" shares the protected name: kept, and said why.
    let unmanaged = plan["unmanaged"].as_array().unwrap();
    assert_eq!(unmanaged.len(), 1);
    assert_eq!(unmanaged[0]["id"], sc.id("orders-twin"));
    assert!(!unmanaged[0]["kept_because"].is_null(), "{unmanaged:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e17_fields_the_api_omits_are_never_a_diff() {
    on_emulator(
        &scenarios::fields_the_api_omits_are_never_a_diff(),
        "e17_fields_the_api_omits_are_never_a_diff",
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// ignore_changes, identity errors, targets, mixed plans, clones

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e18_ignore_changes_suppresses_exactly_its_field() {
    on_emulator(
        &scenarios::ignore_changes_suppresses_exactly_its_field(),
        "e18_ignore_changes_suppresses_exactly_its_field",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e19_two_live_instances_with_one_name_need_an_id_pin() {
    let (_, stderr) = on_emulator_error(
        &scenarios::two_live_instances_with_one_name_need_an_id_pin(),
        "e19_two_live_instances_with_one_name_need_an_id_pin",
    )
    .await;
    assert!(stderr.contains("id:"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e20_target_limits_the_plan() {
    on_emulator(
        &scenarios::target_limits_the_plan(),
        "e20_target_limits_the_plan",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e21_mixed_plan() {
    on_emulator(&scenarios::mixed_plan(), "e21_mixed_plan").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e22_clones_of_a_live_instance_and_of_one_created_in_the_same_plan() {
    let (_, plan) = on_emulator(
        &scenarios::clones_of_a_live_instance_and_of_one_created_in_the_same_plan(),
        "e22_clones_of_a_live_instance_and_of_one_created_in_the_same_plan",
    )
    .await;
    let copy = change(&plan, "staging-copy").unwrap();
    assert_eq!(copy["depends_on"][0]["instance"], "staging");
}

// ---------------------------------------------------------------------------------------
// A saved plan made with --prune is applied as made: `apply PLAN_FILE` fetches what
// `plan --out --prune` fetched (the busy instance's details), so it is not stale.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e23_saved_prune_plan_is_not_stale_and_waits_for_the_busy_instance() {
    let sc = Scenario::new(
        "  orders:
    memory: 8GB
",
    )
    .seed(Seed::new("orders"))
    .seed(Seed::new("busy-scratch").memory("2GB").forced("updating"));
    let seeded = Seeded::new(&sc).await;
    let busy = seeded.id("busy-scratch").to_owned();
    let run = seeded
        .plan(&["--prune", "--out", "plan.json", "--format", "json"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(actions(&plan, "busy-scratch"), ["wait", "delete"]);
    // The instance settles once apply is polling it (its two observing GETs, then at
    // least one poll), so apply saw the world the plan was made from.
    let emu = &seeded.bench.emu;
    let base_url = emu.handle.base_url();
    let gets_before = instance_gets(&base_url).await;
    let status_url = emu.url(&format!("/_emulator/instances/{busy}/status"));
    let http = emu.http.clone();
    let release = tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        while instance_gets(&base_url).await < gets_before + 3 {
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
    let out = auraform()
        .dir(seeded.bench.dir.path())
        .args([
            "apply",
            "plan.json",
            "-f",
            "aura.yaml",
            "--poll-interval",
            "20ms",
        ])
        .against(emu)
        .run_async()
        .await;
    release.await.unwrap();
    let stdout = &out.stdout;
    let stderr = &out.stderr;
    assert_eq!(out.code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("Apply complete"), "{stdout}");
    emu.wait(&busy, None).await;
}

/// `GET /v1/instances/{id}` responses the emulator at `base_url` has served so far.
async fn instance_gets(base_url: &str) -> u64 {
    by_route(&stats_at(base_url).await, "GET /v1/instances/{id}")
}
