//! The Aura v1 API: wire types shared with the emulator, and the client every
//! command uses (auth, pacing, retries, errors). Knows nothing of aura.yaml.

pub mod snapshot;
pub mod wire;

pub use snapshot::ProjectSnapshot;
