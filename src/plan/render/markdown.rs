//! Markdown for pull-request comments (tfcmt conventions): a hidden marker so CI can
//! find and update its one comment, deletions and replacements warned first, a
//! summary table, one collapsible `<details>` per instance, and the closing line.

use std::fmt::Write;

use super::super::model::{Change, ChangeKind, DocumentKind, Expectation, FieldValue, Plan, Step};
use super::escape::{code, marker_value, text};
use super::{
    action_chain, change_symbol, clone_note, closing_line, is_real_id, restore_point_notes, symbol,
    verb,
};

/// Every auraform plan comment starts with this; the full marker is
/// `<!-- auraform:plan project=<id> -->`. CI looks for a comment containing it and
/// edits that comment instead of adding a new one.
/// An offline `diff` comment carries the same prefix (`<!-- auraform:plan project=<as
/// written in the file> kind=diff -->`), so the PR workflow's fallback updates the
/// same comment a real plan would.
pub const MARKER_PREFIX: &str = "<!-- auraform:plan";

/// Every drift report starts with this; the full marker is
/// `<!-- auraform:drift project=<id> -->`. A scheduled job finds its open issue by it.
pub const DRIFT_MARKER_PREFIX: &str = "<!-- auraform:drift";

fn value(v: Option<&FieldValue>) -> String {
    match v {
        None => "—".to_owned(),
        Some(FieldValue::Text(s)) => code(s),
        Some(other) => code(&other.to_string()),
    }
}

/// The plan as a Markdown PR comment.
pub fn markdown(plan: &Plan) -> String {
    let mut out = String::new();
    header(&mut out, plan);
    data_loss_warning(&mut out, plan);
    clone_notice(&mut out, plan);
    summary_table(&mut out, plan);
    for c in &plan.changes {
        details(&mut out, c, plan);
    }
    unmanaged(&mut out, plan);
    attention(&mut out, plan);

    let _ = writeln!(out, "**{}**", closing_line(plan));
    out
}

/// The hidden marker, the title, and what `--target` limited the plan to.
fn header(out: &mut String, plan: &Plan) {
    match plan.kind {
        DocumentKind::Plan if plan.options.destroy => {
            let _ = writeln!(
                out,
                "{MARKER_PREFIX} project={} kind=destroy -->",
                marker_value(&plan.project.id)
            );
            let _ = writeln!(
                out,
                "### auraform destroy plan for project {} ({})\n",
                code(&plan.project.name),
                code(&plan.project.id)
            );
            let _ = writeln!(
                out,
                "_Deletes the instances aura.yaml declares, and nothing else._\n"
            );
        }
        DocumentKind::Plan => {
            let _ = writeln!(
                out,
                "{MARKER_PREFIX} project={} -->",
                marker_value(&plan.project.id)
            );
            let _ = writeln!(
                out,
                "### auraform plan for project {} ({})\n",
                code(&plan.project.name),
                code(&plan.project.id)
            );
        }
        DocumentKind::Drift => {
            let _ = writeln!(
                out,
                "{DRIFT_MARKER_PREFIX} project={} -->",
                marker_value(&plan.project.id)
            );
            let _ = writeln!(
                out,
                "### auraform drift report for project {} ({})\n",
                code(&plan.project.name),
                code(&plan.project.id)
            );
            if plan.has_drift() {
                let _ = writeln!(
                    out,
                    "Live state no longer matches aura.yaml. Fields read **live → aura.yaml**: run `auraform apply` to restore the file's values, or edit aura.yaml to accept the live ones.\n"
                );
            }
        }
        DocumentKind::Diff => {
            let _ = writeln!(
                out,
                "{MARKER_PREFIX} project={} kind=diff -->",
                marker_value(&plan.project.id)
            );
            let _ = writeln!(
                out,
                "### auraform diff for project {} (offline: no API access)\n",
                code(&plan.project.name)
            );
            let _ = writeln!(
                out,
                "_Compared two versions of the file without reading the live project; fields read **old → new**._\n"
            );
        }
    }
    if !plan.options.targets.is_empty() {
        let targets: Vec<String> = plan.options.targets.iter().map(|t| code(t)).collect();
        let _ = writeln!(out, "_Limited to `--target` {}._\n", targets.join(", "));
    }
}

/// Deletions and replacements first, where no reviewer can miss them.
fn data_loss_warning(out: &mut String, plan: &Plan) {
    let destructive: Vec<&Change> = plan.changes.iter().filter(|c| c.is_destructive()).collect();
    if !destructive.is_empty() {
        let _ = writeln!(out, "> [!CAUTION]");
        let _ = writeln!(
            out,
            "> **⚠️ Data will be lost: {} {} instance{}.**",
            match plan.kind {
                DocumentKind::Drift => "applying aura.yaml now would destroy",
                DocumentKind::Diff => "applying the new file would destroy",
                DocumentKind::Plan => "this plan destroys",
            },
            destructive.len(),
            if destructive.len() == 1 { "" } else { "s" }
        );
        for c in &destructive {
            let what = match c.kind {
                ChangeKind::Replace => {
                    let forcing = forcing_fields(c);
                    format!(
                        "replaced (destroyed and created again): {}",
                        forcing.join(", ")
                    )
                }
                _ if plan.options.destroy => "deleted (destroy)".to_owned(),
                _ => "deleted (prune: not in aura.yaml)".to_owned(),
            };
            let id = match c.id.as_deref() {
                Some(id) if is_real_id(id) => format!(" ({})", code(id)),
                Some(_) => String::new(),
                None => format!(" ({})", code("?")),
            };
            let _ = writeln!(
                out,
                "> - {} **{}**{id} is {what}",
                code(symbol(c.kind)),
                text(&c.name),
            );
        }
        out.push('\n');
    }
}

/// Replacements that keep the data still change the instance's id and connection URI:
/// worth a warning, not the data-loss caution.
fn clone_notice(out: &mut String, plan: &Plan) {
    let clones: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.blocked.is_none() && c.is_clone_replace())
        .collect();
    if clones.is_empty() {
        return;
    }
    let _ = writeln!(out, "> [!WARNING]");
    let _ = writeln!(
        out,
        "> **Replaced by a clone: {} instance{} get{} a new id and connection URI; the data is copied.**",
        clones.len(),
        if clones.len() == 1 { "" } else { "s" },
        if clones.len() == 1 { "s" } else { "" }
    );
    for c in clones {
        let forcing = forcing_fields(c);
        let id = c.id.as_deref().map(code).unwrap_or_default();
        let _ = writeln!(
            out,
            "> - {} **{}** ({id}): {}",
            code("+/-"),
            text(&c.name),
            forcing.join(", ")
        );
    }
    out.push('\n');
}

/// The counts, as a table.
fn summary_table(out: &mut String, plan: &Plan) {
    let s = &plan.summary;
    if plan.kind == DocumentKind::Drift {
        // A drift report counts instances by what is wrong with them.
        let count = |f: &dyn Fn(&Change) -> bool| plan.changes.iter().filter(|c| f(c)).count();
        let _ = writeln!(
            out,
            "| differ | missing | unmanaged | need a person | in sync |"
        );
        let _ = writeln!(out, "|---:|---:|---:|---:|---:|");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |\n",
            count(&|c| matches!(c.kind, ChangeKind::Update | ChangeKind::Replace)),
            count(&|c| c.kind == ChangeKind::Create),
            plan.unmanaged.len(),
            plan.attention.len(),
            s.unchanged
        );
    } else {
        // The columns every plan has, then the rarer ones when they count anything.
        let mut columns = vec![
            ("create", s.create),
            ("update", s.update),
            ("replace", s.replace),
        ];
        if s.clone_replace > 0 {
            columns.push(("clone-replace", s.clone_replace));
        }
        columns.extend([
            ("delete", s.delete),
            ("pause", s.pause),
            ("resume", s.resume),
            ("upgrade", s.upgrade),
        ]);
        if s.snapshot > 0 {
            columns.push(("restore point", s.snapshot));
        }
        columns.push((
            if plan.options.destroy {
                "already gone"
            } else {
                "unchanged"
            },
            s.unchanged,
        ));
        let row = |cells: Vec<String>| format!("| {} |", cells.join(" | "));
        let _ = writeln!(
            out,
            "{}",
            row(columns.iter().map(|c| c.0.to_owned()).collect())
        );
        let _ = writeln!(out, "|{}", "---:|".repeat(columns.len()));
        let _ = writeln!(
            out,
            "{}\n",
            row(columns.iter().map(|c| c.1.to_string()).collect())
        );
    }
    if s.blocked > 0 {
        let _ = writeln!(
            out,
            "**{} change{} auraform refuses to make** (marked `!` below).\n",
            s.blocked,
            if s.blocked == 1 { "" } else { "s" }
        );
    }
}

/// Instances live in the project that aura.yaml does not declare.
fn unmanaged(out: &mut String, plan: &Plan) {
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            if plan.kind == DocumentKind::Diff {
                "**Instances removed from the file** (apply leaves them alone unless it prunes):\n"
            } else if plan.options.destroy {
                "**Not declared in aura.yaml** (destroy leaves them alone):\n"
            } else {
                "**Unmanaged instances** (live in the project, not in aura.yaml; left alone):\n"
            }
        );
        for u in &plan.unmanaged {
            let _ = write!(out, "- {}", code(&u.name));
            if is_real_id(&u.id) {
                let _ = write!(out, " ({})", code(&u.id));
            }
            if let Some(why) = &u.kept_because {
                // auraform's own words (with their code spans), never user text.
                let _ = write!(out, ": not pruned because {why}");
            }
            out.push('\n');
        }
        out.push('\n');
    }
}

/// Instances in a state no automatic action can fix.
fn attention(out: &mut String, plan: &Plan) {
    if !plan.attention.is_empty() {
        let _ = writeln!(
            out,
            "**Instances that need a person** (auraform will not touch them):\n"
        );
        for a in &plan.attention {
            let _ = writeln!(
                out,
                "- ❗ {} ({}) has status {}: {}",
                code(&a.name),
                code(&a.id),
                code(a.status.as_str()),
                // auraform's own words, never user text.
                a.advice
            );
        }
        out.push('\n');
    }
}

fn details(out: &mut String, c: &Change, plan: &Plan) {
    let kind = plan.kind;
    let _ = writeln!(
        out,
        "<details><summary><code>{}</code> <b>{}</b> {}{}</summary>\n",
        change_symbol(c),
        text(&c.name),
        text(&verb(c, plan).replace('`', "")),
        action_chain(c)
    );
    if c.id.as_deref().is_none_or(is_real_id) {
        let _ = writeln!(
            out,
            "Instance id: {}\n",
            c.id.as_deref()
                .map_or_else(|| "(known after apply)".to_owned(), code)
        );
    }
    if !c.fields.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            match kind {
                DocumentKind::Drift => "| field | live | aura.yaml | |",
                DocumentKind::Diff => "| field | old | new | |",
                DocumentKind::Plan => "| field | before | after | |",
            }
        );
        let _ = writeln!(out, "|---|---|---|---|");
        for f in &c.fields {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                code(&f.field),
                value(f.before.as_ref()),
                value(f.after.as_ref()),
                if f.forces_replacement {
                    "**forces replacement**"
                } else {
                    ""
                }
            );
        }
        out.push('\n');
    }
    for note in clone_note(c).into_iter().chain(restore_point_notes(c)) {
        let _ = writeln!(out, "_{}_\n", text(&note).replace('_', "\\_"));
    }
    for d in &c.depends_on {
        let _ = writeln!(
            out,
            "Starts after step {} of {}: {}.\n",
            d.step + 1,
            code(&d.instance),
            text(&d.reason.replace('`', ""))
        );
    }
    if c.steps.is_empty() {
        let _ = writeln!(out, "No steps: auraform will not make this change.");
    } else {
        let _ = writeln!(
            out,
            "{}\n",
            if kind == DocumentKind::Drift {
                "`auraform apply` would fix it with these steps:"
            } else {
                "Steps:"
            }
        );
        for (i, step) in c.steps.iter().enumerate() {
            let _ = writeln!(out, "{}. {}", i + 1, step_line(step));
        }
    }
    let _ = writeln!(out, "\n</details>\n");
}

fn step_line(step: &Step) -> String {
    let until = match &step.expect {
        Expectation::Gone => "until gone".to_owned(),
        Expectation::Status { status, .. } => format!("until {}", status.as_str()),
        Expectation::SnapshotCompleted => "until the snapshot is completed".to_owned(),
    };
    format!("{} {until}", code(step.action.as_str()))
}

/// The fields that force a replacement, as `field before → after`.
fn forcing_fields(c: &Change) -> Vec<String> {
    c.fields
        .iter()
        .filter(|f| f.forces_replacement)
        .map(|f| {
            format!(
                "{} {} → {}",
                f.field,
                value(f.before.as_ref()),
                value(f.after.as_ref())
            )
        })
        .collect()
}
