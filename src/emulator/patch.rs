//! `PATCH /instances/{id}`: a rename applies at once; any other change (memory, storage,
//! vector optimisation, the Graph Analytics plugin, secondaries, CDC) is checked against
//! the tier and the project's offer, and applies when the `updating` operation completes.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::body;
use super::errors::Rejection;
use super::respond::{ApiResult, Shr, idle, ok, wrong_state};
use super::validate::{
    Wanted, check_graph_analytics_plugin, check_name, check_offered, check_vector,
};
use super::world::{InstanceRecord, OpKind, World, durations};
use crate::api::wire::PatchInstanceRequest;
use crate::aura::tiers;
use crate::aura::{CdcEnrichmentMode, InstanceStatus};

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
    if req.graph_analytics_plugin.is_some() {
        check_graph_analytics_plugin(&rec.instance_type)?;
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
                format!(
                    "secondaries_count must be between 0 and {}, not {n}",
                    tiers::MAX_SECONDARIES
                ),
            ));
        }
    }
    if let Some(mode) = &req.cdc_enrichment_mode {
        if !tiers::has_cdc(&rec.instance_type) {
            return Err(Rejection::incapable(format!(
                "CDC enrichment is available for {} only, not {}",
                tiers::CDC_TIERS,
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
