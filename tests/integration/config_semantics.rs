//! What a valid aura.yaml means: defaults merged, values normalised, YAML pitfalls
//! read one documented way, variables expanded, and online validation.

use std::path::Path;

use auraform::api::wire::{CdcEnrichmentMode, CloudProvider, InstanceConfiguration, InstanceType};
use auraform::config::{self, DesiredState, ErrorCode, Field, LoadedConfig};

use super::config_diagnostics::{render, test_env};

fn load(text: &str) -> LoadedConfig {
    load_with(text, &test_env)
}

fn load_with(text: &str, env: &dyn Fn(&str) -> Option<String>) -> LoadedConfig {
    match config::load_str("aura.yaml", text, Path::new("/work/project"), env) {
        Ok(c) => c,
        Err(e) => panic!("invalid:\n{}", render(&e)),
    }
}

#[test]
fn the_design_example_means_what_design_says() {
    let c = config::load(Path::new("examples/aura.yaml"), &test_env).expect("valid");
    let d = &c.desired;
    assert_eq!(d.project, "demo");
    assert!(!d.prune);
    assert_eq!(
        d.credentials_dir,
        Path::new("examples/.auraform/credentials")
    );
    let names: Vec<&str> = d.instances.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "orders",
            "analytics",
            "sandbox",
            "events",
            "search",
            "vdc",
            "orders-copy",
            "legacy"
        ],
        "file order is kept"
    );
    let orders = &d.instances["orders"];
    assert_eq!(
        orders.instance_type,
        InstanceType::ProfessionalDb,
        "from defaults"
    );
    assert_eq!(orders.cloud_provider, CloudProvider::Gcp);
    assert_eq!(orders.region, "europe-west1");
    assert_eq!(orders.version, "5");
    assert_eq!(orders.memory, "8GB");
    assert_eq!(orders.storage.as_deref(), Some("16GB"));
    assert!(orders.prevent_destroy);
    assert_eq!(d.instances["analytics"].state, DesiredState::Paused);
    assert_eq!(
        d.instances["events"].cdc_enrichment_mode,
        Some(CdcEnrichmentMode::Diff)
    );
    assert_eq!(d.instances["search"].ignore_changes, vec![Field::Memory]);
    assert_eq!(d.instances["vdc"].secondaries_count, Some(2));
    assert_eq!(
        d.instances["orders-copy"]
            .source
            .as_ref()
            .map(|s| s.instance.as_str()),
        Some("orders")
    );
    assert!(d.instances["legacy"].allow_replace);
    assert_eq!(d.instances["legacy"].id, None);
}

#[test]
fn free_db_implies_gcp_europe_west1_and_1gb() {
    let c = load("project: p\ninstances:\n  s:\n    type: free-db\n");
    let s = &c.desired.instances["s"];
    assert_eq!(s.cloud_provider, CloudProvider::Gcp);
    assert_eq!(s.region, "europe-west1");
    assert_eq!(s.memory, "1GB");
    assert_eq!(s.storage, None);
    assert_eq!(s.state, DesiredState::Running);
}

#[test]
fn unmanaged_fields_stay_none_and_flags_default_false() {
    let c = load(
        "project: p\ninstances:\n  a:\n    type: professional-db\n    cloud_provider: aws\n    region: eu-west-1\n    memory: 2GB\n",
    );
    let a = &c.desired.instances["a"];
    assert_eq!(a.storage, None);
    assert_eq!(a.secondaries_count, None);
    assert_eq!(a.cdc_enrichment_mode, None);
    assert_eq!(a.customer_managed_key_id, None);
    assert!(
        !a.vector_optimized && !a.graph_analytics_plugin && !a.prevent_destroy && !a.allow_replace
    );
    assert!(a.ignore_changes.is_empty());
}

#[test]
fn yaml_pitfalls_unquoted_version_and_off() {
    let c = load(
        "project: p\ninstances:\n  e:\n    type: business-critical\n    cloud_provider: gcp\n    region: europe-west1\n    memory: 8GB\n    version: 5\n    cdc_enrichment_mode: OFF\n",
    );
    let e = &c.desired.instances["e"];
    assert_eq!(e.version, "5");
    assert_eq!(e.cdc_enrichment_mode, Some(CdcEnrichmentMode::Off));
}

#[test]
fn yaml_1_1_booleans_are_rejected_consistently() {
    for word in ["yes", "no", "on", "off", "Yes", "ON", "y"] {
        let text = format!("project: p\nprune: {word}\ninstances: {{}}\n");
        let err = config::load_str("aura.yaml", text, Path::new("."), &test_env).expect_err(word);
        assert_eq!(err.codes(), vec![ErrorCode::WrongType], "{word}");
    }
    for word in ["true", "True", "TRUE", "false"] {
        let text = format!("project: p\nprune: {word}\ninstances: {{}}\n");
        let _ = load(&text);
    }
}

#[test]
fn defaults_merge_under_instances_and_own_values_win() {
    let c = load(
        "project: p
defaults:
  type: professional-db
  cloud_provider: gcp
  region: us-central1
  memory: 4GB
  ignore_changes: [memory, storage]
  prevent_destroy: true
instances:
  a: {}
  b:
    region: europe-west1
    memory: 8GB
    ignore_changes: [state]
  c:
",
    );
    let d = &c.desired.instances;
    assert_eq!(d["a"].region, "us-central1");
    assert_eq!(d["a"].ignore_changes, vec![Field::Memory, Field::Storage]);
    assert!(d["a"].prevent_destroy);
    assert_eq!(d["b"].region, "europe-west1");
    assert_eq!(d["b"].memory, "8GB");
    assert_eq!(
        d["b"].ignore_changes,
        vec![Field::State],
        "an instance's list replaces the default"
    );
    assert_eq!(
        d["c"].memory, "4GB",
        "an empty instance body takes every default"
    );
}

#[test]
fn variables_expand_with_defaults_and_escapes() {
    let env = |name: &str| match name {
        "TEAM" => Some("data".to_owned()),
        "EMPTY" => Some(String::new()),
        _ => None,
    };
    let c = load_with(
        "project: ${TEAM}-${STAGE:-dev}-${EMPTY:-x}-$${TEAM}-$5\ninstances:\n  a:\n    type: free-db\n    customer_managed_key_id: \"${TEAM}\"\n",
        &env,
    );
    assert_eq!(c.desired.project, "data-dev-x-${TEAM}-$5");
    assert_eq!(
        c.desired.instances["a"].customer_managed_key_id.as_deref(),
        Some("data")
    );
}

#[test]
fn an_unset_variable_is_located_exactly() {
    let err = config::load_str(
        "aura.yaml",
        "project: \"a-${NOPE}\"\ninstances: {}\n",
        Path::new("."),
        &test_env,
    )
    .expect_err("unset");
    let span = err.errors[0].span().expect("located");
    assert_eq!(
        (span.offset, span.len),
        (12, 7),
        "points at ${{NOPE}} inside the quotes"
    );
}

#[test]
fn credentials_dir_resolves_against_the_files_directory() {
    let c = load("project: p\ncredentials:\n  dir: secrets/aura\ninstances: {}\n");
    assert_eq!(
        c.desired.credentials_dir,
        Path::new("/work/project/secrets/aura")
    );
    let c = load("project: p\ncredentials:\n  dir: /var/aura\ninstances: {}\n");
    assert_eq!(c.desired.credentials_dir, Path::new("/var/aura"));
    let c = load("project: p\ninstances: {}\n");
    assert_eq!(
        c.desired.credentials_dir,
        Path::new("/work/project/.auraform/credentials")
    );
}

#[test]
fn spans_point_at_values_in_the_instance_or_in_defaults() {
    let text =
        "project: p\ndefaults:\n  region: europe-west1\ninstances:\n  a:\n    type: free-db\n";
    let c = load(text);
    let at = |f| {
        let s = c.span_of("a", f).expect("span");
        &text[s.offset..s.offset + s.len]
    };
    assert_eq!(at(Field::Region), "europe-west1");
    assert_eq!(at(Field::Type), "free-db");
    assert_eq!(
        at(Field::Memory),
        "a",
        "implied values point at the instance"
    );
    assert!(c.spans("a").expect("spans").fields[&Field::Region].from_defaults);
}

fn row(
    t: InstanceType,
    cloud: CloudProvider,
    region: &str,
    memory: &str,
    storage: &str,
) -> InstanceConfiguration {
    InstanceConfiguration {
        region: region.to_owned(),
        region_name: String::new(),
        instance_type: t,
        memory: memory.to_owned(),
        storage: storage.to_owned(),
        version: "5".to_owned(),
        cloud_provider: cloud,
    }
}

#[test]
fn online_validation_uses_the_live_configurations() {
    let c = config::load(Path::new("examples/minimal.yaml"), &test_env).expect("valid");
    let offered = vec![row(
        InstanceType::ProfessionalDb,
        CloudProvider::Gcp,
        "europe-west1",
        "2GB",
        "4GB",
    )];
    config::validate_online(&c, &offered).expect("offered");

    let free_only = vec![row(
        InstanceType::FreeDb,
        CloudProvider::Gcp,
        "europe-west1",
        "1GB",
        "2GB",
    )];
    let err = config::validate_online(&c, &free_only).expect_err("not offered");
    assert_eq!(err.codes(), vec![ErrorCode::NotOffered]);
    insta::assert_snapshot!("online_type_not_offered", render(&err));

    let elsewhere = vec![row(
        InstanceType::ProfessionalDb,
        CloudProvider::Gcp,
        "us-central1",
        "2GB",
        "4GB",
    )];
    let err = config::validate_online(&c, &elsewhere).expect_err("region");
    insta::assert_snapshot!("online_region_not_offered", render(&err));
}

#[test]
fn online_validation_wins_over_the_builtin_catalogue() {
    // 3GB is in no built-in row, so offline it is an error ...
    let text = "project: p\ninstances:\n  a:\n    type: professional-db\n    cloud_provider: gcp\n    region: europe-west1\n    memory: 4GB\n    storage: 12GB\n";
    let err = config::load_str("aura.yaml", text, Path::new("."), &test_env).expect_err("offline");
    assert_eq!(err.codes(), vec![ErrorCode::NotOffered]);
    // ... while a project that offers it accepts the same instance.
    let ok = "project: p\ninstances:\n  a:\n    type: professional-db\n    cloud_provider: gcp\n    region: europe-west1\n    memory: 4GB\n";
    let c = load(ok);
    let live = vec![row(
        InstanceType::ProfessionalDb,
        CloudProvider::Gcp,
        "europe-west1",
        "4GB",
        "12GB",
    )];
    config::validate_online(&c, &live).expect("live rows win");
}

#[test]
fn all_example_instances_are_offered_by_the_builtin_catalogue_online_too() {
    let c = config::load(Path::new("examples/aura.yaml"), &test_env).expect("valid");
    let rows = auraform::aura::catalogue::configurations(InstanceType::KNOWN);
    config::validate_online(&c, &rows).expect("catalogue rows");
}

/// The example of docs/aura-yaml.md §2 (with its `id:` pin) is valid: the test reads it
/// from the document, so the reference cannot show a file auraform rejects.
#[test]
fn the_documented_example_is_valid() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/aura-yaml.md"))
            .unwrap();
    let section = doc.split("\n## 2. Example").nth(1).expect("§2 Example");
    let text = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|t| t.split("```").next())
        .expect("a yaml block in §2");
    let c = load(text);
    assert_eq!(c.desired.instances.len(), 7);
    assert_eq!(
        c.desired.instances["legacy"].id.as_deref(),
        Some("2f49c2b3")
    );
}

#[test]
fn loading_with_live_configurations_replaces_the_builtin_catalogue() {
    // A region the built-in catalogue does not know (a new one) ...
    let text = "project: p\ninstances:\n  a:\n    type: professional-db\n    cloud_provider: gcp\n    region: europe-west99\n    memory: 4GB\n";
    let err = config::load_str("aura.yaml", text, Path::new("."), &test_env).expect_err("offline");
    assert_eq!(err.codes(), vec![ErrorCode::NotOffered]);
    // ... is fine when the live project offers it,
    let live = vec![row(
        InstanceType::ProfessionalDb,
        CloudProvider::Gcp,
        "europe-west99",
        "4GB",
        "8GB",
    )];
    let c =
        config::load_str_with_configurations("aura.yaml", text, Path::new("."), &test_env, &live)
            .expect("live rows win");
    assert_eq!(c.desired.instances["a"].region, "europe-west99");
    // and the other rules still apply.
    let bad = format!("{text}    cdc_enrichment_mode: DIFF\n");
    let err =
        config::load_str_with_configurations("aura.yaml", bad, Path::new("."), &test_env, &live)
            .expect_err("tier rule");
    assert_eq!(err.codes(), vec![ErrorCode::TierRule]);
}
