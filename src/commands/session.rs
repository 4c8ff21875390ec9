//! Connecting a command to an Aura API: the real one, or the embedded emulator.
//!
//! Without `--emulator`, credentials are discovered (environment, `./.env`, aura-cli)
//! and the client talks to `--api-url` within `--rate-limit`. With `--emulator`, an
//! emulator is started in this process on a loopback port, its world kept in
//! `.auraform/emulator.json` beside aura.yaml (so `plan`, `apply`, `plan` in separate
//! processes see one world), sped up so that a create takes a few seconds, and the
//! client's budget and poll interval are matched to it (docs/commands.md). It needs
//! no account and no network.
//!
//! Every command that opens a [`Session`] must [`Session::close`] it, so that the
//! embedded emulator writes its world out before the process ends.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::api::{ApiError, AuraClient, ClientConfig, Credentials};
use crate::cli::GlobalArgs;
use crate::emulator::{EMBEDDED_RATE, EMBEDDED_STATE, EmulatorConfig, EmulatorHandle};
use crate::fsutil;

/// Poll interval against the embedded emulator (its operations take seconds).
const EMBEDDED_POLL_INTERVAL: Duration = Duration::from_millis(250);
/// Poll interval against the real API, before widening for instances in flight.
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// An open connection to an API.
pub(super) struct Session {
    pub(super) client: AuraClient,
    /// The poll interval for one instance (`--poll-interval`, or the default for
    /// this API).
    pub(super) poll_interval: Duration,
    /// True when talking to the embedded emulator.
    pub(super) embedded: bool,
    emulator: Option<EmulatorHandle>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("poll_interval", &self.poll_interval)
            .field("embedded", &self.embedded)
            .finish_non_exhaustive()
    }
}

/// Why a session could not be opened.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub(crate) enum SessionError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Api(#[from] ApiError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Emulator(#[from] crate::emulator::EmulatorError),

    #[error("cannot prepare {path} for the embedded emulator")]
    #[diagnostic(
        code(auraform::session::state_dir),
        help("check that the directory of aura.yaml is writable")
    )]
    StateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Session {
    /// Opens the API the global flags name. `config_dir` is the directory of
    /// aura.yaml (where `.auraform/` lives).
    pub(super) async fn open(global: &GlobalArgs, config_dir: &Path) -> Result<Self, SessionError> {
        if global.emulator {
            return Self::embedded(global, config_dir).await;
        }
        let credentials = Credentials::discover()?;
        let mut config = ClientConfig::new(global.api_url.clone(), credentials);
        config.rate = global.rate_limit;
        let client = AuraClient::new(config)?;
        Ok(Self {
            client,
            poll_interval: global.poll_interval.map_or(DEFAULT_POLL_INTERVAL, |d| d.0),
            embedded: false,
            emulator: None,
        })
    }

    async fn embedded(global: &GlobalArgs, config_dir: &Path) -> Result<Self, SessionError> {
        let state = config_dir.join(EMBEDDED_STATE);
        if let Some(folder) = state.parent() {
            // `.auraform/` with its `.gitignore` of `*`, mode 0700.
            fsutil::prepare_private_dir(folder).map_err(|source| SessionError::StateDir {
                path: folder.display().to_string(),
                source,
            })?;
        }
        let config = EmulatorConfig::embedded(state);
        let credentials = Credentials::new(config.client_id.clone(), config.client_secret.clone());
        let handle = crate::emulator::spawn(config).await?;
        let mut client_config = ClientConfig::new(handle.base_url(), credentials);
        client_config.rate = EMBEDDED_RATE;
        let client = AuraClient::new(client_config)?;
        Ok(Self {
            client,
            poll_interval: global.poll_interval.map_or(EMBEDDED_POLL_INTERVAL, |d| d.0),
            embedded: true,
            emulator: Some(handle),
        })
    }

    /// Ends the session; the embedded emulator finishes open requests and writes its
    /// world to disk.
    pub(super) async fn close(self) {
        if let Some(handle) = self.emulator {
            handle.shutdown().await;
        }
    }
}

/// The sessions of a run over several files (docs/commands.md §12): against the real
/// API, one, shared by every file, so one client keeps one request budget for the
/// whole run; with `--emulator`, one per directory, since each directory's
/// `.auraform/emulator.json` is a world of its own.
#[derive(Debug, Default)]
pub(super) struct Sessions {
    open: Vec<(Option<PathBuf>, Session)>,
}

impl Sessions {
    /// The session for `file`, opened on first use.
    pub(super) async fn get(
        &mut self,
        global: &GlobalArgs,
        file: &Path,
    ) -> Result<&Session, SessionError> {
        let key = Self::world_of(global, file);
        let at = if let Some(at) = self.open.iter().position(|(k, _)| *k == key) {
            at
        } else {
            let session = Session::open(global, fsutil::parent_dir(file)).await?;
            self.open.push((key, session));
            self.open.len() - 1
        };
        Ok(&self.open[at].1)
    }

    /// Which session `file` uses, as a key: files with equal keys share a world, so a
    /// project id means the same project for both.
    pub(super) fn world_of(global: &GlobalArgs, file: &Path) -> Option<PathBuf> {
        let dir = fsutil::parent_dir(file);
        global
            .emulator
            .then(|| std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned()))
    }

    /// Closes every session (each embedded emulator writes its world).
    pub(super) async fn close(self) {
        for (_, session) in self.open {
            session.close().await;
        }
    }
}
