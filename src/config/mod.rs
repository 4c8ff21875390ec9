//! aura.yaml: raw serde shape with spans → validated [`Desired`]. No I/O beyond
//! reading the file itself; online validation takes the live catalogue as input.

pub mod desired;

pub use desired::{Desired, DesiredInstance, DesiredState, Field, SourceRef};
