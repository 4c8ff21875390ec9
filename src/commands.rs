//! One small function per subcommand. Each returns what the process should exit
//! with; rendering of errors happens in `lib::run`.

use crate::cli::{Cli, Command, DiffArgs, DriftArgs, GlobalArgs, ImportArgs, PlanArgs};
use crate::error::{Error, Result};
use crate::output::{print_stdout, stdout_color};
use crate::pipeline;
use crate::plan::{self, DocumentKind, PlanOptions, render::render};

/// How a successful command wants the process to end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 2: changes or drift present (`--detailed-exitcode`, `drift`).
    Changes,
}

#[allow(clippy::unused_async)] // the commands being built are async (API calls)
pub async fn dispatch(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Validate => validate(&cli.global.file),
        Command::Plan(args) => plan(&cli.global, &args).await,
        Command::Apply(args) => crate::apply::command::run(&cli.global, &args).await,
        Command::Drift(args) => drift(&cli.global, &args).await,
        Command::Import(args) => import(&cli.global, &args).await,
        Command::Diff(args) => diff(&cli.global, &args),
        Command::Schema(args) => schema(args.plan),
        Command::Emulator(args) => emulator(&args, cli.global.rate_limit).await,
        Command::Completions(args) => {
            completions(args.shell);
            Ok(Outcome::Success)
        }
    }
}

/// `plan`: what apply would change, on stdout in the requested format; `--out`
/// saves it for `apply PLAN_FILE`.
async fn plan(global: &GlobalArgs, args: &PlanArgs) -> Result<Outcome> {
    // The file is checked before anything touches the network or the disk.
    let offline = pipeline::load(&global.file)?;
    let session = pipeline::open(global).await?;
    let planned = pipeline::plan(&session, &global.file, offline, &PlanOptions::from(args)).await;
    session.close().await;
    let planned = planned?;
    if let Some(out) = &args.out {
        plan::save(out, &planned.plan, &planned.loaded.desired, &planned.live)?;
    }
    print_stdout(&render(
        &planned.plan,
        args.format,
        stdout_color(global.color),
    ))?;
    if let Some(out) = &args.out {
        eprintln!(
            "Saved the plan to {}. Apply exactly this plan with: auraform apply {}",
            out.display(),
            out.display()
        );
    }
    Ok(if args.detailed_exitcode && planned.plan.has_changes() {
        Outcome::Changes
    } else {
        Outcome::Success
    })
}

/// `drift`: the plan computed only to report how live state diverges from aura.yaml.
/// Exit 0 clean, 2 drift (changes, missing, unmanaged, needing a person), 1 error.
async fn drift(global: &GlobalArgs, args: &DriftArgs) -> Result<Outcome> {
    let offline = pipeline::load(&global.file)?;
    let session = pipeline::open(global).await?;
    let planned =
        pipeline::plan(&session, &global.file, offline, &PlanOptions::report_only()).await;
    session.close().await;
    let mut report = planned?.plan;
    report.kind = DocumentKind::Drift;
    print_stdout(&render(&report, args.format, stdout_color(global.color)))?;
    Ok(if report.has_drift() {
        Outcome::Changes
    } else {
        Outcome::Success
    })
}

/// `diff OLD NEW`: offline, no credentials. Exit 0; with `--detailed-exitcode`, 2
/// when the files differ (any change, or an instance removed from the file).
fn diff(global: &GlobalArgs, args: &DiffArgs) -> Result<Outcome> {
    let report = crate::filediff::diff(&args.old, &args.new)?;
    print_stdout(&render(&report, args.format, stdout_color(global.color)))?;
    Ok(if args.detailed_exitcode && report.has_drift() {
        Outcome::Changes
    } else {
        Outcome::Success
    })
}

/// `import`: write an aura.yaml describing a live project (stdout, or `--output`).
async fn import(global: &GlobalArgs, args: &ImportArgs) -> Result<Outcome> {
    use crate::import::{ImportError, check_clean, only_project, project_label, write_yaml};
    if let Some(out) = &args.output
        && out.exists()
        && !args.force
    {
        return Err(ImportError::FileExists {
            path: out.display().to_string(),
        }
        .into());
    }
    // Which project: --project, else the one aura.yaml names, else the only one.
    let from_file = if args.project.is_none() && global.file.exists() {
        Some(pipeline::load(&global.file)?.desired.project)
    } else {
        None
    };
    let session = pipeline::open(global).await?;
    let fetched = async {
        let tenants = session.client.list_tenants().await?;
        let project = match args.project.clone().or(from_file) {
            Some(p) => p,
            None => only_project(&tenants)?.id.clone(),
        };
        let snapshot = session.client.fetch_snapshot(&project, |_| true).await?;
        Ok::<_, Error>((tenants, snapshot))
    }
    .await;
    session.close().await;
    let (tenants, snapshot) = fetched?;
    let label = project_label(&snapshot, &tenants);
    let stamp = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let text = write_yaml(
        &snapshot,
        &label,
        &format!("written by `auraform import` on {stamp}"),
    );
    let base_dir = args
        .output
        .as_deref()
        .and_then(std::path::Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    check_clean(&text, &snapshot, base_dir)?;
    match &args.output {
        None => print_stdout(&text)?,
        Some(out) => {
            std::fs::write(out, &text).map_err(|source| Error::Io {
                context: format!("cannot write {}", out.display()),
                source,
            })?;
            let n = snapshot.instances.len();
            eprintln!(
                "Wrote {} ({n} instance{} of project {}). Check it with: auraform plan -f {}",
                out.display(),
                if n == 1 { "" } else { "s" },
                snapshot.tenant.name,
                out.display()
            );
        }
    }
    Ok(Outcome::Success)
}

/// `auraform emulator`: serve the local Aura API on loopback until Ctrl-C. Prints exactly
/// one line on stdout when ready (never the secret).
async fn emulator(args: &crate::cli::EmulatorArgs, rate: crate::units::Rate) -> Result<Outcome> {
    use crate::emulator::{Emulator, EmulatorConfig, EmulatorError, bind, interrupted};
    let config = EmulatorConfig::from_args(args, rate)?;
    let client_id = config.client_id.clone();
    let shutdown = interrupted()?;
    let listener = bind(args.listen).await?;
    let emulator = Emulator::new(config)?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind {
            addr: args.listen,
            source,
        })?;
    let projects: Vec<String> = emulator
        .projects()
        .iter()
        .map(|p| format!("{} {}", p.name, p.id))
        .collect();
    println!(
        "auraform emulator listening on http://{addr} (client id {client_id}; projects {})",
        projects.join(", ")
    );
    emulator.serve(listener, shutdown).await?;
    Ok(Outcome::Success)
}

/// `validate`: load and check aura.yaml offline; all problems at once, exit 1.
fn validate(file: &std::path::Path) -> Result<Outcome> {
    let loaded = crate::config::load(file, &crate::config::process_env)?;
    let n = loaded.desired.instances.len();
    println!(
        "{} is valid: {n} instance{} in project {}",
        loaded.file,
        if n == 1 { "" } else { "s" },
        loaded.desired.project
    );
    Ok(Outcome::Success)
}

/// `schema`: print the JSON Schema of aura.yaml (identical to
/// `schema/aura.schema.json`), or with `--plan` the plan JSON schema.
fn schema(plan: bool) -> Result<Outcome> {
    let text = if plan {
        crate::plan::schema::plan_schema_json()
    } else {
        crate::config::schema::generate_string()
    };
    print_stdout(&text)?;
    Ok(Outcome::Success)
}

fn completions(shell: clap_complete::Shell) {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "auraform", &mut std::io::stdout());
}
