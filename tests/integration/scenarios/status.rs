//! Live status and presence: busy instances are waited for (docs/plan.md §4), one being
//! destroyed is recreated after it is gone, suspended or failed ones need a person (§5),
//! undeclared ones are unmanaged and deleted only with prune (§6), and fields the API
//! omits are never a diff (§7).

use serde_json::json;

use super::{Scenario, Seed};

/// e12: transitional or unknown statuses → wait first; an unknown status counts as busy,
/// and with nothing to do after it there is no change.
pub fn busy_instances_are_waited_for() -> Scenario {
    Scenario::new(
        "  orders:
    memory: 16GB
  search:
    memory: 8GB
  fresh:
    memory: 8GB
    state: paused
  quiet:
    memory: 8GB
",
    )
    .seed(Seed::new("orders").forced("updating"))
    .seed(Seed::new("search").forced("pausing"))
    .seed(Seed::new("fresh").forced("creating"))
    .seed(Seed::new("quiet").forced("resizing"))
    .actions("orders", &["wait", "update"])
    .actions("search", &["wait", "resume"])
    .actions("fresh", &["wait", "pause"])
    .unchanged("quiet")
    .count("wait", 3)
}

/// s10: e12 without `fresh` (the instance still being created).
pub fn busy_instances_are_waited_for_none_creating() -> Scenario {
    Scenario::new(
        "  orders:
    memory: 16GB
  search:
    memory: 8GB
  quiet:
    memory: 8GB
",
    )
    .seed(Seed::new("orders").id("11111111").forced("updating"))
    .seed(Seed::new("search").id("22222222").forced("pausing"))
    .seed(Seed::new("quiet").id("33333333").forced("resizing"))
    .actions("orders", &["wait", "update"])
    .actions("search", &["wait", "resume"])
    .unchanged("quiet")
}

/// s11 and e13: an instance being destroyed is waited for until gone, then created.
pub fn instance_being_destroyed_is_recreated_after_it_is_gone() -> Scenario {
    Scenario::new(
        "  orders:
    memory: 8GB
",
    )
    .seed(
        Seed::new("orders")
            .id("11111111")
            .forced("destroying")
            // The API omits memory while an instance is being deleted.
            .reported(json!({"memory": null})),
    )
    .actions("orders", &["wait", "create"])
    .steps("orders", &["wait", "create"])
}

/// s12 and e14: suspended / loading failed → needs a person, no action.
pub fn suspended_and_failed_instances_need_a_person() -> Scenario {
    Scenario::new(
        "  billing:
    memory: 16GB
  broken:
    memory: 8GB
",
    )
    .seed(Seed::new("billing").id("11111111").forced("suspended"))
    .seed(Seed::new("broken").id("22222222").forced("loading failed"))
    .changes(0)
    .attention(2)
}

/// s13 and e15: live, not declared → unmanaged.
pub fn unmanaged_instances_are_listed_without_prune() -> Scenario {
    Scenario::new(
        "  orders:
    memory: 8GB
",
    )
    .seed(Seed::new("orders").id("11111111"))
    .seed(Seed::new("scratch").id("deadbeef").memory("2GB"))
    .seed(
        Seed::new("old-poc")
            .id("cafef00d")
            .ty("free-db")
            .memory("1GB"),
    )
    .changes(0)
    .unmanaged(&["scratch", "old-poc"])
}

/// e16: `--prune` deletes unmanaged instances (a busy one after a wait) but never one
/// sharing a `prevent_destroy` instance's name.
pub fn prune_deletes_unmanaged_but_never_protected_names() -> Scenario {
    Scenario::new(
        "  orders:
    id: \"{id:orders}\"
    memory: 8GB
    prevent_destroy: true
",
    )
    .prune()
    .seed(Seed::new("orders"))
    .seed(Seed::new("scratch").memory("2GB"))
    .seed(Seed::new("busy-scratch").memory("2GB").forced("updating"))
    .seed(Seed::new("orders-twin").named("orders").memory("2GB"))
    .actions("scratch", &["delete"])
    .actions("busy-scratch", &["wait", "delete"])
    .unchanged("orders")
    .count("delete", 2)
    .unmanaged(&["orders"])
}

/// s14: e16 with `prune: true` in the file instead of the flag, a different creation
/// order, and 8GB instances.
pub fn prune_in_the_file_deletes_unmanaged_but_never_protected_names() -> Scenario {
    Scenario::new(
        "  orders:
    id: \"{id:orders}\"
    memory: 8GB
    prevent_destroy: true
",
    )
    .top("prune: true\n")
    .seed(Seed::new("orders").id("11111111"))
    .seed(Seed::new("busy-scratch").id("44444444").forced("updating"))
    .seed(Seed::new("scratch").id("deadbeef"))
    .seed(Seed::new("orders-twin").named("orders").id("22222222"))
    .actions("scratch", &["delete"])
    .actions("busy-scratch", &["wait", "delete"])
    .unmanaged(&["orders"])
}

/// e17: free-db reports no storage, professional-ds no graph_analytics_plugin, no tier
/// reports `version` (declared "5" here), and business-critical reports CDC, which
/// aura.yaml leaves alone when it does not set it.
pub fn fields_the_api_omits_are_never_a_diff() -> Scenario {
    Scenario::new(
        "  sandbox:
    type: free-db
    memory: 1GB
  analytics:
    type: professional-ds
    memory: 16GB
  orders:
    memory: 8GB
    version: \"5\"
  events:
    type: business-critical
    memory: 8GB
",
    )
    .seed(Seed::new("sandbox").ty("free-db").memory("1GB"))
    .seed(Seed::new("analytics").ty("professional-ds").memory("16GB"))
    .seed(Seed::new("orders"))
    .seed(Seed::new("events").ty("business-critical"))
    .changes(0)
    .count("unchanged", 4)
}
