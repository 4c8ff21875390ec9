//! The executor: what each step of a plan does against the API.
//!
//! [`execute`] hands the plan to the scheduler ([`super::schedule`]) with a step
//! runner that, for every step, sends the step's one request and then polls until
//! the step's expectation holds ([`super::wait`]):
//!
//! | step | request | then waits for |
//! |---|---|---|
//! | `wait` | none | the status the plan expects (the instance was busy) |
//! | `create` | `POST /instances`, **once** | `running`, tolerating 404s for a while |
//! | `update` | `PATCH /instances/{id}` | the patched values, running or paused |
//! | `upgrade` | `POST /instances/{id}/upgrade` | `business-critical`, running |
//! | `pause` / `resume` | `POST …/pause` / `…/resume` | `paused` / `running` |
//! | `delete` | `DELETE /instances/{id}` (404 = done) | `GET` → 404 |
//!
//! A 409 (`ongoing-database-operation`) means the instance is busy and nothing
//! happened: wait until it is idle and send the request again, within the step's
//! timeout. Create is the exception to every retry: the response carries the only
//! copy of the password, so it is written to the credentials sink before anything
//! else happens (before the first poll), and an ambiguous outcome (timeout, 5xx,
//! dropped connection) is resolved by listing the project, never by sending again.

use std::path::PathBuf;
use std::time::Duration;

use tokio::time::Instant;

use super::cancel::Cancel;
use super::progress::{InstanceProgress, Progress, ProgressMode};
use super::report::ApplyReport;
use super::schedule::{StepCall, StepEffects, StepResult, run_plan};
use super::sinks::{self, Sinks};
use super::wait::{
    ApiFailure, Timeouts, WaitError, WaitFor, WaitSpec, retry_while_busy, wait_until,
};
use crate::api::pacer::PollPacing;
use crate::api::wire::{PatchInstanceRequest, UpgradeRequest};
use crate::api::{ApiError, AuraClient};
use crate::plan::{Plan, StepAction, StepRequest};

impl ApiFailure for ApiError {
    fn is_busy(&self) -> bool {
        ApiError::is_busy(self)
    }
}

/// How an apply runs.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Instance chains in flight at once (`--parallelism`, default 10).
    pub parallelism: usize,
    /// Poll interval for one instance (`--poll-interval`); the client's request
    /// budget (`--rate-limit`), which polls share, widens it with more in flight.
    pub poll_interval: Duration,
    /// Per-step timeouts (`--timeout` replaces them all).
    pub timeouts: Timeouts,
    /// How long a just-created instance may answer 404 (docs/aura-api.md §9.3).
    pub not_found_grace: Duration,
    /// Where credentials of created instances go (aura.yaml `credentials:`).
    pub sinks: Sinks,
    pub progress: Progress,
    /// Ctrl-C.
    pub cancel: Cancel,
}

impl ApplyOptions {
    /// Defaults for the real API: parallelism 10, a 5 s poll interval, the default
    /// timeouts, 60 s of 404 grace, no progress output, credentials to files in
    /// `credentials_dir` only.
    pub fn new(credentials_dir: impl Into<PathBuf>) -> Self {
        Self {
            parallelism: 10,
            poll_interval: Duration::from_secs(5),
            timeouts: Timeouts::default(),
            not_found_grace: Duration::from_secs(60),
            sinks: Sinks::file_only(credentials_dir),
            progress: Progress::new(ProgressMode::Hidden, []),
            cancel: Cancel::new(),
        }
    }
}

/// Carries out `plan` and reports how every instance ended. Never fails as a whole:
/// every problem is a failed (or skipped, or interrupted) instance in the report.
pub async fn execute(client: &AuraClient, plan: &Plan, opts: &ApplyOptions) -> ApplyReport {
    let pacing = client.poll_pacing(opts.poll_interval);
    let project_id = plan.project.id.as_str();
    let runner =
        |call: StepCall| async move { run_step(client, project_id, opts, pacing, call).await };
    let report = run_plan(plan, opts.parallelism, &opts.progress, &opts.cancel, runner).await;
    opts.progress.finish();
    report
}

/// Turns a failed wait into the step's result.
fn from_wait_error(mut effects: StepEffects, err: &WaitError<ApiError>) -> StepResult {
    if let Some(status) = err.last_status() {
        effects.last_status = Some(status.to_owned());
    }
    effects.remedy = match err {
        WaitError::Api(e) => api_remedy(e),
        other => other.remedy().map(str::to_owned),
    };
    if err.is_interrupted() {
        StepResult::interrupted(effects)
    } else {
        StepResult::failed(effects, err.to_string())
    }
}

/// What the API error's help says to do.
fn api_remedy(err: &ApiError) -> Option<String> {
    use miette::Diagnostic as _;
    err.help().map(|h| h.to_string())
}

/// Runs one step and logs how it ended (names, ids, statuses and reasons only).
async fn run_step(
    client: &AuraClient,
    project_id: &str,
    opts: &ApplyOptions,
    pacing: PollPacing<'_>,
    call: StepCall,
) -> StepResult {
    let (name, action, id) = (
        call.instance.clone(),
        call.step.action.as_str(),
        call.id.clone(),
    );
    tracing::info!(instance = %name, step = action, id = ?id, "step started");
    let started = Instant::now();
    let result = run_step_inner(client, project_id, opts, pacing, call).await;
    tracing::info!(
        instance = %name,
        step = action,
        id = ?result.effects.created_id.as_ref().or(id.as_ref()),
        status = ?result.effects.last_status,
        end = ?result.end,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "step ended"
    );
    result
}

async fn run_step_inner(
    client: &AuraClient,
    project_id: &str,
    opts: &ApplyOptions,
    pacing: PollPacing<'_>,
    call: StepCall,
) -> StepResult {
    let timeout = opts.timeouts.for_action(call.step.action);
    if call.step.action == StepAction::Create {
        return create_step(client, project_id, opts, pacing, call, timeout).await;
    }
    let effects = StepEffects::default();
    let Some(id) = call.id.clone() else {
        return StepResult::failed(effects, "the plan gives this step no instance id");
    };
    let start = Instant::now();
    let progress = &call.progress;
    let on_status = |s: &str| progress.status(s);
    let get = || client.get_instance(&id);
    let cancel = &opts.cancel;
    let busy_spec = WaitSpec::new(timeout);

    let request = match (call.step.action, &call.step.request) {
        (StepAction::Wait, _) => None,
        (StepAction::Update, Some(StepRequest::Patch(body))) => Some(InstanceRequest::Patch(body)),
        (StepAction::Upgrade, Some(StepRequest::Upgrade(body))) => {
            Some(InstanceRequest::Upgrade(body))
        }
        (StepAction::Pause, _) => Some(InstanceRequest::Pause),
        (StepAction::Resume, _) => Some(InstanceRequest::Resume),
        (StepAction::Delete, _) => Some(InstanceRequest::Delete),
        (action, _) => {
            return StepResult::failed(
                effects,
                format!(
                    "the plan's `{}` step has no usable request body",
                    action.as_str()
                ),
            );
        }
    };
    if let Some(request) = request {
        let sent = retry_while_busy(
            || request.send(client, &id),
            get,
            busy_spec,
            pacing,
            cancel,
            &on_status,
        )
        .await;
        if let Err(err) = sent {
            return from_wait_error(effects, &err);
        }
    }

    let until = WaitFor::Step(&call.step.expect);
    let mut spec = WaitSpec::new(timeout.saturating_sub(start.elapsed()));
    if call.step.action == StepAction::Wait {
        spec = spec.poll_now();
    }
    match wait_until(get, until, spec, pacing, cancel, &on_status).await {
        Ok(waited) => StepResult::done(StepEffects {
            last_status: Some(
                waited
                    .instance
                    .map_or_else(|| "deleted".to_owned(), |i| i.status.to_string()),
            ),
            ..effects
        }),
        Err(err) => from_wait_error(effects, &err),
    }
}

/// The one request a step other than create sends to an existing instance; sent
/// again (by [`retry_while_busy`]) while the instance answers 409 busy.
#[derive(Clone, Copy)]
enum InstanceRequest<'a> {
    Patch(&'a PatchInstanceRequest),
    Upgrade(&'a UpgradeRequest),
    Pause,
    Resume,
    Delete,
}

impl InstanceRequest<'_> {
    /// Sends the request once; what the API answers is not needed, the step polls.
    async fn send(self, client: &AuraClient, id: &str) -> Result<(), ApiError> {
        match self {
            InstanceRequest::Patch(body) => client.patch_instance(id, body).await.map(drop),
            InstanceRequest::Upgrade(body) => client.upgrade_instance(id, body).await.map(drop),
            InstanceRequest::Pause => client.pause_instance(id).await.map(drop),
            InstanceRequest::Resume => client.resume_instance(id).await.map(drop),
            InstanceRequest::Delete => client.delete_instance(id).await,
        }
    }
}

async fn create_step(
    client: &AuraClient,
    project_id: &str,
    opts: &ApplyOptions,
    pacing: PollPacing<'_>,
    call: StepCall,
    timeout: Duration,
) -> StepResult {
    let mut effects = StepEffects::default();
    let Some(StepRequest::Create(body)) = &call.step.request else {
        return StepResult::failed(effects, "the plan's `create` step has no request body");
    };
    let mut body = body.clone();
    if let Some(source) = &call.source_id {
        body.source_instance_id = Some(source.clone());
    }
    let progress = &call.progress;
    progress.status("sending POST /instances");

    // Sent exactly once. The client never resends it either.
    let created = match client.create_instance(&body).await {
        Ok(created) => created,
        Err(ApiError::AmbiguousCreate { cause, .. }) => {
            return resolve_ambiguous_create(
                client, project_id, opts, pacing, progress, &body.name, &cause,
            )
            .await;
        }
        Err(e) => {
            effects.remedy = api_remedy(&e);
            return StepResult::failed(effects, e.to_string());
        }
    };
    let id = created.id.clone();
    effects.created_id = Some(id.clone());

    // The password exists only in `created`: store it before anything else.
    progress.status("storing the credentials");
    let delivery = sinks::deliver(&opts.sinks, &created, project_id).await;
    drop(created);
    let lost = delivery.is_lost();
    effects.credentials = Some(delivery);
    if lost {
        effects.remedy = Some(sinks::lost_remedy(&id));
        return StepResult::failed(
            effects,
            format!(
                "the password of the new instance {id} could not be stored by any credentials sink and is lost"
            ),
        );
    }

    let get = || client.get_instance(&id);
    let spec = WaitSpec::new(timeout).with_grace(opts.not_found_grace);
    let until = WaitFor::Step(&call.step.expect);
    match wait_until(get, until, spec, pacing, &opts.cancel, |s: &str| {
        progress.status(s);
    })
    .await
    {
        Ok(waited) => {
            effects.last_status = waited.instance.map(|i| i.status.to_string());
            StepResult::done(effects)
        }
        Err(err) => from_wait_error(effects, &err),
    }
}

/// After `POST /instances` ended without an answer: did it create the instance?
///
/// A new instance may be missing from the list for a while (docs/aura-api.md §9.3),
/// so the list is checked until the 404 grace period has passed before concluding
/// that nothing was created. Never sends the create again.
async fn resolve_ambiguous_create(
    client: &AuraClient,
    project_id: &str,
    opts: &ApplyOptions,
    pacing: PollPacing<'_>,
    progress: &InstanceProgress,
    name: &str,
    cause: &str,
) -> StepResult {
    let mut effects = StepEffects::default();
    progress.status("create outcome unknown: looking for the instance in the project");
    let deadline = Instant::now() + opts.not_found_grace;
    loop {
        match client.list_instances(project_id).await {
            Ok(list) => {
                let found: Vec<&str> = list
                    .iter()
                    .filter(|s| s.name == name)
                    .map(|s| s.id.as_str())
                    .collect();
                if let Some(id) = found.first() {
                    let id = (*id).to_owned();
                    effects.created_id = Some(id.clone());
                    effects.notes.push(format!(
                        "The instance was created (id {id}), but the API's answer was lost ({cause}), and with it the only copy of its password."
                    ));
                    effects.remedy = Some(format!(
                        "in the Aura console, open instance {id} and reset its password; keep the new one safe. auraform will not create `{name}` again: the next apply adopts it"
                    ));
                    return StepResult::failed(
                        effects,
                        format!("created, but its password is lost ({cause})"),
                    );
                }
            }
            Err(e) => {
                return StepResult::failed(
                    effects,
                    format!(
                        "POST /instances had an unknown outcome ({cause}), and listing the project to check failed too ({e}). \
                         Look for an instance named `{name}` in the Aura console before running apply again"
                    ),
                );
            }
        }
        if Instant::now() >= deadline || opts.cancel.is_cancelled() {
            break;
        }
        tokio::select! {
            biased;
            () = opts.cancel.cancelled() => {}
            () = tokio::time::sleep(pacing.interval().min(deadline - Instant::now())) => {}
        }
    }
    if opts.cancel.is_cancelled() && Instant::now() < deadline {
        effects.notes.push(format!(
            "Interrupted while checking whether `{name}` was created: look for it in the Aura console (or run `auraform plan`) before applying again."
        ));
        return StepResult::interrupted(effects);
    }
    StepResult::failed(
        effects,
        format!(
            "POST /instances had an unknown outcome ({cause}); the project has no instance named `{name}`, so nothing was created. Run apply again"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wire::CreateInstanceRequest;
    use crate::api::{ClientConfig, Credentials};
    use crate::apply::schedule::StepEnd;
    use crate::aura::{CloudProvider, InstanceType};
    use crate::emulator::{EmulatorConfig, spawn};
    use crate::units::Rate;

    /// The branch the emulator cannot produce end to end (its faults strike before a
    /// request is handled): the create went through but its answer was lost.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ambiguous_create_found_in_the_list_says_the_password_is_lost() {
        let rate = Rate::per_minute(6000);
        let emulator = spawn(EmulatorConfig {
            speed: 100.0,
            rate_limit: rate,
            ..EmulatorConfig::default()
        })
        .await
        .unwrap();
        let mut config = ClientConfig::new(
            emulator.base_url(),
            Credentials::new("emulator", "emulator-secret"),
        );
        config.rate = rate;
        let client = AuraClient::new(config).unwrap();
        let project = emulator.project_id("demo").unwrap().to_owned();
        let created = client
            .create_instance(&CreateInstanceRequest {
                name: "maybe".into(),
                version: "5".into(),
                region: "europe-west1".into(),
                memory: "2GB".into(),
                instance_type: InstanceType::ProfessionalDb,
                tenant_id: project.clone(),
                cloud_provider: CloudProvider::Gcp,
                storage: None,
                source_instance_id: None,
                source_snapshot_id: None,
                customer_managed_key_id: None,
                vector_optimized: None,
                graph_analytics_plugin: None,
            })
            .await
            .unwrap();
        let id = created.id.clone();
        drop(created); // "lost"

        let dir = tempfile::tempdir().unwrap();
        let opts = ApplyOptions::new(dir.path());
        let pacing = client.poll_pacing(Duration::from_millis(50));
        let progress = opts.progress.instance("maybe");
        let result = resolve_ambiguous_create(
            &client,
            &project,
            &opts,
            pacing,
            &progress,
            "maybe",
            "timed out",
        )
        .await;
        assert_eq!(result.effects.created_id.as_deref(), Some(id.as_str()));
        let StepEnd::Failed(reason) = &result.end else {
            panic!("{result:?}");
        };
        assert!(reason.contains("password is lost"), "{reason}");
        let notes = result.effects.notes.join("\n");
        assert!(notes.contains(&format!("id {id}")), "{notes}");
        let remedy = result.effects.remedy.clone().unwrap_or_default();
        assert!(remedy.contains("reset its password"), "{remedy}");
        assert!(remedy.contains("will not create `maybe` again"), "{remedy}");
        emulator.shutdown().await;
    }
}
