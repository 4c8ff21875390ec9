//! `source`: the instance (declared in this file, or a live id) a new instance is
//! cloned from at creation, optionally from one of its snapshots.

use super::identity::is_instance_id;
use super::input::{Checked, InstanceInput};
use super::report::Problems;
use crate::config::desired::SourceRef;
use crate::config::error::{ConfigError, ErrorCode};
use crate::config::raw::did_you_mean;

/// The clone source, if any. It is returned even when a check failed (reported): the
/// instance is then invalid and dropped anyway.
pub(super) fn source(
    problems: &mut Problems,
    input: &InstanceInput<'_>,
) -> Checked<Option<SourceRef>> {
    let Some(s) = &input.raw.source else {
        return Checked::ok(None);
    };
    let name = input.name();
    let names = input.names;
    let src = &s.value;
    let target = src.instance.value.as_str();
    let mut ok = true;
    if let Some(pin) = &input.raw.id {
        problems.push(
            ConfigError::new(
                ErrorCode::Conflict,
                format!("instance `{name}` has a `source` but is pinned with `id`"),
            )
            .label(s.span, "create-time only")
            .label(pin.span, "this instance already exists")
            .help("`source` only applies when auraform creates the instance; remove it (or the `id` pin)"),
        );
        ok = false;
    } else if target == name {
        problems.push(
            ConfigError::new(
                ErrorCode::UnknownSource,
                format!("instance `{name}` cannot be cloned from itself"),
            )
            .label(src.instance.span, "this is the instance being created")
            .help("name another instance declared in this file, or an instance id"),
        );
        ok = false;
    } else if !names.contains(&target) && !is_instance_id(target) {
        let hint = did_you_mean(target, names.iter().copied())
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        problems.push(
            ConfigError::new(
                ErrorCode::UnknownSource,
                format!("instance `{name}`: source `{target}` is not declared in this file"),
            )
            .label(src.instance.span, "no such instance")
            .help(format!(
                "{hint}name an instance declared under `instances:`, or give an instance id (8 lowercase hex)"
            )),
        );
        ok = false;
    }
    if let Some(snap) = &src.snapshot
        && snap.value.trim().is_empty()
    {
        problems.push(
            ConfigError::new(
                ErrorCode::InvalidValue,
                format!("instance `{name}`: `source.snapshot` is empty"),
            )
            .label(snap.span, "empty")
            .help("give a snapshot id, or remove the line to clone the latest data"),
        );
        ok = false;
    }
    Checked {
        value: Some(SourceRef {
            instance: src.instance.value.clone(),
            snapshot: src.snapshot.as_ref().map(|s| s.value.clone()),
        }),
        ok,
    }
}
