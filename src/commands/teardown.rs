//! What `destroy` (and `apply` of a saved destroy plan) does once the plan has run:
//! the credentials files of the destroyed instances, removed with
//! `--remove-credentials` or else pointed out, and a last look at the project, so that
//! "exit 0" means every declared instance is gone — another run may have created one
//! of a declared name meanwhile (docs/commands.md §9.3a). Both go into the report, so
//! that `--format json` says them too.

use std::fmt::Write as _;

use miette::Diagnostic as _;

use super::error::{Error, Result};
use super::outcome::Outcome;
use super::pipeline;
use super::session::Session;
use crate::apply::{ApplyError, ApplyReport, LastLook, forget};
use crate::config::LoadedConfig;
use crate::plan::{self, PlanOptions};

/// What the teardown adds to the report, and how the command ends because of it.
#[derive(Debug, Default)]
pub(super) struct Finished {
    /// Printed after the human report.
    pub(super) text: String,
    error: Option<Error>,
}

impl Finished {
    /// The command's end when the executor's report succeeded.
    pub(super) fn into_result(self) -> Result<Outcome> {
        match self.error {
            None => Ok(Outcome::Success),
            Some(e) => Err(e),
        }
    }
}

/// After a destroy plan ran: credentials files (noted in `report`), then, if every
/// chain succeeded, the check that nothing declared is left.
pub(super) async fn finish(
    session: &Session,
    loaded: &LoadedConfig,
    options: &PlanOptions,
    report: &mut ApplyReport,
    remove_credentials: bool,
) -> Finished {
    let mut out = Finished::default();
    let dir = &loaded.desired.credentials_dir;
    let mut kept = Vec::new();
    for inst in report.instances.iter_mut().filter(|i| i.is_success()) {
        let Some(id) = inst.id.clone() else { continue };
        let files = match forget::files_of(dir, &id) {
            Ok(files) => files,
            Err(e) => {
                inst.notes.push(format!(
                    "could not look for its credentials in {}: {e}",
                    dir.display()
                ));
                continue;
            }
        };
        for file in files {
            if !remove_credentials {
                kept.push(file.display().to_string());
                inst.credentials_left.push(file);
                continue;
            }
            match std::fs::remove_file(&file) {
                Ok(()) => inst.credentials_removed.push(file),
                Err(e) => {
                    inst.notes.push(format!(
                        "credentials NOT removed: {} ({e}); delete it by hand",
                        file.display()
                    ));
                    inst.credentials_left.push(file);
                }
            }
        }
    }
    if !kept.is_empty() {
        let _ = write!(
            out.text,
            "\nThe credentials files of the destroyed instances are left in place: {}.\n\
             They hold passwords of instances that no longer exist; `auraform destroy --remove-credentials` removes them with the instances.\n",
            kept.join(", ")
        );
    }
    if report.succeeded()
        && let Err(e) = check_gone(session, loaded, options).await
    {
        // The JSON report says it too (its `failures`); the human one ends with the
        // diagnostic.
        report.last_look = Some(LastLook {
            reason: e.to_string(),
            remedy: e.help().map_or_else(
                || "run `auraform destroy` again".to_owned(),
                |h| h.to_string(),
            ),
        });
        out.error = Some(e);
    }
    out
}

/// Plans the destroy again: an empty plan means every declared instance in scope is
/// gone.
async fn check_gone(session: &Session, loaded: &LoadedConfig, options: &PlanOptions) -> Result<()> {
    let live = pipeline::observe(session, loaded, options).await?;
    let again =
        plan::plan(&loaded.desired, &live, options).map_err(|e| pipeline::locate(loaded, e))?;
    if !again.has_changes() {
        return Ok(());
    }
    let left: Vec<String> = again
        .changes
        .iter()
        .map(|c| match &c.id {
            Some(id) => format!("`{}` ({id})", c.name),
            None => format!("`{}`", c.name),
        })
        .collect();
    let what = if left.len() == 1 {
        format!("{} still exists", left[0])
    } else {
        format!("{} still exist", left.join(", "))
    };
    Err(ApplyError::StillThere { what }.into())
}
