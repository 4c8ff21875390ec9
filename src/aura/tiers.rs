//! What each Aura tier (instance type) can do, written once. aura.yaml validation,
//! the emulator's request checks, import and the differ all ask these functions, so a
//! rule cannot drift between the file auraform accepts, the API it emulates and the
//! file it writes. The facts come from the API spec, the Terraform provider's
//! validators and aura-cli (docs/aura-api.md §3.2, §3.3, §9.11).

use super::enums::InstanceType;

/// Free instances: one place, one size, no resize, no pause on request.
pub fn is_free(t: &InstanceType) -> bool {
    *t == InstanceType::FreeDb
}

/// Change data capture (`cdc_enrichment_mode`): business-critical and enterprise-db.
pub fn has_cdc(t: &InstanceType) -> bool {
    matches!(
        t,
        InstanceType::BusinessCritical | InstanceType::EnterpriseDb
    )
}

/// The tiers [`has_cdc`] allows, in words for messages.
pub const CDC_TIERS: &str = "business-critical and enterprise-db";

/// A metrics integration endpoint (`metrics_integration_url`): the same tiers as CDC.
pub fn has_metrics_integration(t: &InstanceType) -> bool {
    has_cdc(t)
}

/// Secondaries (`secondaries_count`): enterprise-db (Virtual Dedicated Cloud) only.
pub fn has_secondaries(t: &InstanceType) -> bool {
    *t == InstanceType::EnterpriseDb
}

/// The most secondaries an instance may have.
pub const MAX_SECONDARIES: u32 = 15;

/// The Graph Analytics plugin (`graph_analytics_plugin`): professional-db only.
pub fn has_graph_analytics_plugin(t: &InstanceType) -> bool {
    *t == InstanceType::ProfessionalDb
}

/// Vector optimisation needs at least this much memory (GB), on any tier that has it.
pub const VECTOR_MIN_MEMORY_GB: u32 = 4;

/// Whether `vector_optimized` may be on for an instance of `memory_gb`.
pub fn allows_vector_optimized(memory_gb: u32) -> bool {
    memory_gb >= VECTOR_MIN_MEMORY_GB
}

/// Vector optimisation (`vector_optimized`): every tier but free (whose one size is
/// below [`VECTOR_MIN_MEMORY_GB`] anyway).
pub fn has_vector_optimization(t: &InstanceType) -> bool {
    !is_free(t)
}

/// Pause on request: every tier but free (Aura pauses idle free instances itself).
pub fn can_pause(t: &InstanceType) -> bool {
    !is_free(t)
}

/// Resize (memory or storage): every tier but free.
pub fn can_resize(t: &InstanceType) -> bool {
    !is_free(t)
}

/// Whether the API reports and accepts a storage size: every tier but free.
pub fn has_storage(t: &InstanceType) -> bool {
    !is_free(t)
}

/// On-demand snapshots and overwrite: every tier but free.
pub fn can_snapshot(t: &InstanceType) -> bool {
    !is_free(t)
}

/// Whether `GET` reports `graph_nodes` / `graph_relationships`: free only.
pub fn reports_graph_counts(t: &InstanceType) -> bool {
    is_free(t)
}

/// The memory estimate (`POST /instances/sizing`): the graph data science tiers,
/// professional-ds and enterprise-ds.
pub fn has_sizing(t: &InstanceType) -> bool {
    matches!(t, InstanceType::ProfessionalDs | InstanceType::EnterpriseDs)
}

/// The one in-place change of tier: professional-db → business-critical
/// (`POST /instances/{id}/upgrade`). Every other type change replaces the instance.
pub fn upgrades_to(from: &InstanceType) -> Option<InstanceType> {
    (*from == InstanceType::ProfessionalDb).then_some(InstanceType::BusinessCritical)
}

/// Whether `from` → `to` is the in-place upgrade.
pub fn is_upgrade(from: &InstanceType, to: &InstanceType) -> bool {
    upgrades_to(from).as_ref() == Some(to)
}

/// The product name of a tier, as the Aura console and docs say it.
pub fn product_name(t: &InstanceType) -> Option<&'static str> {
    Some(match t {
        InstanceType::FreeDb => "AuraDB Free",
        InstanceType::ProfessionalDb => "AuraDB Professional",
        InstanceType::BusinessCritical => "AuraDB Business Critical",
        InstanceType::EnterpriseDb => "AuraDB Virtual Dedicated Cloud",
        InstanceType::ProfessionalDs => "AuraDS Professional",
        InstanceType::EnterpriseDs => "AuraDS Enterprise",
        InstanceType::Other(_) => return None,
    })
}

/// A free instance holds at most this many nodes (docs/aura-api.md §5.1).
pub const FREE_MAX_NODES: u64 = 200_000;
/// … and this many relationships.
pub const FREE_MAX_RELATIONSHIPS: u64 = 400_000;
/// Aura pauses a free instance after this many hours without writes.
pub const FREE_PAUSED_AFTER_IDLE_HOURS: u32 = 72;
/// … and deletes it, with its data, after this many days paused.
pub const FREE_DELETED_AFTER_PAUSED_DAYS: u32 = 30;

/// What Aura enforces on a free instance, in words (for `catalog` and `init`).
pub fn free_limits_text() -> String {
    format!(
        "at most {} nodes and {} relationships; paused by Aura after {FREE_PAUSED_AFTER_IDLE_HOURS} h without writes, deleted after {FREE_DELETED_AFTER_PAUSED_DAYS} days paused",
        thousands(FREE_MAX_NODES),
        thousands(FREE_MAX_RELATIONSHIPS),
    )
}

/// `200000` → `200,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// How a tier offers Graph Data Science.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphDataScience {
    /// The tier is a GDS tier (AuraDS): the library is always there.
    Included,
    /// Through the Graph Analytics plugin (`graph_analytics_plugin: true`).
    Plugin,
    /// Not on this tier.
    None,
}

/// Graph Data Science on a tier: AuraDS tiers include it, professional-db adds it with
/// the plugin ([`has_graph_analytics_plugin`]).
pub fn graph_data_science(t: &InstanceType) -> GraphDataScience {
    if has_sizing(t) {
        GraphDataScience::Included
    } else if has_graph_analytics_plugin(t) {
        GraphDataScience::Plugin
    } else {
        GraphDataScience::None
    }
}

/// The Aura API's request limit for projects running a tier, per minute: 25 on the
/// self-serve tiers (free and professional), 125 on the others (docs/aura-api.md
/// §6). auraform's `--rate-limit` default is the higher one; lower it on a self-serve
/// project that draws 429s.
pub fn api_requests_per_minute(t: &InstanceType) -> Option<u32> {
    match t {
        InstanceType::FreeDb | InstanceType::ProfessionalDb | InstanceType::ProfessionalDs => {
            Some(25)
        }
        InstanceType::BusinessCritical
        | InstanceType::EnterpriseDb
        | InstanceType::EnterpriseDs => Some(125),
        InstanceType::Other(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_of_each_tier() {
        use InstanceType as T;
        for t in T::KNOWN {
            assert_eq!(can_pause(t), *t != T::FreeDb, "{t}");
            assert_eq!(has_storage(t), *t != T::FreeDb, "{t}");
            assert_eq!(has_vector_optimization(t), *t != T::FreeDb, "{t}");
        }
        assert!(has_cdc(&T::BusinessCritical) && has_cdc(&T::EnterpriseDb));
        assert!(!has_cdc(&T::ProfessionalDb));
        assert!(has_secondaries(&T::EnterpriseDb) && !has_secondaries(&T::BusinessCritical));
        assert!(has_graph_analytics_plugin(&T::ProfessionalDb));
        assert!(!has_graph_analytics_plugin(&T::ProfessionalDs));
        assert!(is_upgrade(&T::ProfessionalDb, &T::BusinessCritical));
        assert!(!is_upgrade(&T::ProfessionalDb, &T::EnterpriseDb));
        assert_eq!(upgrades_to(&T::BusinessCritical), None);
        assert!(allows_vector_optimized(4) && !allows_vector_optimized(2));
        assert!(has_sizing(&T::ProfessionalDs) && has_sizing(&T::EnterpriseDs));
        assert!(!has_sizing(&T::ProfessionalDb) && !has_sizing(&T::EnterpriseDb));
        assert_eq!(
            graph_data_science(&T::ProfessionalDb),
            GraphDataScience::Plugin
        );
        assert_eq!(
            graph_data_science(&T::EnterpriseDs),
            GraphDataScience::Included
        );
        assert_eq!(graph_data_science(&T::FreeDb), GraphDataScience::None);
        for t in T::KNOWN {
            assert!(product_name(t).is_some(), "{t}");
            assert!(api_requests_per_minute(t).is_some(), "{t}");
        }
        assert_eq!(api_requests_per_minute(&T::FreeDb), Some(25));
        assert_eq!(api_requests_per_minute(&T::BusinessCritical), Some(125));
        assert!(free_limits_text().starts_with("at most 200,000 nodes and 400,000 relationships;"));
    }
}
