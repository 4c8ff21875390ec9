//! Builders for the differ's tests, in Rust: desired instances, live (wire) instances
//! and project snapshots, with defaults that match each other (and the emulator's for
//! the same create), so a test states only what differs.

use std::path::PathBuf;

use auraform::api::LiveProject;
use auraform::api::wire::{
    CdcEnrichmentMode, CloudProvider, Instance, InstanceStatus, InstanceSummary, InstanceType,
    Tenant,
};
use auraform::config::{Desired, DesiredInstance, DesiredState, Field, ReplaceMode, SourceRef};
use auraform::plan::{Live, Plan, PlanError, PlanOptions};
use indexmap::IndexMap;

pub const PROJECT_ID: &str = "6981ace7-efe8-4f5c-b7c5-267b5162ce91";
pub const PROJECT_NAME: &str = "demo";

/// A declared professional-db, gcp, europe-west1, version 5, 8GB, running.
pub fn di(name: &str) -> DesiredInstance {
    DesiredInstance {
        name: name.to_owned(),
        instance_type: InstanceType::ProfessionalDb,
        cloud_provider: CloudProvider::Gcp,
        region: "europe-west1".to_owned(),
        version: "5".to_owned(),
        memory: "8GB".to_owned(),
        storage: None,
        state: DesiredState::Running,
        vector_optimized: false,
        graph_analytics_plugin: false,
        secondaries_count: None,
        cdc_enrichment_mode: None,
        customer_managed_key_id: None,
        source: None,
        id: None,
        prevent_destroy: false,
        allow_replace: false,
        replace: ReplaceMode::default(),
        snapshot_before: Vec::new(),
        ignore_changes: Vec::new(),
    }
}

/// Chainable tweaks on a declared instance.
pub trait DesiredExt: Sized {
    fn with(self, f: impl FnOnce(&mut DesiredInstance)) -> Self;
    fn memory(self, m: &str) -> Self {
        self.with(|d| m.clone_into(&mut d.memory))
    }
    fn storage(self, s: &str) -> Self {
        self.with(|d| d.storage = Some(s.to_owned()))
    }
    fn paused(self) -> Self {
        self.with(|d| d.state = DesiredState::Paused)
    }
    fn ty(self, t: InstanceType) -> Self {
        self.with(|d| d.instance_type = t)
    }
    fn region(self, r: &str) -> Self {
        self.with(|d| r.clone_into(&mut d.region))
    }
    fn pin(self, id: &str) -> Self {
        self.with(|d| d.id = Some(id.to_owned()))
    }
    fn allow_replace(self) -> Self {
        self.with(|d| d.allow_replace = true)
    }
    fn prevent_destroy(self) -> Self {
        self.with(|d| d.prevent_destroy = true)
    }
    fn ignore(self, fields: &[Field]) -> Self {
        self.with(|d| d.ignore_changes = fields.to_vec())
    }
    fn cdc(self, m: CdcEnrichmentMode) -> Self {
        self.with(|d| d.cdc_enrichment_mode = Some(m))
    }
    fn secondaries(self, n: u32) -> Self {
        self.with(|d| d.secondaries_count = Some(n))
    }
    fn source(self, instance: &str) -> Self {
        self.with(|d| {
            d.source = Some(SourceRef {
                instance: instance.to_owned(),
                snapshot: None,
            });
        })
    }
}

impl DesiredExt for DesiredInstance {
    fn with(mut self, f: impl FnOnce(&mut DesiredInstance)) -> Self {
        f(&mut self);
        self
    }
}

pub fn desired(instances: Vec<DesiredInstance>) -> Desired {
    Desired {
        project: PROJECT_NAME.to_owned(),
        credentials_dir: PathBuf::from(".auraform/credentials"),
        credentials_file: true,
        credentials_command: None,
        prune: false,
        instances: instances
            .into_iter()
            .map(|d| (d.name.clone(), d))
            .collect::<IndexMap<_, _>>(),
    }
}

/// A live instance as `GET /instances/{id}` returns it, matching [`di`]'s defaults
/// (storage 16GB, toggles reported false, no CDC/secondaries reported, no version).
pub fn li(id: &str, name: &str) -> Instance {
    Instance {
        id: id.to_owned(),
        name: name.to_owned(),
        status: InstanceStatus::Running,
        tenant_id: PROJECT_ID.to_owned(),
        cloud_provider: CloudProvider::Gcp,
        connection_url: Some(format!("neo4j+s://{id}.databases.neo4j.io")),
        metrics_integration_url: None,
        region: "europe-west1".to_owned(),
        instance_type: InstanceType::ProfessionalDb,
        memory: Some("8GB".to_owned()),
        storage: Some("16GB".to_owned()),
        created_at: Some("2026-01-20T13:44:42Z".to_owned()),
        version: None,
        vector_optimized: Some(false),
        graph_analytics_plugin: Some(false),
        secondaries_count: None,
        cdc_enrichment_mode: None,
        customer_managed_key_id: None,
        graph_nodes: None,
        graph_relationships: None,
    }
}

pub trait LiveExt: Sized {
    fn with(self, f: impl FnOnce(&mut Instance)) -> Self;
    fn status(self, s: &str) -> Self {
        self.with(|i| i.status = InstanceStatus::parse(s))
    }
    fn memory(self, m: &str) -> Self {
        self.with(|i| i.memory = Some(m.to_owned()))
    }
    fn ty(self, t: InstanceType) -> Self {
        self.with(|i| i.instance_type = t)
    }
}

impl LiveExt for Instance {
    fn with(mut self, f: impl FnOnce(&mut Instance)) -> Self {
        f(&mut self);
        self
    }
}

/// A project snapshot: `detailed` instances are listed and detailed; `listed_only`
/// (id, name) pairs are only in the list (not declared, so not fetched).
pub fn snapshot(detailed: Vec<Instance>, listed_only: &[(&str, &str)]) -> LiveProject {
    let mut summaries: Vec<InstanceSummary> = detailed.iter().map(summary).collect();
    summaries.extend(listed_only.iter().map(|(id, name)| InstanceSummary {
        id: (*id).to_owned(),
        name: (*name).to_owned(),
        tenant_id: PROJECT_ID.to_owned(),
        cloud_provider: CloudProvider::Gcp,
        created_at: None,
    }));
    project(summaries, detailed)
}

/// A project snapshot as the pipeline fetches it: every instance listed in order, the
/// details of those `relevant` picks.
pub fn fetched(
    instances: Vec<Instance>,
    relevant: impl Fn(&InstanceSummary) -> bool,
) -> LiveProject {
    let summaries: Vec<InstanceSummary> = instances.iter().map(summary).collect();
    let detailed = instances
        .into_iter()
        .zip(&summaries)
        .filter(|(_, s)| relevant(s))
        .map(|(i, _)| i)
        .collect();
    project(summaries, detailed)
}

fn summary(i: &Instance) -> InstanceSummary {
    InstanceSummary {
        id: i.id.clone(),
        name: i.name.clone(),
        tenant_id: PROJECT_ID.to_owned(),
        cloud_provider: i.cloud_provider.clone(),
        created_at: i.created_at.clone(),
    }
}

fn project(summaries: Vec<InstanceSummary>, detailed: Vec<Instance>) -> LiveProject {
    LiveProject {
        tenant: Tenant {
            id: PROJECT_ID.to_owned(),
            name: PROJECT_NAME.to_owned(),
            instance_configurations: Vec::new(),
        },
        summaries,
        instances: detailed,
    }
}

pub fn live(detailed: Vec<Instance>, listed_only: &[(&str, &str)]) -> Live {
    Live::from_project(&snapshot(detailed, listed_only))
}

pub fn plan_of(d: &Desired, l: &Live) -> Result<Plan, PlanError> {
    auraform::plan::plan(d, l, &PlanOptions::default())
}

pub fn plan_ok(d: &Desired, l: &Live) -> Plan {
    match plan_of(d, l) {
        Ok(p) => p,
        Err(e) => panic!("expected a plan, got {e:?}"),
    }
}
