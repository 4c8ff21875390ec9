//! When a busy instance settles elsewhere than the plan foresaw.
//!
//! A plan made while an instance was busy starts its chain with a `wait` for the
//! status it will probably settle in (`diff::chains::settle`), and builds the rest of
//! the chain on that guess. Another apply, or a person, may settle it differently: an
//! overlapping run pauses it while this one waits for `running`. The executor then
//! asks [`resettle`] for the rest of the chain as it would have been planned from the
//! status actually seen, so the wait accepts any settled state and the chain still
//! ends where aura.yaml says (docs/apply.md §5). Pure: no I/O.

use crate::plan::model::{Expectation, ExpectedStatus, Step, StepAction, StepRequest};

/// The steps that follow a wait which expected `expected` and saw the instance `id`
/// settle in `actual`, given the steps `rest` the plan built on `expected`.
pub fn resettle(
    rest: &[Step],
    id: &str,
    expected: ExpectedStatus,
    actual: ExpectedStatus,
) -> Vec<Step> {
    if actual == expected {
        return rest.to_vec();
    }
    // A clone-replace clones (and takes its restore point of) the instance first,
    // which needs it running; then deletes it whatever its state.
    let clones_it = rest.iter().any(|s| {
        matches!(&s.request, Some(StepRequest::Create(b)) if b.source_instance_id.as_deref() == Some(id))
    });
    if clones_it {
        return match (expected, actual) {
            (ExpectedStatus::Running, _) => {
                let mut steps = vec![lifecycle(StepAction::Resume, id, ExpectedStatus::Running)];
                steps.extend_from_slice(rest);
                steps
            }
            (ExpectedStatus::Paused, _) => match rest.first() {
                Some(s) if s.action == StepAction::Resume => rest[1..].to_vec(),
                _ => rest.to_vec(),
            },
        };
    }
    // A replacement deletes the instance whatever its state.
    let replaces = rest
        .iter()
        .any(|s| matches!(s.action, StepAction::Delete | StepAction::Create));
    if replaces {
        return rest.to_vec();
    }
    match (expected, actual) {
        (ExpectedStatus::Running, _) => from_paused(rest, id),
        (ExpectedStatus::Paused, _) => from_running(rest, id),
    }
}

/// The plan thought the instance would be running; it is paused.
fn from_paused(rest: &[Step], id: &str) -> Vec<Step> {
    let wants_paused = rest.iter().any(|s| s.action == StepAction::Pause);
    if wants_paused && !rest.iter().any(needs_running) {
        // Already where the chain was going: only what a paused instance accepts
        // (a rename) remains, expected in `paused`.
        return rest
            .iter()
            .filter(|s| s.action != StepAction::Pause)
            .cloned()
            .map(|s| with_status(s, ExpectedStatus::Paused))
            .collect();
    }
    let mut steps = vec![lifecycle(StepAction::Resume, id, ExpectedStatus::Running)];
    steps.extend_from_slice(rest);
    steps
}

/// The plan thought the instance would be paused; it is running.
fn from_running(rest: &[Step], id: &str) -> Vec<Step> {
    if rest.first().is_some_and(|s| s.action == StepAction::Resume) {
        return rest[1..].to_vec();
    }
    // No resume: the chain meant to stay paused, changing only what a paused
    // instance accepts. Do that while running, then pause.
    let mut steps: Vec<Step> = rest
        .iter()
        .cloned()
        .map(|s| with_status(s, ExpectedStatus::Running))
        .collect();
    steps.push(lifecycle(StepAction::Pause, id, ExpectedStatus::Paused));
    steps
}

/// Steps the API accepts only on a running instance: an upgrade, a snapshot, and a
/// PATCH of anything but the name (docs/emulator.md §8).
fn needs_running(step: &Step) -> bool {
    match (&step.action, &step.request) {
        (StepAction::Upgrade | StepAction::Resume | StepAction::Snapshot, _) => true,
        (StepAction::Update, Some(StepRequest::Patch(p))) => {
            let mut rest = p.clone();
            rest.name = None;
            !rest.is_empty()
        }
        _ => false,
    }
}

fn with_status(mut step: Step, status: ExpectedStatus) -> Step {
    if let Expectation::Status { status: s, .. } = &mut step.expect {
        *s = status;
    }
    step
}

fn lifecycle(action: StepAction, id: &str, status: ExpectedStatus) -> Step {
    Step::new(
        action,
        Some(id.to_owned()),
        None,
        Expectation::status(status),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wire::PatchInstanceRequest;
    use crate::plan::ExpectedValues;

    fn patch(p: PatchInstanceRequest, status: ExpectedStatus) -> Step {
        Step::new(
            StepAction::Update,
            Some("i1".into()),
            Some(StepRequest::Patch(p)),
            Expectation::Status {
                status,
                values: ExpectedValues::default(),
            },
        )
    }

    fn actions(steps: &[Step]) -> Vec<&'static str> {
        steps.iter().map(|s| s.action.as_str()).collect()
    }

    fn rename() -> PatchInstanceRequest {
        PatchInstanceRequest {
            name: Some("new".into()),
            ..PatchInstanceRequest::default()
        }
    }

    fn resize() -> PatchInstanceRequest {
        PatchInstanceRequest {
            memory: Some("4GB".into()),
            ..PatchInstanceRequest::default()
        }
    }

    const RUNNING: ExpectedStatus = ExpectedStatus::Running;
    const PAUSED: ExpectedStatus = ExpectedStatus::Paused;

    #[test]
    fn paused_by_someone_else_when_the_chain_was_going_to_pause_it_is_done() {
        let rest = vec![lifecycle(StepAction::Pause, "i1", PAUSED)];
        assert!(resettle(&rest, "i1", RUNNING, PAUSED).is_empty());
        let rest = vec![
            patch(rename(), RUNNING),
            lifecycle(StepAction::Pause, "i1", PAUSED),
        ];
        let out = resettle(&rest, "i1", RUNNING, PAUSED);
        assert_eq!(actions(&out), ["update"]);
        assert!(matches!(
            out[0].expect,
            Expectation::Status { status: PAUSED, .. }
        ));
    }

    #[test]
    fn paused_when_the_chain_needs_it_running_resumes_first() {
        let rest = vec![
            patch(resize(), RUNNING),
            lifecycle(StepAction::Pause, "i1", PAUSED),
        ];
        let out = resettle(&rest, "i1", RUNNING, PAUSED);
        assert_eq!(actions(&out), ["resume", "update", "pause"]);
        // Declared running, found paused: resume even for a rename.
        let out = resettle(&[patch(rename(), RUNNING)], "i1", RUNNING, PAUSED);
        assert_eq!(actions(&out), ["resume", "update"]);
    }

    #[test]
    fn running_when_the_chain_expected_paused() {
        let rest = vec![
            lifecycle(StepAction::Resume, "i1", RUNNING),
            patch(resize(), RUNNING),
        ];
        assert_eq!(actions(&resettle(&rest, "i1", PAUSED, RUNNING)), ["update"]);
        let out = resettle(&[patch(rename(), PAUSED)], "i1", PAUSED, RUNNING);
        assert_eq!(actions(&out), ["update", "pause"]);
        assert!(matches!(
            out[0].expect,
            Expectation::Status {
                status: RUNNING,
                ..
            }
        ));
    }

    #[test]
    fn as_expected_or_a_replacement_is_unchanged() {
        let rest = vec![lifecycle(StepAction::Pause, "i1", PAUSED)];
        assert_eq!(resettle(&rest, "i1", RUNNING, RUNNING), rest);
        let replace = vec![Step::new(
            StepAction::Delete,
            Some("i1".into()),
            None,
            Expectation::Gone,
        )];
        assert_eq!(resettle(&replace, "i1", RUNNING, PAUSED), replace);
    }
}
