//! `POST /instances/sizing`: the memory estimate for the graph data science tiers.

use axum::body::Body;
use axum::http::StatusCode;

use super::body;
use super::errors::Rejection;
use super::respond::{ApiResult, ok};
use crate::api::wire::{SizingRequest, SizingResponse};
use crate::aura::InstanceType;
use crate::aura::{catalogue, sizes, tiers};

/// `POST /instances/sizing` (for `*-ds`): a rough estimate — about 300 bytes per node and
/// 200 per relationship, half as much again per algorithm category — rounded up to a size
/// the type is offered in.
pub(super) async fn sizing(req: Body) -> ApiResult {
    let req: SizingRequest = body::parse(req).await?;
    let instance_type = req
        .instance_type
        .clone()
        .unwrap_or(InstanceType::ProfessionalDs);
    if !tiers::has_sizing(&instance_type) {
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
