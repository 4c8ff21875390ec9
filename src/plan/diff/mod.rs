//! The differ: a pure function of (Desired, Live, options) → [`Plan`]. No I/O, no
//! clock, no randomness, so the same inputs always give the same plan, and
//! `apply` + `plan` converges to "no changes" (a property test checks it).
//!
//! Each row of the table in docs/plan.md maps to one place below: identity
//! (`identity`), create (`chains::create_change`), in-place update, upgrade,
//! rename and pause/resume (`compare::in_place_diff` decides,
//! `chains::in_place_change` builds the chain), replace and its refusals
//! (`instance`), waits for busy instances (`chains::settle`), people-needed
//! states (`instance`), clone sources (`clones`), unmanaged instances and prune
//! (`prune`), and "absent is unknown" in every comparison (`compare`: `Option`
//! on the live side is never compared when `None`).
//!
//! The phases, in order: match identities, diff each declared instance,
//! resolve clone sources across the chains, then the unclaimed live instances.
//! Every phase only records its errors, so they are all reported together.

mod chains;
mod clones;
mod compare;
mod destroy;
mod identity;
mod instance;
mod prune;
mod replace;

use crate::config::Desired;

use super::error::PlanError;
use super::live::Live;
use super::model::{
    Action, Attention, Change, DocumentKind, FORMAT_VERSION, Plan, PlanOptions, Summary, Unmanaged,
};

/// Computes the plan that brings `live` to `desired`.
///
/// Errors (ambiguous names, immutable changes without `allow_replace`, replacements of
/// `prevent_destroy` instances, unknown targets, …) are all collected and returned
/// together; a plan with any error has no steps at all, so nothing half-planned can
/// be applied.
pub fn plan(desired: &Desired, live: &Live, opts: &PlanOptions) -> Result<Plan, PlanError> {
    let mut errors = Vec::new();
    check_project(desired, live, &mut errors);
    let in_scope = |name: &str| opts.targets.is_empty() || opts.targets.iter().any(|t| t == name);
    if opts.destroy {
        check_destroy_targets(desired, opts, &mut errors);
        let d = destroy::destroy(desired, live, &in_scope, &mut errors);
        if let Some(err) = PlanError::collect(errors) {
            return Err(err);
        }
        let summary = summarize(&d.changes, d.gone, d.unmanaged.len(), 0);
        return Ok(assemble(
            live,
            opts,
            d.changes,
            d.unmanaged,
            Vec::new(),
            summary,
        ));
    }
    check_targets(desired, live, opts, &mut errors);

    let identities = identity::resolve_identities(desired, live, &in_scope, &mut errors);
    let instance::DeclaredDiff {
        mut changes,
        attention,
        unchanged,
    } = instance::diff_declared(
        desired,
        live,
        opts.report_only,
        &identities,
        &in_scope,
        &mut errors,
    );
    clones::resolve_sources(desired, live, &identities, &mut changes, &mut errors);
    clones::check_clone_cycles(&changes, &mut errors);

    let claimed = identity::claimed_ids(desired, live, &identities);
    let prune = desired.prune || opts.prune;
    let (unmanaged, deletes) = prune::unclaimed(desired, live, &claimed, &in_scope, prune);
    changes.extend(deletes);

    if let Some(err) = PlanError::collect(errors) {
        return Err(err);
    }

    let summary = summarize(&changes, unchanged, unmanaged.len(), attention.len());
    Ok(assemble(live, opts, changes, unmanaged, attention, summary))
}

fn assemble(
    live: &Live,
    opts: &PlanOptions,
    changes: Vec<Change>,
    unmanaged: Vec<Unmanaged>,
    attention: Vec<Attention>,
    summary: Summary,
) -> Plan {
    Plan {
        format_version: FORMAT_VERSION.to_owned(),
        project: live.project.clone(),
        changes,
        unmanaged,
        attention,
        summary,
        options: opts.clone(),
        kind: DocumentKind::Plan,
        made_from: None,
    }
}

/// A destroy deletes only declared instances, so a target must be one.
fn check_destroy_targets(desired: &Desired, opts: &PlanOptions, errors: &mut Vec<PlanError>) {
    for t in &opts.targets {
        if !desired.instances.contains_key(t) {
            errors.push(PlanError::DestroyTargetUndeclared {
                name: t.clone(),
                declared: declared_list(desired),
            });
        }
    }
}

fn declared_list(desired: &Desired) -> String {
    if desired.instances.is_empty() {
        return "none".to_owned();
    }
    desired
        .instances
        .keys()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which live instance each declared instance is, matched exactly as [`plan`] matches
/// them: every declared instance in file order, with its live id, or `None` when it
/// is not live. The errors are the ones `plan` would report about identity (another
/// project, ambiguous names, pins to missing ids).
pub fn identify(
    desired: &Desired,
    live: &Live,
) -> Result<Vec<(String, Option<String>)>, PlanError> {
    let mut errors = Vec::new();
    check_project(desired, live, &mut errors);
    let identities = identity::resolve_identities(desired, live, &|_| true, &mut errors);
    if let Some(err) = PlanError::collect(errors) {
        return Err(err);
    }
    Ok(desired
        .instances
        .keys()
        .map(|name| {
            let id = match identities.get(name.as_str()) {
                Some(identity::Identity::Matched(id)) => Some(id.clone()),
                _ => None,
            };
            (name.clone(), id)
        })
        .collect())
}

/// The file names the project that was fetched (by id or exact name).
fn check_project(desired: &Desired, live: &Live, errors: &mut Vec<PlanError>) {
    if desired.project != live.project.id && desired.project != live.project.name {
        errors.push(PlanError::ProjectMismatch {
            declared: desired.project.clone(),
            id: live.project.id.clone(),
            name: live.project.name.clone(),
        });
    }
}

fn check_targets(desired: &Desired, live: &Live, opts: &PlanOptions, errors: &mut Vec<PlanError>) {
    for t in &opts.targets {
        let declared = desired.instances.contains_key(t);
        let is_live = live.summaries.iter().any(|s| &s.name == t);
        if !declared && !is_live {
            errors.push(PlanError::UnknownTarget {
                name: t.clone(),
                declared: declared_list(desired),
            });
        }
    }
}

fn summarize(changes: &[Change], unchanged: usize, unmanaged: usize, attention: usize) -> Summary {
    let mut s = Summary {
        unchanged,
        unmanaged,
        attention,
        ..Summary::default()
    };
    s.blocked = changes.iter().filter(|c| c.blocked.is_some()).count();
    let planned = changes.iter().filter(|c| c.blocked.is_none());
    for a in planned.flat_map(|c| &c.actions) {
        match a {
            Action::Create => s.create += 1,
            Action::Update => s.update += 1,
            Action::Upgrade => s.upgrade += 1,
            Action::Pause => s.pause += 1,
            Action::Resume => s.resume += 1,
            Action::Replace => s.replace += 1,
            Action::CloneReplace => s.clone_replace += 1,
            Action::Delete => s.delete += 1,
            Action::Wait => s.wait += 1,
            Action::Snapshot => s.snapshot += 1,
        }
    }
    s
}
