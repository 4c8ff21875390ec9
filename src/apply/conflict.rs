//! Overlapping applies, without a lock server (docs/apply.md §16).
//!
//! auraform keeps no state and Aura has no lock, so two applies of the same aura.yaml
//! started at the same time (two CI runners) both plan "create `x`". Optimistic
//! concurrency with a deterministic winner keeps exactly one:
//!
//! 1. Right before each create, the project is listed: an instance of that name that
//!    was not live when the plan was made means another apply got there first. This
//!    run creates nothing and reports the conflict.
//! 2. After a create has settled, the project is listed again. When other new
//!    instances of that name appeared meanwhile, every run involved picks the same
//!    survivor — the oldest by `created_at`, then the smallest id — and the run that
//!    made any other copy deletes it and removes its credentials file.
//!
//! Why every run agrees: the survivor check of the run that must give way comes after
//! its own instance is running (minutes, in Aura) and at least one second after its
//! create was answered, so any instance that sorts before it — created in an earlier
//! second, or in the same second (`created_at` has whole seconds) — already exists
//! and is listed. An instance without `created_at` sorts after every one with it.
//!
//! Any chain that creates an instance (create, replace, clone) goes through here.

use std::cmp::Ordering;
use std::collections::HashSet;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::api::wire::InstanceSummary;
use crate::api::{ApiError, AuraClient};

/// What the run knew when it made its plan: instances live then are no rivals.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Known<'a> {
    /// Every instance id of the project when the plan was made, and every id the plan
    /// names.
    pub(crate) ids: &'a HashSet<String>,
    /// The instance this change replaces, if any.
    pub(crate) replaced: Option<&'a str>,
}

impl Known<'_> {
    fn knows(&self, id: &str) -> bool {
        self.ids.contains(id) || self.replaced == Some(id)
    }

    /// Of the instances `named` (all of one name), those the plan did not know of
    /// and that are not `mine`: other applies' copies, appeared during this run.
    pub(crate) fn rivals<'s>(
        &self,
        named: &'s [InstanceSummary],
        mine: Option<&str>,
    ) -> Vec<&'s InstanceSummary> {
        named
            .iter()
            .filter(|s| !self.knows(&s.id) && Some(s.id.as_str()) != mine)
            .collect()
    }
}

/// Every instance named `name` in the project, as listed now.
pub(crate) async fn named(
    client: &AuraClient,
    project_id: &str,
    name: &str,
) -> Result<Vec<InstanceSummary>, ApiError> {
    let list = client.list_instances(project_id).await?;
    Ok(list.into_iter().filter(|s| s.name == name).collect())
}

/// The instance every run keeps: the oldest by `created_at`, then the smallest id.
pub(crate) fn survivor<'a>(
    candidates: impl IntoIterator<Item = &'a InstanceSummary>,
) -> Option<&'a InstanceSummary> {
    candidates.into_iter().min_by(|a, b| order(a, b))
}

fn order(a: &InstanceSummary, b: &InstanceSummary) -> Ordering {
    let at = |s: &InstanceSummary| {
        s.created_at
            .as_deref()
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
    };
    match (at(a), at(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| a.id.cmp(&b.id))
}

/// The report's reason for a chain that gave way.
pub(crate) fn reason(name: &str, kept: &str) -> String {
    format!("another apply created `{name}` at the same time; kept {kept}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aura::CloudProvider;

    fn s(id: &str, at: Option<&str>) -> InstanceSummary {
        InstanceSummary {
            id: id.into(),
            name: "x".into(),
            tenant_id: "p".into(),
            cloud_provider: CloudProvider::Gcp,
            created_at: at.map(str::to_owned),
        }
    }

    #[test]
    fn the_oldest_survives_then_the_smallest_id_whatever_the_order_seen() {
        let oldest = s("bbbb0000", Some("2026-01-20T13:44:41Z"));
        let later = s("aaaa0000", Some("2026-01-20T13:44:42Z"));
        let same_second = s("0000cccc", Some("2026-01-20T13:44:42Z"));
        let untimed = s("00000000", None);
        for order in [
            vec![&oldest, &later, &same_second, &untimed],
            vec![&untimed, &same_second, &later, &oldest],
            vec![&same_second, &oldest, &untimed, &later],
        ] {
            assert_eq!(survivor(order).unwrap().id, "bbbb0000");
        }
        // Same second: the smaller id; an instance without a time comes last.
        assert_eq!(survivor([&later, &same_second]).unwrap().id, "0000cccc");
        assert_eq!(survivor([&untimed, &later]).unwrap().id, "aaaa0000");
        // Sub-second times order too (the real API has whole seconds).
        let first = s("ffff0000", Some("2026-01-20T13:44:42.100Z"));
        let second = s("0000ffff", Some("2026-01-20T13:44:42.200Z"));
        assert_eq!(survivor([&second, &first]).unwrap().id, "ffff0000");
        assert!(survivor(std::iter::empty()).is_none());
    }
}
