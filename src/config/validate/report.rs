//! The problems of one validation run, and the shapes shared by the field checks:
//! "missing", "invalid value" and "not one of the known spellings". One bad value in
//! `defaults` is one mistake, so it is reported once, not once per instance.

use std::collections::HashSet;

use super::input::{InstanceInput, Setting};
use crate::aura::KnownSpellings;
use crate::config::error::{ConfigError, ErrorCode};
use crate::config::node::Span;
use crate::config::raw::did_you_mean;

/// The problems found so far, in the order they were found.
#[derive(Default)]
pub(super) struct Problems {
    pub errors: Vec<ConfigError>,
    /// Spans of `defaults` values already reported as invalid: a bad default is one
    /// mistake, not one per instance.
    reported_defaults: HashSet<Span>,
}

impl Problems {
    pub(super) fn push(&mut self, e: ConfigError) {
        self.errors.push(e);
    }

    /// Reports a required field as missing, unless it is present with a value
    /// already reported as wrong (one mistake, one diagnostic).
    pub(super) fn missing(&mut self, input: &InstanceInput<'_>, field: &str, example: &str) {
        let name = &input.raw.name;
        if input.rejected(field) {
            return;
        }
        self.push(
            ConfigError::new(
                ErrorCode::MissingField,
                format!("instance `{}` has no `{field}`", name.value),
            )
            .label(name.span, format!("`{field}` is required"))
            .help(format!(
                "set `{field}:` on the instance or under `defaults:`, e.g. `{field}: {example}`"
            )),
        );
    }

    /// Reports a value that is not allowed, worded for where it was written (the
    /// instance, or `defaults`, once).
    #[allow(
        clippy::needless_pass_by_value,
        reason = "call sites build the strings inline"
    )]
    pub(super) fn invalid<T>(
        &mut self,
        inst: &str,
        setting: Setting<'_, T>,
        msg: String,
        help: String,
    ) {
        let v = setting.value;
        let (message, label) = if setting.from_defaults {
            if !self.reported_defaults.insert(v.span) {
                return;
            }
            (format!("`defaults`: {msg}"), "in `defaults`")
        } else {
            (format!("instance `{inst}`: {msg}"), "not allowed")
        };
        self.push(
            ConfigError::new(ErrorCode::InvalidValue, message)
                .label(v.span, label)
                .help(help),
        );
    }

    /// Parses a value that must be one of `E`'s known spellings. Anything else is
    /// reported as ``unknown {what} `…` `` with a "did you mean" hint and the list of
    /// allowed values after `allowed`, and gives `None`.
    pub(super) fn known<E: KnownSpellings>(
        &mut self,
        inst: &str,
        setting: Setting<'_, String>,
        what: &str,
        allowed: &str,
    ) -> Option<E> {
        let v = setting.value;
        if let Some(known) = E::parse_known(&v.value) {
            return Some(known);
        }
        let known: Vec<&str> = E::KNOWN.iter().map(E::spelling).collect();
        let hint = did_you_mean(&v.value, known.iter().copied())
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        self.invalid(
            inst,
            setting,
            format!("unknown {what} `{}`", v.value),
            format!("{hint}{allowed}: {}", known.join(", ")),
        );
        None
    }
}
