//! What every step of one apply shares ([`Run`]), and how a failed wait becomes a
//! step's result. Used by the executor and the create step alike.

use std::collections::HashSet;

use super::options::ApplyOptions;
use super::schedule::{StepEffects, StepResult};
use super::wait::WaitError;
use crate::api::pacer::PollPacing;
use crate::api::wire::Instance;
use crate::api::{ApiError, AuraClient};
use crate::aura::InstanceStatus;
use crate::plan::{Expectation, ExpectedStatus};

/// What every step of one apply shares.
pub(crate) struct Run<'a> {
    pub(crate) client: &'a AuraClient,
    pub(crate) project_id: &'a str,
    pub(crate) opts: &'a ApplyOptions,
    pub(crate) pacing: PollPacing<'a>,
    /// [`ApplyOptions::known_ids`] and every id the plan names.
    pub(crate) known: HashSet<String>,
}

/// Turns a failed wait into the step's result.
pub(crate) fn from_wait_error(mut effects: StepEffects, err: &WaitError<ApiError>) -> StepResult {
    if let Some(status) = err.last_status() {
        effects.last_status = Some(status.to_owned());
    }
    effects.remedy = match err {
        WaitError::Api(e) => api_remedy(e),
        other => other.remedy().map(str::to_owned),
    };
    if err.is_interrupted() {
        StepResult::interrupted(effects)
    } else {
        StepResult::failed(effects, err.to_string())
    }
}

/// What the API error's help says to do.
pub(crate) fn api_remedy(err: &ApiError) -> Option<String> {
    use miette::Diagnostic as _;
    err.help().map(|h| h.to_string())
}

/// The settled status `observed` is in when it is not the one `expected` names (an
/// overlapping apply paused it, …): the scheduler re-derives the rest of the chain.
pub(crate) fn settled_elsewhere(
    expected: &Expectation,
    observed: Option<&Instance>,
) -> Option<ExpectedStatus> {
    let Expectation::Status { status: want, .. } = expected else {
        return None;
    };
    let actual = match observed.map(|i| &i.status) {
        Some(InstanceStatus::Running) => ExpectedStatus::Running,
        Some(InstanceStatus::Paused) => ExpectedStatus::Paused,
        _ => return None,
    };
    (actual != *want).then_some(actual)
}
