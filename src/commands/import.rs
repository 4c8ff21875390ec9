//! `auraform import`: write an aura.yaml describing a live project (stdout, or
//! `--output`), after checking that it plans clean against what was just read.

use std::path::Path;

use super::error::{Error, Result};
use super::outcome::Outcome;
use super::stdout::print_stdout;
use super::{files, pipeline};
use crate::cli::{GlobalArgs, ImportArgs};
use crate::fsutil;
use crate::import::{ImportError, check_clean, only_project, project_label, write_yaml};

pub(super) async fn run(global: &GlobalArgs, args: &ImportArgs) -> Result<Outcome> {
    if let Some(out) = &args.output
        && out.exists()
        && !args.force
    {
        return Err(ImportError::FileExists {
            path: out.display().to_string(),
        }
        .into());
    }
    let files = files::resolve(&global.files)?;
    let file = files::single(&files, "import")?;
    // Which project: --project, else the one aura.yaml names, else the only one.
    let from_file = if args.project.is_none() && file.exists() {
        Some(pipeline::load(file)?.desired.project)
    } else {
        None
    };
    let session = pipeline::open(global, file).await?;
    let fetched = async {
        let tenants = session.client.list_tenants().await?;
        let project = match args.project.clone().or(from_file) {
            Some(p) => p,
            None => only_project(&tenants)?.id.clone(),
        };
        let live = session.client.fetch_project(&project, |_| true).await?;
        Ok::<_, Error>((tenants, live))
    }
    .await;
    session.close().await;
    let (tenants, live) = fetched?;
    let label = project_label(&live, &tenants);
    let stamp = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let text = write_yaml(
        &live,
        &label,
        &format!("written by `auraform import` on {stamp}"),
    );
    let base_dir = args
        .output
        .as_deref()
        .map_or(Path::new("."), fsutil::parent_dir);
    check_clean(&text, &live, base_dir)?;
    match &args.output {
        None => print_stdout(&text)?,
        Some(out) => {
            // `--force` was checked above. A plain write: aura.yaml holds no secret and
            // keeps the user's usual file mode.
            std::fs::write(out, &text).map_err(|e| Error::Io {
                context: format!("cannot write {}", out.display()),
                source: fsutil::plain(out, &e),
            })?;
            let n = live.instances.len();
            eprintln!(
                "Wrote {} ({n} instance{} of project {}). Check it with: auraform plan -f {}",
                out.display(),
                if n == 1 { "" } else { "s" },
                live.tenant.name,
                out.display()
            );
        }
    }
    Ok(Outcome::Success)
}
