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

use super::error::Result;
use super::outcome::Outcome;
use super::output_files::{OutputError, write_files};
use super::pipeline;
use super::session::Session;
use super::stdout::{print_stderr, print_stdout};
use crate::cli::{ConnectionFormat, GlobalArgs, OutputArgs};
use crate::config::LoadedConfig;
use crate::fsutil;
use crate::plan::connections::{self, Connections, env};
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
        ConnectionFormat::Env => {
            print_stdout(&env::env_lines(&doc).map_err(OutputError::from)?)?;
        }
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
