//! The one integration-test binary (docs/conventions.md §5): one module per topic, each talking
//! real HTTP to the in-process emulator, helpers in `support/`. Add yours below.

// This whole binary is tests: a failed unwrap is a failed test, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Helpers are shared between the sibling modules of this one binary, and nothing is
// exported from it, so `pub` and `pub(crate)` mean the same here.
#![allow(unreachable_pub, reason = "a test binary exports nothing")]

mod support;

// The layering of `src/`.
mod architecture;

// The emulator of the Aura API, over raw HTTP and as `auraform emulator`.
mod emulator_auth;
mod emulator_cli;
mod emulator_faults;
mod emulator_lifecycle;
mod emulator_persist;
mod emulator_routes;
mod emulator_shapes;
mod emulator_spec;
mod hostile_responses;

// The API client against the emulator.
mod client_auth;
mod client_cycle;
mod client_errors;
mod client_faults;
mod client_instances;
mod client_pacing;
mod client_projects;

// aura.yaml: loading, diagnostics, `validate` and `schema`.
mod config_cli;
mod config_credentials;
mod config_diagnostics;
mod config_examples;
mod config_robustness;
mod config_semantics;

// The differ and its renderings; `scenarios` is the table `plan_scenarios` (in-process)
// and `plan_emulator` (the binary against a seeded emulator) both run.
mod plan_emulator;
mod plan_proptest;
mod plan_rules;
mod plan_saved;
mod plan_saved_cli;
mod plan_scenarios;
mod plan_schema;
mod scenarios;

// `apply`: the executor and the command.
mod apply_budget;
mod apply_cli;
mod apply_crash;
mod apply_defects;
mod apply_executor;
mod apply_overlap;
mod apply_perf;
mod fault_matrix;
mod output_cli;
mod report_schemas;
mod sinks_cli;

// `destroy` and `plan --destroy`; replacement by a clone and restore points.
mod destroy_cli;
mod lifecycle_cli;

// `drift`, `import`, `diff` and the example CI workflows.
mod ci_action;
mod ci_support;
mod ci_workflows;
mod diff_cli;
mod drift_cli;
mod drift_render;
mod import_cli;
mod projects_cli;
mod projects_reports;

// Secrets never leave their sinks, whatever runs.
mod secrets;

// First run and the messages a new user meets: `init`, `show`, `catalog`, the flags
// that do not go together, and each diagnostic's exact text.
mod first_run_cli;
mod messages_cli;
