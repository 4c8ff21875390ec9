//! `${VAR}` and `${VAR:-default}` in string values, from an environment the caller
//! passes in (so tests are hermetic); `$${` is a literal `${`. Each problem is
//! reported at its exact position in the file when the scalar is written verbatim.

use crate::config::error::{ConfigError, ErrorCode};
use crate::config::node::Span;

/// Expands `${VAR}` and `${VAR:-default}` in `s`, a scalar written as `written` at
/// `defined` in the file. An unset variable without a default is reported at its
/// exact position; `None` when anything was reported.
pub(super) fn expand(
    s: &str,
    written: &str,
    defined: Span,
    env: &dyn Fn(&str) -> Option<String>,
    errors: &mut Vec<ConfigError>,
) -> Option<String> {
    if !s.contains('$') {
        return Some(s.to_owned());
    }
    let at = locator(s, written, defined);
    let mut out = String::with_capacity(s.len());
    let mut ok = true;
    let mut rest = s;
    let mut pos = 0;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        if let Some(tail) = after.strip_prefix("$${") {
            out.push_str("${");
            rest = tail;
            pos += i + 3;
            continue;
        }
        if !after.starts_with("${") {
            out.push('$');
            rest = &after[1..];
            pos += i + 1;
            continue;
        }
        let Some(close) = after.find('}') else {
            errors.push(
                ConfigError::new(ErrorCode::InvalidVariable, "unterminated `${`")
                    .label(at(pos + i, after.len()), "no closing `}`")
                    .help("write `${NAME}` or `${NAME:-default}`; `$${` is a literal `${`"),
            );
            return None;
        };
        let inner = &after[2..close];
        match reference(inner, at(pos + i, close + 1), env) {
            Ok(value) => out.push_str(&value),
            Err(e) => {
                errors.push(e);
                ok = false;
            }
        }
        rest = &after[close + 1..];
        pos += i + close + 1;
    }
    out.push_str(rest);
    ok.then_some(out)
}

/// Maps a position and length in the value to a span in the file when the scalar is
/// written verbatim (plain, or quoted without escapes); else every span is the whole
/// scalar.
fn locator(s: &str, written: &str, defined: Span) -> impl Fn(usize, usize) -> Span {
    let base = if written == s {
        Some(defined.offset)
    } else if written.len() >= 2
        && (written.starts_with('"') || written.starts_with('\''))
        && &written[1..written.len() - 1] == s
    {
        Some(defined.offset + 1)
    } else {
        None
    };
    move |start: usize, len: usize| match base {
        Some(b) => Span::new(b + start, len),
        None => defined,
    }
}

/// The value of one `${inner}` written at `span`: the variable, or its default when
/// the variable is unset or empty.
fn reference(
    inner: &str,
    span: Span,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, ConfigError> {
    let (name, default) = match inner.split_once(":-") {
        Some((n, d)) => (n, Some(d)),
        None => (inner, None),
    };
    let valid = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(ConfigError::new(
            ErrorCode::InvalidVariable,
            format!("`${{{inner}}}` is not a valid variable reference"),
        )
        .label(span, "invalid variable name")
        .help("variable names are letters, digits and `_`, not starting with a digit: `${NAME}` or `${NAME:-default}`"));
    }
    match (env(name), default) {
        (Some(v), Some(d)) if v.is_empty() => Ok(d.to_owned()),
        (Some(v), _) => Ok(v),
        (None, Some(d)) => Ok(d.to_owned()),
        (None, None) => Err(ConfigError::new(
            ErrorCode::UnsetVariable,
            format!("environment variable `{name}` is not set"),
        )
        .label(span, "used here")
        .help(format!(
            "set {name} in the environment, or give a default: `${{{name}:-value}}`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "A" => Some("alpha".to_owned()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    /// Expands `s` written plainly as the value of `k: ` in a one-line file.
    fn expand_in(text: &str, s: &str) -> (Option<String>, Vec<ConfigError>) {
        let span = Span::new(3, s.len());
        let written = &text[span.offset..span.end()];
        let mut errors = Vec::new();
        let out = expand(s, written, span, &env, &mut errors);
        (out, errors)
    }

    fn expand_codes(s: &str) -> (Option<String>, Vec<ErrorCode>) {
        let text = format!("k: {s}\n");
        let (out, errors) = expand_in(&text, s);
        (out, errors.iter().map(|e| e.code).collect())
    }

    #[test]
    fn expansion_rules() {
        let expand = expand_codes;
        assert_eq!(expand("x-${A}-y").0.as_deref(), Some("x-alpha-y"));
        assert_eq!(expand("${B:-def}").0.as_deref(), Some("def"));
        assert_eq!(expand("${EMPTY:-def}").0.as_deref(), Some("def"));
        assert_eq!(expand("${EMPTY}").0.as_deref(), Some(""));
        assert_eq!(expand("$${A}").0.as_deref(), Some("${A}"));
        assert_eq!(expand("cost: $5").0.as_deref(), Some("cost: $5"));
        assert_eq!(expand("${B:-}").0.as_deref(), Some(""));
        assert_eq!(expand("${B}"), (None, vec![ErrorCode::UnsetVariable]));
        assert_eq!(expand("${B}${C}").1, vec![ErrorCode::UnsetVariable; 2]);
        assert_eq!(expand("${1A}").1, vec![ErrorCode::InvalidVariable]);
        assert_eq!(expand("${A").1, vec![ErrorCode::InvalidVariable]);
        assert_eq!(expand("${}").1, vec![ErrorCode::InvalidVariable]);
    }

    #[test]
    fn unset_variable_span_is_exact() {
        let s = "ab${NOPE}cd";
        let text = format!("k: {s}\n");
        let (out, errors) = expand_in(&text, s);
        assert_eq!(out, None);
        let span = errors[0].span().unwrap();
        assert_eq!(&text[span.offset..span.end()], "${NOPE}");
    }
}
