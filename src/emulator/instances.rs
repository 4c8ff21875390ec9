//! Instance routes that create and read (docs/aura-api.md §3.2–3.5, §7): create (with
//! clone from an instance or a snapshot), get, list. PATCH lives in `patch`, the
//! operations on an existing instance in `lifecycle`, the sizing estimate in `sizing`, and
//! the checks they share against `instance_configurations` in `validate`.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;

use super::body;
use super::errors::Rejection;
use super::respond::{ApiResult, Shr, ok, visible};
use super::shared::lock;
use super::validate::{
    Wanted, check_graph_analytics_plugin, check_name, check_offered, check_vector, gb,
};
use super::world::{
    DataCopy, DataOrigin, InstanceRecord, MAX_INSTANCES_PER_PROJECT, OpKind, TenantRecord, World,
    durations,
};
use crate::api::wire::CreateInstanceRequest;
use crate::aura::{CdcEnrichmentMode, InstanceStatus};

/// Query parameter `tenantId` of `GET /instances`.
fn tenant_filter(query: Option<&str>) -> Option<String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or_default()).unwrap_or_default();
    pairs
        .into_iter()
        .find(|(k, _)| k == "tenantId")
        .map(|(_, v)| v)
}

pub(super) async fn list_instances(State(shared): Shr, RawQuery(query): RawQuery) -> ApiResult {
    let tenant = tenant_filter(query.as_deref());
    let world = shared.world();
    if let Some(t) = &tenant
        && world.tenant(t).is_none()
    {
        return Err(Rejection::tenant_not_found());
    }
    let list: Vec<_> = world
        .instances
        .values()
        .filter(|i| tenant.as_ref().is_none_or(|t| *t == i.tenant_id))
        .map(World::summary)
        .collect();
    ok(StatusCode::OK, list)
}

pub(super) async fn get_instance(State(shared): Shr, Path(id): Path<String>) -> ApiResult {
    let world = shared.world();
    let rec = visible(&world, &id, world.now())?;
    ok(StatusCode::OK, World::view(rec))
}

pub(super) async fn create_instance(State(shared): Shr, req: Body) -> ApiResult {
    let map = body::object(req).await?;
    for field in ["secondaries_count", "cdc_enrichment_mode"] {
        if map.contains_key(field) {
            return Err(Rejection::invalid(
                field,
                format!(
                    "{field} cannot be set when creating an instance; set it with PATCH \
                     /instances/{{instanceId}} once the instance is running"
                ),
            ));
        }
    }
    let req: CreateInstanceRequest = body::typed(map)?;
    check_name(&req.name)?;
    let mut world = shared.world();
    let now = world.now();
    let tenant = world
        .tenant(&req.tenant_id)
        .ok_or_else(|| Rejection::tenant_not_found().with_field("tenant_id"))?
        .clone();
    let storage = check_create(&world, &tenant, &req)?;
    let vector_optimized = req.vector_optimized.unwrap_or(false);
    let graph_analytics_plugin = req.graph_analytics_plugin.unwrap_or(false);
    let (graph_nodes, graph_relationships, data_from) = clone_source(&world, &req, &tenant, now)?;

    let id = world.new_instance_id();
    let password = world.new_password();
    world.created_total += 1;
    let hidden = lock(&shared.faults).hide_new_instance();
    let rec = InstanceRecord {
        id: id.clone(),
        name: req.name,
        tenant_id: tenant.id.clone(),
        cloud_provider: req.cloud_provider,
        region: req.region,
        instance_type: req.instance_type,
        version: req.version,
        memory: req.memory,
        storage,
        vector_optimized,
        graph_analytics_plugin,
        secondaries_count: 0,
        cdc_enrichment_mode: CdcEnrichmentMode::Off,
        graph_nodes,
        graph_relationships,
        created_ms: now,
        status: InstanceStatus::Creating,
        op: None,
        hidden_until_ms: hidden
            .then(|| now.saturating_add(world.duration_ms(durations::NOT_YET_VISIBLE))),
        data_from,
        snapshot_outcome: None,
    };
    world.instances.insert(id.clone(), rec);
    world.begin(
        &id,
        InstanceStatus::Creating,
        OpKind::Create,
        durations::CREATE,
        now,
    );
    let created = world
        .instances
        .get(&id)
        .map(|rec| World::created_view(rec, password));
    drop(world);
    match created {
        Some(c) => ok(StatusCode::ACCEPTED, c),
        None => Err(Rejection::db_not_found(&id)),
    }
}

/// The checks of a create once the project is known, in this order (the first failing
/// one answers): the project's
/// instance limit, the offer (returning the storage that goes with the memory), vector
/// optimisation, the Graph Analytics plugin, the customer-managed key.
fn check_create(
    world: &World,
    tenant: &TenantRecord,
    req: &CreateInstanceRequest,
) -> Result<String, Rejection> {
    let count = world
        .instances
        .values()
        .filter(|i| i.tenant_id == tenant.id)
        .count();
    if count >= MAX_INSTANCES_PER_PROJECT {
        return Err(Rejection::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "max-instances-reached",
            format!(
                "Creating instances is not permitted: project {} has reached its maximum of \
                 {MAX_INSTANCES_PER_PROJECT} instances",
                tenant.name
            ),
        ));
    }
    let storage = check_offered(
        world,
        tenant,
        &Wanted {
            instance_type: &req.instance_type,
            cloud: &req.cloud_provider,
            region: &req.region,
            version: &req.version,
            memory: &req.memory,
            storage: req.storage.as_deref(),
        },
    )?;
    if req.vector_optimized.unwrap_or(false) {
        check_vector(&req.memory, "vector_optimized")?;
    }
    if req.graph_analytics_plugin.unwrap_or(false) {
        check_graph_analytics_plugin(&req.instance_type)?;
    }
    if let Some(key) = &req.customer_managed_key_id {
        // No key exists in the emulator (CMKs are not emulated).
        return Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            "encryption-key-not-found",
            format!("Encryption Key not found: {key}"),
        )
        .with_field("customer_managed_key_id"));
    }
    Ok(storage)
}

/// Checks `source_instance_id` / `source_snapshot_id` of a create (a clone) and returns
/// the graph counts the new instance starts with, and where its data comes from.
fn clone_source(
    world: &World,
    req: &CreateInstanceRequest,
    tenant: &TenantRecord,
    now: i64,
) -> Result<(u64, u64, Option<DataOrigin>), Rejection> {
    let Some(source_id) = &req.source_instance_id else {
        if req.source_snapshot_id.is_some() {
            return Err(Rejection::invalid(
                "source_instance_id",
                "source_instance_id is required with source_snapshot_id",
            ));
        }
        return Ok((0, 0, None));
    };
    let source = world
        .instances
        .get(source_id)
        .filter(|s| s.tenant_id == tenant.id && s.status != InstanceStatus::Destroying)
        .ok_or_else(|| Rejection::db_not_found(source_id).with_field("source_instance_id"))?;
    if gb(&source.memory) > gb(&req.memory) {
        return Err(Rejection::invalid(
            "memory",
            format!(
                "Cannot clone database {} ({}) into a smaller instance ({})",
                source.id, source.memory, req.memory
            ),
        ));
    }
    if let Some(sid) = &req.source_snapshot_id {
        let snap = world
            .snapshots
            .iter()
            .find(|s| s.snapshot_id == *sid && s.instance_id == source.id)
            .ok_or_else(|| Rejection::snapshot_not_found(sid).with_field("source_snapshot_id"))?;
        let view = World::snapshot_view(snap, now);
        if !view.exportable || !World::snapshot_usable(snap, now) {
            return Err(Rejection::invalid(
                "source_snapshot_id",
                format!("Snapshot {sid} is not an exportable completed snapshot"),
            ));
        }
    }
    let origin = DataOrigin {
        by: DataCopy::Clone,
        instance_id: source.id.clone(),
        snapshot_id: req.source_snapshot_id.clone(),
    };
    Ok((source.graph_nodes, source.graph_relationships, Some(origin)))
}
