//! Terraform-style text: `+` create, `~` update in place, `-/+` replace, `-` delete,
//! `# forces replacement` on the field, `before -> after` per field, and the closing
//! `Plan: …` line.

use std::fmt::Write;

use super::super::model::{Change, ChangeKind, DocumentKind, FieldChange, FieldValue, Plan};
use super::{
    action_chain, change_symbol, clone_note, closing_line, is_real_id, restore_point_notes, verb,
};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const RED: &str = "\x1b[31m";
const DIM: &str = "\x1b[2m";

struct Paint {
    on: bool,
}

impl Paint {
    fn paint(&self, style: &str, s: &str) -> String {
        if self.on {
            format!("{style}{s}{RESET}")
        } else {
            s.to_owned()
        }
    }
}

fn kind_color(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Create => GREEN,
        ChangeKind::Update => YELLOW,
        ChangeKind::Replace | ChangeKind::Delete => RED,
    }
}

/// The plan for a terminal. `color` adds ANSI colours (the caller decides, from
/// `--color` and `NO_COLOR`).
pub fn human(plan: &Plan, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    header(&mut out, &p, plan);
    changes(&mut out, &p, plan);
    unmanaged(&mut out, &p, plan);
    attention(&mut out, &p, plan);
    let _ = writeln!(out, "{}", p.paint(BOLD, &closing_line(plan)));
    out
}

/// The project line, and what `--target` limited the plan to.
fn header(out: &mut String, p: &Paint, plan: &Plan) {
    match plan.kind {
        DocumentKind::Diff => {
            let _ = writeln!(
                out,
                "Project {} (offline diff of two files; no API access)",
                p.paint(BOLD, &format!("{:?}", plan.project.name)),
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "Project {} ({})",
                p.paint(BOLD, &format!("{:?}", plan.project.name)),
                plan.project.id
            );
        }
    }
    if !plan.options.targets.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            p.paint(
                DIM,
                &format!(
                    "Limited to --target {}: {}.",
                    plan.options.targets.join(", "),
                    if plan.options.destroy {
                        "the other declared instances are left alone"
                    } else {
                        "other instances are not looked at"
                    }
                )
            )
        );
    }
    let _ = writeln!(out);
}

/// The legend, then one block per change.
fn changes(out: &mut String, p: &Paint, plan: &Plan) {
    if !plan.changes.is_empty() {
        let (head, words) = match plan.kind {
            DocumentKind::Drift => (
                "Drift: live state differs from aura.yaml; values read live -> aura.yaml",
                [
                    "missing",
                    "differs",
                    "differs, replace",
                    "not declared, prune",
                ],
            ),
            DocumentKind::Diff => (
                "The new file differs from the old one; values read old -> new",
                ["create", "update in place", "replace", "delete"],
            ),
            DocumentKind::Plan if plan.options.destroy => {
                let _ = writeln!(
                    out,
                    "auraform will destroy these instances ({} = delete):\n",
                    p.paint(RED, "-")
                );
                for c in &plan.changes {
                    change_block(out, p, c, plan);
                }
                return;
            }
            DocumentKind::Plan if plan.options.report_only => (
                "Live state differs from aura.yaml",
                ["create", "update in place", "replace", "delete"],
            ),
            DocumentKind::Plan => (
                "auraform will perform the following actions",
                ["create", "update in place", "replace", "delete"],
            ),
        };
        let clone = if plan.changes.iter().any(Change::is_clone_replace) {
            format!(", {} = replace by a clone", p.paint(YELLOW, "+/-"))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{head} ({} = {}, {} = {}, {} = {}{clone}, {} = {}):\n",
            p.paint(GREEN, "+"),
            words[0],
            p.paint(YELLOW, "~"),
            words[1],
            p.paint(RED, "-/+"),
            words[2],
            p.paint(RED, "-"),
            words[3],
        );
        for c in &plan.changes {
            change_block(out, p, c, plan);
        }
    }
}

/// Instances live in the project that aura.yaml does not declare.
fn unmanaged(out: &mut String, p: &Paint, plan: &Plan) {
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            p.paint(
                BOLD,
                if plan.kind == DocumentKind::Diff {
                    "Instances removed from the file (apply leaves them alone unless it prunes):"
                } else if plan.options.destroy {
                    "Not declared in aura.yaml (destroy leaves them alone):"
                } else {
                    "Unmanaged instances (live in the project, not in aura.yaml; left alone):"
                }
            )
        );
        for u in &plan.unmanaged {
            let _ = write!(out, "  ? {:?}", u.name);
            if is_real_id(&u.id) {
                let _ = write!(out, " ({})", u.id);
            }
            if let Some(why) = &u.kept_because {
                let _ = write!(out, ": not pruned because {why}");
            }
            out.push('\n');
        }
        if plan.kind != DocumentKind::Diff
            && !plan.options.destroy
            && plan.unmanaged.iter().all(|u| u.kept_because.is_none())
        {
            // In a shared project these are often other people's: `destroy --target`
            // deletes one of one's own; prune deletes them all.
            for hint in [
                "  Declare them in aura.yaml to manage them; `auraform destroy --target NAME` then deletes one of yours.",
                "  `prune: true` / --prune would delete every one of them, whoever made it.",
            ] {
                let _ = writeln!(out, "{}", p.paint(DIM, hint));
            }
        }
        out.push('\n');
    }
}

/// Instances in a state no automatic action can fix.
fn attention(out: &mut String, p: &Paint, plan: &Plan) {
    if !plan.attention.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            p.paint(
                BOLD,
                "Instances that need a person (auraform will not touch them):"
            )
        );
        for a in &plan.attention {
            let _ = writeln!(
                out,
                "  {} {:?} ({}) has status {:?}: {}",
                p.paint(RED, "!"),
                a.name,
                a.id,
                a.status.as_str(),
                a.advice
            );
        }
        out.push('\n');
    }
}

fn change_block(out: &mut String, p: &Paint, c: &Change, plan: &Plan) {
    let color = if c.is_clone_replace() {
        YELLOW
    } else {
        kind_color(c.kind)
    };
    let _ = writeln!(
        out,
        "  {}",
        p.paint(
            BOLD,
            &format!("# {} {}{}", c.name, verb(c, plan), action_chain(c))
        )
    );
    for d in &c.depends_on {
        let _ = writeln!(
            out,
            "  {}",
            p.paint(
                DIM,
                &format!(
                    "# starts after step {} of `{}`: {}",
                    d.step + 1,
                    d.instance,
                    d.reason
                )
            )
        );
    }
    let sym = change_symbol(c);
    let _ = writeln!(
        out,
        "{} instance {:?} {{",
        p.paint(color, &format!("{sym:>3}")),
        c.name
    );
    let width = c
        .fields
        .iter()
        .map(|f| f.field.len())
        .chain(std::iter::once(2))
        .max()
        .unwrap_or(2);
    let id = match (&c.id, c.kind) {
        (Some(id), _) if c.blocked.is_some() => format!("{id:?}"),
        (Some(id), ChangeKind::Replace | ChangeKind::Create) => {
            format!("{id:?} -> (known after apply)")
        }
        (Some(id), _) => format!("{id:?}"),
        (None, _) => "(known after apply)".to_owned(),
    };
    let id_marker = match (&c.id, c.kind) {
        _ if c.blocked.is_some() => " ",
        (Some(_), ChangeKind::Replace | ChangeKind::Create) => "~",
        _ => " ",
    };
    // A diff that pins (or unpins) the instance shows the pin as its `id` field.
    let pin_changes = c.fields.iter().any(|f| f.field == "id");
    if c.id.as_deref().is_none_or(is_real_id) && !pin_changes {
        let _ = writeln!(out, "      {id_marker} {:<width$} = {id}", "id");
    }
    for f in &c.fields {
        field_line(out, p, c.kind, f, width);
    }
    for note in clone_note(c).into_iter().chain(restore_point_notes(c)) {
        let _ = writeln!(out, "      {}", p.paint(DIM, &format!("# {note}")));
    }
    let _ = writeln!(out, "    }}\n");
}

/// Values longer than this are shown on two lines, `before` above `after`, with the
/// characters that differ highlighted (when colour is on), so a one-character change
/// in a long key id is visible.
const LONG_VALUE: usize = 32;

fn long_text_change(
    out: &mut String,
    p: &Paint,
    f: &FieldChange,
    width: usize,
    before: &str,
    after: &str,
) {
    let diff = similar::TextDiff::from_chars(before, after);
    let (mut old, mut new) = (String::new(), String::new());
    for change in diff.iter_all_changes() {
        let text: String = change.value().escape_debug().collect();
        match change.tag() {
            similar::ChangeTag::Equal => {
                old.push_str(&text);
                new.push_str(&text);
            }
            similar::ChangeTag::Delete => old.push_str(&p.paint(RED, &text)),
            similar::ChangeTag::Insert => new.push_str(&p.paint(GREEN, &text)),
        }
    }
    let _ = write!(
        out,
        "      {} {:<width$} = \"{old}\"\n        {:<width$}-> \"{new}\"",
        p.paint(YELLOW, "~"),
        f.field,
        ""
    );
    if f.forces_replacement {
        let _ = write!(out, " {}", p.paint(RED, "# forces replacement"));
    }
    out.push('\n');
}

fn field_line(out: &mut String, p: &Paint, kind: ChangeKind, f: &FieldChange, width: usize) {
    if let (Some(FieldValue::Text(before)), Some(FieldValue::Text(after))) = (&f.before, &f.after)
        && (before.len() > LONG_VALUE || after.len() > LONG_VALUE)
    {
        long_text_change(out, p, f, width, before, after);
        return;
    }
    // An `id` change is a pin added, moved or removed (offline diff).
    let absent = |unknown: &'static str| {
        if f.field == "id" {
            "(not pinned)"
        } else {
            unknown
        }
    };
    let (marker, color, value) = match (&f.before, &f.after) {
        (None, Some(after)) if kind == ChangeKind::Create => ("+", GREEN, after.to_string()),
        (Some(before), None) if f.field == "id" => {
            ("~", YELLOW, format!("{before} -> (not pinned)"))
        }
        (Some(before), None) => ("-", RED, format!("{before} -> null")),
        (before, after) => (
            "~",
            YELLOW,
            format!(
                "{} -> {}",
                before
                    .as_ref()
                    .map_or_else(|| absent("(unknown)").to_owned(), ToString::to_string),
                after
                    .as_ref()
                    .map_or_else(|| absent("null").to_owned(), ToString::to_string)
            ),
        ),
    };
    let _ = write!(
        out,
        "      {} {:<width$} = {value}",
        p.paint(color, marker),
        f.field
    );
    if f.forces_replacement {
        let _ = write!(out, " {}", p.paint(RED, "# forces replacement"));
    }
    out.push('\n');
}
