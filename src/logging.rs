//! Where diagnostics and logs go: stderr, coloured only when asked or when stderr is
//! a terminal and `NO_COLOR` is unset. stdout is reserved for requested output.

use std::io::IsTerminal;

use crate::cli::{ColorChoice, GlobalArgs};

/// Whether stderr output should be coloured.
fn use_color(choice: ColorChoice) -> bool {
    // The same rule as stdout's (`--color`, `NO_COLOR`), judged on stderr's terminal.
    let no_color = std::env::var_os("NO_COLOR").map(|v| v.to_string_lossy().into_owned());
    choice.enabled(std::io::stderr().is_terminal(), no_color.as_deref())
}

/// Sets up the miette report handler and the tracing subscriber once per process.
pub(crate) fn init(global: &GlobalArgs) {
    let color = use_color(global.color);
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(color)
                .terminal_links(false)
                .build(),
        )
    }));
    let level = if global.quiet {
        "error"
    } else {
        match global.verbose {
            0 => "warn",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }
    };
    // Only our own crate logs at the chosen level; dependencies (hyper, rustls) stay at
    // warn so that -vvv is readable and never dumps raw headers.
    let filter = tracing_subscriber::EnvFilter::new(format!("warn,auraform={level}"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(false)
        .try_init();
}

/// Prints an error as a miette diagnostic on stderr.
pub(crate) fn report(err: crate::commands::Error) {
    eprintln!("{:?}", miette::Report::new(err));
}
