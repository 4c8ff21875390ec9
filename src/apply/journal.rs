//! The intent journal: the one window where a password can be lost.
//!
//! Between `POST /instances` and the credentials file on disk, the new instance's
//! password exists only in the process. If the process dies there (kill -9, power
//! loss, a CI runner torn down), the instance lives on without credentials, and
//! without the journal nobody would know. So before every create, the executor writes
//! a small entry to `.auraform/journal/` beside aura.yaml (name, project, the ids of
//! that name already live, who wrote it), and removes it once the credentials are
//! synced to disk or the create certainly did nothing. An entry still there at the
//! next `plan` or `apply` was left by an interrupted run: [`review`] compares it with
//! the live project and says which instance, if any, was created without saving its
//! password, and how to recover (docs/apply.md §17). Entries hold no secret.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::sinks::{Sinks, command, file as credentials};
use crate::fsutil::{self, Durability, Existing};
use crate::plan::LiveSummary;

/// The format of an entry.
const ENTRY_VERSION: u32 = 1;

/// The journal folder of one `.auraform/` (`<dir>/journal`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Journal {
    dir: PathBuf,
}

/// One create in flight, as written before the POST.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    pub version: u32,
    /// The instance name sent.
    pub name: String,
    pub project_id: String,
    /// Instances of that name live just before the POST: not the new one.
    pub known_ids: Vec<String>,
    /// Where its credentials were to be written.
    pub credentials_dir: PathBuf,
    /// `credentials.command` as the report names it, when one was to get them too: a
    /// run interrupted while it ran may have stored them there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    pub pid: u32,
    pub host: String,
    /// RFC 3339, for the user.
    pub started_at: String,
}

/// What the journal says about a past run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Review {
    /// Instances created by an interrupted apply whose password was never saved.
    pub unsaved: Vec<Unsaved>,
    /// Entries that need no word: the create did nothing, or its credentials are on
    /// disk (moved to the stable path if a crash interrupted that).
    pub settled: Vec<PathBuf>,
}

/// An instance created by an interrupted apply, without credentials on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsaved {
    pub name: String,
    pub id: String,
    pub started_at: String,
    pub entry: PathBuf,
    /// The entry's [`Intent::command`].
    pub command: Option<String>,
}

impl Unsaved {
    /// The warning the user sees.
    pub fn message(&self) -> String {
        match &self.command {
            None => format!(
                "`{}` ({}) was created by an interrupted apply (started {}) and its password was never saved: \
                 reset it in the Aura console (instance {} → Reset password), or delete and recreate it",
                self.name, self.id, self.started_at, self.id
            ),
            Some(command) => format!(
                "`{}` ({}) was created by an interrupted apply (started {}) and its password was never saved to a file: \
                 look for it where `{command}` stores credentials first; if it is not there, reset it in the Aura console \
                 (instance {} → Reset password), or delete and recreate it",
                self.name, self.id, self.started_at, self.id
            ),
        }
    }
}

impl Journal {
    /// The journal of the `.auraform/` folder `auraform_dir`.
    pub fn in_dir(auraform_dir: &Path) -> Self {
        Self {
            dir: auraform_dir.join("journal"),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Records a create about to be sent; returns the entry to [`Journal::clear`].
    pub(crate) fn begin(
        &self,
        name: &str,
        project_id: &str,
        known_ids: Vec<String>,
        sinks: &Sinks,
    ) -> std::io::Result<PathBuf> {
        fsutil::prepare_private_dir(&self.dir)?;
        let intent = Intent {
            version: ENTRY_VERSION,
            name: name.to_owned(),
            project_id: project_id.to_owned(),
            known_ids,
            credentials_dir: sinks.dir.clone(),
            command: sinks.command.as_ref().map(|c| command::label(&c.argv)),
            pid: std::process::id(),
            host: fsutil::host_name(),
            started_at: now_rfc3339(),
        };
        let bytes = serde_json::to_vec_pretty(&intent).map_err(std::io::Error::other)?;
        let path = self
            .dir
            .join(format!("create-{}.json", uuid::Uuid::new_v4().simple()));
        fsutil::write_atomic(&path, &bytes, Existing::Keep, Durability::Synced)?;
        Ok(path)
    }

    /// Removes an entry: its create is settled. A failure is only logged: the next
    /// run finds the credentials on disk and removes it then.
    #[allow(
        clippy::unused_self,
        reason = "an entry is cleared through the journal that wrote it"
    )]
    pub(crate) fn clear(&self, entry: &Path) {
        if let Err(e) = std::fs::remove_file(entry)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(entry = %entry.display(), error = %e, "could not remove a journal entry");
        }
    }

    /// Every readable entry, oldest first. Unreadable files are skipped with a
    /// warning (they are never acted on).
    pub fn entries(&self) -> Vec<(PathBuf, Intent)> {
        let Ok(read) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<(PathBuf, Intent)> = read
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter_map(|p| {
                let parsed = std::fs::read(&p)
                    .ok()
                    .and_then(|b| serde_json::from_slice::<Intent>(&b).ok());
                if parsed.is_none() {
                    tracing::warn!(entry = %p.display(), "ignoring an unreadable journal entry");
                }
                parsed.map(|i| (p, i))
            })
            .collect();
        out.sort_by(|a, b| a.1.started_at.cmp(&b.1.started_at));
        out
    }
}

/// Compares the journal with the live instances of `project_id`. Entries of another
/// project, and entries of a process still running on this machine (an apply in
/// progress), are left alone. With `repair`, credentials a crash left beside the
/// stable path are moved into place (`credentials::promote`); `plan` only looks.
pub fn review(journal: &Journal, project_id: &str, live: &[LiveSummary], repair: bool) -> Review {
    let here = fsutil::host_name();
    let mut review = Review::default();
    for (entry, intent) in journal.entries() {
        if intent.project_id != project_id {
            continue;
        }
        if intent.host == here
            && intent.pid != std::process::id()
            && fsutil::process_alive(intent.pid) == Some(true)
        {
            continue;
        }
        let known: HashSet<&str> = intent.known_ids.iter().map(String::as_str).collect();
        let new: Vec<&LiveSummary> = live
            .iter()
            .filter(|s| s.name == intent.name && !known.contains(s.id.as_str()))
            .collect();
        let mut all_saved = true;
        for inst in new {
            if credentials::find_for(&intent.credentials_dir, &inst.id).is_some() {
                if !repair {
                    continue;
                }
                if let Err(e) = credentials::promote(&intent.credentials_dir, &inst.name, &inst.id)
                {
                    tracing::warn!(instance = %inst.name, error = %e, "could not move credentials to the stable path");
                }
            } else {
                all_saved = false;
                review.unsaved.push(Unsaved {
                    name: inst.name.clone(),
                    id: inst.id.clone(),
                    started_at: intent.started_at.clone(),
                    entry: entry.clone(),
                    command: intent.command.clone(),
                });
            }
        }
        if all_saved {
            review.settled.push(entry);
        }
    }
    review
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: &str, name: &str) -> LiveSummary {
        LiveSummary {
            id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn an_entry_left_by_a_dead_run_names_the_instance_without_credentials() {
        let root = tempfile::tempdir().unwrap();
        let journal = Journal::in_dir(&root.path().join(".auraform"));
        let creds = root.path().join(".auraform/credentials");
        let entry = journal
            .begin(
                "orders",
                "p",
                vec!["0ld00000".into()],
                &Sinks::file_only(&creds),
            )
            .unwrap();
        // Pretend another process on this machine wrote it and died.
        let mut intent: Intent = serde_json::from_slice(&std::fs::read(&entry).unwrap()).unwrap();
        intent.pid = u32::MAX;
        std::fs::write(&entry, serde_json::to_vec(&intent).unwrap()).unwrap();

        let live = [
            summary("0ld00000", "orders"),
            summary("ne000000", "orders"),
            summary("x", "other"),
        ];
        let review = review(&journal, "p", &live, true);
        assert_eq!(review.unsaved.len(), 1, "{review:?}");
        assert_eq!(review.unsaved[0].id, "ne000000");
        let message = review.unsaved[0].message();
        assert!(
            message.starts_with("`orders` (ne000000) was created by an interrupted apply"),
            "{message}"
        );
        assert!(message.contains("reset it in the Aura console"));
        assert!(review.settled.is_empty());

        // Nothing new of that name: the POST never took effect.
        let review_none = super::review(&journal, "p", &live[..1], true);
        assert_eq!(review_none.settled, vec![entry.clone()]);
        // Another project's entry is none of this project's business.
        assert_eq!(super::review(&journal, "q", &live, true), Review::default());
        journal.clear(&entry);
        assert!(journal.entries().is_empty());
    }

    #[test]
    fn with_a_command_sink_the_warning_says_where_to_look_first() {
        let root = tempfile::tempdir().unwrap();
        let journal = Journal::in_dir(root.path());
        let mut sinks = Sinks::file_only(root.path().join("credentials"));
        sinks.file = false;
        sinks.command = Some(crate::config::CredentialsCommand {
            argv: vec!["vault".into(), "kv".into(), "put".into()],
            program: "vault".into(),
            working_dir: root.path().to_owned(),
            timeout: std::time::Duration::from_secs(60),
        });
        let entry = journal.begin("orders", "p", vec![], &sinks).unwrap();
        let mut intent: Intent = serde_json::from_slice(&std::fs::read(&entry).unwrap()).unwrap();
        assert_eq!(intent.command.as_deref(), Some("vault kv put"));
        intent.pid = u32::MAX;
        std::fs::write(&entry, serde_json::to_vec(&intent).unwrap()).unwrap();
        let review = review(&journal, "p", &[summary("n1", "orders")], false);
        let message = review.unsaved[0].message();
        assert!(
            message.contains("look for it where `vault kv put` stores credentials first"),
            "{message}"
        );
        // An entry written before the field existed still reads.
        let mut old = serde_json::to_value(&intent).unwrap();
        old.as_object_mut().unwrap().remove("command");
        let old: Intent = serde_json::from_value(old).unwrap();
        assert_eq!(old.command, None);
    }

    #[test]
    fn an_entry_of_a_live_process_is_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let journal = Journal::in_dir(root.path());
        let entry = journal
            .begin("orders", "p", vec![], &Sinks::file_only(root.path()))
            .unwrap();
        let mut intent: Intent = serde_json::from_slice(&std::fs::read(&entry).unwrap()).unwrap();
        // pid 1 is alive wherever /proc exists.
        intent.pid = 1;
        std::fs::write(&entry, serde_json::to_vec(&intent).unwrap()).unwrap();
        if fsutil::process_alive(1) == Some(true) {
            assert_eq!(
                review(&journal, "p", &[summary("n", "orders")], true),
                Review::default()
            );
        }
    }
}
