//! How auraform may change the instance: `prevent_destroy` and `allow_replace` (which
//! contradict each other when both are on), how a replacement is made (`replace`),
//! the restore points before risky steps (`snapshot_before`) and `ignore_changes`.

use std::collections::HashSet;

use super::input::{Checked, InstanceInput, Setting};
use super::report::Problems;
use crate::config::desired::{Field, ReplaceMode, RiskyStep};
use crate::config::error::{ConfigError, ErrorCode};
use crate::config::raw::did_you_mean;

/// The two lifecycle flags, `false` when absent.
pub(super) struct Lifecycle {
    pub prevent_destroy: bool,
    pub allow_replace: bool,
    /// `false` when both are on (reported).
    pub ok: bool,
}

pub(super) fn lifecycle(problems: &mut Problems, input: &InstanceInput<'_>) -> Lifecycle {
    let pd = input.setting(|s| s.prevent_destroy.as_ref());
    let ar = input.setting(|s| s.allow_replace.as_ref());
    let prevent_destroy = pd.is_some_and(|v| v.value.value);
    let allow_replace = ar.is_some_and(|v| v.value.value);
    let mut ok = true;
    if let (Some(p), Some(a)) = (pd, ar)
        && p.value.value
        && a.value.value
    {
        problems.push(
            ConfigError::new(
                ErrorCode::Conflict,
                format!(
                    "instance `{}` sets both `prevent_destroy` and `allow_replace`",
                    input.name()
                ),
            )
            .label(
                a.value.span,
                if a.from_defaults {
                    "allow_replace inherited from `defaults`"
                } else {
                    "allows destroy + create"
                },
            )
            .label(p.value.span, "but this forbids destroying it")
            .help("remove one of them: prevent_destroy forbids exactly what allow_replace permits"),
        );
        ok = false;
    }
    Lifecycle {
        prevent_destroy,
        allow_replace,
        ok,
    }
}

/// The fields of `ignore_changes`, each once; unknown and repeated names are reported
/// (and left out).
pub(super) fn ignore_changes(
    problems: &mut Problems,
    input: &InstanceInput<'_>,
) -> Checked<Vec<Field>> {
    let name = input.name();
    let mut fields = Vec::new();
    let mut ok = true;
    let Some(list) = input.setting(|s| s.ignore_changes.as_ref()) else {
        return Checked::ok(fields);
    };
    let mut seen = HashSet::new();
    for item in &list.value.value {
        match Field::parse(&item.value) {
            Some(f) if seen.insert(f) => fields.push(f),
            Some(_) => {
                problems.push(
                    ConfigError::new(
                        ErrorCode::InvalidValue,
                        format!(
                            "instance `{name}`: `{}` is listed twice in ignore_changes",
                            item.value
                        ),
                    )
                    .label(item.span, "listed again")
                    .help("list each field once"),
                );
                ok = false;
            }
            None => {
                let known: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
                let hint = did_you_mean(&item.value, known.iter().copied())
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                problems.push(
                    ConfigError::new(
                        ErrorCode::InvalidValue,
                        format!(
                            "instance `{name}`: ignore_changes names an unknown field `{}`",
                            item.value
                        ),
                    )
                    .label(item.span, "unknown field")
                    .help(format!("{hint}fields: {}", known.join(", "))),
                );
                ok = false;
            }
        }
    }
    Checked { value: fields, ok }
}

/// `replace` (default `recreate`) and `snapshot_before` (default none).
pub(super) struct Replacement {
    pub mode: ReplaceMode,
    pub snapshot_before: Vec<RiskyStep>,
    pub ok: bool,
}

/// Reads `replace` and `snapshot_before`. `allow_replace` is the instance's effective
/// flag: only an instance that may be replaced can combine a restore point before the
/// replacement with `replace: recreate`, which cannot work (reported).
pub(super) fn replacement(
    problems: &mut Problems,
    input: &InstanceInput<'_>,
    allow_replace: bool,
) -> Replacement {
    let name = input.name();
    let mut ok = true;
    let written_mode = input.setting(|s| s.replace.as_ref());
    let mode = match written_mode {
        None => ReplaceMode::default(),
        Some(m) => problems
            .known::<ReplaceMode>(name, m, "replace mode", "allowed")
            .unwrap_or_else(|| {
                ok = false;
                ReplaceMode::default()
            }),
    };
    let mut steps = Vec::new();
    let mut replace_item = None;
    if let Some(list) = input.setting(|s| s.snapshot_before.as_ref()) {
        for item in &list.value.value {
            let setting = Setting {
                value: item,
                from_defaults: list.from_defaults,
            };
            match problems.known::<RiskyStep>(name, setting, "step in snapshot_before", "allowed") {
                Some(step) if steps.contains(&step) => {
                    problems.invalid(
                        name,
                        setting,
                        format!("`{step}` is listed twice in snapshot_before"),
                        "list each step once".to_owned(),
                    );
                    ok = false;
                }
                Some(step) => {
                    if step == RiskyStep::Replace {
                        replace_item = Some(setting);
                    }
                    steps.push(step);
                }
                None => ok = false,
            }
        }
    }
    if let Some(item) = replace_item
        && allow_replace
        && mode == ReplaceMode::Recreate
    {
        let mut err = ConfigError::new(
            ErrorCode::Conflict,
            format!(
                "instance `{name}` takes a restore point before a replacement, but replaces by `recreate`"
            ),
        )
        .label(
            item.value.span,
            if item.from_defaults {
                "inherited from `defaults`"
            } else {
                "a snapshot before the replacement"
            },
        );
        if let Some(m) = written_mode {
            err = err.label(
                m.value.span,
                "deletes the instance, and its snapshots with it",
            );
        }
        problems.push(err.help(
            "the API reaches a snapshot only through its instance, which a recreate deletes; \
             set `replace: clone` (the new instance is then made from the restore point), \
             or take `replace` out of snapshot_before",
        ));
        ok = false;
    }
    Replacement {
        mode,
        snapshot_before: steps,
        ok,
    }
}
