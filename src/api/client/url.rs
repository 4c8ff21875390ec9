//! The URL rules: which `--api-url` is acceptable (https, or plain http on a loopback
//! host; no credentials, query or fragment), and how an id becomes one safe path
//! segment.

use std::fmt::Write as _;

use reqwest::Url;

use crate::api::error::ApiError;

/// Checks `--api-url` and returns it without a trailing `/` or `/v1`.
pub(super) fn normalise_base_url(raw: &str) -> Result<String, ApiError> {
    let bad = |problem: &str| ApiError::InvalidUrl {
        url: raw.chars().take(200).collect(),
        problem: problem.to_owned(),
    };
    let url = Url::parse(raw.trim()).map_err(|_| bad("not a URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        // Do not echo it: the user part may be a secret.
        return Err(ApiError::InvalidUrl {
            url: "(redacted)".to_owned(),
            problem: "credentials in the URL are not allowed".to_owned(),
        });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a query or fragment is not allowed"));
    }
    let Some(host) = url.host_str() else {
        return Err(bad("no host"));
    };
    let loopback = match host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
    {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost") || host.ends_with(".localhost"),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(bad("plain http is allowed only for a loopback host")),
        _ => return Err(bad("the scheme must be https")),
    }
    let mut s = url.as_str().trim_end_matches('/').to_owned();
    if let Some(stripped) = s.strip_suffix("/v1") {
        s = stripped.to_owned();
    }
    Ok(s)
}

/// Percent-encodes one path segment (ids come from aura.yaml and must not be able
/// to reach another path).
pub(super) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
