//! stdout, the channel for requested output (plans, JSON, Markdown, reports).
//! Progress, logs and diagnostics never come here; they go to stderr.

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
