//! Memory and storage sizes as the API writes them: `"8GB"`.

/// Formats a size the way the API writes it: `"8GB"`.
pub fn gb(n: u32) -> String {
    format!("{n}GB")
}

/// Parses `"<n>GB"` (no space, as the API writes it).
pub fn parse_gb(s: &str) -> Option<u32> {
    let digits = s.strip_suffix("GB")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return None;
    }
    digits.parse().ok()
}

/// Whether two sizes are the same, compared without case or spaces (`8GB` = `8 gb`):
/// the differ and the poller must agree on what "already that size" means.
pub fn same_size(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase()
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb_round_trips_and_rejects_sloppy_forms() {
        assert_eq!(parse_gb("8GB"), Some(8));
        assert_eq!(parse_gb(&gb(512)), Some(512));
        for bad in ["8", "8 GB", "8gb", "GB", "08GB", "-1GB", "1.5GB"] {
            assert_eq!(parse_gb(bad), None, "{bad}");
        }
    }

    #[test]
    fn sizes_compare_without_case_or_spaces() {
        assert!(same_size("8GB", "8 gb"));
        assert!(!same_size("8GB", "16GB"));
    }
}
