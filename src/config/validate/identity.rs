//! Which instance this is: its name (Aura's naming rule) and an optional `id` pin to
//! an existing instance.

use super::input::{Checked, InstanceInput, Setting};
use super::limits::MAX_NAME_CHARS;
use super::report::Problems;
use crate::config::error::{ConfigError, ErrorCode};

/// Whether `s` is an Aura instance id: 8 lowercase hexadecimal characters.
pub(super) fn is_instance_id(s: &str) -> bool {
    s.len() == 8
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Checks the instance's key against Aura's naming rule; `false` when it breaks it.
pub(super) fn name(problems: &mut Problems, input: &InstanceInput<'_>) -> bool {
    let name = input.name();
    let chars = name.chars().count();
    if chars > 0 && chars <= MAX_NAME_CHARS && name.trim() == name {
        return true;
    }
    let why = if chars == 0 {
        "is empty".to_owned()
    } else if chars > MAX_NAME_CHARS {
        format!("is {chars} characters long")
    } else {
        "has leading or trailing spaces".to_owned()
    };
    problems.push(
        ConfigError::new(
            ErrorCode::InvalidName,
            format!("instance name `{name}` {why}"),
        )
        .label(input.raw.name.span, "invalid instance name")
        .help(format!(
            "Aura instance names are 1–{MAX_NAME_CHARS} characters with no surrounding spaces"
        )),
    );
    false
}

/// The `id` pin, if any and well formed.
pub(super) fn id_pin(
    problems: &mut Problems,
    input: &InstanceInput<'_>,
) -> Checked<Option<String>> {
    match &input.raw.id {
        Some(v) if !is_instance_id(&v.value) => {
            let hint = if is_instance_id(&v.value.to_ascii_lowercase()) {
                format!("did you mean `{}`? ", v.value.to_ascii_lowercase())
            } else {
                String::new()
            };
            problems.invalid(
                input.name(),
                Setting::own(v),
                format!("`{}` is not an instance id", v.value),
                format!(
                    "{hint}instance ids are 8 lowercase hexadecimal characters, e.g. `2f49c2b3`"
                ),
            );
            Checked::failed(None)
        }
        other => Checked::ok(other.as_ref().map(|v| v.value.clone())),
    }
}
