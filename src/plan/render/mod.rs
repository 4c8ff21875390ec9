//! Renderers: the same [`Plan`] as Terraform-style text for a terminal, as the JSON
//! document of the plan contract, and as Markdown for a pull-request comment.
//! They are pure: the caller decides colour (from `--color` and `NO_COLOR`) and where
//! the text goes (stdout).

mod human;
mod markdown;

pub use human::human;
pub use markdown::{MARKER_PREFIX, markdown};

use std::fmt::Write;

use crate::cli::{ColorChoice, Format};

use super::model::{Action, Change, ChangeKind, Plan};

/// Renders `plan` in `format`. `color` only affects the human format.
pub fn render(plan: &Plan, format: Format, color: bool) -> String {
    match format {
        Format::Human => human(plan, color),
        Format::Json => json(plan),
        Format::Markdown => markdown(plan),
    }
}

/// Whether the human output should be coloured: `--color always|never` decide;
/// `auto` colours only a terminal, and only when `NO_COLOR` is unset or empty
/// (<https://no-color.org>). The caller reads the environment and the terminal.
pub fn color_enabled(
    choice: ColorChoice,
    stdout_is_terminal: bool,
    no_color: Option<&str>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_is_terminal && no_color.is_none_or(str::is_empty),
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
    if plan.changes.is_empty() {
        if plan.attention.is_empty() {
            "No changes. Live state matches aura.yaml.".to_owned()
        } else {
            let n = plan.attention.len();
            format!(
                "No changes to apply, but {n} instance{} need{} a person (see above).",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" }
            )
        }
    } else {
        let k = plan.kind_counts();
        let mut line = format!(
            "Plan: {} to create, {} to update, {} to replace, {} to delete.",
            k.create, k.update, k.replace, k.delete
        );
        if plan.summary.blocked > 0 {
            let n = plan.summary.blocked;
            let _ = write!(
                line,
                " {n} more change{} refused (see above).",
                if n == 1 { "" } else { "s" }
            );
        }
        line
    }
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

/// The symbol of one change: Terraform's, or `!` for a refused (blocked) one.
pub(crate) fn change_symbol(change: &Change) -> &'static str {
    if change.blocked.is_some() {
        "!"
    } else {
        symbol(change.kind)
    }
}

/// "will be created", "will be updated in place", … for a change.
pub(crate) fn verb(change: &Change) -> String {
    if let Some(why) = &change.blocked {
        return format!("differs, but auraform will not change it: {why}");
    }
    let base = match change.kind {
        ChangeKind::Create => "will be created",
        ChangeKind::Update => "will be updated in place",
        ChangeKind::Replace => "must be replaced: destroyed and created again, its data is lost",
        ChangeKind::Delete => "will be destroyed (prune), its data is lost",
    };
    match &change.waits_for {
        Some(status) => format!("{base}, after waiting for it to finish `{status}`"),
        None => base.to_owned(),
    }
}

/// ` (resume → update → pause)`; empty when the chain is just the change's own word
/// (a plain `create`, `update`, `replace` or `delete`), which the verb already says.
pub(crate) fn action_chain(change: &Change) -> String {
    let own = match change.kind {
        ChangeKind::Create => Action::Create,
        ChangeKind::Update => Action::Update,
        ChangeKind::Replace => Action::Replace,
        ChangeKind::Delete => Action::Delete,
    };
    if change.actions == [own] {
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
