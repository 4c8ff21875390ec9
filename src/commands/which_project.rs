//! Which project a command that is not about one aura.yaml (`catalog`, `init`) works
//! on: `--project`, else the `project:` of the aura.yaml at `-f` when the command
//! reads it, else the only project the credentials see.

use miette::Diagnostic;
use thiserror::Error;

use super::session::Session;
use crate::api::ApiError;
use crate::api::wire::Tenant;
use crate::import::ImportError;

/// Why no single project could be chosen.
#[derive(Debug, Error, Diagnostic)]
pub(crate) enum ProjectError {
    #[error("these credentials see no project")]
    #[diagnostic(
        code(auraform::project::none),
        help("check that the API key belongs to the right Aura organization")
    )]
    None,

    #[error("which project? These credentials see {count}: {list}")]
    #[diagnostic(
        code(auraform::project::which),
        help("choose one with --project ID_OR_NAME")
    )]
    Which { count: usize, list: String },

    /// The API refused or could not be reached.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Api(#[from] ApiError),
}

/// The project (with its `instance_configurations`) `explicit` names, else the only
/// one.
pub(super) async fn choose(
    session: &Session,
    explicit: Option<&str>,
) -> Result<Tenant, ProjectError> {
    if let Some(p) = explicit {
        return Ok(session.client.resolve_project(p).await?);
    }
    let tenants = session.client.list_tenants().await?;
    // import's rule, with this command's codes.
    let one = crate::import::only_project(&tenants).map_err(|e| match e {
        ImportError::ManyProjects { count, list } => ProjectError::Which { count, list },
        _ => ProjectError::None,
    })?;
    Ok(session.client.get_tenant(&one.id).await?)
}
