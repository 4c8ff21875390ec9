//! Reading aura.yaml: the only I/O of `config`. Guards come first (not a file, too
//! large, not UTF-8, empty), then YAML parsing under a budget (alias bombs, nesting,
//! duplicate keys), then `raw` and `validate`. The environment for `${VAR}` is passed
//! in, so tests are hermetic.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use miette::NamedSource;

use super::desired::{Desired, Field};
use super::error::{ConfigError, ConfigErrors, ErrorCode, SourceFile};
use super::node::{Node, Span, Spanned};
use super::raw::Reader;
use super::validate::{InstanceSpans, Offering, Validator, check_offering};
use crate::aura::InstanceConfiguration;

/// Largest aura.yaml accepted. A real file is a few kilobytes; anything near this is a
/// mistake (wrong file) or an attack, and is refused before it is parsed.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Deepest YAML nesting accepted (aura.yaml needs 4).
pub const MAX_DEPTH: usize = 24;

/// A validated aura.yaml with what is needed to point back into it.
#[derive(Clone, Debug)]
pub struct LoadedConfig {
    pub desired: Desired,
    /// The file's display name (the path as given).
    pub file: String,
    source: SourceFile,
    spans: IndexMap<String, InstanceSpans>,
}

impl LoadedConfig {
    /// The file's text.
    pub fn text(&self) -> &str {
        self.source.inner()
    }

    /// The file's text with its display name, for diagnostics that point into it.
    pub fn source(&self) -> &SourceFile {
        &self.source
    }

    /// Spans of an instance's name and fields, by instance name.
    pub fn spans(&self, instance: &str) -> Option<&InstanceSpans> {
        self.spans.get(instance)
    }

    /// Where `field` of `instance` is written (or the instance key when the value is a
    /// default), for diagnostics about it.
    pub fn span_of(&self, instance: &str, field: Field) -> Option<Span> {
        self.spans.get(instance).map(|s| s.locate(field).0)
    }

    /// A located diagnostic about `field` of `instance`, for other phases (e.g. plan
    /// errors such as an immutable change) that want to point into aura.yaml.
    pub fn error_at(&self, instance: &str, field: Field, error: ConfigError) -> ConfigError {
        let error = match self.span_of(instance, field) {
            Some(span) => error.label(span, ""),
            None => error,
        };
        error.with_source(self.source.clone())
    }
}

/// The process environment, for [`load`] in the binary.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Reads and validates aura.yaml at `path` against the built-in catalogue.
/// `credentials.dir` resolves against the file's directory.
pub fn load(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<LoadedConfig, ConfigErrors> {
    load_path(path, env, None)
}

/// Like [`load`], but checks type/cloud/region/version/memory/storage combinations
/// against a live project's `instance_configurations` *instead of* the built-in
/// catalogue (so a region the API offers but the catalogue does not know is fine).
/// Every other rule is the same. Does no I/O beyond reading the file.
pub fn load_with_configurations(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    configurations: &[InstanceConfiguration],
) -> Result<LoadedConfig, ConfigErrors> {
    load_path(path, env, Some(configurations))
}

fn load_path(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    configurations: Option<&[InstanceConfiguration]>,
) -> Result<LoadedConfig, ConfigErrors> {
    let file = path.display().to_string();
    let fail = |code, msg: String, help: &str| {
        Err(ConfigErrors::one(
            file.clone(),
            ConfigError::new(code, msg).help(help.to_owned()),
        ))
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return fail(
                ErrorCode::Io,
                format!("cannot read {file}: no such file"),
                "write a starter file with `auraform init` (with --emulator, no account is needed), or point at yours with `-f PATH`",
            );
        }
        Err(e) => {
            return fail(
                ErrorCode::Io,
                format!("cannot read {file}: {e}"),
                "check the path and its permissions",
            );
        }
    };
    if meta.is_dir() {
        return fail(
            ErrorCode::NotAFile,
            format!("{file} is a directory, not a file"),
            "point `-f` at the aura.yaml file itself",
        );
    }
    if !meta.is_file() {
        return fail(
            ErrorCode::NotAFile,
            format!("{file} is not a regular file"),
            "point `-f` at a regular aura.yaml file",
        );
    }
    if meta.len() > MAX_FILE_BYTES {
        return too_large(&file, meta.len());
    }
    // Read at most one byte more than the cap: the file may grow after `metadata`.
    let mut bytes = Vec::new();
    let read =
        std::fs::File::open(path).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        return fail(
            ErrorCode::Io,
            format!("cannot read {file}: {e}"),
            "check the path and its permissions",
        );
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return too_large(&file, bytes.len() as u64);
    }
    let base_dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    from_bytes(&file, bytes, &base_dir, env, configurations)
}

fn too_large(file: &str, len: u64) -> Result<LoadedConfig, ConfigErrors> {
    Err(ConfigErrors::one(
        file,
        ConfigError::new(
            ErrorCode::TooLarge,
            format!("{file} is too large ({len} bytes; the limit is {MAX_FILE_BYTES} bytes)"),
        )
        .help("aura.yaml is normally a few kilobytes; check that -f points at the right file"),
    ))
}

/// Like [`load_str`], from bytes that may not be UTF-8 (the fuzz target's entry).
pub fn load_bytes(
    file: &str,
    bytes: Vec<u8>,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<LoadedConfig, ConfigErrors> {
    from_bytes(file, bytes, base_dir, env, None)
}

fn from_bytes(
    file: &str,
    bytes: Vec<u8>,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    configurations: Option<&[InstanceConfiguration]>,
) -> Result<LoadedConfig, ConfigErrors> {
    match String::from_utf8(bytes) {
        Ok(text) => from_text(file, text, base_dir, env, configurations),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let before = String::from_utf8_lossy(&bytes[..valid]);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(ConfigErrors::one(
                file,
                ConfigError::new(
                    ErrorCode::InvalidUtf8,
                    format!(
                        "{file} is not valid UTF-8 (line {line}, column {column}, byte {valid})"
                    ),
                )
                .help("save the file as UTF-8"),
            ))
        }
    }
}

/// Parses and validates aura.yaml text against the built-in catalogue. `file` is the
/// name shown in diagnostics; relative paths in the file resolve against `base_dir`.
pub fn load_str(
    file: &str,
    text: impl Into<String>,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<LoadedConfig, ConfigErrors> {
    from_text(file, text.into(), base_dir, env, None)
}

/// [`load_str`] with a live project's `instance_configurations` instead of the
/// built-in catalogue (see [`load_with_configurations`]).
pub fn load_str_with_configurations(
    file: &str,
    text: impl Into<String>,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    configurations: &[InstanceConfiguration],
) -> Result<LoadedConfig, ConfigErrors> {
    from_text(file, text.into(), base_dir, env, Some(configurations))
}

fn from_text(
    file: &str,
    text: String,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    configurations: Option<&[InstanceConfiguration]>,
) -> Result<LoadedConfig, ConfigErrors> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return too_large(file, text.len() as u64);
    }
    let source: SourceFile = Arc::new(NamedSource::new(file, text).with_language("yaml"));
    let text: &str = source.inner();
    let attach = |errors: Vec<ConfigError>| {
        ConfigErrors::new(
            file,
            errors
                .into_iter()
                .map(|e| e.with_source(source.clone()))
                .collect(),
        )
    };
    let root = match parse(text) {
        Ok(root) => root,
        Err(e) => return Err(attach(vec![e])),
    };
    if root.value == Node::Null {
        return Err(attach(vec![
            ConfigError::new(ErrorCode::Empty, format!("{file} is empty"))
                .help("a minimal aura.yaml is `project: <name>` and an `instances:` mapping; see examples/minimal.yaml"),
        ]));
    }
    let mut reader = Reader::new(text, env);
    let raw = reader.config(&root);
    let offering = match configurations {
        Some(rows) => Offering::live(rows),
        None => Offering::builtin(),
    };
    let mut validator = Validator::new(base_dir, offering);
    let (desired, spans) = validator.config(&raw);
    let mut errors = reader.errors;
    errors.extend(validator.into_errors());
    if !errors.is_empty() {
        // File order: what a reader fixing the file top to bottom expects.
        errors.sort_by_key(|e| e.span().map_or(0, |s| s.offset));
        return Err(attach(errors));
    }
    Ok(LoadedConfig {
        desired,
        file: file.to_owned(),
        source,
        spans,
    })
}

/// The `project:` of the aura.yaml at `path`, read leniently: whatever else is wrong
/// with the file (an unknown region, a missing field) does not matter, so a command
/// that only needs the project (`catalog`) can help fix such a file. `None` when the
/// file is missing, unreadable, not YAML, or names no project.
pub fn declared_project(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let root = parse(&text).ok()?;
    let mut reader = Reader::new(&text, env);
    reader.config(&root).project.map(|p| p.value)
}

/// Checks every instance's type/cloud/region/version/memory/storage combination against
/// a live project's `instance_configurations` (which win over the built-in catalogue).
/// Does no I/O: the caller fetched the rows.
pub fn validate_online(
    loaded: &LoadedConfig,
    configurations: &[InstanceConfiguration],
) -> Result<(), ConfigErrors> {
    let offering = Offering::live(configurations);
    let errors: Vec<ConfigError> = loaded
        .desired
        .instances
        .values()
        .filter_map(|inst| {
            let spans = loaded.spans.get(&inst.name)?;
            check_offering(inst, spans, &offering)
        })
        .map(|e| e.with_source(loaded.source.clone()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ConfigErrors::new(loaded.file.clone(), errors))
    }
}

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_nodes = 100_000;
    budget.max_events = 200_000;
    budget.max_documents = 16; // reported as "exactly one document", not as a budget breach
    budget.max_total_scalar_bytes = 2 * 1024 * 1024;
    let mut alias_limits = serde_saphyr::options::AliasLimits::default();
    alias_limits.max_total_replayed_events = 20_000;
    alias_limits.max_replay_stack_depth = 16;
    alias_limits.max_alias_expansions_per_anchor = 1_000;
    serde_saphyr::options! {
        budget: Some(budget),
        alias_limits: alias_limits,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        // YAML 1.2: `OFF`, `yes`, `on` are strings (see `raw::reader`).
        strict_booleans: true,
        // An unquoted id such as `798e3386` reads as a float too large to be finite.
        // The reader takes a string field's source text, so it stays `798e3386`; a
        // number field rejects it as a number it cannot use.
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
        with_snippet: false,
    }
}

fn parse(text: &str) -> Result<Spanned<Node>, ConfigError> {
    serde_saphyr::from_str_with_options::<Spanned<Node>>(text, options())
        .map_err(|e| syntax_error(text, &e))
}

/// Turns a serde-saphyr error into our diagnostic: its own message without its own
/// snippet (miette draws ours), located at its position.
fn syntax_error(text: &str, err: &serde_saphyr::Error) -> ConfigError {
    let err = err.without_snippet();
    // Located where the problem shows (an alias site rather than its anchor).
    let span = err.location().and_then(|l| {
        let s = l.span();
        match s.byte_offset().and_then(|o| usize::try_from(o).ok()) {
            Some(offset) => {
                let len = usize::try_from(s.byte_len().unwrap_or(0)).unwrap_or(0);
                let offset = offset.min(text.len());
                Some(Span::new(offset, len.min(text.len() - offset)))
            }
            None => offset_of(text, l.line(), l.column()).map(|o| Span::new(o, 0)),
        }
    });
    let mut err = err;
    // An error met while replaying an alias wraps the real one.
    while let serde_saphyr::Error::AliasError { error, .. } = err {
        err = error.without_snippet();
    }
    let (code, message, help) = match err {
        serde_saphyr::Error::DuplicateMappingKey { key, .. } => (
            ErrorCode::DuplicateKey,
            match key {
                Some(k) => format!("duplicate key `{k}`"),
                None => "duplicate key".to_owned(),
            },
            "each key may appear once per mapping; remove or merge the repeated one",
        ),
        serde_saphyr::Error::Budget { breach, .. } => (
            ErrorCode::TooComplex,
            format!("the YAML is too complex to load: {}", breach_text(breach)),
            "aura.yaml needs no deep nesting and few aliases; simplify the file",
        ),
        serde_saphyr::Error::AliasReplayLimitExceeded { .. }
        | serde_saphyr::Error::AliasExpansionLimitExceeded { .. }
        | serde_saphyr::Error::AliasReplayStackDepthExceeded { .. }
        | serde_saphyr::Error::AliasReplayCounterOverflow { .. } => (
            ErrorCode::TooComplex,
            "the YAML is too complex to load: aliases expand to too much data".to_owned(),
            "aura.yaml needs few aliases (`*name`); this looks like an alias bomb",
        ),
        serde_saphyr::Error::MultipleDocuments { .. } => (
            ErrorCode::Syntax,
            "aura.yaml must hold exactly one YAML document".to_owned(),
            "remove the `---` separators and the extra documents",
        ),
        _ => (
            ErrorCode::Syntax,
            format!("invalid YAML: {}", message_of(err)),
            "fix the YAML syntax at the marked position",
        ),
    };
    let mut e = ConfigError::new(code, message).help(help);
    if let Some(span) = span {
        e = e.label(span, "here");
    }
    e
}

/// Which safety limit a document broke, in words (never a debug dump).
fn breach_text(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Depth { .. } => format!("nesting deeper than {MAX_DEPTH} levels"),
        B::Nodes { .. } | B::Events { .. } => "too many values".to_owned(),
        B::Aliases { .. } | B::AliasAnchorRatio { .. } => "too many aliases".to_owned(),
        B::Anchors { .. } => "too many anchors".to_owned(),
        B::Documents { .. } => "too many documents".to_owned(),
        B::ScalarBytes { .. } | B::InputBytes { .. } => "too much text".to_owned(),
        B::MergeKeys { .. } => "too many merge keys (`<<`)".to_owned(),
        _ => "a resource limit was exceeded".to_owned(),
    }
}

/// The byte offset of a 1-based line and character column, if inside `text`.
fn offset_of(text: &str, line: u64, column: u64) -> Option<usize> {
    let line = usize::try_from(line).ok()?.checked_sub(1)?;
    let column = usize::try_from(column).ok()?.saturating_sub(1);
    let mut start = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i == line {
            let within = l.char_indices().nth(column).map_or(l.len(), |(b, _)| b);
            return Some(start + within);
        }
        start += l.len();
    }
    (line == text.split_inclusive('\n').count()).then_some(text.len())
}

/// serde-saphyr's message without its "line X column Y:" prefix (miette shows the
/// position itself).
fn message_of(err: &serde_saphyr::Error) -> String {
    let s = err.render_with_formatter(&serde_saphyr::UserMessageFormatter);
    let s = s.lines().next().unwrap_or_default().to_owned();
    match s.split_once(" at line ") {
        Some((head, _)) => head.to_owned(),
        None => s,
    }
}
