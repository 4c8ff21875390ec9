//! The differ: a pure function of (Desired, Live, options) → [`Plan`]. No I/O, no
//! clock, no randomness, so the same inputs always give the same plan, and
//! `apply` + `plan` converges to "no changes" (a property test checks it).
//!
//! Each row of DESIGN.md §4's table maps to one place below:
//! identity (`resolve_identities`), create (`create_steps`), in-place update,
//! upgrade, rename and pause/resume (`in_place`), replace and its refusals
//! (`diff_instance`), waits for busy instances (`settle`), people-needed states,
//! unmanaged instances and prune (`unmanaged`), and "absent is unknown" in every
//! comparison (`Option` on the live side is never compared when `None`).

use std::collections::{HashMap, HashSet};

use crate::api::wire::{CreateInstanceRequest, PatchInstanceRequest, UpgradeRequest};
use crate::aura::sizes::same_size;
use crate::aura::tiers;
use crate::aura::{InstanceStatus, InstanceType};
use crate::config::{Desired, DesiredInstance, DesiredState, Field};

use super::error::PlanError;
use super::live::{Live, LiveInstance};
use super::model::{
    Action, Attention, Change, ChangeKind, Dependency, Expectation, ExpectedStatus, ExpectedValues,
    FORMAT_VERSION, FieldChange, FieldValue, Plan, PlanOptions, Step, StepAction, StepRequest,
    Summary, Unmanaged,
};

/// Computes the plan that brings `live` to `desired`.
///
/// Errors (ambiguous names, immutable changes without `allow_replace`, replacements of
/// `prevent_destroy` instances, unknown targets, …) are all collected and returned
/// together; a plan with any error has no steps at all, so nothing half-planned can
/// be applied.
pub fn plan(desired: &Desired, live: &Live, opts: &PlanOptions) -> Result<Plan, PlanError> {
    let mut errors = Vec::new();
    if desired.project != live.project.id && desired.project != live.project.name {
        errors.push(PlanError::ProjectMismatch {
            declared: desired.project.clone(),
            id: live.project.id.clone(),
            name: live.project.name.clone(),
        });
    }
    check_targets(desired, live, opts, &mut errors);
    let in_scope = |name: &str| opts.targets.is_empty() || opts.targets.iter().any(|t| t == name);

    let identities = resolve_identities(desired, live, &in_scope, &mut errors);

    let mut changes = Vec::new();
    let mut attention = Vec::new();
    let mut unchanged = 0;
    for (name, d) in &desired.instances {
        if !in_scope(name) {
            continue;
        }
        let outcome = match identities.get(name.as_str()) {
            Some(Identity::Matched(id)) => match live.instance(id) {
                Some(l) => diff_instance(d, l, live, opts.report_only, &mut errors),
                // Listed but gone before its details could be read (404): it is gone.
                None => Outcome::Change(create_change(d, live, None, Vec::new(), None)),
            },
            Some(Identity::Absent) => {
                Outcome::Change(create_change(d, live, None, Vec::new(), None))
            }
            // The error is recorded already.
            Some(Identity::Broken) | None => continue,
        };
        match outcome {
            Outcome::Unchanged => unchanged += 1,
            Outcome::Attention(a) => attention.push(a),
            Outcome::Change(c) => changes.push(c),
            Outcome::Error => {}
        }
    }

    resolve_sources(desired, live, &identities, &mut changes, &mut errors);
    check_clone_cycles(&changes, &mut errors);

    let prune = desired.prune || opts.prune;
    let claimed: HashSet<&str> = identities
        .values()
        .flat_map(|i| match i {
            Identity::Matched(id) => vec![id.as_str()],
            Identity::Absent | Identity::Broken => vec![],
        })
        .chain(identities_claimed_by_ambiguity(desired, live))
        .collect();
    let mut unmanaged_list = Vec::new();
    for s in &live.summaries {
        if claimed.contains(s.id.as_str()) || !in_scope(&s.name) {
            continue;
        }
        match unmanaged(desired, live, &s.id, &s.name, prune) {
            UnmanagedOutcome::Keep(u) => unmanaged_list.push(u),
            UnmanagedOutcome::Delete(c) => changes.push(c),
        }
    }

    if let Some(err) = PlanError::collect(errors) {
        return Err(err);
    }

    let summary = summarize(&changes, unchanged, unmanaged_list.len(), attention.len());
    Ok(Plan {
        format_version: FORMAT_VERSION.to_owned(),
        project: live.project.clone(),
        changes,
        unmanaged: unmanaged_list,
        attention,
        summary,
        options: opts.clone(),
        kind: super::model::DocumentKind::Plan,
        made_from: None,
    })
}

enum Outcome {
    Unchanged,
    Attention(Attention),
    Change(Change),
    Error,
}

/// How a declared instance was matched to a live one.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Identity {
    /// This live instance id.
    Matched(String),
    /// Not live: create it.
    Absent,
    /// Matching failed; an error says why.
    Broken,
}

fn check_targets(desired: &Desired, live: &Live, opts: &PlanOptions, errors: &mut Vec<PlanError>) {
    for t in &opts.targets {
        let declared = desired.instances.contains_key(t);
        let is_live = live.summaries.iter().any(|s| &s.name == t);
        if !declared && !is_live {
            errors.push(PlanError::UnknownTarget {
                name: t.clone(),
                declared: desired
                    .instances
                    .keys()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
}

/// Matches every declared instance (in or out of `--target` scope: those out of scope
/// still own their live instance, so it is not "unmanaged") to a live one. A pinned
/// `id` wins; otherwise the name, among live instances no pin claims. Only problems of
/// instances in scope are reported.
fn resolve_identities<'a>(
    desired: &'a Desired,
    live: &Live,
    in_scope: &dyn Fn(&str) -> bool,
    all_errors: &mut Vec<PlanError>,
) -> HashMap<&'a str, Identity> {
    let mut pins: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, d) in &desired.instances {
        if let Some(id) = &d.id {
            pins.entry(id.as_str()).or_default().push(name.as_str());
        }
    }
    let mut ids = HashMap::new();
    let mut ignored = Vec::new();
    for (name, d) in &desired.instances {
        // Problems of instances outside `--target` do not block a targeted plan.
        let errors = if in_scope(name) {
            &mut *all_errors
        } else {
            &mut ignored
        };
        let identity = if let Some(id) = &d.id {
            let pinned_by = &pins[id.as_str()];
            if pinned_by.len() > 1 {
                // Reported once, by the first declaration.
                if pinned_by[0] == name.as_str() {
                    errors.push(PlanError::DuplicatePin {
                        id: id.clone(),
                        names: pinned_by
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
                Identity::Broken
            } else {
                match live.instance(id) {
                    Some(l) if l.status != InstanceStatus::Destroying => {
                        Identity::Matched(id.clone())
                    }
                    _ => {
                        errors.push(PlanError::PinnedIdNotFound {
                            name: name.clone(),
                            id: id.clone(),
                            project: live.project.name.clone(),
                        });
                        Identity::Broken
                    }
                }
            }
        } else {
            let candidates = name_candidates(live, name, &|id| pins.contains_key(id));
            match candidates.as_slice() {
                [] => Identity::Absent,
                [one] => Identity::Matched((*one).to_owned()),
                many => {
                    errors.push(PlanError::AmbiguousName {
                        name: name.clone(),
                        count: many.len(),
                        ids: many
                            .iter()
                            .map(|i| format!("`{i}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                    Identity::Broken
                }
            }
        };
        ids.insert(name.as_str(), identity);
    }
    ids
}

/// Live instances that share an ambiguous declared name are not "unmanaged": the user
/// must pin one, and listing them as unmanaged (or pruning them) would be wrong.
fn identities_claimed_by_ambiguity<'a>(
    desired: &'a Desired,
    live: &'a Live,
) -> impl Iterator<Item = &'a str> + 'a {
    let pinned: HashSet<&str> = desired
        .instances
        .values()
        .filter_map(|d| d.id.as_deref())
        .collect();
    desired
        .instances
        .values()
        .filter(|d| d.id.is_none())
        .flat_map(move |d| {
            let named = name_candidates(live, &d.name, &|id| pinned.contains(id));
            if named.len() > 1 { named } else { Vec::new() }
        })
}

/// The live instances an unpinned declaration called `name` may be: those with that
/// name that no pin claims. When there are several and some are being destroyed (a
/// delete and re-create in the console), the ones being destroyed do not count.
fn name_candidates<'a>(live: &'a Live, name: &str, pinned: &dyn Fn(&str) -> bool) -> Vec<&'a str> {
    let all: Vec<&str> = live
        .summaries
        .iter()
        .filter(|s| s.name == name && !pinned(&s.id))
        .map(|s| s.id.as_str())
        .collect();
    if all.len() > 1 {
        let alive: Vec<&str> = all
            .iter()
            .copied()
            .filter(|id| {
                live.instance(id)
                    .is_none_or(|l| l.status != InstanceStatus::Destroying)
            })
            .collect();
        if !alive.is_empty() {
            return alive;
        }
    }
    all
}

/// The status a busy instance will settle in, as far as one can tell now. Unknown
/// statuses (`resizing`, …) are assumed to end `running`; the wait step's expectation
/// says so, and the executor fails the chain if the instance ends elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Settled {
    Running,
    Paused,
    /// `suspended` / `loading failed`: a person must look.
    NeedsPerson(InstanceStatus),
    /// Being destroyed.
    Gone,
}

fn settle(status: &InstanceStatus) -> Settled {
    match status {
        InstanceStatus::Paused | InstanceStatus::Pausing => Settled::Paused,
        InstanceStatus::Suspended | InstanceStatus::Suspending | InstanceStatus::LoadingFailed => {
            Settled::NeedsPerson(status.clone())
        }
        InstanceStatus::Destroying => Settled::Gone,
        _ => Settled::Running,
    }
}

/// `"5"` matches a live `"5"` and any calendar-style `"5.x"` the API might report.
fn same_version(live: &str, desired: &str) -> bool {
    live == desired
        || live
            .strip_prefix(desired)
            .is_some_and(|rest| rest.starts_with('.'))
}

#[allow(clippy::unnecessary_wraps)] // reads best at call sites: `text(x)` as a before/after
fn text(s: &str) -> Option<FieldValue> {
    Some(FieldValue::text(s))
}

fn diff_instance(
    d: &DesiredInstance,
    l: &LiveInstance,
    live: &Live,
    report_only: bool,
    errors: &mut Vec<PlanError>,
) -> Outcome {
    let busy = l.status.is_transitional();
    let settled = settle(&l.status);
    let settled_status = match settled {
        Settled::NeedsPerson(status) => {
            return Outcome::Attention(Attention {
                name: d.name.clone(),
                id: l.id.clone(),
                advice: advice_for(&status),
                status,
            });
        }
        Settled::Gone => {
            // It is being destroyed (by someone else): wait until it is gone, then
            // create it again.
            let wait = Step {
                action: StepAction::Wait,
                instance_id: Some(l.id.clone()),
                request: None,
                source_instance_from: None,
                expect: Expectation::Gone,
            };
            return Outcome::Change(create_change(
                d,
                live,
                Some(l.id.clone()),
                vec![wait],
                Some(l.status.clone()),
            ));
        }
        Settled::Running => ExpectedStatus::Running,
        Settled::Paused => ExpectedStatus::Paused,
    };
    let keep = |f: Field| !d.ignore_changes.contains(&f);

    // Immutable fields first: they decide between in place and replace.
    let mut forcing: Vec<FieldChange> = Vec::new();
    let mut upgrade = false;
    if keep(Field::Type) && l.instance_type != d.instance_type {
        if tiers::is_upgrade(&l.instance_type, &d.instance_type) {
            upgrade = true;
        } else {
            forcing.push(FieldChange::new(
                Field::Type,
                text(l.instance_type.as_str()),
                text(d.instance_type.as_str()),
                true,
            ));
        }
    }
    if keep(Field::CloudProvider) && l.cloud_provider != d.cloud_provider {
        forcing.push(FieldChange::new(
            Field::CloudProvider,
            text(l.cloud_provider.as_str()),
            text(d.cloud_provider.as_str()),
            true,
        ));
    }
    if keep(Field::Region) && l.region != d.region {
        forcing.push(FieldChange::new(
            Field::Region,
            text(&l.region),
            text(&d.region),
            true,
        ));
    }
    if keep(Field::Version)
        && let Some(v) = &l.version
        && !same_version(v, &d.version)
    {
        forcing.push(FieldChange::new(
            Field::Version,
            text(v),
            text(&d.version),
            true,
        ));
    }
    if keep(Field::CustomerManagedKeyId)
        && let (Some(want), Some(have)) = (&d.customer_managed_key_id, &l.customer_managed_key_id)
        && want != have
    {
        forcing.push(FieldChange::new(
            Field::CustomerManagedKeyId,
            text(have),
            text(want),
            true,
        ));
    }

    if !forcing.is_empty() {
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
        let refusal = if d.prevent_destroy {
            Some(PlanError::ReplaceForbidden {
                name: d.name.clone(),
                fields: names,
            })
        } else if !d.allow_replace {
            Some(PlanError::ImmutableChange {
                name: d.name.clone(),
                fields: names,
            })
        } else {
            d.id.as_ref().map(|id| PlanError::PinnedReplace {
                name: d.name.clone(),
                id: id.clone(),
                fields: names,
            })
        };
        if let Some(refusal) = refusal {
            if report_only {
                return Outcome::Change(blocked_change(d, l, forcing, &refusal));
            }
            errors.push(refusal);
            return Outcome::Error;
        }
        return Outcome::Change(replace_change(d, l, live, busy, settled_status, forcing));
    }

    in_place(d, l, busy, settled_status, upgrade)
}

fn show(v: Option<&FieldValue>) -> String {
    v.map_or_else(|| "none".to_owned(), ToString::to_string)
}

fn advice_for(status: &InstanceStatus) -> String {
    match status {
        InstanceStatus::LoadingFailed => "its data failed to load; check the Aura console or contact Neo4j support, then plan again".to_owned(),
        _ => "Aura suspended it (billing, or inactivity on the free tier); resolve that in the Aura console, then plan again".to_owned(),
    }
}

/// The mutable differences of a matched instance, and the PATCH that fixes them.
fn mutable_diffs(
    d: &DesiredInstance,
    l: &LiveInstance,
) -> (Vec<FieldChange>, PatchInstanceRequest) {
    let keep = |f: Field| !d.ignore_changes.contains(&f);
    let mut fields = Vec::new();
    let mut patch = PatchInstanceRequest::default();
    if keep(Field::Name) && d.id.is_some() && l.name != d.name {
        fields.push(FieldChange::new(
            Field::Name,
            text(&l.name),
            text(&d.name),
            false,
        ));
        patch.name = Some(d.name.clone());
    }
    if keep(Field::Memory)
        && let Some(m) = &l.memory
        && !same_size(m, &d.memory)
    {
        fields.push(FieldChange::new(
            Field::Memory,
            text(m),
            text(&d.memory),
            false,
        ));
        patch.memory = Some(d.memory.clone());
    }
    if keep(Field::Storage)
        && let (Some(want), Some(have)) = (&d.storage, &l.storage)
        && !same_size(want, have)
    {
        fields.push(FieldChange::new(
            Field::Storage,
            text(have),
            text(want),
            false,
        ));
        patch.storage = Some(want.clone());
    }
    if keep(Field::VectorOptimized)
        && let Some(have) = l.vector_optimized
        && have != d.vector_optimized
    {
        fields.push(FieldChange::new(
            Field::VectorOptimized,
            Some(FieldValue::Bool(have)),
            Some(FieldValue::Bool(d.vector_optimized)),
            false,
        ));
        patch.vector_optimized = Some(d.vector_optimized);
    }
    if keep(Field::GraphAnalyticsPlugin)
        && let Some(have) = l.graph_analytics_plugin
        && have != d.graph_analytics_plugin
    {
        fields.push(FieldChange::new(
            Field::GraphAnalyticsPlugin,
            Some(FieldValue::Bool(have)),
            Some(FieldValue::Bool(d.graph_analytics_plugin)),
            false,
        ));
        patch.graph_analytics_plugin = Some(d.graph_analytics_plugin);
    }
    if keep(Field::SecondariesCount)
        && let (Some(want), Some(have)) = (d.secondaries_count, l.secondaries_count)
        && want != have
    {
        fields.push(FieldChange::new(
            Field::SecondariesCount,
            Some(FieldValue::Int(u64::from(have))),
            Some(FieldValue::Int(u64::from(want))),
            false,
        ));
        patch.secondaries_count = Some(want);
    }
    if keep(Field::CdcEnrichmentMode)
        && let (Some(want), Some(have)) = (&d.cdc_enrichment_mode, &l.cdc_enrichment_mode)
        && want != have
    {
        fields.push(FieldChange::new(
            Field::CdcEnrichmentMode,
            text(have.as_str()),
            text(want.as_str()),
            false,
        ));
        patch.cdc_enrichment_mode = Some(want.clone());
    }
    (fields, patch)
}

/// After an upgrade to business-critical, the PATCH-only fields the old tier did not
/// have (CDC, secondaries) are set as for a create: the live side cannot report them
/// before the upgrade, so "absent is unknown" would otherwise never set them.
fn set_after_upgrade(
    d: &DesiredInstance,
    l: &LiveInstance,
    fields: &mut Vec<FieldChange>,
    patch: &mut PatchInstanceRequest,
) {
    let keep = |f: Field| !d.ignore_changes.contains(&f);
    if keep(Field::CdcEnrichmentMode)
        && patch.cdc_enrichment_mode.is_none()
        && let Some(want) = &d.cdc_enrichment_mode
        && l.cdc_enrichment_mode.as_ref() != Some(want)
    {
        fields.push(FieldChange::new(
            Field::CdcEnrichmentMode,
            l.cdc_enrichment_mode
                .as_ref()
                .and_then(|m| text(m.as_str())),
            text(want.as_str()),
            false,
        ));
        patch.cdc_enrichment_mode = Some(want.clone());
    }
    if keep(Field::SecondariesCount)
        && patch.secondaries_count.is_none()
        && let Some(want) = d.secondaries_count
        && l.secondaries_count != Some(want)
    {
        fields.push(FieldChange::new(
            Field::SecondariesCount,
            l.secondaries_count.map(|n| FieldValue::Int(u64::from(n))),
            Some(FieldValue::Int(u64::from(want))),
            false,
        ));
        patch.secondaries_count = Some(want);
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

fn wait_step(id: &str, settled: ExpectedStatus) -> Step {
    Step {
        action: StepAction::Wait,
        instance_id: Some(id.to_owned()),
        request: None,
        source_instance_from: None,
        expect: Expectation::status(settled),
    }
}

fn simple_step(action: StepAction, id: Option<&str>, status: ExpectedStatus) -> Step {
    Step {
        action,
        instance_id: id.map(str::to_owned),
        request: None,
        source_instance_from: None,
        expect: Expectation::status(status),
    }
}

/// Update, upgrade, rename, pause and resume of an instance that stays.
fn in_place(
    d: &DesiredInstance,
    l: &LiveInstance,
    busy: bool,
    settled: ExpectedStatus,
    upgrade: bool,
) -> Outcome {
    let (mut fields, mut patch) = mutable_diffs(d, l);
    if upgrade {
        set_after_upgrade(d, l, &mut fields, &mut patch);
    }
    let manage_state = !d.ignore_changes.contains(&Field::State);
    let want_paused = if manage_state {
        d.state == DesiredState::Paused
    } else {
        settled == ExpectedStatus::Paused
    };
    // A rename alone is metadata (a synchronous 200): it does not need the instance
    // running. Everything else Aura does only on a running instance.
    let name_only = PatchInstanceRequest {
        name: patch.name.clone(),
        ..PatchInstanceRequest::default()
    } == patch;
    let needs_running = upgrade || (!patch.is_empty() && !name_only);

    if upgrade {
        fields.insert(
            0,
            FieldChange::new(
                Field::Type,
                text(l.instance_type.as_str()),
                text(d.instance_type.as_str()),
                false,
            ),
        );
    }
    let state_before = settled;
    let state_after = if want_paused {
        ExpectedStatus::Paused
    } else {
        ExpectedStatus::Running
    };
    if state_before != state_after {
        fields.push(FieldChange::new(
            Field::State,
            text(state_before.as_str()),
            text(state_after.as_str()),
            false,
        ));
    }

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
    if upgrade {
        steps.push(Step {
            action: StepAction::Upgrade,
            instance_id: Some(id.to_owned()),
            request: Some(StepRequest::Upgrade(UpgradeRequest::default())),
            source_instance_from: None,
            expect: Expectation::Status {
                status: ExpectedStatus::Running,
                values: ExpectedValues {
                    instance_type: Some(InstanceType::BusinessCritical),
                    ..ExpectedValues::default()
                },
            },
        });
        actions.push(Action::Upgrade);
    }
    if !patch.is_empty() {
        steps.push(Step {
            action: StepAction::Update,
            instance_id: Some(id.to_owned()),
            expect: Expectation::Status {
                status: current,
                values: expected_from_patch(&patch),
            },
            request: Some(StepRequest::Patch(patch)),
            source_instance_from: None,
        });
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
        return Outcome::Unchanged;
    }
    Outcome::Change(Change {
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

/// A replacement auraform refuses to plan, kept for a report (`report_only`): the
/// fields that differ and why nothing will be done. No steps.
fn blocked_change(
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

/// Destroy and create again (`allow_replace: true`).
fn replace_change(
    d: &DesiredInstance,
    l: &LiveInstance,
    live: &Live,
    busy: bool,
    settled: ExpectedStatus,
    forcing: Vec<FieldChange>,
) -> Change {
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
    let mut steps = Vec::new();
    let mut actions = Vec::new();
    if busy {
        steps.push(wait_step(&l.id, settled));
        actions.push(Action::Wait);
    }
    steps.push(Step {
        action: StepAction::Delete,
        instance_id: Some(l.id.clone()),
        request: None,
        source_instance_from: None,
        expect: Expectation::Gone,
    });
    actions.push(Action::Replace);
    let (create_steps, paused) = create_steps(d, live);
    steps.extend(create_steps);
    if paused {
        actions.push(Action::Pause);
    }
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

/// The create chain: POST, then PATCH of the PATCH-only fields once running, then
/// pause. Returns the steps and whether it ends with a pause.
fn create_steps(d: &DesiredInstance, live: &Live) -> (Vec<Step>, bool) {
    let body = CreateInstanceRequest {
        name: d.name.clone(),
        version: d.version.clone(),
        region: d.region.clone(),
        memory: d.memory.clone(),
        instance_type: d.instance_type.clone(),
        tenant_id: live.project.id.clone(),
        cloud_provider: d.cloud_provider.clone(),
        storage: d.storage.clone(),
        // Filled in by `resolve_sources`, which sees the whole plan.
        source_instance_id: None,
        source_snapshot_id: None,
        customer_managed_key_id: d.customer_managed_key_id.clone(),
        // Sent only when true: the API rejects these toggles on tiers that lack them,
        // and a new instance has them off.
        vector_optimized: d.vector_optimized.then_some(true),
        graph_analytics_plugin: d.graph_analytics_plugin.then_some(true),
    };
    let mut steps = vec![Step {
        action: StepAction::Create,
        instance_id: None,
        request: Some(StepRequest::Create(body)),
        source_instance_from: None,
        expect: Expectation::Status {
            status: ExpectedStatus::Running,
            values: ExpectedValues {
                name: Some(d.name.clone()),
                memory: Some(d.memory.clone()),
                ..ExpectedValues::default()
            },
        },
    }];
    let patch = PatchInstanceRequest {
        secondaries_count: d.secondaries_count,
        cdc_enrichment_mode: d.cdc_enrichment_mode.clone(),
        ..PatchInstanceRequest::default()
    };
    if !patch.is_empty() {
        steps.push(Step {
            action: StepAction::Update,
            instance_id: None,
            expect: Expectation::Status {
                status: ExpectedStatus::Running,
                values: expected_from_patch(&patch),
            },
            request: Some(StepRequest::Patch(patch)),
            source_instance_from: None,
        });
    }
    let paused = d.state == DesiredState::Paused;
    if paused {
        steps.push(simple_step(StepAction::Pause, None, ExpectedStatus::Paused));
    }
    (steps, paused)
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

fn create_change(
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
    let (steps, paused) = create_steps(d, live);
    if paused {
        actions.push(Action::Pause);
    }
    leading.extend(steps);
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

/// Fills the clone source of every create step: a live id, or (for a source this
/// plan creates) a dependency on the step after which the source is running.
fn resolve_sources(
    desired: &Desired,
    live: &Live,
    identities: &HashMap<&str, Identity>,
    changes: &mut [Change],
    errors: &mut Vec<PlanError>,
) {
    // name → index of the step after which that instance is created and running.
    let created: HashMap<String, usize> = changes
        .iter()
        .filter_map(|c| {
            let create = c
                .steps
                .iter()
                .position(|s| s.action == StepAction::Create)?;
            let ready = c
                .steps
                .iter()
                .enumerate()
                .skip(create)
                .take_while(|(_, s)| s.action != StepAction::Pause)
                .map(|(i, _)| i)
                .last()
                .unwrap_or(create);
            Some((c.name.clone(), ready))
        })
        .collect();
    for change in changes.iter_mut() {
        let Some(d) = desired.instances.get(&change.name) else {
            continue;
        };
        let Some(source) = &d.source else { continue };
        let Some(step) = change
            .steps
            .iter_mut()
            .find(|s| s.action == StepAction::Create)
        else {
            // Source is create-time only; an existing instance ignores it.
            continue;
        };
        let Some(StepRequest::Create(body)) = &mut step.request else {
            continue;
        };
        body.source_snapshot_id.clone_from(&source.snapshot);
        let src = source.instance.as_str();
        if desired.instances.contains_key(src) {
            if let Some(&ready) = created.get(src) {
                step.source_instance_from = Some(src.to_owned());
                change.depends_on.push(Dependency {
                    instance: src.to_owned(),
                    step: ready,
                    reason: format!("clones `{src}`, which this plan creates"),
                });
            } else if let Some(Identity::Matched(id)) = identities.get(src) {
                body.source_instance_id = Some(id.clone());
            } else {
                errors.push(PlanError::SourceUnavailable {
                    name: change.name.clone(),
                    source_name: src.to_owned(),
                });
            }
        } else {
            // Not declared: a live instance of the project by name, else an id.
            let named: Vec<&str> = live.named(src).map(|s| s.id.as_str()).collect();
            body.source_instance_id = Some(match named.as_slice() {
                [one] => (*one).to_owned(),
                _ => src.to_owned(),
            });
        }
    }
}

/// Clones of clones created in one plan must not wait on each other in a circle.
fn check_clone_cycles(changes: &[Change], errors: &mut Vec<PlanError>) {
    let deps: HashMap<&str, &str> = changes
        .iter()
        .filter_map(|c| {
            c.depends_on
                .first()
                .map(|d| (c.name.as_str(), d.instance.as_str()))
        })
        .collect();
    let mut reported: HashSet<&str> = HashSet::new();
    for start in deps.keys() {
        let mut path = vec![*start];
        let mut at = *start;
        while let Some(&next) = deps.get(at) {
            if next == *start {
                if path.iter().all(|n| !reported.contains(n)) {
                    reported.extend(path.iter().copied());
                    let mut names: Vec<String> = path.iter().map(|n| format!("`{n}`")).collect();
                    names.sort();
                    errors.push(PlanError::CloneCycle {
                        cycle: names.join(", "),
                    });
                }
                break;
            }
            if path.contains(&next) {
                break;
            }
            path.push(next);
            at = next;
        }
    }
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
    steps.push(Step {
        action: StepAction::Delete,
        instance_id: Some(id.to_owned()),
        request: None,
        source_instance_from: None,
        expect: Expectation::Gone,
    });
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

fn summarize(changes: &[Change], unchanged: usize, unmanaged: usize, attention: usize) -> Summary {
    let mut s = Summary {
        unchanged,
        unmanaged,
        attention,
        ..Summary::default()
    };
    s.blocked = changes.iter().filter(|c| c.blocked.is_some()).count();
    let planned = changes.iter().filter(|c| c.blocked.is_none());
    for a in planned.flat_map(|c| &c.actions) {
        match a {
            Action::Create => s.create += 1,
            Action::Update => s.update += 1,
            Action::Upgrade => s.upgrade += 1,
            Action::Pause => s.pause += 1,
            Action::Resume => s.resume += 1,
            Action::Replace => s.replace += 1,
            Action::Delete => s.delete += 1,
            Action::Wait => s.wait += 1,
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_leniently() {
        assert!(same_version("5", "5"));
        assert!(same_version("5.26", "5"));
        assert!(!same_version("4", "5"));
        assert!(!same_version("50", "5"));
    }

    #[test]
    fn settling_predicts_the_stable_status() {
        assert_eq!(settle(&InstanceStatus::Pausing), Settled::Paused);
        assert_eq!(settle(&InstanceStatus::Updating), Settled::Running);
        assert_eq!(settle(&InstanceStatus::parse("resizing")), Settled::Running);
        assert_eq!(settle(&InstanceStatus::Destroying), Settled::Gone);
        assert!(matches!(
            settle(&InstanceStatus::LoadingFailed),
            Settled::NeedsPerson(_)
        ));
    }
}
