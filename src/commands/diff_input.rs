//! The two files of `auraform diff OLD NEW`, and the report-only plan between them.
//! NEW is planned against `plan::Live::from_desired(OLD)` (`plan::diff_files`), so the change set is the one
//! `plan` would show on a live project in OLD's state.
//!
//! `OLD` may be `git:REV:PATH`: the text of `git show REV:PATH`, run in the current
//! directory (PATH is relative to the repository root, as git reads it; `./PATH` is
//! relative to the current directory).

use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::config::{self, ConfigErrors, LoadedConfig};
use crate::fsutil;
use crate::plan::{self, Plan, PlanError};

#[derive(Debug, Error, Diagnostic)]
pub(crate) enum DiffError {
    #[error("`{spec}` is not of the form git:REV:PATH")]
    #[diagnostic(
        code(auraform::diff::bad_git_spec),
        help(
            "for example git:origin/main:aura.yaml (PATH as git sees it, from the repository root)"
        )
    )]
    BadGitSpec { spec: String },

    #[error("`{rev}` is not a git revision: revisions do not start with `-`")]
    #[diagnostic(
        code(auraform::diff::bad_revision),
        help("give a branch, tag or commit, e.g. git:origin/main:aura.yaml")
    )]
    OptionAsRevision { rev: String },

    #[error("cannot run git to read {spec}: {reason}")]
    #[diagnostic(
        code(auraform::diff::git_unavailable),
        help(
            "install git, or give OLD as a file path (e.g. save it with `git show REV:PATH > old.yaml`)"
        )
    )]
    GitUnavailable { spec: String, reason: String },

    #[error("the two files name different projects: `{old}` in OLD, `{new}` in NEW")]
    #[diagnostic(
        code(auraform::diff::project_changed),
        help(
            "diff compares the instances of one project; plan the new file against its own project with `auraform plan`"
        )
    )]
    ProjectChanged { old: String, new: String },

    #[error("git could not read {rev}:{path}: {message}")]
    #[diagnostic(
        code(auraform::diff::git_failed),
        help(
            "check the revision (is it fetched? e.g. `git fetch origin main`) and the path (from the repository root, or ./PATH from here)"
        )
    )]
    GitFailed {
        rev: String,
        path: String,
        message: String,
    },

    /// OLD or NEW is not a valid aura.yaml.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigErrors),

    /// NEW cannot be planned against OLD.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] PlanError),
}

type Result<T, E = DiffError> = std::result::Result<T, E>;

/// Reads OLD: a path, or `git:REV:PATH`. Returns (display name, text).
fn read_old(spec: &str) -> Result<Option<(String, String)>> {
    let Some(rest) = spec.strip_prefix("git:") else {
        return Ok(None);
    };
    let Some((rev, path)) = rest.split_once(':') else {
        return Err(DiffError::BadGitSpec {
            spec: spec.to_owned(),
        });
    };
    if rev.is_empty() || path.is_empty() {
        return Err(DiffError::BadGitSpec {
            spec: spec.to_owned(),
        });
    }
    // `git show --output=FILE` would write FILE: a revision is never an option.
    if rev.starts_with('-') {
        return Err(DiffError::OptionAsRevision {
            rev: rev.to_owned(),
        });
    }
    let out = std::process::Command::new("git")
        .arg("show")
        // And should the check above ever be bypassed, git reads what follows as a
        // revision, not an option.
        .arg("--end-of-options")
        .arg(format!("{rev}:{path}"))
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| DiffError::GitUnavailable {
            spec: spec.to_owned(),
            reason: if e.kind() == std::io::ErrorKind::NotFound {
                "git is not installed (not found on PATH)".to_owned()
            } else {
                e.to_string()
            },
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let message = stderr
            .lines()
            .map(|l| l.trim_start_matches("fatal: ").trim())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        return Err(DiffError::GitFailed {
            rev: rev.to_owned(),
            path: path.to_owned(),
            message: if message.is_empty() {
                format!("git exited with {}", out.status)
            } else {
                message
            },
        });
    }
    match String::from_utf8(out.stdout) {
        Ok(text) => Ok(Some((format!("{rev}:{path}"), text))),
        Err(_) => Err(DiffError::GitFailed {
            rev: rev.to_owned(),
            path: path.to_owned(),
            message: "the file is not valid UTF-8".to_owned(),
        }),
    }
}

fn load_old(spec: &str, new: &Path) -> Result<LoadedConfig> {
    match read_old(spec)? {
        Some((name, text)) => Ok(config::load_str(
            &name,
            text,
            fsutil::parent_dir(new),
            &config::process_env,
        )?),
        None => Ok(config::load(Path::new(spec), &config::process_env)?),
    }
}

/// The report-only plan of NEW against OLD's state, marked as a diff.
pub(super) fn diff(old: &str, new: &Path) -> Result<Plan> {
    let old = load_old(old, new)?;
    let new = config::load(new, &config::process_env)?;
    if old.desired.project != new.desired.project {
        return Err(DiffError::ProjectChanged {
            old: old.desired.project.clone(),
            new: new.desired.project.clone(),
        });
    }
    Ok(plan::diff_files(&old.desired, &new.desired)?)
}
