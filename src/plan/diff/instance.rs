//! One declared instance against its live match: nothing to do, a person must look
//! (`suspended`, `loading failed`), wait for it to be gone and create it again,
//! replace it (or refuse to, with the reason), or change it in place.

use std::collections::HashMap;

use crate::aura::InstanceStatus;
use crate::config::{Desired, DesiredInstance, ReplaceMode};
use crate::plan::error::PlanError;
use crate::plan::live::{Live, LiveInstance};
use crate::plan::model::{Attention, Change, ExpectedStatus, FieldChange};

use super::chains::{Settled, create_change, in_place_change, recreate_change, settle};
use super::compare::{immutable_diffs, in_place_diff, show};
use super::identity::Identity;
use super::replace::{blocked_change, clone_replace_change, clone_too_small, replace_change};

/// What the differ makes of one declared instance.
enum DeclaredOutcome {
    Unchanged,
    Attention(Attention),
    Change(Change),
    /// Refused; the error is recorded.
    Error,
}

/// The declared instances in scope, diffed: their changes (in aura.yaml order), the
/// ones a person must look at, and how many need nothing.
pub(crate) struct DeclaredDiff {
    pub(crate) changes: Vec<Change>,
    pub(crate) attention: Vec<Attention>,
    pub(crate) unchanged: usize,
}

/// Diffs every declared instance in scope against the live one `identities` matched.
pub(crate) fn diff_declared(
    desired: &Desired,
    live: &Live,
    report_only: bool,
    identities: &HashMap<&str, Identity>,
    in_scope: &dyn Fn(&str) -> bool,
    errors: &mut Vec<PlanError>,
) -> DeclaredDiff {
    let mut out = DeclaredDiff {
        changes: Vec::new(),
        attention: Vec::new(),
        unchanged: 0,
    };
    for (name, d) in &desired.instances {
        if !in_scope(name) {
            continue;
        }
        let outcome = match identities.get(name.as_str()) {
            Some(Identity::Matched(id)) => match live.instance(id) {
                Some(l) => diff_instance(d, l, live, report_only, errors),
                // Listed but gone before its details could be read (404): it is gone.
                None => DeclaredOutcome::Change(create_change(d, live, None, Vec::new(), None)),
            },
            Some(Identity::Absent) => {
                DeclaredOutcome::Change(create_change(d, live, None, Vec::new(), None))
            }
            // The error is recorded already.
            Some(Identity::Broken) | None => continue,
        };
        match outcome {
            DeclaredOutcome::Unchanged => out.unchanged += 1,
            DeclaredOutcome::Attention(a) => out.attention.push(a),
            DeclaredOutcome::Change(c) => out.changes.push(c),
            DeclaredOutcome::Error => {}
        }
    }
    out
}

fn diff_instance(
    d: &DesiredInstance,
    l: &LiveInstance,
    live: &Live,
    report_only: bool,
    errors: &mut Vec<PlanError>,
) -> DeclaredOutcome {
    let busy = l.status.is_transitional();
    // A status this auraform does not know (a new one Aura added) is busy for apply,
    // which waits for it to end before acting; a drift report cannot call the instance
    // in sync, so it asks a person to look.
    if report_only && matches!(l.status, InstanceStatus::Other(_)) {
        return DeclaredOutcome::Attention(Attention {
            name: d.name.clone(),
            id: l.id.clone(),
            advice: advice_for(&l.status),
            status: l.status.clone(),
        });
    }
    let settled = match settle(&l.status) {
        Settled::NeedsPerson(status) => {
            return DeclaredOutcome::Attention(Attention {
                name: d.name.clone(),
                id: l.id.clone(),
                advice: advice_for(&status),
                status,
            });
        }
        Settled::Gone => return DeclaredOutcome::Change(recreate_change(d, l, live)),
        Settled::Running => ExpectedStatus::Running,
        Settled::Paused => ExpectedStatus::Paused,
    };

    // Immutable fields first: they decide between in place and replace.
    let (forcing, upgrade) = immutable_diffs(d, l);
    if !forcing.is_empty() {
        if let Some(refusal) = refusal(d, l, &forcing) {
            if report_only {
                return DeclaredOutcome::Change(blocked_change(d, l, forcing, &refusal));
            }
            errors.push(refusal);
            return DeclaredOutcome::Error;
        }
        let change = match d.replace {
            ReplaceMode::Recreate => replace_change(d, l, live, busy, settled, forcing),
            ReplaceMode::Clone => clone_replace_change(d, l, live, busy, settled, forcing),
        };
        return DeclaredOutcome::Change(change);
    }

    match in_place_change(d, l, busy, settled, in_place_diff(d, l, settled, upgrade)) {
        Some(c) => DeclaredOutcome::Change(c),
        None => DeclaredOutcome::Unchanged,
    }
}

/// Why a replacement that the `forcing` fields need must not be planned, if it must
/// not.
fn refusal(d: &DesiredInstance, l: &LiveInstance, forcing: &[FieldChange]) -> Option<PlanError> {
    let names = forcing
        .iter()
        .map(|f| {
            format!(
                "`{}` ({} → {})",
                f.field,
                show(f.before.as_ref()),
                show(f.after.as_ref())
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    // prevent_destroy first: aura.yaml cannot combine it with allow_replace, so
    // advising `allow_replace` for a protected instance would send the user into
    // a config error.
    if d.prevent_destroy {
        Some(PlanError::ReplaceForbidden {
            name: d.name.clone(),
            fields: names,
        })
    } else if !d.allow_replace {
        Some(PlanError::ImmutableChange {
            name: d.name.clone(),
            fields: names,
        })
    } else if let Some(id) = &d.id {
        Some(PlanError::PinnedReplace {
            name: d.name.clone(),
            id: id.clone(),
            fields: names,
        })
    } else if d.replace == ReplaceMode::Clone {
        clone_too_small(d, l)
    } else {
        None
    }
}

fn advice_for(status: &InstanceStatus) -> String {
    match status {
        InstanceStatus::Other(_) => "auraform does not know this status (new in Aura?); check the instance in the Aura console. apply treats it as busy: it waits for the instance to be running or paused before changing it".to_owned(),
        InstanceStatus::LoadingFailed => "its data failed to load; check the Aura console or contact Neo4j support, then plan again".to_owned(),
        _ => "Aura suspended it (billing, or inactivity on the free tier); resolve that in the Aura console, then plan again".to_owned(),
    }
}
