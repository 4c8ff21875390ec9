//! The validated desired state: what aura.yaml means once defaults are merged,
//! variables expanded and every rule checked. Everything downstream (plan, apply,
//! drift, diff) reads this type and never the raw YAML.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use indexmap::IndexMap;

use crate::aura::{CdcEnrichmentMode, CloudProvider, InstanceType, KnownSpellings};

/// A whole aura.yaml, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Desired {
    /// Project (API "tenant") id or exact name, variables expanded.
    pub project: String,
    /// Directory for `<instance>.env` credential files, resolved against the file's
    /// own directory.
    pub credentials_dir: PathBuf,
    /// Write the `<instance>.env` file (`credentials.file`, default `true`; `false`
    /// only with a command).
    pub credentials_file: bool,
    /// `credentials.command`, if any.
    pub credentials_command: Option<CredentialsCommand>,
    /// Delete live instances of the project that are not declared.
    pub prune: bool,
    /// Declared instances keyed by Aura instance name, in file order.
    pub instances: IndexMap<String, DesiredInstance>,
}

/// `credentials.command`: a program run once per created instance with the `.env`
/// text on its standard input (docs/apply.md §10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialsCommand {
    /// The program and its arguments, as written in aura.yaml.
    pub argv: Vec<String>,
    /// The program to run: `argv[0]`, or, for a relative path with a `/`, that path
    /// resolved against the file's directory.
    pub program: PathBuf,
    /// Where it runs: the directory of aura.yaml.
    pub working_dir: PathBuf,
    /// Killed and reported as failed after this long.
    pub timeout: Duration,
}

/// Whether an instance should be running or paused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DesiredState {
    #[default]
    Running,
    Paused,
}

impl DesiredState {
    pub fn as_str(self) -> &'static str {
        match self {
            DesiredState::Running => "running",
            DesiredState::Paused => "paused",
        }
    }
}

impl KnownSpellings for DesiredState {
    const KNOWN: &'static [Self] = &[DesiredState::Running, DesiredState::Paused];

    fn spelling(&self) -> &str {
        self.as_str()
    }

    fn parse_known(s: &str) -> Option<Self> {
        Self::KNOWN.iter().copied().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for DesiredState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Create-time clone source: an instance (name declared in this file, or a live id)
/// and optionally one of its snapshots.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceRef {
    pub instance: String,
    pub snapshot: Option<String>,
}

/// One declared instance with defaults merged.
///
/// `Option` fields are *unmanaged when `None`*: auraform neither sets them nor reports
/// drift on them, which is how a user says "whatever the API chooses". Booleans
/// default to `false` and are managed exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesiredInstance {
    /// The Aura instance name (the key in `instances:`), 1–30 characters.
    pub name: String,
    pub instance_type: InstanceType,
    pub cloud_provider: CloudProvider,
    pub region: String,
    /// `"4"` or `"5"`, as the API writes it.
    pub version: String,
    /// `"<n>GB"`, normalised.
    pub memory: String,
    pub storage: Option<String>,
    pub state: DesiredState,
    pub vector_optimized: bool,
    pub graph_analytics_plugin: bool,
    pub secondaries_count: Option<u32>,
    pub cdc_enrichment_mode: Option<CdcEnrichmentMode>,
    pub customer_managed_key_id: Option<String>,
    pub source: Option<SourceRef>,
    /// Pin to an existing instance id (8 lowercase hex): adopt it and rename it to `name`.
    pub id: Option<String>,
    pub prevent_destroy: bool,
    pub allow_replace: bool,
    /// How a replacement (which `allow_replace` permits) is made.
    pub replace: ReplaceMode,
    /// Restore points: the steps before which an on-demand snapshot is taken (and
    /// waited for until `Completed`). Each kind at most once, in file order.
    pub snapshot_before: Vec<RiskyStep>,
    /// Fields whose live value is never reverted nor reported as drift.
    pub ignore_changes: Vec<Field>,
}

/// How an instance is replaced when an immutable field changes (`replace:`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ReplaceMode {
    /// Delete the old instance, then create an empty one: the data is lost.
    #[default]
    Recreate,
    /// Create the new instance as a clone of the old one (`source_instance_id`), wait
    /// until it runs, then delete the old one: the data is kept.
    Clone,
}

impl ReplaceMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplaceMode::Recreate => "recreate",
            ReplaceMode::Clone => "clone",
        }
    }
}

impl KnownSpellings for ReplaceMode {
    const KNOWN: &'static [Self] = &[ReplaceMode::Recreate, ReplaceMode::Clone];

    fn spelling(&self) -> &str {
        self.as_str()
    }

    fn parse_known(s: &str) -> Option<Self> {
        Self::KNOWN.iter().copied().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for ReplaceMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A step worth a restore point (`snapshot_before:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RiskyStep {
    /// The in-place upgrade professional-db → business-critical.
    Upgrade,
    /// A PATCH that changes `memory` or `storage`.
    Resize,
    /// A replacement (either [`ReplaceMode`]).
    Replace,
}

impl RiskyStep {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskyStep::Upgrade => "upgrade",
            RiskyStep::Resize => "resize",
            RiskyStep::Replace => "replace",
        }
    }
}

impl KnownSpellings for RiskyStep {
    const KNOWN: &'static [Self] = &[RiskyStep::Upgrade, RiskyStep::Resize, RiskyStep::Replace];

    fn spelling(&self) -> &str {
        self.as_str()
    }

    fn parse_known(s: &str) -> Option<Self> {
        Self::KNOWN.iter().copied().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for RiskyStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DesiredInstance {
    /// Whether a restore point is taken before `step`.
    pub fn snapshots_before(&self, step: RiskyStep) -> bool {
        self.snapshot_before.contains(&step)
    }
}

/// The fields of an instance that can differ between aura.yaml and the live API.
/// Their `as_str` names are the aura.yaml keys, used in plans, drift reports and
/// `ignore_changes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Name,
    Type,
    CloudProvider,
    Region,
    Version,
    Memory,
    Storage,
    State,
    VectorOptimized,
    GraphAnalyticsPlugin,
    SecondariesCount,
    CdcEnrichmentMode,
    CustomerManagedKeyId,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Name,
        Field::Type,
        Field::CloudProvider,
        Field::Region,
        Field::Version,
        Field::Memory,
        Field::Storage,
        Field::State,
        Field::VectorOptimized,
        Field::GraphAnalyticsPlugin,
        Field::SecondariesCount,
        Field::CdcEnrichmentMode,
        Field::CustomerManagedKeyId,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Type => "type",
            Field::CloudProvider => "cloud_provider",
            Field::Region => "region",
            Field::Version => "version",
            Field::Memory => "memory",
            Field::Storage => "storage",
            Field::State => "state",
            Field::VectorOptimized => "vector_optimized",
            Field::GraphAnalyticsPlugin => "graph_analytics_plugin",
            Field::SecondariesCount => "secondaries_count",
            Field::CdcEnrichmentMode => "cdc_enrichment_mode",
            Field::CustomerManagedKeyId => "customer_managed_key_id",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.as_str() == s)
    }

    /// Fields that cannot change in place: a change means destroy + create, except
    /// `type` professional-db → business-critical, which is an in-place upgrade.
    pub fn is_immutable(self) -> bool {
        matches!(
            self,
            Field::Type
                | Field::CloudProvider
                | Field::Region
                | Field::Version
                | Field::CustomerManagedKeyId
        )
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
