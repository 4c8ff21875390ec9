//! Hostile answers: what a broken or hostile path between client and API does to an
//! answer the API *did* give (the request was handled; for a create, the instance
//! exists and its password was in the answer). Chosen by [`Mangling`] (`faults.rs`),
//! applied by the gateway after the handler ran:
//!
//! | kind | what the client receives |
//! |---|---|
//! | `truncated` | the status and headers, the body cut short (truncated JSON) |
//! | `html` | 502 `text/html`, a proxy's error page |
//! | `wrong-shape` | the status, `data` in the wrong container, no envelope, or every value of the wrong type |
//! | `empty` | 200 with an empty body |
//! | `huge` | the status and 16 MiB of (valid) JSON, streamed without a length |
//! | `stall` | the status and half the body, then nothing for the stall time, then a closed connection |

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::faults::Mangling;

/// The proxy page of `html` (nginx's, as a load balancer in front of an API sends it).
const HTML_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// Size of a `huge` body: twice the client's default cap.
const HUGE_BYTES: usize = 16 * 1024 * 1024;

/// Damages `response` as `how` says.
pub(crate) async fn mangle(response: Response, how: Mangling) -> Response {
    let (mut parts, body) = response.into_parts();
    // Emulator answers are small; an unreadable one is mangled as empty.
    let bytes = axum::body::to_bytes(body, 4 * 1024 * 1024)
        .await
        .unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = match how {
        Mangling::Truncated(thousandths) => {
            let keep = if bytes.len() <= 1 {
                // Nothing to cut: the start of an envelope that never ends.
                return with_body(parts, Body::from("{\"data\":{"));
            } else {
                (bytes.len() * usize::from(thousandths) / 1000).clamp(1, bytes.len() - 1)
            };
            Body::from(bytes.slice(..keep))
        }
        Mangling::Html => {
            parts.status = StatusCode::BAD_GATEWAY;
            parts
                .headers
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            Body::from(HTML_PAGE)
        }
        Mangling::WrongShape(variant) => Body::from(wrong_shape(&bytes, variant)),
        Mangling::Empty => {
            parts.status = StatusCode::OK;
            Body::empty()
        }
        Mangling::Huge => huge(),
        Mangling::Stall(stall) => stalling(&bytes, stall),
    };
    with_body(parts, body)
}

fn with_body(parts: axum::http::response::Parts, body: Body) -> Response {
    Response::from_parts(parts, body)
}

/// The body with its shape or types wrong, derived from the real one:
/// 0 — `data` in the other container (an object becomes `[object]`, a list
///     `{"items": list}`); 1 — no envelope (the data alone, or a bare token response
///     wrapped in one); 2 — every value of `data` (or of the token response) of
///     another JSON type.
fn wrong_shape(bytes: &[u8], variant: u8) -> Vec<u8> {
    let value: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let wrong = match (variant, value) {
        (0, Value::Object(mut map)) if map.contains_key("data") => {
            let data = map.remove("data").unwrap_or(Value::Null);
            let flipped = match data {
                Value::Array(items) => json!({ "items": items }),
                other => json!([other]),
            };
            map.insert("data".to_owned(), flipped);
            Value::Object(map)
        }
        (0 | 1, Value::Object(mut map)) => match map.remove("data") {
            Some(data) => data,
            None => json!({ "data": Value::Object(map) }),
        },
        (_, Value::Object(mut map)) => {
            match map.get_mut("data") {
                Some(data) => retype(data),
                None => map.values_mut().for_each(retype_one),
            }
            Value::Object(map)
        }
        (_, other) => json!({ "data": other, "unexpected": true }),
    };
    serde_json::to_vec(&wrong).unwrap_or_default()
}

/// Every field of an object (or of each object in a list) gets another type; an
/// empty object or list becomes the other container, so the shape is never right.
fn retype(data: &mut Value) {
    match data {
        Value::Object(map) if !map.is_empty() => map.values_mut().for_each(retype_one),
        Value::Array(items) if !items.is_empty() => items.iter_mut().for_each(retype),
        other => retype_one(other),
    }
}

fn retype_one(v: &mut Value) {
    *v = match v {
        Value::String(_) => json!(12345),
        Value::Number(_) => json!("12345"),
        Value::Bool(_) => json!("yes"),
        Value::Null => json!(false),
        Value::Array(_) => Value::Object(Map::new()),
        Value::Object(_) => json!([]),
    };
}

/// 16 MiB of JSON, generated as it streams (no Content-Length), so the client's cap
/// is what stops it, not an up-front length.
fn huge() -> Body {
    const ITEM: &str = r#"{"id":"00000000","name":"padding","tenant_id":"00000000-0000-0000-0000-000000000000","cloud_provider":"gcp"},"#;
    let chunk: Bytes = ITEM.repeat(64 * 1024 / ITEM.len()).into();
    let chunks = HUGE_BYTES.div_ceil(chunk.len());
    let head =
        futures::stream::once(async { Ok::<Bytes, std::io::Error>(Bytes::from("{\"data\":[")) });
    let body = futures::stream::iter((0..chunks).map(move |_| Ok(chunk.clone())));
    let tail = futures::stream::once(async {
        Ok::<Bytes, std::io::Error>(Bytes::from(
            r#"{"id":"00000000","name":"end","tenant_id":"t","cloud_provider":"gcp"}]}"#,
        ))
    });
    use futures::StreamExt;
    Body::from_stream(head.chain(body).chain(tail))
}

/// Half the body, then nothing for `stall`, then the connection is closed (the body
/// fails, so the client never gets the rest).
fn stalling(bytes: &Bytes, stall: Duration) -> Body {
    use futures::StreamExt;
    let half = bytes.slice(..bytes.len() / 2);
    let first = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(half) });
    let rest = futures::stream::once(async move {
        tokio::time::sleep(stall).await;
        Err::<Bytes, std::io::Error>(std::io::Error::other("injected fault: stalled mid-body"))
    });
    Body::from_stream(first.chain(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_shapes_keep_no_valid_reading() {
        let instance = br#"{"data":{"id":"2f49c2b3","name":"app","status":"running"}}"#;
        let list = br#"{"data":[{"id":"2f49c2b3","name":"app"}]}"#;
        let token = br#"{"access_token":"tok","expires_in":3600,"token_type":"Bearer"}"#;
        let shape = |b: &[u8], v| serde_json::from_slice::<Value>(&wrong_shape(b, v)).unwrap();
        assert!(shape(instance, 0)["data"].is_array());
        assert!(shape(list, 0)["data"]["items"].is_array());
        assert!(shape(instance, 1).get("data").is_none());
        assert!(shape(token, 1)["data"]["access_token"].is_string());
        assert_eq!(shape(instance, 2)["data"]["id"], 12345);
        assert_eq!(shape(list, 2)["data"][0]["name"], 12345);
        assert_eq!(shape(token, 2)["access_token"], 12345);
        assert_eq!(shape(token, 2)["expires_in"], "12345");
        assert!(shape(b"", 2)["unexpected"].as_bool().unwrap());
        assert!(shape(br#"{"data":[]}"#, 2)["data"].is_object());
        assert!(shape(br#"{"data":{}}"#, 2)["data"].is_array());
    }
}
