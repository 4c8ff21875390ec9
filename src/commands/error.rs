//! The top-level error: wraps each phase's error and knows nothing else. Every
//! variant renders as a miette diagnostic; `lib::run` maps any error to exit code 1.

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub(crate) enum Error {
    /// The executor did not finish every instance.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Apply(#[from] crate::apply::ApplyError),

    /// `apply` refused to start (no confirmation, a saved plan with extra flags, …).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Approval(#[from] super::approval::ApprovalError),

    /// Another apply holds this directory's lock.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lock(#[from] super::lock::LockError),

    /// A second Ctrl-C stopped `apply` at once.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Aborted(#[from] super::interrupt::Aborted),

    /// Planning failed (ambiguous identity, immutable change, stale saved plan, …).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] crate::plan::PlanError),

    /// Planning failed, with the problem pointed out in aura.yaml.
    #[error(transparent)]
    #[diagnostic(transparent)]
    PlanAt(Box<crate::plan::LocatedPlanError>),

    /// The Aura API refused or could not be reached.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Api(#[from] crate::api::ApiError),

    /// The emulator could not start or serve.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Emulator(#[from] crate::emulator::EmulatorError),

    /// aura.yaml is unreadable or invalid: every problem, located.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] crate::config::ConfigErrors),

    /// Could not reach the API (credentials, URL, embedded emulator, a failed call).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Session(Box<super::session::SessionError>),

    /// `import` refused (file exists, which project, …).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Import(#[from] crate::import::ImportError),

    /// `diff` could not read OLD (git), or the files name different projects.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Diff(#[from] super::diff_input::DiffError),

    /// `output` refused, or could not write its files.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Output(#[from] super::output_files::OutputError),

    /// `catalog` or `init` could not tell which project.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Project(#[from] super::which_project::ProjectError),

    /// `catalog` found nothing that matches its filters.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Catalog(#[from] super::catalog_view::CatalogError),

    /// `init` wrote nothing (the file exists, the project offers nothing).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Init(#[from] super::init_file::InitError),

    /// The files of a run over several, or a flag that needs one file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Files(#[from] super::files::FilesError),

    #[error("{context}")]
    #[diagnostic(code(auraform::io))]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;
