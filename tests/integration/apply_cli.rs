//! `auraform apply` as a user runs it: the real binary against the embedded
//! emulator (`--emulator`, world in `.auraform/emulator.json` beside aura.yaml).

use std::path::{Path, PathBuf};

use crate::support::cli::{Out, auraform};

/// A fresh directory with examples/aura.yaml in it.
fn example_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/aura.yaml");
    std::fs::copy(example, dir.path().join("aura.yaml")).unwrap();
    dir
}

fn credentials(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(".auraform/credentials"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "env"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn passwords(dir: &Path) -> Vec<String> {
    credentials(dir)
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .find_map(|l| l.strip_prefix("NEO4J_PASSWORD="))
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn assert_no_secret(output: &Out, secrets: &[String]) {
    let all = format!("{}{}", output.stdout, output.stderr);
    for secret in secrets {
        assert!(!all.contains(secret.as_str()), "a password was printed");
    }
}

#[test]
fn apply_example_from_empty_then_nothing_to_do() {
    let dir = example_dir();
    // -vvv: not even trace-level logs may carry a password.
    let first = auraform()
        .dir(dir.path())
        .args(["apply", "--auto-approve", "-vvv"])
        .embedded()
        .run();
    let stdout = &first.stdout;
    assert_eq!(first.code, 0, "{stdout}\n{}", first.stderr);
    assert!(stdout.contains("Plan: 8 to create"), "{stdout}");
    assert!(stdout.contains("Apply complete: 8 done."), "{stdout}");
    // Progress went to stderr, not stdout.
    assert!(first.stderr.contains("orders: create … started"));
    assert!(!stdout.contains("… started"));

    let files = credentials(dir.path());
    assert_eq!(files.len(), 8, "{files:?}");
    #[cfg(unix)]
    for f in &files {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".auraform/.gitignore")).unwrap(),
        "*\n"
    );
    let secrets = passwords(dir.path());
    assert_no_secret(&first, &secrets);

    let second = auraform()
        .dir(dir.path())
        .args(["apply", "--auto-approve"])
        .embedded()
        .run();
    assert_eq!(second.code, 0);
    assert!(
        second
            .stdout
            .contains("No changes. Live state matches aura.yaml."),
        "{}",
        second.stdout
    );
    assert_no_secret(&second, &secrets);
}

#[test]
fn without_a_terminal_apply_refuses_unless_auto_approved() {
    let dir = example_dir();
    let out = auraform()
        .dir(dir.path())
        .arg("apply")
        .stdin("yes\n")
        .embedded()
        .run();
    assert_eq!(out.code, 1);
    let stderr = &out.stderr;
    assert!(
        stderr.contains("auraform::apply::confirmation_needed"),
        "{stderr}"
    );
    assert!(stderr.contains("--auto-approve"), "{stderr}");
    // The plan was shown, nothing was created.
    assert!(out.stdout.contains("Plan: 8 to create"));
    assert!(credentials(dir.path()).is_empty());
}

/// Saves a plan for `dir/aura.yaml` against the embedded emulator's world with
/// `plan --out`.
fn save_plan(dir: &Path, out: &Path) {
    let made = auraform()
        .dir(dir)
        .args(["plan", "--out"])
        .arg(out)
        .embedded()
        .run();
    assert_eq!(made.code, 0, "{}", made.stderr);
}

#[test]
fn saved_plan_is_applied_without_asking_and_refused_once_stale() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "project: demo\ninstances:\n  solo:\n    type: professional-db\n    cloud_provider: gcp\n    region: europe-west1\n    memory: 2GB\n";
    // Named another way than `plan` named it (`aura.yaml`): the same file.
    let file = dir.path().join("aura.yaml");
    std::fs::write(&file, yaml).unwrap();

    // Stale: aura.yaml changes after the plan was saved.
    let stale = dir.path().join("stale.json");
    save_plan(dir.path(), &stale);
    std::fs::write(dir.path().join("aura.yaml"), yaml.replace("2GB", "4GB")).unwrap();
    let out = auraform()
        .dir(dir.path())
        .args(["apply", "stale.json", "-f"])
        .arg(&file)
        .embedded()
        .run();
    assert_eq!(out.code, 1);
    let stderr = &out.stderr;
    assert!(stderr.contains("stale"), "{stderr}");
    assert!(stderr.contains("aura.yaml changed"), "{stderr}");
    assert!(credentials(dir.path()).is_empty());

    // Fresh: applied exactly, no prompt, no --auto-approve needed.
    let fresh = dir.path().join("fresh.json");
    save_plan(dir.path(), &fresh);
    let out = auraform()
        .dir(dir.path())
        .args(["apply", "fresh.json", "-f"])
        .arg(&file)
        .embedded()
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Apply complete: 1 done."));
    assert_eq!(credentials(dir.path()).len(), 1);

    // Applying it a second time: the live project moved (the instance now exists).
    let out = auraform()
        .dir(dir.path())
        .args(["apply", "fresh.json", "-f"])
        .arg(&file)
        .embedded()
        .run();
    assert_eq!(out.code, 1);
    let stderr = &out.stderr;
    assert!(stderr.contains("live instances changed"), "{stderr}");
    assert!(stderr.contains("`solo`"), "{stderr}");
    // --target does not combine with a saved plan.
    let out = auraform()
        .dir(dir.path())
        .args(["apply", "fresh.json", "--target", "solo", "-f"])
        .arg(&file)
        .embedded()
        .run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("saved_plan_flags"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_mid_apply_reports_and_a_new_apply_converges() {
    use std::time::{Duration, Instant};

    let dir = example_dir();
    let child = auraform()
        .dir(dir.path())
        .args(["apply", "--auto-approve"])
        .embedded()
        .spawn();
    // Wait until the creates are in flight (credentials appear), then interrupt.
    let start = Instant::now();
    while credentials(dir.path()).is_empty() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!credentials(dir.path()).is_empty());
    child.interrupt();
    let out = child.wait();
    let stdout = &out.stdout;
    let stderr = &out.stderr;
    assert_eq!(out.code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("Apply interrupted"), "{stdout}");
    assert!(stdout.contains("Run `auraform apply` again"), "{stdout}");
    assert!(stderr.contains("Interrupt received"), "{stderr}");

    // Every instance whose create was sent has its credentials; a new apply
    // finishes the job without creating anything twice.
    let again = auraform()
        .dir(dir.path())
        .args(["apply", "--auto-approve"])
        .embedded()
        .run();
    let stdout = &again.stdout;
    assert_eq!(again.code, 0, "{stdout}\n{}", again.stderr);
    let last = auraform()
        .dir(dir.path())
        .args(["apply", "--auto-approve"])
        .embedded()
        .run();
    assert!(last.stdout.contains("No changes."), "{}", last.stdout);
    assert_eq!(credentials(dir.path()).len(), 8);
    let secrets = passwords(dir.path());
    assert_no_secret(&out, &secrets);
    assert_no_secret(&again, &secrets);
}

/// `--timeout 99999999999999999h` (or such a `--poll-interval`) once panicked with
/// "overflow when adding duration to instant" (exit 101) after the create was sent.
/// The bound is checked when the flag is parsed: a usage error, nothing sent.
#[test]
fn durations_too_long_are_refused_when_parsed_before_anything_is_sent() {
    let dir = example_dir();
    for (flag, bound) in [("--timeout", "168h"), ("--poll-interval", "1h")] {
        for value in [
            "99999999999999999h",
            "18446744073709551615ms",
            "169h",
            "61m",
        ] {
            if flag == "--timeout" && value == "61m" {
                continue;
            }
            let out = auraform()
                .dir(dir.path())
                .args(["apply", "--auto-approve", flag, value])
                .embedded()
                .run();
            let stderr = &out.stderr;
            assert_eq!(out.code, 1, "{flag} {value}: {stderr}");
            assert!(
                stderr.contains(&format!("`{value}` is too long: at most {bound}")),
                "{flag} {value}: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
    // Nothing was sent: the embedded emulator never even started.
    assert!(!dir.path().join(".auraform").exists());
    // The bounds themselves are accepted.
    let out = auraform()
        .dir(dir.path())
        .args(["plan", "--timeout", "168h", "--poll-interval", "1h"])
        .embedded()
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
}
