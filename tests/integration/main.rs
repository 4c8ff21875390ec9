//! The one integration-test binary (casey/just style): one module per topic.

// Test helpers outside #[test] fns may panic: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod config_cli;
mod config_diagnostics;
mod config_examples;
mod config_robustness;
mod config_semantics;
