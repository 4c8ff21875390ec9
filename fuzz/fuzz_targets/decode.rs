//! Fuzzes what auraform reads from the Aura API: every answer shape the client decodes
//! (the `{"data": …}` envelopes of instances, lists, projects, the create response,
//! snapshots, sizing, metrics, and the bare token response), the three error body
//! shapes, and `Retry-After`. Any bytes must give a value or a short, one-line
//! description of what is wrong — never a panic, and never the body echoed back.
#![no_main]

use std::time::{Duration, SystemTime};

use auraform::api::client::decode_body;
use auraform::api::error::{parse_error_body, parse_retry_after};
use auraform::api::wire::{
    CreatedInstance, Envelope, Instance, InstanceSummary, MetricsIntegration, SizingResponse,
    Snapshot, SnapshotCreated, Tenant, TenantSummary, TokenResponse,
};
use auraform::api::ApiResponseError;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;

/// A decode failure is a short description, on one line.
fn check<T: DeserializeOwned>(body: &[u8]) {
    if let Err(what) = decode_body::<T>(body) {
        assert!(what.len() < 400, "{} chars", what.len());
        assert!(!what.contains('\n'), "one line");
    }
}

fuzz_target!(|data: &[u8]| {
    check::<Envelope<Instance>>(data);
    check::<Envelope<Vec<InstanceSummary>>>(data);
    check::<Envelope<Tenant>>(data);
    check::<Envelope<Vec<TenantSummary>>>(data);
    check::<Envelope<CreatedInstance>>(data);
    check::<Envelope<Vec<Snapshot>>>(data);
    check::<Envelope<SnapshotCreated>>(data);
    check::<Envelope<SizingResponse>>(data);
    check::<Envelope<MetricsIntegration>>(data);
    check::<TokenResponse>(data);

    // Error bodies: the fields are capped, and what is shown stays short.
    let (reason, message, field) = parse_error_body(data);
    for part in [&reason, &message, &field].into_iter().flatten() {
        assert!(part.chars().count() <= 501, "a field is capped");
        assert!(!part.chars().any(char::is_control));
    }
    let shown = ApiResponseError::from_body("GET", "/v1/x", 502, data, None).to_string();
    assert!(shown.len() < 2200, "{} chars", shown.len());

    // Retry-After: anything, never a panic.
    if let Ok(text) = std::str::from_utf8(data) {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let _ = parse_retry_after(text, now);
    }
});
