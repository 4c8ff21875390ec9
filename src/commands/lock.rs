//! The local lock: one `apply` at a time per `.auraform/` folder (docs/apply.md §16).
//!
//! Overlapping applies on different machines are made safe by the executor
//! (`apply::conflict`); on one machine they also share a credentials folder, a journal
//! and, with `--emulator`, the emulated world. So `apply` takes an OS file lock on
//! `.auraform/apply.lock` beside aura.yaml before it reads anything from the API, and
//! a second run waits for it (`--lock-timeout`, default 10m), then refuses with a
//! message naming the holder. The file says who holds it (pid, host, since when); the
//! lock itself is the OS's, released when the holder exits however it exits (kill -9
//! included), so a dead holder never blocks anyone: its leftover note is taken over,
//! with a notice. The file is never deleted (deleting a locked file lets two runs
//! lock two different files of the same name); releasing empties it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use miette::Diagnostic;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use tokio::time::Instant;

use crate::fsutil;

/// The lock file's name inside `.auraform/`.
pub(super) const LOCK_FILE: &str = "apply.lock";

/// How often a waiting run tries again.
const RETRY_EVERY: Duration = Duration::from_millis(200);

/// Who holds the lock, as written into the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Holder {
    pid: u32,
    host: String,
    /// RFC 3339.
    since: String,
}

impl Holder {
    fn me() -> Self {
        Self {
            pid: std::process::id(),
            host: fsutil::host_name(),
            since: time::OffsetDateTime::now_utc()
                .format(&time::macros::format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
                ))
                .unwrap_or_default(),
        }
    }

    fn describe(&self) -> String {
        format!("pid {} on {}, since {}", self.pid, self.host, self.since)
    }
}

/// Why the lock was not taken.
#[derive(Debug, Error, Diagnostic)]
pub(crate) enum LockError {
    #[error("another auraform apply is running for this directory ({holder}); waited {waited}")]
    #[diagnostic(
        code(auraform::lock::held),
        help(
            "wait for it to finish, or raise --lock-timeout. The lock is {path}: it is released when that process exits, \
             however it exits, so delete the file only if that process runs on another machine sharing this directory and is gone"
        )
    )]
    Held {
        holder: String,
        waited: String,
        path: String,
    },

    #[error("cannot lock {path}")]
    #[diagnostic(
        code(auraform::lock::io),
        help("check that the directory of aura.yaml is writable")
    )]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The held lock; released (emptied, then unlocked) when dropped.
#[derive(Debug)]
pub(super) struct ApplyLock {
    file: Option<File>,
}

impl Drop for ApplyLock {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            // Empty means "not held"; closing the file releases the OS lock.
            let _ = file.set_len(0);
            let _ = file.unlock();
        }
    }
}

/// Takes the lock of the `.auraform/` folder `dir`, waiting up to `timeout` for a
/// holder to finish. `notice` is told once when this run waits, and when it takes
/// over the note of a holder that did not finish.
pub(super) async fn acquire(
    dir: &Path,
    timeout: Duration,
    notice: impl Fn(&str),
) -> Result<ApplyLock, LockError> {
    let path = dir.join(LOCK_FILE);
    let io = |source| LockError::Io {
        path: path.display().to_string(),
        source,
    };
    fsutil::prepare_private_dir(dir).map_err(io)?;
    let mut file = open(&path).map_err(io)?;
    let start = Instant::now();
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => {
                if let Some(left) = read_holder(&mut file) {
                    notice(&took_over(&left));
                }
                write_holder(&mut file).map_err(io)?;
                return Ok(ApplyLock { file: Some(file) });
            }
            Err(TryLockError::WouldBlock) => {
                let holder = read_holder(&mut file).map_or_else(
                    || "a process that is just starting".to_owned(),
                    |h| h.describe(),
                );
                if start.elapsed() >= timeout {
                    return Err(LockError::Held {
                        holder,
                        waited: crate::units::WallDuration(rounded(start.elapsed())).to_string(),
                        path: path.display().to_string(),
                    });
                }
                if !told {
                    told = true;
                    notice(&format!(
                        "Waiting for another auraform apply in this directory to finish ({holder}); giving up after {}…",
                        crate::units::WallDuration(timeout)
                    ));
                }
                tokio::time::sleep(RETRY_EVERY.min(timeout.saturating_sub(start.elapsed()))).await;
                // Reopen: the holder's file is the same one (it is never deleted).
                file = open(&path).map_err(io)?;
            }
            Err(TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                notice(&format!(
                    "Warning: this file system cannot lock {}; overlapping applies in this directory will not be detected",
                    path.display()
                ));
                return Ok(ApplyLock { file: None });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
    }
}

/// Whole seconds from a second on (a wait of `1001ms` reads `1s`).
fn rounded(d: Duration) -> Duration {
    if d >= Duration::from_secs(1) {
        Duration::from_secs(d.as_secs())
    } else {
        d
    }
}

fn open(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(4096).read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

fn write_holder(file: &mut File) -> std::io::Result<()> {
    let text = serde_json::to_string(&Holder::me()).map_err(std::io::Error::other)?;
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_data()
}

/// The notice for a lock note left by a holder that did not release it.
fn took_over(left: &Holder) -> String {
    let here = left.host == fsutil::host_name();
    let why = match (here, fsutil::process_alive(left.pid)) {
        (true, Some(false)) => " (that process is no longer running)",
        _ => "",
    };
    format!(
        "Note: took over the lock left by an apply that did not finish ({}){why}; `auraform plan` shows where its instances stand",
        left.describe()
    )
}

/// Where the lock of the aura.yaml at `file` lives.
pub(super) fn dir_for(file: &Path) -> PathBuf {
    fsutil::parent_dir(file).join(".auraform")
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    fn notes() -> (Arc<Mutex<Vec<String>>>, impl Fn(&str)) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        (seen, move |m: &str| sink.lock().unwrap().push(m.to_owned()))
    }

    #[tokio::test]
    async fn a_second_holder_waits_then_refuses_naming_the_first() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(".auraform");
        let (_, quiet) = notes();
        let first = acquire(&dir, Duration::ZERO, &quiet).await.unwrap();
        let (seen, notice) = notes();
        let err = acquire(&dir, Duration::from_millis(300), notice)
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("another auraform apply is running for this directory (pid "),
            "{text}"
        );
        assert!(
            text.contains(&format!("pid {} on ", std::process::id())),
            "{text}"
        );
        assert!(seen.lock().unwrap()[0].starts_with("Waiting for another auraform apply"));
        // Released: the next one gets it at once, with no takeover note.
        drop(first);
        let (seen, notice) = notes();
        let _again = acquire(&dir, Duration::ZERO, notice).await.unwrap();
        assert!(
            seen.lock().unwrap().is_empty(),
            "{:?}",
            seen.lock().unwrap()
        );
    }

    #[tokio::test]
    async fn a_waiting_run_gets_the_lock_when_the_holder_finishes() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(".auraform");
        let (_, quiet) = notes();
        let first = acquire(&dir, Duration::ZERO, &quiet).await.unwrap();
        let release = async {
            tokio::time::sleep(Duration::from_millis(400)).await;
            drop(first);
        };
        let (got, ()) = tokio::join!(acquire(&dir, Duration::from_secs(10), &quiet), release);
        assert!(got.is_ok());
    }

    #[tokio::test]
    async fn a_note_left_by_a_dead_holder_is_taken_over_with_a_notice() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(".auraform");
        std::fs::create_dir_all(&dir).unwrap();
        let dead = Holder {
            pid: u32::MAX,
            host: fsutil::host_name(),
            since: "2026-01-20T13:44:42Z".into(),
        };
        std::fs::write(dir.join(LOCK_FILE), serde_json::to_string(&dead).unwrap()).unwrap();
        let (seen, notice) = notes();
        let _lock = acquire(&dir, Duration::ZERO, notice).await.unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(
            seen[0].contains(&format!("pid {} on", u32::MAX)),
            "{}",
            seen[0]
        );
        assert!(
            seen[0].contains("since 2026-01-20T13:44:42Z"),
            "{}",
            seen[0]
        );
    }
}
