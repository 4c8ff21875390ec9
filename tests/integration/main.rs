//! The one integration-test binary (STYLE.md): one module per topic, each talking
//! real HTTP to the in-process emulator.

mod client_auth;
mod client_common;
mod client_cycle;
mod client_errors;
mod client_faults;
mod client_pacing;
mod client_projects;
