//! The reader: a [`Node`] tree → [`RawConfig`], field by field, with every unknown
//! key (with a "did you mean"), every wrong type and every unset `${VAR}` of a file
//! reported in one run. Going by hand rather than deriving serde is what allows that,
//! and what keeps a YAML scalar's exact text (`version: 5` is the string `"5"`).

#![allow(
    clippy::single_match_else,
    reason = "explicit arms read better for 'found X' errors"
)]

use super::interpolate;
use super::suggest::{self, Context};
use super::types::{
    CREDENTIALS_KEYS, INSTANCE_ONLY_KEYS, RawConfig, RawCredentials, RawInstance, RawSettings,
    RawSource, SETTINGS_KEYS, SOURCE_KEYS, TOP_KEYS,
};
use crate::config::error::{ConfigError, ErrorCode};
use crate::config::node::{Node, Span, Spanned};

/// A key and its value in a mapping.
struct Entry<'n> {
    key: Spanned<String>,
    value: &'n Spanned<Node>,
}

impl Entry<'_> {
    /// Where to point for a problem with the value: the scalar itself, or the key of a
    /// block mapping/list (whose own span is empty).
    fn value_span(&self) -> Span {
        if self.value.value.is_scalar() && self.value.span.len > 0 {
            self.value.span
        } else {
            // An empty value (`memory:`) or a block mapping/list: point at the key.
            self.key.span
        }
    }
}

/// Reads a [`Node`] tree into [`RawConfig`], collecting every problem.
pub(crate) struct Reader<'a> {
    text: &'a str,
    env: &'a dyn Fn(&str) -> Option<String>,
    pub errors: Vec<ConfigError>,
    /// Top-level keys an unknown key was taken for (`projet` → `project`): their
    /// absence is then already explained.
    misspelled: Vec<&'static str>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str, env: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Reader {
            text,
            env,
            errors: Vec::new(),
            misspelled: Vec::new(),
        }
    }

    fn push(&mut self, e: ConfigError) {
        self.errors.push(e);
    }

    /// The source text a scalar was written as.
    fn source_text(&self, defined: Span) -> &'a str {
        self.text.get(defined.offset..defined.end()).unwrap_or("")
    }

    pub(crate) fn config(&mut self, root: &Spanned<Node>) -> RawConfig {
        let mut out = RawConfig::default();
        let Node::Map(_) = &root.value else {
            self.push(
                ConfigError::new(
                    ErrorCode::WrongType,
                    format!("aura.yaml must be a mapping, found {}", root.value.kind()),
                )
                .label(root.span, "expected `project:`, `instances:`, …")
                .help("start the file with `project: <name>` and an `instances:` mapping"),
            );
            return out;
        };
        let mut saw_instances = false;
        let mut saw_project = false;
        for e in self.entries(root, "the top level", TOP_KEYS, Context::Top) {
            match e.key.value.as_str() {
                "project" => {
                    saw_project = true;
                    out.project = self.string(&e);
                }
                "defaults" => out.defaults = self.settings(&e, "defaults", SETTINGS_KEYS),
                "credentials" => out.credentials = self.credentials(&e),
                "prune" => out.prune = self.boolean(&e),
                "instances" => {
                    saw_instances = true;
                    out.instances = self.instances(&e);
                }
                _ => {}
            }
        }
        if !saw_project && !self.misspelled.contains(&"project") {
            self.push(
                ConfigError::new(ErrorCode::MissingField, "aura.yaml has no `project`")
                    .label(Span::new(0, 0), "expected `project:` at the top level")
                    .help("add `project: <project id or exact name>` (a `${VAR}` is fine)"),
            );
        }
        if !saw_instances && !self.misspelled.contains(&"instances") {
            self.push(
                ConfigError::new(ErrorCode::MissingField, "aura.yaml has no `instances`")
                    .label(Span::new(0, 0), "expected `instances:` at the top level")
                    .help("add an `instances:` mapping (write `instances: {}` to declare none)"),
            );
        }
        out
    }

    /// The known entries of a mapping; unknown keys and non-mappings are reported.
    /// A null value (`defaults:` with everything commented out) is an empty mapping.
    fn entries<'n>(
        &mut self,
        node: &'n Spanned<Node>,
        what: &str,
        known: &[&str],
        ctx: Context,
    ) -> Vec<Entry<'n>> {
        let entries = match &node.value {
            Node::Map(entries) => entries,
            Node::Null => return Vec::new(),
            other => {
                self.push(
                    ConfigError::new(
                        ErrorCode::WrongType,
                        format!("{what} must be a mapping, found {}", other.kind()),
                    )
                    .label(node.span, "expected `key: value` pairs")
                    .help(match ctx {
                        Context::Instances => "write one `<name>:` entry per instance, e.g. `orders: { type: professional-db, memory: 8GB }`".to_owned(),
                        Context::Instance => format!(
                            "an instance is a mapping of its settings, e.g. `memory: 8GB` on the next line, indented; allowed keys: {}",
                            known.join(", ")
                        ),
                        _ => format!("allowed keys: {}", known.join(", ")),
                    }),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            let Some(key) = self.key_text(k) else {
                continue;
            };
            if known.contains(&key.value.as_str()) || ctx == Context::Instances {
                out.push(Entry { key, value: v });
                continue;
            }
            if let Some(meant) = self.unknown_key(&key, what, known, ctx) {
                self.misspelled.push(meant);
            }
        }
        out
    }

    /// Reports an unknown key; returns the key it probably meant.
    fn unknown_key(
        &mut self,
        key: &Spanned<String>,
        what: &str,
        known: &[&str],
        ctx: Context,
    ) -> Option<&'static str> {
        let (err, meant) = suggest::unknown_key(key, what, known, ctx);
        self.push(err);
        meant
    }

    /// A mapping key as text; numbers and booleans keep their spelling.
    fn key_text(&mut self, k: &Spanned<Node>) -> Option<Spanned<String>> {
        match &k.value {
            Node::Str(s) => Some(Spanned {
                value: s.clone(),
                span: k.span,
                defined: k.defined,
            }),
            Node::Int(_) | Node::Float(_) | Node::Bool(_) => Some(Spanned {
                value: self.source_text(k.defined).to_owned(),
                span: k.span,
                defined: k.defined,
            }),
            other => {
                self.push(
                    ConfigError::new(
                        ErrorCode::WrongType,
                        format!("a key must be a plain string, found {}", other.kind()),
                    )
                    .label(k.span, "this key")
                    .help("write keys as plain words, e.g. `memory:`"),
                );
                None
            }
        }
    }

    #[allow(clippy::unnecessary_wraps, reason = "mirrors the other readers")]
    fn credentials(&mut self, e: &Entry<'_>) -> Option<RawCredentials> {
        let mut out = RawCredentials::default();
        for c in self.entries(e.value, "`credentials`", CREDENTIALS_KEYS, Context::Other) {
            match c.key.value.as_str() {
                "dir" => out.dir = self.string(&c),
                "file" => out.file = self.boolean(&c),
                "command" => {
                    out.command_written = true;
                    out.command = self.command(&c);
                }
                "command_timeout" => out.command_timeout = self.string(&c),
                _ => {}
            }
        }
        Some(out)
    }

    /// `credentials.command`: a list of arguments, taken as written. They are not
    /// `${VAR}`-expanded: the command gets the environment itself, and a `sh -c`
    /// script's own `$AURA_INSTANCE_NAME` must reach the shell untouched.
    fn command(&mut self, e: &Entry<'_>) -> Option<Spanned<Vec<Spanned<String>>>> {
        let v = e.value;
        let Node::Seq(items) = &v.value else {
            let help = if let Node::Str(_) = &v.value {
                "a string is not split into words: write the program and its arguments as a list, \
                 e.g. `command: [vault, kv, put, secret/aura, env=-]`, or `[sh, -c, '…']` for a shell"
            } else {
                "write the program and its arguments as a list, e.g. `command: [vault, kv, put, secret/aura, env=-]`"
            };
            self.push(
                ConfigError::new(
                    ErrorCode::WrongType,
                    format!("`command` must be a list, found {}", v.value.kind()),
                )
                .label(e.value_span(), "expected a list")
                .help(help),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            match &item.value {
                Node::Str(s) => out.push(Spanned {
                    value: s.clone(),
                    span: item.span,
                    defined: item.defined,
                }),
                Node::Int(_) | Node::Float(_) => out.push(Spanned {
                    value: self.source_text(item.defined).to_owned(),
                    span: item.span,
                    defined: item.defined,
                }),
                other => self.push(
                    ConfigError::new(
                        ErrorCode::WrongType,
                        format!(
                            "an argument of `command` must be a string, found {}",
                            other.kind()
                        ),
                    )
                    .label(item.span, "expected a string")
                    .help("quote it: every argument is passed to the program as text"),
                ),
            }
        }
        Some(Spanned {
            value: out,
            span: e.key.span,
            defined: e.key.span,
        })
    }

    #[allow(clippy::unnecessary_wraps, reason = "mirrors the other readers")]
    fn instances(&mut self, e: &Entry<'_>) -> Option<Vec<RawInstance>> {
        let mut out: Vec<RawInstance> = Vec::new();
        for mut inst in self.entries(e.value, "`instances`", &[], Context::Instances) {
            // Keys are names and may come from the environment (`pr-${PR_NUMBER}-db`,
            // docs/aura-yaml.md §9). An unset variable is reported here; the instance is
            // still read (so its other problems are reported too) under the key as
            // written, and the file fails to load either way.
            if let Some(name) = self.expand_key(&inst.key) {
                if let Some(first) = out.iter().find(|o| o.name.value == name) {
                    self.push(
                        ConfigError::new(
                            ErrorCode::DuplicateKey,
                            format!("two instances are named `{name}` once `${{…}}` is expanded"),
                        )
                        .label(inst.key.span, format!("expands to `{name}`"))
                        .label(first.name.span, "so does this one")
                        .help(
                            "instance names must be unique: change one of the keys or the variable",
                        ),
                    );
                    continue;
                }
                inst.key.value = name;
            }
            let known: Vec<&str> = SETTINGS_KEYS
                .iter()
                .chain(INSTANCE_ONLY_KEYS)
                .copied()
                .collect();
            let what = format!("instance `{}`", inst.key.value);
            let mut raw = RawInstance {
                name: inst.key.clone(),
                not_a_mapping: !matches!(inst.value.value, Node::Map(_) | Node::Null),
                ..RawInstance::default()
            };
            let fields = self.entries(inst.value, &what, &known, Context::Instance);
            raw.settings = self.settings_from(&fields);
            for f in &fields {
                match f.key.value.as_str() {
                    "id" => raw.id = self.string(f),
                    "source" => raw.source = self.source(f),
                    _ => {}
                }
            }
            out.push(raw);
        }
        Some(out)
    }

    #[allow(clippy::unnecessary_wraps, reason = "mirrors the other readers")]
    fn settings(&mut self, e: &Entry<'_>, what: &str, known: &[&str]) -> Option<RawSettings> {
        let what = format!("`{what}`");
        let fields = self.entries(e.value, &what, known, Context::Defaults);
        Some(self.settings_from(&fields))
    }

    fn settings_from(&mut self, fields: &[Entry<'_>]) -> RawSettings {
        let mut s = RawSettings::default();
        for f in fields {
            let before = self.errors.len();
            match f.key.value.as_str() {
                "type" => s.instance_type = self.string(f),
                "cloud_provider" => s.cloud_provider = self.string(f),
                "region" => s.region = self.string(f),
                "version" => s.version = self.string(f),
                "memory" => s.memory = self.string(f),
                "storage" => s.storage = self.string(f),
                "state" => s.state = self.string(f),
                "vector_optimized" => s.vector_optimized = self.boolean(f),
                "graph_analytics_plugin" => s.graph_analytics_plugin = self.boolean(f),
                "secondaries_count" => s.secondaries_count = self.count(f),
                "cdc_enrichment_mode" => s.cdc_enrichment_mode = self.string(f),
                "customer_managed_key_id" => s.customer_managed_key_id = self.string(f),
                "prevent_destroy" => s.prevent_destroy = self.boolean(f),
                "allow_replace" => s.allow_replace = self.boolean(f),
                "replace" => s.replace = self.string(f),
                "snapshot_before" => s.snapshot_before = self.string_list(f),
                "ignore_changes" => s.ignore_changes = self.string_list(f),
                _ => {}
            }
            if self.errors.len() > before {
                s.rejected.push(f.key.value.clone());
            }
        }
        s
    }

    fn source(&mut self, e: &Entry<'_>) -> Option<Spanned<RawSource>> {
        let what = "`source`";
        if let Node::Str(_) | Node::Int(_) = &e.value.value {
            self.push(
                ConfigError::new(
                    ErrorCode::WrongType,
                    "`source` must be a mapping, found a string",
                )
                .label(e.value_span(), "expected `{ instance: <name or id> }`")
                .help(
                    "write `source: { instance: <name or id> }`, optionally with `snapshot: <id>`",
                ),
            );
            return None;
        }
        let fields = self.entries(e.value, what, SOURCE_KEYS, Context::Other);
        let mut instance = None;
        let mut snapshot = None;
        for f in &fields {
            match f.key.value.as_str() {
                "instance" => instance = self.string(f),
                "snapshot" => snapshot = self.string(f),
                _ => {}
            }
        }
        let had_instance_key = fields.iter().any(|f| f.key.value == "instance");
        match instance {
            Some(instance) => Some(Spanned {
                value: RawSource { instance, snapshot },
                span: e.key.span,
                defined: e.key.span,
            }),
            None => {
                if !had_instance_key && matches!(e.value.value, Node::Map(_) | Node::Null) {
                    self.push(
                        ConfigError::new(ErrorCode::MissingField, "`source` has no `instance`")
                            .label(e.key.span, "this source")
                            .help(
                                "name the instance to clone: `source: { instance: <name or id> }`",
                            ),
                    );
                }
                None
            }
        }
    }

    /// A string value; `${VAR}` expanded. Unquoted numbers keep their spelling
    /// (`version: 5` is `"5"`): the field wants text, and the text is unambiguous.
    fn string(&mut self, e: &Entry<'_>) -> Option<Spanned<String>> {
        let v = e.value;
        match &v.value {
            Node::Str(s) => {
                let expanded = self.expand(s, v)?;
                Some(Spanned {
                    value: expanded,
                    span: v.span,
                    defined: v.defined,
                })
            }
            Node::Int(_) | Node::Float(_) => Some(Spanned {
                value: self.source_text(v.defined).to_owned(),
                span: v.span,
                defined: v.defined,
            }),
            Node::Null => {
                self.no_value(e, "a string");
                None
            }
            other => {
                let help = if let Node::Bool(_) = other {
                    format!(
                        "quote it if you mean the text: `{}: \"{}\"`",
                        e.key.value,
                        self.source_text(v.defined)
                    )
                } else {
                    format!("write a single value: `{}: <text>`", e.key.value)
                };
                self.push(
                    ConfigError::new(
                        ErrorCode::WrongType,
                        format!("`{}` must be a string, found {}", e.key.value, other.kind()),
                    )
                    .label(e.value_span(), "expected a string")
                    .help(help),
                );
                None
            }
        }
    }

    fn no_value(&mut self, e: &Entry<'_>, expected: &str) {
        self.push(
            ConfigError::new(
                ErrorCode::WrongType,
                format!("`{}` has no value", e.key.value),
            )
            .label(e.key.span, format!("expected {expected}"))
            .help(format!(
                "give `{}` a value, or remove the line",
                e.key.value
            )),
        );
    }

    /// `true` or `false`, nothing else. aura.yaml is YAML 1.2: `yes`, `no`, `on` and
    /// `off` are strings, so they are rejected here with the spelling to use, rather
    /// than silently read the YAML 1.1 way.
    fn boolean(&mut self, e: &Entry<'_>) -> Option<Spanned<bool>> {
        let v = e.value;
        match &v.value {
            Node::Bool(b) => Some(Spanned {
                value: *b,
                span: v.span,
                defined: v.defined,
            }),
            Node::Null => {
                self.no_value(e, "true or false");
                None
            }
            other => {
                let help = suggest::boolean_help(&e.key.value, self.source_text(v.defined));
                self.push(
                    ConfigError::new(
                        ErrorCode::WrongType,
                        format!(
                            "`{}` must be true or false, found {}",
                            e.key.value,
                            other.kind()
                        ),
                    )
                    .label(e.value_span(), "expected true or false")
                    .help(help),
                );
                None
            }
        }
    }

    /// A whole number ≥ 0.
    fn count(&mut self, e: &Entry<'_>) -> Option<Spanned<u32>> {
        let v = e.value;
        match &v.value {
            Node::Int(i) => match u32::try_from(*i) {
                Ok(n) => Some(Spanned {
                    value: n,
                    span: v.span,
                    defined: v.defined,
                }),
                Err(_) => {
                    self.push(
                        ConfigError::new(
                            ErrorCode::InvalidValue,
                            format!("`{}` is out of range", e.key.value),
                        )
                        .label(v.span, "not allowed")
                        .help("allowed: a whole number from 0 to 15"),
                    );
                    None
                }
            },
            Node::Null => {
                self.no_value(e, "a whole number");
                None
            }
            other => {
                self.push(
                    ConfigError::new(
                        ErrorCode::WrongType,
                        format!(
                            "`{}` must be a whole number, found {}",
                            e.key.value,
                            other.kind()
                        ),
                    )
                    .label(e.value_span(), "expected a whole number")
                    .help("allowed: a whole number from 0 to 15, unquoted"),
                );
                None
            }
        }
    }

    fn string_list(&mut self, e: &Entry<'_>) -> Option<Spanned<Vec<Spanned<String>>>> {
        let v = e.value;
        let Node::Seq(items) = &v.value else {
            let found = v.value.kind();
            self.push(
                ConfigError::new(
                    ErrorCode::WrongType,
                    format!("`{}` must be a list, found {found}", e.key.value),
                )
                .label(e.value_span(), "expected a list")
                .help(format!(
                    "write a list, e.g. `{}: [memory, storage]`",
                    e.key.value
                )),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            let entry = Entry {
                key: e.key.clone(),
                value: item,
            };
            if let Some(s) = self.string(&entry) {
                out.push(s);
            }
        }
        Some(Spanned {
            value: out,
            span: e.key.span,
            defined: e.key.span,
        })
    }

    /// Expands `${VAR}` in a mapping key (an instance name), reporting into this
    /// reader's errors.
    fn expand_key(&mut self, key: &Spanned<String>) -> Option<String> {
        let written = self.source_text(key.defined);
        interpolate::expand(&key.value, written, key.defined, self.env, &mut self.errors)
    }

    /// Expands `${VAR}` in a string scalar, reporting into this reader's errors.
    fn expand(&mut self, s: &str, node: &Spanned<Node>) -> Option<String> {
        let written = self.source_text(node.defined);
        interpolate::expand(s, written, node.defined, self.env, &mut self.errors)
    }
}
