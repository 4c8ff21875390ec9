//! aura.yaml: text → [`node`] tree (serde-saphyr, with spans) → [`raw`] (what the user
//! typed) → [`validate`] (rules, defaults merged) → [`Desired`]. Reading the file is
//! the only I/O; online validation takes the live catalogue as input.
//!
//! Entry points: [`load`] / [`load_str`] (offline, built-in catalogue),
//! [`load_with_configurations`] / [`load_str_with_configurations`] (combinations
//! checked against a live project's `instance_configurations` instead), and
//! [`validate_online`] (re-check an already loaded file against live rows), plus
//! [`schema::generate`].

pub mod desired;
pub mod error;
pub mod load;
pub mod node;
pub mod raw;
pub mod schema;
pub mod validate;

pub use desired::{
    CredentialsCommand, Desired, DesiredInstance, DesiredState, Field, ReplaceMode, RiskyStep,
    SourceRef,
};
pub use error::{ConfigError, ConfigErrors, ErrorCode};
pub use load::{
    LoadedConfig, MAX_FILE_BYTES, declared_project, load, load_bytes, load_str,
    load_str_with_configurations, load_with_configurations, process_env, validate_online,
};
pub use node::Span;
pub use validate::{InstanceSpans, Origin};
