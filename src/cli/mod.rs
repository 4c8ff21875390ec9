//! Command-line definitions (clap derive). This module only describes what the user
//! can type; `commands` decides what each subcommand does. Flag names, defaults and
//! exit codes are a contract (docs/commands.md).

mod global;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::units::WallDuration;

pub(crate) use global::{
    ColorChoice, CommonArgs, DEFAULT_FILE, GlobalArgs, NoArgs, On, ProjectArgs,
};

/// Keep Neo4j Aura instances exactly as aura.yaml says.
#[derive(Debug, Parser)]
#[command(name = "auraform", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Given before the subcommand; see [`On`] for after it.
    #[command(flatten)]
    pub project: ProjectArgs,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The resolved global flags and the subcommand. A usage error (flags that do not
    /// go together) is a clap error, printed and mapped to exit 1 like clap's own.
    pub(crate) fn resolve(self) -> Result<(GlobalArgs, Command), clap::Error> {
        let (name, after) = self.command.project_args();
        global::resolve(&self.common, &self.project, after, name, &|k| {
            std::env::var(k).ok()
        })
        .map(|g| (g, self.command))
        .map_err(|misuse| {
            // Rendered like clap's own errors, with the subcommand's usage line.
            let mut cli = Cli::command().bin_name("auraform");
            cli.build();
            let sub = cli.find_subcommand_mut(name).cloned();
            sub.unwrap_or(cli)
                .error(clap::error::ErrorKind::ArgumentConflict, misuse)
        })
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

/// Formats of the apply report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum ReportFormat {
    /// The plan, then the report, as text on stdout.
    #[default]
    Human,
    /// Only the report on stdout, as one JSON document; the plan goes to stderr.
    Json,
}

/// Formats of `output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum ConnectionFormat {
    /// `NAME_NEO4J_URI=…` lines, safe to append to `$GITHUB_ENV`.
    #[default]
    Env,
    /// One JSON document (schema/output.schema.json).
    Json,
    /// One `<name>.env` file per instance in `--dir`.
    DotenvPerInstance,
}

/// Which JSON Schema `schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum SchemaName {
    /// aura.yaml (schema/aura.schema.json).
    #[default]
    Aura,
    /// The plan JSON (schema/plan.schema.json).
    Plan,
    /// `apply --format json` (schema/apply-report.schema.json).
    ApplyReport,
    /// `output --format json` (schema/output.schema.json).
    Output,
    /// `plan`, `drift`, `apply` or `output --format json` over several files
    /// (schema/files.schema.json).
    Files,
    /// `catalog --format json` (schema/catalog.schema.json).
    Catalog,
}

/// The subcommands. Those that read aura.yaml or talk to the API wrap their args in
/// [`On`], which adds the [`ProjectArgs`] after the subcommand (see `global`).
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Write a commented starter aura.yaml for a project (refuses to overwrite).
    Init(On<InitArgs>),

    /// Check aura.yaml offline: syntax, types, and the built-in catalogue.
    Validate(On<NoArgs>),

    /// Show what apply would change.
    Plan(On<PlanArgs>),

    /// Render a plan saved by `plan --out`, without applying it (no API access).
    Show(On<ShowArgs>),

    /// Carry out a plan: computed now (and confirmed), or a saved one.
    Apply(On<ApplyArgs>),

    /// Delete the instances aura.yaml declares, and nothing else (CI teardown).
    Destroy(On<DestroyArgs>),

    /// Report divergence between live instances and aura.yaml (exit 0 clean, 2 drift, 1 error).
    Drift(On<DriftArgs>),

    /// Write an aura.yaml describing a live project.
    Import(On<ImportArgs>),

    /// What a project can run: tiers, clouds, regions and sizes, with each tier's limits.
    Catalog(On<CatalogArgs>),

    /// Print the connection details of the declared instances, read live (never a password).
    Output(On<OutputArgs>),

    /// Compare two desired-state files offline (no API access).
    Diff(On<DiffArgs>),

    /// Print a JSON Schema: aura.yaml (default), plan, apply-report, output, files or
    /// catalog.
    Schema(On<SchemaArgs>),

    /// Run the local Aura API emulator.
    Emulator(EmulatorArgs),

    /// Print a shell completion script.
    Completions(On<CompletionsArgs>),
}

impl Command {
    /// The subcommand's name and the [`ProjectArgs`] given after it (`None` for a
    /// subcommand that takes none).
    fn project_args(&self) -> (&'static str, Option<&ProjectArgs>) {
        match self {
            Command::Init(on) => ("init", Some(&on.project)),
            Command::Validate(on) => ("validate", Some(&on.project)),
            Command::Plan(on) => ("plan", Some(&on.project)),
            Command::Show(on) => ("show", Some(&on.project)),
            Command::Apply(on) => ("apply", Some(&on.project)),
            Command::Destroy(on) => ("destroy", Some(&on.project)),
            Command::Drift(on) => ("drift", Some(&on.project)),
            Command::Import(on) => ("import", Some(&on.project)),
            Command::Catalog(on) => ("catalog", Some(&on.project)),
            Command::Output(on) => ("output", Some(&on.project)),
            Command::Diff(on) => ("diff", Some(&on.project)),
            Command::Schema(on) => ("schema", Some(&on.project)),
            Command::Completions(on) => ("completions", Some(&on.project)),
            Command::Emulator(_) => ("emulator", None),
        }
    }
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

    /// Plan a destroy: delete the instances aura.yaml declares, and nothing else.
    #[arg(long, conflicts_with = "prune")]
    pub destroy: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ApplyArgs {
    /// A plan saved by `plan --out`; applied exactly, without asking.
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: Option<PathBuf>,

    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,

    /// Work on at most N instances at once (default: all of them, paced by the
    /// request budget).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=2000))]
    pub parallelism: Option<u16>,

    /// Limit the apply to these instances (repeatable).
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,

    /// Delete live instances of the project not listed in aura.yaml.
    #[arg(long)]
    pub prune: bool,

    /// The final report: `human` (plan and report on stdout) or `json` (only the
    /// report on stdout, one document; the plan on stderr).
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

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
pub(crate) struct DestroyArgs {
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,

    /// Work on at most N instances at once (default: all of them, paced by the
    /// request budget).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=2000))]
    pub parallelism: Option<u16>,

    /// Destroy only these declared instances (repeatable).
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,

    /// Also remove the credentials files of the destroyed instances.
    #[arg(long)]
    pub remove_credentials: bool,

    /// The final report: `human` (plan and report on stdout) or `json` (only the
    /// report on stdout, one document; the plan on stderr).
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// How long to wait for another apply or destroy in this directory to finish (`0`
    /// refuses at once; at most 24h).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = lock_timeout)]
    pub lock_timeout: Duration,
}

#[derive(Debug, Args)]
pub(crate) struct OutputArgs {
    #[arg(long, value_enum, default_value_t = ConnectionFormat::Env)]
    pub format: ConnectionFormat,

    /// For `dotenv-per-instance`: the directory of the files (default
    /// `.auraform/output` beside aura.yaml).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// For `dotenv-per-instance`: replace files whose content differs.
    #[arg(long)]
    pub force: bool,
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
    /// Which schema.
    #[arg(value_enum, value_name = "WHICH", default_value_t = SchemaName::Aura)]
    which: SchemaName,

    // The flags below are the spellings `schema` had before WHICH (docs/commands.md
    // §9.7): still accepted so that scripts written against them keep working, hidden
    // so that help shows one way.
    /// The same as `schema plan`.
    #[arg(long, hide = true, conflicts_with_all = ["which", "files_schema", "catalog"])]
    plan: bool,

    /// The same as `schema files`.
    // Its own id: `files` is the `-f` of the ProjectArgs flattened beside it.
    #[arg(long = "files", id = "files_schema", hide = true, conflicts_with_all = ["which", "catalog"])]
    files: bool,

    /// The same as `schema catalog`.
    #[arg(long, hide = true, conflicts_with = "which")]
    catalog: bool,
}

impl SchemaArgs {
    /// The schema asked for, by name or by the older `--plan`, `--files`, `--catalog`.
    pub(crate) fn which(&self) -> SchemaName {
        if self.plan {
            SchemaName::Plan
        } else if self.files {
            SchemaName::Files
        } else if self.catalog {
            SchemaName::Catalog
        } else {
            self.which
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// A plan saved by `plan --out`.
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: PathBuf,

    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Project id or exact name (default: the only project the credentials see).
    #[arg(long, value_name = "ID_OR_NAME")]
    pub project: Option<String>,
}

/// Output formats of `catalog`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum CatalogFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct CatalogArgs {
    /// Project id or exact name (default: the project in aura.yaml, or the only one).
    #[arg(long, value_name = "ID_OR_NAME")]
    pub project: Option<String>,

    /// Only this instance type (tier), e.g. `professional-db`.
    #[arg(long = "type", value_name = "TYPE")]
    pub instance_type: Option<String>,

    /// Only this cloud provider: `gcp`, `aws` or `azure`.
    #[arg(long, value_name = "CLOUD")]
    pub cloud: Option<String>,

    #[arg(long, value_enum, default_value_t = CatalogFormat::Human)]
    pub format: CatalogFormat,
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

    /// The client id `/oauth/token` accepts.
    #[arg(long, default_value = "emulator", value_name = "ID")]
    pub client_id: String,

    /// The client secret `/oauth/token` accepts [default: emulator-secret].
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
