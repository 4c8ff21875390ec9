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

    #[error(transparent)]
    #[diagnostic(transparent)]
    Emulator(#[from] crate::emulator::EmulatorError),

    /// aura.yaml is unreadable or invalid: every problem, located.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] crate::config::ConfigErrors),

    /// `schema --plan` in a build that has no plan schema.
    #[error("the plan JSON schema is not available: {0} does not exist")]
    #[diagnostic(
        code(auraform::schema::plan_unavailable),
        help(
            "the plan format is published as schema/plan.schema.json once the plan command lands"
        )
    )]
    PlanSchemaMissing(String),

    /// Could not reach the API (credentials, URL, embedded emulator, a failed call).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Session(Box<crate::session::SessionError>),

    #[error("{context}")]
    #[diagnostic(code(auraform::io))]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
