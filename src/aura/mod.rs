//! The Aura domain shared by config, plan, import and the emulator: the vocabulary of
//! the API ([`enums`]), sizes ([`sizes`]), what Aura offers where ([`catalogue`]) and
//! what each tier can do ([`tiers`]). It depends on nothing else in the crate, so every
//! layer above can ask it and all of them agree.

pub mod catalogue;
pub mod enums;
pub mod sizes;
pub mod tiers;

pub use catalogue::InstanceConfiguration;
pub use enums::{
    CdcEnrichmentMode, CloudProvider, InstanceStatus, InstanceType, KnownSpellings,
    SnapshotProfile, SnapshotStatus,
};
