//! Why `import` stops: the errors every part of the import shares (the project choice,
//! the clean-plan self-check, the command's refusal to overwrite).

use miette::Diagnostic;
use thiserror::Error;

/// Why `import` stopped.
#[derive(Debug, Error, Diagnostic)]
pub(crate) enum ImportError {
    #[error("{path} already exists; import does not overwrite it")]
    #[diagnostic(
        code(auraform::import::file_exists),
        help("pass --force to overwrite it, or choose another --output")
    )]
    FileExists { path: String },

    #[error("these credentials see no project to import")]
    #[diagnostic(
        code(auraform::import::no_project),
        help("check that the API key belongs to the right Aura organization")
    )]
    NoProjects,

    #[error("which project? These credentials see {count}: {list}")]
    #[diagnostic(
        code(auraform::import::which_project),
        help("choose one with --project ID_OR_NAME")
    )]
    ManyProjects { count: usize, list: String },

    /// A bug guard: the written file would not plan clean.
    #[error("the imported file would not plan clean: {details}")]
    #[diagnostic(
        code(auraform::import::not_clean),
        help(
            "nothing was written. This is a bug in auraform import; please report it with the output of `auraform -vv import`"
        )
    )]
    NotClean { details: String },
}
