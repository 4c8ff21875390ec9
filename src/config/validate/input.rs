//! One instance as the field checks see it: its raw values, the `defaults` they fall
//! back to, and the names declared beside it. Each check asks for the effective value
//! of a setting here instead of merging by hand, so "the instance's own value wins"
//! is written once.

use std::collections::HashMap;

use super::spans::{InstanceSpans, Origin};
use crate::config::desired::Field;
use crate::config::node::Spanned;
use crate::config::raw::{RawInstance, RawSettings};

/// An instance under validation.
pub(super) struct InstanceInput<'r> {
    pub raw: &'r RawInstance,
    pub defaults: &'r RawSettings,
    /// Every instance name declared in the file, in file order (for `source`).
    pub names: &'r [&'r str],
}

/// The effective value of one setting, and whether it came from `defaults`.
pub(super) struct Setting<'r, T> {
    pub value: &'r Spanned<T>,
    pub from_defaults: bool,
}

// Manual impls: a derive would demand `T: Copy`, but only the reference is copied.
impl<T> Clone for Setting<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Setting<'_, T> {}

impl<T> Setting<'_, T> {
    /// The instance's own value (`id`, `source`: they have no default).
    pub(super) fn own(value: &Spanned<T>) -> Setting<'_, T> {
        Setting {
            value,
            from_defaults: false,
        }
    }

    pub(super) fn origin(self) -> Origin {
        Origin {
            span: self.value.span,
            from_defaults: self.from_defaults,
        }
    }
}

impl<'r> InstanceInput<'r> {
    /// The instance's key under `instances:`.
    pub(super) fn name(&self) -> &'r str {
        self.raw.name.value.as_str()
    }

    /// The effective value of a setting: the instance's own, else the default's.
    pub(super) fn setting<T>(
        &self,
        get: impl Fn(&'r RawSettings) -> Option<&'r Spanned<T>>,
    ) -> Option<Setting<'r, T>> {
        match (get(&self.raw.settings), get(self.defaults)) {
            (Some(value), _) => Some(Setting {
                value,
                from_defaults: false,
            }),
            (None, Some(value)) => Some(Setting {
                value,
                from_defaults: true,
            }),
            (None, None) => None,
        }
    }

    /// Whether `key` is present with a value the reader already rejected (in the
    /// instance or in `defaults`): it is not "missing" as well.
    pub(super) fn rejected(&self, key: &str) -> bool {
        self.raw.not_a_mapping
            || self.raw.settings.rejected.iter().any(|k| k == key)
            || self.defaults.rejected.iter().any(|k| k == key)
    }

    /// The origin of every field that is written, in the instance or in `defaults`,
    /// whether or not its value turns out valid.
    pub(super) fn spans(&self) -> InstanceSpans {
        let mut fields = HashMap::new();
        let mut record = |field: Field, setting: Option<Origin>| {
            if let Some(o) = setting {
                fields.insert(field, o);
            }
        };
        let origin = |get: fn(&'r RawSettings) -> Option<&'r Spanned<String>>| {
            self.setting(get).map(Setting::origin)
        };
        record(Field::Type, origin(|s| s.instance_type.as_ref()));
        record(Field::CloudProvider, origin(|s| s.cloud_provider.as_ref()));
        record(Field::Region, origin(|s| s.region.as_ref()));
        record(Field::Version, origin(|s| s.version.as_ref()));
        record(Field::Memory, origin(|s| s.memory.as_ref()));
        record(Field::Storage, origin(|s| s.storage.as_ref()));
        record(Field::State, origin(|s| s.state.as_ref()));
        record(
            Field::CdcEnrichmentMode,
            origin(|s| s.cdc_enrichment_mode.as_ref()),
        );
        record(
            Field::CustomerManagedKeyId,
            origin(|s| s.customer_managed_key_id.as_ref()),
        );
        record(
            Field::VectorOptimized,
            self.setting(|s| s.vector_optimized.as_ref())
                .map(Setting::origin),
        );
        record(
            Field::GraphAnalyticsPlugin,
            self.setting(|s| s.graph_analytics_plugin.as_ref())
                .map(Setting::origin),
        );
        record(
            Field::SecondariesCount,
            self.setting(|s| s.secondaries_count.as_ref())
                .map(Setting::origin),
        );
        InstanceSpans {
            name: self.raw.name.span,
            fields,
            prevent_destroy: self
                .setting(|s| s.prevent_destroy.as_ref())
                .map(Setting::origin),
        }
    }
}

/// A checked value and whether it passed. A value can be wrong and still be usable
/// by later checks (an out-of-range `secondaries_count` is still "set" for the tier
/// rules), so the two travel together.
pub(super) struct Checked<T> {
    pub value: T,
    pub ok: bool,
}

impl<T> Checked<T> {
    pub(super) fn ok(value: T) -> Self {
        Checked { value, ok: true }
    }

    pub(super) fn failed(value: T) -> Self {
        Checked { value, ok: false }
    }
}
