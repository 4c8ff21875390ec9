//! `credentials:` — the directory of the `.env` files, whether they are written, and
//! the command that hands each new password to a secret store (docs/aura-yaml.md §3,
//! docs/apply.md §10). The one rule that matters most: the password must land
//! somewhere, so `file: false` without a command is refused.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::limits::{
    DEFAULT_COMMAND_TIMEOUT, DEFAULT_CREDENTIALS_DIR, MAX_COMMAND_TIMEOUT, MIN_COMMAND_TIMEOUT,
};
use super::report::Problems;
use crate::config::desired::CredentialsCommand;
use crate::config::error::{ConfigError, ErrorCode};
use crate::config::node::Spanned;
use crate::config::raw::{RawConfig, RawCredentials};
use crate::units::WallDuration;

/// What `credentials:` means once checked.
pub(super) struct CredentialSinks {
    pub dir: PathBuf,
    pub file: bool,
    pub command: Option<CredentialsCommand>,
}

/// Checks `credentials:` and resolves its paths against the file's directory.
pub(super) fn credentials(
    problems: &mut Problems,
    base_dir: &Path,
    raw: &RawConfig,
) -> CredentialSinks {
    let empty = RawCredentials::default();
    let raw = raw.credentials.as_ref().unwrap_or(&empty);
    let dir = dir(problems, base_dir, raw);
    let command = raw
        .command
        .as_ref()
        .and_then(|c| command(problems, base_dir, c));
    let timeout = raw
        .command_timeout
        .as_ref()
        .map_or(Some(DEFAULT_COMMAND_TIMEOUT), |t| timeout(problems, t));
    if let (Some(t), false) = (&raw.command_timeout, raw.command_written) {
        problems.push(
            ConfigError::new(
                ErrorCode::Conflict,
                "`credentials.command_timeout` is set but there is no `credentials.command`",
            )
            .label(t.span, "has no effect")
            .help("add a `command:` under `credentials:`, or remove `command_timeout`"),
        );
    }
    let file = raw.file.as_ref().is_none_or(|f| f.value);
    if let Some(f) = raw.file.as_ref().filter(|f| !f.value)
        && !raw.command_written
    {
        problems.push(
            ConfigError::new(
                ErrorCode::Conflict,
                "`credentials.file: false` needs a `credentials.command`",
            )
            .label(f.span, "no file, and no command")
            .help(
                "the create response holds the only copy of a new instance's password: it must land somewhere. \
                 Add a `command:` that stores it (e.g. `[vault, kv, put, secret/aura, env=-]`), or remove `file: false`",
            ),
        );
    }
    CredentialSinks {
        dir,
        file,
        command: command.zip(timeout).map(|(mut c, t)| {
            c.timeout = t;
            c
        }),
    }
}

/// `credentials.dir`, resolved against the file's directory.
fn dir(problems: &mut Problems, base_dir: &Path, raw: &RawCredentials) -> PathBuf {
    match &raw.dir {
        Some(d) if d.value.trim().is_empty() => {
            problems.push(
                ConfigError::new(ErrorCode::InvalidValue, "`credentials.dir` is empty")
                    .label(d.span, "empty")
                    .help(format!(
                        "give a directory, or remove the key for the default `{DEFAULT_CREDENTIALS_DIR}`"
                    )),
            );
            base_dir.join(DEFAULT_CREDENTIALS_DIR)
        }
        Some(d) => base_dir.join(&d.value),
        None => base_dir.join(DEFAULT_CREDENTIALS_DIR),
    }
}

fn command(
    problems: &mut Problems,
    base_dir: &Path,
    raw: &Spanned<Vec<Spanned<String>>>,
) -> Option<CredentialsCommand> {
    let Some(program) = raw.value.first() else {
        problems.push(
            ConfigError::new(ErrorCode::InvalidValue, "`credentials.command` is empty")
                .label(raw.span, "no program")
                .help("name the program and its arguments, e.g. `command: [vault, kv, put, secret/aura, env=-]`"),
        );
        return None;
    };
    if program.value.trim().is_empty() {
        problems.push(
            ConfigError::new(
                ErrorCode::InvalidValue,
                "the program of `credentials.command` is empty",
            )
            .label(program.span, "empty")
            .help("the first item is the program to run: a name on PATH, or a path"),
        );
        return None;
    }
    if let Some(bad) = raw.value.iter().find(|a| a.value.contains('\0')) {
        problems.push(
            ConfigError::new(
                ErrorCode::InvalidValue,
                "an argument of `credentials.command` contains a NUL character",
            )
            .label(bad.span, "not allowed")
            .help("arguments are passed to the program as C strings, which cannot hold NUL"),
        );
        return None;
    }
    let argv: Vec<String> = raw.value.iter().map(|a| a.value.clone()).collect();
    // A relative path is relative to aura.yaml, like every path in the file; a bare
    // name is looked up on PATH.
    let written = Path::new(&argv[0]);
    let program = if argv[0].contains('/') && written.is_relative() && base_dir != Path::new(".") {
        base_dir.join(written)
    } else {
        written.to_path_buf()
    };
    Some(CredentialsCommand {
        argv,
        program,
        working_dir: base_dir.to_path_buf(),
        timeout: DEFAULT_COMMAND_TIMEOUT,
    })
}

fn timeout(problems: &mut Problems, raw: &Spanned<String>) -> Option<Duration> {
    let bounds = format!(
        "from {} to {}",
        WallDuration(MIN_COMMAND_TIMEOUT),
        WallDuration(MAX_COMMAND_TIMEOUT)
    );
    let (problem, label, help) = match raw.value.parse::<WallDuration>() {
        Ok(WallDuration(d)) if (MIN_COMMAND_TIMEOUT..=MAX_COMMAND_TIMEOUT).contains(&d) => {
            return Some(d);
        }
        Ok(_) => (
            "is out of range",
            "out of range",
            format!("allowed: a duration {bounds}, e.g. `30s` or `2m`"),
        ),
        Err(why) => (
            "is not a duration",
            "not a duration",
            format!("{why}; allowed {bounds}"),
        ),
    };
    problems.push(
        ConfigError::new(
            ErrorCode::InvalidValue,
            format!("`credentials.command_timeout` `{}` {problem}", raw.value),
        )
        .label(raw.span, label)
        .help(help),
    );
    None
}
