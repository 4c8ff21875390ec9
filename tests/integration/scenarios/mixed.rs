//! `ignore_changes` (docs/plan.md §8), clones (§10), values too long for one line, and
//! plans mixing every kind of change.

use serde_json::json;

use super::{Scenario, Seed};

/// e18: `ignore_changes` suppresses exactly its field: a memory drift is ignored, a
/// toggle beside it is not, an ignored region is no refusal, and an ignored state still
/// lets a resize resume the instance (then pause it again).
pub fn ignore_changes_suppresses_exactly_its_field() -> Scenario {
    Scenario::new(
        "  search:
    memory: 8GB
    ignore_changes: [memory]
  tuned:
    memory: 8GB
    vector_optimized: true
    ignore_changes: [memory]
  flexible:
    memory: 16GB
    state: paused
    ignore_changes: [state, region]
",
    )
    .seed(Seed::new("search").memory("32GB"))
    .seed(Seed::new("tuned").memory("32GB"))
    .seed(
        Seed::new("flexible")
            .create(json!({"region": "us-east1"}))
            .paused(),
    )
    .unchanged("search")
    .actions("tuned", &["update"])
    .fields("tuned", &["vector_optimized"])
    .actions("flexible", &["resume", "update", "pause"])
}

/// s16: e18 without `tuned`.
pub fn ignore_changes_is_never_reverted() -> Scenario {
    Scenario::new(
        "  search:
    memory: 8GB
    ignore_changes: [memory]
  flexible:
    memory: 16GB
    state: paused
    ignore_changes: [state, region]
",
    )
    .seed(Seed::new("search").id("11111111").memory("32GB"))
    .seed(
        Seed::new("flexible")
            .id("22222222")
            .create(json!({"region": "us-east1"}))
            .paused(),
    )
    .unchanged("search")
    .actions("flexible", &["resume", "update", "pause"])
}

/// s19 and e21: every kind of change at once, `prune: true` in the file (e16 uses the
/// flag). `orders-copy` is as large as `orders` becomes: a clone smaller than its
/// source is refused at plan time (plan_rules).
pub fn mixed_plan() -> Scenario {
    Scenario::new(
        "  orders:
    memory: 16GB
    prevent_destroy: true
  analytics:
    type: professional-ds
    memory: 16GB
    state: paused
  events:
    type: business-critical
    memory: 32GB
    cdc_enrichment_mode: DIFF
  search:
    memory: 8GB
    vector_optimized: true
    ignore_changes: [memory]
  orders-copy:
    memory: 16GB
    source: { instance: orders }
  legacy:
    memory: 4GB
    region: europe-west2
    allow_replace: true
  renamed:
    id: \"{id:renamed}\"
    memory: 8GB
  billing:
    memory: 8GB
",
    )
    .top("prune: true\n")
    .seed(Seed::new("orders").id("11111111").paused())
    .seed(
        Seed::new("analytics")
            .id("22222222")
            .ty("professional-ds")
            .memory("16GB"),
    )
    .seed(Seed::new("events").id("33333333").memory("32GB"))
    .seed(Seed::new("search").id("44444444").memory("4GB"))
    .seed(Seed::new("legacy").id("2f49c2b3").memory("4GB"))
    .seed(Seed::new("billing").id("55555555").forced("suspended"))
    .seed(Seed::new("renamed").named("renamed-old").id("66666666"))
    .seed(Seed::new("scratch").id("deadbeef").memory("2GB"))
    .actions("orders", &["resume", "update"])
    .actions("analytics", &["pause"])
    // The upgrade is followed by the PATCH of CDC, which professional-db did not have.
    .actions("events", &["upgrade", "update"])
    .actions("search", &["update"])
    .actions("orders-copy", &["create"])
    .actions("legacy", &["replace"])
    .actions("renamed", &["update"])
    .actions("scratch", &["delete"])
    .unchanged("billing")
    .attention(1)
}

/// e22: a clone of a live instance, and a clone of one created (and paused) in the same
/// plan.
pub fn clones_of_a_live_instance_and_of_one_created_in_the_same_plan() -> Scenario {
    Scenario::new(
        "  prod:
    memory: 8GB
  prod-copy:
    memory: 8GB
    source: { instance: prod }
  staging:
    type: business-critical
    memory: 8GB
    cdc_enrichment_mode: \"OFF\"
    state: paused
  staging-copy:
    type: business-critical
    memory: 8GB
    source: { instance: staging }
",
    )
    .seed(Seed::new("prod"))
    .actions("prod-copy", &["create"])
    .actions("staging", &["create", "pause"])
    .actions("staging-copy", &["create"])
}

/// s22: a customer-managed key differing in its last character is diffed on two lines
/// (too long for one), with the changed characters marked.
pub fn long_values_are_diffed_on_two_lines() -> Scenario {
    Scenario::new(
        "  vault:
    type: enterprise-db
    memory: 8GB
    customer_managed_key_id: arn:aws:kms:us-east-1:123456789:key/11111-a222-1212-x789-1212f1212e
    allow_replace: true
",
    )
    .seed(
        Seed::new("vault")
            .id("11111111")
            .ty("enterprise-db")
            .create(json!({
                "customer_managed_key_id":
                    "arn:aws:kms:us-east-1:123456789:key/11111-a222-1212-x789-1212f1212f"
            })),
    )
    .actions("vault", &["replace"])
}
