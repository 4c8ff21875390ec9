//! The "low" form of aura.yaml (ripgrep's raw → resolved split): exactly what the user
//! typed, each value with its span, variables expanded, nothing checked beyond the
//! shape. These types are also the source of the JSON Schema (`schema.rs`), so their
//! doc comments are what editors show on hover.
//!
//! They are read from a [`Node`] tree by hand rather than derived with serde, so that
//! every unknown key (with a "did you mean"), every wrong type and every unset
//! `${VAR}` of a file is reported in one run, and so that a YAML scalar's exact text
//! is available (`version: 5` is the string `"5"`).

#![allow(clippy::single_match_else)] // explicit arms read better for "found X" errors

use indexmap::IndexMap;
use schemars::JsonSchema;

use super::desired::Field;
use super::error::{ConfigError, ErrorCode};
use super::node::{Node, Span, Spanned};

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

/// `credentials:`.
#[derive(Clone, Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RawCredentials {
    /// Directory for `<instance>.env` files (mode 0600), relative to this file's
    /// directory. Default `.auraform/credentials`.
    pub dir: Option<Spanned<String>>,
}

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
#[allow(dead_code)]
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
#[allow(dead_code)]
enum CloudName {
    Gcp,
    Aws,
    Azure,
}

/// Desired run state.
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
#[allow(dead_code)]
enum StateName {
    Running,
    Paused,
}

/// CDC enrichment mode.
#[derive(JsonSchema)]
#[schemars(rename_all = "UPPERCASE")]
#[allow(dead_code)]
enum CdcName {
    Off,
    Diff,
    Full,
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

pub(crate) const TOP_KEYS: &[&str] = &["project", "defaults", "credentials", "prune", "instances"];
pub(crate) const SETTINGS_KEYS: &[&str] = &[
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
    "ignore_changes",
];
const INSTANCE_ONLY_KEYS: &[&str] = &["source", "id"];
const CREDENTIALS_KEYS: &[&str] = &["dir"];
const SOURCE_KEYS: &[&str] = &["instance", "snapshot"];

/// The closest candidate to `input`, if it is close enough to be a plausible typo.
pub(crate) fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = input.to_ascii_lowercase().replace('-', "_");
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c.eq_ignore_ascii_case(input) || c.replace('-', "_") == lower {
            return Some(c);
        }
        let d = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let (d, c) = best?;
    let limit = (input.chars().count() / 3).clamp(1, 3);
    (d <= limit).then_some(c)
}

/// A key and its value in a mapping.
pub(crate) struct Entry<'n> {
    pub key: Spanned<String>,
    pub value: &'n Spanned<Node>,
}

impl Entry<'_> {
    /// Where to point for a problem with the value: the scalar itself, or the key of a
    /// block mapping/list (whose own span is empty).
    fn value_span(&self) -> Span {
        if self.value.value.is_scalar() && self.value.span.len > 0 {
            self.value.span
        } else {
            // An empty value (`memory:`) or a block mapping/list: point at the key.
            self.key.span
        }
    }
}

/// Reads a [`Node`] tree into [`RawConfig`], collecting every problem.
pub(crate) struct Reader<'a> {
    text: &'a str,
    env: &'a dyn Fn(&str) -> Option<String>,
    pub errors: Vec<ConfigError>,
    /// Top-level keys an unknown key was taken for (`projet` → `project`): their
    /// absence is then already explained.
    misspelled: Vec<&'static str>,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str, env: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Reader {
            text,
            env,
            errors: Vec::new(),
            misspelled: Vec::new(),
        }
    }

    fn push(&mut self, e: ConfigError) {
        self.errors.push(e);
    }

    /// The source text a scalar was written as.
    fn source_text(&self, defined: Span) -> &'a str {
        self.text.get(defined.offset..defined.end()).unwrap_or("")
    }

    pub fn config(&mut self, root: &Spanned<Node>) -> RawConfig {
        let mut out = RawConfig::default();
        let Node::Map(_) = &root.value else {
            self.push(
                ConfigError::new(
                    ErrorCode::WrongType,
                    format!("aura.yaml must be a mapping, found {}", root.value.kind()),
                )
                .label(root.span, "expected `project:`, `instances:`, …")
                .help("start the file with `project: <name>` and an `instances:` mapping"),
            );
            return out;
        };
        let mut saw_instances = false;
        let mut saw_project = false;
        for e in self.entries(root, "the top level", TOP_KEYS, Context::Top) {
            match e.key.value.as_str() {
                "project" => {
                    saw_project = true;
                    out.project = self.string(&e);
                }
                "defaults" => out.defaults = self.settings(&e, "defaults", SETTINGS_KEYS),
                "credentials" => out.credentials = self.credentials(&e),
                "prune" => out.prune = self.boolean(&e),
                "instances" => {
                    saw_instances = true;
                    out.instances = self.instances(&e);
                }
                _ => {}
            }
        }
        if !saw_project && !self.misspelled.contains(&"project") {
            self.push(
                ConfigError::new(ErrorCode::MissingField, "aura.yaml has no `project`")
                    .label(Span::new(0, 0), "expected `project:` at the top level")
                    .help("add `project: <project id or exact name>` (a `${VAR}` is fine)"),
            );
        }
        if !saw_instances && !self.misspelled.contains(&"instances") {
            self.push(
                ConfigError::new(ErrorCode::MissingField, "aura.yaml has no `instances`")
                    .label(Span::new(0, 0), "expected `instances:` at the top level")
                    .help("add an `instances:` mapping (write `instances: {}` to declare none)"),
            );
        }
        out
    }

    /// The known entries of a mapping; unknown keys and non-mappings are reported.
    /// A null value (`defaults:` with everything commented out) is an empty mapping.
    fn entries<'n>(
        &mut self,
        node: &'n Spanned<Node>,
        what: &str,
        known: &[&str],
        ctx: Context,
    ) -> Vec<Entry<'n>> {
        let entries = match &node.value {
            Node::Map(entries) => entries,
            Node::Null => return Vec::new(),
            other => {
                self.push(
                    ConfigError::new(
                        ErrorCode::WrongType,
                        format!("{what} must be a mapping, found {}", other.kind()),
                    )
                    .label(node.span, "expected `key: value` pairs")
                    .help(if ctx == Context::Instances {
                        "write one `<name>:` entry per instance, e.g. `orders: { type: professional-db, memory: 8GB }`".to_owned()
                    } else {
                        format!("allowed keys: {}", known.join(", "))
                    }),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            let Some(key) = self.key_text(k) else {
                continue;
            };
            if known.contains(&key.value.as_str()) || ctx == Context::Instances {
                out.push(Entry { key, value: v });
                continue;
            }
            if let Some(meant) = self.unknown_key(&key, what, known, ctx) {
                self.misspelled.push(meant);
            }
        }
        out
    }

    /// Reports an unknown key; returns the key it probably meant.
    fn unknown_key(
        &mut self,
        key: &Spanned<String>,
        what: &str,
        known: &[&str],
        ctx: Context,
    ) -> Option<&'static str> {
        let name = &key.value;
        let mut err = ConfigError::new(
            ErrorCode::UnknownField,
            format!("unknown key `{name}` in {what}"),
        );
        let misplaced = match ctx {
            Context::Top
                if SETTINGS_KEYS.contains(&name.as_str())
                    || INSTANCE_ONLY_KEYS.contains(&name.as_str()) =>
            {
                Some(format!(
                    "`{name}` belongs to an instance (under `instances: <name>:`) or, for shared settings, under `defaults:`"
                ))
            }
            Context::Defaults if INSTANCE_ONLY_KEYS.contains(&name.as_str()) => Some(format!(
                "`{name}` is specific to one instance and cannot be a default; set it on the instance"
            )),
            Context::Instance if TOP_KEYS.contains(&name.as_str()) => Some(format!(
                "`{name}` belongs at the top level of the file, not inside an instance"
            )),
            _ => None,
        };
        let mut meant = None;
        if let Some(m) = misplaced {
            err = err.label(key.span, "not allowed here").help(m);
        } else if let Some(s) = did_you_mean(name, known.iter().copied()) {
            meant = TOP_KEYS.iter().copied().find(|k| *k == s);
            err = err
                .label(key.span, format!("did you mean `{s}`?"))
                .help(format!("allowed keys: {}", known.join(", ")));
        } else {
            err = err
                .label(key.span, "unknown key")
                .help(format!("allowed keys: {}", known.join(", ")));
        }
        self.push(err);
        meant
    }

    /// A mapping key as text; numbers and booleans keep their spelling.
    fn key_text(&mut self, k: &Spanned<Node>) -> Option<Spanned<String>> {
        match &k.value {
            Node::Str(s) => Some(Spanned {
                value: s.clone(),
                span: k.span,
                defined: k.defined,
            }),
            Node::Int(_) | Node::Float(_) | Node::Bool(_) => Some(Spanned {
                value: self.source_text(k.defined).to_owned(),
                span: k.span,
                defined: k.defined,
            }),
            other => {
                self.push(
                    ConfigError::new(
                        ErrorCode::WrongType,
                        format!("a key must be a plain string, found {}", other.kind()),
                    )
                    .label(k.span, "this key")
                    .help("write keys as plain words, e.g. `memory:`"),
                );
                None
            }
        }
    }

    #[allow(clippy::unnecessary_wraps)] // mirrors the other readers
    fn credentials(&mut self, e: &Entry<'_>) -> Option<RawCredentials> {
        let mut out = RawCredentials::default();
        for c in self.entries(e.value, "`credentials`", CREDENTIALS_KEYS, Context::Other) {
            if c.key.value == "dir" {
                out.dir = self.string(&c);
            }
        }
        Some(out)
    }

    #[allow(clippy::unnecessary_wraps)] // mirrors the other readers
    fn instances(&mut self, e: &Entry<'_>) -> Option<Vec<RawInstance>> {
        let mut out = Vec::new();
        for inst in self.entries(e.value, "`instances`", &[], Context::Instances) {
            let known: Vec<&str> = SETTINGS_KEYS
                .iter()
                .chain(INSTANCE_ONLY_KEYS)
                .copied()
                .collect();
            let what = format!("instance `{}`", inst.key.value);
            let mut raw = RawInstance {
                name: inst.key.clone(),
                ..RawInstance::default()
            };
            let fields = self.entries(inst.value, &what, &known, Context::Instance);
            raw.settings = self.settings_from(&fields);
            for f in &fields {
                match f.key.value.as_str() {
                    "id" => raw.id = self.string(f),
                    "source" => raw.source = self.source(f),
                    _ => {}
                }
            }
            out.push(raw);
        }
        Some(out)
    }

    #[allow(clippy::unnecessary_wraps)] // mirrors the other readers
    fn settings(&mut self, e: &Entry<'_>, what: &str, known: &[&str]) -> Option<RawSettings> {
        let what = format!("`{what}`");
        let fields = self.entries(e.value, &what, known, Context::Defaults);
        Some(self.settings_from(&fields))
    }

    fn settings_from(&mut self, fields: &[Entry<'_>]) -> RawSettings {
        let mut s = RawSettings::default();
        for f in fields {
            let before = self.errors.len();
            match f.key.value.as_str() {
                "type" => s.instance_type = self.string(f),
                "cloud_provider" => s.cloud_provider = self.string(f),
                "region" => s.region = self.string(f),
                "version" => s.version = self.string(f),
                "memory" => s.memory = self.string(f),
                "storage" => s.storage = self.string(f),
                "state" => s.state = self.string(f),
                "vector_optimized" => s.vector_optimized = self.boolean(f),
                "graph_analytics_plugin" => s.graph_analytics_plugin = self.boolean(f),
                "secondaries_count" => s.secondaries_count = self.count(f),
                "cdc_enrichment_mode" => s.cdc_enrichment_mode = self.string(f),
                "customer_managed_key_id" => s.customer_managed_key_id = self.string(f),
                "prevent_destroy" => s.prevent_destroy = self.boolean(f),
                "allow_replace" => s.allow_replace = self.boolean(f),
                "ignore_changes" => s.ignore_changes = self.string_list(f),
                _ => {}
            }
            if self.errors.len() > before {
                s.rejected.push(f.key.value.clone());
            }
        }
        s
    }

    fn source(&mut self, e: &Entry<'_>) -> Option<Spanned<RawSource>> {
        let what = "`source`";
        if let Node::Str(_) | Node::Int(_) = &e.value.value {
            self.push(
                ConfigError::new(
                    ErrorCode::WrongType,
                    "`source` must be a mapping, found a string",
                )
                .label(e.value_span(), "expected `{ instance: <name or id> }`")
                .help(
                    "write `source: { instance: <name or id> }`, optionally with `snapshot: <id>`",
                ),
            );
            return None;
        }
        let fields = self.entries(e.value, what, SOURCE_KEYS, Context::Other);
        let mut instance = None;
        let mut snapshot = None;
        for f in &fields {
            match f.key.value.as_str() {
                "instance" => instance = self.string(f),
                "snapshot" => snapshot = self.string(f),
                _ => {}
            }
        }
        let had_instance_key = fields.iter().any(|f| f.key.value == "instance");
        match instance {
            Some(instance) => Some(Spanned {
                value: RawSource { instance, snapshot },
                span: e.key.span,
                defined: e.key.span,
            }),
            None => {
                if !had_instance_key && matches!(e.value.value, Node::Map(_) | Node::Null) {
                    self.push(
                        ConfigError::new(ErrorCode::MissingField, "`source` has no `instance`")
                            .label(e.key.span, "this source")
                            .help(
                                "name the instance to clone: `source: { instance: <name or id> }`",
                            ),
                    );
                }
                None
            }
        }
    }

    /// A string value; `${VAR}` expanded. Unquoted numbers keep their spelling
    /// (`version: 5` is `"5"`): the field wants text, and the text is unambiguous.
    fn string(&mut self, e: &Entry<'_>) -> Option<Spanned<String>> {
        let v = e.value;
        match &v.value {
            Node::Str(s) => {
                let expanded = self.expand(s, v)?;
                Some(Spanned {
                    value: expanded,
                    span: v.span,
                    defined: v.defined,
                })
            }
            Node::Int(_) | Node::Float(_) => Some(Spanned {
                value: self.source_text(v.defined).to_owned(),
                span: v.span,
                defined: v.defined,
            }),
            Node::Null => {
                self.no_value(e, "a string");
                None
            }
            other => {
                let help = if let Node::Bool(_) = other {
                    format!(
                        "quote it if you mean the text: `{}: \"{}\"`",
                        e.key.value,
                        self.source_text(v.defined)
                    )
                } else {
                    format!("write a single value: `{}: <text>`", e.key.value)
                };
                self.push(
                    ConfigError::new(
                        ErrorCode::WrongType,
                        format!("`{}` must be a string, found {}", e.key.value, other.kind()),
                    )
                    .label(e.value_span(), "expected a string")
                    .help(help),
                );
                None
            }
        }
    }

    fn no_value(&mut self, e: &Entry<'_>, expected: &str) {
        self.push(
            ConfigError::new(
                ErrorCode::WrongType,
                format!("`{}` has no value", e.key.value),
            )
            .label(e.key.span, format!("expected {expected}"))
            .help(format!(
                "give `{}` a value, or remove the line",
                e.key.value
            )),
        );
    }

    /// `true` or `false`, nothing else. aura.yaml is YAML 1.2: `yes`, `no`, `on` and
    /// `off` are strings, so they are rejected here with the spelling to use, rather
    /// than silently read the YAML 1.1 way.
    fn boolean(&mut self, e: &Entry<'_>) -> Option<Spanned<bool>> {
        let v = e.value;
        match &v.value {
            Node::Bool(b) => Some(Spanned {
                value: *b,
                span: v.span,
                defined: v.defined,
            }),
            Node::Null => {
                self.no_value(e, "true or false");
                None
            }
            other => {
                let text = self.source_text(v.defined);
                let unquoted = text.trim_matches(|c| c == '"' || c == '\'');
                let help = match unquoted.to_ascii_lowercase().as_str() {
                    "yes" | "y" | "on" | "true" | "1" => format!(
                        "write `{}: true`; aura.yaml is YAML 1.2, where only `true` and `false` are booleans",
                        e.key.value
                    ),
                    "no" | "n" | "off" | "false" | "0" => format!(
                        "write `{}: false`; aura.yaml is YAML 1.2, where only `true` and `false` are booleans",
                        e.key.value
                    ),
                    _ => format!("write `{}: true` or `{}: false`", e.key.value, e.key.value),
                };
                self.push(
                    ConfigError::new(
                        ErrorCode::WrongType,
                        format!(
                            "`{}` must be true or false, found {}",
                            e.key.value,
                            other.kind()
                        ),
                    )
                    .label(e.value_span(), "expected true or false")
                    .help(help),
                );
                None
            }
        }
    }

    /// A whole number ≥ 0.
    fn count(&mut self, e: &Entry<'_>) -> Option<Spanned<u32>> {
        let v = e.value;
        match &v.value {
            Node::Int(i) => match u32::try_from(*i) {
                Ok(n) => Some(Spanned {
                    value: n,
                    span: v.span,
                    defined: v.defined,
                }),
                Err(_) => {
                    self.push(
                        ConfigError::new(
                            ErrorCode::InvalidValue,
                            format!("`{}` is out of range", e.key.value),
                        )
                        .label(v.span, "not allowed")
                        .help("allowed: a whole number from 0 to 15"),
                    );
                    None
                }
            },
            Node::Null => {
                self.no_value(e, "a whole number");
                None
            }
            other => {
                self.push(
                    ConfigError::new(
                        ErrorCode::WrongType,
                        format!(
                            "`{}` must be a whole number, found {}",
                            e.key.value,
                            other.kind()
                        ),
                    )
                    .label(e.value_span(), "expected a whole number")
                    .help("allowed: a whole number from 0 to 15, unquoted"),
                );
                None
            }
        }
    }

    fn string_list(&mut self, e: &Entry<'_>) -> Option<Spanned<Vec<Spanned<String>>>> {
        let v = e.value;
        let Node::Seq(items) = &v.value else {
            let found = v.value.kind();
            self.push(
                ConfigError::new(
                    ErrorCode::WrongType,
                    format!("`{}` must be a list, found {found}", e.key.value),
                )
                .label(e.value_span(), "expected a list")
                .help(format!(
                    "write a list, e.g. `{}: [memory, storage]`",
                    e.key.value
                )),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            let entry = Entry {
                key: e.key.clone(),
                value: item,
            };
            if let Some(s) = self.string(&entry) {
                out.push(s);
            }
        }
        Some(Spanned {
            value: out,
            span: e.key.span,
            defined: e.key.span,
        })
    }

    /// Expands `${VAR}` and `${VAR:-default}`; `$${` is a literal `${`. An unset
    /// variable without a default is reported at its exact position.
    fn expand(&mut self, s: &str, node: &Spanned<Node>) -> Option<String> {
        if !s.contains('$') {
            return Some(s.to_owned());
        }
        // Map positions in the value to positions in the file when the scalar is
        // written verbatim (plain, or quoted without escapes); else point at it whole.
        let raw = self.source_text(node.defined);
        let base = if raw == s {
            Some(node.defined.offset)
        } else if raw.len() >= 2
            && (raw.starts_with('"') || raw.starts_with('\''))
            && &raw[1..raw.len() - 1] == s
        {
            Some(node.defined.offset + 1)
        } else {
            None
        };
        let at = |start: usize, len: usize| match base {
            Some(b) => Span::new(b + start, len),
            None => node.defined,
        };
        let mut out = String::with_capacity(s.len());
        let mut ok = true;
        let mut rest = s;
        let mut pos = 0;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i..];
            if let Some(tail) = after.strip_prefix("$${") {
                out.push_str("${");
                rest = tail;
                pos += i + 3;
                continue;
            }
            if !after.starts_with("${") {
                out.push('$');
                rest = &after[1..];
                pos += i + 1;
                continue;
            }
            let Some(close) = after.find('}') else {
                self.push(
                    ConfigError::new(ErrorCode::InvalidVariable, "unterminated `${`")
                        .label(at(pos + i, after.len()), "no closing `}`")
                        .help("write `${NAME}` or `${NAME:-default}`; `$${` is a literal `${`"),
                );
                return None;
            };
            let inner = &after[2..close];
            let (name, default) = match inner.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (inner, None),
            };
            let span = at(pos + i, close + 1);
            let valid = !name.is_empty()
                && name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if valid {
                match ((self.env)(name), default) {
                    (Some(v), Some(d)) if v.is_empty() => out.push_str(d),
                    (Some(v), _) => out.push_str(&v),
                    (None, Some(d)) => out.push_str(d),
                    (None, None) => {
                        self.push(
                            ConfigError::new(
                                ErrorCode::UnsetVariable,
                                format!("environment variable `{name}` is not set"),
                            )
                            .label(span, "used here")
                            .help(format!(
                                "set {name} in the environment, or give a default: `${{{name}:-value}}`"
                            )),
                        );
                        ok = false;
                    }
                }
            } else {
                self.push(
                    ConfigError::new(
                        ErrorCode::InvalidVariable,
                        format!("`${{{inner}}}` is not a valid variable reference"),
                    )
                    .label(span, "invalid variable name")
                    .help("variable names are letters, digits and `_`, not starting with a digit: `${NAME}` or `${NAME:-default}`"),
                );
                ok = false;
            }
            rest = &after[close + 1..];
            pos += i + close + 1;
        }
        out.push_str(rest);
        ok.then_some(out)
    }
}

/// Where a mapping sits, for better "unknown key" help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    Top,
    Defaults,
    Instance,
    /// `instances:` itself: every key is an instance name.
    Instances,
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "A" => Some("alpha".to_owned()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn expand(s: &str) -> (Option<String>, Vec<ErrorCode>) {
        let text = format!("k: {s}\n");
        let node = Spanned::new(Node::Str(s.to_owned()), Span::new(3, s.len()));
        let mut r = Reader::new(&text, &env);
        let out = r.expand(s, &node);
        (out, r.errors.iter().map(|e| e.code).collect())
    }

    #[test]
    fn expansion_rules() {
        assert_eq!(expand("x-${A}-y").0.as_deref(), Some("x-alpha-y"));
        assert_eq!(expand("${B:-def}").0.as_deref(), Some("def"));
        assert_eq!(expand("${EMPTY:-def}").0.as_deref(), Some("def"));
        assert_eq!(expand("${EMPTY}").0.as_deref(), Some(""));
        assert_eq!(expand("$${A}").0.as_deref(), Some("${A}"));
        assert_eq!(expand("cost: $5").0.as_deref(), Some("cost: $5"));
        assert_eq!(expand("${B:-}").0.as_deref(), Some(""));
        assert_eq!(expand("${B}"), (None, vec![ErrorCode::UnsetVariable]));
        assert_eq!(expand("${B}${C}").1, vec![ErrorCode::UnsetVariable; 2]);
        assert_eq!(expand("${1A}").1, vec![ErrorCode::InvalidVariable]);
        assert_eq!(expand("${A").1, vec![ErrorCode::InvalidVariable]);
        assert_eq!(expand("${}").1, vec![ErrorCode::InvalidVariable]);
    }

    #[test]
    fn unset_variable_span_is_exact() {
        let s = "ab${NOPE}cd";
        let text = format!("k: {s}\n");
        let node = Spanned::new(Node::Str(s.to_owned()), Span::new(3, s.len()));
        let mut r = Reader::new(&text, &env);
        assert_eq!(r.expand(s, &node), None);
        let span = r.errors[0].span().unwrap();
        assert_eq!(&text[span.offset..span.end()], "${NOPE}");
    }

    #[test]
    fn suggestions_catch_typos_case_and_dashes_only() {
        assert_eq!(
            did_you_mean("memroy", SETTINGS_KEYS.iter().copied()),
            Some("memory")
        );
        assert_eq!(
            did_you_mean("Memory", SETTINGS_KEYS.iter().copied()),
            Some("memory")
        );
        assert_eq!(
            did_you_mean("cloud-provider", SETTINGS_KEYS.iter().copied()),
            Some("cloud_provider")
        );
        assert_eq!(did_you_mean("off", ["OFF", "DIFF", "FULL"]), Some("OFF"));
        assert_eq!(did_you_mean("banana", SETTINGS_KEYS.iter().copied()), None);
        assert_eq!(did_you_mean("x", TOP_KEYS.iter().copied()), None);
    }
}
