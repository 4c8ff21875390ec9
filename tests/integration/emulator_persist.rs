//! `--state FILE`: the world survives a restart, operations in flight complete after the
//! reload, and a corrupt file is refused and left as it was.

use std::time::Duration;

use auraform::emulator::{Emulator, EmulatorConfig, EmulatorError, spawn};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::emulator::{fast, start};

/// Under tokio's paused time (the lifecycle clock follows it) so that "still in flight at
/// restart" and "completes after reload" are exact, whatever the machine's load.
#[tokio::test(start_paused = true)]
async fn world_survives_restart_and_inflight_operations_complete() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join(".auraform").join("emulator.json");
    let config = EmulatorConfig {
        speed: 1.0,
        state_file: Some(state.clone()),
        ..fast()
    };
    let emu = start(config.clone()).await;
    assert!(state.exists(), "the seeded world is written at start");
    let demo = emu.demo();
    let kept = emu.create("kept", "professional-db", "2GB").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    tokio::time::advance(Duration::from_secs(121)).await;
    assert_eq!(
        emu.get(&format!("/v1/instances/{kept}")).await.data()["status"],
        "running"
    );
    let inflight = emu.create("inflight", "professional-db", "2GB").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = emu
        .patch(&format!("/v1/instances/{kept}"), json!({"memory": "4GB"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    // An acknowledged change is on disk before the response, without any shutdown.
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(
        saved.contains(&inflight) && saved.contains("\"update\""),
        "{saved}"
    );
    assert!(!saved.contains(&emu.token), "tokens are not persisted");
    emu.handle.shutdown().await;

    let emu = start(config).await;
    assert_eq!(emu.demo(), demo, "project ids persist");
    let r = emu.get(&format!("/v1/instances/{inflight}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.data()["status"], "creating");
    assert_eq!(r.data()["name"], "inflight");
    let r = emu.get(&format!("/v1/instances/{kept}")).await;
    assert_eq!(r.data()["status"], "updating");
    assert_eq!(r.data()["memory"], "2GB");
    // Due times were saved on the first run's clock, which paused time had moved 121 s
    // ahead of the wall clock: the create is due ~241 s after the start, the resize ~211 s.
    tokio::time::advance(Duration::from_secs(250)).await;
    let r = emu.get(&format!("/v1/instances/{inflight}")).await;
    assert_eq!(r.data()["status"], "running");
    let r = emu.get(&format!("/v1/instances/{kept}")).await;
    assert_eq!(r.data()["status"], "running");
    assert_eq!(r.data()["memory"], "4GB");
    // New ids do not collide with old ones.
    let third = emu.create("third", "professional-db", "2GB").await;
    assert_ne!(third["id"], inflight.as_str());
    assert_ne!(third["id"], kept.as_str());
    emu.handle.shutdown().await;
}

#[tokio::test]
async fn corrupt_state_file_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("emulator.json");
    for content in ["{not json", "{\"format_version\": 99}", "[]"] {
        std::fs::write(&state, content).unwrap();
        let config = EmulatorConfig {
            state_file: Some(state.clone()),
            ..fast()
        };
        let Err(err) = spawn(config.clone()).await else {
            panic!("a corrupt state file was accepted: {content}");
        };
        assert!(matches!(err, EmulatorError::StateCorrupt { .. }), "{err:?}");
        let shown = err.to_string();
        assert!(shown.contains("emulator.json"), "{shown}");
        assert!(Emulator::new(config).is_err());
        assert_eq!(std::fs::read_to_string(&state).unwrap(), content);
    }
}

#[tokio::test]
async fn seeded_worlds_are_deterministic() {
    let a = start(fast()).await;
    let b = start(fast()).await;
    assert_eq!(a.demo(), b.demo());
    let ia = a.create("x", "professional-db", "2GB").await;
    let ib = b.create("x", "professional-db", "2GB").await;
    assert_eq!(ia["id"], ib["id"]);
    assert_eq!(ia["password"], ib["password"]);
    let c = start(EmulatorConfig {
        seed: Some(2),
        ..fast()
    })
    .await;
    assert_ne!(a.demo(), c.demo());
    a.handle.shutdown().await;
    b.handle.shutdown().await;
    c.handle.shutdown().await;
}
