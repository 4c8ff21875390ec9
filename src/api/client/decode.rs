//! Reading answers: the `{"data": …}` envelope of a success, the token endpoint's
//! bare token, and error statuses as [`ApiError`]s. An error never carries the raw
//! body, only the fields the API chose to tell us (`parse_error_body`), and a
//! decoding failure says where the shape broke and what kind of value was there,
//! never what the value was (it may be a token or a password).

use serde::de::DeserializeOwned;

use super::exchange::{Call, Raw};
use crate::api::error::{ApiError, ApiResponseError, parse_error_body};
use crate::api::wire::{Envelope, Instance, TokenResponse};

/// An error status of an API call: [`ApiError::Busy`] for the 409 of an operation
/// already running on the instance, [`ApiError::Response`] for everything else.
pub(super) fn response_error(call: &Call, raw: &Raw) -> ApiError {
    let e = ApiResponseError::from_body(
        call.method.as_str(),
        &call.shown_path(),
        raw.status,
        &raw.body,
        raw.request_id.clone(),
    );
    if e.is_ongoing_operation() {
        ApiError::Busy(Box::new(e))
    } else {
        ApiError::Response(Box::new(e))
    }
}

/// The `data` of a success envelope.
pub(super) fn decode_data<T: DeserializeOwned>(call: &Call, raw: &Raw) -> Result<T, ApiError> {
    decode::<Envelope<T>>(&raw.body)
        .map(|e| e.data)
        .map_err(|detail| ApiError::Decode {
            method: call.method.to_string(),
            path: call.shown_path(),
            detail,
        })
}

/// Reads `body` as `T`, or says what is wrong with it: where the shape broke (a path
/// such as `data.id`) and what kind of value was found, never the value itself.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value =
        serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| describe(body, &e))?;
    // Anything after the document is as wrong as a broken document.
    de.end().map_err(|e| {
        format!(
            "not valid JSON: more follows the document (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    Ok(value)
}

/// What is wrong with a body that did not decode.
fn describe(body: &[u8], e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    use serde_json::error::Category;
    let trimmed = body.trim_ascii_start();
    let inner = e.inner();
    match inner.classify() {
        Category::Eof if trimmed.is_empty() => "an empty body where JSON was expected".to_owned(),
        Category::Eof => format!("truncated JSON: the body ends after {} bytes", body.len()),
        Category::Syntax if trimmed.starts_with(b"<") => {
            "an HTML page, not JSON (a proxy or gateway answered instead of the API?)".to_owned()
        }
        Category::Syntax | Category::Io => format!(
            "not valid JSON (line {}, column {})",
            inner.line(),
            inner.column()
        ),
        Category::Data => {
            let path = e.path().to_string();
            let what = data_problem(&inner.to_string());
            if path == "." || path.is_empty() {
                format!("JSON of the wrong shape: {what}")
            } else {
                format!("JSON of the wrong shape at `{path}`: {what}")
            }
        }
    }
}

/// serde's message for a value of the wrong type or shape, without the value:
/// `invalid type: string "…", expected u64` → `expected u64, found a string`.
fn data_problem(message: &str) -> String {
    // serde_json appends " at line L column C": the path says where.
    let message = message.split(" at line ").next().unwrap_or(message);
    if message.starts_with("missing field") || message.starts_with("invalid length") {
        // Field names and lengths come from our own types and the body's structure.
        return message.to_owned();
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let expected = rest.rsplit_once(", expected ").map_or("", |(_, e)| e);
            let found = found_kind(rest);
            return if expected.is_empty() {
                format!("found {found}")
            } else {
                format!("expected {expected}, found {found}")
            };
        }
    }
    "a value of the wrong type".to_owned()
}

/// The kind of value serde found, from the start of its description.
fn found_kind(description: &str) -> &'static str {
    const KINDS: &[(&str, &str)] = &[
        ("string", "a string"),
        ("integer", "an integer"),
        ("floating point", "a number"),
        ("boolean", "a boolean"),
        ("null", "null"),
        ("map", "an object"),
        ("sequence", "a list"),
        ("unit", "null"),
        ("character", "a string"),
    ];
    KINDS
        .iter()
        .find(|(k, _)| description.starts_with(k))
        .map_or("a value of another type", |(_, shown)| shown)
}

/// An instance from a lifecycle answer, when it has one (`{}` and empty are fine).
/// Anything unreadable is no instance: the step polls the instance anyway.
pub(super) fn lenient_instance(raw: &Raw) -> Option<Instance> {
    serde_json::from_slice::<Envelope<Instance>>(&raw.body)
        .ok()
        .map(|e| e.data)
}

/// The token endpoint's success answer (a bare object, no envelope).
pub(super) fn decode_token(call: &Call, raw: &Raw) -> Result<TokenResponse, ApiError> {
    decode::<TokenResponse>(&raw.body).map_err(|detail| ApiError::Decode {
        method: "POST".to_owned(),
        path: call.path.clone(),
        detail: format!("not a token response: {detail}"),
    })
}

/// A token endpoint status that may be resent (429, 5xx), as the error to report
/// if the resends give up: the status with the body's reason and message (the
/// token request has no property to blame, so no field).
pub(super) fn token_status_error(call: &Call, raw: &Raw) -> ApiError {
    let (reason, message, _) = parse_error_body(&raw.body);
    ApiError::Response(Box::new(ApiResponseError {
        method: "POST".to_owned(),
        path: call.path.clone(),
        status: raw.status,
        reason,
        message,
        field: None,
        request_id: raw.request_id.clone(),
    }))
}

/// Any other refusal by the token endpoint: the credentials did not authenticate.
pub(super) fn authentication_error(raw: &Raw) -> ApiError {
    let (_, message, _) = parse_error_body(&raw.body);
    ApiError::Authentication {
        status: raw.status,
        detail: message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::wire::InstanceSummary;

    fn fails<T: DeserializeOwned + std::fmt::Debug>(body: &str) -> String {
        decode::<Envelope<T>>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn each_problem_is_described_without_the_value() {
        assert_eq!(
            fails::<Instance>(""),
            "an empty body where JSON was expected"
        );
        assert_eq!(
            fails::<Instance>(r#"{"data":{"id":"2f4"#),
            "truncated JSON: the body ends after 18 bytes"
        );
        assert!(fails::<Instance>("<html><h1>502</h1></html>").starts_with("an HTML page"));
        assert_eq!(
            fails::<Instance>("{\"data\" 1}"),
            "not valid JSON (line 1, column 9)"
        );
        let secret = "s3cr3t-password-value";
        let wrong = fails::<Instance>(&format!(r#"{{"data":{{"id":12,"name":"{secret}"}}}}"#));
        assert_eq!(
            wrong,
            "JSON of the wrong shape at `data.id`: expected a string, found an integer"
        );
        let wrong = fails::<Vec<InstanceSummary>>(&format!(r#"{{"data":{{"x":"{secret}"}}}}"#));
        assert_eq!(
            wrong,
            "JSON of the wrong shape at `data`: expected a sequence, found an object"
        );
        let wrong = fails::<TokenResponse>(&format!(r#"{{"data":{{"access_token":"{secret}"}}}}"#));
        assert!(!wrong.contains(secret), "{wrong}");
        let wrong = decode::<TokenResponse>(
            format!(r#"{{"access_token":"{secret}","expires_in":"{secret}"}}"#).as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            wrong,
            "JSON of the wrong shape at `expires_in`: expected u64, found a string"
        );
        assert_eq!(
            fails::<Instance>(r#"{"result":{}}"#),
            "JSON of the wrong shape: missing field `data`"
        );
        assert!(
            fails::<serde_json::Value>(r#"{"data":{}} trailing"#).starts_with("not valid JSON")
        );
    }
}
