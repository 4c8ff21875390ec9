//! Judging one observation: does the instance a GET returned satisfy what the wait
//! is for? The plan's [`Expectation`] says what a step must be seen to have done;
//! this file only reads it, so plan and executor share one contract.

use crate::api::wire::Instance;
use crate::aura::InstanceStatus;
use crate::plan::{Expectation, ExpectedValues};

/// What a wait polls for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WaitFor<'a> {
    /// What the plan expects of a step.
    Step(&'a Expectation),
    /// Running or paused: no operation in progress (before resending a request the
    /// API refused with 409). Never in a plan: only the executor waits for it.
    Idle,
    /// What the plan expects of a step, but in either settled status: an
    /// overlapping apply may pause an instance this one is still creating or
    /// resizing. The executor re-derives the rest of the chain from the status seen.
    Settled(&'a Expectation),
}

/// The judgement of one observation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Done,
    /// Keep waiting; the text says what was seen (for progress).
    Pending(String),
    /// Waiting cannot help.
    Fail(String),
}

impl WaitFor<'_> {
    /// What the wait is for, in words (for a timeout).
    pub(crate) fn describe(self) -> &'static str {
        match self {
            WaitFor::Step(Expectation::Status { status, .. }) => status.as_str(),
            WaitFor::Step(Expectation::Gone) | WaitFor::Settled(Expectation::Gone) => "deleted",
            WaitFor::Step(Expectation::SnapshotCompleted) => "snapshot completed",
            WaitFor::Idle | WaitFor::Settled(_) => "running or paused",
        }
    }

    /// Judges one observation: `None` is a 404. `in_grace`: a 404 may still be the
    /// API catching up with a create.
    pub(crate) fn judge(self, observed: Option<&Instance>, in_grace: bool) -> Verdict {
        let gone = matches!(
            self,
            WaitFor::Step(Expectation::Gone) | WaitFor::Settled(Expectation::Gone)
        );
        let Some(inst) = observed else {
            return if gone {
                Verdict::Done
            } else if in_grace {
                Verdict::Pending("not visible yet (404)".to_owned())
            } else {
                Verdict::Fail("the instance no longer exists (404)".to_owned())
            };
        };
        let status = &inst.status;
        if gone {
            return Verdict::Pending(status.to_string());
        }
        if let Some(reason) = beyond_waiting(status) {
            return Verdict::Fail(reason.to_owned());
        }
        let (status_ok, values) = match self {
            WaitFor::Step(Expectation::Status {
                status: want,
                values,
            }) => (*status == want.to_wire(), Some(values)),
            WaitFor::Settled(Expectation::Status { values, .. }) => {
                (!status.is_transitional(), Some(values))
            }
            // A snapshot is judged on the snapshot, not the instance (`apply::snapshot`):
            // an instance observation never completes it.
            WaitFor::Step(Expectation::Gone | Expectation::SnapshotCompleted)
            | WaitFor::Settled(Expectation::Gone | Expectation::SnapshotCompleted) => (false, None),
            WaitFor::Idle => (!status.is_transitional(), None),
        };
        if !status_ok {
            return Verdict::Pending(status.to_string());
        }
        match values.and_then(|v| first_mismatch(v, inst)) {
            None => Verdict::Done,
            // Settled in the *other* status with a value the step set not there: a
            // paused instance is not resized by waiting (the fault matrix's "paused
            // out of band" once waited the whole timeout here). Only the expected
            // status may show a value late.
            Some(field) if self.settled_elsewhere(status) => Verdict::Fail(format!(
                "the instance settled `{status}` with {field} not as this step set it: someone else stopped the change; run apply again"
            )),
            Some(field) => Verdict::Pending(format!("{status}, {field} not updated yet")),
        }
    }
}

impl WaitFor<'_> {
    /// Whether `status` is a settled status other than the one the step expects (only
    /// a [`WaitFor::Settled`] wait accepts one).
    fn settled_elsewhere(self, status: &InstanceStatus) -> bool {
        match self {
            WaitFor::Settled(Expectation::Status { status: want, .. }) => {
                !status.is_transitional() && *status != want.to_wire()
            }
            _ => false,
        }
    }
}

/// Why a status fails a wait that is not for a delete at once, if it does: no
/// amount of waiting leads from it to the expected one.
fn beyond_waiting(status: &InstanceStatus) -> Option<&'static str> {
    match status {
        InstanceStatus::Destroying => {
            Some("the instance is being destroyed (`destroying`); something else deleted it")
        }
        InstanceStatus::LoadingFailed => {
            Some("the instance went to `loading failed`; it needs a person (see the Aura console)")
        }
        InstanceStatus::Suspended => {
            Some("the instance is `suspended`; it needs a person (see the Aura console)")
        }
        _ => None,
    }
}

/// The first expected value the instance contradicts, by field name.
fn first_mismatch(want: &ExpectedValues, inst: &Instance) -> Option<&'static str> {
    fn differs<T: PartialEq>(want: Option<&T>, have: Option<&T>) -> bool {
        matches!((want, have), (Some(w), Some(h)) if w != h)
    }
    if differs(want.name.as_ref(), Some(&inst.name)) {
        return Some("name");
    }
    if differs_size(want.memory.as_deref(), inst.memory.as_deref()) {
        return Some("memory");
    }
    if differs_size(want.storage.as_deref(), inst.storage.as_deref()) {
        return Some("storage");
    }
    if differs(want.instance_type.as_ref(), Some(&inst.instance_type)) {
        return Some("type");
    }
    if differs(
        want.vector_optimized.as_ref(),
        inst.vector_optimized.as_ref(),
    ) {
        return Some("vector_optimized");
    }
    if differs(
        want.graph_analytics_plugin.as_ref(),
        inst.graph_analytics_plugin.as_ref(),
    ) {
        return Some("graph_analytics_plugin");
    }
    if differs(
        want.secondaries_count.as_ref(),
        inst.secondaries_count.as_ref(),
    ) {
        return Some("secondaries_count");
    }
    if differs(
        want.cdc_enrichment_mode.as_ref(),
        inst.cdc_enrichment_mode.as_ref(),
    ) {
        return Some("cdc_enrichment_mode");
    }
    None
}

/// Whether a size the plan wants differs from the one the API reports (compared as
/// the differ compares them); a size the API does not report never differs.
fn differs_size(want: Option<&str>, have: Option<&str>) -> bool {
    matches!((want, have), (Some(w), Some(h)) if !crate::aura::sizes::same_size(w, h))
}
