//! The peers of the benchmark (docs/performance.md §8), each written as that tool does
//! it, talking plain HTTP to the recording proxy.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::create_request;
use super::peers::{Kind, Op, SPEED, Strategy};

pub(crate) struct Peer {
    http: reqwest::Client,
    base: String,
    token: String,
    strategy: Strategy,
}

/// How a request of a peer ended.
enum Sent {
    Ok(Value),
    Failed(String),
}

impl Peer {
    pub(crate) async fn login(base: &str, strategy: Strategy) -> Arc<Peer> {
        let http = reqwest::Client::new();
        let v: Value = http
            .post(format!("{base}/oauth/token"))
            .basic_auth("emulator", Some("emulator-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Arc::new(Peer {
            http,
            base: base.to_owned(),
            token: v["access_token"].as_str().unwrap().to_owned(),
            strategy,
        })
    }

    fn poll_interval(&self) -> Duration {
        let real = match self.strategy {
            Strategy::SeedScript => 10.0,
            Strategy::AuraCli => 20.0,
            _ => 1.0,
        };
        Duration::from_secs_f64(real / SPEED)
    }

    /// Runs every step; `None` when all succeeded.
    pub(crate) async fn run(
        self: Arc<Self>,
        ops: &[Op],
        tenant: &str,
        ids: &HashMap<String, String>,
    ) -> Option<String> {
        if self.strategy == Strategy::Terraform {
            // `terraform apply` refreshes every resource in its state first.
            let gate = Arc::new(Semaphore::new(10));
            let refreshes = ops.iter().filter_map(|o| ids.get(&o.name)).map(|id| {
                let (peer, gate) = (Arc::clone(&self), Arc::clone(&gate));
                let path = format!("/v1/instances/{id}");
                async move {
                    let _slot = gate.acquire().await.unwrap();
                    peer.send(reqwest::Method::GET, &path, None).await
                }
            });
            for r in futures::future::join_all(refreshes).await {
                if let Sent::Failed(why) = r {
                    return Some(why);
                }
            }
            let gate = Arc::new(Semaphore::new(10));
            let steps = ops.iter().map(|op| {
                let (peer, gate) = (Arc::clone(&self), Arc::clone(&gate));
                let id = ids.get(&op.name).cloned();
                async move {
                    let _slot = gate.acquire().await.unwrap();
                    peer.step(op, tenant, id).await
                }
            });
            return futures::future::join_all(steps)
                .await
                .into_iter()
                .find_map(Result::err);
        }
        for op in ops {
            if let Err(why) = self.step(op, tenant, ids.get(&op.name).cloned()).await {
                return Some(why);
            }
        }
        None
    }

    /// One step as the tool does it: the request, then polls until the target.
    async fn step(&self, op: &Op, tenant: &str, id: Option<String>) -> Result<(), String> {
        use reqwest::Method;
        let path = |suffix: &str| format!("/v1/instances/{}{suffix}", id.as_deref().unwrap_or(""));
        let (method, path, body) = match op.kind {
            Kind::Create => (
                Method::POST,
                "/v1/instances".to_owned(),
                Some(serde_json::to_value(create_request(tenant, &op.name)).unwrap()),
            ),
            Kind::Resize => (Method::PATCH, path(""), Some(json!({"memory": "4GB"}))),
            Kind::Pause => (Method::POST, path("/pause"), Some(json!({}))),
            Kind::Resume => (Method::POST, path("/resume"), Some(json!({}))),
            Kind::Upgrade => (Method::POST, path("/upgrade"), Some(json!({}))),
        };
        let answer = match self.send(method, &path, body).await {
            Sent::Ok(v) => v,
            Sent::Failed(why) => return Err(why),
        };
        let id = answer["data"]["id"]
            .as_str()
            .map(str::to_owned)
            .or(id)
            .ok_or("no id")?;
        let get = format!("/v1/instances/{id}");
        loop {
            tokio::time::sleep(self.poll_interval()).await;
            match self.send(reqwest::Method::GET, &get, None).await {
                Sent::Ok(v) if v["data"]["status"].as_str() == Some(op.kind.target()) => {
                    return Ok(());
                }
                Sent::Ok(_) => {}
                Sent::Failed(why) => return Err(why),
            }
        }
    }

    /// One request; the Terraform provider resends a 429 or 5xx after its backoff
    /// (`Retry-After` when given), the others give up.
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Sent {
        let mut backoff = Duration::from_secs(1);
        let mut tries = 0;
        loop {
            let mut req = self
                .http
                .request(method.clone(), format!("{}{path}", self.base))
                .bearer_auth(&self.token);
            if let Some(b) = &body {
                req = req.json(b);
            }
            let Ok(resp) = req.send().await else {
                return Sent::Failed("no answer".to_owned());
            };
            let status = resp.status().as_u16();
            if (200..300).contains(&status) {
                return Sent::Ok(resp.json().await.unwrap_or_default());
            }
            let retryable = status == 429 || status >= 500;
            if self.strategy != Strategy::Terraform || !retryable || tries >= 30 {
                return Sent::Failed(format!("{status} on {method} {path}"));
            }
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .map(Duration::from_secs);
            let wait = retry_after.unwrap_or_else(|| backoff.div_f64(SPEED));
            tokio::time::sleep(wait).await;
            backoff = (backoff * 2).min(Duration::from_secs(30));
            tries += 1;
        }
    }
}
