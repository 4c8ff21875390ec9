//! One typed method per Aura v1 operation auraform uses, plus [`AuraClient::fetch_project`]
//! (everything a plan needs, fetched once). Each method says what it sends and how
//! it may be resent ([`Call`], `retry`), and what each answer means for the caller
//! (a 404 as `None`, a 409 on a deletion already running as done, …); sending is
//! the request path's (`transport`).

use futures::{StreamExt, TryStreamExt};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::AuraClient;
use super::decode::{decode_data, lenient_instance};
use super::exchange::Call;
use super::url::segment;
use crate::api::error::ApiError;
use crate::api::live_project::LiveProject;
use crate::api::pacer::Lane;
use crate::api::retry::Resend;
use crate::api::wire::{
    CreateInstanceRequest, CreatedInstance, Instance, InstanceSummary, MetricsIntegration,
    OverwriteRequest, PatchInstanceRequest, SizingRequest, SizingResponse, Snapshot,
    SnapshotCreated, Tenant, TenantSummary, UpgradeRequest,
};

impl AuraClient {
    // ---- projects ---------------------------------------------------------------

    /// `GET /tenants`.
    pub async fn list_tenants(&self) -> Result<Vec<TenantSummary>, ApiError> {
        self.get_json(Call::get("/v1/tenants".to_owned())).await
    }

    /// `GET /tenants/{id}`: the project with its `instance_configurations`.
    pub async fn get_tenant(&self, tenant_id: &str) -> Result<Tenant, ApiError> {
        self.get_json(Call::get(format!("/v1/tenants/{}", segment(tenant_id))))
            .await
    }

    /// The project `id_or_name` names: an exact id or an exact name. A UUID that
    /// exists costs one request; otherwise the list plus one GET.
    pub async fn resolve_project(&self, id_or_name: &str) -> Result<Tenant, ApiError> {
        if looks_like_uuid(id_or_name) {
            match self.get_tenant(id_or_name).await {
                Ok(tenant) => return Ok(tenant),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        let tenants = self.list_tenants().await?;
        let by_id: Vec<&TenantSummary> = tenants.iter().filter(|t| t.id == id_or_name).collect();
        let by_name: Vec<&TenantSummary> =
            tenants.iter().filter(|t| t.name == id_or_name).collect();
        let chosen = match (by_id.as_slice(), by_name.as_slice()) {
            ([one], _) | ([], [one]) => *one,
            ([], []) => {
                return Err(ApiError::ProjectNotFound {
                    query: id_or_name.to_owned(),
                    available: tenants
                        .iter()
                        .map(|t| format!("{} ({})", t.name, t.id))
                        .collect(),
                });
            }
            _ => {
                return Err(ApiError::ProjectAmbiguous {
                    query: id_or_name.to_owned(),
                    matches: by_name
                        .iter()
                        .map(|t| format!("{} ({})", t.name, t.id))
                        .collect(),
                });
            }
        };
        self.get_tenant(&chosen.id).await
    }

    /// `GET /tenants/{id}/metrics-integration`; `None` when the project has no
    /// eligible instance (400 `tenant-incapable-of-action`, docs/aura-api.md §9.18).
    pub async fn metrics_integration(
        &self,
        tenant_id: &str,
    ) -> Result<Option<MetricsIntegration>, ApiError> {
        let call = Call::get(format!(
            "/v1/tenants/{}/metrics-integration",
            segment(tenant_id)
        ));
        match self.get_json(call).await {
            Ok(m) => Ok(Some(m)),
            Err(ApiError::Response(e))
                if e.status == 400 && e.reason.as_deref() == Some("tenant-incapable-of-action") =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    // ---- instances ----------------------------------------------------------------

    /// `GET /instances?tenantId=`: every instance of the project.
    pub async fn list_instances(&self, tenant_id: &str) -> Result<Vec<InstanceSummary>, ApiError> {
        let mut call = Call::get("/v1/instances".to_owned());
        call.query = Some(("tenantId", tenant_id.to_owned()));
        self.get_json(call).await
    }

    /// `GET /instances/{id}`; `None` on 404 (deleted, or just created:
    /// docs/aura-api.md §9.3).
    pub async fn get_instance(&self, id: &str) -> Result<Option<Instance>, ApiError> {
        self.instance(id, Lane::Priority).await
    }

    /// [`AuraClient::get_instance`] as the poll of a wait: it queues in the budget's
    /// routine lane, behind the requests that move chains on (docs/apply.md §3).
    pub async fn poll_instance(&self, id: &str) -> Result<Option<Instance>, ApiError> {
        self.instance(id, Lane::Routine).await
    }

    async fn instance(&self, id: &str, lane: Lane) -> Result<Option<Instance>, ApiError> {
        let call = Call {
            lane,
            ..Call::get(format!("/v1/instances/{}", segment(id)))
        };
        match self.get_json(call).await {
            Ok(instance) => Ok(Some(instance)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /instances`. Resent only when the API certainly did not act (a 429, or
    /// a connection that could not be opened); a timeout, broken connection or 5xx
    /// gives [`ApiError::AmbiguousCreate`], and so does a success whose answer cannot
    /// be read (truncated, empty, of the wrong shape, over the size cap): the API
    /// acted, but what it made is unknown. The answer holds the only copy of the
    /// password (a `WireSecret`).
    pub async fn create_instance(
        &self,
        request: &CreateInstanceRequest,
    ) -> Result<CreatedInstance, ApiError> {
        let mut call = Call::with_body(
            Method::POST,
            "/v1/instances".to_owned(),
            to_json(request)?,
            Resend::Unprocessed,
        );
        call.create_name = Some(request.name.clone());
        let raw = self.execute(&call).await?;
        decode_data(&call, &raw).map_err(|e| match e {
            ApiError::Decode { detail, .. } => ApiError::AmbiguousCreate {
                name: request.name.clone(),
                cause: format!(
                    "HTTP {}, but the answer was unreadable: {detail}",
                    raw.status
                ),
            },
            other => other,
        })
    }

    /// `PATCH /instances/{id}`. The API answers 200 or 202 with a full instance, `{}`
    /// or nothing; the instance is returned when the body has one (re-GET to be sure).
    pub async fn patch_instance(
        &self,
        id: &str,
        patch: &PatchInstanceRequest,
    ) -> Result<Option<Instance>, ApiError> {
        let call = Call::with_body(
            Method::PATCH,
            format!("/v1/instances/{}", segment(id)),
            to_json(patch)?,
            Resend::Always,
        );
        let raw = self.execute(&call).await?;
        Ok(lenient_instance(&raw))
    }

    /// `DELETE /instances/{id}`: 202 (now `destroying`), 404 (already gone) and a
    /// 409 saying it is already `destroying` all mean done.
    pub async fn delete_instance(&self, id: &str) -> Result<(), ApiError> {
        let call = Call {
            method: Method::DELETE,
            ..Call::get(format!("/v1/instances/{}", segment(id)))
        };
        match self.execute(&call).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            // A resend after a lost 202 can meet the deletion it started.
            Err(ApiError::Busy(e))
                if e.message
                    .as_deref()
                    .is_some_and(|m| m.ends_with("destroying")) =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// `POST /instances/{id}/pause` (202, `pausing`).
    pub async fn pause_instance(&self, id: &str) -> Result<Option<Instance>, ApiError> {
        self.lifecycle(id, "pause", Resend::Always).await
    }

    /// `POST /instances/{id}/resume` (202, `resuming`).
    pub async fn resume_instance(&self, id: &str) -> Result<Option<Instance>, ApiError> {
        self.lifecycle(id, "resume", Resend::Always).await
    }

    /// `POST /instances/{id}/upgrade`: professional-db → business-critical (200).
    pub async fn upgrade_instance(
        &self,
        id: &str,
        request: &UpgradeRequest,
    ) -> Result<Option<Instance>, ApiError> {
        let call = Call::with_body(
            Method::POST,
            format!("/v1/instances/{}/upgrade", segment(id)),
            to_json(request)?,
            Resend::Always,
        );
        let raw = self.execute(&call).await?;
        Ok(lenient_instance(&raw))
    }

    /// `POST /instances/{id}/overwrite` (202, `overwriting`). Not resent after a
    /// 5xx: a 500 here can be a real refusal (target smaller than the source).
    pub async fn overwrite_instance(
        &self,
        id: &str,
        request: &OverwriteRequest,
    ) -> Result<Option<Instance>, ApiError> {
        let call = Call::with_body(
            Method::POST,
            format!("/v1/instances/{}/overwrite", segment(id)),
            to_json(request)?,
            Resend::Unprocessed,
        );
        let raw = self.execute(&call).await?;
        Ok(lenient_instance(&raw))
    }

    /// `POST /instances/sizing` (a pure computation, safe to resend).
    pub async fn sizing(&self, request: &SizingRequest) -> Result<SizingResponse, ApiError> {
        let call = Call::with_body(
            Method::POST,
            "/v1/instances/sizing".to_owned(),
            to_json(request)?,
            Resend::Always,
        );
        self.execute_decoded(&call, decode_data).await
    }

    // ---- snapshots ----------------------------------------------------------------

    /// `GET /instances/{id}/snapshots[?date=YYYY-MM-DD]` (one day; default today).
    pub async fn list_snapshots(
        &self,
        id: &str,
        date: Option<&str>,
    ) -> Result<Vec<Snapshot>, ApiError> {
        let mut call = Call::get(format!("/v1/instances/{}/snapshots", segment(id)));
        call.query = date.map(|d| ("date", d.to_owned()));
        self.get_json(call).await
    }

    /// `POST /instances/{id}/snapshots` → the new snapshot id.
    pub async fn create_snapshot(&self, id: &str) -> Result<String, ApiError> {
        let call = Call::with_body(
            Method::POST,
            format!("/v1/instances/{}/snapshots", segment(id)),
            b"{}".to_vec(),
            Resend::Unprocessed,
        );
        let raw = self.execute(&call).await?;
        let created: SnapshotCreated = decode_data(&call, &raw)?;
        Ok(created.snapshot_id)
    }

    /// `GET /instances/{id}/snapshots/{snapshot_id}`; `None` on 404.
    pub async fn get_snapshot(
        &self,
        id: &str,
        snapshot_id: &str,
    ) -> Result<Option<Snapshot>, ApiError> {
        let call = Call::get(format!(
            "/v1/instances/{}/snapshots/{}",
            segment(id),
            segment(snapshot_id)
        ));
        match self.get_json(call).await {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /instances/{id}/snapshots/{snapshot_id}/restore` (202, `restoring`).
    pub async fn restore_snapshot(
        &self,
        id: &str,
        snapshot_id: &str,
    ) -> Result<Option<Instance>, ApiError> {
        let call = Call::with_body(
            Method::POST,
            format!(
                "/v1/instances/{}/snapshots/{}/restore",
                segment(id),
                segment(snapshot_id)
            ),
            b"{}".to_vec(),
            Resend::Unprocessed,
        );
        let raw = self.execute(&call).await?;
        Ok(lenient_instance(&raw))
    }

    // ---- the live project a plan needs ---------------------------------------------

    /// Everything a plan needs about `project` (id or exact name): the project with
    /// its configurations, the instance list, and the details of each instance
    /// `relevant` selects, fetched concurrently within the budget. Requests: token
    /// (if not cached) + 1 or 2 for the project + 1 list + one GET per relevant
    /// instance; instances that 404 between the list and the GET are left out.
    pub async fn fetch_project(
        &self,
        project: &str,
        relevant: impl Fn(&InstanceSummary) -> bool,
    ) -> Result<LiveProject, ApiError> {
        let tenant = self.resolve_project(project).await?;
        let summaries = self.list_instances(&tenant.id).await?;
        let mut wanted: Vec<&str> = Vec::new();
        for s in &summaries {
            if relevant(s) && !wanted.contains(&s.id.as_str()) {
                wanted.push(&s.id);
            }
        }
        // The pacer bounds what is in flight; this only bounds memory for huge projects.
        let concurrency = 256;
        // Stops at the first failure (the GETs still in flight are dropped).
        let fetched: Vec<Option<Instance>> = futures::stream::iter(wanted)
            .map(|id| self.get_instance(id))
            .buffered(concurrency)
            .try_collect()
            .await?;
        let instances: Vec<Instance> = fetched.into_iter().flatten().collect();
        Ok(LiveProject {
            tenant,
            summaries,
            instances,
        })
    }

    // ---- shared shapes of a call ------------------------------------------------------

    async fn lifecycle(
        &self,
        id: &str,
        action: &str,
        resend: Resend,
    ) -> Result<Option<Instance>, ApiError> {
        let call = Call::with_body(
            Method::POST,
            format!("/v1/instances/{}/{action}", segment(id)),
            b"{}".to_vec(),
            resend,
        );
        let raw = self.execute(&call).await?;
        Ok(lenient_instance(&raw))
    }

    async fn get_json<T: DeserializeOwned>(&self, call: Call) -> Result<T, ApiError> {
        self.execute_decoded(&call, decode_data).await
    }
}

fn to_json(value: &impl Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| ApiError::Setup(format!("cannot encode request: {e}")))
}

pub(super) fn looks_like_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}
