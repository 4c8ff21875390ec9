//! A [`PlanError`] pointed into aura.yaml: where it is about a declared instance (the
//! refused fields of an immutable change, the instance an identity problem is about),
//! the user sees the line to fix, like any other problem in the file.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use crate::config::error::SourceFile;
use crate::config::{Field, LoadedConfig, Span};

use super::error::PlanError;

/// A [`PlanError`] with labels into aura.yaml; its code, message and help are
/// the plan error's own.
#[derive(Debug)]
pub struct LocatedPlanError {
    error: PlanError,
    source: SourceFile,
    labels: Vec<(Span, String)>,
    related: Vec<LocatedPlanError>,
}

impl LocatedPlanError {
    /// Locates `error` in `loaded`.
    pub fn new(loaded: &LoadedConfig, error: PlanError) -> Self {
        use PlanError as E;
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
            E::CloneTooSmall {
                ref name,
                ref source_memory,
                ..
            } => (
                field(
                    loaded,
                    name,
                    Field::Memory,
                    &format!("smaller than its source ({source_memory})"),
                ),
                Vec::new(),
            ),
            E::CloneReplaceTooSmall {
                ref name,
                ref live_memory,
                ..
            } => (
                field(
                    loaded,
                    name,
                    Field::Memory,
                    &format!("smaller than the live {live_memory}"),
                ),
                Vec::new(),
            ),
            E::DestroyProtected { ref name, .. } => (protected(loaded, name), Vec::new()),
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

/// A label on the `prevent_destroy` of instance `name` (or its key).
fn protected(loaded: &LoadedConfig, name: &str) -> Vec<(Span, String)> {
    loaded
        .spans(name)
        .map(|s| match s.prevent_destroy {
            Some(o) if o.from_defaults => {
                (o.span, "protected: inherited from `defaults`".to_owned())
            }
            Some(o) => (o.span, "protected".to_owned()),
            None => (s.name, "protected".to_owned()),
        })
        .into_iter()
        .collect()
}

/// A label on `field` of instance `name` (or its key, for a default or implied value),
/// saying where the value came from.
fn field(loaded: &LoadedConfig, name: &str, field: Field, text: &str) -> Vec<(Span, String)> {
    loaded
        .spans(name)
        .map(|s| {
            let (span, origin) = s.locate(field);
            if origin.is_empty() {
                (span, text.to_owned())
            } else {
                (span, format!("{text}; {origin}"))
            }
        })
        .into_iter()
        .collect()
}

impl fmt::Display for LocatedPlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            PlanError::Many { .. } => {
                write!(f, "the plan has {} problems", self.related.len())
            }
            e => fmt::Display::fmt(e, f),
        }
    }
}

impl LocatedPlanError {
    /// Whether anything could be pointed at in aura.yaml.
    pub fn is_located(&self) -> bool {
        !self.labels.is_empty() || !self.related.is_empty()
    }

    /// The plan error itself, for when there is nothing to point at.
    pub fn into_inner(self) -> PlanError {
        self.error
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
