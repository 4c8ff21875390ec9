//! `auraform output [--format env|json|dotenv-per-instance]`: the connection details
//! of every instance aura.yaml declares that is live, read live, for the job that
//! deploys the application (docs/commands.md §9.10). Never a password.
//!
//! The file is loaded offline first, then the project is fetched as `plan` fetches it
//! and instances are matched as a plan matches them (`plan::connections`). Declared
//! instances that are not live are listed in the JSON (`missing`) and named on
//! stderr; they do not fail the command. `dotenv-per-instance` writes
//! `<dir>/<name>.env` files and never replaces one whose content differs without
//! `--force`.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use super::error::Result;
use super::outcome::Outcome;
use super::pipeline;
use super::session::Session;
use super::stdout::{print_stderr, print_stdout};
use crate::apply::sinks::file::credentials_path;
use crate::cli::{ConnectionFormat, GlobalArgs, OutputArgs};
use crate::config::LoadedConfig;
use crate::fsutil::{self, Durability, Existing};
use crate::plan::connections::{self, Connections, env};
use crate::plan::{self, Live};

/// Where `dotenv-per-instance` writes by default, beside aura.yaml.
const DEFAULT_DIR: &str = ".auraform/output";

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

/// Exit 0 once the details are out; 1 on any error.
pub(super) async fn run(global: &GlobalArgs, args: &OutputArgs) -> Result<Outcome> {
    if args.format != ConnectionFormat::DotenvPerInstance {
        if args.dir.is_some() {
            return Err(OutputError::FlagNeedsDotenv { flag: "--dir" }.into());
        }
        if args.force {
            return Err(OutputError::FlagNeedsDotenv { flag: "--force" }.into());
        }
    }
    let loaded = pipeline::load(&global.file)?;
    let session = pipeline::open(global).await?;
    let doc = read(&session, &loaded).await;
    session.close().await;
    let doc = doc?;
    if !doc.missing.is_empty() && !global.quiet {
        print_stderr(&format!(
            "Declared in aura.yaml but not live (not created yet?), so not in the output: {}. `auraform apply` creates them.\n",
            doc.missing
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    match args.format {
        ConnectionFormat::Json => print_stdout(&connections::to_json(&doc))?,
        ConnectionFormat::Env => print_stdout(&env::env_lines(&doc)?)?,
        ConnectionFormat::DotenvPerInstance => {
            let (dir, private) = match &args.dir {
                Some(dir) => (dir.clone(), false),
                None => (fsutil::parent_dir(&global.file).join(DEFAULT_DIR), true),
            };
            let written = write_files(&dir, private, &doc, args.force)?;
            let mut listing = String::new();
            for file in &written.files {
                listing.push_str(&file.to_string_lossy());
                listing.push('\n');
            }
            print_stdout(&listing)?;
            if !global.quiet {
                print_stderr(&written.summary(&dir));
            }
        }
    }
    Ok(Outcome::Success)
}

/// Fetches the project and builds the document.
async fn read(session: &Session, loaded: &LoadedConfig) -> Result<Connections> {
    let desired = &loaded.desired;
    let project = session
        .client
        .fetch_project(&desired.project, |s| plan::needs_details(desired, false, s))
        .await?;
    let live = Live::from_project(&project);
    connections::connections(desired, &live, &project.instances)
        .map_err(|e| pipeline::locate(loaded, e))
}

/// What `dotenv-per-instance` did.
struct Written {
    /// Every file of the output, in file order.
    files: Vec<PathBuf>,
    unchanged: usize,
    replaced: usize,
}

impl Written {
    fn summary(&self, dir: &Path) -> String {
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
fn write_files(dir: &Path, private: bool, doc: &Connections, force: bool) -> Result<Written> {
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
            }
            .into());
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
        }
        .into());
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
