//! `auraform output`: the connection details of the instances aura.yaml manages, as a
//! deployment reads them (docs/commands.md §9.10). A pure function of the file and
//! what the API answered, like the plan: the command fetches, this decides and
//! renders. Never a password — the API does not return one after the create.
//!
//! | form | where |
//! |---|---|
//! | the JSON document (`schema/output.schema.json`) | [`Connections`] |
//! | `NAME_NEO4J_URI=…` lines for `$GITHUB_ENV`, one `.env` per instance | [`env`] |

pub mod env;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;

use super::error::PlanError;
use super::live::Live;
use super::model::ProjectRef;
use super::schema::{pretty_json, schema_of};
use crate::api::wire::Instance;
use crate::config::Desired;

/// The format version of the output document.
pub const OUTPUT_FORMAT_VERSION: &str = "1";

/// The connection details of every managed instance (`output --format json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(title = "auraform output (format version 1)")]
pub struct Connections {
    /// `"1"`.
    pub format_version: String,
    /// Always `"output"`.
    #[schemars(with = "OutputKind")]
    pub kind: &'static str,
    pub project: ProjectRef,
    /// Instances declared in aura.yaml that are live, keyed by name, in file order.
    pub instances: IndexMap<String, Connection>,
    /// Instances declared in aura.yaml that are not live (not created yet, or
    /// deleted behind auraform's back), in file order.
    pub missing: Vec<String>,
}

/// What a deployment needs to reach one instance. No password: it is only in the
/// create response, which went to the credentials sinks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Connection {
    pub name: String,
    pub id: String,
    /// The status the API reported (`running`, `paused`, `creating`, …).
    pub status: String,
    #[serde(rename = "type")]
    pub instance_type: String,
    pub cloud_provider: String,
    pub region: String,
    /// The Bolt URI to connect to (`NEO4J_URI`).
    pub neo4j_uri: String,
    /// Where `neo4j_uri` comes from: `api` (the instance's `connection_url`) or
    /// `derived` (the API gave none, as for a paused instance, so it is the URI
    /// every Aura instance has, `neo4j+s://<id>.databases.neo4j.io`; it answers once
    /// the instance runs).
    pub neo4j_uri_source: UriSource,
    /// The prefix of this instance's variables in `--format env` (`ORDERS_COPY` for
    /// `orders-copy`), also given to `credentials.command` as
    /// `AURA_INSTANCE_ENV_PREFIX`.
    pub env_prefix: String,
}

/// Where a connection URI comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UriSource {
    Api,
    Derived,
}

#[derive(JsonSchema)]
#[allow(
    dead_code,
    reason = "only its JSON Schema is used: it is never constructed"
)]
enum OutputKind {
    #[serde(rename = "output")]
    Output,
}

/// The URI of an instance whose `connection_url` the API does not give (null, or
/// empty while paused): the form every Aura instance's URI has
/// (docs/aura-api.md §3.2). The credentials file uses the same rule.
pub fn derived_uri(id: &str) -> String {
    format!("neo4j+s://{id}.databases.neo4j.io")
}

/// The connection details of the instances `desired` declares, matched to live ones
/// exactly as a plan matches them. `details` are the `GET /instances/{id}` answers.
/// Errors are the plan's identity errors (another project, ambiguous names, pins to
/// missing ids).
pub fn connections(
    desired: &Desired,
    live: &Live,
    details: &[Instance],
) -> Result<Connections, PlanError> {
    let mut instances = IndexMap::new();
    let mut missing = Vec::new();
    for (name, id) in super::identify(desired, live)? {
        match id.and_then(|id| details.iter().find(|i| i.id == id)) {
            Some(inst) => {
                instances.insert(name.clone(), connection(&name, inst));
            }
            None => missing.push(name),
        }
    }
    Ok(Connections {
        format_version: OUTPUT_FORMAT_VERSION.to_owned(),
        kind: "output",
        project: live.project.clone(),
        instances,
        missing,
    })
}

fn connection(name: &str, inst: &Instance) -> Connection {
    let (neo4j_uri, neo4j_uri_source) = match inst.connection_url.as_deref() {
        Some(url) if !url.trim().is_empty() => (url.to_owned(), UriSource::Api),
        _ => (derived_uri(&inst.id), UriSource::Derived),
    };
    Connection {
        name: name.to_owned(),
        id: inst.id.clone(),
        status: inst.status.to_string(),
        instance_type: inst.instance_type.to_string(),
        cloud_provider: inst.cloud_provider.to_string(),
        region: inst.region.clone(),
        neo4j_uri,
        neo4j_uri_source,
        env_prefix: env::env_prefix(name),
    }
}

/// The document as `output --format json` prints it: pretty, one trailing newline.
pub fn to_json(doc: &Connections) -> String {
    pretty_json(doc)
}

/// The JSON Schema of the document (draft-07), `schema/output.schema.json`.
pub fn output_schema() -> serde_json::Value {
    schema_of::<Connections>()
}

/// The schema as the committed file spells it.
pub fn output_schema_json() -> String {
    pretty_json(&output_schema())
}
