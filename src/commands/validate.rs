//! `auraform validate`: load and check aura.yaml offline; every problem at once. With
//! several files, each is checked and reported in turn.

use std::path::{Path, PathBuf};

use super::error::Result;
use super::outcome::Outcome;
use super::{files, pipeline, projects};

/// Exit 0 when valid (one line on stdout per file), 1 with every problem located.
pub(super) fn run(paths: &[PathBuf]) -> Result<Outcome> {
    let files = files::resolve(paths)?;
    if let [file] = files.as_slice() {
        return run_one(file);
    }
    let runs: Vec<_> = files
        .iter()
        .map(|file| projects::FileRun {
            file: file.clone(),
            result: run_one(file).map_err(|e| projects::fail(file, e)),
        })
        .collect();
    projects::finish(&runs, |_| Outcome::Success)
}

fn run_one(file: &Path) -> Result<Outcome> {
    let loaded = pipeline::load(file)?;
    let n = loaded.desired.instances.len();
    println!(
        "{} is valid: {n} instance{} in project {}",
        loaded.file,
        if n == 1 { "" } else { "s" },
        loaded.desired.project
    );
    Ok(Outcome::Success)
}
