//! The offline `diff OLD NEW`: NEW planned against the world OLD describes
//! ([`Live::from_desired`]), with what only a comparison of two files can show.
//!
//! `id:` pins need care offline, where an unpinned instance has no real id (it is
//! `file:<name>`). A pin that NEW adds to an instance OLD declares by the same name is
//! that instance getting pinned, not an unknown id: the stand-in takes the pinned id,
//! so the instance matches, and the pin shows as an `id` change (docs/plan.md §16).
//! Pins that NEW removes or moves to another id show the same way. A pin to an id OLD
//! knows nothing of cannot be judged offline, and says so.

use crate::config::Desired;

use super::error::PlanError;
use super::live::Live;
use super::model::{
    Action, Change, ChangeKind, DocumentKind, FieldChange, FieldValue, Plan, PlanOptions,
};

/// The report-only plan of `new` against the world `old` describes, marked as a diff.
pub fn diff_files(old: &Desired, new: &Desired) -> Result<Plan, PlanError> {
    let mut live = Live::from_desired(old);
    let mut errors = Vec::new();
    for (name, d) in &new.instances {
        let Some(pin) = &d.id else { continue };
        if live.instance(pin).is_some() {
            continue;
        }
        match old.instances.get(name) {
            // Pinning the instance OLD declares by this name: it is the one pinned.
            Some(o) if o.id.is_none() => adopt(&mut live, &format!("file:{name}"), pin),
            _ => errors.push(PlanError::PinNotInOldFile {
                name: name.clone(),
                id: pin.clone(),
            }),
        }
    }
    if let Some(err) = PlanError::collect(errors) {
        return Err(err);
    }
    let mut plan = super::plan(new, &live, &PlanOptions::report_only())?;
    plan.kind = DocumentKind::Diff;
    for (name, d) in &new.instances {
        let Some(o) = old.instances.get(name) else {
            continue;
        };
        if o.id != d.id {
            let order = |n: &str| new.instances.get_index_of(n);
            show_pin_change(&mut plan, name, o.id.as_deref(), d.id.as_deref(), &order);
        }
    }
    Ok(plan)
}

/// Gives the stand-in instance `from` the id `to`.
fn adopt(live: &mut Live, from: &str, to: &str) {
    for s in live.summaries.iter_mut().filter(|s| s.id == from) {
        to.clone_into(&mut s.id);
    }
    for i in live.instances.iter_mut().filter(|i| i.id == from) {
        to.clone_into(&mut i.id);
    }
}

/// Adds `id: before -> after` to the instance's change, making it one (an update with
/// nothing else, in file order: `order` is an instance's place in NEW) when the pin
/// is all that differs.
fn show_pin_change(
    plan: &mut Plan,
    name: &str,
    before: Option<&str>,
    after: Option<&str>,
    order: &dyn Fn(&str) -> Option<usize>,
) {
    let field = FieldChange {
        field: "id".to_owned(),
        before: before.map(FieldValue::text),
        after: after.map(FieldValue::text),
        forces_replacement: false,
    };
    if let Some(change) = plan.changes.iter_mut().find(|c| c.name == name) {
        change.fields.insert(0, field);
        return;
    }
    let at = plan
        .changes
        .iter()
        .position(|c| order(&c.name) > order(name))
        .unwrap_or(plan.changes.len());
    plan.changes.insert(
        at,
        Change {
            name: name.to_owned(),
            id: Some(
                after
                    .or(before)
                    .map_or_else(|| format!("file:{name}"), str::to_owned),
            ),
            kind: ChangeKind::Update,
            actions: vec![Action::Update],
            fields: vec![field],
            waits_for: None,
            steps: Vec::new(),
            depends_on: Vec::new(),
            blocked: None,
        },
    );
    plan.summary.update += 1;
    plan.summary.unchanged = plan.summary.unchanged.saturating_sub(1);
}
