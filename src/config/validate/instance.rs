//! One instance, raw → [`DesiredInstance`]: each field group is checked in a fixed
//! order, then the tier rules. The order matters: problems are reported sorted by
//! position, and those at the same place (a missing `type` and a missing `memory`
//! both point at the instance's key) keep the order they were found in. The
//! instance is kept only when every check passed.

use super::features::{
    Replication, Toggles, customer_managed_key_id, secondaries_and_cdc, state_and_toggles,
};
use super::identity::{id_pin, name};
use super::input::InstanceInput;
use super::lifecycle::{Replacement, ignore_changes, lifecycle, replacement};
use super::placement::{Placement, placement};
use super::report::Problems;
use super::sizes::{Sizes, sizes};
use super::source::source;
use super::spans::InstanceSpans;
use super::tier_rules::{TierInput, tier_rules};
use crate::aura::InstanceType;
use crate::config::desired::DesiredInstance;

/// Validates one instance. Returns it when every check passed, and its spans either
/// way.
pub(super) fn instance(
    problems: &mut Problems,
    input: &InstanceInput<'_>,
) -> (Option<DesiredInstance>, InstanceSpans) {
    let spans = input.spans();
    let name_ok = name(problems, input);
    let placement = placement(problems, input);
    let sizes = sizes(problems, input, placement.is_free());
    let toggles = state_and_toggles(problems, input);
    let replication = secondaries_and_cdc(problems, input);
    let key = customer_managed_key_id(problems, input);
    let id = id_pin(problems, input);
    let lifecycle = lifecycle(problems, input);
    let replacement = replacement(problems, input, lifecycle.allow_replace);
    let ignore_changes = ignore_changes(problems, input);
    let source = source(problems, input);
    let tiers_ok = placement.instance_type.as_ref().is_none_or(|t| {
        let tier_input = tier_input(
            input.name(),
            t,
            &spans,
            &placement,
            &sizes,
            &toggles,
            &replication,
            &replacement,
            input,
        );
        tier_rules(problems, &tier_input)
    });

    let ok = name_ok
        && placement.ok()
        && sizes.ok()
        && toggles.state_ok
        && replication.secondaries_count.ok
        && replication.cdc_enrichment_mode.ok
        && key.ok
        && id.ok
        && lifecycle.ok
        && replacement.ok
        && ignore_changes.ok
        && source.ok
        && tiers_ok;
    let inst = match (ok, placement, sizes.memory) {
        (
            true,
            Placement {
                instance_type: Some(instance_type),
                cloud_provider: Some(cloud_provider),
                region: Some(region),
                version: Some(version),
            },
            Some(memory),
        ) => Some(DesiredInstance {
            name: input.name().to_owned(),
            instance_type,
            cloud_provider,
            region,
            version,
            memory,
            storage: sizes.storage,
            state: toggles.state,
            vector_optimized: toggles.vector_optimized,
            graph_analytics_plugin: toggles.graph_analytics_plugin,
            secondaries_count: replication.secondaries_count.value,
            cdc_enrichment_mode: replication.cdc_enrichment_mode.value,
            customer_managed_key_id: key.value,
            source: source.value,
            id: id.value,
            prevent_destroy: lifecycle.prevent_destroy,
            allow_replace: lifecycle.allow_replace,
            replace: replacement.mode,
            snapshot_before: replacement.snapshot_before,
            ignore_changes: ignore_changes.value,
        }),
        _ => None,
    };
    (inst, spans)
}

/// The values the tier rules read, from the field groups already checked.
#[allow(
    clippy::too_many_arguments,
    reason = "one argument per field group the tier rules read"
)]
fn tier_input<'a>(
    name: &'a str,
    instance_type: &'a InstanceType,
    spans: &'a InstanceSpans,
    placement: &'a Placement,
    sizes: &'a Sizes,
    toggles: &Toggles,
    replication: &Replication,
    replacement: &Replacement,
    input: &InstanceInput<'_>,
) -> TierInput<'a> {
    TierInput {
        name,
        instance_type,
        spans,
        cloud_provider: placement.cloud_provider.as_ref(),
        region: placement.region.as_deref(),
        memory: sizes.memory.as_deref(),
        state: toggles.state,
        has_storage: sizes.storage.is_some(),
        has_secondaries_count: replication.secondaries_count.value.is_some(),
        has_cdc_enrichment_mode: replication.cdc_enrichment_mode.value.is_some(),
        vector_optimized: toggles.vector_optimized,
        graph_analytics_plugin: toggles.graph_analytics_plugin,
        snapshot_before: input
            .setting(|s| s.snapshot_before.as_ref())
            .filter(|_| !replacement.snapshot_before.is_empty())
            .map(super::input::Setting::origin),
    }
}
