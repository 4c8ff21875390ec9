//! One live project as the API described it: everything a plan needs, fetched once
//! ([`super::AuraClient::fetch_project`]). Not to be confused with an Aura snapshot (a
//! backup of an instance, [`super::wire::Snapshot`]).

use super::wire::{Instance, InstanceSummary, Tenant};

/// What the API said about a project at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveProject {
    /// The project with its `instance_configurations`.
    pub tenant: Tenant,
    /// Every instance of the project (`GET /instances?tenantId=`), in API order.
    pub summaries: Vec<InstanceSummary>,
    /// Details (`GET /instances/{id}`) of the instances that matter to the plan: those
    /// whose name or id aura.yaml declares. Instances that vanished between the list
    /// and the GET (404) are left out.
    pub instances: Vec<Instance>,
}
