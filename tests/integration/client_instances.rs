//! The less common operations against the emulator: rename (200), upgrade,
//! overwrite (and its 500 that must not be resent), snapshots, sizing, 420.

use std::time::Duration;

use auraform::api::wire::{
    CloudProvider, InstanceStatus, InstanceType, OverwriteRequest, PatchInstanceRequest,
    SizingRequest, SnapshotStatus, UpgradeRequest,
};
use miette::Diagnostic;

use crate::support::client::{client_for, create_request, fast_emulator, spawn, wait_for};
use crate::support::emulator::{by_route, project_id, stats};

#[tokio::test]
async fn rename_upgrade_overwrite_snapshots_and_sizing() {
    let emu = spawn(fast_emulator()).await;
    let client = client_for(&emu);
    let demo = project_id(&emu, "demo");
    let small = client
        .create_instance(&create_request(&demo, "small"))
        .await
        .unwrap();
    let mut big_request = create_request(&demo, "big");
    big_request.memory = "8GB".to_owned();
    big_request.storage = Some("16GB".to_owned());
    let big = client.create_instance(&big_request).await.unwrap();
    wait_for(&client, &small.id, &InstanceStatus::Running).await;
    wait_for(&client, &big.id, &InstanceStatus::Running).await;

    // Rename: answered at once with the instance.
    let renamed = client
        .patch_instance(
            &small.id,
            &PatchInstanceRequest {
                name: Some("smaller".to_owned()),
                ..PatchInstanceRequest::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renamed.name, "smaller");

    // Overwrite a smaller instance from a bigger one: the API's 500 is a refusal,
    // reported once and not resent.
    let err = client
        .overwrite_instance(
            &small.id,
            &OverwriteRequest {
                source_instance_id: big.id.clone(),
                source_snapshot_id: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500), "{err:?}");
    assert_eq!(
        err.code().unwrap().to_string(),
        "auraform::api::server_error"
    );
    let s = stats(&emu).await;
    assert_eq!(by_route(&s, "POST /v1/instances/{id}/overwrite"), 1, "{s}");
    // The other way round works.
    let overwriting = client
        .overwrite_instance(
            &big.id,
            &OverwriteRequest {
                source_instance_id: small.id.clone(),
                source_snapshot_id: None,
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(overwriting.status, InstanceStatus::Overwriting);
    wait_for(&client, &big.id, &InstanceStatus::Running).await;

    // Snapshots: take, poll, list, restore in place.
    let sid = client.create_snapshot(&small.id).await.unwrap();
    let mut done = false;
    for _ in 0..400 {
        let snap = client.get_snapshot(&small.id, &sid).await.unwrap().unwrap();
        if snap.status == SnapshotStatus::Completed {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(done, "snapshot never completed");
    let listed = client.list_snapshots(&small.id, None).await.unwrap();
    assert!(listed.iter().any(|s| s.snapshot_id == sid));
    assert!(
        client
            .get_snapshot(&small.id, "nope")
            .await
            .unwrap()
            .is_none()
    );
    let restoring = client
        .restore_snapshot(&small.id, &sid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(restoring.status, InstanceStatus::Restoring);
    wait_for(&client, &small.id, &InstanceStatus::Running).await;

    // Upgrade professional-db to business-critical, in place.
    let upgraded = client
        .upgrade_instance(&small.id, &UpgradeRequest::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(upgraded.instance_type, InstanceType::BusinessCritical);

    // Sizing (a POST that is a pure computation).
    let sizing = client
        .sizing(&SizingRequest {
            node_count: 1_000_000,
            relationship_count: 5_000_000,
            instance_type: Some(InstanceType::ProfessionalDs),
            algorithm_categories: vec![],
        })
        .await
        .unwrap();
    assert!(sizing.recommended_size.ends_with("GB"));
    emu.shutdown().await;
}

/// Free instances cannot be overwritten: 420 with its own code and help.
#[tokio::test]
async fn overwrite_on_free_is_unsupported_for_tier() {
    let emu = spawn(fast_emulator()).await;
    let client = client_for(&emu);
    let free = project_id(&emu, "free-only");
    let mut request = create_request(&free, "free");
    request.instance_type = InstanceType::FreeDb;
    request.memory = "1GB".to_owned();
    request.storage = None;
    request.cloud_provider = CloudProvider::Gcp;
    let created = client.create_instance(&request).await.unwrap();
    let err = client
        .overwrite_instance(
            &created.id,
            &OverwriteRequest {
                source_instance_id: created.id.clone(),
                source_snapshot_id: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(420), "{err:?}");
    assert_eq!(
        err.code().unwrap().to_string(),
        "auraform::api::unsupported_for_tier"
    );
    emu.shutdown().await;
}
