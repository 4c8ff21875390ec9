//! A model of what applying a plan does to the live project, used by the property
//! tests ("apply, then plan again: no changes") and by anyone who wants to preview
//! the world after a plan (e.g. offline `diff`). It follows the API's behaviour as
//! docs/aura-api.md describes it: a create starts `running` with the body's values
//! and the toggles off unless sent, PATCH sets what it sends, pause/resume flip the
//! status, upgrade sets `business-critical`, delete removes the instance, a wait lets
//! the instance settle where the step expects it, a snapshot changes nothing.

use crate::api::wire::{CreateInstanceRequest, PatchInstanceRequest};
use crate::aura::tiers;
use crate::aura::{InstanceStatus, InstanceType};

use super::live::{Live, LiveInstance, LiveSummary};
use super::model::{Expectation, Plan, StepAction, StepRequest};

/// The live project after every step of `plan` succeeded. New instances get ids
/// `new00000`, `new00001`, … (unique within the result).
pub fn apply_effect(live: &Live, plan: &Plan) -> Live {
    let mut out = live.clone();
    let mut counter = 0usize;
    for change in &plan.changes {
        let mut current: Option<String> = change.id.clone();
        for step in &change.steps {
            match step.action {
                StepAction::Wait => {
                    let Some(id) = step.instance_id.as_deref() else {
                        continue;
                    };
                    match &step.expect {
                        Expectation::Gone => remove(&mut out, id),
                        Expectation::Status { status, .. } => {
                            if let Some(i) = get(&mut out, id) {
                                i.status = status.to_wire();
                            }
                        }
                        Expectation::SnapshotCompleted => {}
                    }
                }
                StepAction::Create => {
                    let Some(StepRequest::Create(body)) = &step.request else {
                        continue;
                    };
                    current = Some(create(&mut out, &mut counter, body));
                }
                StepAction::Update => {
                    let Some(StepRequest::Patch(p)) = &step.request else {
                        continue;
                    };
                    if let Some(id) = step.instance_id.as_ref().or(current.as_ref()) {
                        apply_patch(&mut out, &id.clone(), p);
                    }
                }
                StepAction::Upgrade => {
                    let Some(i) = target(&mut out, step.instance_id.as_ref(), current.as_ref())
                    else {
                        continue;
                    };
                    i.instance_type = InstanceType::BusinessCritical;
                    if let Some(StepRequest::Upgrade(u)) = &step.request {
                        if let Some(m) = &u.memory {
                            i.memory = Some(m.clone());
                        }
                        if let Some(s) = &u.storage {
                            i.storage = Some(s.clone());
                        }
                    }
                }
                StepAction::Pause | StepAction::Resume => {
                    let Some(i) = target(&mut out, step.instance_id.as_ref(), current.as_ref())
                    else {
                        continue;
                    };
                    i.status = if step.action == StepAction::Pause {
                        InstanceStatus::Paused
                    } else {
                        InstanceStatus::Running
                    };
                }
                StepAction::Delete => {
                    if let Some(id) = step.instance_id.as_deref() {
                        remove(&mut out, id);
                    }
                }
                // A restore point changes nothing an instance reports.
                StepAction::Snapshot => {}
            }
        }
    }
    out
}

/// Adds the instance a create body makes, with the next free `newNNNNN` id (which it
/// returns): `running`, the body's values, storage as the tier defaults it, and the
/// toggles off unless sent.
fn create(out: &mut Live, counter: &mut usize, body: &CreateInstanceRequest) -> String {
    let id = loop {
        let id = format!("new{:05}", *counter);
        *counter += 1;
        if !out.summaries.iter().any(|s| s.id == id) {
            break id;
        }
    };
    let storage = body
        .storage
        .clone()
        .or_else(|| tiers::has_storage(&body.instance_type).then(|| double_size(&body.memory)));
    out.summaries.push(LiveSummary {
        id: id.clone(),
        name: body.name.clone(),
    });
    out.instances.push(LiveInstance {
        id: id.clone(),
        name: body.name.clone(),
        status: InstanceStatus::Running,
        instance_type: body.instance_type.clone(),
        cloud_provider: body.cloud_provider.clone(),
        region: body.region.clone(),
        version: Some(body.version.clone()),
        memory: Some(body.memory.clone()),
        storage,
        vector_optimized: Some(body.vector_optimized.unwrap_or(false)),
        graph_analytics_plugin: Some(body.graph_analytics_plugin.unwrap_or(false)),
        // The API may never report these (docs/aura-api.md §9.6).
        secondaries_count: None,
        cdc_enrichment_mode: None,
        customer_managed_key_id: body.customer_managed_key_id.clone(),
    });
    id
}

fn double_size(memory: &str) -> String {
    memory
        .trim_end_matches("GB")
        .parse::<u32>()
        .map_or_else(|_| memory.to_owned(), |n| format!("{}GB", n * 2))
}

fn get<'a>(live: &'a mut Live, id: &str) -> Option<&'a mut LiveInstance> {
    live.instances.iter_mut().find(|i| i.id == id)
}

fn target<'a>(
    live: &'a mut Live,
    step_id: Option<&String>,
    current: Option<&String>,
) -> Option<&'a mut LiveInstance> {
    let id = step_id.or(current)?.clone();
    get(live, &id)
}

/// Applies a PATCH body: exactly the fields it sends.
fn apply_patch(live: &mut Live, id: &str, p: &PatchInstanceRequest) {
    if let Some(name) = &p.name
        && let Some(s) = live.summaries.iter_mut().find(|s| s.id == id)
    {
        s.name.clone_from(name);
    }
    let Some(i) = get(live, id) else { return };
    if let Some(v) = &p.name {
        i.name.clone_from(v);
    }
    if let Some(v) = &p.memory {
        i.memory = Some(v.clone());
    }
    if let Some(v) = &p.storage {
        i.storage = Some(v.clone());
    }
    if let Some(v) = p.vector_optimized {
        i.vector_optimized = Some(v);
    }
    if let Some(v) = p.graph_analytics_plugin {
        i.graph_analytics_plugin = Some(v);
    }
    if let Some(v) = p.secondaries_count {
        i.secondaries_count = Some(v);
    }
    if let Some(v) = &p.cdc_enrichment_mode {
        i.cdc_enrichment_mode = Some(v.clone());
    }
}

fn remove(live: &mut Live, id: &str) {
    live.instances.retain(|i| i.id != id);
    live.summaries.retain(|s| s.id != id);
}
