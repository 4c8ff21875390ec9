//! How auraform may change the instance: `prevent_destroy` and `allow_replace` (which
//! contradict each other when both are on) and `ignore_changes`.

use std::collections::HashSet;

use super::input::{Checked, InstanceInput};
use super::report::Problems;
use crate::config::desired::Field;
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
