//! What a saved plan was made from, as data: the digest of aura.yaml and the
//! fingerprint of the live instances it looked at, and why a saved plan no longer fits.
//! [`super::saved`] computes and checks them.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a saved plan was made from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Provenance {
    /// `sha256:<hex>` of the canonical desired state.
    pub config_digest: String,
    /// The live project and instances the plan looked at.
    pub live: LiveFingerprint,
}

/// Fingerprint of the live instances within the plan's scope (all of the project's
/// instances, or those `--target` names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LiveFingerprint {
    pub project_id: String,
    /// Instance id → name and `sha256:<hex>` of its details.
    pub instances: BTreeMap<String, InstanceFingerprint>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InstanceFingerprint {
    pub name: String,
    pub digest: String,
}

/// Why a saved plan no longer fits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaleReason {
    /// The plan was made for another project.
    ProjectChanged { saved: String, now: String },
    /// aura.yaml means something else now.
    ConfigChanged,
    /// These live instances changed, appeared or vanished.
    LiveChanged(Vec<LiveDelta>),
}

/// One live instance that moved since the plan was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveDelta {
    pub id: String,
    pub name: String,
    pub kind: DeltaKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeltaKind {
    Appeared,
    Vanished,
    Changed,
}

impl fmt::Display for StaleReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StaleReason::ProjectChanged { saved, now } => write!(
                f,
                "it was made for project {saved}, but aura.yaml now resolves to project {now}"
            ),
            StaleReason::ConfigChanged => f.write_str("aura.yaml changed since the plan was made"),
            StaleReason::LiveChanged(deltas) => {
                f.write_str("live instances changed since the plan was made: ")?;
                for (i, d) in deltas.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    let what = match d.kind {
                        DeltaKind::Appeared => "appeared",
                        DeltaKind::Vanished => "is gone",
                        DeltaKind::Changed => "changed",
                    };
                    write!(f, "`{}` ({}) {what}", d.name, d.id)?;
                }
                Ok(())
            }
        }
    }
}
