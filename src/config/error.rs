//! Errors of loading aura.yaml. Split the way casey/just splits them: *where* (a byte
//! span into the named source, plus secondary labels) and *what* (a stable
//! [`ErrorCode`]). [`ConfigError`] is one located diagnostic; [`ConfigErrors`] is every
//! problem of one run, because a user fixing a file wants all of them at once.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use super::node::Span;

/// What went wrong, as a stable code (`auraform::config::<name>`). Tests, scripts and
/// users may match on these strings: never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The file could not be read.
    Io,
    /// The path is a directory (or another non-file).
    NotAFile,
    /// The file is over the size cap.
    TooLarge,
    /// The file is not UTF-8.
    InvalidUtf8,
    /// The file holds no YAML document.
    Empty,
    /// Malformed YAML.
    Syntax,
    /// A mapping repeats a key.
    DuplicateKey,
    /// The document breaks a resource budget (alias bomb, nesting depth, size).
    TooComplex,
    /// A key that aura.yaml does not know.
    UnknownField,
    /// A value of the wrong YAML type (a list where a string belongs, …).
    WrongType,
    /// A required value is absent.
    MissingField,
    /// A value of the right type that is not allowed (unknown region, bad size, …).
    InvalidValue,
    /// `${VAR}` names a variable that is not set and has no default.
    UnsetVariable,
    /// Malformed `${…}`.
    InvalidVariable,
    /// An instance name breaks Aura's naming rules.
    InvalidName,
    /// Two instances pin the same `id`.
    DuplicateId,
    /// A combination the catalogue (or the live project) does not offer.
    NotOffered,
    /// A feature the instance's tier does not have.
    TierRule,
    /// Two settings that contradict each other.
    Conflict,
    /// `source.instance` is neither a declared instance nor an instance id.
    UnknownSource,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Io => "auraform::config::io",
            ErrorCode::NotAFile => "auraform::config::not_a_file",
            ErrorCode::TooLarge => "auraform::config::too_large",
            ErrorCode::InvalidUtf8 => "auraform::config::invalid_utf8",
            ErrorCode::Empty => "auraform::config::empty",
            ErrorCode::Syntax => "auraform::config::syntax",
            ErrorCode::DuplicateKey => "auraform::config::duplicate_key",
            ErrorCode::TooComplex => "auraform::config::too_complex",
            ErrorCode::UnknownField => "auraform::config::unknown_field",
            ErrorCode::WrongType => "auraform::config::wrong_type",
            ErrorCode::MissingField => "auraform::config::missing_field",
            ErrorCode::InvalidValue => "auraform::config::invalid_value",
            ErrorCode::UnsetVariable => "auraform::config::unset_variable",
            ErrorCode::InvalidVariable => "auraform::config::invalid_variable",
            ErrorCode::InvalidName => "auraform::config::invalid_name",
            ErrorCode::DuplicateId => "auraform::config::duplicate_id",
            ErrorCode::NotOffered => "auraform::config::not_offered",
            ErrorCode::TierRule => "auraform::config::tier_rule",
            ErrorCode::Conflict => "auraform::config::conflict",
            ErrorCode::UnknownSource => "auraform::config::unknown_source",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text of aura.yaml with its display name, shared by every diagnostic of a run.
pub type SourceFile = Arc<NamedSource<String>>;

/// One problem in aura.yaml, located.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub code: ErrorCode,
    pub message: String,
    pub help: Option<String>,
    /// The first label is the primary one: the exact offending value.
    pub labels: Vec<(Span, String)>,
    source: Option<SourceFile>,
}

impl ConfigError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ConfigError {
            code,
            message: message.into(),
            help: None,
            labels: Vec::new(),
            source: None,
        }
    }

    /// Adds a label; the first one added is the primary.
    #[must_use]
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push((span, text.into()));
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches the source the labels point into.
    #[must_use]
    pub fn with_source(mut self, source: SourceFile) -> Self {
        self.source = Some(source);
        self
    }

    /// The primary span, if the error is located.
    pub fn span(&self) -> Option<Span> {
        self.labels.first().map(|(s, _)| *s)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        // Without labels a snippet means nothing; miette would print the whole file.
        if self.labels.is_empty() {
            return None;
        }
        self.source.as_deref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().enumerate().map(
            |(i, (span, text))| {
                let text = (!text.is_empty()).then(|| text.clone());
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, *span)
                } else {
                    LabeledSpan::new_with_span(text, *span)
                }
            },
        )))
    }
}

/// Every problem found in one run over one file, in file order. A single problem
/// renders exactly as that problem; several render under a one-line summary, each
/// with its own snippet.
#[derive(Debug, Clone)]
pub struct ConfigErrors {
    /// The file's display name.
    pub file: String,
    pub errors: Vec<ConfigError>,
}

impl ConfigErrors {
    pub fn new(file: impl Into<String>, errors: Vec<ConfigError>) -> Self {
        ConfigErrors {
            file: file.into(),
            errors,
        }
    }

    /// A single unlocated error about the file as a whole (I/O, size, …).
    pub fn one(file: impl Into<String>, error: ConfigError) -> Self {
        Self::new(file, vec![error])
    }

    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.errors.iter()
    }

    /// The codes in order, for tests and scripts.
    pub fn codes(&self) -> Vec<ErrorCode> {
        self.errors.iter().map(|e| e.code).collect()
    }

    fn single(&self) -> Option<&ConfigError> {
        match self.errors.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.single() {
            Some(e) => fmt::Display::fmt(e, f),
            None => write!(f, "{} problems in {}", self.errors.len(), self.file),
        }
    }
}

impl std::error::Error for ConfigErrors {}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

impl Diagnostic for ConfigErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self.single() {
            Some(e) => e.code(),
            None => Some(Box::new("auraform::config::invalid")),
        }
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.single().and_then(Diagnostic::help)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.single().and_then(Diagnostic::source_code)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.single().and_then(Diagnostic::labels)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.single().is_some() {
            return None;
        }
        Some(Box::new(self.errors.iter().map(|e| e as &dyn Diagnostic)))
    }
}
