//! What an instance is and where it runs: `type`, `cloud_provider`, `region` and
//! `version`. free-db implies its cloud and region, so they may be absent for it.

use super::input::InstanceInput;
use super::limits::DEFAULT_VERSION;
use super::report::Problems;
use crate::aura::{CloudProvider, InstanceType, catalogue, tiers};

/// The placement fields; `None` where a value is missing or wrong (already reported),
/// so the instance is valid only when all four are `Some`.
pub(super) struct Placement {
    pub instance_type: Option<InstanceType>,
    pub cloud_provider: Option<CloudProvider>,
    pub region: Option<String>,
    pub version: Option<String>,
}

impl Placement {
    pub(super) fn ok(&self) -> bool {
        self.instance_type.is_some()
            && self.cloud_provider.is_some()
            && self.region.is_some()
            && self.version.is_some()
    }

    /// Whether the type is free-db (which implies its cloud, region and memory).
    pub(super) fn is_free(&self) -> bool {
        self.instance_type.as_ref().is_some_and(tiers::is_free)
    }
}

/// Checks type, cloud, region and version, in that order.
pub(super) fn placement(problems: &mut Problems, input: &InstanceInput<'_>) -> Placement {
    let instance_type = instance_type(problems, input);
    let free = instance_type.as_ref().is_some_and(tiers::is_free);
    let cloud_provider = cloud_provider(problems, input, free);
    let region = region(problems, input, free);
    let version = version(problems, input);
    Placement {
        instance_type,
        cloud_provider,
        region,
        version,
    }
}

fn instance_type(problems: &mut Problems, input: &InstanceInput<'_>) -> Option<InstanceType> {
    match input.setting(|s| s.instance_type.as_ref()) {
        None => {
            problems.missing(input, "type", "professional-db");
            None
        }
        Some(m) => problems.known::<InstanceType>(input.name(), m, "type", "allowed types"),
    }
}

fn cloud_provider(
    problems: &mut Problems,
    input: &InstanceInput<'_>,
    free: bool,
) -> Option<CloudProvider> {
    match input.setting(|s| s.cloud_provider.as_ref()) {
        None if free => Some(catalogue::FREE_CLOUD),
        None => {
            problems.missing(input, "cloud_provider", "gcp");
            None
        }
        Some(m) => problems.known::<CloudProvider>(input.name(), m, "cloud provider", "allowed"),
    }
}

/// The region is not checked here: which regions exist is the offering's business.
fn region(problems: &mut Problems, input: &InstanceInput<'_>, free: bool) -> Option<String> {
    match input.setting(|s| s.region.as_ref()) {
        None if free => Some(catalogue::FREE_REGION.to_owned()),
        None => {
            problems.missing(input, "region", "europe-west1");
            None
        }
        Some(m) => Some(m.value.value.clone()),
    }
}

fn version(problems: &mut Problems, input: &InstanceInput<'_>) -> Option<String> {
    match input.setting(|s| s.version.as_ref()) {
        None => Some(DEFAULT_VERSION.to_owned()),
        Some(m) if catalogue::VERSIONS.contains(&m.value.value.as_str()) => {
            Some(m.value.value.clone())
        }
        Some(m) => {
            problems.invalid(
                input.name(),
                m,
                format!("unknown version `{}`", m.value.value),
                "allowed versions: \"5\" (calendar versions) and \"4\"".to_owned(),
            );
            None
        }
    }
}
