//! YAML as import and init write it: the header lines every written aura.yaml starts
//! with, and scalars, plain when the loader reads them back as the same string, else
//! double-quoted, with `${` escaped in values and in keys alike, since both are
//! interpolated (docs/aura-yaml.md §9).

use std::fmt::Write as _;

/// The first lines of every aura.yaml auraform writes: the schema line for editors
/// (yaml-language-server), how to get the schema, and which project and command made
/// the file.
pub(super) fn header(out: &mut String, project_name: &str, project_id: &str, generated_by: &str) {
    out.push_str(
        "# yaml-language-server: $schema=aura.schema.json\n\
         # (write the schema beside this file with `auraform schema > aura.schema.json`)\n\
         #\n",
    );
    let _ = writeln!(
        out,
        "# Project {project_name:?} ({project_id}), {generated_by}."
    );
}

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
