//! The self-check before import hands a file out: load the text exactly as `plan` would
//! and plan it against the very data it was written from; anything but "no changes" is a
//! bug in import, reported as [`ImportError::NotClean`].

use std::fmt::Write;

use miette::Diagnostic;

use super::error::ImportError;
use crate::api::LiveProject;
use crate::plan::{self, Live, PlanOptions};

/// Loads `text` as `plan` would and plans it against the data it was written from;
/// `Ok` only when the plan has no changes.
pub(crate) fn check_clean(
    text: &str,
    live: &LiveProject,
    base_dir: &std::path::Path,
) -> Result<(), ImportError> {
    let no_env = |_: &str| None;
    let rows = &live.tenant.instance_configurations;
    let loaded = if rows.is_empty() {
        crate::config::load_str("imported aura.yaml", text, base_dir, &no_env)
    } else {
        crate::config::load_str_with_configurations(
            "imported aura.yaml",
            text,
            base_dir,
            &no_env,
            rows,
        )
    }
    .map_err(|e| ImportError::NotClean {
        details: format!("it does not load: {}", render_errors(&e)),
    })?;
    let live_state = Live::from_project(live);
    let planned =
        plan::plan(&loaded.desired, &live_state, &PlanOptions::default()).map_err(|e| {
            ImportError::NotClean {
                details: format!("it does not plan: {e}"),
            }
        })?;
    if planned.has_changes() {
        let names: Vec<String> = planned
            .changes
            .iter()
            .map(|c| {
                let actions: Vec<&str> = c.actions.iter().map(|a| a.as_str()).collect();
                format!("{} ({})", c.name, actions.join(", "))
            })
            .collect();
        return Err(ImportError::NotClean {
            details: format!("the plan would change {}", names.join("; ")),
        });
    }
    Ok(())
}

fn render_errors(e: &crate::config::ConfigErrors) -> String {
    let mut s = e.to_string();
    if let Some(related) = e.related() {
        for r in related {
            let _ = write!(s, "; {r}");
        }
    }
    s
}
