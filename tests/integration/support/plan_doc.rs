//! Reading a JSON plan document, what `plan`, `drift` and `diff --format json` print:
//! one change by name, its fields, actions and steps, the summary counts, and the
//! document's own consistency (summary against changes, the committed schema).

use serde_json::Value;

/// The change of `name` in a plan JSON document.
pub fn change<'a>(doc: &'a Value, name: &str) -> Option<&'a Value> {
    doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
}

/// The field names of `name`'s change.
pub fn fields(doc: &Value, name: &str) -> Vec<String> {
    change(doc, name)
        .map(|c| {
            c["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The action words of the change for `name` (empty if unchanged).
pub fn actions(doc: &Value, name: &str) -> Vec<String> {
    change(doc, name)
        .map(|c| {
            c["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The step actions of the change for `name`.
pub fn steps(doc: &Value, name: &str) -> Vec<String> {
    change(doc, name)
        .map(|c| {
            c["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["action"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `summary.<key>`.
pub fn count(doc: &Value, key: &str) -> u64 {
    doc["summary"][key].as_u64().unwrap()
}

/// The JSON plan is one document of the contract's shape, its summary counts the
/// action words of its changes, and it validates against `schema/plan.schema.json`.
pub fn check_json(plan: &Value) {
    assert_eq!(plan["format_version"], "1");
    assert_eq!(plan["project"]["name"], "demo");
    let changes = plan["changes"].as_array().unwrap();
    let summary = &plan["summary"];
    for word in [
        "create", "update", "replace", "delete", "pause", "resume", "upgrade", "wait",
    ] {
        let counted = changes
            .iter()
            .filter(|c| c["blocked"].is_null())
            .flat_map(|c| c["actions"].as_array().unwrap())
            .filter(|a| *a == word)
            .count();
        assert_eq!(summary[word], counted, "summary.{word}: {plan:#}");
    }
    assert_eq!(
        summary["unmanaged"],
        plan["unmanaged"].as_array().unwrap().len()
    );
    assert_eq!(
        summary["attention"],
        plan["attention"].as_array().unwrap().len()
    );
    for c in changes {
        assert!(!c["actions"].as_array().unwrap().is_empty(), "{c:#}");
    }
    let validator = jsonschema::draft7::new(&auraform::plan::schema::plan_schema()).unwrap();
    let errors: Vec<String> = validator.iter_errors(plan).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
