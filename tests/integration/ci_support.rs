//! Running GitHub Actions steps here, as a runner would: a step's `run:` script is run
//! with `bash --noprofile --norc -eo pipefail` in a working directory, with the job's
//! and step's `env:` (every `${{ … }}` replaced by a value the test gives, secrets
//! left empty when not given, as on a fork), `$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY`
//! and `$GITHUB_PATH` files, and the directories earlier steps added to `$GITHUB_PATH`
//! in front of `PATH`. Used for the example workflows, the release workflow and the
//! composite action (action.yml).

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A YAML file of the repository (a workflow, action.yml), as JSON.
pub fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(repo(path)).unwrap();
    serde_saphyr::from_str::<Value>(&text).unwrap()
}

/// A path in the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The steps of a workflow job, or of a composite action (`job` = `None`).
pub fn steps<'a>(doc: &'a Value, job: Option<&str>) -> &'a [Value] {
    let steps = match job {
        Some(job) => &doc["jobs"][job]["steps"],
        None => &doc["runs"]["steps"],
    };
    steps.as_array().unwrap()
}

/// The step whose `id` (or, failing that, `name`) is `key`.
pub fn step<'a>(steps: &'a [Value], key: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["id"] == key)
        .or_else(|| steps.iter().find(|s| s["name"] == key))
        .unwrap_or_else(|| panic!("no step {key}"))
}

/// What a step left behind.
pub struct Ran {
    pub code: i32,
    pub outputs: HashMap<String, String>,
    pub summary: String,
    pub stdout: String,
    pub stderr: String,
    /// Lines the step appended to `$GITHUB_PATH`.
    pub path: Vec<String>,
}

impl Ran {
    /// Everything the step printed or handed on, to scan for secrets.
    pub fn everything(&self) -> String {
        let outputs: Vec<String> = self
            .outputs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!(
            "{}{}{}{}",
            self.stdout,
            self.stderr,
            self.summary,
            outputs.join("\n")
        )
    }
}

/// A runner: where steps run and what their expressions and environment are.
pub struct Runner {
    pub dir: PathBuf,
    /// `${{ expr }}` → value, e.g. `secrets.AURA_CLIENT_ID`, `github.base_ref`,
    /// `inputs.command`. A `secrets.*` not given is empty; anything else must be given.
    pub vars: HashMap<String, String>,
    /// Environment every step gets (besides PATH, HOME and the GITHUB_* files).
    pub env: Vec<(String, String)>,
    /// Directories in front of the system PATH (the test's auraform, earlier steps'
    /// `$GITHUB_PATH`).
    pub path: Vec<String>,
}

impl Runner {
    pub fn new(dir: &Path) -> Runner {
        Runner {
            dir: dir.to_owned(),
            vars: HashMap::new(),
            env: Vec::new(),
            path: Vec::new(),
        }
    }

    pub fn var(&mut self, expr: &str, value: &str) -> &mut Runner {
        self.vars.insert(expr.to_owned(), value.to_owned());
        self
    }

    pub fn env(&mut self, key: &str, value: &str) -> &mut Runner {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    fn resolve(&self, value: &str) -> String {
        let mut out = String::new();
        let mut rest = value;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("unclosed expression") + start;
            let expr = rest[start + 3..end].trim();
            match self.vars.get(expr) {
                Some(v) => out.push_str(v),
                None if expr.starts_with("secrets.") => {}
                None => panic!("the test gives no value for ${{{{ {expr} }}}}"),
            }
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// Runs `step` of a job whose `env:` is `job_env` (`Value::Null` for none).
    pub fn run(&self, job_env: &Value, step: &Value) -> Ran {
        assert_eq!(step["shell"], "bash", "every run step names its shell");
        let script = step["run"].as_str().expect("a run step");
        let files = tempfile::tempdir().unwrap();
        let script_path = files.path().join("step.sh");
        std::fs::write(&script_path, self.resolve(script)).unwrap();
        let output = files.path().join("github_output");
        let summary = files.path().join("step_summary");
        let gh_path = files.path().join("github_path");
        for f in [&output, &summary, &gh_path] {
            std::fs::write(f, "").unwrap();
        }
        let mut path = self.path.clone();
        path.push("/usr/local/bin:/usr/bin:/bin".to_owned());
        let cwd = match step["working-directory"].as_str() {
            Some(wd) => self.dir.join(self.resolve(wd)),
            None => self.dir.clone(),
        };
        let mut cmd = Command::new("bash");
        cmd.arg("--noprofile")
            .args(["--norc", "-eo", "pipefail"])
            .arg(&script_path)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", path.join(":"))
            .env("HOME", &self.dir)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_PATH", &gh_path);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for env in [job_env, &step["env"]] {
            let Some(map) = env.as_object() else { continue };
            for (k, v) in map {
                let v = match v {
                    Value::String(s) => self.resolve(s),
                    other => other.to_string(),
                };
                cmd.env(k, v);
            }
        }
        let out = cmd.output().unwrap();
        let read = |p: &Path| std::fs::read_to_string(p).unwrap();
        Ran {
            code: out.status.code().unwrap_or(-1),
            outputs: read(&output)
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            summary: read(&summary),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            path: read(&gh_path).lines().map(str::to_owned).collect(),
        }
    }
}
