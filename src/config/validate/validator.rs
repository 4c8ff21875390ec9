//! The whole file: top-level keys, then each instance (see `instance`), its offering
//! and the uniqueness of `id` pins. Every problem is collected; nothing stops at the
//! first.

use std::collections::HashMap;
use std::path::Path;

use indexmap::IndexMap;

use super::credentials::credentials;
use super::input::InstanceInput;
use super::instance::instance;
use super::offering::{Offering, check_offering};
use super::report::Problems;
use super::spans::InstanceSpans;
use crate::config::desired::{Desired, DesiredInstance};
use crate::config::error::{ConfigError, ErrorCode};
use crate::config::node::Span;
use crate::config::raw::{RawConfig, RawInstance, RawSettings};

pub(crate) struct Validator<'a> {
    base_dir: &'a Path,
    /// What combinations are checked against.
    offering: Offering<'a>,
    problems: Problems,
}

impl<'a> Validator<'a> {
    pub(crate) fn new(base_dir: &'a Path, offering: Offering<'a>) -> Self {
        Validator {
            base_dir,
            offering,
            problems: Problems::default(),
        }
    }

    /// Every problem found, in the order found.
    pub(crate) fn into_errors(self) -> Vec<ConfigError> {
        self.problems.errors
    }

    /// Validates the whole file. Returns the desired state and the span index; the
    /// caller must treat the result as invalid when any problem was found.
    pub(crate) fn config(&mut self, raw: &RawConfig) -> (Desired, IndexMap<String, InstanceSpans>) {
        let project = project(&mut self.problems, raw);
        let sinks = credentials(&mut self.problems, self.base_dir, raw);
        let prune = raw.prune.as_ref().is_some_and(|p| p.value);
        let empty = RawSettings::default();
        let defaults = raw.defaults.as_ref().unwrap_or(&empty);
        let raw_instances: &[RawInstance] = raw.instances.as_deref().unwrap_or(&[]);
        let names: Vec<&str> = raw_instances
            .iter()
            .map(|i| i.name.value.as_str())
            .collect();

        let mut instances = IndexMap::new();
        let mut spans = IndexMap::new();
        let mut pins = Pins::default();
        for raw_inst in raw_instances {
            let before = self.problems.errors.len();
            let input = InstanceInput {
                raw: raw_inst,
                defaults,
                names: &names,
            };
            let (inst, sp) = instance(&mut self.problems, &input);
            if let (Some(inst), true) = (inst, self.problems.errors.len() == before) {
                if let Some(e) = check_offering(&inst, &sp, &self.offering) {
                    self.problems.push(e);
                }
                pins.check(&mut self.problems, &inst, raw_inst);
                spans.insert(inst.name.clone(), sp);
                instances.insert(inst.name.clone(), inst);
            }
        }
        let desired = Desired {
            project,
            credentials_dir: sinks.dir,
            credentials_file: sinks.file,
            credentials_command: sinks.command,
            prune,
            instances,
        };
        (desired, spans)
    }
}

fn project(problems: &mut Problems, raw: &RawConfig) -> String {
    match &raw.project {
        Some(p) if p.value.trim().is_empty() => {
            problems.push(
                ConfigError::new(ErrorCode::InvalidValue, "`project` is empty")
                    .label(p.span, "empty after variable expansion")
                    .help("give the project id (a UUID) or its exact name"),
            );
            String::new()
        }
        Some(p) => p.value.clone(),
        None => String::new(),
    }
}

/// The `id` pins seen so far: an Aura instance can be declared once.
#[derive(Default)]
struct Pins {
    /// Pinned id → where it was first pinned, and by which instance.
    first: HashMap<String, (Span, String)>,
}

impl Pins {
    fn check(&mut self, problems: &mut Problems, inst: &DesiredInstance, raw: &RawInstance) {
        let (Some(id), Some(o)) = (&inst.id, raw.id.as_ref()) else {
            return;
        };
        if let Some((first, first_name)) = self.first.get(id) {
            problems.push(
                ConfigError::new(
                    ErrorCode::DuplicateId,
                    format!(
                        "instances `{first_name}` and `{}` pin the same id {id}",
                        inst.name
                    ),
                )
                .label(o.span, "pinned again here")
                .label(*first, "first pinned here")
                .help("an Aura instance can be declared once; remove one of the pins"),
            );
        } else {
            self.first.insert(id.clone(), (o.span, inst.name.clone()));
        }
    }
}
