//! Field comparison of a declared instance with its live match: the immutable fields
//! that force a replacement (or, for the tier, an upgrade), the mutable differences
//! and the PATCH that fixes them, and the decision for an instance that stays
//! (update, upgrade, rename, pause, resume). "Absent is unknown" holds throughout: a
//! live value the API did not report (`None`) is never compared, because reporting a
//! difference on it would plan a change apply can never see done.

use crate::api::wire::PatchInstanceRequest;
use crate::aura::sizes::same_size;
use crate::aura::tiers;
use crate::config::{DesiredInstance, DesiredState, Field};
use crate::plan::live::LiveInstance;
use crate::plan::model::{ExpectedStatus, FieldChange, FieldValue};

#[allow(
    clippy::unnecessary_wraps,
    reason = "reads best at call sites: `text(x)` as a before/after"
)]
pub(crate) fn text(s: &str) -> Option<FieldValue> {
    Some(FieldValue::text(s))
}

/// A before/after value as an error message shows it.
pub(crate) fn show(v: Option<&FieldValue>) -> String {
    v.map_or_else(|| "none".to_owned(), ToString::to_string)
}

/// `"5"` matches a live `"5"` and any calendar-style `"5.x"` the API might report.
fn same_version(live: &str, desired: &str) -> bool {
    live == desired
        || live
            .strip_prefix(desired)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The immutable fields that differ, each forcing a replacement, and whether the tier
/// changes by an upgrade instead (which Aura does in place).
pub(crate) fn immutable_diffs(d: &DesiredInstance, l: &LiveInstance) -> (Vec<FieldChange>, bool) {
    let keep = |f: Field| !d.ignore_changes.contains(&f);
    let mut forcing: Vec<FieldChange> = Vec::new();
    let mut upgrade = false;
    if keep(Field::Type) && l.instance_type != d.instance_type {
        if tiers::is_upgrade(&l.instance_type, &d.instance_type) {
            upgrade = true;
        } else {
            forcing.push(FieldChange::new(
                Field::Type,
                text(l.instance_type.as_str()),
                text(d.instance_type.as_str()),
                true,
            ));
        }
    }
    if keep(Field::CloudProvider) && l.cloud_provider != d.cloud_provider {
        forcing.push(FieldChange::new(
            Field::CloudProvider,
            text(l.cloud_provider.as_str()),
            text(d.cloud_provider.as_str()),
            true,
        ));
    }
    if keep(Field::Region) && l.region != d.region {
        forcing.push(FieldChange::new(
            Field::Region,
            text(&l.region),
            text(&d.region),
            true,
        ));
    }
    if keep(Field::Version)
        && let Some(v) = &l.version
        && !same_version(v, &d.version)
    {
        forcing.push(FieldChange::new(
            Field::Version,
            text(v),
            text(&d.version),
            true,
        ));
    }
    if keep(Field::CustomerManagedKeyId)
        && let (Some(want), Some(have)) = (&d.customer_managed_key_id, &l.customer_managed_key_id)
        && want != have
    {
        forcing.push(FieldChange::new(
            Field::CustomerManagedKeyId,
            text(have),
            text(want),
            true,
        ));
    }
    (forcing, upgrade)
}

/// The mutable differences of a matched instance, and the PATCH that fixes them.
pub(crate) fn mutable_diffs(
    d: &DesiredInstance,
    l: &LiveInstance,
) -> (Vec<FieldChange>, PatchInstanceRequest) {
    let keep = |f: Field| !d.ignore_changes.contains(&f);
    let mut fields = Vec::new();
    let mut patch = PatchInstanceRequest::default();
    if keep(Field::Name) && d.id.is_some() && l.name != d.name {
        fields.push(FieldChange::new(
            Field::Name,
            text(&l.name),
            text(&d.name),
            false,
        ));
        patch.name = Some(d.name.clone());
    }
    if keep(Field::Memory)
        && let Some(m) = &l.memory
        && !same_size(m, &d.memory)
    {
        fields.push(FieldChange::new(
            Field::Memory,
            text(m),
            text(&d.memory),
            false,
        ));
        patch.memory = Some(d.memory.clone());
    }
    if keep(Field::Storage)
        && let (Some(want), Some(have)) = (&d.storage, &l.storage)
        && !same_size(want, have)
    {
        fields.push(FieldChange::new(
            Field::Storage,
            text(have),
            text(want),
            false,
        ));
        patch.storage = Some(want.clone());
    }
    if keep(Field::VectorOptimized)
        && let Some(have) = l.vector_optimized
        && have != d.vector_optimized
    {
        fields.push(FieldChange::new(
            Field::VectorOptimized,
            Some(FieldValue::Bool(have)),
            Some(FieldValue::Bool(d.vector_optimized)),
            false,
        ));
        patch.vector_optimized = Some(d.vector_optimized);
    }
    if keep(Field::GraphAnalyticsPlugin)
        && let Some(have) = l.graph_analytics_plugin
        && have != d.graph_analytics_plugin
    {
        fields.push(FieldChange::new(
            Field::GraphAnalyticsPlugin,
            Some(FieldValue::Bool(have)),
            Some(FieldValue::Bool(d.graph_analytics_plugin)),
            false,
        ));
        patch.graph_analytics_plugin = Some(d.graph_analytics_plugin);
    }
    if keep(Field::SecondariesCount)
        && let (Some(want), Some(have)) = (d.secondaries_count, l.secondaries_count)
        && want != have
    {
        fields.push(FieldChange::new(
            Field::SecondariesCount,
            Some(FieldValue::Int(u64::from(have))),
            Some(FieldValue::Int(u64::from(want))),
            false,
        ));
        patch.secondaries_count = Some(want);
    }
    if keep(Field::CdcEnrichmentMode)
        && let (Some(want), Some(have)) = (&d.cdc_enrichment_mode, &l.cdc_enrichment_mode)
        && want != have
    {
        fields.push(FieldChange::new(
            Field::CdcEnrichmentMode,
            text(have.as_str()),
            text(want.as_str()),
            false,
        ));
        patch.cdc_enrichment_mode = Some(want.clone());
    }
    (fields, patch)
}

/// After an upgrade to business-critical, the PATCH-only fields the old tier did not
/// have (CDC, secondaries) are set as for a create: the live side cannot report them
/// before the upgrade, so "absent is unknown" would otherwise never set them.
fn set_after_upgrade(
    d: &DesiredInstance,
    l: &LiveInstance,
    fields: &mut Vec<FieldChange>,
    patch: &mut PatchInstanceRequest,
) {
    let keep = |f: Field| !d.ignore_changes.contains(&f);
    if keep(Field::CdcEnrichmentMode)
        && patch.cdc_enrichment_mode.is_none()
        && let Some(want) = &d.cdc_enrichment_mode
        && l.cdc_enrichment_mode.as_ref() != Some(want)
    {
        fields.push(FieldChange::new(
            Field::CdcEnrichmentMode,
            l.cdc_enrichment_mode
                .as_ref()
                .and_then(|m| text(m.as_str())),
            text(want.as_str()),
            false,
        ));
        patch.cdc_enrichment_mode = Some(want.clone());
    }
    if keep(Field::SecondariesCount)
        && patch.secondaries_count.is_none()
        && let Some(want) = d.secondaries_count
        && l.secondaries_count != Some(want)
    {
        fields.push(FieldChange::new(
            Field::SecondariesCount,
            l.secondaries_count.map(|n| FieldValue::Int(u64::from(n))),
            Some(FieldValue::Int(u64::from(want))),
            false,
        ));
        patch.secondaries_count = Some(want);
    }
}

/// What an instance that stays needs: the fields a reviewer sees change, the PATCH,
/// and the decisions its chain (`chains::in_place_change`) follows.
pub(crate) struct InPlaceDiff {
    pub(crate) fields: Vec<FieldChange>,
    pub(crate) patch: PatchInstanceRequest,
    /// The tier goes up to business-critical (`POST /upgrade`).
    pub(crate) upgrade: bool,
    /// The instance must end paused.
    pub(crate) want_paused: bool,
    /// Some step needs the instance running first (a paused one is resumed).
    pub(crate) needs_running: bool,
}

/// Update, upgrade, rename, pause and resume of an instance that stays, as seen from
/// the status it will be in once `settled`.
pub(crate) fn in_place_diff(
    d: &DesiredInstance,
    l: &LiveInstance,
    settled: ExpectedStatus,
    upgrade: bool,
) -> InPlaceDiff {
    let (mut fields, mut patch) = mutable_diffs(d, l);
    if upgrade {
        set_after_upgrade(d, l, &mut fields, &mut patch);
    }
    let manage_state = !d.ignore_changes.contains(&Field::State);
    let want_paused = if manage_state {
        d.state == DesiredState::Paused
    } else {
        settled == ExpectedStatus::Paused
    };
    // A rename alone is metadata (a synchronous 200): it does not need the instance
    // running. Everything else Aura does only on a running instance.
    let name_only = PatchInstanceRequest {
        name: patch.name.clone(),
        ..PatchInstanceRequest::default()
    } == patch;
    let needs_running = upgrade || (!patch.is_empty() && !name_only);

    if upgrade {
        fields.insert(
            0,
            FieldChange::new(
                Field::Type,
                text(l.instance_type.as_str()),
                text(d.instance_type.as_str()),
                false,
            ),
        );
    }
    let state_before = settled;
    let state_after = if want_paused {
        ExpectedStatus::Paused
    } else {
        ExpectedStatus::Running
    };
    if state_before != state_after {
        fields.push(FieldChange::new(
            Field::State,
            text(state_before.as_str()),
            text(state_after.as_str()),
            false,
        ));
    }
    InPlaceDiff {
        fields,
        patch,
        upgrade,
        want_paused,
        needs_running,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_leniently() {
        assert!(same_version("5", "5"));
        assert!(same_version("5.26", "5"));
        assert!(!same_version("4", "5"));
        assert!(!same_version("50", "5"));
    }
}
