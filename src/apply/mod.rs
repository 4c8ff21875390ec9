//! The executor: runs a plan's steps against the API, polling each to completion.

pub mod credentials;
