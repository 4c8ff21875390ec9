//! `auraform completions SHELL`: a completion script on stdout.

use clap::CommandFactory;

use super::outcome::Outcome;
use crate::cli::Cli;

pub(super) fn run(shell: clap_complete::Shell) -> Outcome {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "auraform", &mut std::io::stdout());
    Outcome::Success
}
