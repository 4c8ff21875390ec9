//! The one integration-test binary. Each topic is a module; add yours below.

// This whole binary is tests: a failed unwrap is a failed test, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/emulator.rs"]
mod emulator_support;

mod apply_executor;
mod emulator_auth;
mod emulator_faults;
mod emulator_lifecycle;
mod emulator_persist;
mod emulator_routes;
mod emulator_shapes;
