//! Saved plan files (`plan --out FILE`, `apply FILE`).
//!
//! A saved plan is the plan JSON with one more key, `made_from`: a SHA-256 digest of
//! the desired state (over a canonical serialization, so formatting and comments in
//! aura.yaml do not matter, values do) and a fingerprint of every live instance the
//! plan is about (its id, name and details). `apply FILE` recomputes both and refuses
//! the plan when either moved, saying what moved ([`check_fresh`]).
//!
//! Nothing secret exists in a plan (request bodies carry no password; the API returns
//! the password only in the create *response*), so nothing secret is saved.

use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::config::{Desired, DesiredInstance, ReplaceMode};

use super::error::PlanError;
use super::live::{Live, LiveInstance};
use super::model::{FORMAT_VERSION, Plan, PlanOptions};
use super::provenance::{
    Altered, DeltaKind, InstanceFingerprint, LiveDelta, LiveFingerprint, Provenance, StaleReason,
};

fn sha256(v: &Value) -> String {
    // serde_json without `preserve_order` writes object keys sorted, and arrays keep
    // their order: the serialization is canonical.
    let bytes = serde_json::to_vec(v).unwrap_or_default();
    format!("sha256:{}", hex::encode(Sha256::digest(&bytes)))
}

fn canonical_instance(d: &DesiredInstance) -> Value {
    let mut v = json!({
        "name": d.name,
        "type": d.instance_type.as_str(),
        "cloud_provider": d.cloud_provider.as_str(),
        "region": d.region,
        "version": d.version,
        "memory": d.memory,
        "storage": d.storage,
        "state": d.state.as_str(),
        "vector_optimized": d.vector_optimized,
        "graph_analytics_plugin": d.graph_analytics_plugin,
        "secondaries_count": d.secondaries_count,
        "cdc_enrichment_mode": d.cdc_enrichment_mode.as_ref().map(|m| m.as_str().to_owned()),
        "customer_managed_key_id": d.customer_managed_key_id,
        "source": d.source.as_ref().map(|s| json!({"instance": s.instance, "snapshot": s.snapshot})),
        "id": d.id,
        "prevent_destroy": d.prevent_destroy,
        "allow_replace": d.allow_replace,
        "ignore_changes": d.ignore_changes.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
    });
    // Added with their defaults left out, so a file that does not use them digests as
    // it did before they existed (saved plans made then stay fresh).
    if d.replace != ReplaceMode::default() {
        v["replace"] = json!(d.replace.as_str());
    }
    if !d.snapshot_before.is_empty() {
        v["snapshot_before"] = json!(
            d.snapshot_before
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
        );
    }
    v
}

/// `sha256:<hex>` of the desired state: every value that can change a plan or an
/// apply (instances in file order, prune, project, where credentials go). The
/// credentials sinks enter the digest only when they differ from the file-only
/// default, so plans saved before sinks existed stay fresh.
///
/// Only values count, not where the file is: the commands pass the credentials
/// directory as aura.yaml writes it (relative to the file's own directory), so the same
/// file named another way (`-f aura.yaml`, `-f /abs/dir/aura.yaml`, `-f ./x/../aura.yaml`)
/// or a checkout of it elsewhere gives the same digest.
pub fn config_digest(desired: &Desired) -> String {
    let mut v = json!({
        "project": desired.project,
        "prune": desired.prune,
        "credentials_dir": desired.credentials_dir.to_string_lossy(),
        "instances": desired.instances.values().map(canonical_instance).collect::<Vec<_>>(),
    });
    if !desired.credentials_file || desired.credentials_command.is_some() {
        v["credentials_sinks"] = json!({
            "file": desired.credentials_file,
            "command": desired.credentials_command.as_ref().map(|c| &c.argv),
            "command_timeout_ms": desired.credentials_command.as_ref().map(|c| c.timeout.as_millis() as u64),
        });
    }
    sha256(&v)
}

fn instance_digest(l: &LiveInstance) -> String {
    sha256(&json!({
        "id": l.id,
        "name": l.name,
        "status": l.status.as_str(),
        "type": l.instance_type.as_str(),
        "cloud_provider": l.cloud_provider.as_str(),
        "region": l.region,
        "version": l.version,
        "memory": l.memory,
        "storage": l.storage,
        "vector_optimized": l.vector_optimized,
        "graph_analytics_plugin": l.graph_analytics_plugin,
        "secondaries_count": l.secondaries_count,
        "cdc_enrichment_mode": l.cdc_enrichment_mode.as_ref().map(|m| m.as_str().to_owned()),
        "customer_managed_key_id": l.customer_managed_key_id,
    }))
}

/// The live fingerprint of the instances a plan with `opts` is about.
pub fn live_fingerprint(desired: &Desired, live: &Live, opts: &PlanOptions) -> LiveFingerprint {
    let targeted_pins: Vec<&str> = desired
        .instances
        .values()
        .filter(|d| opts.targets.contains(&d.name))
        .filter_map(|d| d.id.as_deref())
        .collect();
    // A destroy plan is about the declared instances only: another team's instance
    // appearing in a shared project does not make it stale.
    let declared: Vec<&crate::config::DesiredInstance> = desired
        .instances
        .values()
        .filter(|d| opts.targets.is_empty() || opts.targets.contains(&d.name))
        .collect();
    let in_scope = |id: &str, name: &str| {
        if opts.destroy {
            return declared
                .iter()
                .any(|d| d.name == name || d.id.as_deref() == Some(id));
        }
        opts.targets.is_empty()
            || opts.targets.iter().any(|t| t == name)
            || targeted_pins.contains(&id)
    };
    let instances = live
        .summaries
        .iter()
        .filter(|s| in_scope(&s.id, &s.name))
        .map(|s| {
            let digest = live.instance(&s.id).map_or_else(
                || sha256(&json!({ "id": s.id, "name": s.name })),
                instance_digest,
            );
            (
                s.id.clone(),
                InstanceFingerprint {
                    name: s.name.clone(),
                    digest,
                },
            )
        })
        .collect();
    LiveFingerprint {
        project_id: live.project.id.clone(),
        instances,
    }
}

/// What `plan` was made from.
pub fn provenance(desired: &Desired, live: &Live, opts: &PlanOptions) -> Provenance {
    Provenance {
        config_digest: config_digest(desired),
        config_file: None,
        live: live_fingerprint(desired, live, opts),
    }
}

/// The plan with its provenance attached: what `save` writes.
pub fn seal(mut plan: Plan, desired: &Desired, live: &Live) -> Plan {
    plan.made_from = Some(provenance(desired, live, &plan.options));
    plan
}

/// The saved-plan file's bytes: the plan sealed with what it was made from, pretty
/// JSON and a final newline. Writing them is the caller's (plan does no I/O).
pub fn to_json(plan: &Plan, desired: &Desired, live: &Live) -> Vec<u8> {
    sealed_json(&seal(plan.clone(), desired, live))
}

/// The bytes of a plan already sealed (pretty JSON and a final newline).
pub fn sealed_json(sealed: &Plan) -> Vec<u8> {
    // Plain data serializes infallibly (no maps with non-string keys).
    let mut json = serde_json::to_vec_pretty(sealed).unwrap_or_default();
    json.push(b'\n');
    json
}

/// Parses a saved plan (`path` is only used in errors).
pub fn from_json(path: &Path, bytes: &[u8]) -> Result<Plan, PlanError> {
    let invalid = |message: String| PlanError::SavedInvalid {
        path: path.to_owned(),
        message,
    };
    let value: Value = serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
    let found = value
        .get("format_version")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("it has no `format_version`".to_owned()))?;
    if found != FORMAT_VERSION {
        return Err(PlanError::SavedVersion {
            path: path.to_owned(),
            found: found.to_owned(),
            expected: FORMAT_VERSION.to_owned(),
        });
    }
    let plan: Plan = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
    if plan.made_from.is_none() {
        return Err(invalid(
            "it has no `made_from` (a `--format json` plan is not a saved plan; use `plan --out FILE`)"
                .to_owned(),
        ));
    }
    Ok(plan)
}

/// Whether `saved` still fits the current desired and live state. Says what moved
/// when it does not.
pub fn check_fresh(saved: &Plan, desired: &Desired, live: &Live) -> Result<(), StaleReason> {
    let Some(made_from) = &saved.made_from else {
        return Err(StaleReason::ConfigChanged {
            made_from: None,
            now: None,
        });
    };
    if made_from.live.project_id != live.project.id {
        return Err(StaleReason::ProjectChanged {
            saved: made_from.live.project_id.clone(),
            now: live.project.id.clone(),
        });
    }
    if made_from.config_digest != config_digest(desired) {
        return Err(StaleReason::ConfigChanged {
            made_from: made_from.config_file.clone(),
            now: None,
        });
    }
    let now = live_fingerprint(desired, live, &saved.options);
    let before = &made_from.live.instances;
    let mut deltas = Vec::new();
    for (id, fp) in before {
        match now.instances.get(id) {
            None => deltas.push(LiveDelta {
                id: id.clone(),
                name: fp.name.clone(),
                kind: DeltaKind::Vanished,
            }),
            Some(n) if n != fp => deltas.push(LiveDelta {
                id: id.clone(),
                name: n.name.clone(),
                kind: DeltaKind::Changed,
            }),
            Some(_) => {}
        }
    }
    for (id, fp) in &now.instances {
        if !before.contains_key(id) {
            deltas.push(LiveDelta {
                id: id.clone(),
                name: fp.name.clone(),
                kind: DeltaKind::Appeared,
            });
        }
    }
    if deltas.is_empty() {
        Ok(())
    } else {
        Err(StaleReason::LiveChanged(deltas))
    }
}

/// Whether `saved`'s changes are exactly those of `replanned` (the plan made now from
/// the desired and live state the saved plan was checked fresh against). The plan is a
/// pure function of those, so any difference means the file says something its own
/// inputs do not: `apply` refuses it rather than send requests nobody reviewed.
pub fn check_unaltered(saved: &Plan, replanned: &Plan) -> Result<(), Altered> {
    let count = saved.changes.len().max(replanned.changes.len());
    for i in 0..count {
        match (saved.changes.get(i), replanned.changes.get(i)) {
            (Some(s), Some(r)) if s == r => {}
            (Some(s), Some(r)) => {
                let (a, b) = (to_value(s), to_value(r));
                let (field, in_file, again) =
                    first_difference(&a, &b, String::new()).unwrap_or_default();
                return Err(Altered {
                    instance: if s.name == r.name {
                        s.name.clone()
                    } else {
                        r.name.clone()
                    },
                    field,
                    in_file,
                    replanned: again,
                });
            }
            (Some(s), None) => {
                return Err(Altered {
                    instance: s.name.clone(),
                    field: "changes".to_owned(),
                    in_file: "a change".to_owned(),
                    replanned: "no change for it".to_owned(),
                });
            }
            (None, Some(r)) => {
                return Err(Altered {
                    instance: r.name.clone(),
                    field: "changes".to_owned(),
                    in_file: "no change for it".to_owned(),
                    replanned: "a change".to_owned(),
                });
            }
            (None, None) => {}
        }
    }
    Ok(())
}

fn to_value(v: &impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The first place two JSON values differ: its path and both values, shown short.
fn first_difference(a: &Value, b: &Value, path: String) -> Option<(String, String, String)> {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        _ if a == b => None,
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                first_difference(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    join(k),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, format!("{path}[{i}]"))),
        _ => Some((
            if path.is_empty() {
                "change".to_owned()
            } else {
                path
            },
            short(a),
            short(b),
        )),
    }
}

/// A value as compact JSON, at most 60 characters and without control characters
/// (the file is not trusted: its values may be anything).
fn short(v: &Value) -> String {
    let text = serde_json::to_string(v).unwrap_or_default();
    let mut out: String = text.chars().filter(|c| !c.is_control()).take(60).collect();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aura::{CloudProvider, InstanceType};
    use crate::config::{DesiredState, Field};

    fn desired() -> Desired {
        let d = DesiredInstance {
            name: "orders".into(),
            instance_type: InstanceType::ProfessionalDb,
            cloud_provider: CloudProvider::Gcp,
            region: "europe-west1".into(),
            version: "5".into(),
            memory: "8GB".into(),
            storage: None,
            state: DesiredState::Running,
            vector_optimized: false,
            graph_analytics_plugin: false,
            secondaries_count: None,
            cdc_enrichment_mode: None,
            customer_managed_key_id: None,
            source: None,
            id: None,
            prevent_destroy: false,
            allow_replace: false,
            replace: ReplaceMode::default(),
            snapshot_before: Vec::new(),
            ignore_changes: vec![],
        };
        Desired {
            project: "demo".into(),
            credentials_dir: ".auraform/credentials".into(),
            credentials_file: true,
            credentials_command: None,
            prune: false,
            instances: [("orders".to_owned(), d)].into_iter().collect(),
        }
    }

    #[test]
    fn the_config_digest_is_stable_and_sees_every_value() {
        let base = desired();
        let digest = config_digest(&base);
        assert!(digest.starts_with("sha256:") && digest.len() == 7 + 64);
        assert_eq!(digest, config_digest(&base.clone()));
        let tweaks: Vec<fn(&mut DesiredInstance)> = vec![
            |d| d.memory = "16GB".into(),
            |d| d.state = DesiredState::Paused,
            |d| d.vector_optimized = true,
            |d| d.secondaries_count = Some(1),
            |d| d.prevent_destroy = true,
            |d| d.allow_replace = true,
            |d| d.ignore_changes = vec![Field::Memory],
            |d| d.id = Some("2f49c2b3".into()),
            |d| d.replace = ReplaceMode::Clone,
            |d| d.snapshot_before = vec![crate::config::RiskyStep::Upgrade],
        ];
        for tweak in tweaks {
            let mut changed = base.clone();
            tweak(changed.instances.get_mut("orders").unwrap());
            assert_ne!(config_digest(&changed), digest);
        }
        let mut pruned = base.clone();
        pruned.prune = true;
        assert_ne!(config_digest(&pruned), digest);
    }

    #[test]
    fn the_digest_sees_where_passwords_go_and_keeps_the_default_as_before() {
        let base = desired();
        // The file-only default digests as it did before sinks existed (this is the
        // digest of `desired()` without any sink key), so older saved plans stay fresh.
        let before = sha256(&json!({
            "project": base.project,
            "prune": base.prune,
            "credentials_dir": base.credentials_dir.to_string_lossy(),
            "instances": base.instances.values().map(canonical_instance).collect::<Vec<_>>(),
        }));
        assert_eq!(config_digest(&base), before);
        let mut with_command = base.clone();
        with_command.credentials_command = Some(crate::config::CredentialsCommand {
            argv: vec!["vault".into()],
            program: "vault".into(),
            working_dir: ".".into(),
            timeout: std::time::Duration::from_secs(60),
        });
        let command_digest = config_digest(&with_command);
        assert_ne!(command_digest, before);
        with_command.credentials_file = false;
        assert_ne!(config_digest(&with_command), command_digest);
    }
}
