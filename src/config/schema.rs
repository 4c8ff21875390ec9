//! The JSON Schema of aura.yaml (draft-07, what yaml-language-server speaks),
//! generated from the raw types so that it cannot disagree with the loader about
//! which keys exist. `schema/aura.schema.json` is this output, committed; a test fails
//! when it is stale. Regenerate with `cargo run -- schema > schema/aura.schema.json`.

use schemars::generate::SchemaSettings;

use super::raw::RawConfig;

/// The `$id` of the published schema.
pub const SCHEMA_ID: &str =
    "https://github.com/auraform/auraform/blob/main/schema/aura.schema.json";

/// The schema as a JSON value.
pub fn generate() -> serde_json::Value {
    let generator = SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<RawConfig>();
    let mut value = schema.to_value();
    strip_null(&mut value, true);
    if let Some(obj) = value.as_object_mut() {
        obj.insert("$id".to_owned(), SCHEMA_ID.into());
        // The raw types keep `project` and `instances` optional so that a missing one
        // is reported with the rest; the schema states the contract.
        obj.insert(
            "required".to_owned(),
            serde_json::json!(["project", "instances"]),
        );
        if let Some(instances) = obj
            .get_mut("properties")
            .and_then(|p| p.get_mut("instances"))
            .and_then(serde_json::Value::as_object_mut)
        {
            // Aura's naming rule, so editors flag a bad name as it is typed.
            instances.insert(
                "propertyNames".to_owned(),
                serde_json::json!({
                    "minLength": 1,
                    "maxLength": super::validate::MAX_NAME_CHARS,
                    "pattern": r"^\S(.*\S)?$"
                }),
            );
        }
    }
    value
}

/// The schema as the exact text of `schema/aura.schema.json` (pretty, trailing newline).
pub fn generate_string() -> String {
    let mut s = serde_json::to_string_pretty(&generate()).unwrap_or_default();
    s.push('\n');
    s
}

/// Keys of the root whose value may be empty (`defaults:` with every line commented
/// out): the loader reads null there as an empty mapping.
const NULLABLE_ROOT_KEYS: &[&str] = &["defaults", "credentials", "instances"];

/// schemars makes every `Option` field nullable; the loader does not accept `memory:`
/// with no value (it says so, located), so the schema must not either. Removes `null`
/// from every property schema except the root keys above.
fn strip_null(schema: &mut serde_json::Value, is_root: bool) {
    use serde_json::Value;
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for (key, prop) in props.iter_mut() {
            if is_root && NULLABLE_ROOT_KEYS.contains(&key.as_str()) {
                continue;
            }
            remove_null(prop);
        }
    }
    if let Some(Value::Object(defs)) = obj.get_mut("definitions") {
        for def in defs.values_mut() {
            strip_null(def, false);
        }
    }
}

fn remove_null(prop: &mut serde_json::Value) {
    use serde_json::Value;
    let Some(p) = prop.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = p.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            p.insert("type".to_owned(), only);
        }
    }
    if let Some(Value::Array(any)) = p.get_mut("anyOf") {
        any.retain(|s| s.get("type").is_none_or(|t| t != "null"));
    }
}
