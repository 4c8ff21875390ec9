//! `auraform emulator`: serve the local Aura API on loopback until Ctrl-C. Prints
//! exactly one line on stdout when ready (never the secret).

use std::time::Duration;

use super::error::Result;
use super::outcome::Outcome;
use crate::cli::EmulatorArgs;
use crate::emulator::{Emulator, EmulatorConfig, EmulatorError, FaultKind, bind, interrupted};
use crate::units::Rate;

/// The configuration the flags describe; `rate` is the global `--rate-limit`, which
/// for this command is the limit the emulator enforces.
fn config(args: &EmulatorArgs, rate: Rate) -> Result<EmulatorConfig, EmulatorError> {
    let fault_kinds = FaultKind::parse_list(&args.fault_kinds)
        .map_err(|e| EmulatorError::Config(format!("--fault-kinds: {e}")))?;
    let config = EmulatorConfig {
        speed: args.speed,
        client_id: args.client_id.clone(),
        client_secret: args.client_secret.clone(),
        rate_limit: rate,
        token_ttl: Duration::from_secs(args.token_ttl),
        seed: args.seed,
        fault_rate: args.fault_rate,
        fault_kinds,
        fault_routes: args.fault_routes.clone(),
        latency: Duration::from_millis(args.latency),
        state_file: args.state.clone(),
        ..EmulatorConfig::default()
    };
    config.validate()?;
    Ok(config)
}

pub(super) async fn run(args: &EmulatorArgs, rate: Rate) -> Result<Outcome> {
    let config = config(args, rate)?;
    let client_id = config.client_id.clone();
    let shutdown = interrupted()?;
    let listener = bind(args.listen).await?;
    let emulator = Emulator::new(config)?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind {
            addr: args.listen,
            source,
        })?;
    let projects: Vec<String> = emulator
        .projects()
        .iter()
        .map(|p| format!("{} {}", p.name, p.id))
        .collect();
    println!(
        "auraform emulator listening on http://{addr} (client id {client_id}; projects {})",
        projects.join(", ")
    );
    emulator.serve(listener, shutdown).await?;
    Ok(Outcome::Success)
}
