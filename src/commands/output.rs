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
//!
//! Over several files (docs/commands.md §12) each is read in turn with the run's one
//! request budget: `json` is one several-files document, `env` every file's lines in
//! file order (still only `NAME=value` lines, for `$GITHUB_ENV`), `dotenv-per-instance`
//! each file's `.env` files. Two files that would set the same variable or write the
//! same `.env` file are refused for the later file, which then prints and writes
//! nothing; the others go on, and the run exits 1 if any file failed.

use std::path::{Path, PathBuf};

use super::error::Result;
use super::outcome::Outcome;
use super::output_files::{OutputError, Shared, write_files};
use super::projects::{self, FileRun};
use super::session::{Session, Sessions};
use super::stdout::{print_stderr, print_stdout};
use super::{files, pipeline};
use crate::cli::{ConnectionFormat, GlobalArgs, OutputArgs};
use crate::config::LoadedConfig;
use crate::fsutil;
use crate::plan::connections::{self, Connections, env};
use crate::plan::render::files::files_json;
use crate::plan::{self, Live};

/// Where `dotenv-per-instance` writes by default, beside aura.yaml.
const DEFAULT_DIR: &str = ".auraform/output";

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
    let files = files::resolve(&global.files)?;
    let [file] = files.as_slice() else {
        return run_several(global, args, &files).await;
    };
    let loaded = pipeline::load(file)?;
    let session = pipeline::open(global, file).await?;
    let doc = read(&session, &loaded).await;
    session.close().await;
    let doc = doc?;
    note_missing(global, None, &doc);
    match args.format {
        ConnectionFormat::Json => print_stdout(&connections::to_json(&doc))?,
        ConnectionFormat::Env => {
            print_stdout(&env::env_lines(&doc).map_err(OutputError::from)?)?;
        }
        ConnectionFormat::DotenvPerInstance => {
            write_dotenv(global, args, file, &doc, &mut Shared::default(), false)?;
        }
    }
    Ok(Outcome::Success)
}

/// `output` over several files: each read in turn, then printed or written in file
/// order.
async fn run_several(global: &GlobalArgs, args: &OutputArgs, files: &[PathBuf]) -> Result<Outcome> {
    let loaded = projects::load_all(files);
    let mut sessions = Sessions::default();
    let runs = projects::each_loaded(
        &mut sessions,
        global,
        loaded,
        |doc: &Connections| &doc.project,
        async |session, loaded| read(session, &loaded).await,
    )
    .await;
    sessions.close().await;
    let mut runs = runs?;
    for run in &runs {
        if let Ok(doc) = &run.result {
            note_missing(global, Some(&run.file), doc);
        }
    }
    let mut shared = Shared::default();
    match args.format {
        ConnectionFormat::Json => print_stdout(&files_json(&projects::files_document(
            runs.iter()
                .map(|run| projects::entry(run, |_| Outcome::Success, |doc| doc))
                .collect(),
        )))?,
        ConnectionFormat::Env => {
            let mut text = String::new();
            each_ok(&mut runs, |file, doc| {
                let lines = env::env_lines(doc).map_err(OutputError::from)?;
                shared.variables(file, doc)?;
                text.push_str(&lines);
                Ok(())
            });
            print_stdout(&text)?;
        }
        ConnectionFormat::DotenvPerInstance => {
            each_ok(&mut runs, |file, doc| {
                write_dotenv(global, args, file, doc, &mut shared, true)
            });
        }
    }
    projects::finish(&runs, |_| Outcome::Success)
}

/// Runs `f` on each file that was read; a file it fails is shown failed (on stderr)
/// and counts as failed in the run.
fn each_ok(
    runs: &mut [FileRun<Connections>],
    mut f: impl FnMut(&Path, &Connections) -> Result<()>,
) {
    for run in runs {
        if let Ok(doc) = &run.result
            && let Err(e) = f(&run.file, doc)
        {
            run.result = Err(projects::fail(&run.file, e));
        }
    }
}

/// `dotenv-per-instance` for the file `file`: its `.env` files, in `--dir` or beside
/// it; the paths on stdout, a summary on stderr (naming `file` when there are
/// `several`).
fn write_dotenv(
    global: &GlobalArgs,
    args: &OutputArgs,
    file: &Path,
    doc: &Connections,
    shared: &mut Shared,
    several: bool,
) -> Result<()> {
    let (dir, private) = match &args.dir {
        Some(dir) => (dir.clone(), false),
        None => (fsutil::parent_dir(file).join(DEFAULT_DIR), true),
    };
    shared.files(file, &dir, doc)?;
    let written = write_files(&dir, private, doc, args.force)?;
    let mut listing = String::new();
    for path in &written.files {
        listing.push_str(&path.to_string_lossy());
        listing.push('\n');
    }
    print_stdout(&listing)?;
    if !global.quiet {
        let whose = several.then_some(file);
        print_stderr(&format!("{}{}", whose_prefix(whose), written.summary(&dir)));
    }
    Ok(())
}

/// Names, on stderr, the declared instances that are not live (`file`: which file
/// declares them, when there are several).
fn note_missing(global: &GlobalArgs, file: Option<&Path>, doc: &Connections) {
    if doc.missing.is_empty() || global.quiet {
        return;
    }
    print_stderr(&format!(
        "{}Declared in aura.yaml but not live (not created yet?), so not in the output: {}. `auraform apply` creates them.\n",
        whose_prefix(file),
        doc.missing
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", "),
    ));
}

/// `FILE: ` before a line on stderr about one file of several; nothing for one file.
fn whose_prefix(file: Option<&Path>) -> String {
    file.map_or(String::new(), |f| format!("{}: ", f.display()))
}

/// Fetches the project and builds the document.
async fn read(session: &Session, loaded: &LoadedConfig) -> Result<Connections> {
    let desired = &loaded.desired;
    let project = session
        .client
        .fetch_project(&desired.project, |s| {
            plan::needs_details(desired, &plan::PlanOptions::default(), s)
        })
        .await?;
    let live = Live::from_project(&project);
    connections::connections(desired, &live, &project.instances)
        .map_err(|e| pipeline::locate(loaded, e))
}
