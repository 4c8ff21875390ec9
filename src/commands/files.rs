//! Which aura.yaml files a command runs over (docs/commands.md §12): the `-f` values in
//! the order given, a directory standing for its `*.aura.yaml` files in name order,
//! the same file named twice counted once. One file is the everyday case and takes
//! exactly the path it always took; several are run in turn by `commands::projects`.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

/// What a directory given to `-f` stands for: its files named `*.aura.yaml`.
pub(super) const DIR_SUFFIX: &str = ".aura.yaml";

/// Why the files of a run cannot be worked out, or a flag does not fit several.
#[derive(Debug, Error, Diagnostic)]
pub(crate) enum FilesError {
    #[error("{dir} holds no `*.aura.yaml` file")]
    #[diagnostic(
        code(auraform::files::empty_dir),
        help(
            "a directory given to -f stands for its files named like `prod.aura.yaml`; \
             rename the files so, or name each with -f"
        )
    )]
    EmptyDir { dir: String },

    #[error("cannot read the directory {dir}")]
    #[diagnostic(code(auraform::files::read_dir))]
    ReadDir {
        dir: String,
        #[source]
        source: std::io::Error,
    },

    #[error("`{command}` works on one aura.yaml, but -f names {count} files")]
    #[diagnostic(
        code(auraform::files::one_file),
        help("run it once per file: `auraform {command} -f FILE`")
    )]
    OneFile { command: &'static str, count: usize },

    #[error("--out saves the plan of one aura.yaml, but -f names {count} files")]
    #[diagnostic(
        code(auraform::files::out_with_several),
        help(
            "a saved plan is sealed with one file and one project's live state; save one per \
             project with `auraform plan -f FILE --out PLAN` and apply each with \
             `auraform apply -f FILE PLAN`"
        )
    )]
    OutWithSeveral { count: usize },

    #[error("--target names instances of one project, but -f names {count} files")]
    #[diagnostic(
        code(auraform::files::target_with_several),
        help(
            "use --target with the one file that declares those instances: `-f FILE --target NAME`"
        )
    )]
    TargetWithSeveral { count: usize },

    #[error("{file} and {other} both manage project {project}")]
    #[diagnostic(
        code(auraform::files::same_project),
        help(
            "keep one aura.yaml per project: each file would see the other's instances as \
             unmanaged, and prune would delete them. Merge the two files; {file} was not \
             planned"
        )
    )]
    SameProject {
        file: String,
        other: String,
        project: String,
    },

    #[error("not applied: apply was interrupted before this file's turn")]
    #[diagnostic(
        code(auraform::files::not_started),
        help("nothing was changed in this project; run `auraform apply` again")
    )]
    NotStarted,

    #[error("{failed} of {total} files failed (each error is shown above)")]
    #[diagnostic(
        code(auraform::files::failed),
        help("the other files' reports are complete; fix the failed ones and run again")
    )]
    SomeFailed { failed: usize, total: usize },
}

/// The files `-f` names: each path as given, a directory replaced by its `*.aura.yaml`
/// files (sorted by name, hidden ones left out), a file named twice (by any spelling of
/// its path) kept at its first place. A path that does not exist is kept: loading it
/// reports it, located, like any unreadable aura.yaml.
pub(super) fn resolve(paths: &[PathBuf]) -> Result<Vec<PathBuf>, FilesError> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    for path in paths {
        let expanded = if path.is_dir() {
            in_dir(path)?
        } else {
            vec![path.clone()]
        };
        for file in expanded {
            let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if !seen.contains(&key) {
                seen.push(key);
                out.push(file);
            }
        }
    }
    Ok(out)
}

fn in_dir(dir: &Path) -> Result<Vec<PathBuf>, FilesError> {
    let read_err = |source| FilesError::ReadDir {
        dir: dir.display().to_string(),
        source,
    };
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.ends_with(DIR_SUFFIX) && !name.starts_with('.') && !entry.path().is_dir() {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Err(FilesError::EmptyDir {
            dir: dir.display().to_string(),
        });
    }
    names.sort();
    Ok(names.into_iter().map(|n| dir.join(n)).collect())
}

/// The one file of a command that works on one (`import`, `apply PLAN_FILE`).
pub(super) fn single<'a>(
    files: &'a [PathBuf],
    command: &'static str,
) -> Result<&'a Path, FilesError> {
    match files {
        [one] => Ok(one),
        _ => Err(FilesError::OneFile {
            command,
            count: files.len(),
        }),
    }
}

/// Refuses flags that only make sense for one file when several are named.
pub(super) fn check_single_file_flags(
    count: usize,
    out: bool,
    targets: bool,
) -> Result<(), FilesError> {
    if count > 1 && out {
        return Err(FilesError::OutWithSeveral { count });
    }
    if count > 1 && targets {
        return Err(FilesError::TargetWithSeveral { count });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_stands_for_its_aura_yaml_files_in_name_order_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "b.aura.yaml",
            "a.aura.yaml",
            ".hidden.aura.yaml",
            "notes.yaml",
            "aura.yaml",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let a = dir.path().join("a.aura.yaml");
        let b = dir.path().join("b.aura.yaml");
        let got = resolve(&[b.clone(), dir.path().to_owned(), a.clone()]).unwrap();
        assert_eq!(got, vec![b, a]);
    }

    #[test]
    fn an_empty_directory_is_refused_and_a_missing_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            resolve(&[dir.path().to_owned()]),
            Err(FilesError::EmptyDir { .. })
        ));
        let missing = dir.path().join("missing.yaml");
        assert_eq!(
            resolve(std::slice::from_ref(&missing)).unwrap(),
            vec![missing]
        );
    }
}
