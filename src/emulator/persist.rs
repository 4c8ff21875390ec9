//! The world on disk (`--state FILE`): load at start, save after every change and at
//! shutdown.
//!
//! The file is compact JSON with a `format_version`, wall-clock timestamps and due times (so
//! operations in flight at save time complete after a reload), and the projects' tiers
//! (their `instance_configurations` are rebuilt from the catalogue). Writes are atomic:
//! a temporary file in the same directory, then a rename, so a crash never leaves half a
//! world. A file that exists but does not parse is refused with a clear error and never
//! overwritten: it may be the only copy of someone's world.
//!
//! Saving is done off the request path by a [`Persister`] task: handlers only mark the
//! world dirty; the task serializes under the lock and writes outside it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use super::errors::EmulatorError;
use super::world::{InstanceRecord, SnapshotRecord, TenantRecord, World, world_rng};
use crate::fsutil::{self, Durability, Existing};

/// The only format this build reads and writes.
const FORMAT_VERSION: u32 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Persisted {
    format_version: u32,
    /// The `--seed` the world was created with, kept so a reload stays reproducible.
    #[serde(default)]
    seed: Option<u64>,
    created_total: u64,
    tenants: Vec<TenantRecord>,
    instances: Vec<InstanceRecord>,
    #[serde(default)]
    snapshots: Vec<SnapshotRecord>,
}

/// Serializes the world (called under the world lock; pure).
pub(crate) fn to_json(world: &World, seed: Option<u64>) -> Result<Vec<u8>, serde_json::Error> {
    /// [`Persisted`], borrowed: serializing runs under the world lock, so no clones.
    #[derive(Serialize)]
    struct Out<'a> {
        format_version: u32,
        seed: Option<u64>,
        created_total: u64,
        tenants: &'a [TenantRecord],
        instances: Vec<&'a InstanceRecord>,
        snapshots: &'a [SnapshotRecord],
    }
    serde_json::to_vec(&Out {
        format_version: FORMAT_VERSION,
        seed,
        created_total: world.created_total,
        tenants: &world.tenants,
        instances: world.instances.values().collect(),
        snapshots: &world.snapshots,
    })
}

/// Loads a world from `path`; `Ok(None)` when the file does not exist.
pub(crate) fn load(
    path: &Path,
    seed: Option<u64>,
    speed: f64,
) -> Result<Option<World>, EmulatorError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(EmulatorError::StateRead {
                path: path.to_owned(),
                source,
            });
        }
    };
    let corrupt = |detail: String| EmulatorError::StateCorrupt {
        path: path.to_owned(),
        detail,
    };
    let p: Persisted = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
    if p.format_version != FORMAT_VERSION {
        return Err(corrupt(format!(
            "format_version {} is not supported (this build reads {FORMAT_VERSION})",
            p.format_version
        )));
    }
    if p.tenants.is_empty() {
        return Err(corrupt("it has no projects".to_owned()));
    }
    let mut instances = IndexMap::new();
    for rec in p.instances {
        let valid_id = rec.id.len() == 8
            && rec
                .id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid_id {
            return Err(corrupt(format!(
                "instance id {:?} is not 8 hex digits",
                rec.id
            )));
        }
        if !p.tenants.iter().any(|t| t.id == rec.tenant_id) {
            return Err(corrupt(format!(
                "instance {} belongs to unknown project {}",
                rec.id, rec.tenant_id
            )));
        }
        if instances.insert(rec.id.clone(), rec).is_some() {
            return Err(corrupt("two instances share an id".to_owned()));
        }
    }
    // A seed given now wins over the stored one; mix in how many instances were already
    // created so a resumed seeded world does not replay ids and passwords.
    let seed = seed.or(p.seed);
    Ok(Some(World::assemble(
        p.tenants,
        instances,
        p.snapshots,
        world_rng(seed, p.created_total.wrapping_add(1)),
        speed,
        p.created_total,
    )))
}

/// Writes `bytes` to `path` atomically. No fsync: the rename already makes every write
/// all-or-nothing for any reader and across a crash of the emulator; surviving power
/// loss is not worth ~10 ms per change.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), EmulatorError> {
    let err = |source| EmulatorError::StateWrite {
        path: path.to_owned(),
        source,
    };
    std::fs::create_dir_all(fsutil::parent_dir(path)).map_err(err)?;
    fsutil::write_atomic(path, bytes, Existing::Replace, Durability::Atomic).map_err(err)
}

/// Serializes the world under its lock; `None` if that fails.
type SnapshotFn = dyn Fn() -> Option<Vec<u8>> + Send + Sync;

/// Saves the world in the background whenever it is marked dirty, and on demand.
#[derive(Clone)]
pub(crate) struct Persister {
    dirty: Arc<Notify>,
    path: Arc<PathBuf>,
    snapshot: Arc<SnapshotFn>,
    /// Changes announced so far (a counter, bumped by every `flush` call).
    changes: Arc<AtomicU64>,
    /// Held across snapshot + write, so a background save can never land after (and
    /// undo) a later one; holds the number of changes the file on disk includes.
    write_lock: Arc<tokio::sync::Mutex<u64>>,
}

impl Persister {
    /// Starts the saving task for `path`.
    pub(crate) fn start<F>(path: PathBuf, snapshot: F) -> (Self, tokio::task::JoinHandle<()>)
    where
        F: Fn() -> Option<Vec<u8>> + Send + Sync + 'static,
    {
        let this = Self {
            dirty: Arc::new(Notify::new()),
            path: Arc::new(path),
            snapshot: Arc::new(snapshot),
            changes: Arc::new(AtomicU64::new(0)),
            write_lock: Arc::new(tokio::sync::Mutex::new(0)),
        };
        let worker = this.clone();
        let task = tokio::spawn(async move {
            loop {
                worker.dirty.notified().await;
                if let Err(e) = worker.flush().await {
                    if let Some(cause) = std::error::Error::source(&e) {
                        tracing::warn!("{e}: {cause}");
                    } else {
                        tracing::warn!("{e}");
                    }
                }
            }
        });
        (this, task)
    }

    /// Asks for a save soon; many requests in a burst coalesce into few writes.
    pub(crate) fn mark_dirty(&self) {
        self.dirty.notify_one();
    }

    /// Makes sure the file includes every change made before this call. Concurrent
    /// callers share writes: a caller whose change is already covered by a snapshot taken
    /// after it returns without writing again.
    pub(crate) async fn flush(&self) -> Result<(), EmulatorError> {
        // Numbered after the caller's change, so any snapshot taken once this number is
        // counted includes that change.
        let mine = self.changes.fetch_add(1, Ordering::SeqCst) + 1;
        let mut on_disk = self.write_lock.lock().await;
        if *on_disk >= mine {
            return Ok(());
        }
        let covered = self.changes.load(Ordering::SeqCst);
        let Some(bytes) = (self.snapshot)() else {
            return Ok(());
        };
        let path = Arc::clone(&self.path);
        tokio::task::spawn_blocking(move || write_atomic(&path, &bytes))
            .await
            .unwrap_or_else(|e| {
                Err(EmulatorError::StateWrite {
                    path: self.path.as_ref().clone(),
                    source: std::io::Error::other(e.to_string()),
                })
            })?;
        *on_disk = covered;
        Ok(())
    }
}
