//! Which project to import, and how the written file names it.

use super::error::ImportError;
use crate::api::LiveProject;
use crate::api::wire::TenantSummary;

/// Picks the project without `--project` and without an aura.yaml: the only one.
pub(crate) fn only_project(tenants: &[TenantSummary]) -> Result<&TenantSummary, ImportError> {
    match tenants {
        [] => Err(ImportError::NoProjects),
        [one] => Ok(one),
        many => Err(ImportError::ManyProjects {
            count: many.len(),
            list: many
                .iter()
                .map(|t| format!("{} ({})", t.name, t.id))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// How the file refers to the project: its name when no other project visible to
/// these credentials has it, else its id.
pub(crate) fn project_label(live: &LiveProject, tenants: &[TenantSummary]) -> String {
    let same_name = tenants
        .iter()
        .filter(|t| t.name == live.tenant.name)
        .count();
    if same_name <= 1 && !live.tenant.name.trim().is_empty() {
        live.tenant.name.clone()
    } else {
        live.tenant.id.clone()
    }
}
