//! The "high" form: [`RawConfig`] → [`Desired`], with `defaults` merged and every rule
//! of DESIGN.md §3 checked. All problems are collected; nothing stops at the first.
//!
//! Combination checks (type × cloud × region × version × memory × storage) run against
//! an [`Offering`]: a flat list of `instance_configurations` rows. Offline that list is
//! the built-in catalogue; online (`validate_online`) it is the live project's, which
//! wins. One code path, so offline and online messages read the same.

#![allow(clippy::single_match_else)] // explicit arms read better for "found X" errors

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use indexmap::{IndexMap, IndexSet};

use super::desired::{Desired, DesiredInstance, DesiredState, Field, SourceRef};
use super::error::{ConfigError, ErrorCode};
use super::node::{Span, Spanned};
use super::raw::{RawConfig, RawInstance, RawSettings, did_you_mean};
use crate::aura::{
    CdcEnrichmentMode, CloudProvider, InstanceConfiguration, InstanceType, KnownSpellings,
};
use crate::aura::{catalogue, sizes, tiers};

/// Default of `credentials.dir`, relative to aura.yaml's directory.
pub const DEFAULT_CREDENTIALS_DIR: &str = ".auraform/credentials";
/// Default `version`.
pub const DEFAULT_VERSION: &str = "5";
/// Longest instance name Aura accepts.
pub const MAX_NAME_CHARS: usize = 30;
/// Largest `secondaries_count`.
pub const MAX_SECONDARIES: u32 = tiers::MAX_SECONDARIES;

/// Where the effective value of one instance field was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub span: Span,
    /// The value comes from `defaults:` rather than the instance itself.
    pub from_defaults: bool,
}

/// Spans of one instance, so that later checks (online validation, the differ's
/// messages) can point at the value in the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstanceSpans {
    /// The instance's key under `instances:`.
    pub name: Span,
    /// Fields written in the file (in the instance or in `defaults`). Absent fields
    /// took a default or were implied (free-db's cloud, region and memory).
    pub fields: HashMap<Field, Origin>,
}

impl InstanceSpans {
    /// Where to point for `field`, and a label saying where the value came from.
    pub fn locate(&self, field: Field) -> (Span, &'static str) {
        match self.fields.get(&field) {
            Some(o) if o.from_defaults => (o.span, "inherited from `defaults`"),
            Some(o) => (o.span, ""),
            None => (self.name, "default or implied value"),
        }
    }
}

/// The rows a combination must appear in.
pub(crate) struct Offering<'c> {
    rows: &'c [InstanceConfiguration],
    /// "the built-in catalogue" / "this project".
    by: &'static str,
}

static CATALOGUE: LazyLock<Vec<InstanceConfiguration>> =
    LazyLock::new(|| catalogue::configurations(InstanceType::KNOWN));

impl<'c> Offering<'c> {
    pub fn builtin() -> Offering<'static> {
        Offering {
            rows: &CATALOGUE,
            by: "the built-in catalogue",
        }
    }

    pub fn live(rows: &'c [InstanceConfiguration]) -> Self {
        Offering {
            rows,
            by: "this project's instance_configurations",
        }
    }
}

fn list<'s>(items: impl IntoIterator<Item = &'s String>) -> String {
    items
        .into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks one instance's type/cloud/region/version/memory/storage against `off`.
/// Reports only the first level that fails: once the region is wrong, "memory not
/// offered there" would be noise.
pub(crate) fn check_offering(
    inst: &DesiredInstance,
    spans: &InstanceSpans,
    off: &Offering<'_>,
) -> Option<ConfigError> {
    let name = &inst.name;
    let t = &inst.instance_type;
    let err = |code, field: Field, msg: String, help: String| {
        let (span, label) = spans.locate(field);
        let label = if label.is_empty() {
            "not offered"
        } else {
            label
        };
        Some(
            ConfigError::new(code, format!("instance `{name}`: {msg}"))
                .label(span, label)
                .help(format!("{help} (per {})", off.by)),
        )
    };
    let rows_t: Vec<&InstanceConfiguration> =
        off.rows.iter().filter(|r| &r.instance_type == t).collect();
    if rows_t.is_empty() {
        let types: IndexSet<String> = off
            .rows
            .iter()
            .map(|r| r.instance_type.to_string())
            .collect();
        return err(
            ErrorCode::NotOffered,
            Field::Type,
            format!("type {t} is not offered"),
            format!("offered types: {}", list(&types)),
        );
    }
    let c = &inst.cloud_provider;
    let rows_c: Vec<_> = rows_t.iter().filter(|r| &r.cloud_provider == c).collect();
    if rows_c.is_empty() {
        let clouds: IndexSet<String> = rows_t
            .iter()
            .map(|r| r.cloud_provider.to_string())
            .collect();
        return err(
            ErrorCode::NotOffered,
            Field::CloudProvider,
            format!("{t} is not offered on {c}"),
            format!("{t} runs on: {}", list(&clouds)),
        );
    }
    let region = &inst.region;
    let rows_r: Vec<_> = rows_c.iter().filter(|r| &r.region == region).collect();
    if rows_r.is_empty() {
        let regions: IndexSet<String> = rows_c.iter().map(|r| r.region.clone()).collect();
        let known_on_cloud = off
            .rows
            .iter()
            .chain(CATALOGUE.iter())
            .any(|r| &r.cloud_provider == c && &r.region == region);
        let msg = if known_on_cloud {
            format!("{t} is not offered in {c} region `{region}`")
        } else {
            format!("`{region}` is not a {c} region")
        };
        let all_on_cloud: IndexSet<&str> = off
            .rows
            .iter()
            .chain(CATALOGUE.iter())
            .filter(|r| &r.cloud_provider == c)
            .map(|r| r.region.as_str())
            .collect();
        let hint = match did_you_mean(region, regions.iter().map(String::as_str))
            .or_else(|| did_you_mean(region, all_on_cloud.iter().copied()))
        {
            Some(s) if !known_on_cloud => format!("did you mean `{s}`? "),
            _ => String::new(),
        };
        return err(
            ErrorCode::NotOffered,
            Field::Region,
            msg,
            format!("{hint}{t} on {c} is offered in: {}", list(&regions)),
        )
        .map(|mut e| {
            if let Some((_, label)) = e.labels.first_mut()
                && !known_on_cloud
                && label == "not offered"
            {
                "unknown region".clone_into(label);
            }
            e
        });
    }
    let v = &inst.version;
    let rows_v: Vec<_> = rows_r.iter().filter(|r| &r.version == v).collect();
    if rows_v.is_empty() {
        let versions: IndexSet<String> = rows_r
            .iter()
            .map(|r| format!("\"{}\"", r.version))
            .collect();
        return err(
            ErrorCode::NotOffered,
            Field::Version,
            format!("version \"{v}\" of {t} is not offered in {region}"),
            format!("offered versions: {}", list(&versions)),
        );
    }
    let m = &inst.memory;
    let rows_m: Vec<_> = rows_v.iter().filter(|r| &r.memory == m).collect();
    if rows_m.is_empty() {
        let mut sizes: Vec<u32> = rows_v
            .iter()
            .filter_map(|r| sizes::parse_gb(&r.memory))
            .collect::<IndexSet<u32>>()
            .into_iter()
            .collect();
        sizes.sort_unstable();
        let sizes: Vec<String> = sizes.into_iter().map(sizes::gb).collect();
        return err(
            ErrorCode::NotOffered,
            Field::Memory,
            format!("{t} is not offered with {m} memory in {region}"),
            format!("offered memory sizes: {}", list(&sizes)),
        );
    }
    if let Some(s) = &inst.storage
        && tiers::has_storage(t)
        && !rows_m.iter().any(|r| &r.storage == s)
    {
        let sizes: IndexSet<String> = rows_m.iter().map(|r| r.storage.clone()).collect();
        return err(
            ErrorCode::NotOffered,
            Field::Storage,
            format!("storage {s} is not offered with {m} memory"),
            format!("with {m} memory, storage can be: {}", list(&sizes)),
        );
    }
    None
}

/// The effective value of a setting: the instance's own, else the default's.
fn pick<'r, T>(
    own: Option<&'r Spanned<T>>,
    default: Option<&'r Spanned<T>>,
) -> Option<(&'r Spanned<T>, bool)> {
    match (own, default) {
        (Some(v), _) => Some((v, false)),
        (None, Some(d)) => Some((d, true)),
        (None, None) => None,
    }
}

fn is_instance_id(s: &str) -> bool {
    s.len() == 8
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A size the way the user probably meant it (`8 GB`, `8gb`, `8` → `8GB`).
fn size_suggestion(s: &str) -> Option<String> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let upper = compact.to_ascii_uppercase();
    let digits = upper
        .strip_suffix("GB")
        .or_else(|| upper.strip_suffix("G"))
        .or_else(|| upper.strip_suffix("GIB"))
        .unwrap_or(&upper);
    let n: u32 = digits.parse().ok()?;
    (n > 0).then(|| sizes::gb(n))
}

pub(crate) struct Validator<'a> {
    base_dir: &'a Path,
    /// What combinations are checked against.
    offering: Offering<'a>,
    /// Spans of `defaults` values already reported as invalid: a bad default is one
    /// mistake, not one per instance.
    reported_defaults: HashSet<Span>,
    pub errors: Vec<ConfigError>,
}

impl<'a> Validator<'a> {
    pub fn new(base_dir: &'a Path, offering: Offering<'a>) -> Self {
        Validator {
            base_dir,
            offering,
            reported_defaults: HashSet::new(),
            errors: Vec::new(),
        }
    }

    fn push(&mut self, e: ConfigError) {
        self.errors.push(e);
    }

    /// Validates the whole file. Returns the desired state and the span index; the
    /// caller must treat the result as invalid when `errors` is non-empty.
    pub fn config(&mut self, raw: &RawConfig) -> (Desired, IndexMap<String, InstanceSpans>) {
        let project = match &raw.project {
            Some(p) if p.value.trim().is_empty() => {
                self.push(
                    ConfigError::new(ErrorCode::InvalidValue, "`project` is empty")
                        .label(p.span, "empty after variable expansion")
                        .help("give the project id (a UUID) or its exact name"),
                );
                String::new()
            }
            Some(p) => p.value.clone(),
            None => String::new(),
        };
        let credentials_dir = match raw.credentials.as_ref().and_then(|c| c.dir.as_ref()) {
            Some(d) if d.value.trim().is_empty() => {
                self.push(
                    ConfigError::new(ErrorCode::InvalidValue, "`credentials.dir` is empty")
                        .label(d.span, "empty")
                        .help(format!(
                            "give a directory, or remove the key for the default `{DEFAULT_CREDENTIALS_DIR}`"
                        )),
                );
                self.base_dir.join(DEFAULT_CREDENTIALS_DIR)
            }
            Some(d) => self.base_dir.join(&d.value),
            None => self.base_dir.join(DEFAULT_CREDENTIALS_DIR),
        };
        let prune = raw.prune.as_ref().is_some_and(|p| p.value);
        let empty = RawSettings::default();
        let defaults = raw.defaults.as_ref().unwrap_or(&empty);
        let raw_instances: &[RawInstance] = raw.instances.as_deref().unwrap_or(&[]);
        let names: Vec<&str> = raw_instances
            .iter()
            .map(|i| i.name.value.as_str())
            .collect();

        let mut instances = IndexMap::new();
        let mut spans = IndexMap::new();
        let mut ids: HashMap<String, (Span, String)> = HashMap::new();
        for raw_inst in raw_instances {
            let before = self.errors.len();
            let (inst, sp) = self.instance(raw_inst, defaults, &names);
            if let (Some(inst), true) = (inst, self.errors.len() == before) {
                if let Some(e) = check_offering(&inst, &sp, &self.offering) {
                    self.push(e);
                }
                if let (Some(id), Some(o)) = (&inst.id, raw_inst.id.as_ref()) {
                    if let Some((first, first_name)) = ids.get(id) {
                        self.push(
                            ConfigError::new(
                                ErrorCode::DuplicateId,
                                format!(
                                    "instances `{first_name}` and `{}` pin the same id {id}",
                                    inst.name
                                ),
                            )
                            .label(o.span, "pinned again here")
                            .label(*first, "first pinned here")
                            .help("an Aura instance can be declared once; remove one of the pins"),
                        );
                    } else {
                        ids.insert(id.clone(), (o.span, inst.name.clone()));
                    }
                }
                spans.insert(inst.name.clone(), sp);
                instances.insert(inst.name.clone(), inst);
            }
        }
        let desired = Desired {
            project,
            credentials_dir,
            prune,
            instances,
        };
        (desired, spans)
    }

    /// Reports a required field as missing, unless it is present with a value
    /// already reported as wrong (one mistake, one diagnostic).
    fn missing(&mut self, raw: &RawInstance, defaults: &RawSettings, field: &str, example: &str) {
        let name = &raw.name;
        if raw.settings.rejected.iter().any(|k| k == field)
            || defaults.rejected.iter().any(|k| k == field)
        {
            return;
        }
        self.push(
            ConfigError::new(
                ErrorCode::MissingField,
                format!("instance `{}` has no `{field}`", name.value),
            )
            .label(name.span, format!("`{field}` is required"))
            .help(format!(
                "set `{field}:` on the instance or under `defaults:`, e.g. `{field}: {example}`"
            )),
        );
    }

    #[allow(clippy::needless_pass_by_value)] // call sites build the strings inline
    fn invalid<T>(
        &mut self,
        inst: &str,
        (v, from_defaults): (&Spanned<T>, bool),
        msg: String,
        help: String,
    ) {
        let (message, label) = if from_defaults {
            if !self.reported_defaults.insert(v.span) {
                return;
            }
            (format!("`defaults`: {msg}"), "in `defaults`")
        } else {
            (format!("instance `{inst}`: {msg}"), "not allowed")
        };
        self.push(
            ConfigError::new(ErrorCode::InvalidValue, message)
                .label(v.span, label)
                .help(help),
        );
    }

    /// Parses a value that must be one of `E`'s known spellings. Anything else is
    /// reported as ``unknown {what} `…` `` with a "did you mean" hint and the list of
    /// allowed values after `allowed`, and gives `None`.
    fn known<E: KnownSpellings>(
        &mut self,
        inst: &str,
        (v, d): (&Spanned<String>, bool),
        what: &str,
        allowed: &str,
    ) -> Option<E> {
        if let Some(known) = E::parse_known(&v.value) {
            return Some(known);
        }
        let known: Vec<&str> = E::KNOWN.iter().map(E::spelling).collect();
        let hint = did_you_mean(&v.value, known.iter().copied())
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        self.invalid(
            inst,
            (v, d),
            format!("unknown {what} `{}`", v.value),
            format!("{hint}{allowed}: {}", known.join(", ")),
        );
        None
    }

    #[allow(clippy::needless_pass_by_value)] // call sites build the strings inline
    fn tier(&mut self, inst: &str, origin: Origin, msg: String, help: String) {
        let label = if origin.from_defaults {
            "inherited from `defaults`"
        } else {
            "not available on this tier"
        };
        self.push(
            ConfigError::new(ErrorCode::TierRule, format!("instance `{inst}`: {msg}"))
                .label(origin.span, label)
                .help(help),
        );
    }

    fn instance(
        &mut self,
        raw: &RawInstance,
        defaults: &RawSettings,
        names: &[&str],
    ) -> (Option<DesiredInstance>, InstanceSpans) {
        let own = &raw.settings;
        let name = raw.name.value.as_str();
        let mut sp = InstanceSpans {
            name: raw.name.span,
            fields: HashMap::new(),
        };
        let mut ok = true;
        macro_rules! merged {
            ($f:ident, $field:expr) => {{
                let m = pick(own.$f.as_ref(), defaults.$f.as_ref());
                if let Some((v, d)) = m {
                    sp.fields.insert(
                        $field,
                        Origin {
                            span: v.span,
                            from_defaults: d,
                        },
                    );
                }
                m
            }};
        }

        // Name.
        let chars = name.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS || name.trim() != name {
            let why = if chars == 0 {
                "is empty".to_owned()
            } else if chars > MAX_NAME_CHARS {
                format!("is {chars} characters long")
            } else {
                "has leading or trailing spaces".to_owned()
            };
            self.push(
                ConfigError::new(
                    ErrorCode::InvalidName,
                    format!("instance name `{name}` {why}"),
                )
                .label(raw.name.span, "invalid instance name")
                .help(format!(
                    "Aura instance names are 1–{MAX_NAME_CHARS} characters with no surrounding spaces"
                )),
            );
            ok = false;
        }

        // Type.
        let instance_type = match merged!(instance_type, Field::Type) {
            None => {
                self.missing(raw, defaults, "type", "professional-db");
                ok = false;
                None
            }
            Some(m) => {
                let t = self.known::<InstanceType>(name, m, "type", "allowed types");
                ok &= t.is_some();
                t
            }
        };
        let free = instance_type.as_ref().is_some_and(tiers::is_free);

        // Cloud.
        let cloud = match merged!(cloud_provider, Field::CloudProvider) {
            None if free => Some(catalogue::FREE_CLOUD),
            None => {
                self.missing(raw, defaults, "cloud_provider", "gcp");
                ok = false;
                None
            }
            Some(m) => {
                let c = self.known::<CloudProvider>(name, m, "cloud provider", "allowed");
                ok &= c.is_some();
                c
            }
        };

        // Region.
        let region = match merged!(region, Field::Region) {
            None if free => Some(catalogue::FREE_REGION.to_owned()),
            None => {
                self.missing(raw, defaults, "region", "europe-west1");
                ok = false;
                None
            }
            Some((v, _)) => Some(v.value.clone()),
        };

        // Version.
        let version = match merged!(version, Field::Version) {
            None => Some(DEFAULT_VERSION.to_owned()),
            Some((v, d)) => {
                if catalogue::VERSIONS.contains(&v.value.as_str()) {
                    Some(v.value.clone())
                } else {
                    self.invalid(
                        name,
                        (v, d),
                        format!("unknown version `{}`", v.value),
                        "allowed versions: \"5\" (calendar versions) and \"4\"".to_owned(),
                    );
                    ok = false;
                    None
                }
            }
        };

        // Sizes.
        let size = |this: &mut Self, (v, d): (&Spanned<String>, bool)| {
            if sizes::parse_gb(&v.value).is_some() {
                return Some(v.value.clone());
            }
            let hint = size_suggestion(&v.value)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            this.invalid(
                name,
                (v, d),
                format!("`{}` is not a size", v.value),
                format!("{hint}write sizes as a whole number of gigabytes followed by GB, with no space, e.g. `8GB`"),
            );
            None
        };
        let memory = match merged!(memory, Field::Memory) {
            None if free => Some(catalogue::FREE_MEMORY.to_owned()),
            None => {
                self.missing(raw, defaults, "memory", "8GB");
                ok = false;
                None
            }
            Some(m) => {
                let r = size(self, m);
                ok &= r.is_some();
                r
            }
        };
        let storage_m = merged!(storage, Field::Storage);
        let storage = match storage_m {
            None => None,
            Some(s) => {
                let r = size(self, s);
                ok &= r.is_some();
                r
            }
        };

        // State.
        let state_m = merged!(state, Field::State);
        let state = match state_m {
            None => DesiredState::Running,
            Some(m) => {
                let s = self.known::<DesiredState>(name, m, "state", "allowed");
                ok &= s.is_some();
                s.unwrap_or(DesiredState::Running)
            }
        };

        let vector_m = merged!(vector_optimized, Field::VectorOptimized);
        let gds_m = merged!(graph_analytics_plugin, Field::GraphAnalyticsPlugin);
        let vector_optimized = vector_m.is_some_and(|(v, _)| v.value);
        let graph_analytics_plugin = gds_m.is_some_and(|(v, _)| v.value);

        let secondaries_m = merged!(secondaries_count, Field::SecondariesCount);
        if let Some((v, d)) = secondaries_m
            && v.value > MAX_SECONDARIES
        {
            self.invalid(
                name,
                (v, d),
                format!("secondaries_count {} is out of range", v.value),
                format!("allowed: 0 to {MAX_SECONDARIES}"),
            );
            ok = false;
        }
        let secondaries_count = secondaries_m.map(|(v, _)| v.value);

        let cdc_m = merged!(cdc_enrichment_mode, Field::CdcEnrichmentMode);
        let cdc_enrichment_mode = match cdc_m {
            None => None,
            Some(m) => {
                let mode = self.known::<CdcEnrichmentMode>(
                    name,
                    m,
                    "CDC enrichment mode",
                    "allowed (uppercase)",
                );
                ok &= mode.is_some();
                mode
            }
        };

        let cmk_m = merged!(customer_managed_key_id, Field::CustomerManagedKeyId);
        let customer_managed_key_id = match cmk_m {
            Some((v, d)) if v.value.trim().is_empty() => {
                self.invalid(
                    name,
                    (v, d),
                    "customer_managed_key_id is empty".to_owned(),
                    "give the key id, or remove the line".to_owned(),
                );
                ok = false;
                None
            }
            other => other.map(|(v, _)| v.value.clone()),
        };

        // Id pin.
        let id = match &raw.id {
            Some(v) if !is_instance_id(&v.value) => {
                let hint = if is_instance_id(&v.value.to_ascii_lowercase()) {
                    format!("did you mean `{}`? ", v.value.to_ascii_lowercase())
                } else {
                    String::new()
                };
                self.invalid(
                    name,
                    (v, false),
                    format!("`{}` is not an instance id", v.value),
                    format!(
                        "{hint}instance ids are 8 lowercase hexadecimal characters, e.g. `2f49c2b3`"
                    ),
                );
                ok = false;
                None
            }
            other => other.as_ref().map(|v| v.value.clone()),
        };

        // Lifecycle flags.
        let pd = pick(
            own.prevent_destroy.as_ref(),
            defaults.prevent_destroy.as_ref(),
        );
        let ar = pick(own.allow_replace.as_ref(), defaults.allow_replace.as_ref());
        let prevent_destroy = pd.is_some_and(|(v, _)| v.value);
        let allow_replace = ar.is_some_and(|(v, _)| v.value);
        if let (Some((p, _)), Some((a, a_def))) = (pd, ar)
            && p.value
            && a.value
        {
            self.push(
                ConfigError::new(
                    ErrorCode::Conflict,
                    format!("instance `{name}` sets both `prevent_destroy` and `allow_replace`"),
                )
                .label(
                    a.span,
                    if a_def {
                        "allow_replace inherited from `defaults`"
                    } else {
                        "allows destroy + create"
                    },
                )
                .label(p.span, "but this forbids destroying it")
                .help("remove one of them: prevent_destroy forbids exactly what allow_replace permits"),
            );
            ok = false;
        }

        // ignore_changes.
        let mut ignore_changes = Vec::new();
        if let Some((list, _)) = pick(
            own.ignore_changes.as_ref(),
            defaults.ignore_changes.as_ref(),
        ) {
            let mut seen = HashSet::new();
            for item in &list.value {
                match Field::parse(&item.value) {
                    Some(f) => {
                        if seen.insert(f) {
                            ignore_changes.push(f);
                        } else {
                            self.push(
                                ConfigError::new(
                                    ErrorCode::InvalidValue,
                                    format!(
                                        "instance `{name}`: `{}` is listed twice in ignore_changes",
                                        item.value
                                    ),
                                )
                                .label(item.span, "listed again")
                                .help("list each field once"),
                            );
                            ok = false;
                        }
                    }
                    None => {
                        let known: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
                        let hint = did_you_mean(&item.value, known.iter().copied())
                            .map(|s| format!("did you mean `{s}`? "))
                            .unwrap_or_default();
                        self.push(
                            ConfigError::new(
                                ErrorCode::InvalidValue,
                                format!(
                                    "instance `{name}`: ignore_changes names an unknown field `{}`",
                                    item.value
                                ),
                            )
                            .label(item.span, "unknown field")
                            .help(format!("{hint}fields: {}", known.join(", "))),
                        );
                        ok = false;
                    }
                }
            }
        }

        // source.
        let source = match &raw.source {
            None => None,
            Some(s) => {
                let src = &s.value;
                let target = src.instance.value.as_str();
                if let Some(pin) = &raw.id {
                    self.push(
                        ConfigError::new(
                            ErrorCode::Conflict,
                            format!("instance `{name}` has a `source` but is pinned with `id`"),
                        )
                        .label(s.span, "create-time only")
                        .label(pin.span, "this instance already exists")
                        .help("`source` only applies when auraform creates the instance; remove it (or the `id` pin)"),
                    );
                    ok = false;
                } else if target == name {
                    self.push(
                        ConfigError::new(
                            ErrorCode::UnknownSource,
                            format!("instance `{name}` cannot be cloned from itself"),
                        )
                        .label(src.instance.span, "this is the instance being created")
                        .help("name another instance declared in this file, or an instance id"),
                    );
                    ok = false;
                } else if !names.contains(&target) && !is_instance_id(target) {
                    let hint = did_you_mean(target, names.iter().copied())
                        .map(|s| format!("did you mean `{s}`? "))
                        .unwrap_or_default();
                    self.push(
                        ConfigError::new(
                            ErrorCode::UnknownSource,
                            format!("instance `{name}`: source `{target}` is not declared in this file"),
                        )
                        .label(src.instance.span, "no such instance")
                        .help(format!(
                            "{hint}name an instance declared under `instances:`, or give an instance id (8 lowercase hex)"
                        )),
                    );
                    ok = false;
                }
                if let Some(snap) = &src.snapshot
                    && snap.value.trim().is_empty()
                {
                    self.push(
                        ConfigError::new(
                            ErrorCode::InvalidValue,
                            format!("instance `{name}`: `source.snapshot` is empty"),
                        )
                        .label(snap.span, "empty")
                        .help("give a snapshot id, or remove the line to clone the latest data"),
                    );
                    ok = false;
                }
                Some(SourceRef {
                    instance: src.instance.value.clone(),
                    snapshot: src.snapshot.as_ref().map(|s| s.value.clone()),
                })
            }
        };

        // Tier rules.
        if let Some(t) = &instance_type {
            let origin = |f: Field| sp.fields.get(&f).copied();
            if free {
                let help_free = "free-db runs on gcp in europe-west1 with 1GB memory";
                if let (Some(o), Some(c)) = (origin(Field::CloudProvider), &cloud)
                    && *c != catalogue::FREE_CLOUD
                {
                    self.tier(
                        name,
                        o,
                        format!("free-db cannot run on {c}"),
                        format!("{help_free}; remove `cloud_provider` or set it to gcp"),
                    );
                    ok = false;
                }
                if let (Some(o), Some(r)) = (origin(Field::Region), &region)
                    && r != catalogue::FREE_REGION
                {
                    self.tier(
                        name,
                        o,
                        format!("free-db cannot run in `{r}`"),
                        format!("{help_free}; remove `region` or set it to europe-west1"),
                    );
                    ok = false;
                }
                if let (Some(o), Some(m)) = (origin(Field::Memory), &memory)
                    && m != catalogue::FREE_MEMORY
                {
                    self.tier(
                        name,
                        o,
                        format!("free-db cannot have {m} memory"),
                        format!("{help_free}; free instances cannot be resized"),
                    );
                    ok = false;
                }
                for (field, set) in [
                    (Field::Storage, storage.is_some()),
                    (Field::SecondariesCount, secondaries_count.is_some()),
                    (Field::CdcEnrichmentMode, cdc_enrichment_mode.is_some()),
                    (Field::VectorOptimized, vector_optimized),
                    (Field::GraphAnalyticsPlugin, graph_analytics_plugin),
                ] {
                    if set && let Some(o) = origin(field) {
                        self.tier(
                            name,
                            o,
                            format!("free-db does not support `{field}`"),
                            format!("remove `{field}` from this instance, or choose another type"),
                        );
                        ok = false;
                    }
                }
                if state == DesiredState::Paused
                    && let Some(o) = origin(Field::State)
                {
                    self.tier(
                        name,
                        o,
                        "free-db instances cannot be paused".to_owned(),
                        "use `state: running` (Aura pauses idle free instances by itself)"
                            .to_owned(),
                    );
                    ok = false;
                }
            } else {
                if cdc_enrichment_mode.is_some()
                    && !tiers::has_cdc(t)
                    && let Some(o) = origin(Field::CdcEnrichmentMode)
                {
                    self.tier(
                        name,
                        o,
                        format!("{t} does not support `cdc_enrichment_mode`"),
                        "change data capture is available on business-critical and enterprise-db"
                            .to_owned(),
                    );
                    ok = false;
                }
                if secondaries_count.is_some()
                    && !tiers::has_secondaries(t)
                    && let Some(o) = origin(Field::SecondariesCount)
                {
                    self.tier(
                        name,
                        o,
                        format!("{t} does not support `secondaries_count`"),
                        "secondaries are available on enterprise-db (Virtual Dedicated Cloud) only"
                            .to_owned(),
                    );
                    ok = false;
                }
                if graph_analytics_plugin
                    && !tiers::has_graph_analytics_plugin(t)
                    && let Some(o) = origin(Field::GraphAnalyticsPlugin)
                {
                    self.tier(
                        name,
                        o,
                        format!("{t} does not support `graph_analytics_plugin`"),
                        "the Graph Analytics plugin is available on professional-db only"
                            .to_owned(),
                    );
                    ok = false;
                }
                if vector_optimized
                    && let Some(gb) = memory.as_deref().and_then(sizes::parse_gb)
                    && !tiers::allows_vector_optimized(gb)
                    && let Some(o) = origin(Field::VectorOptimized)
                {
                    let mut e = ConfigError::new(
                        ErrorCode::TierRule,
                        format!("instance `{name}`: vector_optimized needs at least 4GB memory"),
                    )
                    .label(
                        o.span,
                        if o.from_defaults {
                            "inherited from `defaults`"
                        } else {
                            "needs 4GB or more"
                        },
                    );
                    if let Some(m) = origin(Field::Memory) {
                        e = e.label(m.span, format!("memory is {gb}GB"));
                    }
                    self.push(
                        e.help("raise `memory` to 4GB or more, or remove `vector_optimized`"),
                    );
                    ok = false;
                }
            }
        }

        let inst = match (ok, instance_type, cloud, region, version, memory) {
            (
                true,
                Some(instance_type),
                Some(cloud_provider),
                Some(region),
                Some(version),
                Some(memory),
            ) => Some(DesiredInstance {
                name: name.to_owned(),
                instance_type,
                cloud_provider,
                region,
                version,
                memory,
                storage,
                state,
                vector_optimized,
                graph_analytics_plugin,
                secondaries_count,
                cdc_enrichment_mode,
                customer_managed_key_id,
                source,
                id,
                prevent_destroy,
                allow_replace,
                ignore_changes,
            }),
            _ => None,
        };
        (inst, sp)
    }
}
