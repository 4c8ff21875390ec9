//! Command-line definitions (clap derive). This module only describes what the user
//! can type; `commands` decides what each subcommand does. Flag names, defaults and
//! exit codes are a contract (docs/commands.md).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::units::{Rate, WallDuration};

/// Keep Neo4j Aura instances exactly as aura.yaml says.
#[derive(Debug, Parser)]
#[command(name = "auraform", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted before or after any subcommand.
#[derive(Debug, Clone, Args)]
pub(crate) struct GlobalArgs {
    /// The desired-state file [default: aura.yaml; for `apply PLAN_FILE`: the file the
    /// plan was made from]. Repeat it, or name a directory of `*.aura.yaml` files, to
    /// run `validate`, `plan`, `drift` or `apply` over several projects in one run.
    #[arg(
        short = 'f',
        long = "file",
        global = true,
        value_name = "PATH",
        action = clap::ArgAction::Append
    )]
    pub files: Vec<PathBuf>,

    /// Base URL of the Aura API (https, or http on a loopback host).
    #[arg(
        long,
        global = true,
        env = "AURA_API_URL",
        default_value = "https://api.neo4j.io",
        value_name = "URL"
    )]
    pub api_url: String,

    /// Use an in-process emulator of the Aura API, with its world kept in
    /// `.auraform/emulator.json` beside aura.yaml. Needs no account and no network.
    #[arg(long, global = true)]
    pub emulator: bool,

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

    /// Interval between status polls of an asynchronous operation (e.g. `10s`; at most 1h).
    #[arg(long, global = true, value_name = "DURATION", value_parser = poll_interval_value)]
    pub poll_interval: Option<WallDuration>,

    /// Per-step timeout (e.g. `20m`; at most 168h).
    #[arg(long, global = true, value_name = "DURATION", value_parser = timeout_value)]
    pub timeout: Option<WallDuration>,
}

/// The longest `--poll-interval`: an hour between polls already reports nothing useful.
pub(crate) const MAX_POLL_INTERVAL: Duration = Duration::from_hours(1);
/// The longest `--timeout`: a week, far beyond any Aura operation, and far from the
/// range where adding it to the clock could overflow (docs/commands.md §3).
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_hours(168);

fn poll_interval_value(s: &str) -> Result<WallDuration, String> {
    at_most(s, MAX_POLL_INTERVAL)
}

fn timeout_value(s: &str) -> Result<WallDuration, String> {
    at_most(s, MAX_TIMEOUT)
}

/// A duration no longer than `max`, refused when the flag is parsed.
fn at_most(s: &str, max: Duration) -> Result<WallDuration, String> {
    let d: WallDuration = s.parse()?;
    if d.0 > max {
        return Err(format!(
            "`{}` is too long: at most {}h",
            s.trim(),
            max.as_secs() / 3600
        ));
    }
    Ok(d)
}

/// The desired-state file when `-f` is not given.
pub(crate) const DEFAULT_FILE: &str = "aura.yaml";

impl GlobalArgs {
    /// The desired-state files: the `-f` values, else `aura.yaml`.
    pub(crate) fn files(&self) -> Vec<PathBuf> {
        if self.files.is_empty() {
            vec![PathBuf::from(DEFAULT_FILE)]
        } else {
            self.files.clone()
        }
    }
}

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

/// Output formats of plan-like commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    #[default]
    Human,
    Json,
    Markdown,
}

impl From<OutputFormat> for crate::plan::render::Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Human => Self::Human,
            OutputFormat::Json => Self::Json,
            OutputFormat::Markdown => Self::Markdown,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check aura.yaml offline: syntax, types, and the built-in catalogue.
    Validate,

    /// Show what apply would change.
    Plan(PlanArgs),

    /// Carry out a plan: computed now (and confirmed), or a saved one.
    Apply(ApplyArgs),

    /// Report divergence between live instances and aura.yaml (exit 0 clean, 2 drift, 1 error).
    Drift(DriftArgs),

    /// Write an aura.yaml describing a live project.
    Import(ImportArgs),

    /// Compare two desired-state files offline (no API access).
    Diff(DiffArgs),

    /// Print the JSON Schema of aura.yaml (or of the plan JSON, or of a run over several files).
    Schema(SchemaArgs),

    /// Run the local Aura API emulator.
    Emulator(EmulatorArgs),

    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// Save the plan to FILE for a later `apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    /// Exit 2 when the plan has changes, 0 when it has none, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Limit the plan to these instances (repeatable).
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,

    /// Delete live instances of the project not listed in aura.yaml.
    #[arg(long)]
    pub prune: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ApplyArgs {
    /// A plan saved by `plan --out`; applied exactly, without asking.
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: Option<PathBuf>,

    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,

    /// How many instances to work on at once.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub parallelism: u16,

    /// Limit the apply to these instances (repeatable).
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,

    /// Delete live instances of the project not listed in aura.yaml.
    #[arg(long)]
    pub prune: bool,

    /// How long to wait for another apply in this directory to finish (`0` refuses at
    /// once; at most 24h).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = lock_timeout)]
    pub lock_timeout: Duration,
}

/// `--lock-timeout`: a duration, or `0` to refuse at once; at most a day.
fn lock_timeout(s: &str) -> Result<Duration, String> {
    let d = match s.trim() {
        "0" | "0s" | "0ms" | "0m" => Duration::ZERO,
        other => other.parse::<WallDuration>()?.0,
    };
    if d > Duration::from_secs(24 * 3600) {
        return Err(format!("`{s}` is longer than a day (24h)"));
    }
    Ok(d)
}

#[derive(Debug, Args)]
pub(crate) struct DriftArgs {
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// Project id or exact name (default: the project in aura.yaml, or the only one).
    #[arg(long, value_name = "ID_OR_NAME")]
    pub project: Option<String>,

    /// Where to write the file (default: stdout).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The older desired state: a path, or `git:REV:PATH`.
    #[arg(value_name = "OLD_FILE")]
    pub old: String,

    /// The newer desired state.
    #[arg(value_name = "NEW_FILE")]
    pub new: PathBuf,

    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    /// Exit 2 when the files differ, 0 when they do not, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Print the schema of the plan JSON instead.
    #[arg(long)]
    pub plan: bool,

    /// Print the schema of `plan` / `drift --format json` over several files instead.
    // Its own id: `files` is the global `-f`.
    #[arg(long = "files", id = "files_schema", conflicts_with = "plan")]
    pub files: bool,
}

#[derive(Debug, Args)]
pub(crate) struct EmulatorArgs {
    /// Address to listen on (loopback only).
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,

    /// Divide every lifecycle duration by this factor.
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
    pub speed: f64,

    /// Keep the world in FILE across restarts (atomic writes).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    #[arg(long, default_value = "emulator", value_name = "ID")]
    pub client_id: String,

    #[arg(
        long,
        default_value = "emulator-secret",
        value_name = "SECRET",
        hide_default_value = true
    )]
    pub client_secret: String,

    /// Lifetime of issued tokens, in seconds (real time).
    #[arg(long, default_value_t = 3600, value_name = "SECONDS")]
    pub token_ttl: u64,

    /// Seed for ids, passwords and injected faults (reproducible runs).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Probability (0..=1) that a request gets an injected fault (5xx, 429, slow, dropped).
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    pub fault_rate: f64,

    /// The kinds of fault drawn from, comma-separated: 500, 502, 503, 504, 429, slow,
    /// drop, not-visible (the default set), truncated, html, wrong-shape, empty, huge,
    /// stall, or all.
    #[arg(long, value_delimiter = ',', value_name = "KINDS")]
    pub fault_kinds: Vec<String>,

    /// Inject faults only into requests to this route, e.g. "POST /v1/instances"
    /// (repeatable; method and route template as `/_emulator/stats` names them).
    #[arg(long = "fault-route", value_name = "ROUTE")]
    pub fault_routes: Vec<String>,

    /// Extra latency added to every response, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency: u64,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_flag_then_no_color_then_the_terminal() {
        assert!(ColorChoice::Always.enabled(false, Some("1")));
        assert!(!ColorChoice::Never.enabled(true, None));
        assert!(ColorChoice::Auto.enabled(true, None));
        assert!(ColorChoice::Auto.enabled(true, Some("")));
        assert!(!ColorChoice::Auto.enabled(true, Some("1")));
        assert!(!ColorChoice::Auto.enabled(false, None));
    }
}
