//! Combination checks (type × cloud × region × version × memory × storage) against an
//! [`Offering`]: a flat list of `instance_configurations` rows. Offline that list is
//! the built-in catalogue; online (`validate_online`) it is the live project's, which
//! wins. One code path, so offline and online messages read the same.

use std::sync::LazyLock;

use indexmap::IndexSet;

use super::spans::InstanceSpans;
use crate::aura::{InstanceConfiguration, InstanceType, catalogue, sizes, tiers};
use crate::config::desired::{DesiredInstance, Field};
use crate::config::error::{ConfigError, ErrorCode};
use crate::config::raw::did_you_mean;

/// The rows a combination must appear in.
pub(crate) struct Offering<'c> {
    rows: &'c [InstanceConfiguration],
    /// "the built-in catalogue" / "this project".
    by: &'static str,
}

static CATALOGUE: LazyLock<Vec<InstanceConfiguration>> =
    LazyLock::new(|| catalogue::configurations(InstanceType::KNOWN));

impl<'c> Offering<'c> {
    pub(crate) fn builtin() -> Offering<'static> {
        Offering {
            rows: &CATALOGUE,
            by: "the built-in catalogue",
        }
    }

    pub(crate) fn live(rows: &'c [InstanceConfiguration]) -> Self {
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

type Rows<'c> = Vec<&'c InstanceConfiguration>;

/// Checks one instance's type/cloud/region/version/memory/storage against `off`.
/// Reports only the first level that fails: once the region is wrong, "memory not
/// offered there" would be noise.
pub(crate) fn check_offering(
    inst: &DesiredInstance,
    spans: &InstanceSpans,
    off: &Offering<'_>,
) -> Option<ConfigError> {
    let at = NotOffered {
        name: &inst.name,
        spans,
        by: off.by,
        catalog: format!(
            "auraform catalog --type {} --cloud {}",
            inst.instance_type, inst.cloud_provider
        ),
    };
    let narrow = || -> Result<(), ConfigError> {
        let rows = of_type(&at, off, inst)?;
        let rows = on_cloud(&at, &rows, inst)?;
        let rows = in_region(&at, off, &rows, inst)?;
        let rows = of_version(&at, &rows, inst)?;
        let rows = with_memory(&at, &rows, inst)?;
        with_storage(&at, &rows, inst)
    };
    narrow().err()
}

/// How a level that is not offered is reported: at the field's value (or where it was
/// inherited from), saying whose offering it is.
struct NotOffered<'a> {
    name: &'a str,
    spans: &'a InstanceSpans,
    by: &'static str,
    /// The `auraform catalog` command that lists what the project offers for this
    /// type and cloud.
    catalog: String,
}

impl NotOffered<'_> {
    #[allow(
        clippy::needless_pass_by_value,
        reason = "call sites build the strings inline"
    )]
    fn error(&self, field: Field, msg: String, help: String) -> ConfigError {
        // A type or cloud the project does not offer: the whole catalogue helps more
        // than the list for a type and cloud that are themselves the problem.
        let catalog = match field {
            Field::Type | Field::CloudProvider => "auraform catalog",
            _ => self.catalog.as_str(),
        };
        let (span, label) = self.spans.locate(field);
        let label = if label.is_empty() {
            "not offered"
        } else {
            label
        };
        ConfigError::new(
            ErrorCode::NotOffered,
            format!("instance `{}`: {msg}", self.name),
        )
        .label(span, label)
        .help(format!(
            "{help} (per {}). `{catalog}` lists what your project offers",
            self.by
        ))
    }
}

fn of_type<'c>(
    at: &NotOffered<'_>,
    off: &Offering<'c>,
    inst: &DesiredInstance,
) -> Result<Rows<'c>, ConfigError> {
    let t = &inst.instance_type;
    let rows: Rows<'c> = off.rows.iter().filter(|r| &r.instance_type == t).collect();
    if !rows.is_empty() {
        return Ok(rows);
    }
    let types: IndexSet<String> = off
        .rows
        .iter()
        .map(|r| r.instance_type.to_string())
        .collect();
    Err(at.error(
        Field::Type,
        format!("type {t} is not offered"),
        format!("offered types: {}", list(&types)),
    ))
}

fn on_cloud<'c>(
    at: &NotOffered<'_>,
    rows_t: &[&'c InstanceConfiguration],
    inst: &DesiredInstance,
) -> Result<Rows<'c>, ConfigError> {
    let t = &inst.instance_type;
    let c = &inst.cloud_provider;
    let rows: Rows<'c> = rows_t
        .iter()
        .copied()
        .filter(|r| &r.cloud_provider == c)
        .collect();
    if !rows.is_empty() {
        return Ok(rows);
    }
    let clouds: IndexSet<String> = rows_t
        .iter()
        .map(|r| r.cloud_provider.to_string())
        .collect();
    Err(at.error(
        Field::CloudProvider,
        format!("{t} is not offered on {c}"),
        format!("{t} runs on: {}", list(&clouds)),
    ))
}

/// A region the type is not offered in. The built-in catalogue is consulted too, to
/// tell "not offered here" from "no such region" (which gets a "did you mean").
fn in_region<'c>(
    at: &NotOffered<'_>,
    off: &Offering<'_>,
    rows_c: &[&'c InstanceConfiguration],
    inst: &DesiredInstance,
) -> Result<Rows<'c>, ConfigError> {
    let t = &inst.instance_type;
    let c = &inst.cloud_provider;
    let region = &inst.region;
    let rows: Rows<'c> = rows_c
        .iter()
        .copied()
        .filter(|r| &r.region == region)
        .collect();
    if !rows.is_empty() {
        return Ok(rows);
    }
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
    let mut e = at.error(
        Field::Region,
        msg,
        format!("{hint}{t} on {c} is offered in: {}", list(&regions)),
    );
    if let Some((_, label)) = e.labels.first_mut()
        && !known_on_cloud
        && label == "not offered"
    {
        "unknown region".clone_into(label);
    }
    Err(e)
}

fn of_version<'c>(
    at: &NotOffered<'_>,
    rows_r: &[&'c InstanceConfiguration],
    inst: &DesiredInstance,
) -> Result<Rows<'c>, ConfigError> {
    let t = &inst.instance_type;
    let v = &inst.version;
    let rows: Rows<'c> = rows_r.iter().copied().filter(|r| &r.version == v).collect();
    if !rows.is_empty() {
        return Ok(rows);
    }
    let versions: IndexSet<String> = rows_r
        .iter()
        .map(|r| format!("\"{}\"", r.version))
        .collect();
    Err(at.error(
        Field::Version,
        format!("version \"{v}\" of {t} is not offered in {}", inst.region),
        format!("offered versions: {}", list(&versions)),
    ))
}

fn with_memory<'c>(
    at: &NotOffered<'_>,
    rows_v: &[&'c InstanceConfiguration],
    inst: &DesiredInstance,
) -> Result<Rows<'c>, ConfigError> {
    let t = &inst.instance_type;
    let m = &inst.memory;
    let rows: Rows<'c> = rows_v.iter().copied().filter(|r| &r.memory == m).collect();
    if !rows.is_empty() {
        return Ok(rows);
    }
    let mut sizes: Vec<u32> = rows_v
        .iter()
        .filter_map(|r| sizes::parse_gb(&r.memory))
        .collect::<IndexSet<u32>>()
        .into_iter()
        .collect();
    sizes.sort_unstable();
    let sizes: Vec<String> = sizes.into_iter().map(sizes::gb).collect();
    Err(at.error(
        Field::Memory,
        format!("{t} is not offered with {m} memory in {}", inst.region),
        format!("offered memory sizes: {}", list(&sizes)),
    ))
}

/// Storage is checked only where the tier has a storage size at all.
fn with_storage(
    at: &NotOffered<'_>,
    rows_m: &[&InstanceConfiguration],
    inst: &DesiredInstance,
) -> Result<(), ConfigError> {
    let m = &inst.memory;
    if let Some(s) = &inst.storage
        && tiers::has_storage(&inst.instance_type)
        && !rows_m.iter().any(|r| &r.storage == s)
    {
        let sizes: IndexSet<String> = rows_m.iter().map(|r| r.storage.clone()).collect();
        return Err(at.error(
            Field::Storage,
            format!("storage {s} is not offered with {m} memory"),
            format!("with {m} memory, storage can be: {}", list(&sizes)),
        ));
    }
    Ok(())
}
