//! The plan scenarios, each defined once: the aura.yaml, the live world, the expected
//! change set. Together they cover every row of docs/plan.md §3's table plus mixed plans.
//!
//! Two suites run them. `plan_scenarios` (tests `sNN_…`) builds the world as wire
//! instances, plans in-process with the pure differ and snapshots the three renderers;
//! `plan_emulator` (tests `eNN_…`) seeds the same world in a real emulator through the
//! API, runs the real binary in all three formats and snapshots what it prints. A
//! scenario both run is one function here, called by both; each suite keeps its own
//! snapshot files. Where the two suites' versions of a situation differ, the difference
//! is a parameter of the function or, where the worlds differ in more than one value,
//! two functions side by side, each saying how it differs.
//!
//! Scenarios the binary cannot run because aura.yaml refuses their desired state (the
//! differ must still plan it) stay in `plan_scenarios`, built in Rust.

mod creates;
mod identity;
mod mixed;
mod status;
mod updates;

pub use creates::*;
pub use identity::*;
pub use mixed::*;
pub use status::*;
pub use updates::*;

use auraform::plan::PlanOptions;
use serde_json::{Value, json};

use crate::support::plan_doc::{actions, change, count, fields, steps};

/// Every scenario's aura.yaml starts with this; instances give their own memory.
const HEADER: &str = "\
project: demo
defaults:
  type: professional-db
  cloud_provider: gcp
  region: europe-west1
";

/// One situation to plan.
pub struct Scenario {
    /// Top-level keys written between the header and `instances:` (e.g. `prune: true`).
    top: &'static str,
    /// The `instances:` block; `{id:LABEL}` stands for the id of the seed `LABEL`.
    instances: String,
    /// The live project, in the order its instances were created (the list's order).
    pub world: Vec<Seed>,
    /// `--target` names.
    pub targets: Vec<&'static str>,
    /// `--prune` on the command line (prune in the file is `top`).
    pub prune: bool,
    expect: Vec<Expect>,
}

/// One live instance: how the emulator run creates it through the API, and how the
/// in-process run builds it as the wire instance `GET /instances/{id}` would return.
pub struct Seed {
    /// What snapshots call its id (`[<label>-id]`) and `{id:LABEL}` refers to.
    pub label: &'static str,
    pub name: &'static str,
    /// Its id in the in-process run (the emulator picks its own).
    pub id: Option<&'static str>,
    pub ty: &'static str,
    pub memory: &'static str,
    /// More create fields (region, toggles, storage, key).
    pub create: Value,
    /// A PATCH after the create (CDC, secondaries).
    pub patch: Option<Value>,
    pub state: SeedState,
    /// In-process only: fields the API reports differently from what was created (set
    /// to `null` for fields it omits).
    pub reported: Value,
}

/// Where a seed is left.
#[derive(Clone, Copy)]
pub enum SeedState {
    Running,
    /// Paused through the API.
    Paused,
    /// Forced through the emulator's admin route (it stays there).
    Forced(&'static str),
}

impl SeedState {
    pub fn status(self) -> &'static str {
        match self {
            SeedState::Running => "running",
            SeedState::Paused => "paused",
            SeedState::Forced(s) => s,
        }
    }
}

/// One fact about the plan, checked on its JSON document by both suites.
enum Expect {
    /// The action words of a change; empty: no change for that name.
    Actions(&'static str, Vec<&'static str>),
    Steps(&'static str, Vec<&'static str>),
    Fields(&'static str, Vec<&'static str>),
    /// `summary.<key>`.
    Count(&'static str, u64),
    /// How many changes there are.
    Changes(usize),
    /// The names listed as unmanaged (in any order).
    Unmanaged(Vec<&'static str>),
    /// How many instances need a person.
    Attention(usize),
}

impl Scenario {
    pub fn new(instances: impl Into<String>) -> Self {
        Self {
            top: "",
            instances: instances.into(),
            world: Vec::new(),
            targets: Vec::new(),
            prune: false,
            expect: Vec::new(),
        }
    }

    pub fn top(mut self, top: &'static str) -> Self {
        self.top = top;
        self
    }

    pub fn seed(mut self, seed: Seed) -> Self {
        self.world.push(seed);
        self
    }

    pub fn target(mut self, name: &'static str) -> Self {
        self.targets.push(name);
        self
    }

    pub fn prune(mut self) -> Self {
        self.prune = true;
        self
    }

    pub fn actions(mut self, name: &'static str, words: &[&'static str]) -> Self {
        self.expect.push(Expect::Actions(name, words.to_vec()));
        self
    }

    /// No change for `name`.
    pub fn unchanged(self, name: &'static str) -> Self {
        self.actions(name, &[])
    }

    pub fn steps(mut self, name: &'static str, words: &[&'static str]) -> Self {
        self.expect.push(Expect::Steps(name, words.to_vec()));
        self
    }

    pub fn fields(mut self, name: &'static str, names: &[&'static str]) -> Self {
        self.expect.push(Expect::Fields(name, names.to_vec()));
        self
    }

    pub fn count(mut self, key: &'static str, n: u64) -> Self {
        self.expect.push(Expect::Count(key, n));
        self
    }

    pub fn changes(mut self, n: usize) -> Self {
        self.expect.push(Expect::Changes(n));
        self
    }

    pub fn unmanaged(mut self, names: &[&'static str]) -> Self {
        self.expect.push(Expect::Unmanaged(names.to_vec()));
        self
    }

    pub fn attention(mut self, n: usize) -> Self {
        self.expect.push(Expect::Attention(n));
        self
    }

    /// The aura.yaml, each `{id:LABEL}` replaced by `id_of(LABEL)`.
    pub fn yaml(&self, id_of: impl Fn(&str) -> String) -> String {
        let mut instances = self.instances.clone();
        for seed in &self.world {
            instances = instances.replace(&format!("{{id:{}}}", seed.label), &id_of(seed.label));
        }
        assert!(!instances.contains("{id:"), "unknown label in {instances}");
        format!("{HEADER}{}instances:\n{instances}", self.top)
    }

    /// The command-line flags of the plan options.
    pub fn flags(&self) -> Vec<&'static str> {
        let mut flags = Vec::new();
        if self.prune {
            flags.push("--prune");
        }
        for t in &self.targets {
            flags.extend(["--target", t]);
        }
        flags
    }

    /// The plan options those flags give.
    pub fn options(&self) -> PlanOptions {
        PlanOptions::new(
            self.targets.iter().map(|t| (*t).to_owned()).collect(),
            self.prune,
        )
    }

    /// Asserts every expected fact on the JSON plan `doc` of scenario `name`.
    pub fn check(&self, name: &str, doc: &Value) {
        for e in &self.expect {
            match e {
                Expect::Actions(n, words) if words.is_empty() => {
                    assert!(change(doc, n).is_none(), "{name}: {n} changes: {doc:#}");
                }
                Expect::Actions(n, words) => assert_eq!(actions(doc, n), *words, "{name}: {n}"),
                Expect::Steps(n, words) => assert_eq!(steps(doc, n), *words, "{name}: {n}"),
                Expect::Fields(n, names) => assert_eq!(fields(doc, n), *names, "{name}: {n}"),
                Expect::Count(key, n) => assert_eq!(count(doc, key), *n, "{name}: {key}"),
                Expect::Changes(n) => {
                    assert_eq!(doc["changes"].as_array().unwrap().len(), *n, "{name}");
                }
                Expect::Unmanaged(names) => {
                    let mut listed: Vec<&str> = doc["unmanaged"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|u| u["name"].as_str().unwrap())
                        .collect();
                    listed.sort_unstable();
                    let mut expected = names.clone();
                    expected.sort_unstable();
                    assert_eq!(listed, expected, "{name}: unmanaged");
                }
                Expect::Attention(n) => {
                    assert_eq!(doc["attention"].as_array().unwrap().len(), *n, "{name}");
                }
            }
        }
    }
}

impl Seed {
    /// A running professional-db of 8GB named and labelled `name`.
    pub fn new(name: &'static str) -> Self {
        Self {
            label: name,
            name,
            id: None,
            ty: "professional-db",
            memory: "8GB",
            create: json!({}),
            patch: None,
            state: SeedState::Running,
            reported: json!({}),
        }
    }

    /// Live under another name than its label (a rename, a shared name).
    pub fn named(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }

    pub fn id(mut self, id: &'static str) -> Self {
        self.id = Some(id);
        self
    }

    pub fn ty(mut self, ty: &'static str) -> Self {
        self.ty = ty;
        self
    }

    pub fn memory(mut self, memory: &'static str) -> Self {
        self.memory = memory;
        self
    }

    pub fn create(mut self, fields: Value) -> Self {
        self.create = fields;
        self
    }

    pub fn patch(mut self, body: Value) -> Self {
        self.patch = Some(body);
        self
    }

    pub fn paused(mut self) -> Self {
        self.state = SeedState::Paused;
        self
    }

    pub fn forced(mut self, status: &'static str) -> Self {
        self.state = SeedState::Forced(status);
        self
    }

    pub fn reported(mut self, fields: Value) -> Self {
        self.reported = fields;
        self
    }
}
