//! `auraform validate`: load and check aura.yaml offline; every problem at once.

use std::path::Path;

use super::error::Result;
use super::outcome::Outcome;
use super::pipeline;

/// Exit 0 when valid (one line on stdout), 1 with every problem located.
pub(super) fn run(file: &Path) -> Result<Outcome> {
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
