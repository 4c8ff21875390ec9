//! auraform keeps Neo4j Aura instances exactly as aura.yaml says.
//!
//! Pipeline (docs/architecture.md): `config` loads aura.yaml into `Desired`; `api`
//! fetches the live project; `plan` diffs the two (pure) and renders the result;
//! `apply` carries a plan out; `emulator` serves a local Aura API for tests and for
//! users; `commands` wires them into subcommands. `main.rs` only calls [`run`].

pub mod api;
pub mod apply;
pub mod aura;
mod cli;
mod commands;
pub mod config;
pub mod emulator;
mod fsutil;
mod import;
mod logging;
pub mod plan;
pub mod units;

use std::process::ExitCode;

use clap::Parser;

/// Exit code for success / no changes.
pub const EXIT_OK: u8 = 0;
/// Exit code for any error.
pub const EXIT_ERROR: u8 = 1;
/// Exit code for "changes or drift present" (only where the contract says so).
pub const EXIT_CHANGES: u8 = 2;

/// Parses the command line, runs the command, renders any error on stderr and returns
/// the process exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let (global, command) = match cli::Cli::try_parse_from(args).and_then(cli::Cli::resolve) {
        Ok(parsed) => parsed,
        Err(e) => {
            // clap prints help/version on stdout with exit 0, usage errors on stderr with 2;
            // our contract reserves 2 for "changes", so usage errors exit 1.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { EXIT_OK });
        }
    };
    logging::init(&global);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match runtime.block_on(commands::dispatch(global, command)) {
        Ok(commands::Outcome::Success) => ExitCode::from(EXIT_OK),
        Ok(commands::Outcome::Changes) => ExitCode::from(EXIT_CHANGES),
        Err(err) => {
            logging::report(err);
            ExitCode::from(EXIT_ERROR)
        }
    }
}
