//! Projects by id or exact name, and the live snapshot's request count.

use auraform::api::ApiError;

use crate::support::client::{client_for, create_request, fast_emulator, spawn};
use crate::support::emulator::{by_route, project_id, stats};

#[tokio::test]
async fn project_by_exact_name_lists_then_gets() {
    let emu = spawn(fast_emulator()).await;
    let client = client_for(&emu);
    let tenant = client.resolve_project("demo").await.unwrap();
    assert_eq!(tenant.id, project_id(&emu, "demo"));
    assert!(!tenant.instance_configurations.is_empty());
    let s = stats(&emu).await;
    assert_eq!(by_route(&s, "GET /v1/tenants"), 1, "{s}");
    assert_eq!(by_route(&s, "GET /v1/tenants/{tenant_id}"), 1, "{s}");
    emu.shutdown().await;
}

#[tokio::test]
async fn project_by_uuid_does_not_list() {
    let emu = spawn(fast_emulator()).await;
    let client = client_for(&emu);
    let id = project_id(&emu, "free-only");
    let tenant = client.resolve_project(&id).await.unwrap();
    assert_eq!(tenant.name, "free-only");
    let s = stats(&emu).await;
    assert_eq!(by_route(&s, "GET /v1/tenants"), 0, "{s}");
    emu.shutdown().await;
}

#[tokio::test]
async fn unknown_project_lists_the_available_ones() {
    let emu = spawn(fast_emulator()).await;
    let client = client_for(&emu);
    let err = client.resolve_project("Demo").await.unwrap_err();
    assert!(matches!(err, ApiError::ProjectNotFound { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.contains("demo (") && shown.contains("free-only ("),
        "{shown}"
    );
    // A UUID that does not exist falls back to the list, then reports.
    let err = client
        .resolve_project("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::ProjectNotFound { .. }), "{err:?}");
    emu.shutdown().await;
}

/// tenants + tenant + list + one GET per relevant instance (token cached), nothing more.
#[tokio::test]
async fn snapshot_costs_the_minimum() {
    let emu = spawn(fast_emulator()).await;
    let client = client_for(&emu);
    let tenant_id = project_id(&emu, "demo");
    for name in ["a", "b", "c"] {
        client
            .create_instance(&create_request(&tenant_id, name))
            .await
            .unwrap();
    }
    let before = stats(&emu).await;
    let sent_before = client.counts().requests;

    let snap = client
        .fetch_project("demo", |s| s.name == "a" || s.name == "c")
        .await
        .unwrap();
    assert_eq!(snap.summaries.len(), 3);
    let mut names: Vec<_> = snap.instances.iter().map(|i| i.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["a", "c"]);

    let after = stats(&emu).await;
    let delta = |route| by_route(&after, route) - by_route(&before, route);
    assert_eq!(delta("GET /v1/tenants"), 1);
    assert_eq!(delta("GET /v1/tenants/{tenant_id}"), 1);
    assert_eq!(delta("GET /v1/instances"), 1);
    assert_eq!(delta("GET /v1/instances/{id}"), 2);
    assert_eq!(client.counts().requests - sent_before, 5);
    emu.shutdown().await;
}
