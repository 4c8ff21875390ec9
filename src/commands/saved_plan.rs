//! Plan files on disk: `plan --out FILE` writes one, `apply FILE` reads one. The
//! format and the staleness check are `plan::saved`'s; this file only moves the bytes
//! (atomically, so an interrupted `plan --out` never leaves half a plan to apply) and
//! says which aura.yaml a plan belongs to.
//!
//! A plan is about the *contents* of aura.yaml, not about how its path was typed:
//! the digest sees the credentials directory as the file writes it (relative to the
//! file's own directory, [`as_written`]), and the plan records the file it was made
//! from (absolute, symlinks resolved) so that `apply FILE` without `-f` reads that
//! file, and a stale plan's error can name it.

use std::path::{Path, PathBuf};

use crate::cli::{DEFAULT_FILE, GlobalArgs};
use crate::config::{Desired, LoadedConfig};
use crate::fsutil::{self, Durability, Existing};
use crate::plan::{self, Live, Plan, PlanError};

/// Writes `plan`, sealed with what it was made from, to `path`. `file` is the
/// aura.yaml `loaded` was read from.
pub(super) fn save(
    path: &Path,
    plan: &Plan,
    loaded: &LoadedConfig,
    file: &Path,
    live: &Live,
) -> Result<(), PlanError> {
    let mut sealed = plan::saved::seal(plan.clone(), &as_written(loaded, file), live);
    if let Some(made_from) = &mut sealed.made_from {
        made_from.config_file = Some(canonical(file));
    }
    let bytes = plan::saved::sealed_json(&sealed);
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

/// The desired state as its digest sees it: the credentials directory relative to the
/// directory of `file` (as aura.yaml writes it), so the same file named another way
/// gives the same digest. An absolute `credentials.dir` stays absolute.
pub(super) fn as_written(loaded: &LoadedConfig, file: &Path) -> Desired {
    let mut desired = loaded.desired.clone();
    if let Ok(relative) = desired
        .credentials_dir
        .strip_prefix(fsutil::parent_dir(file))
    {
        desired.credentials_dir = relative.to_path_buf();
    }
    desired
}

/// `file` as an absolute path with symlinks resolved (as given if that fails).
pub(super) fn canonical(file: &Path) -> String {
    std::fs::canonicalize(file)
        .unwrap_or_else(|_| file.to_path_buf())
        .display()
        .to_string()
}

/// The file to apply `saved` to: without `-f`, the file the plan was made from when
/// it still exists there (a plan made with `-f envs/prod.yaml` is about that file, not
/// about `./aura.yaml`); otherwise `given`, the files `-f` resolved to.
pub(super) fn files_for(global: &GlobalArgs, saved: &Plan, given: Vec<PathBuf>) -> Vec<PathBuf> {
    let recorded = saved
        .made_from
        .as_ref()
        .and_then(|m| m.config_file.as_deref())
        .map(PathBuf::from);
    match recorded {
        Some(file) if !global.files_given && file.is_file() => {
            if !global.quiet && canonical(Path::new(DEFAULT_FILE)) != canonical(&file) {
                eprintln!(
                    "Applying the plan to {}, the file it was made from.",
                    file.display()
                );
            }
            vec![file]
        }
        _ => given,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PlanOptions;

    #[test]
    fn a_saved_plan_reads_back_and_a_missing_file_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        let file = dir.path().join("aura.yaml");
        std::fs::write(&file, "project: demo\ninstances: {}\n").unwrap();
        let loaded = crate::config::load(&file, &|_| None).unwrap();
        let live = Live::from_desired(&loaded.desired);
        let plan = plan::plan(&loaded.desired, &live, &PlanOptions::default()).unwrap();
        save(&path, &plan, &loaded, &file, &live).unwrap();
        let back = load(&path).unwrap();
        assert_eq!(back.changes, plan.changes);
        let made_from = back.made_from.unwrap();
        assert_eq!(made_from.config_file, Some(canonical(&file)));
        assert!(matches!(
            load(&dir.path().join("missing.json")),
            Err(PlanError::SavedRead { .. })
        ));
    }

    #[test]
    fn the_digest_sees_the_credentials_directory_as_the_file_writes_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("aura.yaml");
        std::fs::write(&file, "project: demo\ninstances: {}\n").unwrap();
        let absolute = crate::config::load(&file, &|_| None).unwrap();
        assert_eq!(
            as_written(&absolute, &file).credentials_dir,
            Path::new(".auraform/credentials")
        );
        let relative = crate::config::load_str(
            "aura.yaml",
            "project: demo\ninstances: {}\n",
            Path::new("."),
            &|_| None,
        )
        .unwrap();
        assert_eq!(
            plan::saved::config_digest(&as_written(&relative, Path::new("aura.yaml"))),
            plan::saved::config_digest(&as_written(&absolute, &file))
        );
        let elsewhere = crate::config::load_str(
            "aura.yaml",
            "project: demo\ncredentials:\n  dir: /srv/creds\ninstances: {}\n",
            Path::new("."),
            &|_| None,
        )
        .unwrap();
        assert_eq!(
            as_written(&elsewhere, Path::new("aura.yaml")).credentials_dir,
            Path::new("/srv/creds")
        );
    }
}
