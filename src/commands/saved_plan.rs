//! Plan files on disk: `plan --out FILE` writes one, `apply FILE` reads one. The
//! format and the staleness check are `plan::saved`'s; this file only moves the bytes
//! (atomically, so an interrupted `plan --out` never leaves half a plan to apply).

use std::path::Path;

use crate::config::Desired;
use crate::fsutil::{self, Durability, Existing};
use crate::plan::{self, Live, Plan, PlanError};

/// Writes `plan`, sealed with what it was made from, to `path`.
pub(super) fn save(
    path: &Path,
    plan: &Plan,
    desired: &Desired,
    live: &Live,
) -> Result<(), PlanError> {
    let bytes = plan::to_json(plan, desired, live);
    fsutil::write_atomic(path, &bytes, Existing::Replace, Durability::Synced).map_err(|source| {
        PlanError::SavedWrite {
            path: path.to_owned(),
            source,
        }
    })
}

/// Reads a saved plan; anything that is not a saved plan of this format is refused.
pub(super) fn load(path: &Path) -> Result<Plan, PlanError> {
    let bytes = std::fs::read(path).map_err(|source| PlanError::SavedRead {
        path: path.to_owned(),
        source,
    })?;
    plan::from_json(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PlanOptions;

    #[test]
    fn a_saved_plan_reads_back_and_a_missing_file_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        let desired = Desired {
            project: "demo".into(),
            credentials_dir: ".auraform/credentials".into(),
            credentials_file: true,
            credentials_command: None,
            prune: false,
            instances: indexmap::IndexMap::new(),
        };
        let live = Live::from_desired(&desired);
        let plan = plan::plan(&desired, &live, &PlanOptions::default()).unwrap();
        save(&path, &plan, &desired, &live).unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.changes, plan.changes);
        assert!(loaded.made_from.is_some());
        assert!(matches!(
            load(&dir.path().join("missing.json")),
            Err(PlanError::SavedRead { .. })
        ));
    }
}
