//! The words of the Aura API that the whole crate speaks: instance statuses, tiers,
//! cloud providers, CDC modes and snapshot states. Each is a string enum with the API's
//! exact spelling that keeps any value it does not know as `Other`, because the live
//! API adds values without notice (e.g. the undocumented `resizing` status, see
//! docs/aura-api.md §9.3) and a client must not fail on them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A closed set of values, each with one exact spelling. Implemented by every
/// [`wire_enum!`] (and by config enums of the same kind), so one piece of code can parse
/// any of them and list what is allowed when a value is not known.
pub trait KnownSpellings: Sized + 'static {
    /// Every known value, in documentation order.
    const KNOWN: &'static [Self];
    /// The exact spelling of a value.
    fn spelling(&self) -> &str;
    /// Parses only a known spelling.
    fn parse_known(s: &str) -> Option<Self>;
}

/// Defines a string enum that round-trips through its wire spelling and keeps any
/// value it does not know as `Other`, because the live API adds values without notice
/// (e.g. the undocumented `resizing` status) and a client must not fail on them.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant,)+
            /// A value this version of auraform does not know.
            Other(String),
        }

        impl $name {
            /// Every known value, in documentation order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The exact spelling the API uses.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s,
                }
            }

            /// Parses the API spelling; anything unknown is kept verbatim.
            pub fn parse(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Parses only a known spelling.
            pub fn parse_known(s: &str) -> Option<Self> {
                match Self::parse(s) {
                    $name::Other(_) => None,
                    known => Some(known),
                }
            }
        }

        impl KnownSpellings for $name {
            const KNOWN: &'static [Self] = $name::KNOWN;

            fn spelling(&self) -> &str {
                self.as_str()
            }

            fn parse_known(s: &str) -> Option<Self> {
                $name::parse_known(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok(Self::parse(&s))
            }
        }
    };
}

wire_enum! {
    /// Instance lifecycle status (lowercase; `loading failed` has a space).
    InstanceStatus {
        Creating => "creating",
        Destroying => "destroying",
        Running => "running",
        Pausing => "pausing",
        Paused => "paused",
        Suspending => "suspending",
        Suspended => "suspended",
        Resuming => "resuming",
        Loading => "loading",
        LoadingFailed => "loading failed",
        Restoring => "restoring",
        Updating => "updating",
        Overwriting => "overwriting",
        // Not in the spec, but seen during resizes (docs/aura-api.md §9.3).
        Resizing => "resizing",
    }
}

impl InstanceStatus {
    /// True for statuses in which the instance accepts no new operation. Unknown
    /// statuses count as busy: waiting is always safe, acting on a busy instance is not.
    pub fn is_transitional(&self) -> bool {
        !matches!(
            self,
            InstanceStatus::Running
                | InstanceStatus::Paused
                | InstanceStatus::Suspended
                | InstanceStatus::LoadingFailed
        )
    }
}

wire_enum! {
    /// Aura instance type (tier). `enterprise-db` is Virtual Dedicated Cloud.
    InstanceType {
        FreeDb => "free-db",
        ProfessionalDb => "professional-db",
        BusinessCritical => "business-critical",
        EnterpriseDb => "enterprise-db",
        ProfessionalDs => "professional-ds",
        EnterpriseDs => "enterprise-ds",
    }
}

wire_enum! {
    /// Cloud provider.
    CloudProvider {
        Gcp => "gcp",
        Aws => "aws",
        Azure => "azure",
    }
}

wire_enum! {
    /// Change-data-capture enrichment mode (uppercase on the wire).
    CdcEnrichmentMode {
        Off => "OFF",
        Diff => "DIFF",
        Full => "FULL",
    }
}

wire_enum! {
    /// Snapshot status (PascalCase, unlike instance statuses).
    SnapshotStatus {
        Pending => "Pending",
        InProgress => "InProgress",
        Completed => "Completed",
        Failed => "Failed",
        Cancelled => "Cancelled",
    }
}

wire_enum! {
    /// Snapshot profile.
    SnapshotProfile {
        AdHoc => "AdHoc",
        Scheduled => "Scheduled",
    }
}
