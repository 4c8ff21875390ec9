//! Instance routes and their rules (docs/aura-api.md §3.2–3.5, §7): create (with clone), get,
//! list, PATCH (rename now, resize at the end of `updating`), delete, pause, resume,
//! overwrite, upgrade, sizing — which operation is allowed in which status and tier, and
//! the validation of sizes against the project's `instance_configurations`.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;

use super::body;
use super::errors::Rejection;
use super::respond::{
    ApiResult, Shr, accepted, existing, idle, not_busy, ok, visible, wrong_state,
};
use super::shared::lock;
use super::world::{
    InstanceRecord, MAX_INSTANCES_PER_PROJECT, OpKind, TenantRecord, World, durations,
};
use crate::api::wire::{
    CreateInstanceRequest, OverwriteRequest, PatchInstanceRequest, SizingRequest, SizingResponse,
    UpgradeRequest,
};
use crate::aura::{CdcEnrichmentMode, CloudProvider, InstanceStatus, InstanceType};
use crate::aura::{catalogue, sizes, tiers};

// ---------------------------------------------------------------------------------------
// Validation shared by create, resize and upgrade

/// Names: 1–30 characters, no leading or trailing whitespace (spec).
fn check_name(name: &str) -> Result<(), Rejection> {
    let len = name.chars().count();
    if len == 0 || len > 30 {
        return Err(Rejection::invalid(
            "name",
            format!("name must be 1 to 30 characters long, not {len}"),
        ));
    }
    if name.trim() != name {
        return Err(Rejection::invalid(
            "name",
            "name must not start or end with whitespace",
        ));
    }
    Ok(())
}

/// What a create or resize asks for, checked against `instance_configurations`.
struct Wanted<'a> {
    instance_type: &'a InstanceType,
    cloud: &'a CloudProvider,
    region: &'a str,
    version: &'a str,
    memory: &'a str,
    storage: Option<&'a str>,
}

/// Finds the configuration row the request matches; the error names the first field that
/// narrows the offer to nothing. Returns the storage that goes with the memory.
fn check_offered(
    world: &World,
    tenant: &TenantRecord,
    w: &Wanted<'_>,
) -> Result<String, Rejection> {
    let rows = world.configurations(tenant);
    let rows: Vec<_> = rows
        .iter()
        .filter(|c| c.instance_type == *w.instance_type)
        .collect();
    if rows.is_empty() {
        return Err(Rejection::invalid(
            "type",
            format!(
                "Instance type {} is not available in project {}",
                w.instance_type, tenant.name
            ),
        ));
    }
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|c| c.cloud_provider == *w.cloud)
        .collect();
    if rows.is_empty() {
        return Err(Rejection::invalid(
            "cloud_provider",
            format!("{} is not offered on {}", w.instance_type, w.cloud),
        ));
    }
    let rows: Vec<_> = rows.into_iter().filter(|c| c.region == w.region).collect();
    if rows.is_empty() {
        return Err(Rejection::invalid(
            "region",
            format!(
                "Region {} is not available for {} on {}",
                w.region, w.instance_type, w.cloud
            ),
        ));
    }
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|c| c.version == w.version)
        .collect();
    if rows.is_empty() {
        return Err(Rejection::invalid(
            "version",
            format!(
                "Version {:?} is not available for {}",
                w.version, w.instance_type
            ),
        ));
    }
    let offered: Vec<&str> = rows.iter().map(|c| c.memory.as_str()).collect();
    let Some(row) = rows.iter().find(|c| c.memory == w.memory) else {
        return Err(Rejection::invalid(
            "memory",
            format!(
                "Memory {} is not available for {} in {}; offered: {}",
                w.memory,
                w.instance_type,
                w.region,
                offered.join(", ")
            ),
        ));
    };
    if let Some(storage) = w.storage
        && !rows
            .iter()
            .any(|c| c.memory == w.memory && c.storage == storage)
    {
        return Err(Rejection::invalid(
            "storage",
            format!(
                "Storage {storage} is not available with {} of memory; offered: {}",
                w.memory, row.storage
            ),
        ));
    }
    Ok(row.storage.clone())
}

fn gb(s: &str) -> u32 {
    sizes::parse_gb(s).unwrap_or(0)
}

fn check_vector(memory: &str, field: &str) -> Result<(), Rejection> {
    if !tiers::allows_vector_optimized(gb(memory)) {
        return Err(Rejection::invalid(
            field,
            format!("vector_optimized requires at least 4GB of memory, not {memory}"),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Instances

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
        &world,
        &tenant,
        &Wanted {
            instance_type: &req.instance_type,
            cloud: &req.cloud_provider,
            region: &req.region,
            version: &req.version,
            memory: &req.memory,
            storage: req.storage.as_deref(),
        },
    )?;
    let vector_optimized = req.vector_optimized.unwrap_or(false);
    if vector_optimized {
        check_vector(&req.memory, "vector_optimized")?;
    }
    let graph_analytics_plugin = req.graph_analytics_plugin.unwrap_or(false);
    if graph_analytics_plugin && !tiers::has_graph_analytics_plugin(&req.instance_type) {
        return Err(Rejection::incapable(format!(
            "The graph analytics plugin is available for professional-db only, not {}",
            req.instance_type
        ))
        .with_field("graph_analytics_plugin"));
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
    let (graph_nodes, graph_relationships) = clone_source(&world, &req, &tenant, now)?;

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

/// Checks `source_instance_id` / `source_snapshot_id` of a create (a clone) and returns
/// the graph counts the new instance starts with.
fn clone_source(
    world: &World,
    req: &CreateInstanceRequest,
    tenant: &TenantRecord,
    now: i64,
) -> Result<(u64, u64), Rejection> {
    let Some(source_id) = &req.source_instance_id else {
        if req.source_snapshot_id.is_some() {
            return Err(Rejection::invalid(
                "source_instance_id",
                "source_instance_id is required with source_snapshot_id",
            ));
        }
        return Ok((0, 0));
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
        if !view.exportable || now < snap.completes_ms {
            return Err(Rejection::invalid(
                "source_snapshot_id",
                format!("Snapshot {sid} is not an exportable completed snapshot"),
            ));
        }
    }
    Ok((source.graph_nodes, source.graph_relationships))
}

/// `PATCH /instances/{id}`: 200 + Instance for a rename only (immediate); 202 + Instance
/// (`updating`, old sizes) for anything else, which applies when the update completes.
/// A body that changes nothing answers 202 with the instance unchanged (Terraform sends
/// `{}` and expects 202).
pub(super) async fn patch_instance(
    State(shared): Shr,
    Path(id): Path<String>,
    req: Body,
) -> ApiResult {
    let req: PatchInstanceRequest = body::parse(req).await?;
    if let Some(name) = &req.name {
        check_name(name)?;
    }
    let mut world = shared.world();
    let now = world.now();
    let rec = idle(&world, &id)?.clone();
    let rename_only = PatchInstanceRequest {
        name: None,
        ..req.clone()
    }
    .is_empty();
    if rename_only {
        let Some(name) = req.name else {
            return ok(StatusCode::ACCEPTED, World::view(&rec));
        };
        let view = world.instances.get_mut(&id).map(|r| {
            r.name = name;
            World::view(r)
        });
        drop(world);
        return ok(StatusCode::OK, view);
    }
    let update = check_update(&world, &rec, &req)?;
    if let Some(name) = req.name
        && let Some(r) = world.instances.get_mut(&id)
    {
        r.name = name;
    }
    let view = if update == no_update() {
        world.instances.get(&id).map(World::view)
    } else {
        world.begin(
            &id,
            InstanceStatus::Updating,
            update,
            durations::RESIZE,
            now,
        )
    };
    drop(world);
    ok(StatusCode::ACCEPTED, view)
}

fn no_update() -> OpKind {
    OpKind::Update {
        memory: None,
        storage: None,
        vector_optimized: None,
        graph_analytics_plugin: None,
        secondaries_count: None,
        cdc_enrichment_mode: None,
    }
}

/// Validates the non-rename part of a PATCH and returns the update to apply at the end,
/// keeping only values that differ from the current ones.
fn check_update(
    world: &World,
    rec: &InstanceRecord,
    req: &PatchInstanceRequest,
) -> Result<OpKind, Rejection> {
    if rec.status != InstanceStatus::Running {
        return Err(wrong_state(rec, "change the configuration of"));
    }
    let resizable = tiers::can_resize(&rec.instance_type);
    let resizing = req.memory.as_ref().is_some_and(|m| *m != rec.memory)
        || req.storage.as_ref().is_some_and(|s| *s != rec.storage);
    if !resizable && resizing {
        let field = if req.memory.is_some() {
            "memory"
        } else {
            "storage"
        };
        return Err(Rejection::incapable("Free instances cannot be resized").with_field(field));
    }
    let memory = req.memory.clone().unwrap_or_else(|| rec.memory.clone());
    let mut storage = rec.storage.clone();
    if resizing {
        let tenant = world
            .tenant(&rec.tenant_id)
            .ok_or_else(Rejection::tenant_not_found)?;
        storage = check_offered(
            world,
            tenant,
            &Wanted {
                instance_type: &rec.instance_type,
                cloud: &rec.cloud_provider,
                region: &rec.region,
                version: &rec.version,
                memory: &memory,
                storage: req.storage.as_deref(),
            },
        )?;
    }
    let vector = req.vector_optimized.unwrap_or(rec.vector_optimized);
    if vector {
        let field = if req.vector_optimized == Some(true) {
            "vector_optimized"
        } else {
            "memory"
        };
        check_vector(&memory, field)?;
    }
    if req.graph_analytics_plugin.is_some()
        && !tiers::has_graph_analytics_plugin(&rec.instance_type)
    {
        return Err(Rejection::incapable(format!(
            "The graph analytics plugin is available for professional-db only, not {}",
            rec.instance_type
        ))
        .with_field("graph_analytics_plugin"));
    }
    if let Some(n) = req.secondaries_count {
        if !tiers::has_secondaries(&rec.instance_type) {
            return Err(Rejection::incapable(format!(
                "Secondaries are available for enterprise-db only, not {}",
                rec.instance_type
            ))
            .with_field("secondaries_count"));
        }
        if n > tiers::MAX_SECONDARIES {
            return Err(Rejection::invalid(
                "secondaries_count",
                format!("secondaries_count must be between 0 and 15, not {n}"),
            ));
        }
    }
    if let Some(mode) = &req.cdc_enrichment_mode {
        if !tiers::has_cdc(&rec.instance_type) {
            return Err(Rejection::incapable(format!(
                "CDC enrichment is available for business-critical and enterprise-db only, not {}",
                rec.instance_type
            ))
            .with_field("cdc_enrichment_mode"));
        }
        if matches!(mode, CdcEnrichmentMode::Other(_)) {
            return Err(Rejection::invalid(
                "cdc_enrichment_mode",
                format!("cdc_enrichment_mode must be OFF, DIFF or FULL, not {mode}"),
            ));
        }
    }
    Ok(OpKind::Update {
        memory: (memory != rec.memory).then_some(memory),
        storage: (storage != rec.storage).then_some(storage),
        vector_optimized: req.vector_optimized.filter(|v| *v != rec.vector_optimized),
        graph_analytics_plugin: req
            .graph_analytics_plugin
            .filter(|v| *v != rec.graph_analytics_plugin),
        secondaries_count: req
            .secondaries_count
            .filter(|n| *n != rec.secondaries_count),
        cdc_enrichment_mode: req
            .cdc_enrichment_mode
            .clone()
            .filter(|m| *m != rec.cdc_enrichment_mode),
    })
}

/// `DELETE /instances/{id}`: 202 once (`destroying`, no `memory`), then 404 — also for a
/// second DELETE while it is being destroyed, as the spec says the API "will respond with
/// error status codes for any other requests (most likely with 404)".
pub(super) async fn delete_instance(State(shared): Shr, Path(id): Path<String>) -> ApiResult {
    let world = shared.world();
    let now = world.now();
    let rec = existing(&world, &id)?;
    if rec.status == InstanceStatus::Destroying {
        return Err(Rejection::db_not_found(&id));
    }
    not_busy(rec)?;
    accepted(
        world,
        &id,
        InstanceStatus::Destroying,
        OpKind::Delete,
        durations::DELETE,
        now,
    )
}

pub(super) async fn pause(State(shared): Shr, Path(id): Path<String>, req: Body) -> ApiResult {
    body::object(req).await?;
    let world = shared.world();
    let now = world.now();
    let rec = idle(&world, &id)?;
    if !tiers::can_pause(&rec.instance_type) {
        // Undocumented code for this refusal; 400 as docs/aura-api.md §3.5 infers.
        return Err(Rejection::incapable("Free instances cannot be paused"));
    }
    if rec.status != InstanceStatus::Running {
        return Err(wrong_state(rec, "pause"));
    }
    accepted(
        world,
        &id,
        InstanceStatus::Pausing,
        OpKind::Pause,
        durations::PAUSE,
        now,
    )
}

pub(super) async fn resume(State(shared): Shr, Path(id): Path<String>, req: Body) -> ApiResult {
    body::object(req).await?;
    let world = shared.world();
    let now = world.now();
    let rec = idle(&world, &id)?;
    // Suspended instances (suspended by Aura) can be resumed too, as in the console.
    if !matches!(
        rec.status,
        InstanceStatus::Paused | InstanceStatus::Suspended
    ) {
        return Err(wrong_state(rec, "resume"));
    }
    accepted(
        world,
        &id,
        InstanceStatus::Resuming,
        OpKind::Resume,
        durations::RESUME,
        now,
    )
}

/// `POST /instances/{id}/overwrite`: 420 for free, 409 if busy, 500 when the target is
/// smaller than the source (the API's documented "size disparity"), else 202 `overwriting`.
pub(super) async fn overwrite(State(shared): Shr, Path(id): Path<String>, req: Body) -> ApiResult {
    let req: OverwriteRequest = body::parse(req).await?;
    let world = shared.world();
    let now = world.now();
    let rec = existing(&world, &id)?;
    if !tiers::can_snapshot(&rec.instance_type) {
        return Err(Rejection::new(
            StatusCode::from_u16(420).unwrap_or(StatusCode::BAD_REQUEST),
            "action-unsupported-for-tier",
            "Action unsupported for this tier of instance",
        ));
    }
    not_busy(rec)?;
    if rec.status != InstanceStatus::Running {
        return Err(wrong_state(rec, "overwrite"));
    }
    let source = world
        .instances
        .get(&req.source_instance_id)
        .filter(|s| s.tenant_id == rec.tenant_id && s.status != InstanceStatus::Destroying)
        .ok_or_else(|| {
            Rejection::db_not_found(&req.source_instance_id).with_field("source_instance_id")
        })?;
    if gb(&source.memory) > gb(&rec.memory) {
        return Err(Rejection::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "db-overwrite-size-disparity",
            format!(
                "Cannot clone database {} into smaller database {}.",
                source.id, rec.id
            ),
        ));
    }
    if let Some(sid) = &req.source_snapshot_id {
        let found = world
            .snapshots
            .iter()
            .any(|s| s.snapshot_id == *sid && s.instance_id == source.id && now >= s.completes_ms);
        if !found {
            return Err(Rejection::snapshot_not_found(sid).with_field("source_snapshot_id"));
        }
    }
    let kind = OpKind::Overwrite {
        graph_nodes: source.graph_nodes,
        graph_relationships: source.graph_relationships,
    };
    accepted(
        world,
        &id,
        InstanceStatus::Overwriting,
        kind,
        durations::OVERWRITE,
        now,
    )
}

/// `POST /instances/{id}/upgrade`: professional-db → business-critical, in place and
/// synchronous (200), optionally resized (`memory` and `storage` together or neither).
pub(super) async fn upgrade(State(shared): Shr, Path(id): Path<String>, req: Body) -> ApiResult {
    let req: UpgradeRequest = body::parse(req).await?;
    let mut world = shared.world();
    let rec = idle(&world, &id)?.clone();
    let Some(upgraded) = tiers::upgrades_to(&rec.instance_type) else {
        return Err(Rejection::incapable(format!(
            "Only professional-db instances can be upgraded to business-critical, not {}",
            rec.instance_type
        )));
    };
    if rec.status != InstanceStatus::Running {
        return Err(wrong_state(&rec, "upgrade"));
    }
    match (&req.memory, &req.storage) {
        (Some(_), None) => {
            return Err(Rejection::invalid(
                "storage",
                "storage is required when memory is given",
            ));
        }
        (None, Some(_)) => {
            return Err(Rejection::invalid(
                "memory",
                "memory is required when storage is given",
            ));
        }
        _ => {}
    }
    let memory = req.memory.clone().unwrap_or_else(|| rec.memory.clone());
    let tenant = world
        .tenant(&rec.tenant_id)
        .ok_or_else(Rejection::tenant_not_found)?;
    let storage = check_offered(
        &world,
        tenant,
        &Wanted {
            instance_type: &upgraded,
            cloud: &rec.cloud_provider,
            region: &rec.region,
            version: &rec.version,
            memory: &memory,
            storage: req.storage.as_deref(),
        },
    )?;
    let view = world.instances.get_mut(&id).map(|r| {
        r.instance_type = upgraded;
        r.memory = memory;
        r.storage = storage;
        r.graph_analytics_plugin = false;
        World::view(r)
    });
    drop(world);
    ok(StatusCode::OK, view)
}

/// `POST /instances/sizing` (for `*-ds`): a rough estimate — about 300 bytes per node and
/// 200 per relationship, doubled per algorithm category family — rounded up to a size
/// the type is offered in.
pub(super) async fn sizing(req: Body) -> ApiResult {
    let req: SizingRequest = body::parse(req).await?;
    let instance_type = req
        .instance_type
        .clone()
        .unwrap_or(InstanceType::ProfessionalDs);
    if !matches!(
        instance_type,
        InstanceType::ProfessionalDs | InstanceType::EnterpriseDs
    ) {
        return Err(Rejection::invalid(
            "instance_type",
            format!(
                "Sizing is available for professional-ds and enterprise-ds, not {instance_type}"
            ),
        ));
    }
    let bytes = (req.node_count as f64) * 300.0 + (req.relationship_count as f64) * 200.0;
    let factor = 1.0 + 0.5 * req.algorithm_categories.len() as f64;
    let min_gb = ((bytes * factor) / f64::from(1u32 << 30)).ceil().max(1.0);
    let min_gb = if min_gb > f64::from(u32::MAX) {
        u32::MAX
    } else {
        min_gb as u32
    };
    let sizes = catalogue::memory_sizes_gb(&instance_type);
    let max = sizes.last().copied().unwrap_or(0);
    let recommended = sizes.iter().copied().find(|&m| m >= min_gb).unwrap_or(max);
    ok(
        StatusCode::OK,
        SizingResponse {
            did_exceed_maximum: min_gb > max,
            min_required_memory: sizes::gb(min_gb),
            recommended_size: sizes::gb(recommended),
        },
    )
}
