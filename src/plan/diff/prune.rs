//! Live instances aura.yaml does not own: left alone and listed as unmanaged, or, with
//! `prune`, deleted (waiting first if busy) unless deleting them would be unsafe.

use std::collections::HashSet;

use crate::aura::InstanceStatus;
use crate::config::Desired;
use crate::plan::live::Live;
use crate::plan::model::{Action, Change, ChangeKind, ExpectedStatus, Unmanaged};

use super::chains::{Settled, delete_step, settle, wait_step};

/// The live instances in scope that no declaration `claimed`, in API order: those
/// kept (unmanaged) and the deletions that prune them.
pub(crate) fn unclaimed(
    desired: &Desired,
    live: &Live,
    claimed: &HashSet<&str>,
    in_scope: &dyn Fn(&str) -> bool,
    prune: bool,
) -> (Vec<Unmanaged>, Vec<Change>) {
    let mut kept = Vec::new();
    let mut deletes = Vec::new();
    for s in &live.summaries {
        if claimed.contains(s.id.as_str()) || !in_scope(&s.name) {
            continue;
        }
        match unmanaged(desired, live, &s.id, &s.name, prune) {
            UnmanagedOutcome::Keep(u) => kept.push(u),
            UnmanagedOutcome::Delete(c) => deletes.push(c),
        }
    }
    (kept, deletes)
}

enum UnmanagedOutcome {
    Keep(Unmanaged),
    Delete(Change),
}

fn unmanaged(
    desired: &Desired,
    live: &Live,
    id: &str,
    name: &str,
    prune: bool,
) -> UnmanagedOutcome {
    let keep = |why: Option<&str>| {
        UnmanagedOutcome::Keep(Unmanaged {
            id: id.to_owned(),
            name: name.to_owned(),
            kept_because: why.map(str::to_owned),
        })
    };
    if !prune {
        return keep(None);
    }
    // Belt and braces: never prune an instance that carries the name of one that
    // aura.yaml protects (e.g. a second live copy next to a pinned, protected one).
    if desired
        .instances
        .values()
        .any(|d| d.prevent_destroy && d.name == name)
    {
        return keep(Some(
            "it has the name of a `prevent_destroy` instance in aura.yaml",
        ));
    }
    // Pruning the source of a clone would race the clone.
    if desired.instances.values().any(|d| {
        d.source
            .as_ref()
            .is_some_and(|s| s.instance == name || s.instance == id)
    }) {
        return keep(Some("an instance in aura.yaml clones it (`source:`)"));
    }
    let details = live.instance(id);
    if details.is_some_and(|l| l.status == InstanceStatus::Destroying) {
        return keep(Some("it is already being destroyed"));
    }
    let mut steps = Vec::new();
    let mut actions = Vec::new();
    let mut waits_for = None;
    if let Some(l) = details.filter(|l| l.status.is_transitional()) {
        let settled = match settle(&l.status) {
            Settled::Paused => ExpectedStatus::Paused,
            _ => ExpectedStatus::Running,
        };
        steps.push(wait_step(id, settled));
        actions.push(Action::Wait);
        waits_for = Some(l.status.clone());
    }
    steps.push(delete_step(id));
    actions.push(Action::Delete);
    UnmanagedOutcome::Delete(Change {
        name: name.to_owned(),
        id: Some(id.to_owned()),
        kind: ChangeKind::Delete,
        actions,
        fields: Vec::new(),
        waits_for,
        steps,
        depends_on: Vec::new(),
        blocked: None,
    })
}
