//! The one integration-test binary: one module per topic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply_executor;
