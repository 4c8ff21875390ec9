//! The file sink: `<credentials.dir>/<name>.env`, the first place the password of a
//! newly created instance goes.
//!
//! The create response is the only copy of the password the API will ever give
//! (docs/aura-api.md §9.2), so this runs before anything else happens to a new
//! instance and is as careful as a file write can be: written to a temporary file in
//! the same directory with mode 0600 from the start, flushed, then atomically renamed
//! into place — without replacing a file that already exists. The directory gets a
//! `.gitignore` of `*` so that a credentials folder inside a repository is never
//! committed by accident. Nothing here ever prints or logs the password.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::api::wire::CreatedInstance;
use crate::fsutil::{self, Durability, Existing};

/// Why credentials could not be stored.
#[derive(Debug, Error, Diagnostic)]
pub enum CredentialsError {
    #[error("credentials for `{name}` were not written: {path} already exists")]
    #[diagnostic(
        code(auraform::apply::credentials_exist),
        help(
            "auraform never overwrites a credentials file. The new instance {id}'s password could not be saved; \
             move the old file away and reset the password in the Aura console"
        )
    )]
    Exists {
        name: String,
        id: String,
        path: PathBuf,
    },

    #[error("cannot write credentials for `{name}` to {path}")]
    #[diagnostic(
        code(auraform::apply::credentials_io),
        help(
            "check that the credentials directory is writable; the instance {id} was created but its password is lost — reset it in the Aura console"
        )
    )]
    Io {
        name: String,
        id: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The file a created instance's credentials go to: `<dir>/<name>.env`.
pub fn credentials_path(dir: &Path, instance_name: &str) -> PathBuf {
    dir.join(format!("{}.env", file_stem(instance_name)))
}

/// Instance names may contain characters that are not safe in file names (`/`, NUL,
/// leading dots); they are replaced so the file always lands inside `dir`.
fn file_stem(name: &str) -> String {
    let mut stem: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.starts_with('.') {
        stem.replace_range(0..1, "_");
    }
    if stem.is_empty() {
        stem.push('_');
    }
    stem
}

/// The `.env` text for an instance. `NEO4J_DATABASE` is `neo4j`, the default
/// database of every Aura instance.
pub(super) fn env_text(created: &CreatedInstance) -> String {
    let uri = created
        .connection_url
        .clone()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| crate::plan::connections::derived_uri(&created.id));
    format!(
        "# Written by auraform when instance `{name}` was created.\n\
         # This is the only copy of the password: keep it safe, never commit it.\n\
         NEO4J_URI={uri}\n\
         NEO4J_USERNAME={user}\n\
         NEO4J_PASSWORD={password}\n\
         NEO4J_DATABASE=neo4j\n\
         AURA_INSTANCE_ID={id}\n",
        name = created.name,
        user = created.username,
        password = created.password.expose(),
        id = created.id,
    )
}

/// Writes the credentials of a just-created instance to `<dir>/<name>.env`,
/// atomically, mode 0600, never replacing an existing file. Returns the path.
pub fn write(dir: &Path, created: &CreatedInstance) -> Result<PathBuf, CredentialsError> {
    write_to(dir, credentials_path(dir, &created.name), created)
}

/// Like [`write`], but when `<name>.env` already exists (typically left by an earlier
/// instance of the same name that a replace just deleted) the credentials go to
/// `<name>.<id>.env` instead: the old file is kept and the new password is not lost.
/// Returns the path and whether the fallback was used.
pub fn write_beside_existing(
    dir: &Path,
    created: &CreatedInstance,
) -> Result<(PathBuf, bool), CredentialsError> {
    match write(dir, created) {
        Ok(path) => Ok((path, false)),
        Err(CredentialsError::Exists { .. }) => {
            let stem = file_stem(&format!("{}.{}", created.name, created.id));
            let path = dir.join(format!("{stem}.env"));
            write_to(dir, path, created).map(|p| (p, true))
        }
        Err(e) => Err(e),
    }
}

fn write_to(
    dir: &Path,
    path: PathBuf,
    created: &CreatedInstance,
) -> Result<PathBuf, CredentialsError> {
    let io_err = |source| CredentialsError::Io {
        name: created.name.clone(),
        id: created.id.clone(),
        path: path.clone(),
        source,
    };
    if path.exists() {
        return Err(CredentialsError::Exists {
            name: created.name.clone(),
            id: created.id.clone(),
            path,
        });
    }
    fsutil::prepare_private_dir(dir).map_err(io_err)?;
    // Synced before the rename, and never over a file that appeared meanwhile.
    fsutil::write_atomic(
        &path,
        env_text(created).as_bytes(),
        Existing::Keep,
        Durability::Synced,
    )
    .map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CredentialsError::Exists {
                name: created.name.clone(),
                id: created.id.clone(),
                path: path.clone(),
            }
        } else {
            io_err(e)
        }
    })?;

    Ok(path)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::api::wire::WireSecret;
    use crate::aura::{CloudProvider, InstanceType};

    fn created(name: &str) -> CreatedInstance {
        CreatedInstance {
            id: "0a1b2c3d".into(),
            connection_url: Some("neo4j+s://0a1b2c3d.databases.neo4j.io".into()),
            username: "neo4j".into(),
            password: WireSecret::new("s3cret-pass"),
            tenant_id: "t".into(),
            cloud_provider: CloudProvider::Gcp,
            region: "europe-west1".into(),
            instance_type: InstanceType::ProfessionalDb,
            name: name.into(),
            created_at: None,
            vector_optimized: None,
        }
    }

    #[test]
    fn writes_env_file_0600_and_gitignores() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(".auraform/credentials");
        let path = write(&dir, &created("orders")).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("NEO4J_PASSWORD=s3cret-pass\n"));
        assert!(text.contains("NEO4J_URI=neo4j+s://0a1b2c3d.databases.neo4j.io\n"));
        assert!(text.contains("NEO4J_USERNAME=neo4j\n"));
        assert!(text.contains("NEO4J_DATABASE=neo4j\n"));
        assert!(text.contains("AURA_INSTANCE_ID=0a1b2c3d\n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert_eq!(fs::read_to_string(dir.join(".gitignore")).unwrap(), "*\n");
        assert_eq!(
            fs::read_to_string(root.path().join(".auraform/.gitignore")).unwrap(),
            "*\n"
        );
        // No temporary files left behind.
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(".auraform-"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn never_overwrites() {
        let root = tempfile::tempdir().unwrap();
        let path = write(root.path(), &created("orders")).unwrap();
        fs::write(&path, "old").unwrap();
        let err = write(root.path(), &created("orders")).unwrap_err();
        assert!(matches!(err, CredentialsError::Exists { .. }));
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        // The error names the file and the instance but never the password.
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("s3cret-pass"));
    }

    #[test]
    fn falls_back_beside_an_existing_file() {
        let root = tempfile::tempdir().unwrap();
        let first = write(root.path(), &created("orders")).unwrap();
        fs::write(&first, "old").unwrap();
        let (second, fallback) = write_beside_existing(root.path(), &created("orders")).unwrap();
        assert!(fallback);
        assert_eq!(second, root.path().join("orders.0a1b2c3d.env"));
        assert_eq!(fs::read_to_string(&first).unwrap(), "old");
        assert!(
            fs::read_to_string(&second)
                .unwrap()
                .contains("NEO4J_PASSWORD=s3cret-pass\n")
        );
        // Both taken: refuse rather than overwrite.
        let err = write_beside_existing(root.path(), &created("orders")).unwrap_err();
        assert!(matches!(err, CredentialsError::Exists { .. }));
    }

    #[test]
    fn hostile_names_stay_inside_the_directory() {
        let root = tempfile::tempdir().unwrap();
        for name in ["../escape", "a/b", ".hidden", ""] {
            let p = credentials_path(root.path(), name);
            assert_eq!(p.parent(), Some(root.path()), "{name}");
        }
    }
}
