//! Several projects in one run (`-f a.yaml -f b.yaml`, docs/commands.md §12): one
//! report per file, in the order the files were named, then one summary line. A single
//! file never comes here: its output is exactly what it was before several were
//! possible.
//!
//! - human: each file's report under a `==> FILE <==` line (the convention of `head`
//!   and `tail` over several files), a failed file as one line pointing at stderr;
//! - Markdown: each file's report as it would be alone (its own hidden marker, so the
//!   PR workflow still finds its one comment), separated by rules, a failed file as a
//!   short section with the error;
//! - JSON: one document, [`FilesDocument`] (`plan::files`), whose `files` hold each
//!   file's report (the document a single-file run prints: a plan, a drift report,
//!   an apply report, an output document) or its error; `schema/files.schema.json`.

use std::fmt::Write;

use serde::Serialize;

use super::super::files::{Failure, FilesDocument};
use super::super::model::{DocumentKind, Plan};
use super::super::schema::pretty_json;
use super::{human, markdown};

/// One file's part, for the human and Markdown forms.
pub struct FileSection<'a> {
    pub file: &'a str,
    pub outcome: Result<&'a Plan, &'a Failure>,
}

/// The reports of several files for a terminal, each under its `==> FILE <==` line,
/// then the summary; `kind` words the summary (`plan` or `drift`).
pub fn files_human(sections: &[FileSection<'_>], kind: DocumentKind, color: bool) -> String {
    let mut out = String::new();
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&file_header(section.file, color));
        match section.outcome {
            Ok(plan) => out.push_str(&human(plan, color)),
            Err(failure) => human_failure(&mut out, failure),
        }
    }
    let _ = writeln!(out, "\n{}", summary_line(&tally(sections, kind)));
    out
}

/// The reports of several files as one Markdown comment: each as it would be alone,
/// separated by rules, then the summary in bold.
pub fn files_markdown(sections: &[FileSection<'_>], kind: DocumentKind) -> String {
    let mut out = String::new();
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            out.push_str("\n---\n\n");
        }
        match section.outcome {
            Ok(plan) => out.push_str(&markdown(plan)),
            Err(failure) => markdown_failure(&mut out, section.file, kind, failure),
        }
    }
    let _ = writeln!(out, "\n---\n\n**{}**", summary_line(&tally(sections, kind)));
    out
}

/// `==> FILE <==` and a newline: the line above each file's report.
pub fn file_header(file: &str, color: bool) -> String {
    if color {
        format!("\x1b[1m==> {file} <==\x1b[0m\n")
    } else {
        format!("==> {file} <==\n")
    }
}

/// The line a failed file gets in human output; the diagnostic itself is on stderr.
fn human_failure(out: &mut String, failure: &Failure) {
    let _ = write!(out, "Failed: {}", failure.message);
    if let Some(code) = &failure.code {
        let _ = write!(out, " ({code})");
    }
    out.push_str(". The full error is on stderr.\n");
}

fn markdown_failure(out: &mut String, file: &str, kind: DocumentKind, failure: &Failure) {
    let what = match kind {
        DocumentKind::Drift => "check for drift in",
        DocumentKind::Plan | DocumentKind::Diff => "plan",
    };
    let _ = writeln!(
        out,
        "### auraform could not {what} {}\n",
        super::escape::code(file)
    );
    let mut text = failure.message.clone();
    if let Some(code) = &failure.code {
        text = format!("{code}: {text}");
    }
    for r in &failure.related {
        let _ = write!(text, "\n  - {}", r.message);
    }
    if let Some(help) = &failure.help {
        let _ = write!(text, "\nhelp: {help}");
    }
    // A fence longer than any run of backticks in the text keeps it literal: nothing
    // in an error message can end the block or become HTML.
    // Nor can it spell the marker CI looks for (a name in an error may hold one).
    let text = text.replace("<!--", "< !--");
    let longest = longest_backtick_run(&text);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(out, "{fence}text\n{text}\n{fence}");
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// How many files had changes (or drift), none, or failed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: usize,
    /// `(count, words)` in the order they are shown; zero counts are left out.
    pub parts: Vec<(usize, &'static str)>,
}

fn tally(sections: &[FileSection<'_>], kind: DocumentKind) -> Tally {
    let (busy, clean) = match kind {
        DocumentKind::Drift => ("drifted", "in sync"),
        DocumentKind::Plan | DocumentKind::Diff => ("with changes", "without changes"),
    };
    let count = |f: &dyn Fn(&FileSection<'_>) -> bool| sections.iter().filter(|s| f(s)).count();
    let changed = count(&|s| match s.outcome {
        Ok(plan) if plan.kind == DocumentKind::Drift => plan.has_drift(),
        Ok(plan) => plan.has_changes(),
        Err(_) => false,
    });
    let failed = count(&|s| s.outcome.is_err());
    Tally {
        total: sections.len(),
        parts: vec![
            (changed, busy),
            (sections.len() - changed - failed, clean),
            (failed, "failed"),
        ],
    }
}

/// `3 files: 1 with changes, 1 without changes, 1 failed.` (zero counts left out).
pub fn summary_line(tally: &Tally) -> String {
    let parts: Vec<String> = tally
        .parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, words)| format!("{n} {words}"))
        .collect();
    format!("{} files: {}.", tally.total, parts.join(", "))
}

/// The several-files JSON document: pretty-printed, one document, a final newline.
pub fn files_json<T: Serialize>(document: &FilesDocument<T>) -> String {
    pretty_json(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_leaves_zero_counts_out() {
        let t = Tally {
            total: 3,
            parts: vec![(1, "with changes"), (0, "without changes"), (2, "failed")],
        };
        assert_eq!(summary_line(&t), "3 files: 1 with changes, 2 failed.");
    }

    #[test]
    fn a_fence_outgrows_the_backticks_of_the_message() {
        assert_eq!(longest_backtick_run("a ``` b ` c"), 3);
        let mut out = String::new();
        let failure = Failure {
            code: None,
            message: "x ```\n</details><!-- auraform:plan".into(),
            help: None,
            related: Vec::new(),
        };
        markdown_failure(&mut out, "a`b.yaml", DocumentKind::Plan, &failure);
        assert!(
            out.starts_with("### auraform could not plan <code>a&#96;b.yaml</code>\n\n````text\n"),
            "{out}"
        );
        assert!(out.ends_with("\n````\n"), "{out}");
        // No marker can come from the message: CI finds comments by it.
        assert!(!out.contains("<!--"), "{out}");
    }
}
