//! A full lifecycle at the most verbose log level, with the log captured: neither
//! the client secret, nor a token, nor the instance password may appear in it, nor
//! in any error's Display/Debug/diagnostic rendering.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex};

use auraform::api::wire::{InstanceStatus, PatchInstanceRequest};
use auraform::api::{ApiError, AuraClient, Credentials};
use base64::Engine as _;

use crate::support::client::{
    client_for, config_for, create_request, fast_emulator, spawn, wait_for,
};
use crate::support::emulator::{CLIENT_ID, CLIENT_SECRET};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs of the token alphabet (URL-safe base64) at least 40 long: the emulator's
/// tokens are 43 such characters; request ids (32 hex + `/n`) are shorter.
fn token_like_runs(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| w.len() >= 40)
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "current_thread")]
async fn full_cycle_at_trace_level_leaks_no_secret() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "trace,auraform::emulator=off",
        ))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emu = spawn(fast_emulator()).await;
    let client = client_for(&emu);
    let mut errors: Vec<ApiError> = Vec::new();

    let tenant = client.resolve_project("demo").await.unwrap();
    client.list_instances(&tenant.id).await.unwrap();
    let created = client
        .create_instance(&create_request(&tenant.id, "cycle"))
        .await
        .unwrap();
    let password = created.password.expose().to_owned();
    assert!(password.len() >= 8);
    // Busy right after create (or not, if the emulator was quick): either is fine.
    if let Err(e) = client.pause_instance(&created.id).await {
        errors.push(e);
    }
    wait_for(&client, &created.id, &InstanceStatus::Running).await;
    client.get_instance(&created.id).await.unwrap().unwrap();
    let patch = PatchInstanceRequest {
        memory: Some("8GB".to_owned()),
        storage: Some("16GB".to_owned()),
        ..PatchInstanceRequest::default()
    };
    client.patch_instance(&created.id, &patch).await.unwrap();
    wait_for(&client, &created.id, &InstanceStatus::Running).await;
    client.pause_instance(&created.id).await.unwrap();
    wait_for(&client, &created.id, &InstanceStatus::Paused).await;
    client.resume_instance(&created.id).await.unwrap();
    wait_for(&client, &created.id, &InstanceStatus::Running).await;
    client.delete_instance(&created.id).await.unwrap();
    for _ in 0..400 {
        if client.get_instance(&created.id).await.unwrap().is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(client.get_instance(&created.id).await.unwrap().is_none());
    client.delete_instance(&created.id).await.unwrap(); // 404 = done

    // Errors of several kinds, to check their renderings too.
    errors.push(client.get_tenant("no-such-tenant").await.unwrap_err());
    errors.push(client.resolve_project("nope").await.unwrap_err());
    let mut bad = config_for(&emu);
    bad.credentials = Credentials::new(CLIENT_ID, "not-the-secret-91ab");
    errors.push(
        AuraClient::new(bad)
            .unwrap()
            .list_tenants()
            .await
            .unwrap_err(),
    );
    emu.shutdown().await;

    let mut text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("aura api"), "the request log is captured");
    assert!(text.contains("/v1/instances"), "paths are logged");
    for e in errors {
        writeln!(text, "\n{e}\n{e:?}").unwrap();
        writeln!(text, "{:?}", miette::Report::new(e)).unwrap();
    }
    write!(text, "{client:?}").unwrap();
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    for secret in [
        CLIENT_SECRET,
        "not-the-secret-91ab",
        password.as_str(),
        basic.as_str(),
    ] {
        assert!(
            !text.contains(secret),
            "a secret leaked into the log or an error"
        );
    }
    assert_eq!(
        token_like_runs(&text),
        Vec::<String>::new(),
        "a token leaked"
    );
}
