//! Unit tests of the client's pure parts: URL rules, path segments, the auth-refusal
//! rule, the response cap, and every fixture through the decoder.

use super::DEFAULT_MAX_RESPONSE_BYTES;
use super::decode::{decode_data, lenient_instance};
use super::exchange::{Call, Raw};
use super::operations::looks_like_uuid;
use super::transport::is_auth_refusal;
use super::url::{normalise_base_url, segment};
use crate::api::error::{ApiError, ApiResponseError};
use crate::api::wire::{
    CreatedInstance, Envelope, Instance, InstanceSummary, MetricsIntegration, Snapshot, Tenant,
    TenantSummary, TokenResponse,
};

#[test]
fn base_urls() {
    assert_eq!(
        normalise_base_url("https://api.neo4j.io").unwrap(),
        "https://api.neo4j.io"
    );
    assert_eq!(
        normalise_base_url("https://api.neo4j.io/v1/").unwrap(),
        "https://api.neo4j.io"
    );
    assert_eq!(
        normalise_base_url("http://127.0.0.1:8787").unwrap(),
        "http://127.0.0.1:8787"
    );
    assert!(normalise_base_url("http://localhost:1/").is_ok());
    assert!(normalise_base_url("http://[::1]:1/").is_ok());
    for bad in [
        "http://api.neo4j.io",
        "http://10.0.0.1",
        "ftp://api.neo4j.io",
        "api.neo4j.io",
        "https://api.neo4j.io/?x=1",
    ] {
        assert!(
            matches!(normalise_base_url(bad), Err(ApiError::InvalidUrl { .. })),
            "{bad}"
        );
    }
    let err = normalise_base_url("https://id:hunter2@api.neo4j.io").unwrap_err();
    assert!(!err.to_string().contains("hunter2"));
}

#[test]
fn segments_and_uuids() {
    assert_eq!(segment("2f49c2b3"), "2f49c2b3");
    assert_eq!(segment("../x?y"), "..%2Fx%3Fy");
    assert!(looks_like_uuid("6981ace7-efe8-4f5c-b7c5-267b5162ce91"));
    assert!(!looks_like_uuid("demo"));
    assert!(!looks_like_uuid("6981ace7-efe8-4f5c-b7c5-267b5162ce9"));
}

#[test]
fn auth_refusals() {
    let raw = |status, body: &str| Raw {
        status,
        body: body.as_bytes().to_vec(),
        request_id: None,
        retry_after: None,
    };
    assert!(is_auth_refusal(&raw(401, "")));
    assert!(is_auth_refusal(&raw(403, "")));
    assert!(is_auth_refusal(&raw(
        403,
        r#"{"error":"Key not authorised"}"#
    )));
    assert!(is_auth_refusal(&raw(
        403,
        r#"{"errors":[{"message":"The access token has expired","reason":"forbidden"}]}"#
    )));
    assert!(!is_auth_refusal(&raw(
        403,
        r#"{"errors":[{"message":"You do not have permission for this project","reason":"forbidden"}]}"#
    )));
    assert!(!is_auth_refusal(&raw(404, "")));
}

/// The biggest real answer (a project offering every tier everywhere, as the
/// emulator's `demo`) must sit far below the response cap.
#[test]
fn response_cap_has_headroom() {
    let tenant = Tenant {
        id: "6981ace7-efe8-4f5c-b7c5-267b5162ce91".to_owned(),
        name: "demo".to_owned(),
        instance_configurations: crate::aura::catalogue::configurations(
            crate::api::wire::InstanceType::KNOWN,
        ),
    };
    let bytes = serde_json::to_vec(&Envelope { data: tenant })
        .unwrap()
        .len();
    eprintln!("demo tenant body: {bytes} bytes");
    assert!(bytes * 8 < DEFAULT_MAX_RESPONSE_BYTES, "{bytes}");
}

/// Every fixture of a shape auraform reads parses into its wire type.
#[test]
fn fixtures_parse() {
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/aura-api"
    ));
    let entries = std::fs::read_dir(dir).unwrap();
    let raw = |name: &str| Raw {
        status: 200,
        body: std::fs::read(dir.join(name)).unwrap(),
        request_id: None,
        retry_after: None,
    };
    let call = Call::get("/v1/x".to_owned());
    let mut seen = 0;
    for entry in entries {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if std::path::Path::new(&name)
            .extension()
            .is_none_or(|e| e != "json")
        {
            continue; // e.g. the official spec, which the emulator's tests read
        }
        let r = raw(&name);
        let ok = match name.as_str() {
            "instance-create-free-db.202.json" => {
                let c: CreatedInstance = decode_data(&call, &r).unwrap();
                assert!(!format!("{c:?}").contains("letMeIn123!"));
                true
            }
            n if n.starts_with("instance-get")
                || n == "instance-overwrite.202.json"
                || n == "instance-patch-memory.202.json"
                || n == "instance-pause.202.json" =>
            {
                decode_data::<Instance>(&call, &r).is_ok() && lenient_instance(&r).is_some()
            }
            "instances-list.200.json" => decode_data::<Vec<InstanceSummary>>(&call, &r).is_ok(),
            "oauth-token.200.json" => serde_json::from_slice::<TokenResponse>(&r.body).is_ok(),
            "snapshot-get.200.json" => decode_data::<Snapshot>(&call, &r).is_ok(),
            "tenant-get.200.json" => decode_data::<Tenant>(&call, &r).is_ok(),
            "tenant-metrics-integration.200.json" => {
                decode_data::<MetricsIntegration>(&call, &r).is_ok()
            }
            "tenants-list.200.json" => decode_data::<Vec<TenantSummary>>(&call, &r).is_ok(),
            n if n.starts_with("error-") => {
                let e = ApiResponseError::from_body("GET", "/v1/x", 400, &r.body, None);
                e.message.is_some()
            }
            // CMK and graph-analytics sessions are not used by auraform; they must
            // at least be well-formed envelopes.
            _ => serde_json::from_slice::<Envelope<serde_json::Value>>(&r.body).is_ok(),
        };
        assert!(ok, "{name}");
        seen += 1;
    }
    assert!(seen >= 18, "{seen}");
}
