//! The files auraform writes, written one way: atomically (a temporary file in the
//! target's directory, renamed over the target once complete, so a reader or a crash
//! never sees half a file), mode 0600 from the first byte (tempfile creates it so), and
//! the private `.auraform/` folder with its `.gitignore`. Credentials, saved plans,
//! `import --output` and the emulator's state all go through here.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// The directory a path lives in: its parent, or `.` for a bare file name (where
/// `Path::parent` gives an empty path).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// What an atomic write does when the target already exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Existing {
    /// Replace it (saved plans, state files).
    Replace,
    /// Leave it and fail with [`io::ErrorKind::AlreadyExists`] (credentials: the only
    /// copy of a password is never overwritten, not even by a file that appeared
    /// between a check and the write).
    Keep,
}

/// Whether the write must reach the disk before it counts (`fsync`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Durability {
    /// Flushed to disk before the rename: for what cannot be recomputed (a password).
    Synced,
    /// Only atomic: every reader and a crash of the process see the old or the new
    /// file, never a mix; power loss may lose the latest write.
    Atomic,
}

/// Writes `bytes` to `path` atomically, mode 0600 on unix. The directory must exist.
/// An error names `path`'s directory or says what went wrong in words ([`plain`]),
/// never the temporary file the user did not ask for.
pub(crate) fn write_atomic(
    path: &Path,
    bytes: &[u8],
    existing: Existing,
    durability: Durability,
) -> io::Result<()> {
    write_via_temp(path, bytes, existing, durability).map_err(|e| plain(path, &e))
}

fn write_via_temp(
    path: &Path,
    bytes: &[u8],
    existing: Existing,
    durability: Durability,
) -> io::Result<()> {
    if existing == Existing::Keep && path.exists() {
        return Err(already_exists(path));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".auraform-")
        .tempfile_in(parent_dir(path))?;
    tmp.write_all(bytes)?;
    if durability == Durability::Synced {
        tmp.as_file().sync_all()?;
    }
    match existing {
        Existing::Replace => tmp.persist(path).map(drop).map_err(|e| e.error),
        Existing::Keep => tmp.persist_noclobber(path).map(drop).map_err(|e| e.error),
    }
}

/// `e`, met writing `path`, as an error of the same kind whose message is about
/// `path` in words: no temporary file name, no `(os error N)`.
pub(crate) fn plain(path: &Path, e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), describe(path, e))
}

/// What went wrong writing `path`, in words.
pub(crate) fn describe(path: &Path, e: &io::Error) -> String {
    let dir = parent_dir(path).display();
    match e.kind() {
        io::ErrorKind::NotFound => format!("the directory {dir} does not exist"),
        io::ErrorKind::PermissionDenied => format!("no permission to write in {dir}"),
        io::ErrorKind::AlreadyExists => format!("{} already exists", path.display()),
        io::ErrorKind::ReadOnlyFilesystem => format!("{dir} is on a read-only file system"),
        io::ErrorKind::StorageFull => "the disk is full".to_owned(),
        io::ErrorKind::QuotaExceeded => "the disk quota is exceeded".to_owned(),
        io::ErrorKind::IsADirectory => format!("{} is a directory", path.display()),
        io::ErrorKind::NotADirectory => format!("a part of {dir} is a file, not a directory"),
        kind => {
            // The OS's words, without the number Rust appends to them.
            let text = e.raw_os_error().map_or_else(
                || kind.to_string(),
                |code| io::Error::from_raw_os_error(code).to_string(),
            );
            match text.find(" (os error ") {
                Some(i) => text[..i].to_owned(),
                None => text,
            }
        }
    }
}

fn already_exists(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{} already exists", path.display()),
    )
}

/// Ensures `dir` exists (mode 0700 where supported) and carries a `.gitignore` of `*`,
/// and so does the `.auraform/` folder holding it, if any: credentials and emulator
/// state inside a repository are never committed by accident.
pub(crate) fn prepare_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    ignore_everything(dir)?;
    // The credentials dir usually sits under `.auraform/`, which also holds emulator
    // state: ignore the whole folder, not only the credentials in it.
    if let Some(outer) = dir
        .ancestors()
        .skip(1)
        .find(|a| a.file_name().is_some_and(|n| n == ".auraform"))
    {
        ignore_everything(outer)?;
    }
    Ok(())
}

/// This machine's name, for telling whose lock or journal entry a file is: the
/// kernel's host name where it can be read, else `HOSTNAME` / `COMPUTERNAME`, else
/// `localhost`.
pub(crate) fn host_name() -> String {
    let from_kernel = fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .ok();
    from_kernel
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| {
            h.trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(253)
                .collect::<String>()
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Whether process `pid` of this machine is alive: `Some` where the OS says
/// (`/proc` on Linux), `None` where it cannot be told.
pub(crate) fn process_alive(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        Some(proc.join(pid.to_string()).exists())
    } else {
        None
    }
}

fn ignore_everything(dir: &Path) -> io::Result<()> {
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        fs::write(&ignore, "*\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_of_a_bare_name_is_the_current_directory() {
        assert_eq!(parent_dir(Path::new("aura.yaml")), Path::new("."));
        assert_eq!(parent_dir(Path::new("envs/aura.yaml")), Path::new("envs"));
    }

    #[test]
    fn a_write_error_names_the_target_not_the_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("plan.json");
        let err = write_atomic(&path, b"x", Existing::Replace, Durability::Atomic).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        let text = err.to_string();
        assert_eq!(
            text,
            format!(
                "the directory {} does not exist",
                dir.path().join("missing").display()
            )
        );
        assert!(
            !text.contains(".auraform-") && !text.contains("os error"),
            "{text}"
        );
    }

    #[test]
    fn keep_never_overwrites_and_replace_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        write_atomic(&path, b"one", Existing::Keep, Durability::Synced).unwrap();
        let err = write_atomic(&path, b"two", Existing::Keep, Durability::Synced).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"three", Existing::Replace, Durability::Atomic).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"three");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn this_process_is_alive_and_has_a_host() {
        assert!(!host_name().is_empty());
        if let Some(alive) = process_alive(std::process::id()) {
            assert!(alive);
            assert_eq!(process_alive(u32::MAX), Some(false));
        }
    }

    #[test]
    fn private_dirs_ignore_everything_up_to_dot_auraform() {
        let dir = tempfile::tempdir().unwrap();
        let creds = dir.path().join(".auraform/credentials");
        prepare_private_dir(&creds).unwrap();
        assert_eq!(fs::read_to_string(creds.join(".gitignore")).unwrap(), "*\n");
        assert_eq!(
            fs::read_to_string(dir.path().join(".auraform/.gitignore")).unwrap(),
            "*\n"
        );
    }
}
