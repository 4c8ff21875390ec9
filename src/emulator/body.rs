//! Request bodies: bytes → JSON object → typed wire request, with every failure a 400
//! (or 413) in the API's error shape that names the offending `field` where there is
//! one. Never a panic, never axum's plain-text rejection.

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::errors::Rejection;

/// Largest body accepted; real bodies are a few hundred bytes.
const LIMIT: usize = 1 << 20;

async fn read(body: Body) -> Result<Bytes, Rejection> {
    axum::body::to_bytes(body, LIMIT).await.map_err(|_| {
        Rejection::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid-request",
            "The request body is too large (limit 1 MiB)",
        )
    })
}

/// The body as a JSON object. An empty body counts as `{}`: aura-cli sends pause and
/// resume with no body, Terraform sends `{}`, and both are valid (docs/aura-api.md §1).
pub(crate) async fn object(body: Body) -> Result<Map<String, Value>, Rejection> {
    let bytes = read(body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Rejection::malformed(
            "The request body must be a JSON object",
        )),
        Err(e) => Err(Rejection::malformed(format!(
            "The request body is not valid JSON: {e}"
        ))),
    }
}

/// Converts a JSON object into `T`, naming the field that is missing or of the wrong type.
pub(crate) fn typed<T: DeserializeOwned>(map: Map<String, Value>) -> Result<T, Rejection> {
    serde_path_to_error::deserialize(Value::Object(map)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path == "." {
            // `missing field `name`` has no path: the field is in the message.
            match inner.split('`').nth(1) {
                Some(field) if inner.starts_with("missing field") => {
                    Rejection::invalid(field, format!("{field} is required"))
                }
                _ => Rejection::malformed(format!("Invalid request body: {inner}")),
            }
        } else {
            Rejection::invalid(&path, format!("Invalid value for {path}: {inner}"))
        }
    })
}

/// Reads a body that must be a JSON object and converts it into `T`.
pub(crate) async fn parse<T: DeserializeOwned>(body: Body) -> Result<T, Rejection> {
    typed(object(body).await?)
}
