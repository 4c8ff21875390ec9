//! `memory` and `storage`: sizes written `<n>GB`. free-db implies its memory.

use super::input::{InstanceInput, Setting};
use super::report::Problems;
use crate::aura::{catalogue, sizes};

/// The size fields: `memory` is `None` only when missing or wrong (already reported);
/// `storage` is optional, so its validity is kept apart.
pub(super) struct Sizes {
    pub memory: Option<String>,
    pub storage: Option<String>,
    pub storage_ok: bool,
}

impl Sizes {
    pub(super) fn ok(&self) -> bool {
        self.memory.is_some() && self.storage_ok
    }
}

/// Checks memory, then storage.
pub(super) fn sizes(problems: &mut Problems, input: &InstanceInput<'_>, free: bool) -> Sizes {
    let memory = match input.setting(|s| s.memory.as_ref()) {
        None if free => Some(catalogue::FREE_MEMORY.to_owned()),
        None => {
            problems.missing(input, "memory", "8GB");
            None
        }
        Some(m) => size(problems, input.name(), m),
    };
    let (storage, storage_ok) = match input.setting(|s| s.storage.as_ref()) {
        None => (None, true),
        Some(s) => {
            let r = size(problems, input.name(), s);
            let ok = r.is_some();
            (r, ok)
        }
    };
    Sizes {
        memory,
        storage,
        storage_ok,
    }
}

/// A size as written, if it is one; otherwise reported (with the likely spelling).
fn size(problems: &mut Problems, inst: &str, setting: Setting<'_, String>) -> Option<String> {
    let v = setting.value;
    if sizes::parse_gb(&v.value).is_some() {
        return Some(v.value.clone());
    }
    let hint = size_suggestion(&v.value)
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    problems.invalid(
        inst,
        setting,
        format!("`{}` is not a size", v.value),
        format!("{hint}write sizes as a whole number of gigabytes followed by GB, with no space, e.g. `8GB`"),
    );
    None
}

/// A size the way the user probably meant it (`8 GB`, `8gb`, `8` → `8GB`).
fn size_suggestion(s: &str) -> Option<String> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let upper = compact.to_ascii_uppercase();
    let digits = upper
        .strip_suffix("GB")
        .or_else(|| upper.strip_suffix("G"))
        .or_else(|| upper.strip_suffix("GIB"))
        .unwrap_or(&upper);
    let n: u32 = digits.parse().ok()?;
    (n > 0).then(|| sizes::gb(n))
}
