//! The credentials files of instances that no longer exist (`destroy
//! --remove-credentials`): every `.env` file of the credentials directory whose
//! `AURA_INSTANCE_ID` names a destroyed instance — its `<name>.env`, a `<name>.<id>.env`
//! written beside an older one, a kept `.stale.env` copy. A file that names another
//! instance is never touched, so two instances of one name (or two projects sharing the
//! directory) keep theirs.

use std::path::{Path, PathBuf};

/// The `AURA_INSTANCE_ID` a credentials file names.
fn instance_id_in(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.strip_prefix("AURA_INSTANCE_ID="))
        .map(str::trim)
        .filter(|id| !id.is_empty())
}

/// The credentials files in `dir` that belong to instance `id`, in name order. A
/// directory that does not exist holds none.
pub fn files_of(dir: &Path, id: &str) -> std::io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_none_or(|x| x != "env") || !path.is_file() {
            continue;
        }
        // Unreadable or not UTF-8: not one auraform wrote, so not one to remove.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if instance_id_in(&text) == Some(id) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_files_naming_the_instance_are_its() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, id: &str| {
            std::fs::write(
                dir.path().join(name),
                format!("NEO4J_PASSWORD=x\nAURA_INSTANCE_ID={id}\n"),
            )
            .unwrap();
        };
        write("orders.env", "aaaa1111");
        write("orders.bbbb2222.env", "bbbb2222");
        write("orders.aaaa1111.stale.env", "aaaa1111");
        write("other.env", "cccc3333");
        std::fs::write(dir.path().join("notes.txt"), "AURA_INSTANCE_ID=aaaa1111\n").unwrap();
        let found = files_of(dir.path(), "aaaa1111").unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["orders.aaaa1111.stale.env", "orders.env"]);
        assert!(
            files_of(&dir.path().join("missing"), "aaaa1111")
                .unwrap()
                .is_empty()
        );
        // A prefix of an id is another id.
        assert!(files_of(dir.path(), "aaaa111").unwrap().is_empty());
    }
}
