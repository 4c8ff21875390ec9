//! JSON Schema fragments for the wire types a plan embeds (request bodies, statuses).
//! The wire types live in `api` and do not derive `JsonSchema` (the API module owns
//! them and knows nothing of plans), so the plan schema describes them here, by hand,
//! from docs/aura-api.md §3. A test validates real plans against the result, so a drift
//! between these fragments and the wire types fails loudly.

use schemars::{Schema, SchemaGenerator, json_schema};

const SIZE_PATTERN: &str = "^[0-9]+GB$";

pub(crate) fn instance_status(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "string",
        "description": "An Aura instance status as the API spells it (lowercase; `loading failed` has a space). Unknown statuses are kept verbatim.",
        "examples": ["running", "paused", "creating", "updating", "suspended", "loading failed"]
    })
}

pub(crate) fn opt_instance_status(g: &mut SchemaGenerator) -> Schema {
    nullable(&instance_status(g))
}

pub(crate) fn instance_type(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "string",
        "description": "Aura instance type",
        "examples": ["free-db", "professional-db", "business-critical", "enterprise-db", "professional-ds", "enterprise-ds"]
    })
}

pub(crate) fn opt_instance_type(g: &mut SchemaGenerator) -> Schema {
    nullable(&instance_type(g))
}

fn cdc() -> Schema {
    json_schema!({ "type": "string", "enum": ["OFF", "DIFF", "FULL"] })
}

pub(crate) fn opt_cdc(_: &mut SchemaGenerator) -> Schema {
    nullable(&cdc())
}

fn nullable(schema: &Schema) -> Schema {
    json_schema!({ "anyOf": [schema, { "type": "null" }] })
}

/// `POST /instances` body (`CreateInstanceRequest`).
pub(crate) fn create_request(g: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "description": "The body of POST /instances, exactly as sent. A clone of an instance created by the same plan has no source_instance_id here: see the step's source_instance_from.",
        "required": ["name", "version", "region", "memory", "type", "tenant_id", "cloud_provider"],
        "additionalProperties": false,
        "properties": {
            "name": { "type": "string", "minLength": 1, "maxLength": 30 },
            "version": { "type": "string" },
            "region": { "type": "string" },
            "memory": { "type": "string", "pattern": SIZE_PATTERN },
            "type": instance_type(g),
            "tenant_id": { "type": "string" },
            "cloud_provider": { "type": "string", "examples": ["gcp", "aws", "azure"] },
            "storage": { "type": "string", "pattern": SIZE_PATTERN },
            "source_instance_id": { "type": "string" },
            "source_snapshot_id": { "type": "string" },
            "customer_managed_key_id": { "type": "string" },
            "vector_optimized": { "type": "boolean" },
            "graph_analytics_plugin": { "type": "boolean" }
        }
    })
}

/// `PATCH /instances/{id}` body (`PatchInstanceRequest`).
pub(crate) fn patch_request(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "description": "The body of PATCH /instances/{id}, exactly as sent: only the fields that change.",
        "additionalProperties": false,
        "minProperties": 1,
        "properties": {
            "name": { "type": "string", "minLength": 1, "maxLength": 30 },
            "memory": { "type": "string", "pattern": SIZE_PATTERN },
            "storage": { "type": "string", "pattern": SIZE_PATTERN },
            "vector_optimized": { "type": "boolean" },
            "graph_analytics_plugin": { "type": "boolean" },
            "secondaries_count": { "type": "integer", "minimum": 0 },
            "cdc_enrichment_mode": cdc()
        }
    })
}

/// `POST /instances/{id}/upgrade` body (`UpgradeRequest`): both sizes or neither.
pub(crate) fn upgrade_request(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "description": "The body of POST /instances/{id}/upgrade: memory and storage together, or neither.",
        "additionalProperties": false,
        "properties": {
            "memory": { "type": "string", "pattern": SIZE_PATTERN },
            "storage": { "type": "string", "pattern": SIZE_PATTERN }
        },
        "dependencies": { "memory": ["storage"], "storage": ["memory"] }
    })
}
