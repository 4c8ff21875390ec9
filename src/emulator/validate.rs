//! The checks shared by create, PATCH and upgrade: names, and whether the project offers
//! a type, cloud, region, version, memory and storage (its `instance_configurations`),
//! with the 400 naming the first field that narrows the offer to nothing.

use super::errors::Rejection;
use super::world::{TenantRecord, World};
use crate::aura::{CloudProvider, InstanceType};
use crate::aura::{sizes, tiers};

/// Names: 1–30 characters, no leading or trailing whitespace (spec).
pub(super) fn check_name(name: &str) -> Result<(), Rejection> {
    let len = name.chars().count();
    if len == 0 || len > 30 {
        return Err(Rejection::invalid(
            "name",
            format!("name must be 1 to 30 characters long, not {len}"),
        ));
    }
    if name.trim() != name {
        return Err(Rejection::invalid(
            "name",
            "name must not start or end with whitespace",
        ));
    }
    Ok(())
}

/// What a create or resize asks for, checked against `instance_configurations`.
pub(super) struct Wanted<'a> {
    pub(super) instance_type: &'a InstanceType,
    pub(super) cloud: &'a CloudProvider,
    pub(super) region: &'a str,
    pub(super) version: &'a str,
    pub(super) memory: &'a str,
    pub(super) storage: Option<&'a str>,
}

/// Finds the configuration row the request matches; the error names the first field that
/// narrows the offer to nothing. Returns the storage that goes with the memory.
pub(super) fn check_offered(
    world: &World,
    tenant: &TenantRecord,
    w: &Wanted<'_>,
) -> Result<String, Rejection> {
    let rows = world.configurations(tenant);
    let rows: Vec<_> = rows
        .iter()
        .filter(|c| c.instance_type == *w.instance_type)
        .collect();
    if rows.is_empty() {
        return Err(Rejection::invalid(
            "type",
            format!(
                "Instance type {} is not available in project {}",
                w.instance_type, tenant.name
            ),
        ));
    }
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|c| c.cloud_provider == *w.cloud)
        .collect();
    if rows.is_empty() {
        return Err(Rejection::invalid(
            "cloud_provider",
            format!("{} is not offered on {}", w.instance_type, w.cloud),
        ));
    }
    let rows: Vec<_> = rows.into_iter().filter(|c| c.region == w.region).collect();
    if rows.is_empty() {
        return Err(Rejection::invalid(
            "region",
            format!(
                "Region {} is not available for {} on {}",
                w.region, w.instance_type, w.cloud
            ),
        ));
    }
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|c| c.version == w.version)
        .collect();
    if rows.is_empty() {
        return Err(Rejection::invalid(
            "version",
            format!(
                "Version {:?} is not available for {}",
                w.version, w.instance_type
            ),
        ));
    }
    let offered: Vec<&str> = rows.iter().map(|c| c.memory.as_str()).collect();
    let Some(row) = rows.iter().find(|c| c.memory == w.memory) else {
        return Err(Rejection::invalid(
            "memory",
            format!(
                "Memory {} is not available for {} in {}; offered: {}",
                w.memory,
                w.instance_type,
                w.region,
                offered.join(", ")
            ),
        ));
    };
    if let Some(storage) = w.storage
        && !rows
            .iter()
            .any(|c| c.memory == w.memory && c.storage == storage)
    {
        return Err(Rejection::invalid(
            "storage",
            format!(
                "Storage {storage} is not available with {} of memory; offered: {}",
                w.memory, row.storage
            ),
        ));
    }
    Ok(row.storage.clone())
}

pub(super) fn gb(s: &str) -> u32 {
    sizes::parse_gb(s).unwrap_or(0)
}

pub(super) fn check_vector(memory: &str, field: &str) -> Result<(), Rejection> {
    if !tiers::allows_vector_optimized(gb(memory)) {
        return Err(Rejection::invalid(
            field,
            format!(
                "vector_optimized requires at least {}GB of memory, not {memory}",
                tiers::VECTOR_MIN_MEMORY_GB
            ),
        ));
    }
    Ok(())
}

/// 400 when the Graph Analytics plugin is asked for on a tier that does not have it.
pub(super) fn check_graph_analytics_plugin(t: &InstanceType) -> Result<(), Rejection> {
    if !tiers::has_graph_analytics_plugin(t) {
        return Err(Rejection::incapable(format!(
            "The graph analytics plugin is available for professional-db only, not {t}"
        ))
        .with_field("graph_analytics_plugin"));
    }
    Ok(())
}
