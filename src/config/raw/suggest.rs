//! Help for what the user probably meant: "did you mean" for a typo (keys, values,
//! region names), the right place for a key written in the wrong mapping, and the
//! YAML 1.2 spelling of a boolean.

use super::types::{INSTANCE_ONLY_KEYS, SETTINGS_KEYS, TOP_KEYS};
use crate::config::error::{ConfigError, ErrorCode};
use crate::config::node::Spanned;

/// The closest candidate to `input`, if it is close enough to be a plausible typo.
pub(crate) fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = input.to_ascii_lowercase().replace('-', "_");
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c.eq_ignore_ascii_case(input) || c.replace('-', "_") == lower {
            return Some(c);
        }
        let d = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let (d, c) = best?;
    let limit = (input.chars().count() / 3).clamp(1, 3);
    (d <= limit).then_some(c)
}

/// Where a mapping sits, for better "unknown key" help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Context {
    Top,
    Defaults,
    Instance,
    /// `instances:` itself: every key is an instance name.
    Instances,
    Other,
}

/// The error for an unknown key in `what` (whose keys are `known`), and the
/// top-level key it was probably meant as (`projet` → `project`), if any.
pub(super) fn unknown_key(
    key: &Spanned<String>,
    what: &str,
    known: &[&str],
    ctx: Context,
) -> (ConfigError, Option<&'static str>) {
    let name = &key.value;
    let err = ConfigError::new(
        ErrorCode::UnknownField,
        format!("unknown key `{name}` in {what}"),
    );
    if let Some(m) = misplaced(name, ctx) {
        return (err.label(key.span, "not allowed here").help(m), None);
    }
    if let Some(s) = did_you_mean(name, known.iter().copied()) {
        let meant = TOP_KEYS.iter().copied().find(|k| *k == s);
        let err = err
            .label(key.span, format!("did you mean `{s}`?"))
            .help(format!("allowed keys: {}", known.join(", ")));
        return (err, meant);
    }
    let err = err
        .label(key.span, "unknown key")
        .help(format!("allowed keys: {}", known.join(", ")));
    (err, None)
}

/// Where a known key belongs, when it was written in the wrong mapping.
fn misplaced(name: &str, ctx: Context) -> Option<String> {
    match ctx {
        Context::Top if SETTINGS_KEYS.contains(&name) || INSTANCE_ONLY_KEYS.contains(&name) => {
            Some(format!(
                "`{name}` belongs to an instance (under `instances: <name>:`) or, for shared settings, under `defaults:`"
            ))
        }
        Context::Defaults if INSTANCE_ONLY_KEYS.contains(&name) => Some(format!(
            "`{name}` is specific to one instance and cannot be a default; set it on the instance"
        )),
        Context::Instance if TOP_KEYS.contains(&name) => Some(format!(
            "`{name}` belongs at the top level of the file, not inside an instance"
        )),
        _ => None,
    }
}

/// Help for a non-boolean where `key` wants `true` or `false`, given the value's
/// source text: the YAML 1.1 words (`yes`, `off`, …) get the 1.2 spelling.
pub(super) fn boolean_help(key: &str, text: &str) -> String {
    let unquoted = text.trim_matches(|c| c == '"' || c == '\'');
    match unquoted.to_ascii_lowercase().as_str() {
        "yes" | "y" | "on" | "true" | "1" => format!(
            "write `{key}: true`; aura.yaml is YAML 1.2, where only `true` and `false` are booleans"
        ),
        "no" | "n" | "off" | "false" | "0" => format!(
            "write `{key}: false`; aura.yaml is YAML 1.2, where only `true` and `false` are booleans"
        ),
        _ => format!("write `{key}: true` or `{key}: false`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_case_and_dashes_only() {
        assert_eq!(
            did_you_mean("memroy", SETTINGS_KEYS.iter().copied()),
            Some("memory")
        );
        assert_eq!(
            did_you_mean("Memory", SETTINGS_KEYS.iter().copied()),
            Some("memory")
        );
        assert_eq!(
            did_you_mean("cloud-provider", SETTINGS_KEYS.iter().copied()),
            Some("cloud_provider")
        );
        assert_eq!(did_you_mean("off", ["OFF", "DIFF", "FULL"]), Some("OFF"));
        assert_eq!(did_you_mean("banana", SETTINGS_KEYS.iter().copied()), None);
        assert_eq!(did_you_mean("x", TOP_KEYS.iter().copied()), None);
    }
}
