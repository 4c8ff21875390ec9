//! YAML scalars as import writes them: plain when the loader reads them back as the
//! same string, else double-quoted; `${` is escaped in values and in keys alike, since
//! both are interpolated (docs/aura-yaml.md §9).

/// A YAML string value or key: plain when unambiguous, else double-quoted (JSON
/// escaping is valid YAML); `${` is written `$${`, which the loader reads back as a
/// literal `${`.
pub(super) fn scalar(s: &str) -> String {
    let s = &s.replace("${", "$${");
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        // Numbers (`12345678`, `1e10`, `1.5`) would load as numbers, not strings.
        && s.parse::<f64>().is_err()
        && !s.starts_with("0x")
        && !s.starts_with("0o")
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        s.to_owned()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
    }
}
