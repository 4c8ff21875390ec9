//! Destroy plans (`plan --destroy`, `destroy`): delete exactly the declared instances
//! that exist, matched as any plan matches them (a pinned `id`, else the name), and
//! nothing else — undeclared instances are listed and left alone, whatever `prune`
//! says. A declared instance with `prevent_destroy` that exists refuses the whole plan,
//! so nothing is deleted at all; an ambiguous name does too (which copy is meant?).
//! Busy instances are waited for, then deleted; instances someone else is already
//! destroying are waited for until gone; instances that do not exist need nothing, so
//! a second destroy is an empty plan (docs/plan.md §18).

use std::collections::HashMap;

use crate::config::{Desired, DesiredInstance, Field};
use crate::plan::error::PlanError;
use crate::plan::live::{Live, LiveInstance};
use crate::plan::model::{
    Action, Change, ChangeKind, Expectation, ExpectedStatus, FieldChange, FieldValue, Step,
    StepAction, Unmanaged,
};

use super::chains::{Settled, delete_step, settle, wait_step};
use super::compare::text;
use super::identity::{Identity, claimed_ids, named_identity};

/// What a destroy plan is made of.
pub(crate) struct DestroyDiff {
    pub(crate) changes: Vec<Change>,
    pub(crate) unmanaged: Vec<Unmanaged>,
    /// Declared instances in scope that do not exist (already gone).
    pub(crate) gone: usize,
}

/// The destroy plan's parts for the declared instances `in_scope`.
pub(crate) fn destroy(
    desired: &Desired,
    live: &Live,
    in_scope: &dyn Fn(&str) -> bool,
    errors: &mut Vec<PlanError>,
) -> DestroyDiff {
    let pinned = |id: &str| {
        desired
            .instances
            .values()
            .any(|d| d.id.as_deref() == Some(id))
    };
    let mut identities: HashMap<&str, Identity> = HashMap::new();
    let mut out = DestroyDiff {
        changes: Vec::new(),
        unmanaged: Vec::new(),
        gone: 0,
    };
    for (name, d) in &desired.instances {
        // Out of scope, an instance still owns its live match: it is not unmanaged.
        let mut ignored = Vec::new();
        let errors = if in_scope(name) {
            &mut *errors
        } else {
            &mut ignored
        };
        let identity = match &d.id {
            // A pin that is not live is simply gone: there is nothing to destroy.
            Some(id) if live.summaries.iter().any(|s| &s.id == id) => Identity::Matched(id.clone()),
            Some(_) => Identity::Absent,
            None => named_identity(live, name, &pinned, errors),
        };
        if in_scope(name) {
            match &identity {
                Identity::Matched(id) => match live.instance(id) {
                    Some(l) => match destroy_change(d, l) {
                        Ok(change) => out.changes.push(change),
                        Err(e) => errors.push(e),
                    },
                    // Listed, but gone before its details could be read (404).
                    None => out.gone += 1,
                },
                Identity::Absent => out.gone += 1,
                Identity::Broken => {}
            }
        }
        identities.insert(name.as_str(), identity);
    }
    let claimed = claimed_ids(desired, live, &identities);
    out.unmanaged = live
        .summaries
        .iter()
        .filter(|s| !claimed.contains(s.id.as_str()))
        .map(|s| Unmanaged {
            id: s.id.clone(),
            name: s.name.clone(),
            kept_because: None,
        })
        .collect();
    out
}

/// The chain that destroys `l`, the live match of `d`: [wait while busy] → delete
/// (until gone); for an instance already being destroyed, only the wait until gone.
fn destroy_change(d: &DesiredInstance, l: &LiveInstance) -> Result<Change, PlanError> {
    if d.prevent_destroy {
        return Err(PlanError::DestroyProtected {
            name: d.name.clone(),
            id: l.id.clone(),
        });
    }
    let mut steps = Vec::new();
    let mut actions = Vec::new();
    let waits_for = l.status.is_transitional().then(|| l.status.clone());
    match settle(&l.status) {
        Settled::Gone => {
            steps.push(Step::new(
                StepAction::Wait,
                Some(l.id.clone()),
                None,
                Expectation::Gone,
            ));
            actions.push(Action::Wait);
        }
        settled => {
            if l.status.is_transitional() {
                let status = match settled {
                    Settled::Paused => ExpectedStatus::Paused,
                    _ => ExpectedStatus::Running,
                };
                steps.push(wait_step(&l.id, status));
                actions.push(Action::Wait);
            }
            steps.push(delete_step(&l.id));
            actions.push(Action::Delete);
        }
    }
    Ok(Change {
        name: d.name.clone(),
        id: Some(l.id.clone()),
        kind: ChangeKind::Delete,
        actions,
        fields: destroyed_fields(d, l),
        waits_for,
        steps,
        depends_on: Vec::new(),
        blocked: None,
    })
}

/// What goes away, as the live values going to nothing (Terraform's destroy plan):
/// the live name when a pin matched another one, the placement and sizes, and the
/// status the instance is in (`status`, not an aura.yaml key: it may be transitional).
fn destroyed_fields(d: &DesiredInstance, l: &LiveInstance) -> Vec<FieldChange> {
    let gone = |field: Field, value: Option<FieldValue>| {
        value.map(|v| FieldChange::new(field, Some(v), None, false))
    };
    let mut fields: Vec<FieldChange> = [
        gone(
            Field::Name,
            (l.name != d.name).then(|| FieldValue::text(&l.name)),
        ),
        gone(Field::Type, text(l.instance_type.as_str())),
        gone(Field::CloudProvider, text(l.cloud_provider.as_str())),
        gone(Field::Region, text(&l.region)),
        gone(Field::Memory, l.memory.as_deref().and_then(text)),
        gone(Field::Storage, l.storage.as_deref().and_then(text)),
    ]
    .into_iter()
    .flatten()
    .collect();
    fields.push(FieldChange {
        field: "status".to_owned(),
        before: text(l.status.as_str()),
        after: None,
        forces_replacement: false,
    });
    fields
}
