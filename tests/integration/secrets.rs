//! No secret anywhere but its sink. Every command — `emulator`, `validate`, `plan`
//! (human, `--format json|markdown`, `--out`), `apply` (computed and saved plans),
//! `drift`, `import`, `diff`, `schema`, `completions`, and `--emulator` runs — goes
//! through full cycles at `-vvv`, failures included (a bad file, wrong credentials, a
//! create the API refuses, a stale plan, a refused import, a bad git revision), and
//! everything they leave is scanned: stdout, stderr (the logs), plan files, JSON
//! documents, the imported aura.yaml, every file under `.auraform/` except the
//! credentials files, and the emulator's own output. None may hold the client secret
//! (right or wrong), a token the emulator issued, or any instance's password.
//!
//! Tokens are random and held by the emulator alone, so the scan asks it: every run of
//! 43 token characters in the output is presented to it as a bearer token, and
//! anything it does not answer 401 (unknown) to was a real token.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::json;

use crate::support::cli::{Out, auraform};
use crate::support::emulator::{get_json_at, http_client, token_at};

const SECRET: &str = "cs-Zq8rT2vK9mWx4Lp7Nd3Hs6Yb1Fg5Jc0";
const WRONG: &str = "cs-wrong-Vt5Qe8Ru2Wy6Io9Pa3Sd7Fg1Hj4";

const FILE: &str = "\
project: demo
defaults:
  type: professional-db
  cloud_provider: gcp
  region: europe-west1
instances:
  orders:
    memory: 2GB
  events:
    memory: 4GB
    state: paused
";

/// What was left to scan, by where it came from.
#[derive(Default)]
struct Seen {
    texts: Vec<(String, String)>,
}

impl Seen {
    fn add(&mut self, what: impl Into<String>, text: impl Into<String>) {
        self.texts.push((what.into(), text.into()));
    }

    fn out(&mut self, what: &str, out: &Out) {
        self.add(format!("{what} (stdout)"), out.stdout.clone());
        self.add(format!("{what} (stderr)"), out.stderr.clone());
    }

    /// Every file under `dir` (recursively) but the credentials files.
    fn files(&mut self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                self.files(&path);
            } else if !is_credentials(&path) {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                self.add(path.display().to_string(), text);
            }
        }
    }
}

fn is_credentials(path: &Path) -> bool {
    path.parent()
        .is_some_and(|p| p.ends_with(".auraform/credentials"))
        && path.extension().is_some_and(|x| x == "env")
}

/// Every password in the credentials files under `dir`.
fn passwords(dir: &Path, found: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            passwords(&path, found);
        } else if is_credentials(&path) {
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                if let Some(p) = line.strip_prefix("NEO4J_PASSWORD=") {
                    found.insert(p.to_owned());
                }
            }
        }
    }
}

/// Every 43-character window of token characters (base64url) in `texts`.
fn token_candidates(texts: &[(String, String)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, text) in texts {
        let runs = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        for run in runs.filter(|r| r.len() >= 43) {
            for i in 0..=run.len() - 43 {
                out.insert(run[i..i + 43].to_owned());
            }
        }
    }
    out
}

struct Emulator {
    child: crate::support::cli::Spawned,
    url: String,
    lines: BufReader<std::process::ChildStdout>,
    /// Its stderr, drained as it comes.
    stderr: std::thread::JoinHandle<String>,
}

fn start_emulator(dir: &Path) -> Emulator {
    let mut child = auraform()
        .dir(dir)
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed", "11"])
        .args(["--speed", "1000", "--rate-limit", "1000000/min", "--state"])
        .arg(dir.join("world.json"))
        .args(["--client-secret", SECRET, "-vvv"])
        .spawn();
    let mut lines = BufReader::new(child.take_stdout());
    let mut err = child.take_stderr();
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut text);
        text
    });
    let mut ready = String::new();
    lines.read_line(&mut ready).unwrap();
    let url = ready.split_whitespace().nth(4).unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{ready}");
    Emulator {
        child,
        url,
        lines,
        stderr,
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(
    clippy::too_many_lines,
    reason = "one full cycle of every command, in order"
)]
async fn no_secret_in_any_output_of_any_command_at_trace_level() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let emu = start_emulator(&d);
    let mut seen = Seen::default();
    let cli = |args: &[&str]| {
        auraform()
            .dir(&d)
            .args(args)
            .args(["-vvv", "--api-url", &emu.url, "--poll-interval", "20ms"])
            .args(["--rate-limit", "100000/min"])
            .env("AURA_CLIENT_ID", "emulator")
            .env("AURA_CLIENT_SECRET", SECRET)
    };
    let admin = http_client();

    // Offline commands, a good and a bad file.
    std::fs::write(d.join("aura.yaml"), FILE).unwrap();
    std::fs::write(
        d.join("broken.yaml"),
        "project: demo\ninstances:\n  x: {memory: lots}\n",
    )
    .unwrap();
    for (what, args, code) in [
        ("validate", vec!["validate"], 0),
        ("validate broken", vec!["validate", "-f", "broken.yaml"], 1),
        ("schema", vec!["schema"], 0),
        ("schema --plan", vec!["schema", "--plan"], 0),
        ("completions", vec!["completions", "bash"], 0),
    ] {
        let out = cli(&args).run_async().await;
        assert_eq!(out.code, code, "{what}: {}", out.stderr);
        seen.out(what, &out);
    }

    // Wrong credentials: refused, and the wrong secret is not shown either.
    let out = cli(&["plan"])
        .env("AURA_CLIENT_SECRET", WRONG)
        .run_async()
        .await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("auraform::api::authentication"),
        "{}",
        out.stderr
    );
    seen.out("plan with a wrong secret", &out);

    // A full cycle: plan in every format, saved, applied; resized and re-applied.
    for (what, args) in [
        ("plan", vec!["plan"]),
        ("plan json", vec!["plan", "--format", "json"]),
        ("plan markdown", vec!["plan", "--format", "markdown"]),
        ("plan --out", vec!["plan", "--out", "p.json"]),
    ] {
        let out = cli(&args).run_async().await;
        assert_eq!(out.code, 0, "{what}: {}", out.stderr);
        seen.out(what, &out);
    }
    let out = cli(&["apply", "p.json"]).run_async().await;
    assert_eq!(out.code, 0, "apply p.json: {}", out.stdout);
    seen.out("apply p.json", &out);
    // The same plan again: stale now.
    let out = cli(&["apply", "p.json"]).run_async().await;
    assert_eq!(out.code, 1);
    seen.out("apply stale p.json", &out);
    std::fs::write(
        d.join("aura.yaml"),
        format!("{FILE}  reports:\n    memory: 2GB\n").replace("memory: 4GB", "memory: 8GB"),
    )
    .unwrap();
    let out = cli(&["apply", "--auto-approve"]).run_async().await;
    assert_eq!(out.code, 0, "apply: {}", out.stdout);
    seen.out("apply", &out);

    // A create the API refuses (no such key), alongside one that works.
    std::fs::write(
        d.join("refused.yaml"),
        format!("{FILE}  keyed:\n    memory: 2GB\n    customer_managed_key_id: no-such-key\n  extra:\n    memory: 2GB\n"),
    )
    .unwrap();
    let out = cli(&["apply", "--auto-approve", "-f", "refused.yaml"])
        .run_async()
        .await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("keyed"), "{}", out.stdout);
    seen.out("apply refused", &out);

    // Someone resizes `orders` behind aura.yaml's back: drift in every format.
    let tenants: serde_json::Value = {
        let token = token_at(&emu.url, "emulator", SECRET).await;
        let tenant = get_json_at(&emu.url, &token, "/v1/tenants").await["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let list = get_json_at(
            &emu.url,
            &token,
            &format!("/v1/instances?tenantId={tenant}"),
        )
        .await;
        let orders = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == "orders")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = admin
            .patch(format!("{}/v1/instances/{orders}", emu.url))
            .bearer_auth(&token)
            .json(&json!({"memory": "4GB"}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        list
    };
    assert!(tenants["data"].as_array().unwrap().len() >= 3);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for (what, args) in [
        ("drift", vec!["drift"]),
        ("drift json", vec!["drift", "--format", "json"]),
        ("drift markdown", vec!["drift", "--format", "markdown"]),
    ] {
        let out = cli(&args).run_async().await;
        assert_eq!(out.code, 2, "{what}: {}", out.stderr);
        seen.out(what, &out);
    }

    // Import to stdout and to a file, then refused over an existing file.
    let out = cli(&["import", "--project", "demo"]).run_async().await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    seen.out("import", &out);
    let out = cli(&["import", "--project", "demo", "--output", "imported.yaml"])
        .run_async()
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    seen.out("import --output", &out);
    let out = cli(&["import", "--project", "demo", "--output", "imported.yaml"])
        .run_async()
        .await;
    assert_eq!(out.code, 1);
    seen.out("import refused", &out);

    // Offline diffs, and a revision that is an option.
    for (what, args, code) in [
        ("diff", vec!["diff", "refused.yaml", "aura.yaml"], 0),
        (
            "diff json",
            vec!["diff", "refused.yaml", "aura.yaml", "--format", "json"],
            0,
        ),
        (
            "diff markdown",
            vec!["diff", "refused.yaml", "aura.yaml", "--format", "markdown"],
            0,
        ),
        (
            "diff bad revision",
            vec!["diff", "git:--output=x:aura.yaml", "aura.yaml"],
            1,
        ),
    ] {
        let out = cli(&args).run_async().await;
        assert_eq!(out.code, code, "{what}: {}", out.stderr);
        seen.out(what, &out);
    }

    // The embedded emulator, in a directory of its own (its world file is scanned
    // too; its lifecycle runs at speed 40, so no creates here: the cycle above wrote
    // the credentials).
    let embedded = d.join("embedded");
    std::fs::create_dir(&embedded).unwrap();
    std::fs::write(embedded.join("aura.yaml"), FILE).unwrap();
    for (what, args, code) in [
        ("--emulator plan json", vec!["plan", "--format", "json"], 0),
        ("--emulator drift", vec!["drift"], 2),
    ] {
        let out = auraform()
            .dir(&embedded)
            .args(&args)
            .args(["-vvv", "--poll-interval", "50ms"])
            .embedded()
            .run_async()
            .await;
        assert_eq!(out.code, code, "{what}: {}\n{}", out.stdout, out.stderr);
        seen.out(what, &out);
    }

    // The emulator's own output at -vvv, then every file left behind.
    let Emulator {
        child,
        url,
        mut lines,
        stderr,
    } = emu;
    let mut rest = String::new();
    // What the emulator printed after its ready line comes when it exits.
    let candidates_before_exit = {
        seen.files(&d);
        token_candidates(&seen.texts)
    };
    let leaked = leaked_tokens(&url, &candidates_before_exit).await;
    child.interrupt();
    assert_eq!(child.wait().code, 0);
    std::io::Read::read_to_string(&mut lines, &mut rest).unwrap();
    seen.add("emulator (stdout)", rest);
    seen.add("emulator (stderr)", stderr.join().unwrap());

    let mut secrets = BTreeSet::new();
    passwords(&d, &mut secrets);
    // orders, events, reports and extra.
    assert_eq!(secrets.len(), 4, "{secrets:?}");
    secrets.insert(SECRET.to_owned());
    secrets.insert(WRONG.to_owned());
    secrets.insert("emulator-secret".to_owned());
    let mut found = Vec::new();
    for (what, text) in &seen.texts {
        for secret in &secrets {
            if text.contains(secret.as_str()) {
                found.push(format!("{what}: a secret ({} chars)", secret.len()));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
    assert!(
        leaked.is_empty(),
        "tokens in the output: {} of them",
        leaked.len()
    );
    // The scan saw real material: every command's output and the files.
    assert!(seen.texts.len() > 60, "{}", seen.texts.len());
    let all: String = seen.texts.iter().map(|(_, t)| t.as_str()).collect();
    assert!(
        all.contains("\"format_version\""),
        "plan files and JSON were scanned"
    );
    assert!(all.contains("aura api"), "-vvv request logs were scanned");
}

/// The candidates the emulator recognises as tokens it issued (anything but 401).
async fn leaked_tokens(url: &str, candidates: &BTreeSet<String>) -> Vec<String> {
    let http = http_client();
    let mut leaked = Vec::new();
    let list: Vec<&String> = candidates.iter().collect();
    for batch in list.chunks(64) {
        let answers = futures::future::join_all(batch.iter().map(|c| {
            http.get(format!("{url}/v1/tenants"))
                .bearer_auth(c.as_str())
                .send()
        }))
        .await;
        for (candidate, answer) in batch.iter().zip(answers) {
            if answer.unwrap().status().as_u16() != 401 {
                leaked.push((*candidate).clone());
            }
        }
    }
    // A sanity check of the method: a token the emulator did issue is recognised.
    let real = token_at(url, "emulator", SECRET).await;
    assert_eq!(real.len(), 43);
    let status = http
        .get(format!("{url}/v1/tenants"))
        .bearer_auth(&real)
        .send()
        .await
        .unwrap()
        .status();
    assert_ne!(status.as_u16(), 401);
    leaked
}
