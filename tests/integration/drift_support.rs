//! Helpers for drift, import, diff and CI tests: an in-process emulator standing in
//! for Aura, a working directory, and the real binary pointed at the emulator with
//! `--api-url` and the credentials in the environment (as CI runs it).

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::emulator_support::{Emu, fast, start};

pub const BIN: &str = env!("CARGO_BIN_EXE_auraform");

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", self.stdout))
    }
}

pub struct Bench {
    pub emu: Emu,
    pub dir: tempfile::TempDir,
}

impl Bench {
    pub async fn start() -> Bench {
        Bench {
            emu: start(fast()).await,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// Runs `auraform ARGS` in the working directory against the emulator.
    pub async fn run(&self, args: &[&str]) -> Out {
        self.run_with(args, &[]).await
    }

    /// Like [`Bench::run`], with more environment variables.
    pub async fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let out = tokio::process::Command::new(BIN)
            .envs(env.iter().copied())
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env("AURA_API_URL", self.emu.handle.base_url())
            .env("AURA_CLIENT_ID", "emulator")
            .env("AURA_CLIENT_SECRET", "emulator-secret")
            .env_remove("AURA_PROJECT")
            .output()
            .await
            .unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Creates an instance in `demo` from a partial body (defaults: professional-db,
    /// gcp, europe-west1, version 5) and waits until it runs. Returns its id.
    pub async fn create(&self, name: &str, body: Value) -> String {
        let mut full = json!({
            "name": name, "version": "5", "region": "europe-west1", "memory": "8GB",
            "type": "professional-db", "tenant_id": self.emu.demo(), "cloud_provider": "gcp"
        });
        for (k, v) in body.as_object().unwrap() {
            full[k] = v.clone();
        }
        let r = self.emu.post("/v1/instances", full).await;
        assert_eq!(r.status.as_u16(), 202, "{:?}", r.body);
        let id = r.data()["id"].as_str().unwrap().to_owned();
        self.emu.wait(&id, Some("running")).await;
        id
    }

    /// PATCHes an instance and waits until it runs again.
    pub async fn patch(&self, id: &str, body: Value) {
        let r = self.emu.patch(&format!("/v1/instances/{id}"), body).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        self.emu.wait(id, Some("running")).await;
    }

    pub async fn pause(&self, id: &str) {
        let r = self
            .emu
            .post(&format!("/v1/instances/{id}/pause"), json!({}))
            .await;
        assert!(r.status.is_success(), "{:?}", r.body);
        self.emu.wait(id, Some("paused")).await;
    }

    pub async fn delete(&self, id: &str) {
        let r = self.emu.delete(&format!("/v1/instances/{id}")).await;
        assert!(r.status.is_success(), "{:?}", r.body);
        self.emu.wait(id, None).await;
    }

    /// Twelve varied instances: every tier, paused ones, toggles, a name shared by
    /// two instances, CDC, secondaries, another cloud. Returns name → ids.
    pub async fn seed_twelve(&self) -> HashMap<&'static str, Vec<String>> {
        let mut ids: HashMap<&'static str, Vec<String>> = HashMap::new();
        let specs: Vec<(&'static str, Value)> = vec![
            ("orders", json!({"memory": "8GB"})),
            ("orders", json!({"memory": "4GB"})),
            (
                "analytics",
                json!({"type": "professional-ds", "memory": "16GB"}),
            ),
            ("sandbox", json!({"type": "free-db", "memory": "1GB"})),
            (
                "events",
                json!({"type": "business-critical", "memory": "32GB"}),
            ),
            ("vdc", json!({"type": "enterprise-db", "memory": "16GB"})),
            (
                "search",
                json!({"memory": "8GB", "vector_optimized": true, "graph_analytics_plugin": true}),
            ),
            ("graphs", json!({"type": "enterprise-ds", "memory": "16GB"})),
            ("archive", json!({"memory": "2GB"})),
            (
                "aws-app",
                json!({"memory": "4GB", "cloud_provider": "aws", "region": "us-east-1"}),
            ),
            (
                "bc-paused",
                json!({"type": "business-critical", "memory": "16GB"}),
            ),
            ("reports", json!({"memory": "16GB", "storage": "32GB"})),
        ];
        for (name, body) in specs {
            let id = self.create(name, body).await;
            ids.entry(name).or_default().push(id);
        }
        self.patch(&ids["events"][0], json!({"cdc_enrichment_mode": "DIFF"}))
            .await;
        self.patch(
            &ids["vdc"][0],
            json!({"secondaries_count": 2, "cdc_enrichment_mode": "FULL"}),
        )
        .await;
        for name in ["analytics", "archive", "bc-paused"] {
            self.pause(&ids[name][0]).await;
        }
        ids
    }
}

/// The change of `name` in a plan JSON document.
pub fn change<'a>(doc: &'a Value, name: &str) -> Option<&'a Value> {
    doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
}

/// The field names of `name`'s change.
pub fn fields(doc: &Value, name: &str) -> Vec<String> {
    change(doc, name)
        .map(|c| {
            c["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}

/// Runs `git` in `dir` with a fixed identity; fails the test (with git's stderr) if it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
}
