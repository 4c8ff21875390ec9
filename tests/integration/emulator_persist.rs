//! `--state FILE`: the world survives a restart, operations in flight complete after the
//! reload, and a corrupt file is refused and left as it was.

use auraform::emulator::{Emulator, EmulatorConfig, EmulatorError, spawn};
use reqwest::StatusCode;
use serde_json::json;

use crate::emulator_support::{fast, start};

#[tokio::test]
async fn world_survives_restart_and_inflight_operations_complete() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join(".auraform").join("emulator.json");
    let config = EmulatorConfig {
        // Create takes 1.2 s: still in flight when the first emulator stops.
        speed: 100.0,
        state_file: Some(state.clone()),
        ..fast()
    };
    let emu = start(config.clone()).await;
    assert!(state.exists(), "the seeded world is written at start");
    let demo = emu.demo();
    let running = emu.running("kept", "professional-db", "2GB").await;
    let inflight = emu.create("inflight", "professional-db", "2GB").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = emu
        .patch(
            &format!("/v1/instances/{running}"),
            json!({"memory": "4GB"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    emu.handle.shutdown().await;

    let emu = start(config).await;
    assert_eq!(emu.demo(), demo, "project ids persist");
    let r = emu.get(&format!("/v1/instances/{inflight}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.data()["status"], "creating");
    assert_eq!(r.data()["name"], "inflight");
    emu.wait(&inflight, Some("running")).await;
    let resized = emu.wait(&running, Some("running")).await;
    assert_eq!(resized["memory"], "4GB");
    // New ids do not collide with old ones.
    let third = emu.create("third", "professional-db", "2GB").await;
    assert_ne!(third["id"], inflight.as_str());
    assert_ne!(third["id"], running.as_str());
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
