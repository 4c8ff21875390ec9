//! The create step: the one request that is not idempotent, and the one answer that
//! holds a password (docs/apply.md §10, §11, §16, §17).
//!
//! In order: list the project (another apply may have created the instance already:
//! `conflict`), record the intent (`journal`), send `POST /instances`, hand the
//! password to the credentials sinks before anything else, clear the intent, poll
//! until running, then list again and give way if another apply's copy is the one
//! every run keeps. An answer that cannot be trusted (5xx, timeout, broken
//! connection) is resolved by listing the project; only when the instance is
//! certainly absent is the create sent again, at most [`CREATE_ATTEMPTS`] times.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::Instant;

use super::conflict::{self, Known};
use super::progress::InstanceProgress;
use super::run::{Run, api_remedy, from_wait_error, settled_elsewhere};
use super::schedule::{StepCall, StepEffects, StepResult};
use super::sinks::{self, Delivery, file as credentials};
use super::wait::{WaitFor, WaitSpec, retry_while_busy, wait_until};
use crate::api::ApiError;
use crate::api::wire::{CreateInstanceRequest, CreatedInstance, InstanceSummary};
use crate::plan::{Expectation, StepAction, StepRequest};

/// `POST /instances` sent at most this often in one step, each time only after the
/// project showed that the previous one created nothing.
pub(crate) const CREATE_ATTEMPTS: usize = 3;

/// The survivor check comes at least this long after the create was answered:
/// `created_at` has whole seconds, so a rival created in the same second as this
/// run's instance exists by then (`conflict`).
const SURVIVOR_CHECK_FLOOR: Duration = Duration::from_secs(1);

pub(super) async fn create_step(run: &Run<'_>, call: StepCall, timeout: Duration) -> StepResult {
    let start = Instant::now();
    let mut effects = StepEffects::default();
    let Some(StepRequest::Create(body)) = &call.step.request else {
        return StepResult::failed(effects, "the plan's `create` step has no request body");
    };
    let mut body = body.clone();
    if let Some(source) = &call.source_id {
        body.source_instance_id = Some(source.clone());
    }
    if let Some(restore_point) = &call.source_snapshot_id {
        body.source_snapshot_id = Some(restore_point.clone());
    }
    let known = Known {
        ids: &run.known,
        replaced: call.change_id.as_deref(),
    };
    let progress = &call.progress;

    let (created, answered, entry) =
        match send_create(run, &body, known, progress, start, timeout).await {
            Ok(sent) => sent,
            Err(result) => return result,
        };
    let id = created.id.clone();
    effects.created_id = Some(id.clone());

    // The password exists only in `created`: store it before anything else.
    progress.status("storing the credentials");
    let stored = store(run, &created, entry.as_deref(), &mut effects).await;
    drop(created);
    if let Err(reason) = stored {
        return StepResult::failed(effects, reason);
    }

    let get = || run.client.get_instance(&id);
    let spec =
        WaitSpec::new(timeout.saturating_sub(start.elapsed())).with_grace(run.opts.not_found_grace);
    // Running — or paused, when an overlapping apply already paused it.
    let until = WaitFor::Settled(&call.step.expect);
    match wait_until(get, until, spec, run.pacing, &run.opts.cancel, |s: &str| {
        progress.status(s);
    })
    .await
    {
        Ok(waited) => {
            effects.settled = settled_elsewhere(&call.step.expect, waited.instance.as_ref());
            effects.last_status = waited.instance.map(|i| i.status.to_string());
        }
        Err(err) => return from_wait_error(effects, &err.for_step(timeout)),
    }

    let floor = answered + SURVIVOR_CHECK_FLOOR;
    tokio::time::sleep_until(floor).await;
    survivor_check(run, &body.name, &id, known, progress, effects).await
}

/// Sends the create until it has a trustworthy answer. `Err` is how the step ends
/// instead: another apply was first, the API refused, or the outcome stayed unknown.
async fn send_create(
    run: &Run<'_>,
    body: &CreateInstanceRequest,
    known: Known<'_>,
    progress: &InstanceProgress,
    start: Instant,
    timeout: Duration,
) -> Result<(CreatedInstance, Instant, Option<PathBuf>), StepResult> {
    let name = body.name.as_str();
    let mut lost_answers: Vec<String> = Vec::new();
    loop {
        let named = conflict::named(run.client, run.project_id, name)
            .await
            .map_err(|e| {
                StepResult::failed(
                    StepEffects::default(),
                    format!(
                        "could not list the project to check that no other apply created `{name}` meanwhile ({e}); nothing was created"
                    ),
                )
            })?;
        if let Some(seen) = conflict::survivor(known.rivals(&named, None)) {
            let kept = final_survivor(run, name, known, &seen.id).await;
            return Err(stood_back(name, &kept, &lost_answers));
        }
        let entry = match &run.opts.journal {
            Some(journal) => Some(
                journal
                    .begin(
                        name,
                        run.project_id,
                        named.iter().map(|s| s.id.clone()).collect(),
                        &run.opts.sinks,
                    )
                    .map_err(|e| {
                        StepResult::failed(
                            StepEffects::default(),
                            format!(
                                "could not record the create in {} ({e}); nothing was created",
                                journal.dir().display()
                            ),
                        )
                    })?,
            ),
            None => None,
        };
        let clear = |entry: &Option<PathBuf>| {
            if let (Some(journal), Some(entry)) = (&run.opts.journal, entry) {
                journal.clear(entry);
            }
        };

        progress.status("sending POST /instances");
        let cause = match run.client.create_instance(body).await {
            Ok(created) => return Ok((created, Instant::now(), entry)),
            Err(ApiError::AmbiguousCreate { cause, .. }) => cause,
            Err(e) => {
                clear(&entry);
                let effects = StepEffects {
                    remedy: api_remedy(&e),
                    ..StepEffects::default()
                };
                return Err(StepResult::failed(effects, e.to_string()));
            }
        };
        match resolve_ambiguous(run, known, progress, name, &cause).await {
            Resolution::Absent => clear(&entry),
            Resolution::Found(result) => {
                // Reported now, with the remedy: the next run need not say it again.
                clear(&entry);
                return Err(result);
            }
            // The outcome is still unknown: the entry stays for the next run.
            Resolution::Unknown(result) => return Err(result),
        }
        lost_answers.push(cause);
        if lost_answers.len() >= CREATE_ATTEMPTS || start.elapsed() >= timeout {
            return Err(StepResult::failed(
                StepEffects::default(),
                format!(
                    "POST /instances had no trustworthy answer {} times ({}); each time the project showed no instance named `{name}` afterwards, so nothing was created. Run apply again later",
                    lost_answers.len(),
                    lost_answers.join("; ")
                ),
            ));
        }
        if run.opts.cancel.is_cancelled() {
            return Err(StepResult::interrupted(StepEffects::default()));
        }
        progress.status("nothing was created; sending POST /instances again");
    }
}

/// Which of the rivals of `name` every run keeps, once that is settled: a rival
/// created in the same second as `seen` with a smaller id may still be on its way,
/// so the project is listed again once that second is over.
async fn final_survivor(run: &Run<'_>, name: &str, known: Known<'_>, seen: &str) -> String {
    tokio::time::sleep(SURVIVOR_CHECK_FLOOR).await;
    match conflict::named(run.client, run.project_id, name).await {
        Ok(named) => conflict::survivor(known.rivals(&named, None))
            .map_or_else(|| seen.to_owned(), |s| s.id.clone()),
        Err(_) => seen.to_owned(),
    }
}

/// The step's end when another apply's instance was there before this run's create:
/// nothing was created.
fn stood_back(name: &str, kept: &str, lost_answers: &[String]) -> StepResult {
    let mut effects = StepEffects {
        created_id: Some(kept.to_owned()),
        ..StepEffects::default()
    };
    if lost_answers.is_empty() {
        effects.notes.push(format!(
            "This run created nothing: {kept} appeared while it ran; the apply that created it holds its credentials."
        ));
    } else {
        effects.notes.push(format!(
            "If no other apply ran at the same time, {kept} is the instance an earlier POST of this run created after all (its answer was lost: {}), and its password is lost: reset it in the Aura console (instance {kept} → Reset password).",
            lost_answers.join("; ")
        ));
    }
    StepResult::conflict(effects, conflict::reason(name, kept))
}

/// Hands the new instance's credentials to the sinks (then clears its journal entry).
/// `Err` is the step's failure reason when no sink holds the password; the remedy
/// says how to recover.
async fn store(
    run: &Run<'_>,
    created: &CreatedInstance,
    entry: Option<&Path>,
    effects: &mut StepEffects,
) -> Result<(), String> {
    let id = created.id.clone();
    let delivery = sinks::deliver(&run.opts.sinks, created, run.project_id).await;
    // Either way the outcome is settled: held by a sink, or reported lost below.
    if let (Some(journal), Some(entry)) = (&run.opts.journal, entry) {
        journal.clear(entry);
    }
    let lost = delivery.is_lost();
    effects.credentials = Some(delivery);
    if lost {
        effects.remedy = Some(sinks::lost_remedy(&id));
        return Err(format!(
            "the password of the new instance {id} could not be stored by any credentials sink and is lost"
        ));
    }
    Ok(())
}

/// After the new instance `mine` is running: did another apply create `name` too?
/// When its copy is the one every run keeps, this run deletes its own.
async fn survivor_check(
    run: &Run<'_>,
    name: &str,
    mine: &str,
    known: Known<'_>,
    progress: &InstanceProgress,
    mut effects: StepEffects,
) -> StepResult {
    let named = match conflict::named(run.client, run.project_id, name).await {
        Ok(named) => named,
        Err(e) => {
            return StepResult::failed(
                effects,
                format!(
                    "created {mine}, but could not check whether another apply created `{name}` at the same time ({e}); run `auraform plan`: two instances named `{name}` would show there"
                ),
            );
        }
    };
    let rivals = known.rivals(&named, Some(mine));
    if rivals.is_empty() {
        return StepResult::done(effects);
    }
    // Listed, unless the list lags; unlisted, it sorts last (no `created_at`).
    let fallback = InstanceSummary {
        id: mine.to_owned(),
        name: name.to_owned(),
        tenant_id: run.project_id.to_owned(),
        cloud_provider: rivals[0].cloud_provider.clone(),
        created_at: None,
    };
    let mine_listed = named.iter().find(|s| s.id == mine).unwrap_or(&fallback);
    let others: Vec<&str> = rivals.iter().map(|s| s.id.as_str()).collect();
    let Some(kept) = conflict::survivor(rivals.iter().copied().chain([mine_listed])) else {
        return StepResult::done(effects);
    };
    if kept.id == mine {
        effects.notes.push(format!(
            "another apply created `{name}` at the same time too ({}); this run's {mine} is the oldest, so it is kept and that apply deletes its copy",
            others.join(", ")
        ));
        return StepResult::done(effects);
    }
    let kept = kept.id.clone();
    give_way(run, name, mine, &kept, progress, effects).await
}

/// Deletes this run's copy `mine` of `name` (another apply's `kept` stays) and
/// removes its credentials file.
async fn give_way(
    run: &Run<'_>,
    name: &str,
    mine: &str,
    kept: &str,
    progress: &InstanceProgress,
    mut effects: StepEffects,
) -> StepResult {
    progress.status(&format!(
        "another apply created `{name}` at the same time; {kept} is kept, deleting this run's {mine}"
    ));
    let timeout = run.opts.timeouts.for_action(StepAction::Delete);
    let get = || run.client.get_instance(mine);
    let on_status = |s: &str| progress.status(s);
    let sent = retry_while_busy(
        || run.client.delete_instance(mine),
        get,
        None,
        WaitSpec::new(timeout),
        run.pacing,
        &run.opts.cancel,
        on_status,
    )
    .await;
    let credentials = effects.credentials.take();
    if let Err(e) = sent {
        let at = credentials
            .as_ref()
            .and_then(|d| d.file.as_deref())
            .map_or_else(String::new, |p| {
                format!("; its credentials are in {}", p.display())
            });
        effects.credentials = credentials;
        return StepResult::failed(
            effects,
            format!(
                "{}, but deleting this run's copy {mine} failed ({e}): delete it in the Aura console{at}",
                conflict::reason(name, kept)
            ),
        );
    }
    effects
        .notes
        .extend(remove_credentials(credentials.as_ref(), mine));
    let gone = Expectation::Gone;
    let waited = wait_until(
        get,
        WaitFor::Step(&gone),
        WaitSpec::new(timeout),
        run.pacing,
        &run.opts.cancel,
        on_status,
    )
    .await;
    if let Err(e) = waited {
        effects.notes.push(format!(
            "It is being deleted ({e}); the next plan no longer counts it."
        ));
    }
    // The report names the instance that stays, not the status of the one deleted.
    effects.last_status = None;
    effects.created_id = Some(kept.to_owned());
    effects.notes.push(format!(
        "The apply that created {kept} holds its credentials."
    ));
    StepResult::conflict(effects, conflict::reason(name, kept))
}

/// Removes the credentials file of this run's deleted copy; the notes say what
/// happened, and that what `credentials.command` stored names a deleted instance.
fn remove_credentials(delivery: Option<&Delivery>, id: &str) -> Vec<String> {
    let mut notes = Vec::new();
    match delivery.and_then(|d| d.file.as_deref()) {
        None => notes.push(format!("This run's copy {id} was deleted.")),
        Some(path) => notes.push(match credentials::remove_own(path, id) {
            Ok(_) => format!(
                "This run's copy {id} was deleted and its credentials file {} removed.",
                path.display()
            ),
            Err(e) => format!(
                "This run's copy {id} was deleted; its credentials file {} could not be removed ({e}) and is of no use now.",
                path.display()
            ),
        }),
    }
    if let Some(program) = delivery
        .filter(|d| d.command_stored)
        .and_then(|d| d.command.as_deref())
    {
        notes.push(format!(
            "`{program}` stored the credentials of {id}, which no longer exists: remove them from that store."
        ));
    }
    notes
}

/// How an ambiguous create turned out.
enum Resolution {
    /// Certainly nothing was created: the create may be sent again.
    Absent,
    /// It was created, without its password: the step's end, with the remedy.
    Found(StepResult),
    /// Still unknown (the listing failed, or Ctrl-C): the step's end.
    Unknown(StepResult),
}

/// After `POST /instances` ended without an answer: did it create the instance?
///
/// A new instance may be missing from the list for a while (docs/aura-api.md §9.3),
/// so the list is checked until the 404 grace period has passed before concluding
/// that nothing was created.
async fn resolve_ambiguous(
    run: &Run<'_>,
    known: Known<'_>,
    progress: &InstanceProgress,
    name: &str,
    cause: &str,
) -> Resolution {
    let mut effects = StepEffects::default();
    progress.status("create outcome unknown: looking for the instance in the project");
    let deadline = Instant::now() + run.opts.not_found_grace;
    loop {
        match conflict::named(run.client, run.project_id, name).await {
            Ok(named) => {
                if let Some(found) = conflict::survivor(known.rivals(&named, None)) {
                    let id = found.id.clone();
                    effects.created_id = Some(id.clone());
                    effects.notes.push(format!(
                        "The instance was created (id {id}), but the API's answer was lost ({cause}), and with it the only copy of its password."
                    ));
                    effects.remedy = Some(format!(
                        "in the Aura console, open instance {id} and reset its password; keep the new one safe. auraform will not create `{name}` again: the next apply adopts it"
                    ));
                    return Resolution::Found(StepResult::failed(
                        effects,
                        format!("created, but its password is lost ({cause})"),
                    ));
                }
            }
            Err(e) => {
                return Resolution::Unknown(StepResult::failed(
                    effects,
                    format!(
                        "POST /instances had an unknown outcome ({cause}), and listing the project to check failed too ({e}). \
                         Look for an instance named `{name}` in the Aura console before running apply again"
                    ),
                ));
            }
        }
        if Instant::now() >= deadline || run.opts.cancel.is_cancelled() {
            break;
        }
        tokio::select! {
            biased;
            () = run.opts.cancel.cancelled() => {}
            () = tokio::time::sleep(run.pacing.interval().min(deadline - Instant::now())) => {}
        }
    }
    if run.opts.cancel.is_cancelled() && Instant::now() < deadline {
        effects.notes.push(format!(
            "Interrupted while checking whether `{name}` was created: look for it in the Aura console (or run `auraform plan`) before applying again."
        ));
        return Resolution::Unknown(StepResult::interrupted(effects));
    }
    Resolution::Absent
}

#[cfg(test)]
mod tests;
