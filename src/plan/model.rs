//! The plan as data: what the differ produces, what the renderers print, what a saved
//! plan file holds and what the executor (`apply`) runs.
//!
//! The serialized form of [`Plan`] *is* the plan JSON of docs/plan.md (`plan --format
//! json`); `schema/plan.schema.json` is generated from these types. Keys the contract
//! fixes (`format_version`, `project`, `changes[].{name,id,actions,fields}`,
//! `unmanaged[]`, `summary`) keep their names forever; everything else is additive.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::wire::{CreateInstanceRequest, PatchInstanceRequest, UpgradeRequest};
use crate::aura::{InstanceStatus, InstanceType};
use crate::config::Field;

use super::schema_helpers as sh;

/// The version of the plan JSON format. Bumped only for incompatible changes.
pub const FORMAT_VERSION: &str = "1";

/// Everything `apply` would do to bring a project to what aura.yaml says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// Always `"1"` for this format.
    pub format_version: String,
    /// The live project the plan was computed against.
    pub project: ProjectRef,
    /// One entry per instance that changes, in aura.yaml order, then deletions (prune)
    /// in API order. Unchanged instances are not listed.
    pub changes: Vec<Change>,
    /// Live instances of the project that aura.yaml does not declare and that this plan
    /// leaves alone.
    pub unmanaged: Vec<Unmanaged>,
    /// Declared instances in a state no automatic action can fix (`suspended`,
    /// `loading failed`; in a drift report also a status auraform does not know): a
    /// person must look. No steps are planned for them.
    pub attention: Vec<Attention>,
    /// Counts of actions across `changes`, plus unchanged declared instances.
    pub summary: Summary,
    /// The options the plan was made with (so a saved plan can be re-checked).
    pub options: PlanOptions,
    /// What this document is: absent for a plan (`plan`, saved plans), `"drift"` for a
    /// drift report (`drift`, live vs aura.yaml) and `"diff"` for an offline comparison
    /// of two files (`diff OLD NEW`). Drift and diff documents are report-only and are
    /// never applied; their `before` values are the live (or OLD) ones.
    #[serde(default, skip_serializing_if = "DocumentKind::is_plan")]
    pub kind: DocumentKind,
    /// Only in saved plan files (`plan --out`): what the plan was made from, so that
    /// `apply PLAN_FILE` can refuse it once aura.yaml or the live project changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_from: Option<super::provenance::Provenance>,
}

/// Which command produced a plan document; the renderers word it accordingly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    /// `plan`: what apply will do.
    #[default]
    Plan,
    /// `drift`: how the live project diverges from aura.yaml.
    Drift,
    /// `diff OLD NEW`: how NEW differs from OLD, offline.
    Diff,
}

impl DocumentKind {
    pub fn is_plan(&self) -> bool {
        *self == DocumentKind::Plan
    }
}

/// What a plan is limited to and whether it prunes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanOptions {
    /// `--target NAME`: only these instances (declared names, or live names for
    /// pruning). Empty means every instance.
    #[serde(default)]
    pub targets: Vec<String>,
    /// `--prune` from the command line. The file's `prune: true` is OR-ed with it.
    #[serde(default)]
    pub prune: bool,
    /// Compute the plan only to report divergence (`drift`, offline `diff`): changes
    /// auraform would refuse to make are listed with `blocked` set instead of failing
    /// the plan. A report-only plan is never applied.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub report_only: bool,
    /// A destroy plan (`plan --destroy`, `destroy`): delete every declared instance that
    /// exists (within the targets) and nothing else. Applying it is `destroy`, or
    /// `apply PLAN_FILE` for a saved one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub destroy: bool,
}

impl PlanOptions {
    pub fn new(targets: Vec<String>, prune: bool) -> Self {
        Self {
            targets,
            prune,
            report_only: false,
            destroy: false,
        }
    }

    /// Options for a destroy plan of `targets` (every declared instance when empty).
    pub fn destroy(targets: Vec<String>) -> Self {
        Self {
            targets,
            destroy: true,
            ..Self::default()
        }
    }

    /// Options for `drift` / `diff`: everything, no prune, refusals reported.
    pub fn report_only() -> Self {
        Self {
            report_only: true,
            ..Self::default()
        }
    }
}

/// The project (API "tenant").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProjectRef {
    pub id: String,
    pub name: String,
}

/// An action word of the plan JSON contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Upgrade,
    Pause,
    Resume,
    /// Delete, then create again empty (`replace: recreate`): the data is lost.
    Replace,
    /// Create a clone of the instance, wait until it runs, then delete the old one
    /// (`replace: clone`): the data is kept.
    #[serde(rename = "clone-replace")]
    CloneReplace,
    Delete,
    Wait,
    /// A restore point: an on-demand snapshot, waited for until `Completed`.
    Snapshot,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Upgrade => "upgrade",
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Replace => "replace",
            Action::CloneReplace => "clone-replace",
            Action::Delete => "delete",
            Action::Wait => "wait",
            Action::Snapshot => "snapshot",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an instance changes as a whole: decides its symbol (`+`, `~`, `-/+`, `-`) and
/// which counter of the closing `Plan: …` line it adds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Declared, not live.
    Create,
    /// Changed in place: update, upgrade, rename, pause/resume, or only a wait.
    Update,
    /// Destroyed and created again: data lost (`replace` action), or copied into
    /// the new instance first (`clone-replace` action).
    Replace,
    /// Not declared, deleted by prune.
    Delete,
}

/// One instance that changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    /// The instance name as aura.yaml declares it (for deletions: the live name).
    pub name: String,
    /// The live instance id, or `null` when the instance does not exist yet.
    pub id: Option<String>,
    pub kind: ChangeKind,
    /// The action words, in the order they happen (e.g. `["resume","update","pause"]`).
    /// A create's follow-up PATCH of PATCH-only fields is part of `create`; it shows
    /// up as its own step in `steps`.
    pub actions: Vec<Action>,
    /// Field-level differences (for a create: every value it will be created with).
    pub fields: Vec<FieldChange>,
    /// The live status when it is transitional (the reason for a leading `wait`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "sh::opt_instance_status")]
    pub waits_for: Option<InstanceStatus>,
    /// What the executor does, strictly in this order.
    pub steps: Vec<Step>,
    /// Steps of other instances that must have completed before this chain starts
    /// (a clone of an instance that this same plan creates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Dependency>,
    /// Only in report-only plans (`drift`, offline `diff`): the change is needed but
    /// auraform refuses to make it (an immutable field without `allow_replace`, a
    /// `prevent_destroy` or pinned instance), and says why. It has no steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<String>,
}

impl Change {
    /// True when the change destroys data: a delete, or a replace that does not
    /// clone the data first.
    pub fn is_destructive(&self) -> bool {
        self.blocked.is_none()
            && match self.kind {
                ChangeKind::Delete => true,
                ChangeKind::Replace => !self.is_clone_replace(),
                ChangeKind::Create | ChangeKind::Update => false,
            }
    }

    /// True for a replacement that clones the old instance's data into the new one.
    pub fn is_clone_replace(&self) -> bool {
        self.actions.contains(&Action::CloneReplace)
    }
}

/// "Start only after step `step` of instance `instance` has completed."
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Dependency {
    /// The name of the other instance (its `changes[].name`).
    pub instance: String,
    /// Index into that instance's `steps`.
    pub step: usize,
    /// Why, in words.
    pub reason: String,
}

/// One field that differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FieldChange {
    /// The aura.yaml key (`memory`, `state`, `cdc_enrichment_mode`, …).
    pub field: String,
    /// Live value, `null` when there is none (create) or the API does not say.
    pub before: Option<FieldValue>,
    /// Desired value, `null` when it goes away (delete).
    pub after: Option<FieldValue>,
    /// True when this difference alone forces a destroy + create.
    pub forces_replacement: bool,
}

impl FieldChange {
    pub fn new(
        field: Field,
        before: Option<FieldValue>,
        after: Option<FieldValue>,
        forces_replacement: bool,
    ) -> Self {
        Self {
            field: field.as_str().to_owned(),
            before,
            after,
            forces_replacement,
        }
    }
}

/// A field value as it appears in the JSON: a string, a boolean or a number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FieldValue {
    Bool(bool),
    Int(u64),
    Text(String),
}

impl FieldValue {
    pub fn text(s: impl Into<String>) -> Self {
        FieldValue::Text(s.into())
    }
}

impl std::fmt::Display for FieldValue {
    /// Terraform style: strings quoted, booleans and numbers bare.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldValue::Bool(b) => write!(f, "{b}"),
            FieldValue::Int(n) => write!(f, "{n}"),
            FieldValue::Text(s) => write!(f, "{s:?}"),
        }
    }
}

/// One API operation of an instance's chain, with what to poll for afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Step {
    pub action: StepAction,
    /// The instance id the request goes to; `null` for a create, and for steps after
    /// a create (or the create of a replace), which use the id the create returned.
    pub instance_id: Option<String>,
    /// The exact request body (`null` for pause, resume, delete and wait, whose bodies
    /// are empty).
    #[serde(default)]
    pub request: Option<StepRequest>,
    /// For a clone (`source: {instance: X}`) of an instance this plan creates: the
    /// name of X, whose new id the executor puts in `source_instance_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_instance_from: Option<String>,
    /// For a clone made from a restore point (`replace: clone` with `snapshot_before:
    /// [replace]`): the executor puts the id of the snapshot this chain's `snapshot`
    /// step took into `source_snapshot_id`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub source_snapshot_from_restore_point: bool,
    /// What must hold (by polling `GET /instances/{id}`) before the step counts as done.
    pub expect: Expectation,
}

impl Step {
    /// A step on instance `instance_id` (`None`: the one this chain's create returned)
    /// with no clone source.
    pub fn new(
        action: StepAction,
        instance_id: Option<String>,
        request: Option<StepRequest>,
        expect: Expectation,
    ) -> Self {
        Self {
            action,
            instance_id,
            request,
            source_instance_from: None,
            source_snapshot_from_restore_point: false,
            expect,
        }
    }
}

/// The API operation of a step. `wait` sends nothing; `delete` is `DELETE /instances/{id}`.
/// (`replace` is never a step: it is `delete` followed by `create`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StepAction {
    /// Only poll until the expectation holds.
    Wait,
    /// `POST /instances`.
    Create,
    /// `PATCH /instances/{id}`.
    Update,
    /// `POST /instances/{id}/upgrade`.
    Upgrade,
    /// `POST /instances/{id}/pause`.
    Pause,
    /// `POST /instances/{id}/resume`.
    Resume,
    /// `DELETE /instances/{id}`.
    Delete,
    /// `POST /instances/{id}/snapshots`: a restore point.
    Snapshot,
}

impl StepAction {
    pub fn as_str(self) -> &'static str {
        match self {
            StepAction::Wait => "wait",
            StepAction::Create => "create",
            StepAction::Update => "update",
            StepAction::Upgrade => "upgrade",
            StepAction::Pause => "pause",
            StepAction::Resume => "resume",
            StepAction::Delete => "delete",
            StepAction::Snapshot => "snapshot",
        }
    }
}

/// A request body, tagged by which endpoint takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "body", rename_all = "lowercase")]
pub enum StepRequest {
    Create(#[schemars(schema_with = "sh::create_request")] CreateInstanceRequest),
    Patch(#[schemars(schema_with = "sh::patch_request")] PatchInstanceRequest),
    Upgrade(#[schemars(schema_with = "sh::upgrade_request")] UpgradeRequest),
}

/// What the executor polls for after a step.
///
/// A field listed in `values` counts as matching when the API omits it from the GET
/// (docs/aura-api.md §9.6: `secondaries_count` and `cdc_enrichment_mode` may never be reported).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "until", rename_all = "lowercase")]
pub enum Expectation {
    /// The instance reports this status and these values.
    Status {
        status: ExpectedStatus,
        #[serde(default, skip_serializing_if = "ExpectedValues::is_empty")]
        values: ExpectedValues,
    },
    /// `GET /instances/{id}` answers 404.
    Gone,
    /// The snapshot the step took reports `Completed` (`GET
    /// /instances/{id}/snapshots/{snapshot_id}`); `Failed` or `Cancelled` fail the step.
    #[serde(rename = "snapshot_completed")]
    SnapshotCompleted,
}

impl Expectation {
    pub fn status(status: ExpectedStatus) -> Self {
        Expectation::Status {
            status,
            values: ExpectedValues::default(),
        }
    }
}

/// A stable status a step ends in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExpectedStatus {
    Running,
    Paused,
}

impl ExpectedStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectedStatus::Running => "running",
            ExpectedStatus::Paused => "paused",
        }
    }

    pub fn to_wire(self) -> InstanceStatus {
        match self {
            ExpectedStatus::Running => InstanceStatus::Running,
            ExpectedStatus::Paused => InstanceStatus::Paused,
        }
    }
}

/// Field values a step must have produced. Only the fields the step changes are set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExpectedValues {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    #[schemars(schema_with = "sh::opt_instance_type")]
    pub instance_type: Option<InstanceType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_optimized: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_analytics_plugin: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondaries_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "sh::opt_cdc")]
    pub cdc_enrichment_mode: Option<crate::aura::CdcEnrichmentMode>,
}

impl ExpectedValues {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A live instance not declared in aura.yaml and left alone by this plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Unmanaged {
    pub id: String,
    pub name: String,
    /// Why prune does not delete it although prune is on (e.g. it shares its name
    /// with a declared `prevent_destroy` instance, or it is already being destroyed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_because: Option<String>,
}

/// A declared instance that needs a person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Attention {
    pub name: String,
    pub id: String,
    #[schemars(schema_with = "sh::instance_status")]
    pub status: InstanceStatus,
    /// What the person should do, in words.
    pub advice: String,
}

/// Counts of action words over all (non-blocked) changes: a change with
/// `["resume","update","pause"]` adds one to `resume`, `update` and `pause`. (The
/// human closing line counts instances per [`ChangeKind`] instead, Terraform style:
/// a pause-only change is one "to update" there.)
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub pause: usize,
    pub resume: usize,
    pub upgrade: usize,
    /// Declared instances (within the targets) that need no change.
    pub unchanged: usize,
    /// Changes that start by waiting for a busy instance.
    #[serde(default)]
    pub wait: usize,
    /// Live instances left unmanaged.
    #[serde(default)]
    pub unmanaged: usize,
    /// Instances that need a person.
    #[serde(default)]
    pub attention: usize,
    /// Changes needed but refused (report-only plans); not counted in the others.
    #[serde(default)]
    pub blocked: usize,
    /// Replacements that clone the data into the new instance (`clone-replace`); not
    /// counted in `replace`, which loses the data. Present when not zero.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clone_replace: usize,
    /// Restore points taken before risky steps. Present when not zero.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub snapshot: usize,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Plan {
    /// True when applying the plan would do anything (any change, including a lone
    /// `wait`). This is what `plan --detailed-exitcode` exits 2 on.
    ///
    /// Unmanaged instances left alone (no prune) and instances that need a person are
    /// *not* changes for `plan`: apply would do nothing about them, and a CI gate on
    /// "plan is empty" must not fail forever on an instance someone else owns.
    /// `drift` uses [`Plan::has_drift`], which counts them.
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    /// True when live state diverges from aura.yaml in any way: changes, unmanaged
    /// instances, or instances that need a person. What `drift` exits 2 on.
    pub fn has_drift(&self) -> bool {
        self.has_changes() || !self.unmanaged.is_empty() || !self.attention.is_empty()
    }

    /// Per-kind instance counts for the closing line `Plan: C to create, U to update,
    /// R to replace, D to delete.` Blocked changes are not counted: they will not happen.
    pub fn kind_counts(&self) -> KindCounts {
        let mut k = KindCounts::default();
        for c in self.changes.iter().filter(|c| c.blocked.is_none()) {
            match c.kind {
                ChangeKind::Create => k.create += 1,
                ChangeKind::Update => k.update += 1,
                ChangeKind::Replace => k.replace += 1,
                ChangeKind::Delete => k.delete += 1,
            }
        }
        k
    }

    /// The change of the instance called `name`, if any.
    pub fn change(&self, name: &str) -> Option<&Change> {
        self.changes.iter().find(|c| c.name == name)
    }
}

/// Instance counts per [`ChangeKind`]: `update` is every in-place change (update,
/// upgrade, rename, pause, resume).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindCounts {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
}
