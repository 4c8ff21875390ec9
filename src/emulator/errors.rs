//! Errors of the emulator, in two families that never mix:
//!
//! - [`Rejection`]: what a *client* sees, the API refusing a request (not the client's
//!   `api::ApiError`, which is any failed call as the client reports it). An HTTP status
//!   plus one of the three error bodies the real API sends (docs/aura-api.md §4): the standard
//!   `{"errors":[{message, reason, field?}]}`, the gateway's `{"error": "…"}`, and the
//!   graph-analytics `{"data":null,"errors":[{id,…}]}`. Every refusal a handler or the
//!   gateway layer makes is one of these, so no request can end in a panic or a
//!   plain-text body.
//! - [`EmulatorError`]: what the *operator* sees when the emulator cannot start or keep
//!   its world (bad flags, a non-loopback address, a corrupt state file). A miette
//!   diagnostic with a help line.

use std::path::PathBuf;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use miette::Diagnostic;
use serde::Serialize;
use thiserror::Error;

use crate::api::wire::{ErrorBody, ErrorItem, MiddlewareError};

/// Which of the API's error bodies a refusal is rendered as.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    /// `{"errors":[{"message","reason","field"?}]}` — the API proper.
    Standard {
        reason: String,
        field: Option<String>,
    },
    /// `{"error":"…"}` — the Tyk gateway in front of the API.
    Gateway,
    /// `{"data":null,"errors":[{"id":"","message","reason":""}]}` — the GDS service.
    Sessions,
}

/// A refusal as the client sees it: status, body shape, and optionally `Retry-After`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub(crate) status: StatusCode,
    message: String,
    shape: Shape,
    retry_after_secs: Option<u64>,
}

impl Rejection {
    /// A standard-shape error.
    pub(crate) fn new(status: StatusCode, reason: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            shape: Shape::Standard {
                reason: reason.to_owned(),
                field: None,
            },
            retry_after_secs: None,
        }
    }

    /// A gateway-shape error (`{"error": message}`).
    pub(crate) fn gateway(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            shape: Shape::Gateway,
            retry_after_secs: None,
        }
    }

    /// Names the offending body property (`field` in the standard shape).
    pub(crate) fn with_field(mut self, name: &str) -> Self {
        if let Shape::Standard { field, .. } = &mut self.shape {
            *field = Some(name.to_owned());
        }
        self
    }

    pub(crate) fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// 400 for a body that is malformed or fails validation; `field` names the property.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid-request", message).with_field(field)
    }

    /// 400 for a body that is not JSON at all, or not the expected JSON shape.
    pub(crate) fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid-request", message)
    }

    /// 400 for a feature the instance's tier or project does not have.
    pub(crate) fn incapable(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "tenant-incapable-of-action",
            message,
        )
    }

    /// 404 for an unknown instance, with the API's exact wording.
    pub(crate) fn db_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "db-not-found",
            format!("DB not found: {id}"),
        )
    }

    /// 404 for an unknown project.
    pub(crate) fn tenant_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "tenant-not-found",
            "The tenant you specified could not be found",
        )
    }

    /// 404 for an unknown snapshot.
    pub(crate) fn snapshot_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "snapshot-not-found",
            format!("Snapshot not found: {id}"),
        )
    }

    /// 409 while the instance is in a transitional status (docs/aura-api.md §9.1).
    pub(crate) fn busy(status: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "ongoing-database-operation",
            format!("The database is current undergoing an operation: {status}"),
        )
    }

    /// 404 in the graph-analytics service's own shape.
    pub(crate) fn session_not_found(id: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: format!("session with id {id} not found"),
            shape: Shape::Sessions,
            retry_after_secs: None,
        }
    }
}

/// The GDS error body: the standard one plus `"data": null` and an `id` per error.
#[derive(Serialize)]
struct SessionsErrorBody {
    data: Option<()>,
    errors: Vec<ErrorItem>,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let body = match self.shape {
            Shape::Standard { reason, field } => serde_json::to_vec(&ErrorBody {
                errors: vec![ErrorItem {
                    message: self.message,
                    reason,
                    field,
                    id: None,
                }],
            }),
            Shape::Gateway => serde_json::to_vec(&MiddlewareError {
                error: self.message,
            }),
            Shape::Sessions => serde_json::to_vec(&SessionsErrorBody {
                data: None,
                errors: vec![ErrorItem {
                    message: self.message,
                    reason: String::new(),
                    field: None,
                    id: Some(String::new()),
                }],
            }),
        };
        // Serializing these plain structs cannot fail; fall back to an empty object
        // rather than panic if it ever did.
        let body = body.unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Why the emulator could not start, load or keep its world.
#[derive(Debug, Error, Diagnostic)]
pub enum EmulatorError {
    #[error("invalid emulator setting: {0}")]
    #[diagnostic(
        code(auraform::emulator::config),
        help("see `auraform emulator --help` for the accepted values")
    )]
    Config(String),

    #[error("refusing to listen on {0}: the emulator serves loopback addresses only")]
    #[diagnostic(
        code(auraform::emulator::not_loopback),
        help("use a loopback address such as 127.0.0.1:8787 or [::1]:8787")
    )]
    NotLoopback(std::net::SocketAddr),

    #[error("cannot listen on {addr}")]
    #[diagnostic(
        code(auraform::emulator::bind),
        help("is another emulator already running there? pick another port with --listen")
    )]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot read the emulator state file {}", path.display())]
    #[diagnostic(code(auraform::emulator::state_read))]
    StateRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("the emulator state file {} is not a valid emulator world: {detail}", path.display())]
    #[diagnostic(
        code(auraform::emulator::state_corrupt),
        help(
            "the file was left untouched; move it aside (or delete it) to start from a fresh seeded world"
        )
    )]
    StateCorrupt { path: PathBuf, detail: String },

    #[error("cannot write the emulator state file {}", path.display())]
    #[diagnostic(code(auraform::emulator::state_write))]
    StateWrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("the emulator server failed")]
    #[diagnostic(code(auraform::emulator::serve))]
    Serve(#[source] std::io::Error),
}
