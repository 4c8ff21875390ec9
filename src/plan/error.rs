//! Everything that can stop a plan. The differ collects every problem it finds and
//! reports them together (one [`PlanError::Many`] with each as a related diagnostic),
//! so a user fixes aura.yaml once, not once per error.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use super::provenance::StaleReason;

#[derive(Debug, Error, Diagnostic)]
pub enum PlanError {
    #[error(
        "{count} live instances are named `{name}`; auraform cannot tell which one aura.yaml means"
    )]
    #[diagnostic(
        code(auraform::plan::ambiguous_name),
        help(
            "pin the one you mean with `id:` under `instances.{name}` (one of: {ids}); the others then show as unmanaged. \
             If another apply of this file is running right now, it is settling which copy to keep: plan again once it has finished"
        )
    )]
    AmbiguousName {
        name: String,
        count: usize,
        ids: String,
    },

    #[error(
        "instance `{name}` is pinned to id `{id}`, which does not exist in project `{project}`"
    )]
    #[diagnostic(
        code(auraform::plan::pinned_id_not_found),
        help(
            "check the id (`auraform import` lists the live ones), or remove `id:` to create a new instance called `{name}`"
        )
    )]
    PinnedIdNotFound {
        name: String,
        id: String,
        project: String,
    },

    #[error("instance `{name}` is pinned to id `{id}`, which the old file does not declare")]
    #[diagnostic(
        code(auraform::plan::pin_not_in_old_file),
        help(
            "an offline diff knows only the instances the old file declares; compare the new file with the live project with `auraform plan`"
        )
    )]
    PinNotInOldFile { name: String, id: String },

    #[error("instances {names} are all pinned to the same id `{id}`")]
    #[diagnostic(
        code(auraform::plan::duplicate_pin),
        help("an `id:` pin adopts one live instance; keep it on one declaration only")
    )]
    DuplicatePin { id: String, names: String },

    #[error("instance `{name}` cannot change {fields} in place")]
    #[diagnostic(
        code(auraform::plan::immutable_change),
        help(
            "Aura cannot change these fields of an existing instance. Put the live values back in aura.yaml, or add `allow_replace: true` to `instances.{name}` to replace it: with `replace: clone` the new instance starts as a clone of the old one, otherwise it starts empty (the data is lost)"
        )
    )]
    ImmutableChange { name: String, fields: String },

    #[error(
        "instance `{name}` would have to be replaced ({fields}), but it has `prevent_destroy: true`"
    )]
    #[diagnostic(
        code(auraform::plan::prevent_destroy),
        help(
            "put the live values back in aura.yaml; to really replace it, remove `prevent_destroy` first (its data is lost)"
        )
    )]
    ReplaceForbidden { name: String, fields: String },

    #[error(
        "instance `{name}` would have to be replaced ({fields}), but it is pinned to id `{id}`"
    )]
    #[diagnostic(
        code(auraform::plan::pinned_replace),
        help(
            "a replacement gets a new id, which the `id:` pin would no longer match. Put the live values back in aura.yaml, or remove `id:` from `instances.{name}` (it is then matched by name) to replace it"
        )
    )]
    PinnedReplace {
        name: String,
        id: String,
        fields: String,
    },

    #[error(
        "instance `{name}` would be replaced by a clone with {memory} of memory, but it has {live_memory}: Aura cannot clone into a smaller instance"
    )]
    #[diagnostic(
        code(auraform::plan::clone_too_small),
        help(
            "keep `memory` at {live_memory} or more for the replacement and make it smaller in a later apply (a resize keeps the data), or use `replace: recreate`, which does not keep it"
        )
    )]
    CloneReplaceTooSmall {
        name: String,
        memory: String,
        live_memory: String,
    },

    #[error("instance `{name}` ({id}) has `prevent_destroy: true`; destroy deletes nothing")]
    #[diagnostic(
        code(auraform::plan::prevent_destroy),
        help(
            "leave it out with `--target` naming the instances to destroy, or remove `prevent_destroy` from `instances.{name}` first (its data is lost)"
        )
    )]
    DestroyProtected { name: String, id: String },

    #[error(
        "--target `{name}` is not declared in aura.yaml; destroy deletes only declared instances"
    )]
    #[diagnostic(
        code(auraform::plan::unknown_target),
        help("declared instances: {declared}")
    )]
    DestroyTargetUndeclared { name: String, declared: String },

    #[error(
        "--target `{name}` is neither declared in aura.yaml nor a live instance of the project"
    )]
    #[diagnostic(
        code(auraform::plan::unknown_target),
        help("declared instances: {declared}")
    )]
    UnknownTarget { name: String, declared: String },

    #[error(
        "instance `{name}` clones `{source_name}`, which is not live and not created by this plan"
    )]
    #[diagnostic(
        code(auraform::plan::source_unavailable),
        help(
            "add `--target {source_name}` so the source is created first, or plan without --target"
        )
    )]
    SourceUnavailable { name: String, source_name: String },

    #[error(
        "instance `{name}` ({memory}) clones `{source_name}` ({source_memory}): Aura cannot clone into a smaller instance"
    )]
    #[diagnostic(
        code(auraform::plan::clone_too_small),
        help(
            "give `{name}` at least `memory: {source_memory}` (the create would be refused at apply otherwise)"
        )
    )]
    CloneTooSmall {
        name: String,
        memory: String,
        source_name: String,
        source_memory: String,
    },

    #[error("aura.yaml names project `{declared}`, but the live project is `{name}` ({id})")]
    #[diagnostic(
        code(auraform::plan::project_mismatch),
        help("`project:` must be the project's id or its exact name")
    )]
    ProjectMismatch {
        declared: String,
        id: String,
        name: String,
    },

    #[error("instances {cycle} clone each other in a circle; none of them can be created first")]
    #[diagnostic(
        code(auraform::plan::clone_cycle),
        help("remove `source:` from one of them")
    )]
    CloneCycle { cycle: String },

    #[error("the plan has {} problems", errors.len())]
    #[diagnostic(code(auraform::plan::many), help("each problem is listed below"))]
    Many {
        #[related]
        errors: Vec<PlanError>,
    },

    #[error("cannot read the saved plan {}", path.display())]
    #[diagnostic(
        code(auraform::plan::saved_read),
        help("check the path given to `apply`")
    )]
    SavedRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{} is not a saved auraform plan: {message}", path.display())]
    #[diagnostic(
        code(auraform::plan::saved_invalid),
        help("create it with `auraform plan --out FILE`; saved plans are not meant to be edited")
    )]
    SavedInvalid { path: PathBuf, message: String },

    #[error("{} has plan format version {found}; this auraform reads version {expected}", path.display())]
    #[diagnostic(
        code(auraform::plan::saved_version),
        help("make the plan again with this auraform: `auraform plan --out FILE`")
    )]
    SavedVersion {
        path: PathBuf,
        found: String,
        expected: String,
    },

    #[error("cannot write the plan to {}", path.display())]
    #[diagnostic(
        code(auraform::plan::saved_write),
        help("check that the directory exists and is writable")
    )]
    SavedWrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("the saved plan {} says what aura.yaml and the live project do not: {altered}", path.display())]
    #[diagnostic(
        code(auraform::plan::saved_altered),
        help(
            "nothing was changed. A saved plan is applied only as `plan --out` wrote it, and this one was edited (or no longer fits the live project); make it again with `auraform plan --out FILE` and review it"
        )
    )]
    SavedAltered {
        path: PathBuf,
        altered: super::provenance::Altered,
    },

    #[error("the saved plan is stale: {reason}")]
    #[diagnostic(
        code(auraform::plan::stale),
        help("nothing was changed; run `auraform plan --out FILE` again and review the new plan")
    )]
    Stale { reason: StaleReason },
}

impl PlanError {
    /// One error as is, several as [`PlanError::Many`].
    pub(crate) fn collect(mut errors: Vec<PlanError>) -> Option<PlanError> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(PlanError::Many { errors }),
        }
    }

    /// The individual problems (itself, or each of `Many`).
    pub fn problems(&self) -> Vec<&PlanError> {
        match self {
            PlanError::Many { errors } => errors.iter().collect(),
            other => vec![other],
        }
    }
}
