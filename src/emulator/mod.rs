//! A local emulator of the Aura v1 API (axum), faithful to `aura_api_spec_v1.yaml` and
//! docs/aura-api.md: the embedded default behind `--emulator`, the server every
//! integration test talks to, and `auraform emulator` for users who want to try an aura.yaml without an
//! account. It shares only the wire types (`crate::api::wire`) with the client.
//!
//! Modelled on mini-redis: [`serve`] takes a listener the caller bound and a shutdown
//! future (port 0 in tests, the same call for the embedded default); [`spawn`] does both
//! for tests. Where each concern lives:
//!
//! | module | owns |
//! |---|---|
//! | `world` | projects, instances, snapshots; the lifecycle clock; field presence per tier |
//! | `shared` | the state every request shares (world, tokens, limiter, faults, stats, saver) and `lock` |
//! | `routes` | the router, 404/405, `/oauth/token`, projects, the routes not emulated |
//! | `respond` | what the handlers share: the `{"data"}` answer, instance lookups → 404/409/400 |
//! | `instances` | create (with clone), get, list |
//! | `patch` | `PATCH /instances/{id}`: rename at once, other changes at the end of `updating` |
//! | `lifecycle` | delete, pause, resume, overwrite, upgrade: which status and tier allow each |
//! | `sizing` | the memory estimate for the graph data science tiers |
//! | `validate` | names, and sizes against the project's `instance_configurations` |
//! | `snapshots` | snapshot routes and restore |
//! | `gateway` | what the API gateway does before a handler: `X-Request-Id`, latency, faults, rate limit, auth, 415 |
//! | `auth` | `/oauth/token` credentials and bearer tokens (401 vs 403) |
//! | `limits` | the per-client sliding-window rate limiter |
//! | `faults` | injected 5xx/429/slow/dropped outcomes and hostile answers, by kind and route, reproducible by seed |
//! | `mangle` | hostile answers: truncated, a proxy's HTML page, wrong shape, empty, huge, stalling |
//! | `body` | JSON bodies → typed requests, with 400s that name the field |
//! | `persist` | the `--state` file: load, atomic save, corrupt-file refusal |
//! | `admin` | `/_emulator/*`: stats, fault settings, forced statuses |
//! | `lineage` | `/_emulator/instances/{id}`: where an instance's data came from, its snapshots; how snapshots end |
//! | `stats` | the counts of responses served that `/_emulator/stats` shows |
//! | `errors` | the API's error bodies, and the operator-facing [`EmulatorError`] |

mod admin;
mod auth;
mod body;
mod errors;
mod faults;
mod gateway;
mod instances;
mod lifecycle;
mod limits;
mod lineage;
mod mangle;
mod patch;
mod persist;
mod respond;
mod routes;
mod shared;
mod sizing;
mod snapshots;
mod stats;
mod validate;
mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::net::TcpListener;

pub use errors::EmulatorError;
pub use faults::FaultKind;

use crate::api::wire::TenantSummary;
use crate::units::Rate;

use auth::Tokens;
use faults::Faults;
use limits::Limiter;
use persist::Persister;
use shared::SharedState;
use world::World;

/// Everything the emulator can be told. Built from the `auraform emulator` flags by the
/// command, [`EmulatorConfig::embedded`] for `--emulator`, or from [`Default`] in tests.
/// `Debug` redacts the client secret.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Lifecycle durations (create ~120 s, resize ~90 s, …) are divided by this.
    pub speed: f64,
    pub client_id: String,
    pub client_secret: String,
    /// Enforced per client id, in real time.
    pub rate_limit: Rate,
    /// Lifetime of issued tokens, in real time.
    pub token_ttl: Duration,
    /// Seed for project ids, instance ids, passwords and faults.
    pub seed: Option<u64>,
    /// Probability (0..=1) that an API request gets an injected fault.
    pub fault_rate: f64,
    /// The kinds of fault drawn from; empty means [`FaultKind::DEFAULT`].
    pub fault_kinds: Vec<FaultKind>,
    /// Route templates (`"POST /v1/instances"`) that may get faults; empty means all.
    pub fault_routes: Vec<String>,
    /// Extra latency before every API response.
    pub latency: Duration,
    /// Where the world persists across restarts; `None` keeps it in memory only.
    pub state_file: Option<PathBuf>,
    /// `token_type` in the token response (`"Bearer"` by default; the docs show `"bearer"`).
    pub token_type: String,
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("speed", &self.speed)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("rate_limit", &self.rate_limit)
            .field("token_ttl", &self.token_ttl)
            .field("seed", &self.seed)
            .field("fault_rate", &self.fault_rate)
            .field("fault_kinds", &self.fault_kinds)
            .field("fault_routes", &self.fault_routes)
            .field("latency", &self.latency)
            .field("state_file", &self.state_file)
            .field("token_type", &self.token_type)
            .finish()
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            speed: 1.0,
            client_id: "emulator".to_owned(),
            client_secret: "emulator-secret".to_owned(),
            rate_limit: Rate::per_minute(125),
            token_ttl: Duration::from_secs(3600),
            seed: None,
            fault_rate: 0.0,
            fault_kinds: Vec::new(),
            fault_routes: Vec::new(),
            latency: Duration::ZERO,
            state_file: None,
            token_type: "Bearer".to_owned(),
        }
    }
}

/// Lifecycle speed-up of the embedded emulator (`--emulator`): a create (~120 s in
/// Aura) takes 3 s.
pub const EMBEDDED_SPEED: f64 = 40.0;
/// Request budget of the embedded emulator, enforced by it and respected by the client.
pub const EMBEDDED_RATE: Rate = Rate {
    count: 3000,
    per: Duration::from_secs(60),
};
/// Where the embedded emulator keeps its world, relative to aura.yaml's directory.
pub const EMBEDDED_STATE: &str = ".auraform/emulator.json";

impl EmulatorConfig {
    /// The embedded emulator behind `--emulator`: sped up, with a generous budget, its
    /// world kept in `state_file` so separate processes see one world.
    pub fn embedded(state_file: PathBuf) -> Self {
        Self {
            speed: EMBEDDED_SPEED,
            rate_limit: EMBEDDED_RATE,
            state_file: Some(state_file),
            ..Self::default()
        }
    }

    /// Checks the values a user can set (the `auraform emulator` flags).
    pub fn validate(&self) -> Result<(), EmulatorError> {
        if !(self.speed.is_finite() && self.speed > 0.0) {
            return Err(EmulatorError::Config(format!(
                "--speed must be a positive number, not {}",
                self.speed
            )));
        }
        if !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(EmulatorError::Config(format!(
                "--fault-rate must be between 0 and 1, not {}",
                self.fault_rate
            )));
        }
        if self.token_ttl.is_zero() || self.token_ttl > MAX_TOKEN_TTL {
            return Err(EmulatorError::Config(format!(
                "--token-ttl must be between 1 and {} seconds",
                MAX_TOKEN_TTL.as_secs()
            )));
        }
        if self.latency > MAX_LATENCY {
            return Err(EmulatorError::Config(format!(
                "--latency must be at most {} ms",
                MAX_LATENCY.as_millis()
            )));
        }
        if self.client_id.is_empty() || self.client_id.contains(':') {
            return Err(EmulatorError::Config(
                "--client-id must be non-empty and contain no `:` (HTTP Basic)".to_owned(),
            ));
        }
        if self.rate_limit.count == 0 || self.rate_limit.per.is_zero() {
            return Err(EmulatorError::Config(
                "--rate-limit must allow at least one request".to_owned(),
            ));
        }
        Ok(())
    }
}

/// Longest token lifetime accepted (a year): keeps expiry arithmetic far from overflow.
const MAX_TOKEN_TTL: Duration = Duration::from_secs(365 * 24 * 3600);
/// Longest added latency accepted (ten minutes); also the cap for `POST /_emulator/faults`.
pub(crate) const MAX_LATENCY: Duration = Duration::from_secs(600);

/// An emulator with its world loaded, ready to serve.
pub struct Emulator {
    shared: Arc<SharedState>,
    config: EmulatorConfig,
}

impl Emulator {
    /// Validates `config` and loads the world from `config.state_file` (or seeds a fresh
    /// one, writing it there at once so every later run sees the same project ids).
    /// A state file that exists but is not a valid world is refused and left untouched.
    pub fn new(config: EmulatorConfig) -> Result<Self, EmulatorError> {
        config.validate()?;
        let world = match &config.state_file {
            Some(path) => {
                if let Some(w) = persist::load(path, config.seed, config.speed)? {
                    w
                } else {
                    let w = World::seeded(config.seed, config.speed);
                    let bytes = persist::to_json(&w, config.seed).map_err(|e| {
                        EmulatorError::StateWrite {
                            path: path.clone(),
                            source: std::io::Error::other(e),
                        }
                    })?;
                    persist::write_atomic(path, &bytes)?;
                    w
                }
            }
            None => World::seeded(config.seed, config.speed),
        };
        let shared = Arc::new(SharedState::new(
            world,
            Tokens::new(
                config.client_id.clone(),
                config.client_secret.clone(),
                config.token_ttl,
            ),
            Limiter::new(config.rate_limit),
            {
                let mut faults = Faults::new(config.fault_rate, config.latency, config.seed);
                faults.set_kinds(config.fault_kinds.clone());
                faults.routes.clone_from(&config.fault_routes);
                faults
            },
            config.token_type.clone(),
        ));
        Ok(Self { shared, config })
    }

    /// The projects of the world (`GET /v1/tenants`), for the ready line.
    pub fn projects(&self) -> Vec<TenantSummary> {
        self.shared.world().tenant_summaries()
    }

    /// Serves until `shutdown` resolves, then saves the world one last time.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), EmulatorError> {
        let shared = self.shared;
        let saver = self.config.state_file.clone().map(|path| {
            let weak: Weak<SharedState> = Arc::downgrade(&shared);
            let seed = self.config.seed;
            let (persister, task) = Persister::start(path, move || {
                let shared = weak.upgrade()?;
                let world = shared.world();
                persist::to_json(&world, seed).ok()
            });
            shared.attach_persister(persister.clone());
            (persister, task)
        });
        let clock = tokio::spawn(clock(Arc::downgrade(&shared)));
        let app = routes::router(Arc::clone(&shared));
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        clock.abort();
        if let Some((persister, task)) = saver {
            task.abort();
            persister.flush().await?;
        }
        served.map_err(EmulatorError::Serve)
    }
}

/// The background clock: completes due operations even when nobody asks, so the state
/// file and the stats move on their own. Requests also advance the world, so the tick
/// rate only bounds how stale an unobserved world can be.
async fn clock(shared: Weak<SharedState>) {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        drop(shared.world());
    }
}

/// Binds `addr`, refusing anything but a loopback address: the emulator has no TLS and
/// well-known credentials, so it must never be reachable from another machine.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, EmulatorError> {
    if !addr.ip().is_loopback() {
        return Err(EmulatorError::NotLoopback(addr));
    }
    TcpListener::bind(addr)
        .await
        .map_err(|source| EmulatorError::Bind { addr, source })
}

/// A future that resolves on Ctrl-C (and SIGTERM on unix). The handlers are registered
/// now, not on first poll, so a Ctrl-C right after the ready line is never lost (it would
/// kill the process without the final save).
pub fn interrupted() -> Result<impl Future<Output = ()> + Send + 'static, EmulatorError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt()).map_err(EmulatorError::Serve)?;
        let mut term = signal(SignalKind::terminate()).map_err(EmulatorError::Serve)?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// Serves the emulator described by `config` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    config: EmulatorConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), EmulatorError> {
    Emulator::new(config)?.serve(listener, shutdown).await
}

/// Binds 127.0.0.1:0 and serves in a background task.
pub async fn spawn(config: EmulatorConfig) -> Result<EmulatorHandle, EmulatorError> {
    let emulator = Emulator::new(config)?;
    let projects = emulator.projects();
    let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            source,
        })?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(emulator.serve(listener, async move {
        // A dropped handle does not stop the server (it runs until the runtime ends);
        // only an explicit `shutdown` does.
        if rx.await.is_err() {
            std::future::pending::<()>().await;
        }
    }));
    Ok(EmulatorHandle {
        addr,
        projects,
        stop: tx,
        task,
    })
}

/// A running emulator started by [`spawn`].
pub struct EmulatorHandle {
    addr: SocketAddr,
    projects: Vec<TenantSummary>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), EmulatorError>>,
}

impl EmulatorHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (no trailing slash, no `/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The seeded (or loaded) projects, as `GET /v1/tenants` lists them.
    pub fn projects(&self) -> &[TenantSummary] {
        &self.projects
    }

    /// The id of the project named `name` (e.g. `"demo"`, `"free-only"`).
    pub fn project_id(&self, name: &str) -> Option<&str> {
        self.projects
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.id.as_str())
    }

    /// Stops serving, waits for open requests, and flushes the state file.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("emulator stopped with an error: {e}"),
            Err(e) => tracing::warn!("emulator task failed: {e}"),
        }
    }
}
