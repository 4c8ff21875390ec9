//! Declared, not live: create, then the PATCH-only fields, then pause (docs/plan.md §3);
//! and nothing to do.

use super::{Scenario, Seed};

/// s01 and e01. The emulator run (e01) also declares `vdc`, whose secondaries are a
/// PATCH after the create; the in-process run (s01) declares the other four only.
pub fn empty_project_creates_everything(with_vdc: bool) -> Scenario {
    let mut instances = String::from(
        "  orders:
    memory: 8GB
    storage: 16GB
  analytics:
    type: professional-ds
    memory: 16GB
    state: paused
  sandbox:
    type: free-db
    memory: 1GB
  events:
    type: business-critical
    memory: 32GB
    cdc_enrichment_mode: DIFF
",
    );
    if with_vdc {
        instances.push_str(
            "  vdc:
    type: enterprise-db
    memory: 16GB
    secondaries_count: 2
",
        );
    }
    let sc = Scenario::new(instances)
        .actions("orders", &["create"])
        .actions("analytics", &["create", "pause"])
        .steps("analytics", &["create", "pause"])
        // CDC and secondaries cannot be sent on create: a PATCH follows.
        .steps("events", &["create", "update"])
        .count("pause", 1);
    if with_vdc {
        sc.steps("vdc", &["create", "update"]).count("create", 5)
    } else {
        sc.count("create", 4)
    }
}

/// s02 and e02.
pub fn no_changes() -> Scenario {
    Scenario::new(
        "  orders:
    memory: 8GB
  archive:
    memory: 4GB
    state: paused
",
    )
    .seed(Seed::new("orders").id("2f49c2b3"))
    .seed(Seed::new("archive").id("a1b2c3d4").memory("4GB").paused())
    .changes(0)
    .count("unchanged", 2)
}
