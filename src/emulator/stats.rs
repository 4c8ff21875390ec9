//! Counts of the API responses served (`GET /_emulator/stats`): the gateway records
//! every response, the admin route reads them.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use serde::Serialize;

/// Counts of API responses served.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Stats {
    pub requests: u64,
    pub by_status: BTreeMap<String, u64>,
    pub by_route: BTreeMap<String, u64>,
    /// Connections dropped by an injected fault (no response, so not in `requests`).
    pub dropped: u64,
}

impl Stats {
    pub(crate) fn record(&mut self, method: &Method, route: &str, status: StatusCode) {
        self.requests += 1;
        *self
            .by_status
            .entry(status.as_str().to_owned())
            .or_default() += 1;
        *self
            .by_route
            .entry(format!("{method} {route}"))
            .or_default() += 1;
    }
}
