//! The composition root: one file per subcommand, each a short function from parsed
//! flags to an [`Outcome`], plus what they share — [`pipeline`] (load → observe →
//! plan), [`session`] (the real API or the embedded emulator), [`stdout`] (stdout) and
//! the top-level [`Error`]. This is the only module that knows the command line
//! (`crate::cli`); everything below it takes plain values and options.
//!
//! | file | command |
//! |---|---|
//! | `validate` | `auraform validate` |
//! | `plan` | `auraform plan` (and saving with `--out`) |
//! | `apply` | `auraform apply [PLAN_FILE]`, with `approval` (the `yes` prompt), `interrupt` (Ctrl-C), `apply_setup` (locking, confirming, the `prevent_destroy` check, executor options), `apply_files` (several files) and `lock` (one apply or destroy per directory) |
//! | `destroy` | `auraform destroy`: apply of a destroy plan, with `teardown` (credentials files, the check that nothing declared is left) |
//! | `drift` | `auraform drift` |
//! | `diff` | `auraform diff OLD NEW`, with `diff_input` (reading OLD, `git:REV:PATH`) |
//! | `import` | `auraform import` |
//! | `output` | `auraform output` (connection details of the declared instances), with `output_files` (the `.env` files, the errors) |
//! | `init` | `auraform init` (a starter aura.yaml) |
//! | `catalog` | `auraform catalog` (what a project can run) |
//! | `show` | `auraform show PLAN_FILE` |
//! | `schema` | `auraform schema [WHICH]` |
//! | `emulator` | `auraform emulator` |
//! | `completions` | `auraform completions SHELL` |
//! | `saved_plan` | reading and writing plan files |
//! | `files`, `projects` | which files `-f` names; running `plan`, `drift`, `apply`, `output` over several |

mod apply;
mod apply_files;
mod apply_setup;
mod approval;
mod catalog;
mod catalog_text;
mod catalog_view;
mod completions;
mod destroy;
mod diff;
mod diff_input;
mod drift;
mod emulator;
mod error;
mod files;
mod import;
mod init;
mod init_file;
mod interrupt;
mod lock;
mod outcome;
mod output;
mod output_files;
mod pipeline;
mod plan;
mod projects;
mod saved_plan;
mod schema;
mod session;
mod show;
mod stdout;
mod teardown;
mod validate;
mod which_project;

pub(crate) use error::{Error, Result};
pub(crate) use outcome::Outcome;

use crate::cli::{Command, GlobalArgs};

/// Runs the command `command` names, with the resolved global flags.
pub(crate) async fn dispatch(global: GlobalArgs, command: Command) -> Result<Outcome> {
    let global = &global;
    match command {
        Command::Init(on) => init::run(global, &on.args).await,
        Command::Validate(_) => validate::run(&global.files),
        Command::Plan(on) => plan::run(global, &on.args).await,
        Command::Show(on) => show::run(global, &on.args),
        Command::Apply(on) => apply::run(global, &on.args).await,
        Command::Destroy(on) => destroy::run(global, &on.args).await,
        Command::Drift(on) => drift::run(global, &on.args).await,
        Command::Import(on) => import::run(global, &on.args).await,
        Command::Catalog(on) => catalog::run(global, &on.args).await,
        Command::Diff(on) => diff::run(global, &on.args),
        Command::Output(on) => output::run(global, &on.args).await,
        Command::Schema(on) => schema::run(&on.args),
        Command::Emulator(args) => emulator::run(&args, global.rate_limit).await,
        Command::Completions(on) => Ok(completions::run(on.args.shell)),
    }
}
