//! Which live instance a declaration is: a pinned id whose live name differs is a
//! rename (docs/plan.md §3), one name on two live instances needs a pin (§2); and
//! `--target` limits the plan (§9).

use super::{Scenario, Seed};

/// e11: two pinned renames, one of them paused (it is not resumed for a rename).
pub fn pinned_ids_are_renamed() -> Scenario {
    Scenario::new(
        "  legacy:
    id: \"{id:legacy}\"
    memory: 4GB
  archive:
    id: \"{id:archive}\"
    memory: 4GB
    state: paused
",
    )
    .seed(Seed::new("legacy").named("old-name").memory("4GB"))
    .seed(
        Seed::new("archive")
            .named("archive-2024")
            .memory("4GB")
            .paused(),
    )
    .actions("legacy", &["update"])
    .actions("archive", &["update"])
    .unmanaged(&[])
}

/// s09: the running half of e11, alone.
pub fn pinned_id_is_renamed() -> Scenario {
    Scenario::new(
        "  legacy:
    id: \"{id:legacy}\"
    memory: 4GB
",
    )
    .seed(
        Seed::new("legacy")
            .named("old-name")
            .id("2f49c2b3")
            .memory("4GB"),
    )
    .actions("legacy", &["update"])
    .unmanaged(&[])
}

/// s20: the paused half of e11, alone and 8GB.
pub fn pinned_paused_rename_does_not_resume() -> Scenario {
    Scenario::new(
        "  archive:
    id: \"{id:archive}\"
    memory: 8GB
    state: paused
",
    )
    .seed(
        Seed::new("archive")
            .named("archive-2024")
            .id("2f49c2b3")
            .paused(),
    )
    .actions("archive", &["update"])
}

/// e19: two live instances with one name → an error asking for an `id:` pin.
pub fn two_live_instances_with_one_name_need_an_id_pin() -> Scenario {
    Scenario::new(
        "  orders:
    memory: 8GB
",
    )
    .seed(Seed::new("orders-1").named("orders"))
    .seed(Seed::new("orders-2").named("orders"))
}

/// s18 and e20: `--target` limits the plan (no unmanaged either).
pub fn target_limits_the_plan() -> Scenario {
    Scenario::new(
        "  orders:
    memory: 16GB
  search:
    memory: 16GB
  new:
    memory: 8GB
",
    )
    .target("orders")
    .target("new")
    .seed(Seed::new("orders").id("11111111"))
    .seed(Seed::new("search").id("22222222"))
    .seed(Seed::new("scratch").id("deadbeef").memory("2GB"))
    .changes(2)
    .actions("orders", &["update"])
    .actions("new", &["create"])
    .unchanged("search")
    .unmanaged(&[])
}
