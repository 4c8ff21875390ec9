//! Property tests of the differ over random desired/live pairs:
//! - the plan is valid: no step on a busy instance before a wait on it, no delete of
//!   anything a `prevent_destroy` declaration covers, every declared instance in
//!   scope is unchanged, changed, or needs a person (or the plan is an error);
//! - it converges: simulating its effect on the live model and planning again gives
//!   no changes.

use std::collections::HashSet;

use auraform::api::wire::{CdcEnrichmentMode, CloudProvider, InstanceStatus, InstanceType};
use auraform::config::{Desired, DesiredInstance, DesiredState, Field, ReplaceMode, SourceRef};
use auraform::plan::simulate::apply_effect;
use auraform::plan::{
    ChangeKind, Live, LiveInstance, LiveSummary, Plan, PlanOptions, ProjectRef, StepAction,
};
use indexmap::IndexMap;
use proptest::prelude::*;

const NAMES: &[&str] = &["a", "b", "c", "d"];

fn instance_type() -> impl Strategy<Value = InstanceType> {
    prop_oneof![
        4 => Just(InstanceType::ProfessionalDb),
        2 => Just(InstanceType::BusinessCritical),
        1 => Just(InstanceType::EnterpriseDb),
        1 => Just(InstanceType::FreeDb),
    ]
}

fn cloud() -> impl Strategy<Value = CloudProvider> {
    prop_oneof![4 => Just(CloudProvider::Gcp), 1 => Just(CloudProvider::Aws)]
}

fn region() -> impl Strategy<Value = String> {
    prop_oneof![4 => Just("europe-west1".to_owned()), 1 => Just("us-east1".to_owned())]
}

fn size() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["4GB", "8GB", "16GB"]).prop_map(str::to_owned)
}

fn cdc() -> impl Strategy<Value = CdcEnrichmentMode> {
    prop::sample::select(vec![
        CdcEnrichmentMode::Off,
        CdcEnrichmentMode::Diff,
        CdcEnrichmentMode::Full,
    ])
}

fn status() -> impl Strategy<Value = InstanceStatus> {
    prop_oneof![
        8 => Just(InstanceStatus::Running),
        4 => Just(InstanceStatus::Paused),
        1 => Just(InstanceStatus::Updating),
        1 => Just(InstanceStatus::Pausing),
        1 => Just(InstanceStatus::Resuming),
        1 => Just(InstanceStatus::Creating),
        1 => Just(InstanceStatus::Destroying),
        1 => Just(InstanceStatus::Suspended),
        1 => Just(InstanceStatus::LoadingFailed),
        1 => Just(InstanceStatus::parse("resizing")),
    ]
}

/// A live instance; its name and id are set by the caller.
fn live_instance() -> impl Strategy<Value = LiveInstance> {
    (
        (status(), instance_type(), cloud(), region()),
        (
            prop::option::weighted(0.5, prop::sample::select(vec!["5", "4"])),
            prop::option::weighted(0.9, size()),
            prop::option::of(size()),
        ),
        (
            prop::option::weighted(0.7, any::<bool>()),
            prop::option::weighted(0.7, any::<bool>()),
            prop::option::of(0u32..3),
            prop::option::of(cdc()),
        ),
    )
        .prop_map(
            |((status, ty, cloud, region), (version, memory, storage), (v, g, sec, cdc))| {
                LiveInstance {
                    id: String::new(),
                    name: String::new(),
                    status,
                    instance_type: ty,
                    cloud_provider: cloud,
                    region,
                    version: version.map(str::to_owned),
                    memory,
                    storage,
                    vector_optimized: v,
                    graph_analytics_plugin: g,
                    secondaries_count: sec,
                    cdc_enrichment_mode: cdc,
                    customer_managed_key_id: None,
                }
            },
        )
}

/// A declared instance; name, pin and source are set by the caller.
fn desired_instance() -> impl Strategy<Value = DesiredInstance> {
    (
        (
            instance_type(),
            cloud(),
            region(),
            prop::sample::select(vec!["5", "4"]),
        ),
        (size(), prop::option::of(size()), any::<bool>()),
        (
            any::<bool>(),
            any::<bool>(),
            prop::option::of(0u32..3),
            prop::option::of(cdc()),
        ),
        (
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.6),
            prop::sample::subsequence(
                vec![
                    Field::Memory,
                    Field::State,
                    Field::Region,
                    Field::Type,
                    Field::Name,
                ],
                0..=2,
            )
            .prop_filter("rarely ignore", |v| v.len() < 2),
        ),
    )
        .prop_map(
            |(
                (ty, cloud, region, version),
                (memory, storage, paused),
                (v, g, sec, cdc),
                (pd, ar, ignore),
            )| {
                DesiredInstance {
                    name: String::new(),
                    instance_type: ty,
                    cloud_provider: cloud,
                    region,
                    version: version.to_owned(),
                    memory,
                    storage,
                    state: if paused {
                        DesiredState::Paused
                    } else {
                        DesiredState::Running
                    },
                    vector_optimized: v,
                    graph_analytics_plugin: g,
                    secondaries_count: sec,
                    cdc_enrichment_mode: cdc,
                    customer_managed_key_id: None,
                    source: None,
                    id: None,
                    prevent_destroy: pd,
                    allow_replace: ar,
                    replace: ReplaceMode::default(),
                    snapshot_before: Vec::new(),
                    ignore_changes: ignore,
                }
            },
        )
}

/// Per pool name: maybe declared, 0–2 live copies, maybe pinned to one of them (and
/// then perhaps live under another name), maybe a clone of another pool name.
#[derive(Clone, Debug)]
struct Slot {
    declared: Option<DesiredInstance>,
    copies: Vec<LiveInstance>,
    pin_first: bool,
    renamed: bool,
    source: Option<usize>,
    /// The first live copy has the declared immutable fields (else random ones).
    same_shape: bool,
}

fn slot() -> impl Strategy<Value = Slot> {
    (
        prop::option::weighted(0.75, desired_instance()),
        prop_oneof![4 => Just(0usize), 6 => Just(1usize), 1 => Just(2usize)],
        prop::collection::vec(live_instance(), 2),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.5),
        prop::option::weighted(0.15, 0..NAMES.len()),
        prop::bool::weighted(0.7),
    )
        .prop_map(
            |(declared, n, mut copies, pin_first, renamed, source, same_shape)| {
                copies.truncate(n);
                Slot {
                    declared,
                    copies,
                    pin_first,
                    renamed,
                    source,
                    same_shape,
                }
            },
        )
}

#[derive(Clone, Debug)]
struct World {
    desired: Desired,
    live: Live,
    opts: PlanOptions,
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(slot(), NAMES.len()),
        prop::collection::vec(live_instance(), 0..3),
        any::<bool>(),
        any::<bool>(),
        prop::option::weighted(
            0.2,
            prop::sample::subsequence(vec!["a", "b", "c", "u0", "zz"], 1..3),
        ),
    )
        .prop_map(|(slots, extra, file_prune, flag_prune, targets)| {
            let mut instances = IndexMap::new();
            let mut live_instances = Vec::new();
            let mut next_id = 0u32;
            let mut id = || {
                next_id += 1;
                format!("{next_id:08x}")
            };
            for (k, slot) in slots.into_iter().enumerate() {
                let name = NAMES[k];
                let mut pinned = None;
                for (c, mut l) in slot.copies.into_iter().enumerate() {
                    l.id = id();
                    name.clone_into(&mut l.name);
                    if let (0, true, Some(d)) = (c, slot.same_shape, &slot.declared) {
                        l.instance_type = d.instance_type.clone();
                        l.cloud_provider = d.cloud_provider.clone();
                        l.region.clone_from(&d.region);
                        if l.version.is_some() {
                            l.version = Some(d.version.clone());
                        }
                    }
                    if c == 0 && slot.pin_first && slot.declared.is_some() {
                        pinned = Some(l.id.clone());
                        if slot.renamed {
                            l.name = format!("{name}-old");
                        }
                    }
                    live_instances.push(l);
                }
                if let Some(mut d) = slot.declared {
                    name.clone_into(&mut d.name);
                    d.id = pinned;
                    d.source = slot.source.filter(|s| *s != k).map(|s| SourceRef {
                        instance: NAMES[s].to_owned(),
                        snapshot: None,
                    });
                    instances.insert(name.to_owned(), d);
                }
            }
            for (k, mut l) in extra.into_iter().enumerate() {
                l.id = id();
                l.name = format!("u{k}");
                live_instances.push(l);
            }
            let summaries = live_instances
                .iter()
                .map(|l| LiveSummary {
                    id: l.id.clone(),
                    name: l.name.clone(),
                })
                .collect();
            World {
                desired: Desired {
                    project: "demo".to_owned(),
                    credentials_dir: ".auraform/credentials".into(),
                    credentials_file: true,
                    credentials_command: None,
                    prune: file_prune,
                    instances,
                },
                live: Live {
                    project: ProjectRef {
                        id: "p-1".to_owned(),
                        name: "demo".to_owned(),
                    },
                    summaries,
                    instances: live_instances,
                },
                opts: PlanOptions::new(
                    targets
                        .unwrap_or_default()
                        .into_iter()
                        .map(str::to_owned)
                        .collect(),
                    flag_prune,
                ),
            }
        })
}

fn check_valid(w: &World, plan: &Plan) -> Result<(), TestCaseError> {
    let busy: HashSet<&str> = w
        .live
        .instances
        .iter()
        .filter(|l| l.status.is_transitional())
        .map(|l| l.id.as_str())
        .collect();
    let protected_names: HashSet<&str> = w
        .desired
        .instances
        .values()
        .filter(|d| d.prevent_destroy)
        .map(|d| d.name.as_str())
        .collect();
    let protected_ids: HashSet<&str> = w
        .desired
        .instances
        .values()
        .filter(|d| d.prevent_destroy)
        .filter_map(|d| d.id.as_deref())
        .collect();
    for c in &plan.changes {
        for dep in &c.depends_on {
            let other = plan.change(&dep.instance);
            prop_assert!(
                other.is_some_and(|o| dep.step < o.steps.len()),
                "dangling dependency {dep:?}"
            );
        }
        prop_assert!(
            plan.attention.iter().all(|a| Some(&a.id) != c.id.as_ref()),
            "a change on an instance that needs a person: {c:#?}"
        );
        let mut waited: HashSet<&str> = HashSet::new();
        for s in &c.steps {
            let Some(id) = s.instance_id.as_deref() else {
                continue;
            };
            if s.action == StepAction::Wait {
                waited.insert(id);
                continue;
            }
            prop_assert!(
                !busy.contains(id) || waited.contains(id),
                "step {:?} on busy {id} without a wait first in {c:#?}",
                s.action
            );
            if s.action == StepAction::Delete {
                let name = w
                    .live
                    .summaries
                    .iter()
                    .find(|x| x.id == id)
                    .map(|x| x.name.as_str());
                prop_assert!(!protected_ids.contains(id), "deletes pinned protected {id}");
                prop_assert!(
                    name.is_none_or(|n| !protected_names.contains(n)),
                    "deletes protected name {name:?}"
                );
            }
        }
    }
    let in_scope = w
        .desired
        .instances
        .keys()
        .filter(|n| w.opts.targets.is_empty() || w.opts.targets.contains(n))
        .count();
    let declared_changes = plan
        .changes
        .iter()
        .filter(|c| c.kind != ChangeKind::Delete)
        .count();
    prop_assert_eq!(
        plan.summary.unchanged + declared_changes + plan.attention.len(),
        in_scope,
        "every declared instance is unchanged, changed or needs a person"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

    #[test]
    fn plans_are_valid_and_converge(w in world()) {
        let Ok(plan) = auraform::plan::plan(&w.desired, &w.live, &w.opts) else {
            // An error is a legitimate outcome (ambiguity, immutable change, …);
            // it must carry no plan at all, which the type guarantees.
            return Ok(());
        };
        check_valid(&w, &plan)?;
        let after = apply_effect(&w.live, &plan);
        // A target that named an instance the plan deleted is unknown now; drop it.
        // If none is left, the second plan would widen its scope: nothing to compare.
        let mut opts = w.opts.clone();
        opts.targets.retain(|t| {
            w.desired.instances.contains_key(t) || after.summaries.iter().any(|s| &s.name == t)
        });
        if opts.targets.is_empty() && !w.opts.targets.is_empty() {
            return Ok(());
        }
        let again = auraform::plan::plan(&w.desired, &after, &opts);
        prop_assert!(again.is_ok(), "second plan failed: {:?}\nfirst: {plan:#?}", again.err());
        let again = again.unwrap();
        prop_assert!(
            !again.has_changes(),
            "not converged:\nsecond: {:#?}\nfirst: {plan:#?}\nlive after: {after:#?}",
            again.changes
        );
        // The same inputs always give the same plan.
        prop_assert_eq!(auraform::plan::plan(&w.desired, &w.live, &w.opts).ok(), Some(plan));
    }
}

/// Guards the property above against becoming vacuous: most random worlds must give
/// a plan (not an error), and many of those plans must actually change something.
#[test]
fn random_worlds_mostly_plan_and_change_things() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut ok, mut changing, total) = (0, 0, 400);
    for _ in 0..total {
        let w = world().new_tree(&mut runner).unwrap().current();
        if let Ok(plan) = auraform::plan::plan(&w.desired, &w.live, &w.opts) {
            ok += 1;
            if plan.has_changes() {
                changing += 1;
            }
        }
    }
    eprintln!("{ok}/{total} planned, {changing} with changes");
    assert!(ok * 100 / total >= 50, "only {ok}/{total} worlds planned");
    assert!(
        changing * 100 / total >= 20,
        "only {changing}/{total} plans change anything"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Report-only plans (drift, diff) never fail on a refusal: they list it as a
    /// blocked change without steps, and everything else is planned as usual.
    #[test]
    fn report_only_plans_list_refusals_instead_of_failing(w in world()) {
        let mut opts = w.opts.clone();
        opts.report_only = true;
        match auraform::plan::plan(&w.desired, &w.live, &opts) {
            Ok(plan) => {
                check_valid(&w, &plan)?;
                for c in plan.changes.iter().filter(|c| c.blocked.is_some()) {
                    prop_assert!(c.steps.is_empty());
                }
            }
            Err(e) => {
                for p in e.problems() {
                    prop_assert!(
                        !matches!(
                            p,
                            auraform::plan::PlanError::ImmutableChange { .. }
                                | auraform::plan::PlanError::ReplaceForbidden { .. }
                                | auraform::plan::PlanError::PinnedReplace { .. }
                        ),
                        "report-only plan failed with {p:?}"
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A file compared with itself (offline `diff`) shows nothing.
    #[test]
    fn a_file_against_itself_has_no_drift(w in world()) {
        let live = Live::from_desired(&w.desired);
        let plan = auraform::plan::plan(&w.desired, &live, &PlanOptions::report_only());
        prop_assert!(plan.is_ok(), "{:?}", plan.err());
        let plan = plan.unwrap();
        prop_assert!(!plan.has_drift(), "{plan:#?}");
    }
}
