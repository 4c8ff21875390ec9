//! A forwarding proxy in front of the in-process emulator, for what the emulator's own
//! faults cannot do (they strike before a request is handled): answer a request
//! without forwarding it, forward it and lose the answer, or forward it and hold the
//! answer back (a window to kill the client in). Real HTTP on 127.0.0.1:0.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;

/// What the proxy does with one request.
#[derive(Clone, Debug)]
pub enum Action {
    Forward,
    /// Answer with this status and body (a 429 with `Retry-After: 1`); the emulator
    /// never sees the request.
    Answer(u16, &'static str),
    /// Forward, then answer with this status and body instead of the real answer.
    Lose(u16, &'static str),
    /// Forward, then hold the real answer back this long.
    Hold(Duration),
}

/// Decides per request: method, path, and how many requests with that method and
/// path came before this one.
pub type Rule = Arc<dyn Fn(&Method, &str, usize) -> Action + Send + Sync>;

struct Shared {
    upstream: String,
    http: reqwest::Client,
    rule: Rule,
    seen: Mutex<Vec<(Method, String)>>,
    /// Requests forwarded whose answer is being held or lost.
    intercepted: AtomicUsize,
}

pub struct Proxy {
    pub base_url: String,
    shared: Arc<Shared>,
}

impl Proxy {
    /// How many `method path` requests arrived.
    pub fn count(&self, method: &Method, path: &str) -> usize {
        let seen = self.shared.seen.lock().unwrap();
        seen.iter()
            .filter(|(m, p)| m == method && p == path)
            .count()
    }

    /// Requests forwarded with their answer held back or lost so far.
    pub fn intercepted(&self) -> usize {
        self.shared.intercepted.load(Ordering::SeqCst)
    }
}

/// Starts a proxy to `upstream` (a base URL, no trailing `/`).
pub async fn start(upstream: &str, rule: Rule) -> Proxy {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let shared = Arc::new(Shared {
        upstream: upstream.to_owned(),
        http: reqwest::Client::builder().build().unwrap(),
        rule,
        seen: Mutex::new(Vec::new()),
        intercepted: AtomicUsize::new(0),
    });
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(Arc::clone(&shared));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Proxy {
        base_url: format!("http://{addr}"),
        shared,
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let headers = request.headers().clone();
    let before = {
        let mut seen = shared.seen.lock().unwrap();
        let n = seen
            .iter()
            .filter(|(m, p)| *m == method && *p == path)
            .count();
        seen.push((method.clone(), path.clone()));
        n
    };
    let action = (shared.rule)(&method, &path, before);
    if let Action::Answer(status, body) = action {
        let retry_after = (status == 429).then(|| "1".to_owned());
        return answer(status, Bytes::from_static(body.as_bytes()), retry_after);
    }
    let body = axum::body::to_bytes(request.into_body(), 16 << 20)
        .await
        .unwrap_or_default();
    let mut url = format!("{}{path}", shared.upstream);
    if let Some(q) = query {
        url.push('?');
        url.push_str(&q);
    }
    let mut forward = shared
        .http
        .request(
            reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap(),
            url,
        )
        .body(body.to_vec());
    for name in ["authorization", "content-type", "accept", "user-agent"] {
        if let Some(v) = headers.get(name) {
            forward = forward.header(name, v.as_bytes());
        }
    }
    let Ok(upstream) = forward.send().await else {
        return answer(502, Bytes::from_static(b"<html>bad gateway</html>"), None);
    };
    let status = upstream.status().as_u16();
    let retry_after = upstream
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let real = upstream.bytes().await.unwrap_or_default();
    match action {
        Action::Lose(status, body) => {
            shared.intercepted.fetch_add(1, Ordering::SeqCst);
            answer(status, Bytes::from_static(body.as_bytes()), None)
        }
        Action::Hold(delay) => {
            shared.intercepted.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            answer(status, real, retry_after)
        }
        Action::Forward | Action::Answer(..) => answer(status, real, retry_after),
    }
}

fn answer(status: u16, body: Bytes, retry_after: Option<String>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    if let Some(v) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
        response.headers_mut().insert("retry-after", v);
    }
    response
}
