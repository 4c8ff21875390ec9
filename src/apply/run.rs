//! What every step of one apply shares ([`Run`]), and how a failed wait becomes a
//! step's result. Used by the executor and the create step alike.

use std::collections::HashSet;

use super::options::ApplyOptions;
use super::schedule::{StepEffects, StepResult};
use super::wait::WaitError;
use crate::api::pacer::PollPacing;
use crate::api::{ApiError, AuraClient};

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
    if err.is_interrupted() {
        StepResult::interrupted(effects)
    } else {
        StepResult::failed(effects, err.to_string())
    }
}
