//! The integration tests' helpers, one module per kind of fixture. Every test reaches
//! the API, the library or the binary through these, so each is done one way.

/// An in-process emulator and raw HTTP against it (requests, seeding, admin routes).
pub mod emulator;

/// An `AuraClient` logged in to an emulator.
pub mod client;

/// The one way to run the `auraform` binary.
pub mod cli;

/// An emulator plus a working directory for the binary.
pub mod bench;

/// Desired and live builders for the differ, in Rust.
pub mod plan;

/// Reading JSON plan documents.
pub mod plan_doc;

/// Plans of a file made as `auraform plan` makes them.
pub mod apply;

/// `git` in a scratch repository.
pub mod git;

/// A forwarding proxy in front of an emulator that can answer, lose or hold back
/// chosen requests.
pub mod proxy;
