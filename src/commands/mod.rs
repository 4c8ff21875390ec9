//! The composition root: one file per subcommand, each a short function from parsed
//! flags to an [`Outcome`], plus what they share — [`pipeline`] (load → observe →
//! plan), [`session`] (the real API or the embedded emulator), [`output`] (stdout) and
//! the top-level [`Error`]. This is the only module that knows the command line
//! (`crate::cli`); everything below it takes plain values and options.
//!
//! | file | command |
//! |---|---|
//! | `validate` | `auraform validate` |
//! | `plan` | `auraform plan` (and saving with `--out`) |
//! | `apply` | `auraform apply [PLAN_FILE]`, with `approval` (the `yes` prompt), `interrupt` (Ctrl-C), `apply_setup` (locking, confirming, executor options), `apply_files` (several files) and `lock` (one apply per directory) |
//! | `drift` | `auraform drift` |
//! | `diff` | `auraform diff OLD NEW`, with `diff_input` (reading OLD, `git:REV:PATH`) |
//! | `import` | `auraform import` |
//! | `schema` | `auraform schema [--plan \| --files]` |
//! | `emulator` | `auraform emulator` |
//! | `completions` | `auraform completions SHELL` |
//! | `saved_plan` | reading and writing plan files |
//! | `files`, `projects` | which files `-f` names; running `plan`, `drift`, `apply` over several |

mod apply;
mod apply_files;
mod apply_setup;
mod approval;
mod completions;
mod diff;
mod diff_input;
mod drift;
mod emulator;
mod error;
mod files;
mod import;
mod interrupt;
mod lock;
mod outcome;
mod output;
mod pipeline;
mod plan;
mod projects;
mod saved_plan;
mod schema;
mod session;
mod validate;

pub(crate) use error::{Error, Result};
pub(crate) use outcome::Outcome;

use crate::cli::{Cli, Command};

/// Runs the command `cli` names.
pub(crate) async fn dispatch(cli: Cli) -> Result<Outcome> {
    let global = &cli.global;
    match cli.command {
        Command::Validate => validate::run(&global.files()),
        Command::Plan(args) => plan::run(global, &args).await,
        Command::Apply(args) => apply::run(global, &args).await,
        Command::Drift(args) => drift::run(global, &args).await,
        Command::Import(args) => import::run(global, &args).await,
        Command::Diff(args) => diff::run(global, &args),
        Command::Schema(args) => schema::run(&args),
        Command::Emulator(args) => emulator::run(&args, global.rate_limit).await,
        Command::Completions(args) => Ok(completions::run(args.shell)),
    }
}
