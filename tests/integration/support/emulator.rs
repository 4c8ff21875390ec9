//! An in-process emulator for tests and raw HTTP against it: start one on 127.0.0.1:0,
//! get a token, send requests, wait for statuses, seed instances through the public
//! API, and read or set the admin routes (`/_emulator/…`). Real HTTP, no mocks.

use std::time::Duration;

use auraform::emulator::{EmulatorConfig, EmulatorHandle, spawn};
use auraform::units::Rate;
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::{Value, json};

/// The emulator's OAuth client, as `auraform emulator` prints it.
pub const CLIENT_ID: &str = "emulator";
pub const CLIENT_SECRET: &str = "emulator-secret";

/// A config fast enough for tests: lifecycle steps take tens of milliseconds, the rate
/// limit never bites, ids are reproducible.
pub fn fast() -> EmulatorConfig {
    EmulatorConfig {
        speed: 1000.0,
        rate_limit: Rate::per_minute(1_000_000),
        seed: Some(1),
        ..EmulatorConfig::default()
    }
}

/// An HTTP client with no client-side timeout: under tokio's paused time a timeout timer
/// would be auto-advanced to while a loopback request is in flight.
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

/// One HTTP response, body parsed as JSON (`Value::Null` if empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// The first error's `reason`.
    pub fn reason(&self) -> &str {
        self.body["errors"][0]["reason"]
            .as_str()
            .unwrap_or_default()
    }

    pub fn field(&self) -> Option<&str> {
        self.body["errors"][0]["field"].as_str()
    }
}

/// A running emulator, an HTTP client for it and a bearer token it issued.
pub struct Emu {
    pub handle: EmulatorHandle,
    pub http: reqwest::Client,
    pub token: String,
}

pub async fn start(config: EmulatorConfig) -> Emu {
    let handle = spawn(config).await.unwrap();
    let http = http_client();
    let mut emu = Emu {
        handle,
        http,
        token: String::new(),
    };
    emu.token = emu.fresh_token().await;
    emu
}

impl Emu {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.base_url())
    }

    pub fn demo(&self) -> String {
        self.handle.project_id("demo").unwrap().to_owned()
    }

    pub fn free_only(&self) -> String {
        self.handle.project_id("free-only").unwrap().to_owned()
    }

    pub async fn fresh_token(&self) -> String {
        token_at(&self.handle.base_url(), CLIENT_ID, CLIENT_SECRET).await
    }

    /// Sends an authenticated request; POST/PATCH get the JSON content type.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut rb = self
            .http
            .request(method.clone(), self.url(path))
            .bearer_auth(&self.token);
        if method == Method::POST || method == Method::PATCH {
            rb = rb.header("content-type", "application/json");
        }
        if let Some(b) = body {
            rb = rb.body(serde_json::to_vec(&b).unwrap());
        }
        into_resp(rb.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.call(Method::DELETE, path, None).await
    }

    /// A create body for the demo project.
    pub fn create_body(&self, name: &str, ty: &str, memory: &str) -> Value {
        json!({
            "name": name, "version": "5", "region": "europe-west1", "memory": memory,
            "type": ty, "tenant_id": self.demo(), "cloud_provider": "gcp"
        })
    }

    /// Creates an instance and returns the create response's `data`.
    pub async fn create(&self, name: &str, ty: &str, memory: &str) -> Value {
        let r = self
            .post("/v1/instances", self.create_body(name, ty, memory))
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        r.data().clone()
    }

    /// Creates an instance in `demo` from a partial body (defaults: professional-db,
    /// 8GB, gcp, europe-west1, version 5) and waits until it runs. Returns its id.
    pub async fn launch(&self, name: &str, overrides: Value) -> String {
        let mut body = self.create_body(name, "professional-db", "8GB");
        for (k, v) in overrides.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = self.post("/v1/instances", body).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        let id = r.data()["id"].as_str().unwrap().to_owned();
        self.wait(&id, Some("running")).await;
        id
    }

    /// Creates an instance and waits until it runs; returns its id.
    pub async fn running(&self, name: &str, ty: &str, memory: &str) -> String {
        self.launch(name, json!({ "type": ty, "memory": memory }))
            .await
    }

    /// PATCHes an instance (resize, toggles, CDC, secondaries) and waits until it runs
    /// again.
    pub async fn patch_instance(&self, id: &str, body: Value) {
        let r = self.patch(&format!("/v1/instances/{id}"), body).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        self.wait(id, Some("running")).await;
    }

    /// Pauses an instance through the API and waits until it is paused.
    pub async fn pause_instance(&self, id: &str) {
        let r = self
            .post(&format!("/v1/instances/{id}/pause"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        self.wait(id, Some("paused")).await;
    }

    /// Deletes an instance through the API and waits until it is gone.
    pub async fn delete_instance(&self, id: &str) {
        let r = self.delete(&format!("/v1/instances/{id}")).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        self.wait(id, None).await;
    }

    /// Polls `GET /v1/instances/{id}` until its status is `status` (or 404 if `None`).
    pub async fn wait(&self, id: &str, status: Option<&str>) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let r = self.get(&format!("/v1/instances/{id}")).await;
            match status {
                None if r.status == StatusCode::NOT_FOUND => return r.body,
                Some(s) if r.status == StatusCode::OK && r.data()["status"] == s => {
                    return r.data().clone();
                }
                _ => {}
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "instance {id} never reached {status:?}; last: {} {:?}",
                r.status,
                r.body
            );
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    }

    /// Forces an instance's status through the admin route (it then stays there).
    pub async fn force_status(&self, id: &str, status: &str) {
        let r = self
            .http
            .post(self.url(&format!("/_emulator/instances/{id}/status")))
            .json(&json!({ "status": status }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    /// An instance stuck in a transitional status, for deterministic 409s.
    pub async fn busy_instance(&self) -> String {
        let id = self.create("busy", "professional-db", "2GB").await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        self.force_status(&id, "resuming").await;
        id
    }
}

pub async fn into_resp(r: reqwest::Response) -> Resp {
    let status = r.status();
    let headers = r.headers().clone();
    let bytes = r.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        body,
    }
}

/// A token from the emulator at `base_url` for `client_id`, as the binary gets one.
pub async fn token_at(base_url: &str, client_id: &str, secret: &str) -> String {
    let r = http_client()
        .post(format!("{base_url}/oauth/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// `GET path` (with its query) of the emulator at `base_url`, as JSON.
pub async fn get_json_at(base_url: &str, token: &str, path: &str) -> Value {
    json_of(
        http_client()
            .get(format!("{base_url}{path}"))
            .bearer_auth(token),
    )
    .await
}

/// The answer to `request`, as JSON.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// `(a, b)` of every element of the array `list`, two string fields each.
pub fn string_pairs(list: &Value, a: &str, b: &str) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[a].as_str().unwrap().to_owned(),
                e[b].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// `GET /_emulator/stats` of the emulator at `base_url` (request counts by route and
/// status, dropped connections).
pub async fn stats_at(base_url: &str) -> Value {
    json_of(http_client().get(format!("{base_url}/_emulator/stats"))).await
}

/// `GET /_emulator/stats`.
pub async fn stats(emu: &EmulatorHandle) -> Value {
    stats_at(&emu.base_url()).await
}

pub fn by_route(stats: &Value, route: &str) -> u64 {
    stats["by_route"][route].as_u64().unwrap_or(0)
}

pub fn by_status(stats: &Value, status: &str) -> u64 {
    stats["by_status"][status].as_u64().unwrap_or(0)
}

/// `POST /_emulator/faults`.
pub async fn set_faults(emu: &EmulatorHandle, settings: Value) {
    let status = http_client()
        .post(format!("{}/_emulator/faults", emu.base_url()))
        .json(&settings)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
}

/// The id of a seeded project.
pub fn project_id(emu: &EmulatorHandle, name: &str) -> String {
    emu.projects()
        .iter()
        .find(|p| p.name == name)
        .unwrap()
        .id
        .clone()
}
