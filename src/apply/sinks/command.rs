//! The command sink: `credentials.command`, run once per created instance with the
//! `.env` text on its standard input (docs/apply.md §10).
//!
//! The password travels only through the pipe: never in the arguments (which any
//! user of the machine can read in `/proc/<pid>/cmdline`) nor in the environment. The
//! program runs in aura.yaml's directory, in a process group of its own, so that a
//! timeout kills it and everything it started; it gets auraform's environment minus
//! the Aura API credentials, plus the instance's name, id, project and env prefix.
//! What it prints is captured, never passed through: a short excerpt may go into the
//! report, and only when it does not contain the password.

use std::fmt;
use std::io;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio::time::Instant;

use crate::config::CredentialsCommand;
use crate::units::WallDuration;

/// Bytes kept of each of the command's output streams. Beyond this an excerpt is
/// never shown: the part not kept could not be checked for the password.
const CAPTURE_LIMIT: usize = 64 * 1024;
/// How long to wait for the output pipes to close once the program has exited
/// (something it started in the background may hold them open).
const PIPE_GRACE: Duration = Duration::from_secs(1);
/// The longest excerpt of the output the report quotes.
const EXCERPT_CHARS: usize = 400;
/// The longest the command is named in a report.
const LABEL_CHARS: usize = 72;

/// Environment variables the command never inherits: it stores a database password,
/// it has no business with the Aura API's own credentials.
const WITHHELD: &[&str] = &["AURA_CLIENT_ID", "AURA_CLIENT_SECRET"];

/// What the command is told about the instance, in its environment.
#[derive(Clone, Debug)]
pub(crate) struct InstanceEnv<'a> {
    pub name: &'a str,
    pub id: &'a str,
    pub project_id: &'a str,
    pub env_prefix: &'a str,
}

impl InstanceEnv<'_> {
    pub(crate) fn vars(&self) -> [(&'static str, &str); 4] {
        [
            ("AURA_INSTANCE_NAME", self.name),
            ("AURA_INSTANCE_ID", self.id),
            ("AURA_PROJECT_ID", self.project_id),
            ("AURA_INSTANCE_ENV_PREFIX", self.env_prefix),
        ]
    }
}

/// Why the command did not store the credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CommandFailure {
    /// The program does not exist (not on `PATH`, or no such file).
    NotFound { program: String },
    /// It exists but cannot be executed.
    NotExecutable { program: String },
    /// Any other reason it could not be started.
    Spawn { program: String, reason: String },
    /// It exited unsuccessfully (or was killed by a signal from elsewhere).
    Exited {
        program: String,
        status: String,
        output: Excerpt,
    },
    /// It ran past `credentials.command_timeout` and was killed.
    TimedOut {
        program: String,
        after: Duration,
        output: Excerpt,
    },
}

impl CommandFailure {
    /// What to do about it, beyond delivering the credentials by hand.
    pub(crate) fn remedy(&self) -> String {
        match self {
            CommandFailure::NotFound { program } => format!(
                "install `{program}` where auraform runs, or give its full path as the first item of `credentials.command`"
            ),
            CommandFailure::NotExecutable { program } => format!(
                "make `{program}` executable (`chmod +x`), or run it through its interpreter, e.g. `[sh, {program}]`"
            ),
            CommandFailure::Spawn { .. } => {
                "check `credentials.command` and the machine auraform runs on".to_owned()
            }
            CommandFailure::Exited { .. } => {
                "fix what the command reported (a missing login or token, a wrong path or name), so that the next instance is stored"
                    .to_owned()
            }
            CommandFailure::TimedOut { .. } => {
                "make sure the command does not wait for a prompt or a login (it has no terminal); if it is just slow, raise `credentials.command_timeout`"
                    .to_owned()
            }
        }
    }
}

impl fmt::Display for CommandFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandFailure::NotFound { program } => {
                if program.contains('/') {
                    write!(f, "`{program}` does not exist")
                } else {
                    write!(f, "`{program}` was not found on PATH")
                }
            }
            CommandFailure::NotExecutable { program } => {
                write!(f, "`{program}` cannot be executed (permission denied)")
            }
            CommandFailure::Spawn { program, reason } => {
                write!(f, "`{program}` could not be started: {reason}")
            }
            CommandFailure::Exited {
                program,
                status,
                output,
            } => write!(f, "`{program}` {status}{output}"),
            CommandFailure::TimedOut {
                program,
                after,
                output,
            } => write!(
                f,
                "`{program}` did not finish within {} and was killed{output}",
                WallDuration(*after)
            ),
        }
    }
}

/// What may be quoted of the command's output in the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Excerpt {
    /// It printed nothing.
    Empty,
    /// The last lines it printed (stderr, else stdout), cleaned of control characters.
    Shown(String),
    /// It printed the password: nothing of it is shown.
    WithheldSecret,
    /// It printed more than could be checked: nothing of it is shown.
    WithheldTooLong,
}

impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Excerpt::Empty => Ok(()),
            Excerpt::Shown(text) => write!(f, ": {text}"),
            Excerpt::WithheldSecret => f.write_str(
                " (its output is not shown: it contained the password — check that the command does not echo what it stores)",
            ),
            Excerpt::WithheldTooLong => {
                f.write_str(" (its output is not shown: it was too long, or still open, to be checked whole for the password)")
            }
        }
    }
}

/// How a successful run went, for the debug log.
#[derive(Debug)]
pub(crate) struct Stored {
    pub elapsed: Duration,
    pub output: Excerpt,
    /// The program closed its standard input before reading all of it.
    pub unread_input: bool,
}

/// Runs the command once: `input` on its standard input, `secret` searched for in
/// what it prints.
pub(crate) async fn run(
    command: &CredentialsCommand,
    instance: &InstanceEnv<'_>,
    input: &[u8],
    secret: &str,
) -> Result<Stored, CommandFailure> {
    let program = command.argv.first().cloned().unwrap_or_default();
    let label = label(&command.argv);
    let started = Instant::now();
    let mut child = spawn(command, instance).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => CommandFailure::NotFound {
            program: program.clone(),
        },
        io::ErrorKind::PermissionDenied => CommandFailure::NotExecutable {
            program: program.clone(),
        },
        _ => CommandFailure::Spawn {
            program: program.clone(),
            reason: e.to_string(),
        },
    })?;
    let stdin = child.stdin.take();
    let stdout = tokio::spawn(read_capped(child.stdout.take()));
    let stderr = tokio::spawn(read_capped(child.stderr.take()));

    let ran = tokio::time::timeout(command.timeout, async {
        let fed = feed(stdin, input).await;
        (fed, child.wait().await)
    })
    .await;
    let (unread_input, status, timed_out) = match ran {
        Ok((fed, status)) => (fed, status.ok(), false),
        Err(_elapsed) => {
            kill(&mut child).await;
            (false, None, true)
        }
    };
    let output = excerpt(collect(stdout).await, collect(stderr).await, secret);
    match status {
        Some(s) if s.success() => Ok(Stored {
            elapsed: started.elapsed(),
            output,
            unread_input,
        }),
        Some(s) => Err(CommandFailure::Exited {
            program: label,
            status: describe(s),
            output,
        }),
        None if timed_out => Err(CommandFailure::TimedOut {
            program: label,
            after: command.timeout,
            output,
        }),
        None => Err(CommandFailure::Spawn {
            program,
            reason: "its exit status could not be read".to_owned(),
        }),
    }
}

fn spawn(command: &CredentialsCommand, instance: &InstanceEnv<'_>) -> io::Result<Child> {
    let mut cmd = Command::new(&command.program);
    cmd.args(command.argv.iter().skip(1))
        .current_dir(&command.working_dir)
        .envs(instance.vars())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for name in WITHHELD {
        cmd.env_remove(name);
    }
    // Its own process group: a timeout kills everything it started, and a Ctrl-C at
    // the terminal does not cut a store in half (the apply waits for it, bounded).
    #[cfg(unix)]
    cmd.process_group(0);
    cmd.spawn()
}

/// Writes `input` and closes the pipe. `true` when the program closed its end first
/// (it did not read what it was meant to store).
async fn feed(stdin: Option<tokio::process::ChildStdin>, input: &[u8]) -> bool {
    let Some(mut stdin) = stdin else {
        return true;
    };
    let written = stdin.write_all(input).await;
    let flushed = stdin.shutdown().await;
    drop(stdin);
    written.is_err() || flushed.is_err()
}

/// Kills the program and its process group, and reaps it (bounded).
async fn kill(child: &mut Child) {
    #[cfg(unix)]
    if let Some(pid) = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .and_then(rustix::process::Pid::from_raw)
    {
        // The group leader is not reaped yet, so the group id cannot have been reused.
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    let _ = child.start_kill();
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
}

/// A stream as read: the first [`CAPTURE_LIMIT`] bytes, and whether there was more.
struct Captured {
    bytes: Vec<u8>,
    truncated: bool,
}

async fn read_capped(stream: Option<impl AsyncRead + Unpin>) -> Captured {
    let mut out = Captured {
        bytes: Vec::new(),
        truncated: false,
    };
    let Some(mut stream) = stream else {
        return out;
    };
    let mut buf = [0u8; 8192];
    // Read to the end even past the limit, so the program never blocks on a full pipe.
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let room = CAPTURE_LIMIT.saturating_sub(out.bytes.len());
        out.bytes.extend_from_slice(&buf[..n.min(room)]);
        out.truncated |= n > room;
    }
    out
}

/// The output of a reader, or as good as nothing if the pipe stays open (something
/// the program left running holds it) past [`PIPE_GRACE`].
async fn collect(task: tokio::task::JoinHandle<Captured>) -> Captured {
    let abort = task.abort_handle();
    if let Ok(Ok(captured)) = tokio::time::timeout(PIPE_GRACE, task).await {
        return captured;
    }
    abort.abort();
    Captured {
        bytes: Vec::new(),
        truncated: true,
    }
}

/// `exited with status 2`, `was killed by signal 9`.
fn describe(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exited with status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("was killed by signal {signal}");
        }
    }
    "failed".to_owned()
}

/// What may be shown of the output: nothing if either stream holds the password (in
/// any spelling a JSON-printing tool might use) or could not be read whole.
fn excerpt(stdout: Captured, stderr: Captured, secret: &str) -> Excerpt {
    let spellings = secret_spellings(secret);
    let leaks = |c: &Captured| spellings.iter().any(|s| contains(&c.bytes, s.as_bytes()));
    if leaks(&stdout) || leaks(&stderr) {
        return Excerpt::WithheldSecret;
    }
    if stdout.truncated || stderr.truncated {
        return Excerpt::WithheldTooLong;
    }
    let chosen = if stderr.bytes.iter().any(|b| !b.is_ascii_whitespace()) {
        stderr
    } else {
        stdout
    };
    let text = clean(&String::from_utf8_lossy(&chosen.bytes));
    if text.is_empty() {
        return Excerpt::Empty;
    }
    Excerpt::Shown(tail(&text))
}

fn secret_spellings(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_owned()];
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"');
    if json != secret && !json.is_empty() {
        out.push(json.to_owned());
    }
    out.retain(|s| !s.is_empty());
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The text without terminal escape sequences and control characters, its lines
/// trimmed and joined by ` / `.
fn clean(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte; other escapes: ESC and one char.
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            } else {
                chars.next();
            }
        } else if c == '\n' || c == '\t' {
            plain.push(if c == '\t' { ' ' } else { '\n' });
        } else if !c.is_control() {
            plain.push(c);
        }
    }
    plain
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The end of the text, at most [`EXCERPT_CHARS`] characters: errors come last.
fn tail(text: &str) -> String {
    let count = text.chars().count();
    if count <= EXCERPT_CHARS {
        return text.to_owned();
    }
    let skip = count - EXCERPT_CHARS;
    format!("…{}", text.chars().skip(skip).collect::<String>())
}

/// The command as a person recognises it in a report: its words, shell-quoted, cut
/// at [`LABEL_CHARS`] (a `[sh, -c, '…']` is not well described by `sh` alone).
pub(crate) fn label(argv: &[String]) -> String {
    let full = argv
        .iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ");
    if full.chars().count() <= LABEL_CHARS {
        return full;
    }
    let cut: String = full.chars().take(LABEL_CHARS - 1).collect();
    format!("{cut}…")
}

/// A word as a POSIX shell reads it back: bare when it is plainly safe, otherwise in
/// single quotes.
pub(crate) fn shell_quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips_through_a_shell() {
        assert_eq!(shell_quote("vault"), "vault");
        assert_eq!(shell_quote("env=-"), "env=-");
        assert_eq!(shell_quote("it's $HOME"), r"'it'\''s $HOME'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(
            label(&["vault".into(), "kv".into(), "put".into()]),
            "vault kv put"
        );
        let long = label(&["sh".into(), "-c".into(), "x".repeat(100)]);
        assert_eq!(long.chars().count(), LABEL_CHARS);
        assert!(long.starts_with("sh -c xxx") && long.ends_with('…'));
    }

    fn captured(text: &str) -> Captured {
        Captured {
            bytes: text.as_bytes().to_vec(),
            truncated: false,
        }
    }

    #[test]
    fn an_output_holding_the_password_is_never_shown() {
        let secret = "Zq\"9x";
        for leak in ["value Zq\"9x", "{\"v\":\"Zq\\\"9x\"}"] {
            let e = excerpt(captured(""), captured(leak), secret);
            assert_eq!(e, Excerpt::WithheldSecret, "{leak}");
            assert!(!e.to_string().contains("Zq"), "{e}");
        }
        let e = excerpt(captured("ok"), captured("permission denied\n"), secret);
        assert_eq!(e, Excerpt::Shown("permission denied".into()));
    }

    #[test]
    fn a_truncated_output_is_not_shown() {
        let long = Captured {
            bytes: b"x".to_vec(),
            truncated: true,
        };
        assert_eq!(
            excerpt(long, captured(""), "secret"),
            Excerpt::WithheldTooLong
        );
    }

    #[test]
    fn excerpts_are_cleaned_and_cut_from_the_end() {
        assert_eq!(
            clean("\u{1b}[31mError:\u{1b}[0m denied\r\n\n  try again \u{7}\n"),
            "Error: denied / try again"
        );
        let long = "a".repeat(1000) + "END";
        let t = tail(&long);
        assert!(t.ends_with("END") && t.starts_with('…'));
        assert_eq!(t.chars().count(), EXCERPT_CHARS + 1);
    }
}
