//! What runs on the instance: `state`, the `vector_optimized` and
//! `graph_analytics_plugin` toggles, `secondaries_count`, `cdc_enrichment_mode` and
//! `customer_managed_key_id`. Whether the tier has them is `tier_rules`' concern.

use super::input::{Checked, InstanceInput};
use super::limits::MAX_SECONDARIES;
use super::report::Problems;
use crate::aura::CdcEnrichmentMode;
use crate::config::desired::DesiredState;

/// `state` and the two toggles. An unknown state reads as running (already reported),
/// so the tier rules still see a state.
pub(super) struct Toggles {
    pub state: DesiredState,
    pub state_ok: bool,
    pub vector_optimized: bool,
    pub graph_analytics_plugin: bool,
}

pub(super) fn state_and_toggles(problems: &mut Problems, input: &InstanceInput<'_>) -> Toggles {
    let (state, state_ok) = match input.setting(|s| s.state.as_ref()) {
        None => (DesiredState::Running, true),
        Some(m) => {
            let s = problems.known::<DesiredState>(input.name(), m, "state", "allowed");
            (s.unwrap_or(DesiredState::Running), s.is_some())
        }
    };
    let vector_optimized = input
        .setting(|s| s.vector_optimized.as_ref())
        .is_some_and(|v| v.value.value);
    let graph_analytics_plugin = input
        .setting(|s| s.graph_analytics_plugin.as_ref())
        .is_some_and(|v| v.value.value);
    Toggles {
        state,
        state_ok,
        vector_optimized,
        graph_analytics_plugin,
    }
}

/// `secondaries_count` and `cdc_enrichment_mode`, both unmanaged when absent.
pub(super) struct Replication {
    /// Kept even when out of range, so the tier rules see it is set.
    pub secondaries_count: Checked<Option<u32>>,
    pub cdc_enrichment_mode: Checked<Option<CdcEnrichmentMode>>,
}

pub(super) fn secondaries_and_cdc(
    problems: &mut Problems,
    input: &InstanceInput<'_>,
) -> Replication {
    let name = input.name();
    let secondaries = input.setting(|s| s.secondaries_count.as_ref());
    let secondaries_count = match secondaries {
        Some(m) if m.value.value > MAX_SECONDARIES => {
            problems.invalid(
                name,
                m,
                format!("secondaries_count {} is out of range", m.value.value),
                format!("allowed: 0 to {MAX_SECONDARIES}"),
            );
            Checked::failed(Some(m.value.value))
        }
        other => Checked::ok(other.map(|m| m.value.value)),
    };
    let cdc_enrichment_mode = match input.setting(|s| s.cdc_enrichment_mode.as_ref()) {
        None => Checked::ok(None),
        Some(m) => {
            let mode = problems.known::<CdcEnrichmentMode>(
                name,
                m,
                "CDC enrichment mode",
                "allowed (uppercase)",
            );
            Checked {
                ok: mode.is_some(),
                value: mode,
            }
        }
    };
    Replication {
        secondaries_count,
        cdc_enrichment_mode,
    }
}

pub(super) fn customer_managed_key_id(
    problems: &mut Problems,
    input: &InstanceInput<'_>,
) -> Checked<Option<String>> {
    match input.setting(|s| s.customer_managed_key_id.as_ref()) {
        Some(m) if m.value.value.trim().is_empty() => {
            problems.invalid(
                input.name(),
                m,
                "customer_managed_key_id is empty".to_owned(),
                "give the key id, or remove the line".to_owned(),
            );
            Checked::failed(None)
        }
        other => Checked::ok(other.map(|m| m.value.value.clone())),
    }
}
