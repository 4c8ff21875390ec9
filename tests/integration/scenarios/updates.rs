//! A live instance that differs from its declaration (docs/plan.md §3): mutable fields
//! (an update, around a resume when paused), the upgrade to business-critical, immutable
//! fields (refused, or a replace with `allow_replace`, never with `prevent_destroy`),
//! and state (pause, resume).

use serde_json::json;

use super::{Scenario, Seed};

/// s03 and e03: memory and storage differ → update.
pub fn resize_running_instance() -> Scenario {
    Scenario::new(
        "  orders:
    memory: 16GB
    storage: 32GB
",
    )
    .seed(Seed::new("orders").id("2f49c2b3"))
    .actions("orders", &["update"])
}

/// s04 and e04: a paused instance is resumed for the resize, then paused again.
pub fn resize_paused_instance_resumes_then_pauses() -> Scenario {
    Scenario::new(
        "  orders:
    memory: 16GB
    state: paused
",
    )
    .seed(Seed::new("orders").id("2f49c2b3").paused())
    .actions("orders", &["resume", "update", "pause"])
    .steps("orders", &["resume", "update", "pause"])
    .count("resume", 1)
    .count("update", 1)
    .count("pause", 1)
}

/// e05: toggles, secondaries and CDC, on three instances (the CDC of `events` is
/// PATCHed on through the API first, so it is reported).
pub fn toggles_secondaries_and_cdc() -> Scenario {
    Scenario::new(
        "  search:
    memory: 8GB
    vector_optimized: true
    graph_analytics_plugin: true
  vdc:
    type: enterprise-db
    memory: 16GB
    secondaries_count: 2
    cdc_enrichment_mode: FULL
  events:
    type: business-critical
    memory: 8GB
    cdc_enrichment_mode: \"OFF\"
",
    )
    .seed(Seed::new("search"))
    .seed(Seed::new("vdc").ty("enterprise-db").memory("16GB"))
    .seed(
        Seed::new("events")
            .ty("business-critical")
            .patch(json!({"cdc_enrichment_mode": "DIFF"})),
    )
    .actions("search", &["update"])
    .actions("vdc", &["update"])
    .actions("events", &["update"])
    .count("update", 3)
}

/// s05: the in-process version of e05, on two instances: `vdc` is 8GB and reports its
/// secondaries and CDC as the API does for a fresh enterprise-db (0, `OFF`); there is
/// no `events`.
pub fn toggles_secondaries_and_cdc_on_two() -> Scenario {
    Scenario::new(
        "  search:
    memory: 8GB
    vector_optimized: true
    graph_analytics_plugin: true
  vdc:
    type: enterprise-db
    memory: 8GB
    secondaries_count: 2
    cdc_enrichment_mode: FULL
",
    )
    .seed(Seed::new("search").id("11111111"))
    .seed(
        Seed::new("vdc")
            .id("22222222")
            .ty("enterprise-db")
            .reported(json!({"secondaries_count": 0, "cdc_enrichment_mode": "OFF"})),
    )
    .actions("search", &["update"])
    .actions("vdc", &["update"])
}

/// s06 and e06: professional-db → business-critical is an upgrade in place. The
/// emulator run (e06) also has `billing`, which only upgrades; the in-process run (s06)
/// has `orders` only.
pub fn upgrade_professional_to_business_critical(with_billing: bool) -> Scenario {
    let mut instances = String::from(
        "  orders:
    type: business-critical
    memory: 16GB
",
    );
    if with_billing {
        instances.push_str(
            "  billing:
    type: business-critical
    memory: 16GB
",
        );
    }
    let sc = Scenario::new(instances)
        .seed(Seed::new("orders").id("2f49c2b3"))
        .actions("orders", &["upgrade", "update"])
        .steps("orders", &["upgrade", "update"])
        .count("replace", 0);
    if with_billing {
        sc.seed(Seed::new("billing").memory("16GB"))
            .actions("billing", &["upgrade"])
            .count("upgrade", 2)
    } else {
        sc
    }
}

/// e07: an immutable field differs without `allow_replace`: a located error.
pub fn region_change_is_refused_without_allow_replace() -> Scenario {
    Scenario::new(
        "  legacy:
    memory: 4GB
    region: europe-west2
",
    )
    .seed(Seed::new("legacy").memory("4GB"))
}

/// s07 and e08: with `allow_replace`, a replace (then the declared pause). The two runs
/// differ in `legacy`'s memory only: 8GB in-process (s07), 4GB on the emulator (e08).
pub fn region_change_with_allow_replace(memory: &'static str) -> Scenario {
    Scenario::new(format!(
        "  legacy:
    memory: {memory}
    region: europe-west2
    state: paused
    allow_replace: true
"
    ))
    .seed(Seed::new("legacy").id("2f49c2b3").memory(memory))
    .actions("legacy", &["replace", "pause"])
    .steps("legacy", &["delete", "create", "pause"])
    .count("replace", 1)
}

/// e09: never a replace with `prevent_destroy`.
pub fn prevent_destroy_refuses_an_immutable_change() -> Scenario {
    Scenario::new(
        "  vault:
    memory: 8GB
    cloud_provider: aws
    region: eu-west-1
    prevent_destroy: true
",
    )
    .seed(Seed::new("vault"))
}

/// s08 and e10: state differs → pause / resume.
pub fn pause_and_resume() -> Scenario {
    Scenario::new(
        "  nightly:
    memory: 8GB
    state: paused
  daytime:
    memory: 8GB
",
    )
    .seed(Seed::new("nightly").id("11111111"))
    .seed(Seed::new("daytime").id("22222222").paused())
    .actions("nightly", &["pause"])
    .actions("daytime", &["resume"])
}
