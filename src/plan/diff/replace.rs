//! Replacements: what an immutable change becomes when `allow_replace` permits it.
//! `replace: recreate` deletes the old instance, then creates an empty one (the data is
//! lost); `replace: clone` creates the new instance as a clone of the old one, waits
//! until it runs, and only then deletes the old one (the data is kept, docs/plan.md §3).
//! A replacement auraform refuses is kept for a report as a blocked change.

use crate::aura::sizes::parse_gb;
use crate::config::{DesiredInstance, DesiredState, Field, RiskyStep};
use crate::plan::error::PlanError;
use crate::plan::live::{Live, LiveInstance};
use crate::plan::model::{
    Action, Change, ChangeKind, ExpectedStatus, FieldChange, StepAction, StepRequest,
};

use super::chains::{create_steps, delete_step, simple_step, snapshot_step, wait_step};
use super::compare::{mutable_diffs, text};

/// A replacement auraform refuses to plan, kept for a report (`report_only`): the
/// fields that differ and why nothing will be done. No steps.
pub(crate) fn blocked_change(
    d: &DesiredInstance,
    l: &LiveInstance,
    forcing: Vec<FieldChange>,
    refusal: &PlanError,
) -> Change {
    let (mutable, _) = mutable_diffs(d, l);
    let mut fields = forcing;
    fields.extend(mutable);
    Change {
        name: d.name.clone(),
        id: Some(l.id.clone()),
        kind: ChangeKind::Replace,
        actions: vec![Action::Replace],
        fields,
        waits_for: None,
        steps: Vec::new(),
        depends_on: Vec::new(),
        blocked: Some(refusal.to_string()),
    }
}

/// Aura refuses to clone into an instance smaller than its source ("cannot clone into
/// smaller database", docs/aura-api.md §3.5), and a clone-replace knows both sizes: the
/// declared one and the live one. `None` when the clone fits, or the API did not say.
pub(crate) fn clone_too_small(d: &DesiredInstance, l: &LiveInstance) -> Option<PlanError> {
    let live_memory = l.memory.as_deref()?;
    let (new_gb, old_gb) = (parse_gb(&d.memory)?, parse_gb(live_memory)?);
    (new_gb < old_gb).then(|| PlanError::CloneReplaceTooSmall {
        name: d.name.clone(),
        memory: d.memory.clone(),
        live_memory: live_memory.to_owned(),
    })
}

/// The fields a reviewer sees change in a replacement: the forcing ones, the other
/// differences, and the state when the new instance ends in another one.
fn replacement_fields(
    d: &DesiredInstance,
    l: &LiveInstance,
    settled: ExpectedStatus,
    forcing: Vec<FieldChange>,
) -> Vec<FieldChange> {
    let (mutable, _) = mutable_diffs(d, l);
    let mut fields = forcing;
    fields.extend(mutable);
    let want_paused = d.state == DesiredState::Paused;
    if want_paused != (settled == ExpectedStatus::Paused) {
        fields.push(FieldChange::new(
            Field::State,
            text(settled.as_str()),
            text(d.state.as_str()),
            false,
        ));
    }
    fields
}

/// Destroy and create again (`allow_replace: true`, `replace: recreate`).
pub(crate) fn replace_change(
    d: &DesiredInstance,
    l: &LiveInstance,
    live: &Live,
    busy: bool,
    settled: ExpectedStatus,
    forcing: Vec<FieldChange>,
) -> Change {
    let fields = replacement_fields(d, l, settled, forcing);
    let mut steps = Vec::new();
    let mut actions = Vec::new();
    if busy {
        steps.push(wait_step(&l.id, settled));
        actions.push(Action::Wait);
    }
    steps.push(delete_step(&l.id));
    actions.push(Action::Replace);
    let create = create_steps(d, live);
    steps.extend(create.steps);
    if let Some(pause) = create.pause {
        steps.push(pause);
        actions.push(Action::Pause);
    }
    replacement(d, l, busy, fields, actions, steps)
}

/// Clone, then delete (`allow_replace: true`, `replace: clone`): [wait] → [resume a
/// paused old instance, since a clone is made from a running one] → [restore point] →
/// create with `source_instance_id` = the old id (and the restore point as
/// `source_snapshot_id`) → [PATCH-only fields] → delete the old instance → [pause the
/// new one]. The old instance is deleted only once the new one runs, so a refused or
/// failed clone deletes nothing.
pub(crate) fn clone_replace_change(
    d: &DesiredInstance,
    l: &LiveInstance,
    live: &Live,
    busy: bool,
    settled: ExpectedStatus,
    forcing: Vec<FieldChange>,
) -> Change {
    let fields = replacement_fields(d, l, settled, forcing);
    let mut steps = Vec::new();
    let mut actions = Vec::new();
    if busy {
        steps.push(wait_step(&l.id, settled));
        actions.push(Action::Wait);
    }
    if settled == ExpectedStatus::Paused {
        steps.push(simple_step(
            StepAction::Resume,
            Some(&l.id),
            ExpectedStatus::Running,
        ));
        actions.push(Action::Resume);
    }
    let restore_point = d.snapshots_before(RiskyStep::Replace);
    if restore_point {
        steps.push(snapshot_step(&l.id));
        actions.push(Action::Snapshot);
    }
    actions.push(Action::CloneReplace);
    let mut create = create_steps(d, live);
    if let Some(first) = create.steps.first_mut() {
        if let Some(StepRequest::Create(body)) = &mut first.request {
            body.source_instance_id = Some(l.id.clone());
        }
        first.source_snapshot_from_restore_point = restore_point;
    }
    steps.extend(create.steps);
    steps.push(delete_step(&l.id));
    if let Some(pause) = create.pause {
        steps.push(pause);
        actions.push(Action::Pause);
    }
    replacement(d, l, busy, fields, actions, steps)
}

/// The change of a replacement of `l` by `d`, either mode.
fn replacement(
    d: &DesiredInstance,
    l: &LiveInstance,
    busy: bool,
    fields: Vec<FieldChange>,
    actions: Vec<Action>,
    steps: Vec<crate::plan::model::Step>,
) -> Change {
    Change {
        name: d.name.clone(),
        id: Some(l.id.clone()),
        kind: ChangeKind::Replace,
        actions,
        fields,
        waits_for: busy.then(|| l.status.clone()),
        steps,
        depends_on: Vec::new(),
        blocked: None,
    }
}
