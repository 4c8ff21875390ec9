//! Clone sources (`source:`): which instance each create copies its data from. A
//! source this plan creates becomes a dependency between chains, so this runs once
//! every chain is built; clones of clones must not wait on each other in a circle.

use std::collections::{HashMap, HashSet};

use crate::aura::sizes::parse_gb;
use crate::config::Desired;
use crate::plan::error::PlanError;
use crate::plan::live::Live;
use crate::plan::model::{Change, Dependency, StepAction, StepRequest};

use super::identity::Identity;

/// Fills the clone source of every create step: a live id, or (for a source this
/// plan creates) a dependency on the step after which the source is running.
pub(crate) fn resolve_sources(
    desired: &Desired,
    live: &Live,
    identities: &HashMap<&str, Identity>,
    changes: &mut [Change],
    errors: &mut Vec<PlanError>,
) {
    let created = ready_steps(changes);
    for change in changes.iter_mut() {
        let Some(d) = desired.instances.get(&change.name) else {
            continue;
        };
        let Some(source) = &d.source else { continue };
        // A clone-replace copies the instance it replaces; `source:` is for the
        // instance's first creation.
        if change.is_clone_replace() {
            continue;
        }
        let Some(step) = change
            .steps
            .iter_mut()
            .find(|s| s.action == StepAction::Create)
        else {
            // Source is create-time only; an existing instance ignores it.
            continue;
        };
        let Some(StepRequest::Create(body)) = &mut step.request else {
            continue;
        };
        body.source_snapshot_id.clone_from(&source.snapshot);
        let src = source.instance.as_str();
        if let Some(e) = too_small(desired, live, identities, &d.name, &d.memory, src) {
            errors.push(e);
        }
        if desired.instances.contains_key(src) {
            if let Some(&ready) = created.get(src) {
                step.source_instance_from = Some(src.to_owned());
                change.depends_on.push(Dependency {
                    instance: src.to_owned(),
                    step: ready,
                    reason: format!("clones `{src}`, which this plan creates"),
                });
            } else if let Some(Identity::Matched(id)) = identities.get(src) {
                body.source_instance_id = Some(id.clone());
            } else {
                errors.push(PlanError::SourceUnavailable {
                    name: change.name.clone(),
                    source_name: src.to_owned(),
                });
            }
        } else {
            // Not declared: a live instance of the project by name, else an id.
            let named: Vec<&str> = live.named(src).map(|s| s.id.as_str()).collect();
            body.source_instance_id = Some(match named.as_slice() {
                [one] => (*one).to_owned(),
                _ => src.to_owned(),
            });
        }
    }
}

/// Aura refuses to clone into an instance smaller than its source (docs/aura-api.md
/// §3.2, "size disparity"), and both sizes are known now: the source's declared memory
/// when aura.yaml declares it, and its live memory when it is live. A source being
/// resized in the same apply may be either size when the clone starts, so the larger
/// one counts.
fn too_small(
    desired: &Desired,
    live: &Live,
    identities: &HashMap<&str, Identity>,
    name: &str,
    memory: &str,
    src: &str,
) -> Option<PlanError> {
    let clone_gb = parse_gb(memory)?;
    let declared = desired.instances.get(src).map(|s| s.memory.as_str());
    let live_id = match identities.get(src) {
        Some(Identity::Matched(id)) => Some(id.as_str()),
        Some(_) => None,
        // Not declared: a live instance of the project by name, else an id.
        None => match live.named(src).collect::<Vec<_>>().as_slice() {
            [one] => Some(one.id.as_str()),
            _ => Some(src),
        },
    };
    let live_memory = live_id
        .and_then(|id| live.instance(id))
        .and_then(|l| l.memory.as_deref());
    let (source_memory, source_gb) = [declared, live_memory]
        .into_iter()
        .flatten()
        .filter_map(|m| parse_gb(m).map(|gb| (m, gb)))
        .max_by_key(|(_, gb)| *gb)?;
    (clone_gb < source_gb).then(|| PlanError::CloneTooSmall {
        name: name.to_owned(),
        memory: memory.to_owned(),
        source_name: src.to_owned(),
        source_memory: source_memory.to_owned(),
    })
}

/// Name of every instance this plan creates → index of the step after which it is
/// created and running (its create, or the PATCH after it; not the pause, nor a
/// clone-replace's delete of the old instance).
fn ready_steps(changes: &[Change]) -> HashMap<String, usize> {
    changes
        .iter()
        .filter_map(|c| {
            let create = c
                .steps
                .iter()
                .position(|s| s.action == StepAction::Create)?;
            let ready = c
                .steps
                .iter()
                .enumerate()
                .skip(create)
                .take_while(|(_, s)| !matches!(s.action, StepAction::Pause | StepAction::Delete))
                .map(|(i, _)| i)
                .last()
                .unwrap_or(create);
            Some((c.name.clone(), ready))
        })
        .collect()
}

/// Clones of clones created in one plan must not wait on each other in a circle.
pub(crate) fn check_clone_cycles(changes: &[Change], errors: &mut Vec<PlanError>) {
    let deps: HashMap<&str, &str> = changes
        .iter()
        .filter_map(|c| {
            c.depends_on
                .first()
                .map(|d| (c.name.as_str(), d.instance.as_str()))
        })
        .collect();
    let mut reported: HashSet<&str> = HashSet::new();
    for start in deps.keys() {
        let mut path = vec![*start];
        let mut at = *start;
        while let Some(&next) = deps.get(at) {
            if next == *start {
                if path.iter().all(|n| !reported.contains(n)) {
                    reported.extend(path.iter().copied());
                    let mut names: Vec<String> = path.iter().map(|n| format!("`{n}`")).collect();
                    names.sort();
                    errors.push(PlanError::CloneCycle {
                        cycle: names.join(", "),
                    });
                }
                break;
            }
            if path.contains(&next) {
                break;
            }
            path.push(next);
            at = next;
        }
    }
}
