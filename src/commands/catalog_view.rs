//! What `auraform catalog` shows: a project's `instance_configurations` (the rows the
//! API validates every create and resize against) with the facts of each tier that
//! people choose by, as a JSON document (`schema/catalog.schema.json`) and as text
//! grouped tier → cloud → regions with the same sizes (`catalog_text`;
//! docs/commands.md §9.5a).
//!
//! The rows are the API's, unchanged and in its order; the facts are `aura::tiers`'s,
//! so the catalogue, validation and the emulator say the same thing.

use miette::Diagnostic;
use schemars::JsonSchema;
use serde::Serialize;
use thiserror::Error;

use crate::api::wire::Tenant;
use crate::aura::catalogue::{FREE_CLOUD, FREE_MEMORY, FREE_REGION};
use crate::aura::tiers::{self, GraphDataScience};
use crate::aura::{InstanceConfiguration, InstanceType};
use crate::cli::CatalogArgs;

/// The version of the catalog JSON document. Bumped only for incompatible changes.
pub(super) const CATALOG_FORMAT_VERSION: &str = "1";

/// `catalog --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct CatalogDocument {
    /// Always `"1"` for this format.
    pub format_version: String,
    /// The project the rows belong to.
    pub project: ProjectName,
    /// The `--type` and `--cloud` filters; `null` when not given.
    pub filter: Filter,
    /// The project's `instance_configurations` exactly as the API returned them (in
    /// its order), less the rows the filters leave out.
    #[schemars(with = "Vec<ConfigurationRow>")]
    pub configurations: Vec<InstanceConfiguration>,
    /// What each tier among `configurations` can do, in the order tiers first appear.
    pub tiers: Vec<TierFacts>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct ProjectName {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Default, Serialize, JsonSchema)]
pub(super) struct Filter {
    /// `--type`.
    #[serde(rename = "type")]
    pub instance_type: Option<String>,
    /// `--cloud`.
    pub cloud_provider: Option<String>,
}

/// One row of `instance_configurations` (the API's own field names).
#[derive(JsonSchema)]
#[allow(
    dead_code,
    reason = "a schema-only mirror of aura::InstanceConfiguration"
)]
struct ConfigurationRow {
    region: String,
    region_name: String,
    #[serde(rename = "type")]
    instance_type: String,
    memory: String,
    storage: String,
    version: String,
    cloud_provider: String,
}

/// The facts of one tier.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct TierFacts {
    /// The `type` value.
    #[serde(rename = "type")]
    pub instance_type: String,
    /// The product name (`AuraDB Professional`); `null` for a tier auraform does not know.
    pub product: Option<String>,
    /// Pause and resume on request (`state: paused`).
    pub pause: bool,
    /// Change `memory` / `storage` in place.
    pub resize: bool,
    /// `"included"` (AuraDS), `"plugin"` (`graph_analytics_plugin`) or `"none"`.
    pub graph_data_science: String,
    /// The most `secondaries_count` (read replicas) allowed; 0 when the tier has none.
    pub max_secondaries: u32,
    /// `cdc_enrichment_mode` can be set.
    pub cdc: bool,
    /// `vector_optimized` can be set (from `vector_min_memory` up).
    pub vector_optimized: bool,
    pub vector_min_memory: String,
    /// The tier an instance can be upgraded to in place.
    pub upgrade_to: Option<String>,
    /// The Aura API's request limit on projects of this tier, per minute.
    pub api_requests_per_minute: Option<u32>,
    /// Only for `free-db`: what Aura enforces on free instances.
    pub free_limits: Option<FreeLimits>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct FreeLimits {
    pub max_nodes: u64,
    pub max_relationships: u64,
    /// Aura pauses the instance after this long without writes.
    pub paused_after_idle_hours: u32,
    /// … and deletes it after this long paused.
    pub deleted_after_paused_days: u32,
    pub cloud_provider: String,
    pub region: String,
    pub memory: String,
}

fn facts(t: &InstanceType) -> TierFacts {
    TierFacts {
        instance_type: t.as_str().to_owned(),
        product: tiers::product_name(t).map(str::to_owned),
        pause: tiers::can_pause(t),
        resize: tiers::can_resize(t),
        graph_data_science: match tiers::graph_data_science(t) {
            GraphDataScience::Included => "included",
            GraphDataScience::Plugin => "plugin",
            GraphDataScience::None => "none",
        }
        .to_owned(),
        max_secondaries: if tiers::has_secondaries(t) {
            tiers::MAX_SECONDARIES
        } else {
            0
        },
        cdc: tiers::has_cdc(t),
        vector_optimized: tiers::has_vector_optimization(t),
        vector_min_memory: crate::aura::sizes::gb(tiers::VECTOR_MIN_MEMORY_GB),
        upgrade_to: tiers::upgrades_to(t).map(|u| u.as_str().to_owned()),
        api_requests_per_minute: tiers::api_requests_per_minute(t),
        free_limits: tiers::is_free(t).then(|| FreeLimits {
            max_nodes: tiers::FREE_MAX_NODES,
            max_relationships: tiers::FREE_MAX_RELATIONSHIPS,
            paused_after_idle_hours: tiers::FREE_PAUSED_AFTER_IDLE_HOURS,
            deleted_after_paused_days: tiers::FREE_DELETED_AFTER_PAUSED_DAYS,
            cloud_provider: FREE_CLOUD.as_str().to_owned(),
            region: FREE_REGION.to_owned(),
            memory: FREE_MEMORY.to_owned(),
        }),
    }
}

impl CatalogDocument {
    /// The document for `tenant`, keeping the rows the filters match. Types and clouds
    /// are compared exactly, as the API spells them.
    pub(super) fn new(tenant: &Tenant, filter: Filter) -> Self {
        let configurations: Vec<InstanceConfiguration> = tenant
            .instance_configurations
            .iter()
            .filter(|c| {
                filter
                    .instance_type
                    .as_deref()
                    .is_none_or(|t| c.instance_type.as_str() == t)
                    && filter
                        .cloud_provider
                        .as_deref()
                        .is_none_or(|p| c.cloud_provider.as_str() == p)
            })
            .cloned()
            .collect();
        let mut seen: Vec<&InstanceType> = Vec::new();
        for c in &configurations {
            if !seen.contains(&&c.instance_type) {
                seen.push(&c.instance_type);
            }
        }
        let tiers = seen.into_iter().map(facts).collect();
        CatalogDocument {
            format_version: CATALOG_FORMAT_VERSION.to_owned(),
            project: ProjectName {
                id: tenant.id.clone(),
                name: tenant.name.clone(),
            },
            filter,
            configurations,
            tiers,
        }
    }

    /// Exactly one pretty-printed JSON document and a final newline.
    pub(super) fn json(&self) -> String {
        // Plain data with string keys serializes infallibly.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_owned());
        s.push('\n');
        s
    }
}

/// Why `catalog` shows nothing.
#[derive(Debug, Error, Diagnostic)]
pub(crate) enum CatalogError {
    #[error("project `{project}` offers no {what}")]
    #[diagnostic(code(auraform::catalog::no_match), help("{offered}"))]
    NoMatch {
        project: String,
        what: String,
        offered: String,
    },
}

/// What the filters asked for, and what the project does offer instead.
pub(super) fn no_match(tenant: &crate::api::wire::Tenant, args: &CatalogArgs) -> CatalogError {
    let rows = &tenant.instance_configurations;
    let project = tenant.name.clone();
    if rows.is_empty() {
        return CatalogError::NoMatch {
            project,
            what: "instance configurations at all (its instance_configurations list is empty)"
                .to_owned(),
            offered: "the project cannot create instances; check its plan and billing in the Aura Console".to_owned(),
        };
    }
    let list = |f: &dyn Fn(&crate::aura::InstanceConfiguration) -> bool,
                key: &dyn Fn(&crate::aura::InstanceConfiguration) -> String| {
        let mut out: Vec<String> = Vec::new();
        for c in rows.iter().filter(|c| f(c)) {
            let k = key(c);
            if !out.contains(&k) {
                out.push(k);
            }
        }
        out.join(", ")
    };
    let ty = args.instance_type.as_deref();
    let cloud = args.cloud.as_deref();
    let type_ok =
        |c: &crate::aura::InstanceConfiguration| ty.is_none_or(|t| c.instance_type.as_str() == t);
    let types = list(&|_| true, &|c| c.instance_type.as_str().to_owned());
    let (what, offered) = match (ty, cloud) {
        (Some(t), Some(p)) if rows.iter().any(|c| c.instance_type.as_str() == t) => (
            format!("{t} on {p}"),
            format!(
                "{t} runs on: {}",
                list(&type_ok, &|c| c.cloud_provider.as_str().to_owned())
            ),
        ),
        (Some(t), _) => (t.to_owned(), format!("the types it offers: {types}")),
        (None, Some(p)) => (
            format!("instances on {p}"),
            format!(
                "the clouds it offers: {}",
                list(&|_| true, &|c| c.cloud_provider.as_str().to_owned())
            ),
        ),
        (None, None) => (String::new(), types),
    };
    CatalogError::NoMatch {
        project,
        what,
        offered,
    }
}

/// The schema of [`CatalogDocument`], as `schema/catalog.schema.json` spells it.
pub(super) fn schema_json() -> String {
    let mut settings = schemars::generate::SchemaSettings::draft07();
    settings.contract = schemars::generate::Contract::Serialize;
    let mut schema = settings
        .into_generator()
        .into_root_schema_for::<CatalogDocument>();
    schema.insert(
        "title".to_owned(),
        "auraform catalog (format version 1)".into(),
    );
    let mut s = serde_json::to_string_pretty(&schema.to_value()).unwrap_or_default();
    s.push('\n');
    s
}
