//! Renderers: the same [`Plan`] as Terraform-style text for a terminal, as the JSON
//! document of the plan contract, and as Markdown for a pull-request comment.
//! They are pure: the caller decides colour (from `--color` and `NO_COLOR`) and where
//! the text goes (stdout).

mod escape;
pub mod files;
mod human;
mod markdown;

pub use human::human;
pub use markdown::{DRIFT_MARKER_PREFIX, MARKER_PREFIX, markdown};

use std::fmt::Write;

use super::model::{Action, Change, ChangeKind, DocumentKind, Plan, StepAction};

/// The three forms of a plan document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Terraform-style text for a terminal.
    #[default]
    Human,
    /// The plan JSON contract.
    Json,
    /// A pull-request comment.
    Markdown,
}

/// Renders `plan` in `format`. `color` only affects the human format.
pub fn render(plan: &Plan, format: Format, color: bool) -> String {
    match format {
        Format::Human => human(plan, color),
        Format::Json => json(plan),
        Format::Markdown => markdown(plan),
    }
}

/// The plan JSON: exactly one pretty-printed document and a final newline.
pub fn json(plan: &Plan) -> String {
    // Serializing plain data to a String cannot fail (no maps with non-string keys,
    // no I/O); an empty object would still be one valid document.
    let mut s = serde_json::to_string_pretty(plan).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}

/// The closing line of the human and Markdown forms.
pub fn closing_line(plan: &Plan) -> String {
    match plan.kind {
        DocumentKind::Plan => plan_closing_line(plan),
        DocumentKind::Drift => drift_closing_line(plan),
        DocumentKind::Diff => diff_closing_line(plan),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn plan_closing_line(plan: &Plan) -> String {
    if plan.options.destroy && plan.changes.is_empty() {
        return if plan.options.targets.is_empty() {
            "No changes. No instance that aura.yaml declares exists: nothing to destroy."
        } else {
            "No changes. None of the targeted instances exists: nothing to destroy."
        }
        .to_owned();
    }
    if !plan.changes.is_empty() {
        let k = plan.kind_counts();
        let mut line = format!(
            "Plan: {} to create, {} to update, {} to replace, {} to delete.",
            k.create, k.update, k.replace, k.delete
        );
        refused_suffix(plan, &mut line);
        return line;
    }
    let unmanaged = plan.unmanaged.len();
    // "Live state matches aura.yaml" only when it does, whole: instances the file does
    // not declare are part of the live state, and a reader must not miss them.
    let mut line = match (plan.attention.len(), unmanaged) {
        (0, 0) => return "No changes. Live state matches aura.yaml.".to_owned(),
        (0, _) => match plan.summary.unchanged {
            0 => "No changes: aura.yaml declares no instance.".to_owned(),
            n => format!(
                "No changes to the {} in aura.yaml.",
                plural(n, "instance", "instances")
            ),
        },
        (n, _) => format!(
            "No changes to apply, but {} a person (see above).",
            plural(n, "instance needs", "instances need")
        ),
    };
    if unmanaged > 0 {
        let _ = write!(
            line,
            " {} in the project {} not in aura.yaml and left alone (see above).",
            plural(unmanaged, "more instance", "more instances"),
            if unmanaged == 1 { "is" } else { "are" }
        );
    }
    line
}

fn refused_suffix(plan: &Plan, line: &mut String) {
    if plan.summary.blocked > 0 {
        let n = plan.summary.blocked;
        let _ = write!(
            line,
            " {n} more change{} refused (see above).",
            if n == 1 { "" } else { "s" }
        );
    }
}

/// `Drift detected: 2 changed, 1 missing, 1 unmanaged, 1 needs a person.` (only the
/// non-zero parts), or `No drift. Live state matches aura.yaml.`
fn drift_closing_line(plan: &Plan) -> String {
    if !plan.has_drift() {
        return "No drift. Live state matches aura.yaml.".to_owned();
    }
    let count = |f: &dyn Fn(&Change) -> bool| plan.changes.iter().filter(|c| f(c)).count();
    let changed = count(&|c| matches!(c.kind, ChangeKind::Update | ChangeKind::Replace));
    let missing = count(&|c| c.kind == ChangeKind::Create);
    let pruned = count(&|c| c.kind == ChangeKind::Delete);
    let mut parts = Vec::new();
    if changed > 0 {
        parts.push(format!("{changed} changed"));
    }
    if missing > 0 {
        parts.push(format!("{missing} missing"));
    }
    if pruned > 0 {
        parts.push(format!("{pruned} to delete (prune)"));
    }
    if !plan.unmanaged.is_empty() {
        parts.push(format!("{} unmanaged", plan.unmanaged.len()));
    }
    if !plan.attention.is_empty() {
        parts.push(plural(
            plan.attention.len(),
            "needs a person",
            "need a person",
        ));
    }
    format!("Drift detected: {}.", parts.join(", "))
}

fn diff_closing_line(plan: &Plan) -> String {
    if plan.changes.is_empty() && plan.unmanaged.is_empty() {
        return "No differences. Both files describe the same instances.".to_owned();
    }
    let k = plan.kind_counts();
    let mut line = format!(
        "Diff: {} to create, {} to update, {} to replace, {} to delete.",
        k.create, k.update, k.replace, k.delete
    );
    if !plan.unmanaged.is_empty() {
        let _ = write!(
            line,
            " {} removed from the file (left alone without prune).",
            plural(plan.unmanaged.len(), "instance", "instances")
        );
    }
    refused_suffix(plan, &mut line);
    line
}

/// Whether `id` is a real instance id, not the stand-in `file:<name>` an offline
/// `diff` gives unpinned instances ([`Live::from_desired`](super::Live::from_desired)),
/// which the human and Markdown forms do not show.
pub(crate) fn is_real_id(id: &str) -> bool {
    !id.starts_with("file:")
}

/// Terraform's symbol for a change.
pub(crate) fn symbol(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Create => "+",
        ChangeKind::Update => "~",
        ChangeKind::Replace => "-/+",
        ChangeKind::Delete => "-",
    }
}

/// The symbol of one change: Terraform's, `+/-` for a replacement that creates the new
/// instance before it destroys the old one (Terraform's create-before-destroy), or `!`
/// for a refused (blocked) one.
pub(crate) fn change_symbol(change: &Change) -> &'static str {
    if change.blocked.is_some() {
        "!"
    } else if change.is_clone_replace() {
        "+/-"
    } else {
        symbol(change.kind)
    }
}

/// "will be created", "will be updated in place", … for a change; in a drift report
/// "is missing", "differs from aura.yaml", …
pub(crate) fn verb(change: &Change, plan: &Plan) -> String {
    if let Some(why) = &change.blocked {
        return format!("differs, but auraform will not change it: {why}");
    }
    if plan.options.destroy {
        if change.actions == [Action::Wait] {
            return "is already being destroyed: destroy waits until it is gone".to_owned();
        }
        return with_wait(change, "will be destroyed, its data is lost");
    }
    let kind = plan.kind;
    if change.is_clone_replace() {
        return with_wait(
            change,
            match kind {
                DocumentKind::Drift => {
                    "differs in a field that forces replacement (apply would clone it into a new instance, then destroy it)"
                }
                _ => {
                    "must be replaced by a clone: a new instance is created from its data, then the old one is destroyed"
                }
            },
        );
    }
    let base = match (kind, change.kind) {
        (DocumentKind::Drift, ChangeKind::Create) => {
            "is missing: declared in aura.yaml, not live (apply would create it)"
        }
        (DocumentKind::Drift, ChangeKind::Update) => {
            "differs from aura.yaml (apply would update it in place)"
        }
        (DocumentKind::Drift, ChangeKind::Replace) => {
            "differs in a field that forces replacement (apply would destroy it and create it again)"
        }
        (DocumentKind::Drift, ChangeKind::Delete) => {
            "is not declared (apply would delete it: prune)"
        }
        (_, ChangeKind::Create) => "will be created",
        (_, ChangeKind::Update) => "will be updated in place",
        (_, ChangeKind::Replace) => {
            "must be replaced: destroyed and created again, its data is lost"
        }
        (_, ChangeKind::Delete) => "will be destroyed (prune), its data is lost",
    };
    with_wait(change, base)
}

/// `base`, and the wait for a busy instance that comes first.
fn with_wait(change: &Change, base: &str) -> String {
    match &change.waits_for {
        Some(status) => format!("{base}, after waiting for it to finish `{status}`"),
        None => base.to_owned(),
    }
}

/// What a restore point comes before, for the human and Markdown forms: the action
/// word of the step after each `snapshot` step.
pub(crate) fn restore_point_notes(change: &Change) -> Vec<String> {
    change
        .steps
        .windows(2)
        .filter(|w| w[0].action == StepAction::Snapshot)
        .map(|w| {
            let before = if change.is_clone_replace() {
                "the clone is made from it, before the old instance is destroyed".to_owned()
            } else if w[1].action == StepAction::Update {
                "taken before the resize".to_owned()
            } else {
                format!("taken before the {}", w[1].action.as_str())
            };
            format!("restore point: a snapshot, which must complete first; {before}")
        })
        .collect()
}

/// For a clone-replace: where the new instance's data comes from.
pub(crate) fn clone_note(change: &Change) -> Option<String> {
    if !change.is_clone_replace() {
        return None;
    }
    let old = change.id.as_deref().unwrap_or("the old instance");
    Some(format!(
        "data: copied into the new instance (a clone of {old:?}); the new instance gets a new id and connection URI, and {old:?} is destroyed once it runs"
    ))
}

/// ` (resume → update → pause)`; empty when the chain is just the change's own word
/// (a plain `create`, `update`, `replace` or `delete`), which the verb already says.
pub(crate) fn action_chain(change: &Change) -> String {
    let own = match change.kind {
        ChangeKind::Create => Action::Create,
        ChangeKind::Update => Action::Update,
        ChangeKind::Replace if change.is_clone_replace() => Action::CloneReplace,
        ChangeKind::Replace => Action::Replace,
        ChangeKind::Delete => Action::Delete,
    };
    // An instance already being destroyed is only waited for; the verb says so.
    let only_wait = change.kind == ChangeKind::Delete && change.actions == [Action::Wait];
    if change.actions == [own] || only_wait {
        return String::new();
    }
    let chain = change
        .actions
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(" → ");
    format!(" ({chain})")
}
