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
//! | `apply` | `auraform apply [PLAN_FILE]`, with `approval` (the `yes` prompt) and `interrupt` (Ctrl-C) |
//! | `drift` | `auraform drift` |
//! | `diff` | `auraform diff OLD NEW`, with `diff_input` (reading OLD, `git:REV:PATH`) |
//! | `import` | `auraform import` |
//! | `schema` | `auraform schema [--plan]` |
//! | `emulator` | `auraform emulator` |
//! | `completions` | `auraform completions SHELL` |
//! | `saved_plan` | reading and writing plan files |

mod apply;
mod approval;
mod completions;
mod diff;
mod diff_input;
mod drift;
mod emulator;
mod error;
mod import;
mod interrupt;
mod outcome;
mod output;
mod pipeline;
mod plan;
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
        Command::Validate => validate::run(global.file()),
        Command::Plan(args) => plan::run(global, &args).await,
        Command::Apply(args) => apply::run(global, &args).await,
        Command::Drift(args) => drift::run(global, &args).await,
        Command::Import(args) => import::run(global, &args).await,
        Command::Diff(args) => diff::run(global, &args),
        Command::Schema(args) => schema::run(args.plan),
        Command::Emulator(args) => emulator::run(&args, global.rate_limit).await,
        Command::Completions(args) => Ok(completions::run(args.shell)),
    }
}
