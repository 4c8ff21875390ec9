//! Hostile answers from the emulator's fault kinds (`truncated`, `html`,
//! `wrong-shape`, `empty`, `huge`, `stall`): each one is a clear, located error
//! (method, path, what was wrong; never the body, never a panic), a read is retried,
//! and a create whose answer is damaged is ambiguous: the executor lists the project,
//! finds what the create made, and reports the lost password with its remedy; the next
//! apply adopts the instance instead of creating it again.

use std::fmt::{self, Write as _};
use std::time::Duration;

use auraform::api::{ApiError, AuraClient, RetryPolicy};
use auraform::emulator::{EmulatorConfig, EmulatorHandle, FaultKind};
use serde_json::json;

use crate::support::cli::auraform;
use crate::support::client::{config_for, create_request, fast_emulator, spawn, wait_for};
use crate::support::emulator::{CLIENT_ID, CLIENT_SECRET, by_route, project_id, set_faults, stats};

const HOSTILE: [&str; 6] = ["truncated", "html", "wrong-shape", "empty", "huge", "stall"];

/// An error as the CLI prints it (`logging::report`: miette, no colour, ASCII, 80
/// columns).
struct Shown<'a>(&'a ApiError);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let handler = miette::MietteHandlerOpts::new()
            .color(false)
            .unicode(false)
            .terminal_links(false)
            .width(80)
            .build();
        miette::ReportHandler::debug(&handler, self.0, f)
    }
}

/// Ids, request ids and project ids vary by run; the shape of the message does not.
fn scrub(text: &str, emu: &EmulatorHandle, ids: &[&str]) -> String {
    // The emulator's port (always five digits from the ephemeral range, so the
    // wrapping of the message does not vary).
    let mut out = text
        .replace(&project_id(emu, "demo"), "[PROJECT]")
        .replace(&emu.base_url(), "[API]");
    for id in ids {
        out = out.replace(id, "[ID]");
    }
    // Request ids: 32 hex digits, `/`, a sequence number.
    let chars: Vec<char> = out.chars().collect();
    let mut scrubbed = String::new();
    let mut i = 0;
    while i < chars.len() {
        let hex = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit())
            .count();
        if hex == 32 && chars.get(i + 32) == Some(&'/') {
            let digits = chars[i + 33..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            scrubbed.push_str("[RID]");
            i += 33 + digits;
        } else {
            scrubbed.push(chars[i]);
            i += 1;
        }
    }
    scrubbed
}

fn quick(emu: &EmulatorHandle, attempts: usize, timeout: Duration) -> AuraClient {
    let mut config = config_for(emu);
    config.retry = RetryPolicy {
        max_attempts: attempts,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
        deadline: Duration::from_secs(30),
    };
    config.request_timeout = timeout;
    AuraClient::new(config).unwrap()
}

/// Every hostile kind on a read (`GET /v1/instances/{id}`), on the token endpoint,
/// and a stall past the request timeout: the exact errors the user sees, each one
/// after the read was sent again (the attempts counted by the emulator), none showing
/// a byte of the body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_answer_to_a_read_is_a_located_error_after_a_resend() {
    let emu = spawn(fast_emulator()).await;
    let setup = quick(&emu, 1, Duration::from_secs(10));
    let tenant = project_id(&emu, "demo");
    let created = setup
        .create_instance(&create_request(&tenant, "app"))
        .await
        .unwrap();
    let id = created.id.clone();
    let password = created.password.expose().to_owned();
    drop(created);
    wait_for(&setup, &id, &auraform::api::wire::InstanceStatus::Running).await;

    let mut shown = String::new();
    let route = "GET /v1/instances/{id}";
    for kind in HOSTILE {
        set_faults(
            &emu,
            json!({"fault_rate": 1.0, "kinds": [kind], "routes": [route], "stall_ms": 100, "seed": 5}),
        )
        .await;
        let before = by_route(&stats(&emu).await, route);
        let err = quick(&emu, 2, Duration::from_secs(10))
            .get_instance(&id)
            .await
            .unwrap_err();
        let text = Shown(&err).to_string();
        assert!(
            !text.contains("running") && !text.contains("europe-west1"),
            "{text}"
        );
        let sent = by_route(&stats(&emu).await, route) - before;
        // `huge` is refused at the cap and never read twice; the rest were resent.
        let expected = if kind == "huge" { 1 } else { 2 };
        assert_eq!(sent, expected, "{kind}: answers counted");
        writeln!(shown, "--- {kind}\n{}", scrub(&text, &emu, &[&id])).unwrap();
    }

    // A stall longer than the client's request timeout is a timeout.
    set_faults(
        &emu,
        json!({"fault_rate": 1.0, "kinds": ["stall"], "routes": [route], "stall_ms": 2000}),
    )
    .await;
    let err = quick(&emu, 1, Duration::from_millis(300))
        .get_instance(&id)
        .await
        .unwrap_err();
    writeln!(
        shown,
        "--- stall past the request timeout\n{}",
        scrub(&Shown(&err).to_string(), &emu, &[&id])
    )
    .unwrap();

    // The token endpoint: its answer is a secret, and never shown either.
    for kind in ["truncated", "wrong-shape", "empty"] {
        set_faults(
            &emu,
            json!({"fault_rate": 1.0, "kinds": [kind], "routes": ["POST /oauth/token"], "seed": 9}),
        )
        .await;
        let err = quick(&emu, 1, Duration::from_secs(10))
            .list_tenants()
            .await
            .unwrap_err();
        writeln!(
            shown,
            "--- token endpoint, {kind}\n{}",
            scrub(&Shown(&err).to_string(), &emu, &[])
        )
        .unwrap();
    }
    assert!(!shown.contains(&password));
    assert!(!shown.contains("access_token\":"), "{shown}");
    insta::assert_snapshot!("hostile_reads", shown);
    emu.shutdown().await;
}

/// A create whose answer is damaged in each hostile way happened all the same: the
/// apply reports it as ambiguous, finds the instance by listing the project, and says
/// the password is lost and how to recover (stderr and stdout as the user sees them);
/// the next apply adopts it. One instance, never two; no credentials file that is not
/// a real password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_with_a_hostile_answer_is_ambiguous_and_the_next_apply_adopts_it() {
    let runs = HOSTILE.map(|kind| async move { (kind, create_through_hostile_answer(kind).await) });
    let mut shown = String::new();
    for (kind, report) in futures::future::join_all(runs).await {
        writeln!(shown, "--- {kind}\n{report}").unwrap();
    }
    insta::assert_snapshot!("hostile_create", shown);
}

const APP: &str = "project: demo\ninstances:\n  app:\n    type: professional-db\n    cloud_provider: gcp\n    region: europe-west1\n    memory: 2GB\n";

async fn create_through_hostile_answer(kind: &str) -> String {
    let emu = spawn(EmulatorConfig {
        fault_rate: 1.0,
        fault_kinds: vec![FaultKind::parse(kind).unwrap()],
        fault_routes: vec!["POST /v1/instances".to_owned()],
        ..fast_emulator()
    })
    .await;
    set_faults(&emu, json!({"stall_ms": 100})).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("aura.yaml"), APP).unwrap();
    let run = || {
        auraform()
            .dir(dir.path())
            .args(["apply", "--auto-approve", "--poll-interval", "50ms"])
            .args(["--api-url", &emu.base_url()])
            .env("AURA_CLIENT_ID", CLIENT_ID)
            .env("AURA_CLIENT_SECRET", CLIENT_SECRET)
            .run_async()
    };
    let first = run().await;
    assert_eq!(first.code, 1, "{kind}: {}\n{}", first.stdout, first.stderr);
    let (stdout, stderr) = (first.stdout, first.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");

    let tenant = project_id(&emu, "demo");
    let client = quick(&emu, 1, Duration::from_secs(10));
    let live = client.list_instances(&tenant).await.unwrap();
    assert_eq!(live.len(), 1, "{kind}: {live:?}");
    let id = live[0].id.clone();
    // The credentials sink holds no file: there was no password to write.
    assert!(!dir.path().join(".auraform/credentials/app.env").exists());

    set_faults(&emu, json!({"fault_rate": 0.0})).await;
    let again = run().await;
    let again_out = again.stdout;
    assert_eq!(again.code, 0, "{kind}: {again_out}");
    assert!(again_out.contains("No changes."), "{kind}: {again_out}");
    assert_eq!(client.list_instances(&tenant).await.unwrap().len(), 1);
    let report = scrub(
        &format!("{}\n{}", report_part(&stdout), diagnostic_part(&stderr)),
        &emu,
        &[&id],
    );
    emu.shutdown().await;
    report
}

/// The final diagnostic on stderr (after the timestamped progress lines).
fn diagnostic_part(stderr: &str) -> &str {
    stderr.find("auraform::").map_or(stderr, |i| &stderr[i..])
}

/// The apply report at the end of stdout (after the plan).
fn report_part(stdout: &str) -> &str {
    stdout
        .find("\n  app  ")
        .map_or(stdout, |i| &stdout[i + 1..])
}
