//! The one path from aura.yaml and a live project to a plan, shared by `plan`,
//! `apply` and `drift`: load the file offline (so a typo never costs an API call),
//! open the API, fetch exactly what the plan needs, re-check the file against the
//! project's own `instance_configurations`, then diff. Sharing it matters beyond
//! tidiness: a saved plan's live fingerprint only matches when `plan --out` and
//! `apply PLAN_FILE` fetched the same instances.

use std::fmt;
use std::path::Path;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use crate::api::wire::InstanceSummary;
use crate::cli::GlobalArgs;
use crate::config::error::SourceFile;
use crate::config::{self, Desired, Field, LoadedConfig, Span};
use crate::error::{Error, Result};
use crate::plan::{self, Live, Plan, PlanOptions};
use crate::session::Session;

/// What a plan was computed from, kept for saving it or applying it.
pub struct Planned {
    pub loaded: LoadedConfig,
    pub live: Live,
    pub plan: Plan,
}

/// Loads aura.yaml offline: syntax, types and the built-in catalogue.
pub fn load(file: &Path) -> Result<LoadedConfig> {
    Ok(config::load(file, &config::process_env)?)
}

/// The directory of aura.yaml, where `.auraform/` lives.
pub fn config_dir(file: &Path) -> &Path {
    file.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Opens the API the global flags name (real, or the embedded emulator beside the file).
pub async fn open(global: &GlobalArgs) -> Result<Session> {
    Session::open(global, config_dir(&global.file))
        .await
        .map_err(|e| Error::Session(Box::new(e)))
}

/// Whether the plan needs the details of a listed instance: the file names it, pins
/// it, or clones from it, or it may be pruned (`prune` is `--prune`; the file's own
/// `prune: true` counts too), since deleting a busy instance must wait for it first.
/// Only those are fetched, so without prune the request count stays at N + 3 for N
/// declared instances.
pub fn is_relevant(desired: &Desired, prune: bool, s: &InstanceSummary) -> bool {
    prune
        || desired.prune
        || desired.instances.contains_key(&s.name)
        || desired.instances.values().any(|i| {
            i.id.as_deref() == Some(s.id.as_str())
                || i.source.as_ref().is_some_and(|src| src.instance == s.id)
        })
}

/// Fetches the live project for `offline` and re-validates the file against the
/// project's own offering, which wins over the built-in catalogue for sizes and
/// regions (a combination the project does not offer fails here, located). `prune`
/// is `--prune` (see [`is_relevant`]).
pub async fn observe(
    session: &Session,
    file: &Path,
    offline: LoadedConfig,
    prune: bool,
) -> Result<(LoadedConfig, Live)> {
    let snapshot = {
        let desired = &offline.desired;
        session
            .client
            .fetch_snapshot(&desired.project, |s| is_relevant(desired, prune, s))
            .await?
    };
    let loaded = if snapshot.tenant.instance_configurations.is_empty() {
        offline
    } else {
        config::load_with_configurations(
            file,
            &config::process_env,
            &snapshot.tenant.instance_configurations,
        )?
    };
    Ok((loaded, Live::from_snapshot(&snapshot)))
}

/// Observes the live project for a file already loaded offline, and plans.
pub async fn plan(
    session: &Session,
    file: &Path,
    offline: LoadedConfig,
    opts: &PlanOptions,
) -> Result<Planned> {
    let (loaded, live) = observe(session, file, offline, opts.prune).await?;
    let plan = plan::plan(&loaded.desired, &live, opts).map_err(|e| locate(&loaded, e))?;
    Ok(Planned { loaded, live, plan })
}

/// Points a plan error into aura.yaml where it is about a declared instance (the
/// refused fields of an immutable change, the instance an identity problem is about),
/// so the user sees the line to fix, like any other problem in the file.
pub fn locate(loaded: &LoadedConfig, error: plan::PlanError) -> Error {
    let located = LocatedPlanError::new(loaded, error);
    if located.labels.is_empty() && located.related.is_empty() {
        Error::Plan(located.error)
    } else {
        Error::PlanAt(Box::new(located))
    }
}

/// A [`plan::PlanError`] with labels into aura.yaml; its code, message and help are
/// the plan error's own.
#[derive(Debug)]
pub struct LocatedPlanError {
    error: plan::PlanError,
    source: SourceFile,
    labels: Vec<(Span, String)>,
    related: Vec<LocatedPlanError>,
}

impl LocatedPlanError {
    fn new(loaded: &LoadedConfig, error: plan::PlanError) -> Self {
        use plan::PlanError as E;
        let key = |name: &str, text: &str| {
            loaded
                .spans(name)
                .map(|s| (s.name, text.to_owned()))
                .into_iter()
                .collect::<Vec<_>>()
        };
        let (labels, related) = match error {
            E::Many { errors } => {
                let related = errors
                    .into_iter()
                    .map(|e| LocatedPlanError::new(loaded, e))
                    .collect();
                return Self {
                    error: E::Many { errors: Vec::new() },
                    source: loaded.source().clone(),
                    labels: Vec::new(),
                    related,
                };
            }
            E::ImmutableChange {
                ref name,
                ref fields,
            }
            | E::ReplaceForbidden {
                ref name,
                ref fields,
            }
            | E::PinnedReplace {
                ref name,
                ref fields,
                ..
            } => {
                // `fields` names each refused field as `field` (before → after).
                let labels = Field::ALL
                    .iter()
                    .filter(|f| f.is_immutable() && fields.contains(&format!("`{f}`")))
                    .filter_map(|f| {
                        let (span, origin) = loaded.spans(name)?.locate(*f);
                        let text = if origin.is_empty() {
                            "cannot change in place".to_owned()
                        } else {
                            format!("cannot change in place ({origin})")
                        };
                        Some((span, text))
                    })
                    .collect();
                (labels, Vec::new())
            }
            E::AmbiguousName {
                ref name, count, ..
            } => (
                key(name, &format!("{count} live instances have this name")),
                Vec::new(),
            ),
            E::PinnedIdNotFound { ref name, .. } => {
                (key(name, "pinned to an id that is not live"), Vec::new())
            }
            E::SourceUnavailable { ref name, .. } => {
                (key(name, "its source is not available"), Vec::new())
            }
            _ => (Vec::new(), Vec::new()),
        };
        Self {
            error,
            source: loaded.source().clone(),
            labels,
            related,
        }
    }
}

impl fmt::Display for LocatedPlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            plan::PlanError::Many { .. } => {
                write!(f, "the plan has {} problems", self.related.len())
            }
            e => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for LocatedPlanError {}

impl Diagnostic for LocatedPlanError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.code()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.help()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        // Without labels a snippet means nothing; miette would print the whole file.
        (!self.labels.is_empty()).then(|| &*self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().enumerate().map(
            |(i, (span, text))| {
                if i == 0 {
                    LabeledSpan::new_primary_with_span(Some(text.clone()), *span)
                } else {
                    LabeledSpan::new_with_span(Some(text.clone()), *span)
                }
            },
        )))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|e| e as &dyn Diagnostic)))
    }
}
