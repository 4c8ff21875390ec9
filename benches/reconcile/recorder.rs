//! A recording proxy in front of the emulator: every strategy of the peers benchmark
//! talks to it, so the requests, the 429s and the moments each instance was seen in
//! which status are counted the same way for auraform and for the peers.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

/// One answered request, as the client saw it.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    /// When the answer reached the proxy.
    pub(crate) at: Instant,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) status: u16,
    /// `data.id` of the answer (the new id of a create).
    pub(crate) id: Option<String>,
    /// `data.status` of an instance answer.
    pub(crate) instance_status: Option<String>,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    events: Mutex<Vec<Event>>,
}

pub(crate) struct Recorder {
    pub(crate) base_url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Recorder {
    pub(crate) async fn start(upstream: &str) -> Recorder {
        let shared = Arc::new(Shared {
            upstream: upstream.to_owned(),
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                .build()
                .unwrap(),
            events: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Recorder {
            base_url: format!("http://{addr}"),
            shared,
            task,
        }
    }

    pub(crate) fn events(&self) -> Vec<Event> {
        self.shared.events.lock().unwrap().clone()
    }

    pub(crate) fn stop(self) {
        self.task.abort();
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut url = format!("{}{path}", shared.upstream);
    if let Some(q) = request.uri().query() {
        url.push('?');
        url.push_str(q);
    }
    let headers = request.headers().clone();
    let body = axum::body::to_bytes(request.into_body(), 16 << 20)
        .await
        .unwrap_or_default();
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
        return plain(502, Vec::new(), &[]);
    };
    let status = upstream.status().as_u16();
    // Every header a client acts on: Retry-After, the emulator's speed-up, the id.
    let kept: Vec<(String, String)> = upstream
        .headers()
        .iter()
        .filter(|(n, _)| {
            let n = n.as_str();
            n == "retry-after" || n.starts_with("x-")
        })
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let bytes = upstream.bytes().await.unwrap_or_default().to_vec();
    let (id, instance_status) = if path.starts_with("/v1/instances") {
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        (
            v["data"]["id"].as_str().map(str::to_owned),
            v["data"]["status"].as_str().map(str::to_owned),
        )
    } else {
        (None, None)
    };
    shared.events.lock().unwrap().push(Event {
        at: Instant::now(),
        method: method.as_str().to_owned(),
        path,
        status,
        id,
        instance_status,
    });
    plain(status, bytes, &kept)
}

fn plain(status: u16, body: Vec<u8>, kept: &[(String, String)]) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    for (n, v) in kept {
        if let (Ok(n), Ok(v)) = (
            axum::http::HeaderName::from_bytes(n.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            response.headers_mut().insert(n, v);
        }
    }
    response
}
