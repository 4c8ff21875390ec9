//! Where each effective value of an instance was written, kept after validation so
//! that later checks (online validation, the differ's messages) can point at the value
//! in the file.

use std::collections::HashMap;

use crate::config::desired::Field;
use crate::config::node::Span;

/// Where the effective value of one instance field was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub span: Span,
    /// The value comes from `defaults:` rather than the instance itself.
    pub from_defaults: bool,
}

/// Spans of one instance, so that later checks (online validation, the differ's
/// messages) can point at the value in the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstanceSpans {
    /// The instance's key under `instances:`.
    pub name: Span,
    /// Fields written in the file (in the instance or in `defaults`). Absent fields
    /// took a default or were implied (free-db's cloud, region and memory).
    pub fields: HashMap<Field, Origin>,
    /// Where `prevent_destroy` is written (instance or `defaults`), if it is.
    pub prevent_destroy: Option<Origin>,
}

impl InstanceSpans {
    /// Where to point for `field`, and a label saying where the value came from.
    pub fn locate(&self, field: Field) -> (Span, &'static str) {
        match self.fields.get(&field) {
            Some(o) if o.from_defaults => (o.span, "inherited from `defaults`"),
            Some(o) => (o.span, ""),
            None => (self.name, "default or implied value"),
        }
    }
}
