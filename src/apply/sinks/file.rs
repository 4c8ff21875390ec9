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

/// Where [`write_live`] put a new instance's credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The new instance's file: `<name>.env`, unless moving an older file aside
    /// failed (then `<name>.<id>.env`, and `superseded` says why).
    pub path: PathBuf,
    /// The older `<name>.env` (typically of the instance a replace just deleted),
    /// kept aside as `<name>.<oldid>.stale.env`.
    pub superseded: Option<PathBuf>,
    /// Set when the new file could not take the stable path; the reason.
    pub not_promoted: Option<String>,
}

/// Writes the credentials of a just-created instance so that `<name>.env` is always
/// the file of the newest instance of that name, and no copy is ever lost: when
/// `<name>.env` exists (left by an earlier instance, typically the one a replace
/// deleted), the new credentials are first written to `<name>.<id>.env` (the
/// password is on disk from then on), the old file is copied aside to
/// `<name>.<oldid>.stale.env` with a comment saying so, and only then is the new file
/// renamed over `<name>.env`. A crash at any point leaves every password in a file;
/// [`promote`] finishes the move later.
pub fn write_live(dir: &Path, created: &CreatedInstance) -> Result<Written, CredentialsError> {
    match write(dir, created) {
        Ok(path) => Ok(Written {
            path,
            superseded: None,
            not_promoted: None,
        }),
        Err(CredentialsError::Exists { .. }) => {
            let beside = beside_path(dir, &created.name, &created.id);
            write_to(dir, beside.clone(), created)?;
            Ok(match promote(dir, &created.name, &created.id) {
                Ok(superseded) => Written {
                    path: credentials_path(dir, &created.name),
                    superseded,
                    not_promoted: None,
                },
                Err(e) => Written {
                    path: beside,
                    superseded: None,
                    not_promoted: Some(e.to_string()),
                },
            })
        }
        Err(e) => Err(e),
    }
}

/// `<dir>/<name>.<id>.env`: where a new instance's credentials wait while an older
/// `<name>.env` is moved aside.
fn beside_path(dir: &Path, name: &str, id: &str) -> PathBuf {
    dir.join(format!("{}.env", file_stem(&format!("{name}.{id}"))))
}

/// Makes `<name>.<id>.env`, if it exists, the file at the stable path `<name>.env`,
/// keeping the file that was there as `<name>.<oldid>.stale.env` (returned). Safe to
/// run again after a crash at any point of it.
pub fn promote(dir: &Path, name: &str, id: &str) -> std::io::Result<Option<PathBuf>> {
    let beside = beside_path(dir, name, id);
    if !beside.exists() {
        return Ok(None);
    }
    let stable = credentials_path(dir, name);
    let mut superseded = None;
    if stable.exists() {
        let old = std::fs::read_to_string(&stable)?;
        let old_id = instance_id_in(&old);
        if old_id.as_deref() == Some(id) {
            // Already promoted before a crash; the beside copy is the same file.
            std::fs::remove_file(&beside)?;
            return Ok(None);
        }
        let aside = free_stale_path(dir, name, old_id.as_deref());
        let text = format!(
            "# STALE: superseded by instance {id}, whose credentials are now in {}.\n\
             # Kept in case the old instance's password is still needed.\n{old}",
            stable
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        );
        fsutil::write_atomic(&aside, text.as_bytes(), Existing::Keep, Durability::Synced)?;
        superseded = Some(aside);
    }
    // The old text is safe in the stale copy: the rename may replace it.
    std::fs::rename(&beside, &stable)?;
    Ok(superseded)
}

/// `<name>.<oldid>.stale.env`, or `….stale.2.env`, … if taken.
fn free_stale_path(dir: &Path, name: &str, old_id: Option<&str>) -> PathBuf {
    let stem = file_stem(&format!("{name}.{}", old_id.unwrap_or("previous")));
    (1..=1000)
        .map(|n| {
            if n == 1 {
                dir.join(format!("{stem}.stale.env"))
            } else {
                dir.join(format!("{stem}.stale.{n}.env"))
            }
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{stem}.stale.env")))
}

/// The `AURA_INSTANCE_ID` a credentials file names.
pub fn instance_id_in(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("AURA_INSTANCE_ID="))
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
}

/// The credentials file in `dir` that holds instance `id`'s password, if any: the
/// stable `<name>.env`, a `<name>.<id>.env` not promoted yet, or any other `.env`
/// file naming it (never a stale copy, which holds an older instance's).
pub fn find_for(dir: &Path, id: &str) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "env") && !p.to_string_lossy().contains(".stale.")
        })
        .find(|p| {
            std::fs::read_to_string(p).ok().is_some_and(|t| {
                instance_id_in(&t).as_deref() == Some(id) && t.contains("NEO4J_PASSWORD=")
            })
        })
}

/// Removes `path` if it is instance `id`'s credentials file (after that instance was
/// deleted because another apply's copy was kept). Returns whether it was removed.
pub fn remove_own(path: &Path, id: &str) -> std::io::Result<bool> {
    match std::fs::read_to_string(path) {
        Ok(text) if instance_id_in(&text).as_deref() == Some(id) => {
            std::fs::remove_file(path)?;
            Ok(true)
        }
        Ok(_) => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
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

    fn created_as(name: &str, id: &str, password: &str) -> CreatedInstance {
        CreatedInstance {
            id: id.into(),
            password: WireSecret::new(password),
            ..created(name)
        }
    }

    /// After a replace, `<name>.env` is the live instance's file; the deleted one's is
    /// kept aside, marked stale, and neither password is lost.
    #[test]
    fn replace_credentials_take_the_stable_path_and_keep_the_old_aside() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        write(dir, &created_as("orders", "0ld00000", "old-pass")).unwrap();
        let written = write_live(dir, &created_as("orders", "ne000000", "new-pass")).unwrap();
        assert_eq!(written.path, dir.join("orders.env"));
        let stable = fs::read_to_string(dir.join("orders.env")).unwrap();
        assert!(stable.contains("NEO4J_PASSWORD=new-pass\n"), "{stable}");
        assert!(stable.contains("AURA_INSTANCE_ID=ne000000\n"));
        let aside = dir.join("orders.0ld00000.stale.env");
        assert_eq!(written.superseded.as_deref(), Some(aside.as_path()));
        let stale = fs::read_to_string(&aside).unwrap();
        assert!(
            stale.starts_with("# STALE: superseded by instance ne000000"),
            "{stale}"
        );
        assert!(stale.contains("NEO4J_PASSWORD=old-pass\n"));
        assert!(!dir.join("orders.ne000000.env").exists());
        assert_eq!(find_for(dir, "ne000000"), Some(dir.join("orders.env")));
        assert_eq!(
            find_for(dir, "0ld00000"),
            None,
            "a stale copy is not live credentials"
        );

        // A third instance: the second goes aside too, under its own id.
        write_live(dir, &created_as("orders", "th000000", "third-pass")).unwrap();
        assert!(dir.join("orders.ne000000.stale.env").exists());
        assert!(aside.exists());
    }

    /// A crash between writing `<name>.<id>.env` and the rename leaves both files;
    /// `promote` finishes the move, and running it again changes nothing.
    #[test]
    fn promote_finishes_an_interrupted_move() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        write(dir, &created_as("orders", "0ld00000", "old-pass")).unwrap();
        write_to(
            dir,
            beside_path(dir, "orders", "ne000000"),
            &created_as("orders", "ne000000", "new-pass"),
        )
        .unwrap();
        assert_eq!(
            find_for(dir, "ne000000"),
            Some(dir.join("orders.ne000000.env"))
        );
        let aside = promote(dir, "orders", "ne000000").unwrap();
        assert_eq!(aside, Some(dir.join("orders.0ld00000.stale.env")));
        assert!(
            fs::read_to_string(dir.join("orders.env"))
                .unwrap()
                .contains("new-pass")
        );
        assert_eq!(promote(dir, "orders", "ne000000").unwrap(), None);
        assert_eq!(
            fs::read_dir(dir).unwrap().count(),
            3,
            "env, stale copy, .gitignore"
        );
    }

    #[test]
    fn remove_own_only_removes_that_instances_file() {
        let root = tempfile::tempdir().unwrap();
        let path = write(root.path(), &created("orders")).unwrap();
        assert!(!remove_own(&path, "ffffffff").unwrap());
        assert!(path.exists());
        assert!(remove_own(&path, "0a1b2c3d").unwrap());
        assert!(!path.exists());
        assert!(!remove_own(&path, "0a1b2c3d").unwrap());
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
