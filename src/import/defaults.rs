//! Choosing the file's `defaults`: the most common `type`, `cloud_provider` and `region`
//! among the instances it declares, and `version` only when the most common one is not
//! the default "5". Each instance then writes only what differs from these.

use crate::api::wire::Instance;
use crate::config::validate::DEFAULT_VERSION;

/// The values `defaults` holds; `None` leaves the key out.
pub(super) struct Defaults {
    pub(super) instance_type: Option<String>,
    pub(super) cloud_provider: Option<String>,
    pub(super) region: Option<String>,
    /// Only when it is not [`DEFAULT_VERSION`].
    pub(super) version: Option<String>,
}

impl Defaults {
    /// The most common values among `declared`.
    pub(super) fn choose(declared: &[&Instance]) -> Self {
        Self {
            instance_type: mode(declared.iter().map(|i| i.instance_type.as_str())),
            cloud_provider: mode(declared.iter().map(|i| i.cloud_provider.as_str())),
            region: mode(declared.iter().map(|i| i.region.as_str())),
            version: mode(
                declared
                    .iter()
                    .filter_map(|i| major_version(i.version.as_ref())),
            )
            .filter(|v| v != DEFAULT_VERSION),
        }
    }

    /// Whether there is nothing to write under `defaults`.
    pub(super) fn is_empty(&self) -> bool {
        self.instance_type.is_none()
            && self.cloud_provider.is_none()
            && self.region.is_none()
            && self.version.is_none()
    }

    /// The version an instance gets when it writes none.
    pub(super) fn effective_version(&self) -> &str {
        self.version.as_deref().unwrap_or(DEFAULT_VERSION)
    }
}

/// The most common value (first seen wins a tie).
fn mode<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(k, _)| *k == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(k, _)| k.to_owned())
}

/// `"5"` for any 5.x the API might report, `"4"` for 4.x; `None` when unknown.
pub(super) fn major_version(v: Option<&String>) -> Option<&'static str> {
    let v = v?.trim();
    if v == "5" || v.starts_with("5.") {
        Some("5")
    } else if v == "4" || v.starts_with("4.") {
        Some("4")
    } else {
        None
    }
}
