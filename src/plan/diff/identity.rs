//! Identity: which live instance each declared one is. A pinned `id` wins; otherwise
//! the name, among live instances no pin claims, not counting duplicates that are
//! being destroyed. Duplicate pins, missing pinned ids and ambiguous names are
//! errors, and the live instances an ambiguous name could be stay claimed (never
//! "unmanaged", never pruned).

use std::collections::{HashMap, HashSet};

use crate::aura::InstanceStatus;
use crate::config::Desired;
use crate::plan::error::PlanError;
use crate::plan::live::Live;

/// How a declared instance was matched to a live one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Identity {
    /// This live instance id.
    Matched(String),
    /// Not live: create it.
    Absent,
    /// Matching failed; an error says why.
    Broken,
}

/// Matches every declared instance (in or out of `--target` scope: those out of scope
/// still own their live instance, so it is not "unmanaged") to a live one. A pinned
/// `id` wins; otherwise the name, among live instances no pin claims. Only problems of
/// instances in scope are reported.
pub(crate) fn resolve_identities<'a>(
    desired: &'a Desired,
    live: &Live,
    in_scope: &dyn Fn(&str) -> bool,
    all_errors: &mut Vec<PlanError>,
) -> HashMap<&'a str, Identity> {
    let mut pins: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, d) in &desired.instances {
        if let Some(id) = &d.id {
            pins.entry(id.as_str()).or_default().push(name.as_str());
        }
    }
    let mut ids = HashMap::new();
    let mut ignored = Vec::new();
    for (name, d) in &desired.instances {
        // Problems of instances outside `--target` do not block a targeted plan.
        let errors = if in_scope(name) {
            &mut *all_errors
        } else {
            &mut ignored
        };
        let identity = if let Some(id) = &d.id {
            pinned_identity(live, name, id, &pins[id.as_str()], errors)
        } else {
            named_identity(live, name, &|id| pins.contains_key(id), errors)
        };
        ids.insert(name.as_str(), identity);
    }
    ids
}

/// The identity of a declaration that pins `id`, which `pinned_by` (in declaration
/// order) all pin.
fn pinned_identity(
    live: &Live,
    name: &str,
    id: &str,
    pinned_by: &[&str],
    errors: &mut Vec<PlanError>,
) -> Identity {
    if pinned_by.len() > 1 {
        // Reported once, by the first declaration.
        if pinned_by[0] == name {
            errors.push(PlanError::DuplicatePin {
                id: id.to_owned(),
                names: pinned_by
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        return Identity::Broken;
    }
    match live.instance(id) {
        Some(l) if l.status != InstanceStatus::Destroying => Identity::Matched(id.to_owned()),
        _ => {
            errors.push(PlanError::PinnedIdNotFound {
                name: name.to_owned(),
                id: id.to_owned(),
                project: live.project.name.clone(),
            });
            Identity::Broken
        }
    }
}

/// The identity of an unpinned declaration called `name`.
pub(crate) fn named_identity(
    live: &Live,
    name: &str,
    pinned: &dyn Fn(&str) -> bool,
    errors: &mut Vec<PlanError>,
) -> Identity {
    let candidates = name_candidates(live, name, pinned);
    match candidates.as_slice() {
        [] => Identity::Absent,
        [one] => Identity::Matched((*one).to_owned()),
        many => {
            errors.push(PlanError::AmbiguousName {
                name: name.to_owned(),
                count: many.len(),
                ids: many
                    .iter()
                    .map(|i| format!("`{i}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
            Identity::Broken
        }
    }
}

/// The live ids aura.yaml owns: every matched one, and every one an ambiguous name
/// could be. The rest of the project is unmanaged.
pub(crate) fn claimed_ids<'a>(
    desired: &'a Desired,
    live: &'a Live,
    identities: &'a HashMap<&str, Identity>,
) -> HashSet<&'a str> {
    identities
        .values()
        .flat_map(|i| match i {
            Identity::Matched(id) => vec![id.as_str()],
            Identity::Absent | Identity::Broken => vec![],
        })
        .chain(identities_claimed_by_ambiguity(desired, live))
        .collect()
}

/// Live instances that share an ambiguous declared name are not "unmanaged": the user
/// must pin one, and listing them as unmanaged (or pruning them) would be wrong.
fn identities_claimed_by_ambiguity<'a>(
    desired: &'a Desired,
    live: &'a Live,
) -> impl Iterator<Item = &'a str> + 'a {
    let pinned: HashSet<&str> = desired
        .instances
        .values()
        .filter_map(|d| d.id.as_deref())
        .collect();
    desired
        .instances
        .values()
        .filter(|d| d.id.is_none())
        .flat_map(move |d| {
            let named = name_candidates(live, &d.name, &|id| pinned.contains(id));
            if named.len() > 1 { named } else { Vec::new() }
        })
}

/// The live instances an unpinned declaration called `name` may be: those with that
/// name that no pin claims. When there are several and some are being destroyed (a
/// delete and re-create in the console), the ones being destroyed do not count.
fn name_candidates<'a>(live: &'a Live, name: &str, pinned: &dyn Fn(&str) -> bool) -> Vec<&'a str> {
    let all: Vec<&str> = live
        .summaries
        .iter()
        .filter(|s| s.name == name && !pinned(&s.id))
        .map(|s| s.id.as_str())
        .collect();
    if all.len() > 1 {
        let alive: Vec<&str> = all
            .iter()
            .copied()
            .filter(|id| {
                live.instance(id)
                    .is_none_or(|l| l.status != InstanceStatus::Destroying)
            })
            .collect();
        if !alive.is_empty() {
            return alive;
        }
    }
    all
}
