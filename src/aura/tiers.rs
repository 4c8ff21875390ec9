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
    }
}
