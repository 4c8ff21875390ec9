//! The files of `output --format dotenv-per-instance`, and the errors of `output`:
//! one `<dir>/<name>.env` per instance, every one checked before the first is
//! written, and none whose content differs replaced without `--force`; over several
//! aura.yaml files, what each has claimed ([`Shared`]).

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::apply::sinks::file::credentials_path;
use crate::fsutil::{self, Durability, Existing};
use crate::plan::connections::Connections;
use crate::plan::connections::env::{self, EnvError};

/// Why `output` refused or failed.
#[derive(Debug, Error, Diagnostic)]
pub(crate) enum OutputError {
    #[error("`{flag}` only applies to `--format dotenv-per-instance`")]
    #[diagnostic(
        code(auraform::output::flag_needs_dotenv),
        help("add `--format dotenv-per-instance`, or drop `{flag}`")
    )]
    FlagNeedsDotenv { flag: &'static str },

    #[error("{count} file{s} in {dir} would change: {files}", s = if *count == 1 { "" } else { "s" })]
    #[diagnostic(
        code(auraform::output::file_exists),
        help(
            "auraform never replaces a file whose content differs without being told: \
             run again with `--force` to replace them, or choose another `--dir`. Nothing was written"
        )
    )]
    FilesDiffer {
        count: usize,
        dir: String,
        files: String,
    },

    #[error("instances {names} would write the same file {file}")]
    #[diagnostic(
        code(auraform::output::file_collision),
        help(
            "file names are the instance names with characters other than letters, digits, `-`, `_` and `.` turned into `_`; \
             rename one of the instances, or use `--format json`"
        )
    )]
    FileCollision { names: String, file: String },

    #[error("`{name}` in {file} would set the same variables `{prefix}_…` as {other}")]
    #[diagnostic(
        code(auraform::output::shared_variables),
        help(
            "over several files every variable lands in one environment, so one would silently override the other; \
             rename one of the instances, run `auraform output -f FILE` once per file, or use `--format json`. \
             None of {file}'s variables were printed"
        )
    )]
    SharedVariables {
        prefix: String,
        name: String,
        file: String,
        /// The instance that set them first, and its file.
        other: String,
    },

    #[error("`{name}` in {file} would write {path}, as {other} does")]
    #[diagnostic(
        code(auraform::output::shared_file),
        help(
            "over several files, the `.env` files of each land in the same directory when they share one; \
             give each run its own `--dir`, rename one of the instances, or keep the aura.yaml files in \
             directories of their own. None of {file}'s files were written"
        )
    )]
    SharedFile {
        path: String,
        name: String,
        file: String,
        /// The instance that wrote it first, and its file.
        other: String,
    },

    /// The details cannot be written as variables (a name collision, a value that is
    /// not one line).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Env(#[from] EnvError),

    #[error("cannot write {path}")]
    #[diagnostic(
        code(auraform::output::io),
        help("check that the directory is writable")
    )]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// What the files of a run over several have claimed so far: the variables of
/// `--format env` and the `.env` files of `dotenv-per-instance`, each with the
/// instance and the aura.yaml it came from. A later file that would set or write the
/// same is refused, so nothing of one project silently replaces another's.
#[derive(Default)]
pub(super) struct Shared {
    /// (variable prefix, instance, aura.yaml).
    prefixes: Vec<(String, String, String)>,
    /// (lower-cased path, instance, aura.yaml): case-insensitive filesystems (macOS,
    /// Windows) would merge `A.env` and `a.env`.
    paths: Vec<(String, String, String)>,
}

impl Shared {
    /// Claims the variables of `doc`, read from `file`; nothing is claimed on a
    /// refusal.
    pub(super) fn variables(&mut self, file: &Path, doc: &Connections) -> Result<(), OutputError> {
        let file = file.display().to_string();
        for c in doc.instances.values() {
            if let Some((_, other_name, other_file)) =
                self.prefixes.iter().find(|(p, _, _)| *p == c.env_prefix)
            {
                return Err(OutputError::SharedVariables {
                    prefix: c.env_prefix.clone(),
                    name: c.name.clone(),
                    file,
                    other: format!("`{other_name}` in {other_file}"),
                });
            }
        }
        for c in doc.instances.values() {
            self.prefixes
                .push((c.env_prefix.clone(), c.name.clone(), file.clone()));
        }
        Ok(())
    }

    /// Claims the `.env` files of `doc` in `dir`, read from `file`; nothing is claimed
    /// on a refusal.
    pub(super) fn files(
        &mut self,
        file: &Path,
        dir: &Path,
        doc: &Connections,
    ) -> Result<(), OutputError> {
        let file = file.display().to_string();
        let mut mine = Vec::new();
        for c in doc.instances.values() {
            let path = credentials_path(dir, &c.name);
            let key = path.to_string_lossy().to_lowercase();
            if let Some((_, other_name, other_file)) = self.paths.iter().find(|(p, _, _)| *p == key)
            {
                return Err(OutputError::SharedFile {
                    path: path.display().to_string(),
                    name: c.name.clone(),
                    file,
                    other: format!("`{other_name}` in {other_file}"),
                });
            }
            mine.push((key, c.name.clone(), file.clone()));
        }
        self.paths.extend(mine);
        Ok(())
    }
}

/// What `dotenv-per-instance` did.
pub(super) struct Written {
    /// Every file of the output, in file order.
    pub(super) files: Vec<PathBuf>,
    unchanged: usize,
    replaced: usize,
}

impl Written {
    pub(super) fn summary(&self, dir: &Path) -> String {
        let mut extra = Vec::new();
        if self.unchanged > 0 {
            extra.push(format!("{} unchanged", self.unchanged));
        }
        if self.replaced > 0 {
            extra.push(format!("{} replaced", self.replaced));
        }
        let n = self.files.len();
        format!(
            "{n} connection file{} in {}{}.\n",
            if n == 1 { "" } else { "s" },
            dir.display(),
            if extra.is_empty() {
                String::new()
            } else {
                format!(" ({})", extra.join(", "))
            }
        )
    }
}

/// Writes one `.env` per instance into `dir`. Everything is checked before the
/// first write: a refusal writes nothing.
pub(super) fn write_files(
    dir: &Path,
    private: bool,
    doc: &Connections,
    force: bool,
) -> Result<Written, OutputError> {
    let mut planned: Vec<(PathBuf, String, &str)> = Vec::new();
    for c in doc.instances.values() {
        let path = credentials_path(dir, &c.name);
        // Case-insensitive filesystems (macOS, Windows) would merge `A.env` and `a.env`.
        let key = path.to_string_lossy().to_lowercase();
        if let Some((_, _, other)) = planned
            .iter()
            .find(|(p, _, _)| p.to_string_lossy().to_lowercase() == key)
        {
            return Err(OutputError::FileCollision {
                names: format!("`{other}` and `{}`", c.name),
                file: path.display().to_string(),
            });
        }
        planned.push((path, env::dotenv(c)?, c.name.as_str()));
    }
    let mut differ = Vec::new();
    let mut written = Written {
        files: Vec::new(),
        unchanged: 0,
        replaced: 0,
    };
    let mut to_write = Vec::new();
    for (path, text, _) in planned {
        match std::fs::read(&path) {
            Ok(old) if old == text.as_bytes() => {
                written.unchanged += 1;
            }
            Ok(_) => {
                differ.push(path.display().to_string());
                to_write.push((path.clone(), text, Existing::Replace));
            }
            Err(_) => to_write.push((path.clone(), text, Existing::Keep)),
        }
        written.files.push(path);
    }
    if !differ.is_empty() && !force {
        return Err(OutputError::FilesDiffer {
            count: differ.len(),
            dir: dir.display().to_string(),
            files: differ.join(", "),
        });
    }
    written.replaced = differ.len();
    let io = |path: &Path, source| OutputError::Io {
        path: path.display().to_string(),
        source,
    };
    if private {
        fsutil::prepare_private_dir(dir).map_err(|e| io(dir, e))?;
    } else {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    for (path, text, existing) in to_write {
        fsutil::write_atomic(&path, text.as_bytes(), existing, Durability::Atomic)
            .map_err(|e| io(&path, e))?;
    }
    Ok(written)
}
