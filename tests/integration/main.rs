//! The one integration-test binary (docs/conventions.md §5): one module per topic, each talking
//! real HTTP to the in-process emulator. Add yours below.

// This whole binary is tests: a failed unwrap is a failed test, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Helpers are shared between the sibling modules of this one binary, and nothing is
// exported from it, so `pub` and `pub(crate)` mean the same here.
#![allow(unreachable_pub, reason = "a test binary exports nothing")]

#[path = "support/emulator.rs"]
mod emulator_support;

#[path = "support/apply.rs"]
mod apply_support;

mod architecture;

mod emulator_auth;
mod emulator_cli;
mod emulator_faults;
mod emulator_lifecycle;
mod emulator_persist;
mod emulator_routes;
mod emulator_shapes;
mod emulator_spec;
mod hostile_responses;

mod client_auth;
mod client_common;
mod client_cycle;
mod client_errors;
mod client_faults;
mod client_instances;
mod client_pacing;
mod client_projects;

mod config_cli;
mod config_diagnostics;
mod config_examples;
mod config_robustness;
mod config_semantics;

mod plan_emulator;
mod plan_proptest;
mod plan_rules;
mod plan_saved;
mod plan_saved_cli;
mod plan_scenarios;
mod plan_schema;
mod plan_support;

mod apply_cli;
mod apply_executor;
mod apply_perf;

mod ci_workflows;
mod diff_cli;
mod drift_cli;
mod drift_render;
#[path = "drift_support.rs"]
mod drift_support;
mod import_cli;
