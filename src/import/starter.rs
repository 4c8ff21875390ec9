//! The starter aura.yaml of `auraform init`: one instance to create, with `defaults`
//! chosen from what the project offers and every other setting there as a comment
//! saying what it does. Pure: the project's `instance_configurations` in, YAML out.
//!
//! Choices, in order of preference among what the project offers: the type
//! professional-db (else free-db, else the first offered); the cloud gcp, aws, azure
//! in that order; the region europe-west1 (Aura's default, where free instances run),
//! else the first the API lists; version "5", else the newest; the smallest memory.
//! The instance is called `my-database`, or `my-database-2`, … when the project
//! already has one by that name, so that the first plan is creates only.

use std::fmt::Write;

use super::yaml::{header, scalar};
use crate::api::wire::Tenant;
use crate::aura::catalogue::{FREE_CLOUD, FREE_MEMORY, FREE_REGION};
use crate::aura::sizes::parse_gb;
use crate::aura::tiers;
use crate::aura::{CloudProvider, InstanceConfiguration, InstanceType};

/// The instance name the starter file declares, unless taken.
const STARTER_NAME: &str = "my-database";

/// What the starter file declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Starter {
    pub(crate) instance_type: InstanceType,
    /// `None` for free-db, whose place and size are fixed.
    pub(crate) placement: Option<Placement>,
    /// The declared instance's name.
    pub(crate) name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    pub(crate) cloud: CloudProvider,
    pub(crate) region: String,
    pub(crate) region_name: String,
    pub(crate) version: String,
    pub(crate) memory: String,
    /// Every memory size offered there, smallest first.
    pub(crate) memories: Vec<String>,
    /// The storage sizes offered with `memory`.
    pub(crate) storages: Vec<String>,
}

impl Starter {
    /// The starter for a project offering `rows`, avoiding the names in `taken`.
    /// `None` when the project offers nothing.
    pub(crate) fn choose(rows: &[InstanceConfiguration], taken: &[String]) -> Option<Starter> {
        let instance_type = preferred(
            &rows.iter().map(|c| &c.instance_type),
            &[InstanceType::ProfessionalDb, InstanceType::FreeDb],
        )?
        .clone();
        let name = free_name(taken);
        if tiers::is_free(&instance_type) {
            return Some(Starter {
                instance_type,
                placement: None,
                name,
            });
        }
        let of_type: Vec<&InstanceConfiguration> = rows
            .iter()
            .filter(|c| c.instance_type == instance_type)
            .collect();
        let cloud = preferred(
            &of_type.iter().map(|c| &c.cloud_provider),
            CloudProvider::KNOWN,
        )?
        .clone();
        let in_cloud: Vec<&InstanceConfiguration> = of_type
            .into_iter()
            .filter(|c| c.cloud_provider == cloud)
            .collect();
        let region_row = in_cloud
            .iter()
            .find(|c| c.region == FREE_REGION)
            .or_else(|| in_cloud.first())?;
        let (region, region_name) = (region_row.region.clone(), region_row.region_name.clone());
        let in_region: Vec<&InstanceConfiguration> = in_cloud
            .into_iter()
            .filter(|c| c.region == region)
            .collect();
        let version = if in_region.iter().any(|c| c.version == "5") {
            "5".to_owned()
        } else {
            in_region
                .iter()
                .map(|c| c.version.clone())
                .max_by_key(|v| v.parse::<u64>().unwrap_or(0))?
        };
        let rows: Vec<&InstanceConfiguration> = in_region
            .into_iter()
            .filter(|c| c.version == version)
            .collect();
        let memories = sorted_sizes(rows.iter().map(|c| c.memory.as_str()));
        let memory = memories.first()?.clone();
        let storages = sorted_sizes(
            rows.iter()
                .filter(|c| c.memory == memory)
                .map(|c| c.storage.as_str()),
        );
        Some(Starter {
            instance_type,
            placement: Some(Placement {
                cloud,
                region,
                region_name,
                version,
                memory,
                memories,
                storages,
            }),
            name,
        })
    }
}

/// The first of `wanted` that `offered` holds, else the first offered.
fn preferred<'a, T: PartialEq>(
    offered: &(impl Iterator<Item = &'a T> + Clone),
    wanted: &[T],
) -> Option<&'a T> {
    wanted
        .iter()
        .find_map(|w| offered.clone().find(|o| *o == w))
        .or_else(|| offered.clone().next())
}

fn free_name(taken: &[String]) -> String {
    // `taken` has finitely many names, so one of the first `taken.len() + 1` is free.
    std::iter::once(STARTER_NAME.to_owned())
        .chain((2..=taken.len() + 1).map(|n| format!("{STARTER_NAME}-{n}")))
        .find(|n| !taken.contains(n))
        .unwrap_or_else(|| STARTER_NAME.to_owned())
}

fn sorted_sizes<'a>(sizes: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in sizes {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out.sort_by_key(|s| (parse_gb(s).unwrap_or(u32::MAX), s.clone()));
    out
}

/// Every value of `rows` under `f`, once each, but `except`, joined.
fn others(
    rows: &[InstanceConfiguration],
    f: impl Fn(&InstanceConfiguration) -> String,
    except: &str,
) -> String {
    let mut out: Vec<String> = Vec::new();
    for c in rows {
        let v = f(c);
        if v != except && !out.contains(&v) {
            out.push(v);
        }
    }
    out.join(", ")
}

/// Appends `text` as `# ` comment lines at `indent`, wrapped at 88 columns.
fn comment(out: &mut String, indent: &str, text: &str) {
    let lead = format!("{indent}# ");
    let mut line = lead.clone();
    for word in text.split(' ') {
        if line.len() > lead.len() && line.len() + 1 + word.len() > 88 {
            out.push_str(line.trim_end());
            out.push('\n');
            line.clone_from(&lead);
        }
        if line.len() > lead.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// The starter aura.yaml. `project` is how the file names the project (its name, or
/// its id when the name is shared); `generated_by` goes into the header.
pub(crate) fn starter_yaml(
    tenant: &Tenant,
    project: &str,
    starter: &Starter,
    generated_by: &str,
) -> String {
    let rows = &tenant.instance_configurations;
    let ty = starter.instance_type.as_str();
    let mut out = String::new();
    header(&mut out, &tenant.name, &tenant.id, generated_by);
    let _ = writeln!(
        out,
        "# auraform keeps the instances below exactly as written here:"
    );
    let _ = writeln!(
        out,
        "#   auraform plan    shows what would change (changes nothing)"
    );
    let _ = writeln!(
        out,
        "#   auraform apply   makes it so, after you answer `yes`"
    );
    let _ = writeln!(
        out,
        "# `auraform catalog` lists every tier, region and size the project offers."
    );
    let _ = writeln!(out, "project: {}", scalar(project));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "# Merged under every instance; an instance's own value wins."
    );
    let _ = writeln!(out, "defaults:");
    let other_types = others(rows, |c| c.instance_type.as_str().to_owned(), ty);
    if !other_types.is_empty() {
        comment(
            &mut out,
            "  ",
            &format!("The project also offers the types {other_types}."),
        );
    }
    let _ = writeln!(out, "  type: {ty}");
    match &starter.placement {
        None => {
            comment(
                &mut out,
                "  ",
                &format!(
                    "free-db always runs on {} {} with {FREE_MEMORY}; it cannot be resized or paused on request. Limits: {}.",
                    FREE_CLOUD.as_str(),
                    FREE_REGION,
                    tiers::free_limits_text(),
                ),
            );
        }
        Some(p) => write_placement(&mut out, rows, ty, p),
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "# Each key is an instance name in Aura (1-30 characters). A new instance's password"
    );
    let _ = writeln!(
        out,
        "# is written once, to .auraform/credentials/<name>.env (mode 0600), never printed."
    );
    let _ = writeln!(out, "instances:");
    match &starter.placement {
        None => {
            let _ = writeln!(
                out,
                "  {}: {{}}  # nothing to set: free-db has one size",
                scalar(&starter.name)
            );
        }
        Some(p) => {
            let _ = writeln!(out, "  {}:", scalar(&starter.name));
            write_instance(&mut out, &starter.instance_type, p);
        }
    }
    out
}

fn write_placement(out: &mut String, rows: &[InstanceConfiguration], ty: &str, p: &Placement) {
    let of_type: Vec<InstanceConfiguration> = rows
        .iter()
        .filter(|c| c.instance_type.as_str() == ty)
        .cloned()
        .collect();
    let cloud = p.cloud.as_str();
    let other_clouds = others(&of_type, |c| c.cloud_provider.as_str().to_owned(), cloud);
    if !other_clouds.is_empty() {
        comment(out, "  ", &format!("{ty} also runs on {other_clouds}."));
    }
    let _ = writeln!(out, "  cloud_provider: {cloud}");
    let in_cloud: Vec<InstanceConfiguration> = of_type
        .into_iter()
        .filter(|c| c.cloud_provider == p.cloud)
        .collect();
    let n = others(&in_cloud, |c| c.region.clone(), "")
        .split(", ")
        .count();
    if n > 1 {
        comment(
            out,
            "  ",
            &format!(
                "{n} {cloud} regions offer {ty}: `auraform catalog --type {ty} --cloud {cloud}` lists them."
            ),
        );
    }
    let _ = write!(out, "  region: {}", scalar(&p.region));
    let place = p
        .region_name
        .strip_suffix(&format!(" ({})", p.region))
        .unwrap_or(&p.region_name);
    if !place.is_empty() {
        let _ = write!(out, "  # {place}");
    }
    out.push('\n');
    let _ = writeln!(out, "  version: {:?}", p.version);
}

fn write_instance(out: &mut String, ty: &InstanceType, p: &Placement) {
    comment(
        out,
        "    ",
        &format!("Memory sizes offered there: {}.", p.memories.join(", ")),
    );
    let _ = writeln!(out, "    memory: {}", scalar(&p.memory));
    if tiers::has_storage(ty) && !p.storages.is_empty() {
        let _ = writeln!(
            out,
            "    # storage: {}  # offered with {}: {}; Aura's default when absent",
            p.storages[0],
            p.memory,
            p.storages.join(", ")
        );
    }
    if tiers::can_pause(ty) {
        let _ = writeln!(
            out,
            "    # state: paused  # running (the default) or paused"
        );
    }
    if tiers::has_vector_optimization(ty) {
        let _ = writeln!(
            out,
            "    # vector_optimized: true  # needs {}GB of memory or more",
            tiers::VECTOR_MIN_MEMORY_GB
        );
    }
    if tiers::has_graph_analytics_plugin(ty) {
        let _ = writeln!(
            out,
            "    # graph_analytics_plugin: true  # Graph Data Science"
        );
    }
    let _ = writeln!(
        out,
        "    # prevent_destroy: true  # never delete or replace it, whatever the flags"
    );
    let _ = writeln!(
        out,
        "    # replace: clone  # a replacement (allow_replace) copies the data into the new instance"
    );
    let _ = writeln!(
        out,
        "    # snapshot_before: [upgrade, resize, replace]  # a restore point before those steps"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aura::catalogue::configurations;

    #[test]
    fn prefers_professional_on_gcp_in_europe_west1_at_the_smallest_size() {
        let rows = configurations(InstanceType::KNOWN);
        let s = Starter::choose(&rows, &[]).unwrap();
        assert_eq!(s.instance_type, InstanceType::ProfessionalDb);
        let p = s.placement.unwrap();
        assert_eq!(
            (p.cloud, p.region.as_str()),
            (CloudProvider::Gcp, "europe-west1")
        );
        assert_eq!((p.version.as_str(), p.memory.as_str()), ("5", "1GB"));
        assert_eq!(s.name, "my-database");
    }

    #[test]
    fn a_free_only_project_gets_free_and_taken_names_are_avoided() {
        let rows = configurations(&[InstanceType::FreeDb]);
        let taken = vec!["my-database".to_owned(), "my-database-2".to_owned()];
        let s = Starter::choose(&rows, &taken).unwrap();
        assert_eq!(s.instance_type, InstanceType::FreeDb);
        assert_eq!(s.placement, None);
        assert_eq!(s.name, "my-database-3");
        assert_eq!(Starter::choose(&[], &[]), None);
    }
}
