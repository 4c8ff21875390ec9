//! The API a command talks to: the real Aura API, or — with `--emulator` — an
//! in-process emulator whose world is kept in `.auraform/emulator.json` beside
//! aura.yaml, so that `plan`, `apply`, `plan` run by separate processes see one world.
//!
//! The embedded emulator runs [`EMBEDDED_SPEED`] times faster than the real API (a
//! create takes ~3 s instead of ~120 s). Everything time-related is scaled by the same
//! factor — the request budget the emulator enforces and the client spends, the poll
//! interval, the step timeouts — so the embedded run is the real run in compressed
//! time: the same number of requests per step, the same pacing behaviour, no 429s.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::api::{AuraClient, ClientConfig, Credentials};
use crate::cli::GlobalArgs;
use crate::emulator::{EmulatorConfig, EmulatorHandle};
use crate::error::{Error, Result};
use crate::units::Rate;

/// How much faster than the real API the embedded emulator runs.
pub const EMBEDDED_SPEED: f64 = 40.0;

/// Where the embedded emulator keeps its world, relative to aura.yaml's directory.
pub const EMBEDDED_STATE: &str = ".auraform/emulator.json";

/// An open connection to an Aura API, real or embedded.
pub struct Session {
    pub client: AuraClient,
    /// 1 for the real API; [`EMBEDDED_SPEED`] for the embedded emulator. Durations
    /// meant for the real API (poll intervals, timeouts) are divided by it.
    pub speed: f64,
    emulator: Option<EmulatorHandle>,
}

impl Session {
    /// Opens the API the global flags name. With `--emulator`, starts the in-process
    /// emulator on a loopback port first (credentials are the emulator's own; the
    /// environment's real credentials are never sent to it).
    pub async fn open(global: &GlobalArgs) -> Result<Session> {
        if global.emulator {
            return Self::embedded(global).await;
        }
        let credentials = Credentials::discover()?;
        let mut config = ClientConfig::new(global.api_url.clone(), credentials);
        config.rate = global.rate_limit;
        let client = AuraClient::new(config)?;
        Ok(Session {
            client,
            speed: 1.0,
            emulator: None,
        })
    }

    async fn embedded(global: &GlobalArgs) -> Result<Session> {
        let state_file = embedded_state_file(&global.file);
        if let Some(dir) = state_file.parent() {
            crate::apply::credentials::prepare_dir(dir).map_err(|source| Error::Io {
                context: format!("cannot create {}", dir.display()),
                source,
            })?;
        }
        let rate = scaled_rate(global.rate_limit, EMBEDDED_SPEED);
        let defaults = EmulatorConfig::default();
        let emulator = crate::emulator::spawn(EmulatorConfig {
            speed: EMBEDDED_SPEED,
            rate_limit: rate,
            state_file: Some(state_file),
            ..defaults.clone()
        })
        .await?;
        let credentials = Credentials::new(defaults.client_id, defaults.client_secret);
        let mut config = ClientConfig::new(emulator.base_url(), credentials);
        config.rate = rate;
        let client = AuraClient::new(config)?;
        tracing::info!(url = %emulator.base_url(), "embedded emulator started");
        Ok(Session {
            client,
            speed: EMBEDDED_SPEED,
            emulator: Some(emulator),
        })
    }

    /// A duration meant for the real API, scaled to this session's clock.
    pub fn scaled(&self, real: Duration) -> Duration {
        real.div_f64(self.speed)
    }

    /// Closes the session; the embedded emulator saves its world.
    pub async fn close(self) {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

/// `.auraform/emulator.json` in the directory of `aura_yaml`.
pub fn embedded_state_file(aura_yaml: &Path) -> PathBuf {
    let dir = aura_yaml
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    dir.join(EMBEDDED_STATE)
}

/// The same budget in a clock running `speed` times faster: N per W becomes N per
/// W/speed (never below one request per millisecond window).
fn scaled_rate(rate: Rate, speed: f64) -> Rate {
    let per = rate.per.div_f64(speed).max(Duration::from_millis(1));
    Rate {
        count: rate.count,
        per,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_sits_beside_the_file() {
        assert_eq!(
            embedded_state_file(Path::new("examples/aura.yaml")),
            PathBuf::from("examples/.auraform/emulator.json")
        );
        assert_eq!(
            embedded_state_file(Path::new("aura.yaml")),
            PathBuf::from("./.auraform/emulator.json")
        );
    }

    #[test]
    fn budget_scales_with_the_clock() {
        let r = scaled_rate(Rate::per_minute(125), 40.0);
        assert_eq!(r.count, 125);
        assert_eq!(r.per, Duration::from_millis(1500));
    }
}
