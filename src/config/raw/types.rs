//! The shapes of aura.yaml: exactly what the user typed, each value with its span,
//! variables expanded, nothing checked beyond the shape. These types are also the
//! source of the JSON Schema (`config::schema`), so their doc comments are what
//! editors show on hover; the key lists below are the same shapes as the reader
//! spells them.

use indexmap::IndexMap;
use schemars::JsonSchema;

use crate::config::desired::Field;
use crate::config::node::Spanned;

/// aura.yaml (format version 1): the Neo4j Aura instances of one project, as
/// auraform should keep them.
#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(title = "aura.yaml", deny_unknown_fields)]
pub struct RawConfig {
    /// Project (API "tenant") id or exact name. `${VAR}` and `${VAR:-default}` are
    /// expanded.
    pub project: Option<Spanned<String>>,
    /// Settings merged under every instance; an instance's own value wins.
    pub defaults: Option<RawSettings>,
    /// Where credentials of created instances are written.
    pub credentials: Option<RawCredentials>,
    /// `true`: delete live instances of the project that are not listed here.
    /// Default `false`.
    pub prune: Option<Spanned<bool>>,
    /// The instances, keyed by Aura instance name (1–30 characters, no surrounding
    /// spaces). File order is kept.
    #[schemars(with = "IndexMap<String, Option<RawInstance>>")]
    pub instances: Option<Vec<RawInstance>>,
}

/// `credentials:`: where the password of each instance auraform creates goes. The
/// API gives it once, in the create response; auraform hands it to every sink
/// declared here and never prints or logs it.
#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawCredentials {
    /// Directory for `<instance>.env` files (mode 0600), relative to this file's
    /// directory. Default `.auraform/credentials`.
    pub dir: Option<Spanned<String>>,
    /// Write the `<instance>.env` file. Default `true`. `false` needs a `command`
    /// (the password must land somewhere); if that command fails, the file is written
    /// anyway so that the only copy is not lost, and the report says so.
    pub file: Option<Spanned<bool>>,
    /// A program and its arguments, run once per created instance, after the file is
    /// written: the `.env` text on its standard input (never in its arguments or
    /// environment), `AURA_INSTANCE_NAME`, `AURA_INSTANCE_ID`, `AURA_PROJECT_ID` and
    /// `AURA_INSTANCE_ENV_PREFIX` in its environment, run in this file's directory.
    /// Not `${VAR}`-expanded: use `[sh, -c, '…']` for a shell.
    /// Example: `[sh, -c, 'gh secret set "${AURA_INSTANCE_ENV_PREFIX}_NEO4J_ENV"']`.
    #[schemars(with = "Option<Vec<CommandArg>>", length(min = 1))]
    pub command: Option<Spanned<Vec<Spanned<String>>>>,
    /// How long the command may run before it is killed and reported as failed
    /// (e.g. `30s`, `2m`; 1 s to 1 h). Default `60s`.
    #[schemars(regex(pattern = r"^[1-9][0-9]*(ms|s|m|min|h)$"))]
    pub command_timeout: Option<Spanned<String>>,
    /// `command:` is in the file, even with a value already reported as wrong: the
    /// rules that need a command do not report it missing as well.
    #[schemars(skip)]
    pub command_written: bool,
}

/// One argument of `credentials.command` (the first is the program: a name looked up
/// on `PATH`, or a path, relative to this file's directory when it has a `/`).
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(
    dead_code,
    reason = "only its JSON Schema is used: it is never constructed"
)]
struct CommandArg(#[schemars(length(min = 1))] String);

/// Instance settings that `defaults:` may also carry.
#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawSettings {
    /// Instance type (tier). Required (here or in `defaults`); cannot change except
    /// professional-db → business-critical (in-place upgrade).
    #[schemars(rename = "type", with = "Option<TypeName>")]
    pub instance_type: Option<Spanned<String>>,
    /// Cloud provider. Required, except for free-db (always gcp). Immutable.
    #[schemars(with = "Option<CloudName>")]
    pub cloud_provider: Option<Spanned<String>>,
    /// Provider region code, e.g. `europe-west1`, `eu-west-1`, `westeurope`. Required,
    /// except for free-db (always europe-west1). Immutable.
    #[schemars(regex(pattern = r"^[a-z0-9-]+$"))]
    pub region: Option<Spanned<String>>,
    /// Neo4j version: `"5"` (default; calendar versions) or `"4"`. An unquoted 5 is
    /// read as `"5"`. Immutable.
    #[schemars(with = "Option<VersionName>")]
    pub version: Option<Spanned<String>>,
    /// Memory, written `<n>GB` (e.g. `8GB`). Required, except for free-db (1GB).
    #[schemars(regex(pattern = r"^[1-9][0-9]*GB$"))]
    pub memory: Option<Spanned<String>>,
    /// Storage, written `<n>GB`. Optional (the API's default for the memory size);
    /// must be offered together with `memory`. Not for free-db.
    #[schemars(regex(pattern = r"^[1-9][0-9]*GB$"))]
    pub storage: Option<Spanned<String>>,
    /// `running` (default) or `paused`. free-db cannot be paused.
    #[schemars(with = "Option<StateName>")]
    pub state: Option<Spanned<String>>,
    /// Vector-optimized configuration; needs at least 4GB memory. Default `false`.
    pub vector_optimized: Option<Spanned<bool>>,
    /// Graph Analytics plugin; professional-db only. Default `false`.
    pub graph_analytics_plugin: Option<Spanned<bool>>,
    /// Number of secondaries, 0–15; enterprise-db only. Unmanaged when absent.
    #[schemars(range(min = 0, max = 15))]
    pub secondaries_count: Option<Spanned<u32>>,
    /// Change-data-capture enrichment mode; business-critical and enterprise-db only.
    /// Unmanaged when absent. Quote-free `OFF` is fine: aura.yaml is read as YAML 1.2.
    #[schemars(with = "Option<CdcName>")]
    pub cdc_enrichment_mode: Option<Spanned<String>>,
    /// Customer-managed encryption key id. Immutable.
    pub customer_managed_key_id: Option<Spanned<String>>,
    /// Never delete or replace this instance, whatever the flags. Default `false`.
    pub prevent_destroy: Option<Spanned<bool>>,
    /// Permit destroy + create when an immutable field changes (data is lost).
    /// Default `false`. Cannot be combined with `prevent_destroy`.
    pub allow_replace: Option<Spanned<bool>>,
    /// How a replacement that `allow_replace` permits is made: `recreate` (default:
    /// delete, then create an empty instance; the data is lost) or `clone` (create the
    /// new instance as a clone of the old one, wait until it runs, then delete the old
    /// one; the data is kept, the id and connection URI change).
    #[schemars(with = "Option<ReplaceName>")]
    pub replace: Option<Spanned<String>>,
    /// Restore points: take an on-demand snapshot, and wait until it is `Completed`,
    /// before these steps (`upgrade`, `resize`: a change of `memory` or `storage`,
    /// `replace`). A failed snapshot stops the instance's changes before the step. An
    /// instance's list replaces the one in `defaults`. Not for free-db.
    #[schemars(with = "Option<Vec<RiskyStepName>>")]
    pub snapshot_before: Option<Spanned<Vec<Spanned<String>>>>,
    /// Fields whose live value is never reverted nor reported as drift. An instance's
    /// list replaces the one in `defaults`.
    #[schemars(with = "Option<Vec<FieldName>>")]
    pub ignore_changes: Option<Spanned<Vec<Spanned<String>>>>,
    /// Keys that are present with a value already reported as wrong: they are not
    /// "missing" as well.
    #[schemars(skip)]
    pub rejected: Vec<String>,
}

/// One instance: its settings, plus what only an instance can have.
#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawInstance {
    /// The key under `instances:`.
    #[schemars(skip)]
    pub name: Spanned<String>,
    #[schemars(flatten)]
    pub settings: RawSettings,
    /// Create-time only: clone the new instance from another instance (a name
    /// declared in this file, or an 8-hex instance id), optionally from one of its
    /// snapshots.
    pub source: Option<Spanned<RawSource>>,
    /// Pin to an existing instance id (8 lowercase hex): adopt it and rename it to
    /// this key.
    #[schemars(regex(pattern = r"^[0-9a-f]{8}$"))]
    pub id: Option<Spanned<String>>,
    /// The instance's value is not a mapping (`a: hello`), already reported: none of
    /// its fields is "missing" as well.
    #[schemars(skip)]
    pub not_a_mapping: bool,
}

/// `source:` of an instance.
#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawSource {
    /// The instance to clone: a name declared in this file or an 8-hex id.
    pub instance: Spanned<String>,
    /// A snapshot id of that instance (default: its latest data).
    pub snapshot: Option<Spanned<String>>,
}

// Schema-only enumerations: the raw form keeps the user's text (so errors can quote
// it), while editors should offer exactly these values.

/// Aura instance type.
#[derive(JsonSchema)]
#[schemars(rename_all = "kebab-case")]
#[allow(
    dead_code,
    reason = "only its JSON Schema is used: it is never constructed"
)]
enum TypeName {
    FreeDb,
    ProfessionalDb,
    BusinessCritical,
    EnterpriseDb,
    ProfessionalDs,
    EnterpriseDs,
}

/// Cloud provider.
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
#[allow(
    dead_code,
    reason = "only its JSON Schema is used: it is never constructed"
)]
enum CloudName {
    Gcp,
    Aws,
    Azure,
}

/// Desired run state.
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
#[allow(
    dead_code,
    reason = "only its JSON Schema is used: it is never constructed"
)]
enum StateName {
    Running,
    Paused,
}

/// CDC enrichment mode.
#[derive(JsonSchema)]
#[schemars(rename_all = "UPPERCASE")]
#[allow(
    dead_code,
    reason = "only its JSON Schema is used: it is never constructed"
)]
enum CdcName {
    Off,
    Diff,
    Full,
}

/// How a replacement is made.
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
#[allow(
    dead_code,
    reason = "only its JSON Schema is used: it is never constructed"
)]
enum ReplaceName {
    Recreate,
    Clone,
}

/// A step worth a restore point.
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
#[allow(
    dead_code,
    reason = "only its JSON Schema is used: it is never constructed"
)]
enum RiskyStepName {
    Upgrade,
    Resize,
    Replace,
}

/// Neo4j major version: `"5"` or `"4"`, as a string; an unquoted number is accepted
/// too, since the loader reads `version: 5` as `"5"`.
struct VersionName;

impl JsonSchema for VersionName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "VersionName".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Neo4j major version: \"5\" (calendar versions) or \"4\". An unquoted 5 is read as \"5\".",
            "enum": ["5", "4", 5, 4]
        })
    }
}

/// A field name for `ignore_changes`. Its schema lists [`Field::ALL`], so the schema
/// and the loader can never disagree on which names exist.
struct FieldName;

impl JsonSchema for FieldName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FieldName".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
        schemars::json_schema!({
            "description": "A field name for `ignore_changes`.",
            "type": "string",
            "enum": names
        })
    }
}

// The keys of each mapping, as written in aura.yaml (`type`, not `instance_type`).

pub(super) const TOP_KEYS: &[&str] = &["project", "defaults", "credentials", "prune", "instances"];
pub(super) const SETTINGS_KEYS: &[&str] = &[
    "type",
    "cloud_provider",
    "region",
    "version",
    "memory",
    "storage",
    "state",
    "vector_optimized",
    "graph_analytics_plugin",
    "secondaries_count",
    "cdc_enrichment_mode",
    "customer_managed_key_id",
    "prevent_destroy",
    "allow_replace",
    "replace",
    "snapshot_before",
    "ignore_changes",
];
pub(super) const INSTANCE_ONLY_KEYS: &[&str] = &["source", "id"];
pub(super) const CREDENTIALS_KEYS: &[&str] = &["dir", "file", "command", "command_timeout"];
pub(super) const SOURCE_KEYS: &[&str] = &["instance", "snapshot"];
