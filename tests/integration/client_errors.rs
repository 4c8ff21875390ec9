//! Error answers as the client reports them: status, reason, message, field and
//! request id from each body shape the emulator produces (standard, gateway, and
//! graph-analytics), the stable code and a help line; and the answers that are not
//! errors for the caller (404 on GET/DELETE, metrics integration unavailable).

#![allow(clippy::unwrap_used)] // test code: a failure is a test failure

use auraform::api::wire::InstanceType;
use auraform::api::{ApiError, ApiResponseError, AuraClient, RetryPolicy};
use auraform::emulator::EmulatorConfig;
use auraform::units::Rate;
use miette::Diagnostic;

use crate::support::client::{client_for, config_for, create_request, fast_emulator, spawn};
use crate::support::emulator::{CLIENT_ID, CLIENT_SECRET, project_id, token_at};

fn response(err: &ApiError) -> &ApiResponseError {
    err.response()
        .unwrap_or_else(|| panic!("not an API answer: {err:?}"))
}

#[tokio::test]
async fn standard_shape_with_reason_message_field_and_request_id() {
    let emu = spawn(fast_emulator()).await;
    let client = client_for(&emu);

    let err = client
        .get_tenant("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    let r = response(&err);
    assert_eq!(r.status, 404);
    assert_eq!(r.reason.as_deref(), Some("tenant-not-found"));
    assert!(r.message.is_some());
    let request_id = r.request_id.clone().unwrap();
    assert!(request_id.contains('/'), "{request_id}");
    assert_eq!(err.code().unwrap().to_string(), "auraform::api::not_found");
    assert!(err.help().is_some());
    assert!(err.to_string().contains(&request_id));

    let mut bad = create_request(&project_id(&emu, "demo"), "bc");
    bad.instance_type = InstanceType::BusinessCritical;
    bad.graph_analytics_plugin = Some(true);
    let err = client.create_instance(&bad).await.unwrap_err();
    let r = response(&err);
    assert_eq!(r.status, 400);
    assert_eq!(r.field.as_deref(), Some("graph_analytics_plugin"));
    assert!(
        err.to_string().contains("graph_analytics_plugin: "),
        "{err}"
    );
    assert_eq!(
        err.code().unwrap().to_string(),
        "auraform::api::bad_request"
    );
    emu.shutdown().await;
}

/// The gateway's `{"error": …}` on a 429, when retries are off.
#[tokio::test]
async fn gateway_shape() {
    let emu = spawn(EmulatorConfig {
        rate_limit: Rate::per_minute(2),
        ..fast_emulator()
    })
    .await;
    let mut config = config_for(&emu);
    config.retry = RetryPolicy::none();
    let client = AuraClient::new(config).unwrap();
    client.list_tenants().await.unwrap(); // token + 1: the budget is spent
    let err = client.list_tenants().await.unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    let r = response(&err);
    assert_eq!(r.reason, None);
    assert_eq!(r.message.as_deref(), Some("API rate limit exceeded"));
    assert_eq!(
        err.code().unwrap().to_string(),
        "auraform::api::rate_limited"
    );
    assert_eq!(client.counts().rate_limited, 1);
    emu.shutdown().await;
}

/// The graph-analytics shape (`data: null`, `id`, empty `reason`): auraform has no
/// method for sessions, so the body is fetched by hand and given to the parser.
#[tokio::test]
async fn graph_analytics_shape() {
    let emu = spawn(fast_emulator()).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let token = token_at(&emu.base_url(), CLIENT_ID, CLIENT_SECRET).await;
    let answer = http
        .get(format!(
            "{}/v1/graph-analytics/sessions/s-0000",
            emu.base_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let body = answer.bytes().await.unwrap();
    assert!(body.starts_with(b"{\"data\":null"), "{body:?}");
    let r = ApiResponseError::from_body(
        "GET",
        "/v1/graph-analytics/sessions/s-0000",
        status,
        &body,
        None,
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.reason, None);
    assert!(r.message.unwrap().contains("s-0000"));
    emu.shutdown().await;
}

#[tokio::test]
async fn answers_that_are_not_errors() {
    let emu = spawn(fast_emulator()).await;
    let client = client_for(&emu);
    assert!(client.get_instance("0badc0de").await.unwrap().is_none());
    client.delete_instance("0badc0de").await.unwrap();
    // The demo project has no business-critical or VDC instance yet.
    let demo = project_id(&emu, "demo");
    assert!(client.metrics_integration(&demo).await.unwrap().is_none());
    emu.shutdown().await;
}
