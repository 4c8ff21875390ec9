//! The emulated world: projects (tenants), instances and snapshots, and the lifecycle
//! clock that moves instances through their statuses.
//!
//! Every asynchronous operation is an [`Operation`] with a due time in unix milliseconds.
//! [`World::advance`] completes whatever is due; it runs on every request and on a
//! background tick, so what a client sees is exact whatever the tick rate. Times are
//! wall-clock (see [`Clock`]) because the world is persisted (`--state`): an operation in
//! flight when the emulator stopped completes at the same moment after a restart, or at
//! once if that moment has passed.
//!
//! Field presence follows docs/aura-api.md §3.3 and lives in one place,
//! [`World::view`]: no `storage` for free-db, `memory` absent while destroying, `connection_url` empty while
//! paused, graph counts (numbers) for free-db only, the old `memory` while updating.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::api::wire::{
    CreatedInstance, Instance, InstanceSummary, Snapshot, Tenant, TenantSummary, WireSecret,
};
use crate::aura::{
    CdcEnrichmentMode, CloudProvider, InstanceConfiguration, InstanceStatus, InstanceType,
    SnapshotProfile, SnapshotStatus,
};
use crate::aura::{catalogue, tiers};

/// Lifecycle durations at speed 1, in seconds (docs/emulator.md).
pub(crate) mod durations {
    pub(crate) const CREATE: f64 = 120.0;
    pub(crate) const RESIZE: f64 = 90.0;
    pub(crate) const PAUSE: f64 = 60.0;
    pub(crate) const RESUME: f64 = 90.0;
    pub(crate) const DELETE: f64 = 30.0;
    pub(crate) const OVERWRITE: f64 = 60.0;
    pub(crate) const RESTORE: f64 = 60.0;
    pub(crate) const SNAPSHOT: f64 = 30.0;
    /// How long a just-created instance may answer 404 when that fault is drawn.
    pub(crate) const NOT_YET_VISIBLE: f64 = 15.0;
}

/// The most instances one project may hold; beyond it, create answers 405 as the API
/// does when a maximum is reached. High enough for the 1,000-instance benchmark.
pub(crate) const MAX_INSTANCES_PER_PROJECT: usize = 2000;

/// Milliseconds since the Unix epoch, by the system clock.
fn wall_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// The world's clock: wall-clock milliseconds (what is persisted and shown as
/// `created_at`), advanced by tokio's clock since the world was loaded. In a normal
/// runtime that is the wall clock; under tokio's paused time (tests) the lifecycle moves
/// with virtual time, so `tokio::time::advance` or auto-advance completes operations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    wall0: i64,
    mono0: tokio::time::Instant,
}

impl Clock {
    pub(crate) fn start() -> Self {
        Self {
            wall0: wall_ms(),
            mono0: tokio::time::Instant::now(),
        }
    }

    pub(crate) fn now_ms(&self) -> i64 {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.mono0);
        self.wall0
            .saturating_add(i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
    }
}

/// RFC3339 UTC with `Z` and no fractional seconds, as the API writes timestamps.
pub(crate) fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// A project and the tiers it offers; its `instance_configurations` are the catalogue's
/// cross-product for those tiers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct TenantRecord {
    pub id: String,
    pub name: String,
    pub types: Vec<InstanceType>,
}

/// What an asynchronous operation will do when it completes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum OpKind {
    Create,
    /// A PATCH other than a rename: the new values apply only at the end.
    Update {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        memory: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        storage: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vector_optimized: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        graph_analytics_plugin: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secondaries_count: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cdc_enrichment_mode: Option<CdcEnrichmentMode>,
    },
    Pause,
    Resume,
    Delete,
    /// Overwrite from another instance: the data (graph counts) arrive at the end.
    Overwrite {
        graph_nodes: u64,
        graph_relationships: u64,
        /// Where the data comes from (absent in worlds saved before lineage existed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<DataOrigin>,
    },
    /// Restore in place from one of the instance's snapshots.
    Restore {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        snapshot_id: Option<String>,
    },
}

/// Where an instance's data came from: the emulator's data lineage, so tests can see
/// data survive a replacement (docs/emulator.md §14). A fresh create has none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DataOrigin {
    /// `clone` (a create with `source_instance_id`), `restore` (a snapshot restored in
    /// place) or `overwrite`.
    pub by: DataCopy,
    /// The instance whose data was copied.
    pub instance_id: String,
    /// The snapshot it was copied from, when it was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
}

/// How data was copied into an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum DataCopy {
    Clone,
    Restore,
    Overwrite,
}

/// An operation in flight and when it completes (unix ms, wall clock).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Operation {
    #[serde(flatten)]
    pub kind: OpKind,
    pub due_ms: i64,
}

/// One instance as the emulator keeps it (a superset of what GET shows).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct InstanceRecord {
    pub id: String,
    pub name: String,
    pub tenant_id: String,
    pub cloud_provider: CloudProvider,
    pub region: String,
    #[serde(rename = "type")]
    pub instance_type: InstanceType,
    pub version: String,
    pub memory: String,
    pub storage: String,
    pub vector_optimized: bool,
    pub graph_analytics_plugin: bool,
    pub secondaries_count: u32,
    pub cdc_enrichment_mode: CdcEnrichmentMode,
    pub graph_nodes: u64,
    pub graph_relationships: u64,
    pub created_ms: i64,
    pub status: InstanceStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<Operation>,
    /// Until then (unix ms), GET answers 404: the "just created, not yet visible" fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden_until_ms: Option<i64>,
    /// Where its data came from; `None` for a fresh create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_from: Option<DataOrigin>,
    /// How its on-demand snapshots end (set by the admin route; default `Completed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_outcome: Option<SnapshotStatus>,
}

/// One snapshot; it is `InProgress` until `completes_ms`, then `Completed`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SnapshotRecord {
    pub snapshot_id: String,
    pub instance_id: String,
    pub profile: SnapshotProfile,
    pub taken_ms: i64,
    pub completes_ms: i64,
    /// How it ends at `completes_ms` (absent: `Completed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<SnapshotStatus>,
    /// What the instance was when the snapshot was taken (absent in older worlds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_of: Option<TakenOf>,
}

/// The instance as a snapshot saw it: its tier, size and data lineage then.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TakenOf {
    #[serde(rename = "type")]
    pub instance_type: InstanceType,
    pub memory: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_from: Option<DataOrigin>,
}

/// The whole world. Guarded by one mutex in the server; no method awaits.
pub(crate) struct World {
    pub tenants: Vec<TenantRecord>,
    /// Each project's `instance_configurations`, built once (thousands of rows for `demo`).
    pub configs: HashMap<String, Arc<Vec<InstanceConfiguration>>>,
    pub clock: Clock,
    pub instances: IndexMap<String, InstanceRecord>,
    pub snapshots: Vec<SnapshotRecord>,
    pub rng: StdRng,
    pub speed: f64,
    /// Instances ever created here; persisted and mixed into the RNG seed on reload so a
    /// resumed seeded world does not replay the ids and passwords it already handed out.
    pub created_total: u64,
}

/// A random RFC 4122 v4 UUID drawn from `rng` (deterministic under `--seed`).
pub(crate) fn uuid_from(rng: &mut StdRng) -> String {
    let bytes: [u8; 16] = rng.random();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The RNG for ids and passwords: seeded when asked, else from the OS.
pub(crate) fn world_rng(seed: Option<u64>, salt: u64) -> StdRng {
    match seed {
        Some(s) => StdRng::seed_from_u64(s ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        None => rand::make_rng(),
    }
}

impl World {
    /// A fresh world with the two seeded projects: `demo` (every tier, every cloud) and
    /// `free-only` (free-db only).
    pub(crate) fn seeded(seed: Option<u64>, speed: f64) -> Self {
        let mut rng = world_rng(seed, 0);
        let demo_types: Vec<InstanceType> = InstanceType::KNOWN.to_vec();
        let tenants = vec![
            TenantRecord {
                id: uuid_from(&mut rng),
                name: "demo".to_owned(),
                types: demo_types,
            },
            TenantRecord {
                id: uuid_from(&mut rng),
                name: "free-only".to_owned(),
                types: vec![InstanceType::FreeDb],
            },
        ];
        Self::assemble(tenants, IndexMap::new(), Vec::new(), rng, speed, 0)
    }

    /// A world from its parts, with the derived state (configurations, clock) rebuilt.
    pub(crate) fn assemble(
        tenants: Vec<TenantRecord>,
        instances: IndexMap<String, InstanceRecord>,
        snapshots: Vec<SnapshotRecord>,
        rng: StdRng,
        speed: f64,
        created_total: u64,
    ) -> Self {
        let configs = tenants
            .iter()
            .map(|t| (t.id.clone(), Arc::new(catalogue::configurations(&t.types))))
            .collect();
        Self {
            tenants,
            configs,
            clock: Clock::start(),
            instances,
            snapshots,
            rng,
            speed,
            created_total,
        }
    }

    /// Now, in unix milliseconds, by the world's clock.
    pub(crate) fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// A lifecycle duration at the current speed, in milliseconds: at least 1, and at
    /// most ~285,000 years (a vanishingly small speed), far from overflow.
    pub(crate) fn duration_ms(&self, base_secs: f64) -> i64 {
        const LONGEST: f64 = 9e15;
        let ms = (base_secs * 1000.0 / self.speed).round();
        if ms.is_nan() || ms < 1.0 {
            1
        } else {
            ms.min(LONGEST) as i64
        }
    }

    /// Completes every operation due at `now`. Returns whether anything changed.
    pub(crate) fn advance(&mut self, now: i64) -> bool {
        let mut changed = false;
        let mut gone = Vec::new();
        for rec in self.instances.values_mut() {
            if rec.hidden_until_ms.is_some_and(|t| t <= now) {
                rec.hidden_until_ms = None;
                changed = true;
            }
            let Some(op) = rec.op.take_if(|op| op.due_ms <= now) else {
                continue;
            };
            changed = true;
            rec.status = InstanceStatus::Running;
            match op.kind {
                OpKind::Create | OpKind::Resume => {}
                OpKind::Restore { snapshot_id } => {
                    rec.data_from = Some(DataOrigin {
                        by: DataCopy::Restore,
                        instance_id: rec.id.clone(),
                        snapshot_id,
                    });
                }
                OpKind::Update {
                    memory,
                    storage,
                    vector_optimized,
                    graph_analytics_plugin,
                    secondaries_count,
                    cdc_enrichment_mode,
                } => {
                    if let Some(m) = memory {
                        rec.memory = m;
                    }
                    if let Some(s) = storage {
                        rec.storage = s;
                    }
                    if let Some(v) = vector_optimized {
                        rec.vector_optimized = v;
                    }
                    if let Some(g) = graph_analytics_plugin {
                        rec.graph_analytics_plugin = g;
                    }
                    if let Some(n) = secondaries_count {
                        rec.secondaries_count = n;
                    }
                    if let Some(c) = cdc_enrichment_mode {
                        rec.cdc_enrichment_mode = c;
                    }
                }
                OpKind::Pause => rec.status = InstanceStatus::Paused,
                OpKind::Delete => gone.push(rec.id.clone()),
                OpKind::Overwrite {
                    graph_nodes,
                    graph_relationships,
                    from,
                } => {
                    rec.graph_nodes = graph_nodes;
                    rec.graph_relationships = graph_relationships;
                    if from.is_some() {
                        rec.data_from = from;
                    }
                }
            }
        }
        for id in &gone {
            self.instances.shift_remove(id);
        }
        if !gone.is_empty() {
            self.snapshots.retain(|s| !gone.contains(&s.instance_id));
        }
        changed
    }

    pub(crate) fn tenant(&self, id: &str) -> Option<&TenantRecord> {
        self.tenants.iter().find(|t| t.id == id)
    }

    /// The project's offered combinations (`instance_configurations`).
    pub(crate) fn configurations(&self, tenant: &TenantRecord) -> Arc<Vec<InstanceConfiguration>> {
        self.configs
            .get(&tenant.id)
            .cloned()
            .unwrap_or_else(|| Arc::new(catalogue::configurations(&tenant.types)))
    }

    pub(crate) fn tenant_view(&self, tenant: &TenantRecord) -> Tenant {
        Tenant {
            id: tenant.id.clone(),
            name: tenant.name.clone(),
            instance_configurations: self.configurations(tenant).as_ref().clone(),
        }
    }

    pub(crate) fn tenant_summaries(&self) -> Vec<TenantSummary> {
        self.tenants
            .iter()
            .map(|t| TenantSummary {
                id: t.id.clone(),
                name: t.name.clone(),
            })
            .collect()
    }

    /// A fresh 8-lowercase-hex instance id not in use.
    pub(crate) fn new_instance_id(&mut self) -> String {
        loop {
            let n: u32 = self.rng.random();
            let id = format!("{n:08x}");
            if !self.instances.contains_key(&id) {
                return id;
            }
        }
    }

    /// A random password in the style Aura hands out (43 alphanumeric characters).
    pub(crate) fn new_password(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..43)
            .map(|_| char::from(ALPHABET[self.rng.random_range(0..ALPHABET.len())]))
            .collect()
    }

    pub(crate) fn connection_url(id: &str) -> String {
        format!("neo4j+s://{id}.databases.neo4j.io")
    }

    /// The instance as `GET /instances/{id}` shows it, with per-tier field presence.
    pub(crate) fn view(rec: &InstanceRecord) -> Instance {
        let t = &rec.instance_type;
        let has_metrics = tiers::has_metrics_integration(t);
        let connection_url = if rec.status == InstanceStatus::Paused {
            String::new()
        } else {
            Self::connection_url(&rec.id)
        };
        Instance {
            id: rec.id.clone(),
            name: rec.name.clone(),
            status: rec.status.clone(),
            tenant_id: rec.tenant_id.clone(),
            cloud_provider: rec.cloud_provider.clone(),
            connection_url: Some(connection_url),
            metrics_integration_url: has_metrics.then(|| {
                format!(
                    "https://customer-metrics-api.neo4j.io/api/v1/{}/{}/metrics",
                    rec.tenant_id, rec.id
                )
            }),
            region: rec.region.clone(),
            instance_type: rec.instance_type.clone(),
            memory: (rec.status != InstanceStatus::Destroying).then(|| rec.memory.clone()),
            storage: tiers::has_storage(t).then(|| rec.storage.clone()),
            created_at: Some(rfc3339(rec.created_ms)),
            // The v1 Instance schema has no `version`; the live API does not send it.
            version: None,
            vector_optimized: Some(rec.vector_optimized),
            graph_analytics_plugin: tiers::has_graph_analytics_plugin(t)
                .then_some(rec.graph_analytics_plugin),
            secondaries_count: tiers::has_secondaries(t).then_some(rec.secondaries_count),
            cdc_enrichment_mode: tiers::has_cdc(t).then(|| rec.cdc_enrichment_mode.clone()),
            customer_managed_key_id: None,
            graph_nodes: tiers::reports_graph_counts(t)
                .then_some(crate::api::wire::LenientCount(rec.graph_nodes)),
            graph_relationships: tiers::reports_graph_counts(t)
                .then_some(crate::api::wire::LenientCount(rec.graph_relationships)),
        }
    }

    pub(crate) fn summary(rec: &InstanceRecord) -> InstanceSummary {
        InstanceSummary {
            id: rec.id.clone(),
            name: rec.name.clone(),
            tenant_id: rec.tenant_id.clone(),
            cloud_provider: rec.cloud_provider.clone(),
            created_at: Some(rfc3339(rec.created_ms)),
        }
    }

    /// The create response: the only body that carries the password.
    pub(crate) fn created_view(rec: &InstanceRecord, password: String) -> CreatedInstance {
        CreatedInstance {
            id: rec.id.clone(),
            connection_url: Some(Self::connection_url(&rec.id)),
            username: "neo4j".to_owned(),
            password: WireSecret::new(password),
            tenant_id: rec.tenant_id.clone(),
            cloud_provider: rec.cloud_provider.clone(),
            region: rec.region.clone(),
            instance_type: rec.instance_type.clone(),
            name: rec.name.clone(),
            created_at: Some(rfc3339(rec.created_ms)),
            vector_optimized: Some(rec.vector_optimized),
        }
    }

    /// Starts an operation: sets the transitional status and the due time, and returns
    /// the instance as the 202 body shows it.
    pub(crate) fn begin(
        &mut self,
        id: &str,
        status: InstanceStatus,
        kind: OpKind,
        base_secs: f64,
        now: i64,
    ) -> Option<Instance> {
        let due_ms = now.saturating_add(self.duration_ms(base_secs));
        let rec = self.instances.get_mut(id)?;
        rec.status = status;
        rec.op = Some(Operation { kind, due_ms });
        Some(Self::view(rec))
    }

    pub(crate) fn snapshot_view(s: &SnapshotRecord, now: i64) -> Snapshot {
        let status = if now >= s.completes_ms {
            s.outcome.clone().unwrap_or(SnapshotStatus::Completed)
        } else {
            SnapshotStatus::InProgress
        };
        Snapshot {
            instance_id: s.instance_id.clone(),
            snapshot_id: s.snapshot_id.clone(),
            profile: s.profile.clone(),
            exportable: s.profile == SnapshotProfile::AdHoc && status != SnapshotStatus::Failed,
            status,
            timestamp: rfc3339(s.taken_ms),
        }
    }

    /// Whether snapshot `s` is usable as a source (restore, clone): it completed.
    pub(crate) fn snapshot_usable(s: &SnapshotRecord, now: i64) -> bool {
        Self::snapshot_view(s, now).status == SnapshotStatus::Completed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_scale_with_speed_and_stay_in_range() {
        let mut w = World::seeded(Some(1), 1.0);
        assert_eq!(w.duration_ms(durations::CREATE), 120_000);
        w.speed = 1000.0;
        assert_eq!(w.duration_ms(durations::CREATE), 120);
        w.speed = 1e300;
        assert_eq!(w.duration_ms(durations::CREATE), 1);
        w.speed = 1e-300;
        assert_eq!(w.duration_ms(durations::CREATE), 9_000_000_000_000_000);
    }

    #[test]
    fn seeded_worlds_repeat_and_ids_are_8_hex() {
        let mut a = World::seeded(Some(9), 1.0);
        let mut b = World::seeded(Some(9), 1.0);
        assert_eq!(a.tenants[0].id, b.tenants[0].id);
        let id = a.new_instance_id();
        assert_eq!(id, b.new_instance_id());
        assert_eq!(id.len(), 8);
        assert!(
            id.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        );
        assert_eq!(a.new_password(), b.new_password());
    }

    #[test]
    fn timestamps_are_rfc3339_without_fractions() {
        assert_eq!(rfc3339(1_674_222_282_123), "2023-01-20T13:44:42Z");
    }
}
