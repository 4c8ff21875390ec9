//! The credentials sinks: where the password of a newly created instance goes
//! (docs/apply.md §10). The create response is the only copy the API will ever give
//! (docs/aura-api.md §9.2), so [`deliver`] runs before anything else happens to the
//! new instance, and its one promise is that the password is never lost silently:
//!
//! 1. the file sink ([`file`]) writes `<dir>/<name>.env` first (an older file of that
//!    name is kept aside as a stale copy), unless `file: false`;
//! 2. the command sink ([`command`]), if declared, gets the same text on stdin;
//! 3. if the command fails and no file was written (`file: false`), the file is
//!    written anyway, so the only copy survives, and the report says so;
//! 4. only when no sink holds the password is it lost: the create step fails and the
//!    report gives the remedy (reset it in the Aura console).
//!
//! Any sink failure is reported for its instance with a remedy, and makes the apply
//! exit 1 after the other chains finish; the instance's own chain goes on, since the
//! instance itself is fine.

pub mod command;
pub mod file;

use std::path::{Path, PathBuf};

use self::command::{InstanceEnv, shell_quote};
use crate::api::wire::CreatedInstance;
use crate::config::CredentialsCommand;

/// Where credentials of created instances go (aura.yaml `credentials:`).
#[derive(Clone, Debug)]
pub struct Sinks {
    /// `credentials.dir`.
    pub dir: PathBuf,
    /// `credentials.file`.
    pub file: bool,
    /// `credentials.command`.
    pub command: Option<CredentialsCommand>,
}

impl Sinks {
    /// Only the file sink, in `dir` (today's default).
    pub fn file_only(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            file: true,
            command: None,
        }
    }
}

/// Which sink a failure is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkKind {
    File,
    Command,
}

/// A sink that did not take the credentials, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinkFailure {
    pub sink: SinkKind,
    pub reason: String,
    pub remedy: String,
}

/// What the sinks did with one instance's credentials, for the report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// The `.env` file that holds them, if one was written.
    pub file: Option<PathBuf>,
    /// The file was written only because the command failed under `file: false`.
    pub file_is_fallback: bool,
    /// `credentials.command` as the report names it (`command::label`), if it ran.
    pub command: Option<String>,
    /// The command exited 0 (it stored them).
    pub command_stored: bool,
    /// Sinks that failed, in order; each makes the apply exit 1.
    pub failures: Vec<SinkFailure>,
    /// Things to know that are not failures (e.g. the file went beside an older one).
    pub notes: Vec<String>,
}

impl Delivery {
    /// No sink holds the password: it is lost.
    pub fn is_lost(&self) -> bool {
        self.file.is_none() && !self.command_stored
    }
}

/// Hands the credentials of `created` to every sink, in order, and reports where
/// they went. Never prints or logs the password.
pub(crate) async fn deliver(
    sinks: &Sinks,
    created: &CreatedInstance,
    project_id: &str,
) -> Delivery {
    let mut delivery = Delivery::default();
    let mut file_error = None;
    if sinks.file {
        write_file(sinks, created, &mut delivery, &mut file_error);
    }
    if let Some(cmd) = &sinks.command {
        run_command(
            sinks,
            cmd,
            created,
            project_id,
            &mut delivery,
            &mut file_error,
        )
        .await;
    }
    if let Some(err) = file_error {
        let remedy = if delivery.command_stored {
            "the command stored the credentials, so nothing is lost; make the credentials directory writable for the next create".to_owned()
        } else {
            lost_remedy(&created.id)
        };
        delivery.failures.insert(
            0,
            SinkFailure {
                sink: SinkKind::File,
                reason: err,
                remedy,
            },
        );
    }
    delivery
}

/// What to do when no sink holds the password.
pub(crate) fn lost_remedy(id: &str) -> String {
    format!(
        "the password of the new instance {id} is lost: reset it in the Aura console (instance {id} → Reset password) and store the new one"
    )
}

fn write_file(
    sinks: &Sinks,
    created: &CreatedInstance,
    delivery: &mut Delivery,
    file_error: &mut Option<String>,
) {
    match file::write_live(&sinks.dir, created) {
        Ok(written) => {
            let stable = file::credentials_path(&sinks.dir, &created.name);
            if let Some(aside) = &written.superseded {
                delivery.notes.push(format!(
                    "the previous {} (an earlier instance of this name) was kept as {}",
                    stable.display(),
                    aside.display()
                ));
            }
            if let Some(why) = &written.not_promoted {
                delivery.notes.push(format!(
                    "{} already existed and could not be moved aside ({why}), so the new credentials went beside it",
                    stable.display()
                ));
            }
            delivery.file = Some(written.path);
        }
        Err(err) => *file_error = Some(err.to_string()),
    }
}

async fn run_command(
    sinks: &Sinks,
    cmd: &CredentialsCommand,
    created: &CreatedInstance,
    project_id: &str,
    delivery: &mut Delivery,
    file_error: &mut Option<String>,
) {
    let program = command::label(&cmd.argv);
    delivery.command = Some(program.clone());
    let prefix = crate::plan::connections::env::env_prefix(&created.name);
    let instance = InstanceEnv {
        name: &created.name,
        id: &created.id,
        project_id,
        env_prefix: &prefix,
    };
    let text = file::env_text(created);
    tracing::info!(instance = %created.name, program = %program, "credentials command started");
    match command::run(cmd, &instance, text.as_bytes(), created.password.expose()).await {
        Ok(stored) => {
            delivery.command_stored = true;
            tracing::debug!(
                instance = %created.name,
                program = %program,
                elapsed_ms = stored.elapsed.as_millis() as u64,
                output = %stored.output,
                "credentials command stored the credentials"
            );
            if stored.unread_input {
                delivery.notes.push(format!(
                    "`{program}` exited 0 without reading all of its standard input: check that it stores what it is given"
                ));
            }
        }
        Err(failure) => {
            tracing::info!(instance = %created.name, program = %program, "credentials command failed");
            // `file: false`: the command was to be the only sink. Keep the only copy.
            if !sinks.file && delivery.file.is_none() {
                write_file(sinks, created, delivery, file_error);
                delivery.file_is_fallback = delivery.file.is_some();
            }
            let remedy = match &delivery.file {
                Some(path) => format!(
                    "store the credentials yourself: they are in {}{}; e.g. `{}`{}. Then {}.",
                    path.display(),
                    if delivery.file_is_fallback {
                        " (written although `file: false`, so that they are not lost)"
                    } else {
                        ""
                    },
                    by_hand(cmd, &instance, path),
                    if delivery.file_is_fallback {
                        ", then delete the file"
                    } else {
                        ""
                    },
                    failure.remedy()
                ),
                None => format!("{}; then {}", lost_remedy(&created.id), failure.remedy()),
            };
            delivery.failures.push(SinkFailure {
                sink: SinkKind::Command,
                reason: failure.to_string(),
                remedy,
            });
        }
    }
}

/// The shell line that runs the command by hand, as auraform would have.
fn by_hand(cmd: &CredentialsCommand, instance: &InstanceEnv<'_>, file: &Path) -> String {
    let mut words: Vec<String> = instance
        .vars()
        .iter()
        .map(|(k, v)| format!("{k}={}", shell_quote(v)))
        .collect();
    words.push(shell_quote(&cmd.program.to_string_lossy()));
    words.extend(cmd.argv.iter().skip(1).map(|a| shell_quote(a)));
    let mut line = words.join(" ");
    line.push_str(" < ");
    line.push_str(&shell_quote(&file.to_string_lossy()));
    line
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::*;
    use crate::api::wire::WireSecret;
    use crate::aura::{CloudProvider, InstanceType};

    fn created() -> CreatedInstance {
        CreatedInstance {
            id: "0a1b2c3d".into(),
            connection_url: None,
            username: "neo4j".into(),
            password: WireSecret::new("Zq9-unique-pass"),
            tenant_id: "t".into(),
            cloud_provider: CloudProvider::Gcp,
            region: "europe-west1".into(),
            instance_type: InstanceType::ProfessionalDb,
            name: "orders".into(),
            created_at: None,
            vector_optimized: None,
        }
    }

    /// `sh -c SCRIPT` as the command sink, run in `dir`.
    fn sinks(dir: &Path, creds: PathBuf, file: bool, script: &str) -> Sinks {
        Sinks {
            dir: creds,
            file,
            command: Some(CredentialsCommand {
                argv: vec!["sh".into(), "-c".into(), script.into()],
                program: "sh".into(),
                working_dir: dir.to_path_buf(),
                timeout: Duration::from_secs(5),
            }),
        }
    }

    #[tokio::test]
    async fn a_command_that_stores_them_saves_a_failed_file_write() {
        let root = tempfile::tempdir().unwrap();
        // A regular file where the directory should be: the file sink cannot write.
        let blocked = root.path().join("blocked");
        std::fs::write(&blocked, "").unwrap();
        let got = root.path().join("got");
        let script = format!("cat > '{}'", got.display());
        let d = deliver(&sinks(root.path(), blocked, true, &script), &created(), "p").await;
        assert!(!d.is_lost(), "{d:?}");
        assert!(d.command_stored && d.file.is_none());
        assert_eq!(d.failures.len(), 1);
        assert_eq!(d.failures[0].sink, SinkKind::File);
        assert!(d.failures[0].remedy.contains("nothing is lost"), "{d:?}");
        assert!(
            std::fs::read_to_string(&got)
                .unwrap()
                .contains("NEO4J_PASSWORD=Zq9-unique-pass\n")
        );
    }

    #[tokio::test]
    async fn when_no_sink_holds_them_the_password_is_lost_and_said_so() {
        let root = tempfile::tempdir().unwrap();
        let blocked = root.path().join("blocked");
        std::fs::write(&blocked, "").unwrap();
        let d = deliver(
            &sinks(root.path(), blocked, false, "exit 3"),
            &created(),
            "p",
        )
        .await;
        assert!(d.is_lost(), "{d:?}");
        let text = format!("{d:?}");
        assert!(text.contains("Reset password"), "{text}");
        assert!(
            !text.contains("Zq9-unique-pass"),
            "the password is in the report"
        );
    }

    #[tokio::test]
    async fn file_false_writes_the_file_only_when_the_command_fails() {
        let root = tempfile::tempdir().unwrap();
        let creds = root.path().join("creds");
        let ok = deliver(
            &sinks(root.path(), creds.clone(), false, "cat > /dev/null"),
            &created(),
            "p",
        )
        .await;
        assert!(ok.failures.is_empty() && ok.file.is_none() && ok.command_stored);
        assert!(!creds.join("orders.env").exists());

        let failed = deliver(
            &sinks(root.path(), creds.clone(), false, "exit 1"),
            &created(),
            "p",
        )
        .await;
        assert!(failed.file_is_fallback && !failed.is_lost(), "{failed:?}");
        assert_eq!(
            failed.file.as_deref(),
            Some(creds.join("orders.env").as_path())
        );
        assert!(
            failed.failures[0].remedy.contains("then delete the file"),
            "{failed:?}"
        );
    }
}
