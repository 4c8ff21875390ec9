use std::collections::HashSet;
use std::time::Duration;

use super::*;
use crate::api::wire::CreateInstanceRequest;
use crate::api::{AuraClient, ClientConfig, Credentials};
use crate::apply::ApplyOptions;
use crate::apply::run::Run;
use crate::apply::schedule::StepEnd;
use crate::aura::{CloudProvider, InstanceType};
use crate::emulator::{EmulatorConfig, spawn};
use crate::units::Rate;

fn request(project: &str, name: &str) -> CreateInstanceRequest {
    CreateInstanceRequest {
        name: name.into(),
        version: "5".into(),
        region: "europe-west1".into(),
        memory: "2GB".into(),
        instance_type: InstanceType::ProfessionalDb,
        tenant_id: project.to_owned(),
        cloud_provider: CloudProvider::Gcp,
        storage: None,
        source_instance_id: None,
        source_snapshot_id: None,
        customer_managed_key_id: None,
        vector_optimized: None,
        graph_analytics_plugin: None,
    }
}

/// The branch the emulator cannot produce end to end (its faults strike before a
/// request is handled): the create went through but its answer was lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ambiguous_create_found_in_the_list_says_the_password_is_lost() {
    let rate = Rate::per_minute(6000);
    let emulator = spawn(EmulatorConfig {
        speed: 100.0,
        rate_limit: rate,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let mut config = ClientConfig::new(
        emulator.base_url(),
        Credentials::new("emulator", "emulator-secret"),
    );
    config.rate = rate;
    let client = AuraClient::new(config).unwrap();
    let project = emulator.project_id("demo").unwrap().to_owned();
    let created = client
        .create_instance(&request(&project, "maybe"))
        .await
        .unwrap();
    let id = created.id.clone();
    drop(created); // "lost"

    let dir = tempfile::tempdir().unwrap();
    let opts = ApplyOptions::new(dir.path());
    let known = HashSet::new();
    let run = Run {
        client: &client,
        project_id: &project,
        opts: &opts,
        pacing: client.poll_pacing(Duration::from_millis(50)),
        known: known.clone(),
    };
    let progress = opts.progress.instance("maybe");
    let known = Known {
        ids: &known,
        replaced: None,
    };
    let Resolution::Found(result) =
        resolve_ambiguous(&run, known, &progress, "maybe", "timed out").await
    else {
        panic!("not found");
    };
    assert_eq!(result.effects.created_id.as_deref(), Some(id.as_str()));
    let StepEnd::Failed(reason) = &result.end else {
        panic!("{result:?}");
    };
    assert!(reason.contains("password is lost"), "{reason}");
    let notes = result.effects.notes.join("\n");
    assert!(notes.contains(&format!("id {id}")), "{notes}");
    let remedy = result.effects.remedy.clone().unwrap_or_default();
    assert!(remedy.contains("reset its password"), "{remedy}");
    assert!(remedy.contains("will not create `maybe` again"), "{remedy}");
    emulator.shutdown().await;
}

#[test]
fn a_deleted_copys_file_is_removed_and_what_a_command_stored_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.env");
    std::fs::write(&path, "AURA_INSTANCE_ID=m1\nNEO4J_PASSWORD=x\n").unwrap();
    let delivery = Delivery {
        file: Some(path.clone()),
        command: Some("vault kv put".into()),
        command_stored: true,
        ..Delivery::default()
    };
    let notes = remove_credentials(Some(&delivery), "m1");
    assert!(!path.exists());
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains("its credentials file"), "{notes:?}");
    assert!(
        notes[1].starts_with("`vault kv put` stored the credentials of m1"),
        "{notes:?}"
    );
    // No file, no command: only the deletion is said.
    assert_eq!(
        remove_credentials(None, "m2"),
        vec!["This run's copy m2 was deleted.".to_owned()]
    );
}
