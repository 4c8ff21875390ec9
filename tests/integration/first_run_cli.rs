//! A first run and everyday review, as a new user does them with the real binary:
//! `init`, `show`, `catalog`, `emulator --help`, and the flags that do not go together.

use std::collections::BTreeSet;
use std::path::Path;

use auraform::emulator::{EMBEDDED_STATE, EmulatorConfig};
use serde_json::Value;

use crate::support::cli::{Out, auraform};
use crate::support::emulator::start;

/// Runs `auraform ARGS` in `dir`, with no credentials anywhere (not even aura-cli's:
/// the home and config directories are `dir`), so only `--emulator` reaches an API.
pub fn run(dir: &Path, args: &[&str]) -> Out {
    auraform()
        .dir(dir)
        .args(args)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir)
        .run()
}

/// Snapshot settings that hide what differs between runs: project UUIDs, instance ids.
pub fn stable() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[project-id]",
    );
    s.add_filter(r"\b[0-9a-f]{8}\b", "[id]");
    s
}

/// Every tier auraform knows, in its order (the catalogue's and `catalog`'s).
fn known_tiers() -> Vec<&'static str> {
    auraform::aura::InstanceType::KNOWN
        .iter()
        .map(auraform::aura::InstanceType::as_str)
        .collect()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not one JSON document ({e}): {text}"))
}

#[test]
fn init_with_the_emulator_writes_a_file_that_validates_and_plans_as_creates_only() {
    for project in ["demo", "free-only"] {
        let dir = tempfile::tempdir().unwrap();
        let init = run(dir.path(), &["init", "--emulator", "--project", project]);
        assert_eq!(init.code, 0, "{}", init.stderr);
        assert!(init.stdout.is_empty(), "{}", init.stdout);
        let text = std::fs::read_to_string(dir.path().join("aura.yaml")).unwrap();
        assert!(text.contains(&format!("project: {project}\n")), "{text}");
        stable().bind(|| {
            insta::assert_snapshot!(format!("init_{project}_file"), text);
            insta::assert_snapshot!(format!("init_{project}_stderr"), init.stderr);
        });

        let validate = run(dir.path(), &["validate"]);
        assert_eq!(validate.code, 0, "{}", validate.stderr);
        assert_eq!(
            validate.stdout,
            format!("aura.yaml is valid: 1 instance in project {project}\n")
        );
        let plan = run(dir.path(), &["plan", "--emulator", "--format", "json"]);
        assert_eq!(plan.code, 0, "{}", plan.stderr);
        let doc = json(&plan.stdout);
        let changes = doc["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 1, "{doc}");
        for c in changes {
            assert_eq!(c["kind"], "create", "{c}");
            assert_eq!(c["actions"], serde_json::json!(["create"]), "{c}");
        }
        assert!(doc["unmanaged"].as_array().unwrap().is_empty());
    }
}

#[test]
fn init_never_overwrites_and_says_so_before_any_api_call() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("aura.yaml"), "mine\n").unwrap();
    // No credentials and no --emulator: the refusal comes first, not "no credentials".
    let out = run(dir.path(), &["init"]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("init_file_exists", out.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("aura.yaml")).unwrap(),
        "mine\n"
    );
    assert!(!dir.path().join(".auraform").exists());
}

#[test]
fn init_avoids_a_taken_name_and_points_at_import() {
    let dir = tempfile::tempdir().unwrap();
    let first = run(dir.path(), &["init", "--emulator", "--project", "demo"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let apply = run(dir.path(), &["apply", "--emulator", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    // A second file for the same project: `my-database` is taken now.
    let again = run(
        dir.path(),
        &[
            "init",
            "--emulator",
            "--project",
            "demo",
            "-f",
            "second.yaml",
        ],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    let text = std::fs::read_to_string(dir.path().join("second.yaml")).unwrap();
    assert!(text.contains("\n  my-database-2:\n"), "{text}");
    insta::assert_snapshot!("init_project_with_instances_stderr", again.stderr);
}

#[test]
fn show_renders_a_saved_plan_exactly_as_plan_did_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/aura.yaml");
    std::fs::copy(example, dir.path().join("aura.yaml")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    for format in ["human", "json", "markdown"] {
        let file = dir.path().join(format!("{format}.plan"));
        let file = file.to_str().unwrap();
        let plan = run(
            dir.path(),
            &["plan", "--emulator", "--format", format, "--out", file],
        );
        assert_eq!(plan.code, 0, "{}", plan.stderr);
        // Anywhere, with no aura.yaml, no credentials and no network.
        let show = run(elsewhere.path(), &["show", file, "--format", format]);
        assert_eq!(show.code, 0, "{}", show.stderr);
        assert!(
            show.stdout == plan.stdout,
            "show --format {format} differs from what plan printed:\n--- plan\n{}\n--- show\n{}",
            plan.stdout,
            show.stdout
        );
        assert!(show.stderr.is_empty(), "{}", show.stderr);
    }
    assert!(!elsewhere.path().join(".auraform").exists());
}

#[test]
fn show_refuses_what_is_not_a_saved_plan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("aura.yaml"),
        "project: demo\ninstances: {}\n",
    )
    .unwrap();
    let plan = run(dir.path(), &["plan", "--emulator", "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    std::fs::write(dir.path().join("plan.json"), &plan.stdout).unwrap();
    let out = run(dir.path(), &["show", "plan.json"]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("show_not_a_saved_plan", out.stderr);
    let out = run(dir.path(), &["show", "missing.json"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("cannot read the saved plan missing.json"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_json_is_the_emulated_projects_configurations() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "catalog",
            "--emulator",
            "--project",
            "demo",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = json(&out.stdout);

    // The same world, opened as the embedded emulator opens it.
    let emu = start(EmulatorConfig::embedded(dir.path().join(EMBEDDED_STATE))).await;
    let tenant = emu.get(&format!("/v1/tenants/{}", emu.demo())).await;
    assert_eq!(
        doc["configurations"],
        tenant.data()["instance_configurations"]
    );
    assert_eq!(doc["project"]["id"], emu.demo().as_str());
    assert_eq!(
        doc["filter"],
        serde_json::json!({"type": null, "cloud_provider": null})
    );
    let tiers: Vec<&str> = doc["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    assert_eq!(tiers, known_tiers());
    let free = &doc["tiers"][0];
    assert_eq!(free["free_limits"]["max_nodes"], 200_000);
    assert_eq!(free["free_limits"]["max_relationships"], 400_000);
    assert_eq!(free["free_limits"]["paused_after_idle_hours"], 72);
    assert_eq!(free["free_limits"]["deleted_after_paused_days"], 30);
    assert_eq!(free["resize"], false);
    assert_eq!(doc["tiers"][3]["max_secondaries"], 15);

    // It follows its published schema.
    let schema = json(&std::fs::read_to_string("schema/catalog.schema.json").unwrap());
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");

    // Filtered: exactly the matching rows, in the API's order.
    let out = run(
        dir.path(),
        &[
            "catalog",
            "--emulator",
            "--project",
            "demo",
            "--format",
            "json",
            "--type",
            "enterprise-ds",
            "--cloud",
            "aws",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let filtered = json(&out.stdout);
    let want: Vec<&Value> = tenant.data()["instance_configurations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "enterprise-ds" && c["cloud_provider"] == "aws")
        .collect();
    assert!(!want.is_empty());
    assert_eq!(
        filtered["configurations"].as_array().unwrap().len(),
        want.len()
    );
    assert_eq!(
        filtered["configurations"],
        Value::Array(want.into_iter().cloned().collect())
    );
    emu.handle.shutdown().await;
}

#[test]
fn the_committed_catalog_schema_is_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["schema", "catalog"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/catalog.schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &out.stdout).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == out.stdout,
        "schema/catalog.schema.json is stale: run the tests with UPDATE_SCHEMA=1"
    );
}

#[test]
fn catalog_groups_by_tier_then_cloud() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["catalog", "--emulator", "--project", "demo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Each tier once, in the catalogue's order, each with its clouds in order.
    let tiers: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| !l.starts_with(' ') && l.contains(" (Aura"))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(tiers, known_tiers());
    for section in out
        .stdout
        .split("\n\n")
        .filter(|s| s.contains(" (AuraDB Professional)"))
    {
        let clouds: Vec<&str> = section
            .lines()
            .filter_map(|l| l.strip_prefix("  "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| ["gcp", "aws", "azure"].contains(w))
            .collect();
        assert_eq!(clouds, ["gcp", "aws", "azure"], "{section}");
    }
    stable().bind(|| insta::assert_snapshot!("catalog_demo", out.stdout));

    let out = run(
        dir.path(),
        &["catalog", "--emulator", "--project", "free-only"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    stable().bind(|| insta::assert_snapshot!("catalog_free_only", out.stdout));

    let out = run(
        dir.path(),
        &[
            "catalog",
            "--emulator",
            "--project",
            "demo",
            "--type",
            "free-db",
            "--cloud",
            "aws",
        ],
    );
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("catalog_no_match", out.stderr);
}

#[test]
fn catalog_takes_the_project_of_an_invalid_aura_yaml() {
    let dir = tempfile::tempdir().unwrap();
    // The unknown region is why the user wants the catalogue: it must still run.
    std::fs::write(
        dir.path().join("aura.yaml"),
        "project: free-only\ninstances:\n  a:\n    type: professional-db\n    cloud_provider: gcp\n    region: europe-west9\n    memory: 3GB\n",
    )
    .unwrap();
    let validate = run(dir.path(), &["validate"]);
    assert_eq!(validate.code, 1);
    // (The exact wording is pinned by the config_diagnostics snapshots.)
    let words = validate
        .stderr
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(words.contains("`auraform catalog"), "{}", validate.stderr);
    let out = run(dir.path(), &["catalog", "--emulator"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("Project \"free-only\""),
        "{}",
        out.stdout
    );
}

/// The long flags a help text lists.
fn long_flags(help: &str) -> BTreeSet<String> {
    help.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("--")))
        .map(|w| {
            w.trim_start_matches('-')
                .trim_end_matches(['.', ','])
                .to_owned()
        })
        .collect()
}

#[test]
fn emulator_help_lists_only_the_emulators_flags() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["emulator", "--help"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let flags = long_flags(&out.stdout);
    let want: BTreeSet<String> = [
        "listen",
        "speed",
        "state",
        "client-id",
        "client-secret",
        "token-ttl",
        "seed",
        "fault-rate",
        "fault-kinds",
        "fault-route",
        "latency",
        "help",
        "version",
        "color",
        "verbose",
        "quiet",
        "rate-limit",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(flags, want, "{}", out.stdout);
    // The commands that work on aura.yaml still list theirs.
    let plan = run(dir.path(), &["plan", "--help"]);
    for flag in [
        "file",
        "api-url",
        "emulator",
        "poll-interval",
        "timeout",
        "rate-limit",
    ] {
        assert!(
            long_flags(&plan.stdout).contains(flag),
            "{flag}: {}",
            plan.stdout
        );
    }
    // And the emulator refuses them, wherever they are written.
    let after = run(dir.path(), &["emulator", "--timeout", "1s"]);
    assert_eq!(after.code, 1);
    assert!(
        after.stderr.contains("unexpected argument '--timeout'"),
        "{}",
        after.stderr
    );
    let before = run(dir.path(), &["-f", "x.yaml", "--timeout", "1s", "emulator"]);
    assert_eq!(before.code, 1);
    insta::assert_snapshot!("emulator_refuses_project_flags", before.stderr);
}

#[test]
fn api_url_with_emulator_is_a_conflict_on_either_side_of_the_command() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("aura.yaml"),
        "project: demo\ninstances: {}\n",
    )
    .unwrap();
    let url = "https://api.neo4j.io";
    let same_side = run(dir.path(), &["plan", "--emulator", "--api-url", url]);
    assert_eq!(same_side.code, 1);
    insta::assert_snapshot!("api_url_with_emulator_same_side", same_side.stderr);
    let across = run(dir.path(), &["--api-url", url, "plan", "--emulator"]);
    assert_eq!(across.code, 1);
    insta::assert_snapshot!("api_url_with_emulator_across", across.stderr);
    assert!(!dir.path().join(".auraform").exists(), "nothing may start");
    // The environment's AURA_API_URL is not a request: --emulator wins quietly.
    let out = auraform()
        .dir(dir.path())
        .args(["plan", "--emulator"])
        .env("AURA_API_URL", "https://127.0.0.1:9")
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn project_flags_work_before_or_after_the_command() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.yaml"), "project: demo\ninstances: {}\n").unwrap();
    for args in [
        &["-f", "x.yaml", "plan", "--emulator", "--timeout", "5m30s"][..],
        &[
            "plan",
            "-f",
            "x.yaml",
            "--emulator",
            "--poll-interval",
            "0.5s",
        ],
        &["--emulator", "--timeout", "1h30m", "plan", "-f", "x.yaml"],
        &[
            "--rate-limit",
            "10/s",
            "plan",
            "--emulator",
            "-f",
            "x.yaml",
            "-q",
        ],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(
            out.stdout.contains("No changes"),
            "{args:?}: {}",
            out.stdout
        );
    }
}
