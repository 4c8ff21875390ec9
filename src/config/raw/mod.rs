//! The "low" form of aura.yaml (ripgrep's raw → resolved split): exactly what the user
//! typed, each value with its span, variables expanded, nothing checked beyond the
//! shape.
//!
//! `types` holds the shapes (also the source of the JSON Schema); `reader` reads a
//! [`Node`](crate::config::node::Node) tree into them, `interpolate` expands
//! `${VAR}`, and `suggest` words the "did you mean" help.

mod interpolate;
mod reader;
mod suggest;
mod types;

pub(crate) use reader::Reader;
pub(crate) use suggest::did_you_mean;
pub use types::{RawConfig, RawCredentials, RawInstance, RawSettings, RawSource};
