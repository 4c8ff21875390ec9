//! The "high" form: [`RawConfig`](crate::config::raw::RawConfig) →
//! [`Desired`](crate::config::Desired), with `defaults` merged and every rule of
//! docs/aura-yaml.md checked. All problems are collected; nothing stops at the first.
//!
//! [`Validator`] walks the file (`validator`); each instance goes through one
//! function per field group (`identity`, `placement`, `sizes`, `features`,
//! `lifecycle`, `source`), all reading an [`input::InstanceInput`] and reporting into
//! one [`report::Problems`], then the tier rules (`tier_rules`, the rules themselves
//! being `crate::aura::tiers`) and the combination check against an [`Offering`]
//! (`offering`: the built-in catalogue offline, the live project's rows online).

mod credentials;
mod features;
mod identity;
mod input;
mod instance;
mod lifecycle;
mod limits;
mod offering;
mod placement;
mod report;
mod sizes;
mod source;
mod spans;
mod tier_rules;
mod validator;

pub use limits::{
    DEFAULT_COMMAND_TIMEOUT, DEFAULT_CREDENTIALS_DIR, DEFAULT_VERSION, MAX_NAME_CHARS,
    MAX_SECONDARIES,
};
pub(crate) use offering::{Offering, check_offering};
pub use spans::{InstanceSpans, Origin};
pub(crate) use validator::Validator;
