//! The top-level error: wraps each phase's error and knows nothing else. Every
//! variant renders as a miette diagnostic; `main` maps any error to exit code 1.

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    /// A command whose implementation has not landed yet. Honest, not silent.
    #[error("`auraform {0}` is not available in this build yet")]
    #[diagnostic(
        code(auraform::not_yet_available),
        help("this command is planned; see the README for what works today")
    )]
    NotYetAvailable(&'static str),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Apply(#[from] crate::apply::ApplyError),

    /// Planning failed (ambiguous identity, immutable change, stale saved plan, …).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] crate::plan::PlanError),

    /// Planning failed, with the problem pointed out in aura.yaml.
    #[error(transparent)]
    #[diagnostic(transparent)]
    PlanAt(Box<crate::pipeline::LocatedPlanError>),

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
    Session(Box<crate::session::SessionError>),

    /// `import` refused (file exists, which project, …).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Import(#[from] crate::import::ImportError),

    /// `diff` could not read OLD (git).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Diff(#[from] crate::filediff::DiffError),

    #[error("{context}")]
    #[diagnostic(code(auraform::io))]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
