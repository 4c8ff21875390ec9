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
    /// The aura.yaml the plan was made from, as an absolute path with every symlink
    /// resolved. `apply PLAN_FILE` without `-f` reads this file (when it exists), and a
    /// stale plan's error names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_file: Option<String>,
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
    /// aura.yaml means something else now. `made_from` is the file the plan was made
    /// from and `now` the one this apply read, when they are known and not the same.
    ConfigChanged {
        made_from: Option<String>,
        now: Option<String>,
    },
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
            StaleReason::ConfigChanged { made_from, now } => match (made_from, now) {
                (Some(made_from), Some(now)) if made_from != now => write!(
                    f,
                    "the plan was made from {made_from}, and {now} (which this apply read) says something else"
                ),
                (Some(file), _) => write!(f, "{file} changed since the plan was made"),
                (None, _) => f.write_str("aura.yaml changed since the plan was made"),
            },
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

/// Where a saved plan's changes differ from the plan made again from the same desired
/// and live state: the file was edited after `plan --out` wrote it (or it was made
/// from something its fingerprint does not cover).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Altered {
    /// The instance whose change differs.
    pub instance: String,
    /// Where, as a path into the change (`steps[0].request.body.memory`).
    pub field: String,
    /// The value in the file, and the one planning again gives (short JSON).
    pub in_file: String,
    pub replanned: String,
}

impl fmt::Display for Altered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "instance `{}`: `{}` is {} in the file, {} when planned again",
            self.instance, self.field, self.in_file, self.replanned
        )
    }
}
