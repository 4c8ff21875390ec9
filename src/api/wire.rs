//! Wire types of the Aura v1 API: exactly the JSON the API sends and accepts, with the
//! API's own field names. This is the one module of `api` the emulator may import, so
//! both sides agree on every shape by construction.
//!
//! Deserialization is lenient wherever the live API is (docs/aura-api.md §9): unknown
//! enum values become `Other(String)`, optional fields are `Option`, numbers may arrive
//! as strings. Serialization is strict: we only send what the spec documents.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

// The vocabulary (statuses, tiers, clouds, CDC modes, snapshot states) and the offering
// rows are domain types shared with config, plan and import; the wire keeps using them
// under their API spellings.
pub use crate::aura::{
    CdcEnrichmentMode, CloudProvider, InstanceConfiguration, InstanceStatus, InstanceType,
    KnownSpellings, SnapshotProfile, SnapshotStatus,
};

/// The header auraform's emulator sends on every answer: its lifecycle speed-up
/// (operations take their usual duration divided by it). The real API never sends it.
pub const EMULATOR_SPEED_HEADER: &str = "x-auraform-emulator-speed";

/// A secret string from the wire (instance password, access token). `Debug` and
/// `Display` are redacted so that no log line or error can leak it by accident;
/// the value is reachable only through [`WireSecret::expose`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct WireSecret(String);

impl WireSecret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret itself. Call sites are few and auditable: the credentials sink,
    /// the Authorization header, and the emulator that mints it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WireSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for WireSecret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for WireSecret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self(String::deserialize(d)?))
    }
}

/// A count the spec declares as a string but the live API sends as a number
/// (`graph_nodes`, `graph_relationships`). Accepts both; serializes as a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct LenientCount(pub u64);

impl<'de> Deserialize<'de> for LenientCount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum NumOrStr {
            Num(u64),
            Str(String),
        }
        match NumOrStr::deserialize(d)? {
            NumOrStr::Num(n) => Ok(LenientCount(n)),
            NumOrStr::Str(s) => s
                .trim()
                .parse()
                .map(LenientCount)
                .map_err(|_| serde::de::Error::custom(format!("expected a count, got {s:?}"))),
        }
    }
}

/// Every success body: `{"data": …}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub data: T,
}

/// `POST /oauth/token` response. `token_type` is `bearer` or `Bearer` depending on
/// who you ask (docs/aura-api.md §2); compare it case-insensitively.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: WireSecret,
    pub expires_in: u64,
    #[serde(default)]
    pub token_type: String,
}

/// `GET /tenants` item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSummary {
    pub id: String,
    pub name: String,
}

/// `GET /tenants/{id}`: a project with what it may create.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub instance_configurations: Vec<InstanceConfiguration>,
}

/// `GET /tenants/{id}/metrics-integration`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricsIntegration {
    pub endpoint: String,
}

/// `GET /instances` item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSummary {
    pub id: String,
    pub name: String,
    pub tenant_id: String,
    pub cloud_provider: CloudProvider,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// `GET /instances/{id}` and the body of most lifecycle 202s. Only the fields that are
/// always present are non-optional; see docs/aura-api.md §3.3 for who omits what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    pub name: String,
    pub status: InstanceStatus,
    pub tenant_id: String,
    pub cloud_provider: CloudProvider,
    /// `null` for some live instances, empty while paused.
    #[serde(default)]
    pub connection_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_integration_url: Option<String>,
    pub region: String,
    #[serde(rename = "type")]
    pub instance_type: InstanceType,
    /// Omitted while the instance is being deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    /// Not returned for `free-db`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_optimized: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_analytics_plugin: Option<bool>,
    /// May be omitted even where it applies (docs/aura-api.md §9.6): absence is not zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondaries_count: Option<u32>,
    /// May be null or omitted on some tiers: absence is not `OFF`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdc_enrichment_mode: Option<CdcEnrichmentMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_managed_key_id: Option<String>,
    /// free-db only; numbers on the live API although the spec says string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_nodes: Option<LenientCount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_relationships: Option<LenientCount>,
}

/// `POST /instances` body. `secondaries_count` and `cdc_enrichment_mode` are not
/// accepted here: they are PATCH-only (docs/aura-api.md §3.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateInstanceRequest {
    pub name: String,
    pub version: String,
    pub region: String,
    pub memory: String,
    #[serde(rename = "type")]
    pub instance_type: InstanceType,
    pub tenant_id: String,
    pub cloud_provider: CloudProvider,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_snapshot_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_managed_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_optimized: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_analytics_plugin: Option<bool>,
}

/// `POST /instances` 202 body: the only time the password is ever returned.
/// It has no `status`; the instance starts `creating`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedInstance {
    pub id: String,
    #[serde(default)]
    pub connection_url: Option<String>,
    pub username: String,
    pub password: WireSecret,
    pub tenant_id: String,
    pub cloud_provider: CloudProvider,
    pub region: String,
    #[serde(rename = "type")]
    pub instance_type: InstanceType,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_optimized: Option<bool>,
}

/// `PATCH /instances/{id}` body; every field optional and omitted when `None`
/// (the Terraform provider once sent `"name": null`, which the API rejects).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchInstanceRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_optimized: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_analytics_plugin: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondaries_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdc_enrichment_mode: Option<CdcEnrichmentMode>,
}

impl PatchInstanceRequest {
    /// True when the body would change nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `POST /instances/{id}/upgrade` body: both sizes or neither.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradeRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
}

/// `POST /instances/{id}/overwrite` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverwriteRequest {
    pub source_instance_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_snapshot_id: Option<String>,
}

/// `POST /instances/sizing` body (for `*-ds` types).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizingRequest {
    pub node_count: u64,
    pub relationship_count: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<InstanceType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub algorithm_categories: Vec<String>,
}

/// `POST /instances/sizing` 200 body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizingResponse {
    pub did_exceed_maximum: bool,
    pub min_required_memory: String,
    pub recommended_size: String,
}

/// A snapshot of an instance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub instance_id: String,
    pub snapshot_id: String,
    pub profile: SnapshotProfile,
    pub status: SnapshotStatus,
    pub timestamp: String,
    #[serde(default)]
    pub exportable: bool,
}

/// `POST /instances/{id}/snapshots` 202 body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotCreated {
    pub snapshot_id: String,
}

/// One entry of the standard error body `{"errors":[…]}`. `reason` may be empty
/// (graph-analytics service); `id` appears only there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorItem {
    pub message: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// The standard error body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub errors: Vec<ErrorItem>,
}

/// The gateway (Tyk) error body: `{"error":"…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MiddlewareError {
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_status_is_kept_and_busy() {
        let s: InstanceStatus = serde_json::from_str("\"migrating\"").unwrap();
        assert_eq!(s, InstanceStatus::Other("migrating".into()));
        assert_eq!(InstanceStatus::parse("resizing"), InstanceStatus::Resizing);
        assert!(InstanceStatus::Resizing.is_transitional());
        assert!(s.is_transitional());
        assert!(!InstanceStatus::Running.is_transitional());
        assert!(!InstanceStatus::parse("loading failed").is_transitional());
    }

    #[test]
    fn counts_accept_numbers_and_strings() {
        let n: LenientCount = serde_json::from_str("12").unwrap();
        let s: LenientCount = serde_json::from_str("\"12\"").unwrap();
        assert_eq!(n, s);
        assert!(serde_json::from_str::<LenientCount>("\"many\"").is_err());
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let t = TokenResponse {
            access_token: WireSecret::new("tok-123"),
            expires_in: 3600,
            token_type: "bearer".into(),
        };
        assert!(!format!("{t:?}").contains("tok-123"));
        assert!(serde_json::to_string(&t).unwrap().contains("tok-123"));
    }
}
