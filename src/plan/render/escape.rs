//! Escaping for the Markdown comment. Every string in a plan that auraform did not
//! write itself — instance and project names and ids, statuses, reasons from the API
//! or from aura.yaml — goes through one of these, so that it shows as the characters
//! it is and can neither close or open an HTML element (`x</details><img src=y>`),
//! break a table (`|`), nor forge the marker CI looks for (`<!-- auraform:plan`):
//! after escaping, no user string contains `<` at all.

use std::fmt::Write;

/// Whether `c` can stand as itself in Markdown or HTML text: no markup (`<`, `>`,
/// `&`), no link or image (`[`, `]`), no code span, table cell or escape (`` ` ``,
/// `|`, `\`), no emphasis, strike-through, math or mention (`*`, `~`, `$`, `@`).
/// (`_` stays: inside a word it is not emphasis, and names are full of it.)
fn plain(c: char) -> bool {
    !c.is_control()
        && !matches!(
            c,
            '<' | '>' | '&' | '[' | ']' | '`' | '|' | '\\' | '*' | '~' | '$' | '@'
        )
}

/// Whether `c` can stand as itself inside a code span: everything but what ends the
/// span or the table cell, and what could spell a marker (`<`, `>`).
fn plain_in_code(c: char) -> bool {
    !c.is_control() && !matches!(c, '`' | '|' | '\\' | '<' | '>')
}

/// Text for Markdown and for HTML (the `<summary>` line): entities decode in both, so
/// anything that could mean markup is written as a numeric character reference.
/// Control characters (newlines included) become spaces: one value, one line.
pub(super) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push(' ');
        } else if plain(c) {
            out.push(c);
        } else {
            let _ = write!(out, "&#{};", u32::from(c));
        }
    }
    out
}

/// Inline code. A value of plain characters is a Markdown code span, as it always
/// was; anything else is an HTML `<code>` element with its text escaped (inside a
/// code span entities do not decode, so escaping there would show `&lt;`; and a
/// backtick could close the span).
pub(super) fn code(s: &str) -> String {
    if s.chars().all(plain_in_code) {
        format!("`{s}`")
    } else {
        format!("<code>{}</code>", text(s))
    }
}

/// A value inside the hidden marker comment: only `[A-Za-z0-9._:-]` (anything else
/// becomes `_`), and `--` removed, since in an HTML comment that is where it may end.
pub(super) fn marker_value(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_strings_cannot_make_markup() {
        assert_eq!(text("orders"), "orders");
        assert_eq!(
            text("x</details><img src=y>"),
            "x&#60;/details&#62;&#60;img src=y&#62;"
        );
        assert!(!text("<!-- auraform:plan").contains('<'));
        assert_eq!(text("a|b`c*d_e"), "a&#124;b&#96;c&#42;d_e");
        assert_eq!(text("[x](http://y)"), "&#91;x&#93;(http://y)");
        assert_eq!(text("two\nlines"), "two lines");
        assert_eq!(text("café ✓"), "café ✓");
    }

    #[test]
    fn plain_values_stay_code_spans_others_become_escaped_code() {
        assert_eq!(code("orders"), "`orders`");
        assert_eq!(code("8GB"), "`8GB`");
        assert_eq!(code("a`b"), "<code>a&#96;b</code>");
        assert_eq!(code("x|y"), "<code>x&#124;y</code>");
        assert!(!code("<!-- auraform:plan").contains("<!--"));
    }

    #[test]
    fn marker_values_cannot_end_the_comment() {
        assert_eq!(
            marker_value("bee986e8-cd46-4905-b6ad-e04fd2ab8aa0"),
            "bee986e8-cd46-4905-b6ad-e04fd2ab8aa0"
        );
        assert_eq!(marker_value("x --> <b>"), "x____b_");
        assert_eq!(marker_value("a---b"), "a-b");
        for hostile in ["a-->b", "a---->b", "<!-- x -->", "- - -"] {
            let v = marker_value(hostile);
            assert!(
                !v.contains("--") && !v.contains('<') && !v.contains('>'),
                "{v}"
            );
        }
    }
}
