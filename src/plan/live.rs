//! The live model: what the API said about a project, in a shape the differ can put
//! next to [`DesiredInstance`](crate::config::DesiredInstance).
//!
//! Every field the API may omit is an `Option`, and `None` means *unknown*: the differ
//! never reports a difference on it (docs/aura-api.md §3.3, §9.6–9.7). That is the whole
//! defence against the phantom diffs the Terraform provider showed for CDC and
//! secondaries.

use crate::api::LiveProject;
use crate::api::wire::{Instance, InstanceSummary};
use crate::aura::{CdcEnrichmentMode, CloudProvider, InstanceStatus, InstanceType};
use crate::config::{Desired, DesiredState};

use super::model::{PlanOptions, ProjectRef};

/// Whether a plan of `desired` with `opts` needs the details of a listed instance: the
/// file names it, pins it, or clones from it, or it may be pruned (`--prune`; the
/// file's own `prune: true` counts too), since deleting a busy instance must wait for
/// it first. Only those are fetched, so without prune the request count stays at
/// N + 3 for N declared instances, and a saved plan and its apply look at the same
/// instances.
///
/// A destroy plan (`opts.destroy`) needs only the declared instances: it never prunes.
pub fn needs_details(desired: &Desired, opts: &PlanOptions, s: &InstanceSummary) -> bool {
    (!opts.destroy && (opts.prune || desired.prune))
        || desired.instances.contains_key(&s.name)
        || desired.instances.values().any(|i| {
            i.id.as_deref() == Some(s.id.as_str())
                || i.source.as_ref().is_some_and(|src| src.instance == s.id)
        })
}

/// One live project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Live {
    pub project: ProjectRef,
    /// Every instance of the project (the list endpoint), in API order. Identity by
    /// name and the unmanaged list come from here.
    pub summaries: Vec<LiveSummary>,
    /// Details of the instances the plan needs (those aura.yaml declares by name or
    /// id), in API order.
    pub instances: Vec<LiveInstance>,
}

/// `id` and `name` of any instance of the project.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LiveSummary {
    pub id: String,
    pub name: String,
}

/// One live instance with its details. `None` = the API did not say.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LiveInstance {
    pub id: String,
    pub name: String,
    pub status: InstanceStatus,
    pub instance_type: InstanceType,
    pub cloud_provider: CloudProvider,
    pub region: String,
    pub version: Option<String>,
    pub memory: Option<String>,
    pub storage: Option<String>,
    pub vector_optimized: Option<bool>,
    pub graph_analytics_plugin: Option<bool>,
    pub secondaries_count: Option<u32>,
    pub cdc_enrichment_mode: Option<CdcEnrichmentMode>,
    pub customer_managed_key_id: Option<String>,
}

impl From<&Instance> for LiveInstance {
    fn from(i: &Instance) -> Self {
        LiveInstance {
            id: i.id.clone(),
            name: i.name.clone(),
            status: i.status.clone(),
            instance_type: i.instance_type.clone(),
            cloud_provider: i.cloud_provider.clone(),
            region: i.region.clone(),
            version: non_empty(i.version.as_ref()),
            memory: non_empty(i.memory.as_ref()),
            storage: non_empty(i.storage.as_ref()),
            vector_optimized: i.vector_optimized,
            graph_analytics_plugin: i.graph_analytics_plugin,
            secondaries_count: i.secondaries_count,
            cdc_enrichment_mode: i.cdc_enrichment_mode.clone(),
            customer_managed_key_id: non_empty(i.customer_managed_key_id.as_ref()),
        }
    }
}

/// An empty string from the API says as little as an absent one.
fn non_empty(s: Option<&String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty()).cloned()
}

impl Live {
    /// Builds the live model from what the API client fetched.
    ///
    /// Details that the list does not mention (an instance created between the two
    /// calls) are added to the summaries, so identity never misses an instance.
    pub fn from_project(snapshot: &LiveProject) -> Live {
        let mut summaries: Vec<LiveSummary> = snapshot
            .summaries
            .iter()
            .map(|s| LiveSummary {
                id: s.id.clone(),
                name: s.name.clone(),
            })
            .collect();
        let instances: Vec<LiveInstance> =
            snapshot.instances.iter().map(LiveInstance::from).collect();
        for i in &instances {
            match summaries.iter_mut().find(|s| s.id == i.id) {
                // The detail is newer than the list: trust its name (a rename may
                // have landed in between).
                Some(s) => s.name.clone_from(&i.name),
                None => summaries.push(LiveSummary {
                    id: i.id.clone(),
                    name: i.name.clone(),
                }),
            }
        }
        Live {
            project: ProjectRef {
                id: snapshot.tenant.id.clone(),
                name: snapshot.tenant.name.clone(),
            },
            summaries,
            instances,
        }
    }

    /// The world a desired state describes, as if it were live: for the offline
    /// `diff OLD NEW`, which plans `NEW` against `Live::from_desired(OLD)` (with
    /// [`PlanOptions::report_only`](super::PlanOptions::report_only)).
    ///
    /// Instances get their pinned id, or the stand-in id `file:<name>` when unpinned.
    /// Every value the file manages is "reported"; values it leaves unmanaged (`None`)
    /// stay unknown, exactly like fields the API omits.
    pub fn from_desired(desired: &Desired) -> Live {
        let instances: Vec<LiveInstance> = desired
            .instances
            .values()
            .map(|d| LiveInstance {
                id: d.id.clone().unwrap_or_else(|| format!("file:{}", d.name)),
                name: d.name.clone(),
                status: match d.state {
                    DesiredState::Running => InstanceStatus::Running,
                    DesiredState::Paused => InstanceStatus::Paused,
                },
                instance_type: d.instance_type.clone(),
                cloud_provider: d.cloud_provider.clone(),
                region: d.region.clone(),
                version: Some(d.version.clone()),
                memory: Some(d.memory.clone()),
                storage: d.storage.clone(),
                vector_optimized: Some(d.vector_optimized),
                graph_analytics_plugin: Some(d.graph_analytics_plugin),
                secondaries_count: d.secondaries_count,
                cdc_enrichment_mode: d.cdc_enrichment_mode.clone(),
                customer_managed_key_id: d.customer_managed_key_id.clone(),
            })
            .collect();
        Live {
            project: ProjectRef {
                id: desired.project.clone(),
                name: desired.project.clone(),
            },
            summaries: instances
                .iter()
                .map(|i| LiveSummary {
                    id: i.id.clone(),
                    name: i.name.clone(),
                })
                .collect(),
            instances,
        }
    }

    /// The details of instance `id`, if fetched.
    pub fn instance(&self, id: &str) -> Option<&LiveInstance> {
        self.instances.iter().find(|i| i.id == id)
    }

    /// Every instance (summary) called `name`.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a LiveSummary> + 'a {
        self.summaries.iter().filter(move |s| s.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wire::{InstanceSummary, Tenant};

    fn wire(id: &str, name: &str) -> Instance {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "status": "running", "tenant_id": "t",
            "cloud_provider": "gcp", "region": "europe-west1", "type": "free-db",
            "memory": "1GB", "connection_url": null, "version": ""
        }))
        .unwrap()
    }

    #[test]
    fn details_win_over_the_list_and_fill_its_gaps() {
        let snap = LiveProject {
            tenant: Tenant {
                id: "t".into(),
                name: "demo".into(),
                instance_configurations: vec![],
            },
            summaries: vec![InstanceSummary {
                id: "11111111".into(),
                name: "before-rename".into(),
                tenant_id: "t".into(),
                cloud_provider: CloudProvider::Gcp,
                created_at: None,
            }],
            instances: vec![wire("11111111", "after-rename"), wire("22222222", "new")],
        };
        let live = Live::from_project(&snap);
        let names: Vec<&str> = live.summaries.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["after-rename", "new"]);
        let i = live.instance("11111111").unwrap();
        // Omitted and empty values are unknown, not empty.
        assert_eq!(i.storage, None);
        assert_eq!(i.version, None);
        assert_eq!(i.cdc_enrichment_mode, None);
        assert_eq!(live.named("new").count(), 1);
    }
}
