//! `auraform import`: an aura.yaml that describes a live project, written so that the
//! `plan` right after it shows **no changes** (the Terraform provider's import was
//! followed by a plan that replaced the imported instance until its 1.1.1; ANCHORS
//! §1.5).
//!
//! [`write_yaml`] is pure: live data in, commented YAML out. [`check_clean`] loads
//! that text with the same loader `plan` uses and plans it against the very data it
//! was written from; the command refuses to hand out a file that would plan any
//! change. Decisions where the contract is silent:
//!
//! - `defaults` hold the most common `type`, `cloud_provider` and `region` (and
//!   `version` when the API reports one other than the default "5"); an instance
//!   writes only the values that differ from them. `memory` is always written.
//! - `storage`, `secondaries_count` and `cdc_enrichment_mode` are written whenever
//!   the API reports them (on tiers that have them), so later drift in them is seen.
//!   Toggles are written only when true (false is the default).
//! - Two live instances with one name: every one of them is pinned with `id:`; the
//!   first keeps the name as its key, the others get `<name>-<id>` keys with
//!   `ignore_changes: [name]` (keys must be unique, and without the ignore a plan
//!   would rename them).
//! - A free instance Aura paused (idle) gets `ignore_changes: [state]`: free
//!   instances cannot be paused on request, and `running` would plan a resume.
//! - `paused`/`pausing` → `state: paused`; other transitional statuses are written as
//!   they will settle, with a comment; `suspended`/`loading failed` are declared with
//!   a comment (plan and drift report them as needing a person); instances being
//!   destroyed, or of a type or cloud auraform does not know, are left out as
//!   comments.

use std::collections::HashMap;
use std::fmt::Write;

use miette::Diagnostic;
use thiserror::Error;

use crate::api::LiveProject;
use crate::api::wire::{Instance, TenantSummary};
use crate::aura::tiers;
use crate::aura::{CdcEnrichmentMode, CloudProvider, InstanceStatus, InstanceType};
use crate::config::validate::DEFAULT_VERSION;
use crate::plan::{self, Live, PlanOptions};

/// Why `import` stopped.
#[derive(Debug, Error, Diagnostic)]
pub enum ImportError {
    #[error("{path} already exists; import does not overwrite it")]
    #[diagnostic(
        code(auraform::import::file_exists),
        help("pass --force to overwrite it, or choose another --output")
    )]
    FileExists { path: String },

    #[error("these credentials see no project to import")]
    #[diagnostic(
        code(auraform::import::no_project),
        help("check that the API key belongs to the right Aura organization")
    )]
    NoProjects,

    #[error("which project? These credentials see {count}: {list}")]
    #[diagnostic(
        code(auraform::import::which_project),
        help("choose one with --project ID_OR_NAME")
    )]
    ManyProjects { count: usize, list: String },

    /// A bug guard: the written file would not plan clean.
    #[error("the imported file would not plan clean: {details}")]
    #[diagnostic(
        code(auraform::import::not_clean),
        help(
            "nothing was written. This is a bug in auraform import; please report it with the output of `auraform -vv import`"
        )
    )]
    NotClean { details: String },
}

/// Picks the project without `--project` and without an aura.yaml: the only one.
pub fn only_project(tenants: &[TenantSummary]) -> Result<&TenantSummary, ImportError> {
    match tenants {
        [] => Err(ImportError::NoProjects),
        [one] => Ok(one),
        many => Err(ImportError::ManyProjects {
            count: many.len(),
            list: many
                .iter()
                .map(|t| format!("{} ({})", t.name, t.id))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// How the file refers to the project: its name when no other project visible to
/// these credentials has it, else its id.
pub fn project_label(snapshot: &LiveProject, tenants: &[TenantSummary]) -> String {
    let same_name = tenants
        .iter()
        .filter(|t| t.name == snapshot.tenant.name)
        .count();
    if same_name <= 1 && !snapshot.tenant.name.trim().is_empty() {
        snapshot.tenant.name.clone()
    } else {
        snapshot.tenant.id.clone()
    }
}

/// The most common value (first seen wins a tie).
fn mode<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(k, _)| *k == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(k, _)| k.to_owned())
}

/// A YAML string value: `${` is written `$${`, which the loader reads back as a
/// literal `${` (values are interpolated; keys are not, see [`key`]).
fn scalar(s: &str) -> String {
    key(&s.replace("${", "$${"))
}

/// A YAML scalar: plain when unambiguous, else double-quoted (JSON escaping is valid
/// YAML).
fn key(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        // Numbers (`12345678`, `1e10`, `1.5`) would load as numbers, not strings.
        && s.parse::<f64>().is_err()
        && !s.starts_with("0x")
        && !s.starts_with("0o")
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        s.to_owned()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
    }
}

/// `"5"` for any 5.x the API might report, `"4"` for 4.x; `None` when unknown.
fn major_version(v: Option<&String>) -> Option<&'static str> {
    let v = v?.trim();
    if v == "5" || v.starts_with("5.") {
        Some("5")
    } else if v == "4" || v.starts_with("4.") {
        Some("4")
    } else {
        None
    }
}

/// Why an instance cannot be declared, if it cannot.
fn left_out(i: &Instance) -> Option<String> {
    if i.status == InstanceStatus::Destroying {
        return Some("it was being destroyed when imported".to_owned());
    }
    if matches!(i.instance_type, InstanceType::Other(_)) {
        return Some(format!(
            "its type `{}` is unknown to auraform",
            i.instance_type.as_str()
        ));
    }
    if matches!(i.cloud_provider, CloudProvider::Other(_)) {
        return Some(format!(
            "its cloud provider `{}` is unknown to auraform",
            i.cloud_provider.as_str()
        ));
    }
    if i.memory.as_deref().is_none_or(|m| m.trim().is_empty()) && !tiers::is_free(&i.instance_type)
    {
        return Some("the API did not report its memory".to_owned());
    }
    None
}

/// The aura.yaml text for `snapshot` (which must hold the details of every listed
/// instance). `project` is how the file names the project; `generated_by` goes into
/// the header comment (the command line and time, say).
pub fn write_yaml(snapshot: &LiveProject, project: &str, generated_by: &str) -> String {
    // Details in list order; instances the list has but whose details are missing
    // (gone between the calls) are not written.
    let mut details: Vec<&Instance> = Vec::new();
    for s in &snapshot.summaries {
        if let Some(i) = snapshot.instances.iter().find(|i| i.id == s.id)
            && !details.iter().any(|d| d.id == i.id)
        {
            details.push(i);
        }
    }
    for i in &snapshot.instances {
        if !details.iter().any(|d| d.id == i.id) {
            details.push(i);
        }
    }
    let declared: Vec<&Instance> = details
        .iter()
        .copied()
        .filter(|i| left_out(i).is_none())
        .collect();

    let d_type = mode(declared.iter().map(|i| i.instance_type.as_str()));
    let d_cloud = mode(declared.iter().map(|i| i.cloud_provider.as_str()));
    let d_region = mode(declared.iter().map(|i| i.region.as_str()));
    let d_version = mode(
        declared
            .iter()
            .filter_map(|i| major_version(i.version.as_ref())),
    )
    .filter(|v| v != DEFAULT_VERSION);
    let effective_version = d_version.as_deref().unwrap_or(DEFAULT_VERSION);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# yaml-language-server: $schema=aura.schema.json\n\
         # (write the schema beside this file with `auraform schema > aura.schema.json`)\n\
         #\n\
         # Project {:?} ({}), {generated_by}.\n\
         # Values equal to `defaults` are left out of each instance. `auraform plan`\n\
         # right after this import shows no changes; `auraform drift` reports any\n\
         # later divergence.",
        snapshot.tenant.name, snapshot.tenant.id
    );
    let _ = writeln!(out, "project: {}", scalar(project));
    let _ = writeln!(out);
    if d_type.is_some() || d_cloud.is_some() || d_region.is_some() || d_version.is_some() {
        let _ = writeln!(out, "# The most common values among the instances below.");
        let _ = writeln!(out, "defaults:");
        if let Some(t) = &d_type {
            let _ = writeln!(out, "  type: {}", scalar(t));
        }
        if let Some(c) = &d_cloud {
            let _ = writeln!(out, "  cloud_provider: {}", scalar(c));
        }
        if let Some(r) = &d_region {
            let _ = writeln!(out, "  region: {}", scalar(r));
        }
        if let Some(v) = &d_version {
            let _ = writeln!(out, "  version: \"{v}\"");
        }
        let _ = writeln!(out);
    }

    // Names shared by several live instances (any status): pin every one of them.
    let mut name_count: HashMap<&str, usize> = HashMap::new();
    for s in &snapshot.summaries {
        *name_count.entry(s.name.as_str()).or_default() += 1;
    }
    let mut keys: Vec<String> = Vec::new();
    let all_names: Vec<&str> = snapshot.summaries.iter().map(|s| s.name.as_str()).collect();

    if details.is_empty() {
        let _ = writeln!(out, "instances: {{}}");
        return out;
    }
    let _ = writeln!(out, "instances:");
    for i in &details {
        if let Some(why) = left_out(i) {
            let _ = writeln!(out, "  # {:?} ({}) is not declared: {why}.", i.name, i.id);
            continue;
        }
        let shared = name_count.get(i.name.as_str()).copied().unwrap_or(1) > 1;
        let key = if keys.contains(&i.name) {
            unique_key(&i.name, &i.id, &keys, &all_names)
        } else {
            i.name.clone()
        };
        let renamed_key = key != i.name;
        keys.push(key.clone());

        match &i.status {
            InstanceStatus::Suspended | InstanceStatus::LoadingFailed => {
                let _ = writeln!(
                    out,
                    "  # status {:?} when imported: this needs a person (Aura console).\n  # auraform reports it and does not touch it until it is running again.",
                    i.status.as_str()
                );
            }
            s if s.is_transitional() && *s != InstanceStatus::Pausing => {
                let _ = writeln!(
                    out,
                    "  # status {:?} when imported: values may still change; plan again once it settles.",
                    s.as_str()
                );
            }
            _ => {}
        }
        if shared {
            let _ = writeln!(
                out,
                "  # {} live instances are named {:?}: each is pinned by id.",
                name_count.get(i.name.as_str()).copied().unwrap_or(1),
                i.name
            );
        }
        let _ = writeln!(out, "  {}:", self::key(&key));
        if shared || renamed_key {
            let _ = writeln!(out, "    id: {}", scalar(&i.id));
        }
        let free = tiers::is_free(&i.instance_type);
        // A free instance cannot be paused on request, but Aura pauses idle ones by
        // itself; declaring it running would plan a resume.
        let free_paused =
            free && matches!(i.status, InstanceStatus::Paused | InstanceStatus::Pausing);
        let mut ignored = Vec::new();
        if renamed_key {
            let _ = writeln!(
                out,
                "    # The key differs from the live name {:?} (keys are unique); keep the name.",
                i.name
            );
            ignored.push("name");
        }
        if free_paused {
            let _ = writeln!(
                out,
                "    # Paused by Aura (idle free instance): its state is left to Aura."
            );
            ignored.push("state");
        }
        if !ignored.is_empty() {
            let _ = writeln!(out, "    ignore_changes: [{}]", ignored.join(", "));
        }
        if Some(i.instance_type.as_str()) != d_type.as_deref() {
            let _ = writeln!(out, "    type: {}", i.instance_type.as_str());
        }
        if Some(i.cloud_provider.as_str()) != d_cloud.as_deref() {
            let _ = writeln!(out, "    cloud_provider: {}", i.cloud_provider.as_str());
        }
        if Some(i.region.as_str()) != d_region.as_deref() {
            let _ = writeln!(out, "    region: {}", scalar(&i.region));
        }
        if let Some(v) = major_version(i.version.as_ref())
            && v != effective_version
        {
            let _ = writeln!(out, "    version: \"{v}\"");
        }
        let memory = i
            .memory
            .as_deref()
            .filter(|m| !m.trim().is_empty())
            .unwrap_or(crate::aura::catalogue::FREE_MEMORY);
        let _ = writeln!(out, "    memory: {}", scalar(memory));
        if !free && let Some(s) = i.storage.as_deref().filter(|s| !s.trim().is_empty()) {
            let _ = writeln!(out, "    storage: {}", scalar(s));
        }
        if matches!(i.status, InstanceStatus::Paused | InstanceStatus::Pausing) && !free {
            let _ = writeln!(out, "    state: paused");
        }
        if !free && i.vector_optimized == Some(true) {
            let _ = writeln!(out, "    vector_optimized: true");
        }
        if tiers::has_graph_analytics_plugin(&i.instance_type)
            && i.graph_analytics_plugin == Some(true)
        {
            let _ = writeln!(out, "    graph_analytics_plugin: true");
        }
        if tiers::has_secondaries(&i.instance_type)
            && let Some(n) = i.secondaries_count
        {
            let _ = writeln!(out, "    secondaries_count: {n}");
        }
        if tiers::has_cdc(&i.instance_type)
            && let Some(m) = &i.cdc_enrichment_mode
            && !matches!(m, CdcEnrichmentMode::Other(_))
        {
            let _ = writeln!(out, "    cdc_enrichment_mode: {}", m.as_str());
        }
        if let Some(k) = i
            .customer_managed_key_id
            .as_deref()
            .filter(|k| !k.trim().is_empty())
        {
            let _ = writeln!(out, "    customer_managed_key_id: {}", scalar(k));
        }
    }
    out
}

/// `<name>-<id>`, the name shortened so the key stays within 30 characters, and
/// different from every key and live name so far.
fn unique_key(name: &str, id: &str, keys: &[String], live_names: &[&str]) -> String {
    let room = 30usize.saturating_sub(id.chars().count() + 1);
    let stem: String = name.chars().take(room).collect();
    let mut key = format!("{}-{id}", stem.trim_end());
    let mut n = 2;
    while keys.contains(&key) || live_names.contains(&key.as_str()) {
        key = format!(
            "{}-{id}-{n}",
            stem.chars()
                .take(room.saturating_sub(3))
                .collect::<String>()
        );
        n += 1;
    }
    key
}

/// Loads `text` as `plan` would and plans it against the data it was written from;
/// `Ok` only when the plan has no changes.
pub fn check_clean(
    text: &str,
    snapshot: &LiveProject,
    base_dir: &std::path::Path,
) -> Result<(), ImportError> {
    let no_env = |_: &str| None;
    let rows = &snapshot.tenant.instance_configurations;
    let loaded = if rows.is_empty() {
        crate::config::load_str("imported aura.yaml", text, base_dir, &no_env)
    } else {
        crate::config::load_str_with_configurations(
            "imported aura.yaml",
            text,
            base_dir,
            &no_env,
            rows,
        )
    }
    .map_err(|e| ImportError::NotClean {
        details: format!("it does not load: {}", render_errors(&e)),
    })?;
    let live = Live::from_project(snapshot);
    let planned = plan::plan(&loaded.desired, &live, &PlanOptions::default()).map_err(|e| {
        ImportError::NotClean {
            details: format!("it does not plan: {e}"),
        }
    })?;
    if planned.has_changes() {
        let names: Vec<String> = planned
            .changes
            .iter()
            .map(|c| {
                let actions: Vec<&str> = c.actions.iter().map(|a| a.as_str()).collect();
                format!("{} ({})", c.name, actions.join(", "))
            })
            .collect();
        return Err(ImportError::NotClean {
            details: format!("the plan would change {}", names.join("; ")),
        });
    }
    Ok(())
}

fn render_errors(e: &crate::config::ConfigErrors) -> String {
    let mut s = e.to_string();
    if let Some(related) = e.related() {
        for r in related {
            let _ = write!(s, "; {r}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wire::Tenant;

    fn inst(id: &str, name: &str, status: &str) -> Instance {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "status": status, "tenant_id": "t",
            "cloud_provider": "gcp", "region": "europe-west1", "type": "professional-db",
            "memory": "8GB", "storage": "16GB", "connection_url": null,
            "vector_optimized": false, "graph_analytics_plugin": false
        }))
        .unwrap()
    }

    fn snapshot(instances: Vec<Instance>) -> LiveProject {
        LiveProject {
            tenant: Tenant {
                id: "6981ace7-efe8-4f5c-b7c5-267b5162ce91".into(),
                name: "demo".into(),
                instance_configurations: vec![],
            },
            summaries: instances
                .iter()
                .map(|i| {
                    serde_json::from_value(serde_json::json!({
                        "id": i.id, "name": i.name, "tenant_id": "t", "cloud_provider": "gcp"
                    }))
                    .unwrap()
                })
                .collect(),
            instances,
        }
    }

    #[test]
    fn scalars_are_plain_only_when_safe() {
        assert_eq!(scalar("orders"), "orders");
        assert_eq!(scalar("8GB"), "8GB");
        assert_eq!(scalar("2f49c2b3"), "2f49c2b3");
        assert_eq!(scalar("12345678"), "\"12345678\"");
        assert_eq!(scalar("1e345678"), "\"1e345678\"");
        assert_eq!(scalar("off"), "\"off\"");
        assert_eq!(scalar("my app"), "\"my app\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("x${HOME}"), "\"x$${HOME}\"");
    }

    #[test]
    fn busy_suspended_destroying_and_odd_names_still_plan_clean() {
        let mut odd = inst("33333333", "my app: ${HOME} #1", "running");
        odd.region = "us-east1".into();
        let snap = snapshot(vec![
            inst("11111111", "creating-one", "creating"),
            inst("22222222", "resizing-one", "resizing"),
            inst("44444444", "pausing-one", "pausing"),
            inst("55555555", "billing", "suspended"),
            inst("66666666", "failed", "loading failed"),
            inst("77777777", "leaving", "destroying"),
            odd,
        ]);
        let text = write_yaml(&snap, "demo", "test");
        assert!(
            text.contains("# \"leaving\" (77777777) is not declared: it was being destroyed"),
            "{text}"
        );
        assert!(
            text.contains("status \"suspended\" when imported: this needs a person"),
            "{text}"
        );
        assert!(
            text.contains("status \"creating\" when imported: values may still change"),
            "{text}"
        );
        assert!(
            text.contains(
                "  pausing-one:\n    memory: 8GB\n    storage: 16GB\n    state: paused\n"
            ),
            "{text}"
        );
        assert!(text.contains("\"my app: ${HOME} #1\":"), "{text}");
        check_clean(&text, &snap, std::path::Path::new(".")).unwrap();
    }

    #[test]
    fn a_free_instance_aura_paused_is_left_paused() {
        let mut free = inst("11111111", "play", "paused");
        free.instance_type = InstanceType::FreeDb;
        free.memory = Some("1GB".into());
        free.storage = None;
        let snap = snapshot(vec![free, inst("22222222", "app", "running")]);
        let text = write_yaml(&snap, "demo", "test");
        assert!(text.contains("    ignore_changes: [state]\n"), "{text}");
        assert!(!text.contains("state: paused"), "{text}");
        check_clean(&text, &snap, std::path::Path::new(".")).unwrap();
    }

    #[test]
    fn three_instances_sharing_a_name_are_all_pinned() {
        let snap = snapshot(vec![
            inst("11111111", "app", "running"),
            inst("22222222", "app", "running"),
            inst("33333333", "app", "paused"),
        ]);
        let text = write_yaml(&snap, "demo", "test");
        assert!(text.contains("  app:\n    id: \"11111111\"\n"), "{text}");
        assert!(
            text.contains("  app-22222222:\n    id: \"22222222\"\n"),
            "{text}"
        );
        assert!(
            text.contains("  app-33333333:\n    id: \"33333333\"\n"),
            "{text}"
        );
        check_clean(&text, &snap, std::path::Path::new(".")).unwrap();
    }

    #[test]
    fn the_only_project_or_a_list() {
        let t = |id: &str, name: &str| TenantSummary {
            id: id.into(),
            name: name.into(),
        };
        assert!(matches!(only_project(&[]), Err(ImportError::NoProjects)));
        assert_eq!(only_project(&[t("a", "one")]).unwrap().id, "a");
        let err = only_project(&[t("a", "one"), t("b", "two")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "which project? These credentials see 2: one (a), two (b)"
        );
    }

    /// Many random projects of valid live instances (every tier, status, toggle and
    /// shared names): the imported file always loads and plans clean.
    #[test]
    fn random_projects_always_import_clean() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let types = [
            ("professional-db", &[1u32, 2, 4, 8, 16][..]),
            ("professional-ds", &[4, 8, 16][..]),
            ("business-critical", &[2, 4, 16][..]),
            ("enterprise-db", &[2, 8, 32][..]),
            ("enterprise-ds", &[8, 16][..]),
            ("free-db", &[1][..]),
        ];
        let statuses = [
            "running",
            "running",
            "paused",
            "creating",
            "updating",
            "resizing",
            "pausing",
            "resuming",
            "suspended",
            "loading failed",
            "destroying",
        ];
        let places = [
            ("gcp", "europe-west1"),
            ("aws", "us-east-1"),
            ("gcp", "us-central1"),
        ];
        let names = ["a", "b", "c", "orders", "x${Y}", "12345", "off"];
        for round in 0..300 {
            let n = 1 + next(12);
            let mut list = Vec::new();
            for k in 0..n {
                let (ty, sizes) = types[next(types.len())];
                let gb = sizes[next(sizes.len())];
                let free = ty == "free-db";
                let (cloud, region) = if free {
                    ("gcp", "europe-west1")
                } else {
                    places[next(places.len())]
                };
                let mut status = statuses[next(statuses.len())];
                if free && status == "pausing" {
                    status = "paused";
                }
                let mut v = serde_json::json!({
                    "id": format!("{:08x}", round * 100 + k), "name": names[next(names.len())],
                    "status": status, "tenant_id": "t", "cloud_provider": cloud,
                    "region": region, "type": ty, "memory": format!("{gb}GB"),
                    "connection_url": null, "vector_optimized": !free && gb >= 4 && next(2) == 0,
                });
                if !free {
                    v["storage"] = format!("{}GB", gb * 2).into();
                }
                if ty == "professional-db" {
                    v["graph_analytics_plugin"] = (next(2) == 0).into();
                }
                if ty == "enterprise-db" {
                    v["secondaries_count"] = next(4).into();
                }
                if matches!(ty, "business-critical" | "enterprise-db") && next(3) > 0 {
                    v["cdc_enrichment_mode"] = ["OFF", "DIFF", "FULL"][next(3)].into();
                }
                list.push(serde_json::from_value::<Instance>(v).unwrap());
            }
            let snap = snapshot(list);
            let text = write_yaml(&snap, "demo", "test");
            if let Err(e) = check_clean(&text, &snap, std::path::Path::new(".")) {
                panic!("round {round}: {e}\n{text}");
            }
        }
    }
}
