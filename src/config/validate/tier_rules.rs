//! The tier rules as they apply to one instance: free-db's fixed placement and
//! missing features, and the features only some paid tiers have. Which tier has what
//! is `crate::aura::tiers`; this file only says how a breach is reported, pointing at
//! the value (or at `defaults`, where it was inherited).

use super::report::Problems;
use super::spans::{InstanceSpans, Origin};
use crate::aura::{CloudProvider, InstanceType, catalogue, sizes, tiers};
use crate::config::desired::{DesiredState, Field};
use crate::config::error::{ConfigError, ErrorCode};

/// What the tier rules look at: the instance's valid values (a wrong one is absent,
/// already reported) and which optional features are set.
pub(super) struct TierInput<'a> {
    pub name: &'a str,
    pub instance_type: &'a InstanceType,
    pub spans: &'a InstanceSpans,
    pub cloud_provider: Option<&'a CloudProvider>,
    pub region: Option<&'a str>,
    pub memory: Option<&'a str>,
    pub state: DesiredState,
    pub has_storage: bool,
    pub has_secondaries_count: bool,
    pub has_cdc_enrichment_mode: bool,
    pub vector_optimized: bool,
    pub graph_analytics_plugin: bool,
    /// Where a non-empty `snapshot_before` is written.
    pub snapshot_before: Option<Origin>,
}

impl TierInput<'_> {
    /// Where `field` is written, if it is (an implied value breaks no rule).
    fn origin(&self, field: Field) -> Option<Origin> {
        self.spans.fields.get(&field).copied()
    }
}

/// Checks every tier rule; `false` when one is broken (each breach is reported).
pub(super) fn tier_rules(problems: &mut Problems, input: &TierInput<'_>) -> bool {
    if tiers::is_free(input.instance_type) {
        free_tier(problems, input)
    } else {
        paid_tiers(problems, input)
    }
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "call sites build the strings inline"
)]
fn tier(problems: &mut Problems, inst: &str, origin: Origin, msg: String, help: String) {
    let label = if origin.from_defaults {
        "inherited from `defaults`"
    } else {
        "not available on this tier"
    };
    problems.push(
        ConfigError::new(ErrorCode::TierRule, format!("instance `{inst}`: {msg}"))
            .label(origin.span, label)
            .help(help),
    );
}

/// free-db: one place and size, none of the optional features, no pause on request.
fn free_tier(problems: &mut Problems, input: &TierInput<'_>) -> bool {
    let name = input.name;
    let t = input.instance_type;
    let mut ok = true;
    let help_free = "free-db runs on gcp in europe-west1 with 1GB memory";
    if let (Some(o), Some(c)) = (input.origin(Field::CloudProvider), input.cloud_provider)
        && *c != catalogue::FREE_CLOUD
    {
        tier(
            problems,
            name,
            o,
            format!("free-db cannot run on {c}"),
            format!("{help_free}; remove `cloud_provider` or set it to gcp"),
        );
        ok = false;
    }
    if let (Some(o), Some(r)) = (input.origin(Field::Region), input.region)
        && r != catalogue::FREE_REGION
    {
        tier(
            problems,
            name,
            o,
            format!("free-db cannot run in `{r}`"),
            format!("{help_free}; remove `region` or set it to europe-west1"),
        );
        ok = false;
    }
    if let (Some(o), Some(m)) = (input.origin(Field::Memory), input.memory)
        && m != catalogue::FREE_MEMORY
    {
        tier(
            problems,
            name,
            o,
            format!("free-db cannot have {m} memory"),
            format!("{help_free}; free instances cannot be resized"),
        );
        ok = false;
    }
    // Vector optimisation has no tier predicate: free-db's fixed size is below its
    // minimum, so it is simply not available there.
    for (field, unsupported) in [
        (Field::Storage, input.has_storage && !tiers::has_storage(t)),
        (
            Field::SecondariesCount,
            input.has_secondaries_count && !tiers::has_secondaries(t),
        ),
        (
            Field::CdcEnrichmentMode,
            input.has_cdc_enrichment_mode && !tiers::has_cdc(t),
        ),
        (Field::VectorOptimized, input.vector_optimized),
        (
            Field::GraphAnalyticsPlugin,
            input.graph_analytics_plugin && !tiers::has_graph_analytics_plugin(t),
        ),
    ] {
        if unsupported && let Some(o) = input.origin(field) {
            tier(
                problems,
                name,
                o,
                format!("free-db does not support `{field}`"),
                format!("remove `{field}` from this instance, or choose another type"),
            );
            ok = false;
        }
    }
    if let Some(o) = input.snapshot_before
        && !tiers::can_snapshot(t)
    {
        tier(
            problems,
            name,
            o,
            "free-db has no on-demand snapshots, so no restore points".to_owned(),
            "remove `snapshot_before` from this instance (write `snapshot_before: []` to override `defaults`)".to_owned(),
        );
        ok = false;
    }
    if input.state == DesiredState::Paused
        && !tiers::can_pause(t)
        && let Some(o) = input.origin(Field::State)
    {
        tier(
            problems,
            name,
            o,
            "free-db instances cannot be paused".to_owned(),
            "use `state: running` (Aura pauses idle free instances by itself)".to_owned(),
        );
        ok = false;
    }
    ok
}

/// The paid tiers: CDC, secondaries and the Graph Analytics plugin on some of them,
/// vector optimisation from a minimum memory size.
fn paid_tiers(problems: &mut Problems, input: &TierInput<'_>) -> bool {
    let name = input.name;
    let t = input.instance_type;
    let mut ok = true;
    if input.has_cdc_enrichment_mode
        && !tiers::has_cdc(t)
        && let Some(o) = input.origin(Field::CdcEnrichmentMode)
    {
        tier(
            problems,
            name,
            o,
            format!("{t} does not support `cdc_enrichment_mode`"),
            format!("change data capture is available on {}", tiers::CDC_TIERS),
        );
        ok = false;
    }
    if input.has_secondaries_count
        && !tiers::has_secondaries(t)
        && let Some(o) = input.origin(Field::SecondariesCount)
    {
        tier(
            problems,
            name,
            o,
            format!("{t} does not support `secondaries_count`"),
            "secondaries are available on enterprise-db (Virtual Dedicated Cloud) only".to_owned(),
        );
        ok = false;
    }
    if input.graph_analytics_plugin
        && !tiers::has_graph_analytics_plugin(t)
        && let Some(o) = input.origin(Field::GraphAnalyticsPlugin)
    {
        tier(
            problems,
            name,
            o,
            format!("{t} does not support `graph_analytics_plugin`"),
            "the Graph Analytics plugin is available on professional-db only".to_owned(),
        );
        ok = false;
    }
    ok &= vector_memory(problems, input);
    ok
}

/// `vector_optimized` needs a minimum memory size; the error points at both values.
fn vector_memory(problems: &mut Problems, input: &TierInput<'_>) -> bool {
    let min = tiers::VECTOR_MIN_MEMORY_GB;
    if input.vector_optimized
        && let Some(gb) = input.memory.and_then(sizes::parse_gb)
        && !tiers::allows_vector_optimized(gb)
        && let Some(o) = input.origin(Field::VectorOptimized)
    {
        let mut e = ConfigError::new(
            ErrorCode::TierRule,
            format!(
                "instance `{}`: vector_optimized needs at least {min}GB memory",
                input.name
            ),
        )
        .label(
            o.span,
            if o.from_defaults {
                "inherited from `defaults`".to_owned()
            } else {
                format!("needs {min}GB or more")
            },
        );
        if let Some(m) = input.origin(Field::Memory) {
            e = e.label(m.span, format!("memory is {gb}GB"));
        }
        problems.push(e.help(format!(
            "raise `memory` to {min}GB or more, or remove `vector_optimized`"
        )));
        return false;
    }
    true
}
