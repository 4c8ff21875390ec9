//! The flags that are not one subcommand's own, and how they reach the commands.
//!
//! Two groups (docs/commands.md §2):
//!
//! - [`CommonArgs`] — `--color`, `-v`, `-q`, `--rate-limit` — mean something to every
//!   command, the `emulator` included (`--rate-limit` is the limit it enforces). They
//!   are clap `global = true` args: accepted before or after any subcommand.
//! - [`ProjectArgs`] — `-f`, `--api-url`, `--emulator`, `--poll-interval`, `--timeout`,
//!   `--usual-durations`
//!   — are about aura.yaml and the API, and mean nothing to `emulator`. A `global`
//!   arg shows in every subcommand's help (the emulator's listed `--file` and
//!   `--timeout`, which do nothing there), so they are declared twice instead: once on
//!   the top-level command (so they may come before the subcommand) and once in
//!   [`On`] around each subcommand that takes them (so they may come after it).
//!   [`resolve`] merges the two: the value after the subcommand wins, as with a
//!   global arg given twice; `-f`, which is repeatable, names the files of both.
//!
//! A new subcommand that works on aura.yaml or the API is `Name(On<NameArgs>)` in
//! `Command`; one that does not (like `emulator`) takes its own args only.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::apply::UsualDurations;
use crate::units::{Rate, WallDuration};

/// The default desired-state file.
pub(crate) const DEFAULT_FILE: &str = "aura.yaml";
/// The default Aura API base URL.
pub(crate) const DEFAULT_API_URL: &str = "https://api.neo4j.io";
/// Where the API URL comes from when `--api-url` is not given.
pub(crate) const API_URL_ENV: &str = "AURA_API_URL";

/// Flags of every command, before or after it.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct CommonArgs {
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// More logging on stderr (-v info, -vv debug, -vvv trace). Secrets are never logged.
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(short = 'q', long = "quiet", global = true)]
    pub quiet: bool,

    /// Request budget shared by every API call: `N/min`, `N/s`, or a bare `N` (per minute).
    /// For `emulator`, the limit it enforces per client id.
    #[arg(long, global = true, default_value = "125/min", value_name = "RATE")]
    pub rate_limit: Rate,
}

/// Flags of the commands that read aura.yaml or talk to the API. Every field is
/// optional here so that [`resolve`] can tell a flag given before the subcommand
/// from one given after it; the defaults are applied there.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "aura.yaml and API")]
pub(crate) struct ProjectArgs {
    /// The desired-state file [default: aura.yaml]. Repeat it, or name a directory of
    /// `*.aura.yaml` files, to run `validate`, `plan`, `drift`, `apply`, `destroy` or
    /// `output` over several projects in one run.
    #[arg(short = 'f', long = "file", value_name = "PATH", action = clap::ArgAction::Append)]
    pub files: Vec<PathBuf>,

    /// Base URL of the Aura API (https, or http on a loopback host) [env: AURA_API_URL]
    /// [default: https://api.neo4j.io]
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,

    /// Use an in-process emulator of the Aura API, with its world kept in
    /// `.auraform/emulator.json` beside aura.yaml. Needs no account and no network.
    #[arg(long)]
    pub emulator: bool,

    /// Interval between status polls of an asynchronous operation (e.g. `10s`, `1.5s`;
    /// at most 1h).
    #[arg(long, value_name = "DURATION", value_parser = poll_interval_value)]
    pub poll_interval: Option<WallDuration>,

    /// Per-step timeout (e.g. `20m`, `1h30m`; at most 168h).
    #[arg(long, value_name = "DURATION", value_parser = timeout_value)]
    pub timeout: Option<WallDuration>,

    /// How long operations usually take, e.g. `create=5m,resize=2m`; the first poll of
    /// a step comes 3/4 of the way in. Operations not named keep Aura's
    /// (create=2m,resize=90s,pause=1m,resume=90s,delete=30s); `0` makes one unknown
    /// (polled from one interval on).
    #[arg(long, value_name = "LIST")]
    pub usual_durations: Option<UsualDurations>,
}

/// The longest `--poll-interval`: an hour between polls already reports nothing useful.
pub(crate) const MAX_POLL_INTERVAL: Duration = Duration::from_hours(1);
/// The longest `--timeout`: a week, far beyond any Aura operation, and far from the
/// range where adding it to the clock could overflow (docs/commands.md §3).
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_hours(168);

fn poll_interval_value(s: &str) -> Result<WallDuration, String> {
    WallDuration::parse_at_most(s, Some(MAX_POLL_INTERVAL))
}

fn timeout_value(s: &str) -> Result<WallDuration, String> {
    WallDuration::parse_at_most(s, Some(MAX_TIMEOUT))
}

impl ProjectArgs {
    /// The flags given, as they would be typed (for messages).
    fn given(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if !self.files.is_empty() {
            out.push("--file");
        }
        if self.api_url.is_some() {
            out.push("--api-url");
        }
        if self.emulator {
            out.push("--emulator");
        }
        if self.poll_interval.is_some() {
            out.push("--poll-interval");
        }
        if self.timeout.is_some() {
            out.push("--timeout");
        }
        if self.usual_durations.is_some() {
            out.push("--usual-durations");
        }
        out
    }
}

/// A subcommand's own args and the [`ProjectArgs`] given after it.
#[derive(Debug, Clone, Args)]
pub(crate) struct On<A: Args> {
    #[command(flatten)]
    pub args: A,

    #[command(flatten)]
    pub project: ProjectArgs,
}

/// A subcommand with no flags of its own (`validate`).
#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct NoArgs {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether output on a stream may be coloured: `--color always|never` decide;
    /// `auto` colours only a terminal, and only when `NO_COLOR` is unset or empty
    /// (<https://no-color.org>). The caller reads the environment and the terminal, so
    /// stdout and stderr follow one rule, each judged on its own terminal.
    pub(crate) fn enabled(self, is_terminal: bool, no_color: Option<&str>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && no_color.is_none_or(str::is_empty),
        }
    }
}

/// Every flag that is not a subcommand's own, resolved: what the commands read.
#[derive(Debug, Clone)]
pub(crate) struct GlobalArgs {
    /// `-f` as given, in order (those before the subcommand first), or `aura.yaml`.
    pub files: Vec<PathBuf>,
    /// Whether `-f` was given at all (else `files` is the default).
    pub files_given: bool,
    pub api_url: String,
    pub emulator: bool,
    pub color: ColorChoice,
    pub verbose: u8,
    pub quiet: bool,
    pub rate_limit: Rate,
    pub poll_interval: Option<WallDuration>,
    pub timeout: Option<WallDuration>,
    pub usual_durations: Option<UsualDurations>,
}

/// Why the flags do not go together (a usage error, exit 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Misuse {
    /// `--api-url` and `--emulator`, one before and one after the subcommand.
    ApiUrlWithEmulator,
    /// Flags of [`ProjectArgs`] before a subcommand that takes none (`emulator`).
    NotForCommand {
        command: &'static str,
        flags: Vec<&'static str>,
    },
}

impl std::fmt::Display for Misuse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Misuse::ApiUrlWithEmulator => f.write_str(
                "the argument '--api-url <URL>' cannot be used with '--emulator': \
                 the embedded emulator has its own address",
            ),
            Misuse::NotForCommand { command, flags } => write!(
                f,
                "{} do{} nothing for `auraform {command}`: it takes only its own flags \
                 (see `auraform {command} --help`)",
                flags.join(", "),
                if flags.len() == 1 { "es" } else { "" }
            ),
        }
    }
}

/// Merges the top-level flags with those given after the subcommand (`after`;
/// `None` for a subcommand that takes none). `env` looks up [`API_URL_ENV`].
pub(crate) fn resolve(
    common: &CommonArgs,
    before: &ProjectArgs,
    after: Option<&ProjectArgs>,
    command: &'static str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<GlobalArgs, Misuse> {
    let none = ProjectArgs::default();
    let after = if let Some(after) = after {
        after
    } else {
        let flags = before.given();
        if !flags.is_empty() {
            return Err(Misuse::NotForCommand { command, flags });
        }
        &none
    };
    let emulator = before.emulator || after.emulator;
    let api_url = after.api_url.clone().or_else(|| before.api_url.clone());
    // On either side of the subcommand, or one on each. The environment's
    // AURA_API_URL is ambient, not a request, so it never conflicts.
    if emulator && api_url.is_some() {
        return Err(Misuse::ApiUrlWithEmulator);
    }
    Ok(GlobalArgs {
        // A repeatable flag: written on both sides, it names the files of both.
        files: if before.files.is_empty() && after.files.is_empty() {
            vec![PathBuf::from(DEFAULT_FILE)]
        } else {
            before.files.iter().chain(&after.files).cloned().collect()
        },
        files_given: !(before.files.is_empty() && after.files.is_empty()),
        api_url: api_url
            .or_else(|| env(API_URL_ENV).filter(|v| !v.trim().is_empty()))
            .unwrap_or_else(|| DEFAULT_API_URL.to_owned()),
        emulator,
        color: common.color,
        verbose: common.verbose,
        quiet: common.quiet,
        rate_limit: common.rate_limit,
        poll_interval: after.poll_interval.or(before.poll_interval),
        timeout: after.timeout.or(before.timeout),
        usual_durations: after.usual_durations.or(before.usual_durations),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common() -> CommonArgs {
        CommonArgs {
            color: ColorChoice::Auto,
            verbose: 0,
            quiet: false,
            rate_limit: Rate::per_minute(125),
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn colour_follows_the_flag_then_no_color_then_the_terminal() {
        assert!(ColorChoice::Always.enabled(false, Some("1")));
        assert!(!ColorChoice::Never.enabled(true, None));
        assert!(ColorChoice::Auto.enabled(true, None));
        assert!(ColorChoice::Auto.enabled(true, Some("")));
        assert!(!ColorChoice::Auto.enabled(true, Some("1")));
        assert!(!ColorChoice::Auto.enabled(false, None));
    }

    #[test]
    fn after_the_command_wins_and_defaults_fill_the_rest() {
        let before = ProjectArgs {
            files: vec!["a.yaml".into()],
            timeout: Some("1m".parse().unwrap()),
            poll_interval: Some("1s".parse().unwrap()),
            ..ProjectArgs::default()
        };
        let after = ProjectArgs {
            files: vec!["b.yaml".into()],
            timeout: Some("2m".parse().unwrap()),
            ..ProjectArgs::default()
        };
        let g = resolve(&common(), &before, Some(&after), "plan", &no_env).unwrap();
        // `-f` is repeatable: both sides' files, in order.
        assert_eq!(g.files, [PathBuf::from("a.yaml"), PathBuf::from("b.yaml")]);
        assert!(g.files_given);
        assert_eq!(g.timeout, Some("2m".parse().unwrap()));
        assert_eq!(g.poll_interval, Some("1s".parse().unwrap()));
        assert_eq!(g.api_url, DEFAULT_API_URL);
        let none = ProjectArgs::default();
        let g = resolve(&common(), &none, Some(&none), "plan", &no_env).unwrap();
        assert_eq!(g.files, [PathBuf::from(DEFAULT_FILE)]);
        assert!(!g.files_given);
    }

    #[test]
    fn the_environment_gives_the_url_unless_empty_and_never_conflicts() {
        let env = |k: &str| (k == API_URL_ENV).then(|| "http://127.0.0.1:9".to_owned());
        let none = ProjectArgs::default();
        let g = resolve(&common(), &none, Some(&none), "plan", &env).unwrap();
        assert_eq!(g.api_url, "http://127.0.0.1:9");
        let emulator = ProjectArgs {
            emulator: true,
            ..ProjectArgs::default()
        };
        assert!(resolve(&common(), &none, Some(&emulator), "plan", &env).is_ok());
        let empty = |_: &str| Some("  ".to_owned());
        let g = resolve(&common(), &none, Some(&none), "plan", &empty).unwrap();
        assert_eq!(g.api_url, DEFAULT_API_URL);
    }

    #[test]
    fn api_url_and_emulator_conflict_across_the_command() {
        let url = ProjectArgs {
            api_url: Some("https://api.neo4j.io".into()),
            ..ProjectArgs::default()
        };
        let emulator = ProjectArgs {
            emulator: true,
            ..ProjectArgs::default()
        };
        assert_eq!(
            resolve(&common(), &url, Some(&emulator), "plan", &no_env).unwrap_err(),
            Misuse::ApiUrlWithEmulator
        );
        assert_eq!(
            resolve(&common(), &emulator, Some(&url), "plan", &no_env).unwrap_err(),
            Misuse::ApiUrlWithEmulator
        );
    }

    #[test]
    fn a_command_without_project_flags_refuses_them_before_it() {
        let before = ProjectArgs {
            files: vec!["a.yaml".into()],
            timeout: Some("1m".parse().unwrap()),
            ..ProjectArgs::default()
        };
        let err = resolve(&common(), &before, None, "emulator", &no_env).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--file, --timeout do nothing for `auraform emulator`: it takes only its own flags (see `auraform emulator --help`)"
        );
        assert!(
            resolve(
                &common(),
                &ProjectArgs::default(),
                None,
                "emulator",
                &no_env
            )
            .is_ok()
        );
    }
}
