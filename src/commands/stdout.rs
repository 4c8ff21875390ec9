//! stdout, the channel for requested output (plans, JSON, Markdown, reports).
//! Progress, logs and diagnostics never come here; they go to stderr, as does a plan
//! shown beside a JSON report (`print_stderr`).

use std::io::{IsTerminal, Write};

use super::error::{Error, Result};
use crate::cli::ColorChoice;

/// Whether stdout output may be coloured: `--color`, `NO_COLOR`, and a terminal.
pub(super) fn stdout_color(choice: ColorChoice) -> bool {
    let no_color = std::env::var_os("NO_COLOR").map(|v| v.to_string_lossy().into_owned());
    choice.enabled(std::io::stdout().is_terminal(), no_color.as_deref())
}

/// Writes requested output to stdout; a closed pipe is an error, not a panic.
pub(super) fn print_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| Error::Io {
            context: "cannot write to stdout".to_owned(),
            source,
        })
}

/// Whether stderr output may be coloured, by the same rule as stdout.
pub(super) fn stderr_color(choice: ColorChoice) -> bool {
    let no_color = std::env::var_os("NO_COLOR").map(|v| v.to_string_lossy().into_owned());
    choice.enabled(std::io::stderr().is_terminal(), no_color.as_deref())
}

/// Writes text that is not the requested output (a plan shown beside a JSON report)
/// to stderr. A closed stderr is not worth failing a command over.
pub(super) fn print_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}
