//! `auraform init [--project P]`: a commented starter aura.yaml for a project, written
//! to `-f` (default `./aura.yaml`), with `defaults` chosen from what the project offers
//! and one instance to create (`import::Starter`). It never overwrites a file: the
//! check comes before any API call, and the write itself refuses a file that appeared
//! meanwhile. The text is loaded against the project's own offering before it is
//! written, so what `init` hands out always validates and plans as creates only.

use super::error::{Error, Result};
use super::init_file::{InitError, write_new};
use super::outcome::Outcome;
use super::{files, pipeline, which_project};
use crate::cli::{GlobalArgs, InitArgs};
use crate::config;
use crate::fsutil;
use crate::import::{Starter, starter_yaml};

pub(super) async fn run(global: &GlobalArgs, args: &InitArgs) -> Result<Outcome> {
    let files = files::resolve(&global.files)?;
    let path = files::single(&files, "init")?;
    if path.exists() {
        return Err(InitError::FileExists {
            path: path.display().to_string(),
        }
        .into());
    }
    let session = pipeline::open(global, path).await?;
    let fetched = async {
        let tenant = which_project::choose(&session, args.project.as_deref()).await?;
        let tenants = session.client.list_tenants().await?;
        let instances = session.client.list_instances(&tenant.id).await?;
        Ok::<_, Error>((tenant, tenants, instances))
    }
    .await;
    session.close().await;
    let (tenant, tenants, instances) = fetched?;
    let taken: Vec<String> = instances.iter().map(|i| i.name.clone()).collect();
    let starter = Starter::choose(&tenant.instance_configurations, &taken).ok_or_else(|| {
        InitError::NothingOffered {
            project: tenant.name.clone(),
        }
    })?;
    // The name, unless another project these credentials see has it too.
    let label = if tenants.iter().filter(|t| t.name == tenant.name).count() <= 1
        && !tenant.name.trim().is_empty()
    {
        tenant.name.clone()
    } else {
        tenant.id.clone()
    };
    let text = starter_yaml(&tenant, &label, &starter, "written by `auraform init`");
    config::load_str_with_configurations(
        &path.display().to_string(),
        text.clone(),
        fsutil::parent_dir(path),
        &|_| None,
        &tenant.instance_configurations,
    )
    .map_err(|e| InitError::Invalid {
        details: e.to_string(),
    })?;
    write_new(path, &text)?;
    let emulator = if global.emulator { " --emulator" } else { "" };
    let file = if global.files_given {
        format!(" -f {}", path.display())
    } else {
        String::new()
    };
    eprintln!(
        "Wrote {} for project {}: one {} instance, `{}`, to create. See what apply would do with: auraform plan{file}{emulator}",
        path.display(),
        tenant.name,
        starter.instance_type,
        starter.name,
    );
    if !instances.is_empty() {
        let n = instances.len();
        let them = if n == 1 { "it" } else { "them" };
        eprintln!(
            "The project already has {n} instance{} that this file does not declare: plan lists {them} as unmanaged and leaves {them} alone. To manage {them} too, `auraform import --project {label} --output FILE{emulator}` writes an aura.yaml that declares everything the project runs.",
            if n == 1 { "" } else { "s" },
        );
    }
    Ok(Outcome::Success)
}
