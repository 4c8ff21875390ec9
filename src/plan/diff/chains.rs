//! Step chains: the ordered steps (and the actions a reviewer sees) of one change.
//! A create (POST, then the PATCH-only fields, then pause), an in-place change
//! (resume, restore point, upgrade, PATCH, pause), the wait that comes first when the
//! instance is busy, and what each step must be seen to have done. Replacements,
//! built from the same steps, are in `replace`.

use crate::api::wire::{CreateInstanceRequest, PatchInstanceRequest, UpgradeRequest};
use crate::aura::{InstanceStatus, InstanceType};
use crate::config::{DesiredInstance, DesiredState, Field, RiskyStep};
use crate::plan::live::{Live, LiveInstance};
use crate::plan::model::{
    Action, Change, ChangeKind, Expectation, ExpectedStatus, ExpectedValues, FieldChange,
    FieldValue, Step, StepAction, StepRequest,
};

use super::compare::{InPlaceDiff, text};

/// The status a busy instance will settle in, as far as one can tell now. `resizing`
/// and statuses this build does not know are assumed to end `running`; the wait step's expectation
/// says so, and the executor fails the chain if the instance ends elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Settled {
    Running,
    Paused,
    /// `suspended` / `loading failed`: a person must look.
    NeedsPerson(InstanceStatus),
    /// Being destroyed.
    Gone,
}

pub(crate) fn settle(status: &InstanceStatus) -> Settled {
    match status {
        InstanceStatus::Paused | InstanceStatus::Pausing => Settled::Paused,
        InstanceStatus::Suspended | InstanceStatus::Suspending | InstanceStatus::LoadingFailed => {
            Settled::NeedsPerson(status.clone())
        }
        InstanceStatus::Destroying => Settled::Gone,
        _ => Settled::Running,
    }
}

/// What a PATCH must be seen to have done.
fn expected_from_patch(patch: &PatchInstanceRequest) -> ExpectedValues {
    ExpectedValues {
        name: patch.name.clone(),
        instance_type: None,
        memory: patch.memory.clone(),
        storage: patch.storage.clone(),
        vector_optimized: patch.vector_optimized,
        graph_analytics_plugin: patch.graph_analytics_plugin,
        secondaries_count: patch.secondaries_count,
        cdc_enrichment_mode: patch.cdc_enrichment_mode.clone(),
    }
}

pub(crate) fn wait_step(id: &str, settled: ExpectedStatus) -> Step {
    Step::new(
        StepAction::Wait,
        Some(id.to_owned()),
        None,
        Expectation::status(settled),
    )
}

pub(crate) fn simple_step(action: StepAction, id: Option<&str>, status: ExpectedStatus) -> Step {
    Step::new(
        action,
        id.map(str::to_owned),
        None,
        Expectation::status(status),
    )
}

pub(crate) fn delete_step(id: &str) -> Step {
    Step::new(
        StepAction::Delete,
        Some(id.to_owned()),
        None,
        Expectation::Gone,
    )
}

/// A restore point of instance `id`: an on-demand snapshot, done once `Completed`.
pub(crate) fn snapshot_step(id: &str) -> Step {
    Step::new(
        StepAction::Snapshot,
        Some(id.to_owned()),
        None,
        Expectation::SnapshotCompleted,
    )
}

/// The steps of a create, and the pause that ends it when the instance is declared
/// paused (kept apart: a clone-replace deletes the old instance before it).
pub(crate) struct CreateSteps {
    pub(crate) steps: Vec<Step>,
    pub(crate) pause: Option<Step>,
}

/// The create chain: POST, then PATCH of the PATCH-only fields once running, then
/// (apart) the pause.
pub(crate) fn create_steps(d: &DesiredInstance, live: &Live) -> CreateSteps {
    let body = CreateInstanceRequest {
        name: d.name.clone(),
        version: d.version.clone(),
        region: d.region.clone(),
        memory: d.memory.clone(),
        instance_type: d.instance_type.clone(),
        tenant_id: live.project.id.clone(),
        cloud_provider: d.cloud_provider.clone(),
        storage: d.storage.clone(),
        // Filled in by `resolve_sources`, which sees the whole plan (or by a
        // clone-replace, whose source is the instance it replaces).
        source_instance_id: None,
        source_snapshot_id: None,
        customer_managed_key_id: d.customer_managed_key_id.clone(),
        // Sent only when true: the API rejects these toggles on tiers that lack them,
        // and a new instance has them off.
        vector_optimized: d.vector_optimized.then_some(true),
        graph_analytics_plugin: d.graph_analytics_plugin.then_some(true),
    };
    let mut steps = vec![Step::new(
        StepAction::Create,
        None,
        Some(StepRequest::Create(body)),
        Expectation::Status {
            status: ExpectedStatus::Running,
            values: ExpectedValues {
                name: Some(d.name.clone()),
                memory: Some(d.memory.clone()),
                ..ExpectedValues::default()
            },
        },
    )];
    let patch = PatchInstanceRequest {
        secondaries_count: d.secondaries_count,
        cdc_enrichment_mode: d.cdc_enrichment_mode.clone(),
        ..PatchInstanceRequest::default()
    };
    if !patch.is_empty() {
        steps.push(Step::new(
            StepAction::Update,
            None,
            Some(StepRequest::Patch(patch.clone())),
            Expectation::Status {
                status: ExpectedStatus::Running,
                values: expected_from_patch(&patch),
            },
        ));
    }
    let pause = (d.state == DesiredState::Paused)
        .then(|| simple_step(StepAction::Pause, None, ExpectedStatus::Paused));
    CreateSteps { steps, pause }
}

/// Every value a new instance is created with, as field changes from nothing.
fn create_fields(d: &DesiredInstance) -> Vec<FieldChange> {
    let mut f = vec![
        FieldChange::new(Field::Type, None, text(d.instance_type.as_str()), false),
        FieldChange::new(
            Field::CloudProvider,
            None,
            text(d.cloud_provider.as_str()),
            false,
        ),
        FieldChange::new(Field::Region, None, text(&d.region), false),
        FieldChange::new(Field::Version, None, text(&d.version), false),
        FieldChange::new(Field::Memory, None, text(&d.memory), false),
    ];
    if let Some(s) = &d.storage {
        f.push(FieldChange::new(Field::Storage, None, text(s), false));
    }
    f.push(FieldChange::new(
        Field::VectorOptimized,
        None,
        Some(FieldValue::Bool(d.vector_optimized)),
        false,
    ));
    f.push(FieldChange::new(
        Field::GraphAnalyticsPlugin,
        None,
        Some(FieldValue::Bool(d.graph_analytics_plugin)),
        false,
    ));
    if let Some(n) = d.secondaries_count {
        f.push(FieldChange::new(
            Field::SecondariesCount,
            None,
            Some(FieldValue::Int(u64::from(n))),
            false,
        ));
    }
    if let Some(m) = &d.cdc_enrichment_mode {
        f.push(FieldChange::new(
            Field::CdcEnrichmentMode,
            None,
            text(m.as_str()),
            false,
        ));
    }
    if let Some(k) = &d.customer_managed_key_id {
        f.push(FieldChange::new(
            Field::CustomerManagedKeyId,
            None,
            text(k),
            false,
        ));
    }
    f.push(FieldChange::new(
        Field::State,
        None,
        text(d.state.as_str()),
        false,
    ));
    if let Some(src) = &d.source {
        // Not an instance field, but what a reviewer must see: the data it starts with.
        let from = match &src.snapshot {
            Some(snap) => format!("{} (snapshot {snap})", src.instance),
            None => src.instance.clone(),
        };
        f.push(FieldChange {
            field: "source".to_owned(),
            before: None,
            after: Some(FieldValue::Text(from)),
            forces_replacement: false,
        });
    }
    f
}

/// A create of `d`, after the `leading` steps (a wait for the old `old_id` to be
/// gone, `waits_for` naming the status it is in).
pub(crate) fn create_change(
    d: &DesiredInstance,
    live: &Live,
    old_id: Option<String>,
    mut leading: Vec<Step>,
    waits_for: Option<InstanceStatus>,
) -> Change {
    let mut actions = Vec::new();
    if !leading.is_empty() {
        actions.push(Action::Wait);
    }
    actions.push(Action::Create);
    let create = create_steps(d, live);
    leading.extend(create.steps);
    if let Some(pause) = create.pause {
        leading.push(pause);
        actions.push(Action::Pause);
    }
    Change {
        name: d.name.clone(),
        id: old_id,
        kind: ChangeKind::Create,
        actions,
        fields: create_fields(d),
        waits_for,
        steps: leading,
        depends_on: Vec::new(),
        blocked: None,
    }
}

/// The live `l` is being destroyed (by someone else): wait until it is gone, then
/// create it again.
pub(crate) fn recreate_change(d: &DesiredInstance, l: &LiveInstance, live: &Live) -> Change {
    let wait = Step::new(
        StepAction::Wait,
        Some(l.id.clone()),
        None,
        Expectation::Gone,
    );
    create_change(
        d,
        live,
        Some(l.id.clone()),
        vec![wait],
        Some(l.status.clone()),
    )
}

/// The chain of an instance that stays: wait (if busy), resume (if something needs it
/// running), upgrade, PATCH, pause. `None` when that is nothing but the wait.
pub(crate) fn in_place_change(
    d: &DesiredInstance,
    l: &LiveInstance,
    busy: bool,
    settled: ExpectedStatus,
    diff: InPlaceDiff,
) -> Option<Change> {
    let InPlaceDiff {
        fields,
        patch,
        upgrade,
        want_paused,
        needs_running,
    } = diff;
    let mut steps = Vec::new();
    let mut actions = Vec::new();
    let id = l.id.as_str();
    if busy {
        steps.push(wait_step(id, settled));
        actions.push(Action::Wait);
    }
    let mut current = settled;
    if current == ExpectedStatus::Paused && (needs_running || !want_paused) {
        steps.push(simple_step(
            StepAction::Resume,
            Some(id),
            ExpectedStatus::Running,
        ));
        actions.push(Action::Resume);
        current = ExpectedStatus::Running;
    }
    // One restore point per chain, before the first risky step it is asked for: an
    // upgrade changes the tier, not the data, so a second one would hold the same data.
    let resize = patch.memory.is_some() || patch.storage.is_some();
    if (upgrade && d.snapshots_before(RiskyStep::Upgrade))
        || (resize && d.snapshots_before(RiskyStep::Resize))
    {
        steps.push(snapshot_step(id));
        actions.push(Action::Snapshot);
    }
    if upgrade {
        steps.push(Step::new(
            StepAction::Upgrade,
            Some(id.to_owned()),
            Some(StepRequest::Upgrade(UpgradeRequest::default())),
            Expectation::Status {
                status: ExpectedStatus::Running,
                values: ExpectedValues {
                    instance_type: Some(InstanceType::BusinessCritical),
                    ..ExpectedValues::default()
                },
            },
        ));
        actions.push(Action::Upgrade);
    }
    if !patch.is_empty() {
        steps.push(Step::new(
            StepAction::Update,
            Some(id.to_owned()),
            Some(StepRequest::Patch(patch.clone())),
            Expectation::Status {
                status: current,
                values: expected_from_patch(&patch),
            },
        ));
        actions.push(Action::Update);
    }
    if want_paused && current == ExpectedStatus::Running {
        steps.push(simple_step(
            StepAction::Pause,
            Some(id),
            ExpectedStatus::Paused,
        ));
        actions.push(Action::Pause);
    }

    // A busy instance with nothing to do afterwards is not a change: waiting alone
    // changes nothing, and a plan must not report work it will not do.
    if actions.iter().all(|a| *a == Action::Wait) {
        return None;
    }
    Some(Change {
        name: d.name.clone(),
        id: Some(l.id.clone()),
        kind: ChangeKind::Update,
        actions,
        fields,
        waits_for: busy.then(|| l.status.clone()),
        steps,
        depends_on: Vec::new(),
        blocked: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settling_predicts_the_stable_status() {
        assert_eq!(settle(&InstanceStatus::Pausing), Settled::Paused);
        assert_eq!(settle(&InstanceStatus::Updating), Settled::Running);
        assert_eq!(settle(&InstanceStatus::parse("resizing")), Settled::Running);
        assert_eq!(
            settle(&InstanceStatus::parse("migrating")),
            Settled::Running
        );
        assert_eq!(settle(&InstanceStatus::Destroying), Settled::Gone);
        assert!(matches!(
            settle(&InstanceStatus::LoadingFailed),
            Settled::NeedsPerson(_)
        ));
    }
}
