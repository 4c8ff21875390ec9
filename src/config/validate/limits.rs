//! The defaults and limits an instance is validated with: what an absent key means,
//! and how far a value may go. Public because `import` writes files with the same
//! defaults left out, and the schema states the same name limit.

use std::time::Duration;

use crate::aura::tiers;

/// Default of `credentials.dir`, relative to aura.yaml's directory.
pub const DEFAULT_CREDENTIALS_DIR: &str = ".auraform/credentials";
/// Default of `credentials.command_timeout`: a secret store answers in seconds; a
/// minute leaves room for a slow network without letting a stuck program hold the
/// apply for long.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// Bounds of `credentials.command_timeout`.
pub(crate) const MIN_COMMAND_TIMEOUT: Duration = Duration::from_secs(1);
pub(crate) const MAX_COMMAND_TIMEOUT: Duration = Duration::from_secs(3600);
/// Default `version`.
pub const DEFAULT_VERSION: &str = "5";
/// Longest instance name Aura accepts.
pub const MAX_NAME_CHARS: usize = 30;
/// Largest `secondaries_count`.
pub const MAX_SECONDARIES: u32 = tiers::MAX_SECONDARIES;
