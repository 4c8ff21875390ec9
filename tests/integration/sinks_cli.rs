//! The credentials sinks as a pipeline uses them: the real binary against the
//! emulator, with fake `vault` and `gh` programs on `PATH` standing in for secret
//! stores (docs/apply.md §10). Each fake records what it was given — its argv, its
//! own `/proc/<pid>/cmdline` and environment, its stdin — so the tests can check that
//! the password reached the store through stdin and nowhere else.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::bench::Bench;
use super::support::cli::{Out, auraform};

/// A fake secret store. What it does depends on the instance it is called for:
/// `bad` fails, `leaky` fails printing what it was given (the password), `slow`
/// hangs, `doomed` pushes its instance into `loading failed` through the emulator's
/// admin route (a step failure in the same run), anything else stores and says so.
const FAKE_STORE: &str = r#"#!/bin/sh
out="$CALLS/$AURA_INSTANCE_NAME"
printf '%s\n' "$0" "$@" > "$out.argv"
if [ -r /proc/$$/cmdline ]; then tr '\0' '\n' < /proc/$$/cmdline > "$out.cmdline"; fi
if [ -r /proc/$$/environ ]; then tr '\0' '\n' < /proc/$$/environ > "$out.environ"; fi
cat > "$out.stdin"
case "$AURA_INSTANCE_NAME" in
  bad) echo "error: HTTP 403: Resource not accessible by integration" >&2; exit 1 ;;
  leaky) cat "$out.stdin" >&2; exit 1 ;;
  slow) sleep 60 & echo $! > "$out.child"; wait ;;
  doomed) curl -s -X POST "$EMU/_emulator/instances/$AURA_INSTANCE_ID/status" -d '{"status":"loading failed"}' > /dev/null ;;
esac
echo "Success! Data written to: secret/aura/$AURA_INSTANCE_NAME"
"#;

/// A bench with the fakes installed as `vault` and `gh` in `bin/`, calls recorded
/// in `calls/`.
async fn bench() -> Bench {
    let b = Bench::start().await;
    std::fs::create_dir_all(b.path("bin")).unwrap();
    std::fs::create_dir_all(b.path("calls")).unwrap();
    for name in ["vault", "gh"] {
        let path = b.path("bin").join(name);
        std::fs::write(&path, FAKE_STORE).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    b
}

fn aura_yaml(credentials: &str, names: &[&str]) -> String {
    let mut text = format!(
        "project: demo\ndefaults: {{ type: professional-db, cloud_provider: gcp, region: europe-west1, memory: 2GB }}\ncredentials:\n{credentials}instances:\n"
    );
    for n in names {
        let _ = writeln!(text, "  {n}: {{}}");
    }
    text
}

async fn apply(b: &Bench, extra: &[&str]) -> Out {
    let path = format!(
        "{}:{}",
        b.path("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let calls = b.path("calls").display().to_string();
    let emu = b.emu.handle.base_url().clone();
    let mut args = vec![
        "apply",
        "--auto-approve",
        "--poll-interval",
        "100ms",
        "--rate-limit",
        "6000/min",
    ];
    args.extend_from_slice(extra);
    auraform()
        .dir(b.dir.path())
        .args(&args)
        .against(&b.emu)
        .env("PATH", &path)
        .env("CALLS", &calls)
        .env("EMU", &emu)
        .run_async()
        .await
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn password_in(env_text: &str) -> String {
    env_text
        .lines()
        .find_map(|l| l.strip_prefix("NEO4J_PASSWORD="))
        .expect("a password line")
        .to_owned()
}

/// Nothing a person or another process can see holds `secret`: the command's argv
/// and environment as the kernel shows them, auraform's stdout and stderr.
fn assert_nowhere(b: &Bench, name: &str, secret: &str, out: &Out) {
    for what in ["argv", "cmdline", "environ"] {
        let path = b.path("calls").join(format!("{name}.{what}"));
        if what != "argv" && !path.exists() {
            continue; // no /proc here
        }
        assert!(
            !read(&path).contains(secret),
            "the password is in the {what} of the command for {name}"
        );
    }
    assert!(!out.stdout.contains(secret), "the password is on stdout");
    assert!(!out.stderr.contains(secret), "the password is on stderr");
}

fn mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0o600
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_sink_gets_each_env_on_stdin_and_the_password_goes_nowhere_else() {
    let b = bench().await;
    b.write(
        "aura.yaml",
        &aura_yaml(
            "  command: [vault, kv, put, secret/aura, env=-]\n",
            &["orders", "orders-copy"],
        ),
    );
    // -vvv: not even trace-level logs may carry the password.
    let out = apply(&b, &["-vvv"]).await;
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("Apply complete: 2 done."),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("credentials command started"),
        "the -vvv log"
    );

    for (name, prefix) in [("orders", "ORDERS"), ("orders-copy", "ORDERS_COPY")] {
        // The file is written, and the store got exactly its text on stdin.
        let file = b.path(".auraform/credentials").join(format!("{name}.env"));
        let env_text = read(&file);
        assert_eq!(mode(&file), 0o600);
        let calls = b.path("calls");
        assert_eq!(read(&calls.join(format!("{name}.stdin"))), env_text);
        let secret = password_in(&env_text);
        assert!(secret.len() >= 8);
        assert_nowhere(&b, name, &secret, &out);
        assert_eq!(
            read(&calls.join(format!("{name}.argv"))),
            format!(
                "{}\nkv\nput\nsecret/aura\nenv=-\n",
                b.path("bin/vault").display()
            ),
            "found on PATH, arguments as written"
        );
        let environ = calls.join(format!("{name}.environ"));
        if environ.exists() {
            let environ = read(&environ);
            let id = env_text
                .lines()
                .find_map(|l| l.strip_prefix("AURA_INSTANCE_ID="))
                .unwrap();
            for want in [
                format!("AURA_INSTANCE_NAME={name}"),
                format!("AURA_INSTANCE_ID={id}"),
                format!("AURA_PROJECT_ID={}", b.emu.demo()),
                format!("AURA_INSTANCE_ENV_PREFIX={prefix}"),
            ] {
                assert!(environ.lines().any(|l| l == want), "{want} missing");
            }
            assert!(
                !environ.contains("AURA_CLIENT_SECRET") && !environ.contains("emulator-secret"),
                "the API credentials are withheld from the command"
            );
        }
        assert!(
            out.stdout
                .contains("stored by `vault kv put secret/aura env=-`"),
            "{}",
            out.stdout
        );
    }
    // Nothing left to do: still exactly one document, and the command is not run again.
    std::fs::remove_file(b.path("calls/orders.stdin")).unwrap();
    let again = apply(&b, &["--format", "json"]).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    let doc: Value = serde_json::from_str(&again.stdout).expect("exactly one JSON document");
    assert_eq!(doc["outcome"], "nothing-to-do");
    assert_eq!(doc["instances"], serde_json::json!([]));
    assert!(!b.path("calls/orders.stdin").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_and_hanging_sinks_keep_the_file_report_the_instance_and_exit_1_in_one_json_report()
{
    let b = bench().await;
    let names = ["ok", "bad", "leaky", "slow", "doomed"];
    b.write(
        "aura.yaml",
        &aura_yaml(
            "  command: [gh, secret, set, AURA_ENV]\n  command_timeout: 1s\n",
            &names,
        ),
    );
    let started = Instant::now();
    let out = apply(&b, &["--format", "json"]).await;
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the hanging command was not cut off at its timeout"
    );
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);

    // stdout is exactly one document, valid against the published schema; the plan
    // went to stderr.
    let doc: Value = serde_json::from_str(&out.stdout).expect("exactly one JSON document");
    let schema: Value = serde_json::from_str(&read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/apply-report.schema.json"),
    ))
    .unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(out.stderr.contains("Plan: 5 to create"), "{}", out.stderr);
    assert!(!out.stdout.contains("Plan:"));
    assert!(out.stderr.contains("auraform::apply::incomplete"));

    assert_eq!(doc["outcome"], "finished-with-errors");
    assert_eq!(doc["summary"]["done"], 4, "{doc:#}");
    assert_eq!(doc["summary"]["failed"], 1);
    assert_eq!(doc["summary"]["credentials_sink_failures"], 3);
    let entry = |name: &str| {
        doc["instances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in the report"))
            .clone()
    };
    let sink_failure = |name: &str| {
        let e = entry(name);
        assert_eq!(e["failures"][0]["kind"], "credentials-command", "{e:#}");
        let reason = e["failures"][0]["reason"].as_str().unwrap().to_owned();
        let remedy = e["failures"][0]["remedy"].as_str().unwrap().to_owned();
        assert!(remedy.contains(&format!("{name}.env")), "{remedy}");
        assert_eq!(e["credentials"]["stored"], true);
        assert_eq!(e["credentials"]["command"]["stored"], false);
        (reason, remedy)
    };
    assert!(entry("ok")["failures"].as_array().unwrap().is_empty());
    assert_eq!(entry("ok")["credentials"]["command"]["stored"], true);
    let (reason, _) = sink_failure("bad");
    assert!(
        reason.contains("`gh secret set AURA_ENV` exited with status 1: error: HTTP 403"),
        "{reason}"
    );
    let (reason, _) = sink_failure("leaky");
    assert!(reason.contains("it contained the password"), "{reason}");
    // The timeout killed what the command started, not only the command.
    let child = read(&b.path("calls/slow.child"));
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.trim())).unwrap_or_default();
    let state = stat.rsplit_once(") ").map(|(_, rest)| &rest[..1]);
    assert!(
        matches!(state, None | Some("Z" | "X")),
        "`sleep` still runs: {stat}"
    );
    let (reason, remedy) = sink_failure("slow");
    assert!(
        reason.contains("did not finish within 1s and was killed"),
        "{reason}"
    );
    assert!(remedy.contains("command_timeout"), "{remedy}");
    let doomed = entry("doomed");
    assert_eq!(doomed["outcome"], "failed", "{doomed:#}");
    assert_eq!(doomed["failures"][0]["kind"], "step");
    assert!(
        doomed["failures"][0]["remedy"]
            .as_str()
            .unwrap()
            .contains("Aura console")
    );

    // Every instance's file was written first, whatever its command did, and nothing
    // anyone can see holds a password.
    for name in names {
        let file = b.path(".auraform/credentials").join(format!("{name}.env"));
        let env_text = read(&file);
        assert_eq!(mode(&file), 0o600);
        assert_eq!(
            read(&b.path("calls").join(format!("{name}.stdin"))),
            env_text
        );
        assert_nowhere(&b, name, &password_in(&env_text), &out);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_file_false_a_failed_command_still_leaves_the_only_copy_on_disk() {
    let b = bench().await;
    b.write(
        "aura.yaml",
        &aura_yaml(
            "  file: false\n  command: [vault, kv, put, secret/aura, env=-]\n",
            &["good", "bad"],
        ),
    );
    let out = apply(&b, &[]).await;
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let dir = b.path(".auraform/credentials");
    assert!(
        !dir.join("good.env").exists(),
        "file: false is honoured when the store took it"
    );
    let kept = dir.join("bad.env");
    let env_text = read(&kept);
    assert_eq!(mode(&kept), 0o600);
    assert_eq!(read(&b.path("calls/bad.stdin")), env_text);
    assert!(
        out.stdout
            .contains("(written although `file: false`: the command failed)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(
        "credentials command FAILED: `vault kv put secret/aura env=-` exited with status 1"
    ));
    assert!(
        out.stdout.contains("then delete the file"),
        "{}",
        out.stdout
    );
    for name in ["good", "bad"] {
        let secret = password_in(&read(&b.path("calls").join(format!("{name}.stdin"))));
        assert_nowhere(&b, name, &secret, &out);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_program_is_reported_with_the_remedy() {
    let b = bench().await;
    b.write(
        "aura.yaml",
        &aura_yaml("  command: [no-such-store, put]\n", &["orders"]),
    );
    let out = apply(&b, &[]).await;
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    // One instance: done, and apart from that, its credentials not stored.
    assert!(
        out.stdout.contains(
            "Apply finished with errors: 1 done; credentials not stored by the sink for 1.\n"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("credentials command FAILED: `no-such-store` was not found on PATH"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Then install `no-such-store`"),
        "{}",
        out.stdout
    );
    assert!(b.path(".auraform/credentials/orders.env").exists());
}
