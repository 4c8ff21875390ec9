//! Writing the aura.yaml text: pure, live data in, commented YAML out. Which instances
//! are declared (and why the others are not), their keys when names repeat, the comments
//! on statuses that need care, and each instance's fields as far as they differ from
//! `defaults` (see the module doc of `import` for the decisions).

use std::collections::HashMap;
use std::fmt::Write;

use super::defaults::{Defaults, major_version};
use super::yaml::{header, scalar};
use crate::api::LiveProject;
use crate::api::wire::Instance;
use crate::aura::tiers;
use crate::aura::{CdcEnrichmentMode, CloudProvider, InstanceStatus, InstanceType};

/// The aura.yaml text for `live` (which must hold the details of every listed
/// instance). `project` is how the file names the project; `generated_by` goes into
/// the header comment (the command line and time, say).
pub(crate) fn write_yaml(live: &LiveProject, project: &str, generated_by: &str) -> String {
    let details = in_list_order(live);
    let declared: Vec<&Instance> = details
        .iter()
        .copied()
        .filter(|i| left_out(i).is_none())
        .collect();
    let defaults = Defaults::choose(&declared);

    let mut out = String::new();
    write_header(&mut out, live, project, generated_by);
    write_defaults(&mut out, &defaults);
    if details.is_empty() {
        let _ = writeln!(out, "instances: {{}}");
        return out;
    }
    let _ = writeln!(out, "instances:");
    let mut keys = Keys::new(live);
    for i in &details {
        if let Some(why) = left_out(i) {
            let _ = writeln!(out, "  # {:?} ({}) is not declared: {why}.", i.name, i.id);
            continue;
        }
        write_instance(&mut out, i, &defaults, &mut keys);
    }
    out
}

/// Details in list order; instances the list has but whose details are missing (gone
/// between the calls) are not written, details the list lacks come last.
fn in_list_order(live: &LiveProject) -> Vec<&Instance> {
    let mut details: Vec<&Instance> = Vec::new();
    for s in &live.summaries {
        if let Some(i) = live.instances.iter().find(|i| i.id == s.id)
            && !details.iter().any(|d| d.id == i.id)
        {
            details.push(i);
        }
    }
    for i in &live.instances {
        if !details.iter().any(|d| d.id == i.id) {
            details.push(i);
        }
    }
    details
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
    // Free instances come in one size, so a missing memory is known; others need it.
    if i.memory.as_deref().is_none_or(|m| m.trim().is_empty()) && !tiers::is_free(&i.instance_type)
    {
        return Some("the API did not report its memory".to_owned());
    }
    None
}

fn write_header(out: &mut String, live: &LiveProject, project: &str, generated_by: &str) {
    header(out, &live.tenant.name, &live.tenant.id, generated_by);
    let _ = writeln!(
        out,
        "# Values equal to `defaults` are left out of each instance. `auraform plan`\n\
         # right after this import shows no changes; `auraform drift` reports any\n\
         # later divergence."
    );
    let _ = writeln!(out, "project: {}", scalar(project));
    let _ = writeln!(out);
}

fn write_defaults(out: &mut String, defaults: &Defaults) {
    if defaults.is_empty() {
        return;
    }
    let _ = writeln!(out, "# The most common values among the instances below.");
    let _ = writeln!(out, "defaults:");
    if let Some(t) = &defaults.instance_type {
        let _ = writeln!(out, "  type: {}", scalar(t));
    }
    if let Some(c) = &defaults.cloud_provider {
        let _ = writeln!(out, "  cloud_provider: {}", scalar(c));
    }
    if let Some(r) = &defaults.region {
        let _ = writeln!(out, "  region: {}", scalar(r));
    }
    if let Some(v) = &defaults.version {
        let _ = writeln!(out, "  version: \"{v}\"");
    }
    let _ = writeln!(out);
}

/// The instance keys handed out so far, and the live names they must not collide with.
struct Keys<'a> {
    taken: Vec<String>,
    live_names: Vec<&'a str>,
    /// How many live instances (any status) carry each name.
    name_count: HashMap<&'a str, usize>,
}

impl<'a> Keys<'a> {
    fn new(live: &'a LiveProject) -> Self {
        let mut name_count: HashMap<&str, usize> = HashMap::new();
        for s in &live.summaries {
            *name_count.entry(s.name.as_str()).or_default() += 1;
        }
        Self {
            taken: Vec::new(),
            live_names: live.summaries.iter().map(|s| s.name.as_str()).collect(),
            name_count,
        }
    }

    /// How many live instances are named `name` (1 when the list does not have it).
    fn sharing(&self, name: &str) -> usize {
        self.name_count.get(name).copied().unwrap_or(1)
    }

    /// The key for `i`: its name, unless an earlier instance took it.
    fn assign(&mut self, i: &Instance) -> String {
        let key = if self.taken.contains(&i.name) {
            unique_key(&i.name, &i.id, &self.taken, &self.live_names)
        } else {
            i.name.clone()
        };
        self.taken.push(key.clone());
        key
    }
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

/// One declared instance: its comments, key, pin and ignores, then its fields.
fn write_instance(out: &mut String, i: &Instance, defaults: &Defaults, keys: &mut Keys<'_>) {
    // Names shared by several live instances (any status): pin every one of them.
    let sharing = keys.sharing(&i.name);
    let shared = sharing > 1;
    let instance_key = keys.assign(i);
    let renamed_key = instance_key != i.name;
    write_status_comment(out, &i.status);
    if shared {
        let _ = writeln!(
            out,
            "  # {sharing} live instances are named {:?}: each is pinned by id.",
            i.name
        );
    }
    let _ = writeln!(out, "  {}:", scalar(&instance_key));
    if shared || renamed_key {
        let _ = writeln!(out, "    id: {}", scalar(&i.id));
    }
    write_ignored(out, i, renamed_key);
    write_fields(out, i, defaults);
}

fn write_status_comment(out: &mut String, status: &InstanceStatus) {
    match status {
        InstanceStatus::Suspended | InstanceStatus::LoadingFailed => {
            let _ = writeln!(
                out,
                "  # status {:?} when imported: this needs a person (Aura console).\n  # auraform reports it and does not touch it until it is running again.",
                status.as_str()
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
}

/// `ignore_changes` for a key that differs from the live name, and for a paused
/// instance that cannot be paused on request.
fn write_ignored(out: &mut String, i: &Instance, renamed_key: bool) {
    // A free instance cannot be paused on request, but Aura pauses idle ones by
    // itself; declaring it running would plan a resume.
    let paused_by_aura = !tiers::can_pause(&i.instance_type)
        && matches!(i.status, InstanceStatus::Paused | InstanceStatus::Pausing);
    let mut ignored = Vec::new();
    if renamed_key {
        let _ = writeln!(
            out,
            "    # The key differs from the live name {:?} (keys are unique); keep the name.",
            i.name
        );
        ignored.push("name");
    }
    if paused_by_aura {
        let _ = writeln!(
            out,
            "    # Paused by Aura (idle free instance): its state is left to Aura."
        );
        ignored.push("state");
    }
    if !ignored.is_empty() {
        let _ = writeln!(out, "    ignore_changes: [{}]", ignored.join(", "));
    }
}

/// The instance's fields: placement only where it differs from `defaults`, `memory`
/// always, the rest where the tier has it and the API reports it.
fn write_fields(out: &mut String, i: &Instance, defaults: &Defaults) {
    let t = &i.instance_type;
    if Some(t.as_str()) != defaults.instance_type.as_deref() {
        let _ = writeln!(out, "    type: {}", t.as_str());
    }
    if Some(i.cloud_provider.as_str()) != defaults.cloud_provider.as_deref() {
        let _ = writeln!(out, "    cloud_provider: {}", i.cloud_provider.as_str());
    }
    if Some(i.region.as_str()) != defaults.region.as_deref() {
        let _ = writeln!(out, "    region: {}", scalar(&i.region));
    }
    if let Some(v) = major_version(i.version.as_ref())
        && v != defaults.effective_version()
    {
        let _ = writeln!(out, "    version: \"{v}\"");
    }
    let memory = i
        .memory
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or(crate::aura::catalogue::FREE_MEMORY);
    let _ = writeln!(out, "    memory: {}", scalar(memory));
    if tiers::has_storage(t)
        && let Some(s) = i.storage.as_deref().filter(|s| !s.trim().is_empty())
    {
        let _ = writeln!(out, "    storage: {}", scalar(s));
    }
    if matches!(i.status, InstanceStatus::Paused | InstanceStatus::Pausing) && tiers::can_pause(t) {
        let _ = writeln!(out, "    state: paused");
    }
    if tiers::has_vector_optimization(t) && i.vector_optimized == Some(true) {
        let _ = writeln!(out, "    vector_optimized: true");
    }
    if tiers::has_graph_analytics_plugin(t) && i.graph_analytics_plugin == Some(true) {
        let _ = writeln!(out, "    graph_analytics_plugin: true");
    }
    if tiers::has_secondaries(t)
        && let Some(n) = i.secondaries_count
    {
        let _ = writeln!(out, "    secondaries_count: {n}");
    }
    if tiers::has_cdc(t)
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
