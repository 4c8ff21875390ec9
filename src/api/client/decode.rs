//! Reading answers: the `{"data": …}` envelope of a success, the token endpoint's
//! bare token, and error statuses as [`ApiError`]s. An error never carries the raw
//! body, only the fields the API chose to tell us (`parse_error_body`), and a
//! decoding failure says where the shape broke, never what the value was.

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
    serde_json::from_slice::<Envelope<T>>(&raw.body)
        .map(|e| e.data)
        .map_err(|e| ApiError::Decode {
            method: call.method.to_string(),
            path: call.shown_path(),
            // serde's messages name types and fields, never the offending value.
            detail: format!(
                "{} at line {}, column {}",
                e.classify_message(),
                e.line(),
                e.column()
            ),
        })
}

trait ClassifyMessage {
    fn classify_message(&self) -> &'static str;
}

impl ClassifyMessage for serde_json::Error {
    fn classify_message(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "not valid JSON",
            serde_json::error::Category::Data => "JSON of an unexpected shape",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}

/// An instance from a lifecycle answer, when it has one (`{}` and empty are fine).
pub(super) fn lenient_instance(raw: &Raw) -> Option<Instance> {
    serde_json::from_slice::<Envelope<Instance>>(&raw.body)
        .ok()
        .map(|e| e.data)
}

/// The token endpoint's success answer (a bare object, no envelope).
pub(super) fn decode_token(call: &Call, raw: &Raw) -> Result<TokenResponse, ApiError> {
    serde_json::from_slice::<TokenResponse>(&raw.body).map_err(|e| ApiError::Decode {
        method: "POST".to_owned(),
        path: call.path.clone(),
        // serde's message names the field, never the token value.
        detail: format!(
            "not a token response (line {}, column {})",
            e.line(),
            e.column()
        ),
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
