//! `auraform emulator` as a user runs it: one ready line on stdout, loopback only, the
//! state file written on Ctrl-C.

use std::io::{BufRead, BufReader};

use crate::support::cli::auraform;

#[test]
fn refuses_a_non_loopback_address() {
    let out = auraform().args(["emulator", "--listen", "0.0.0.0:0"]).run();
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    let stderr = out.stderr;
    assert!(stderr.contains("loopback"), "{stderr}");
}

#[test]
fn refuses_bad_settings() {
    for args in [
        ["--speed", "0"],
        ["--fault-rate", "1.5"],
        ["--fault-kinds", "truncated,bogus"],
    ] {
        let out = auraform()
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .args(args)
            .run();
        assert_eq!(out.code, 1, "{args:?}");
        assert!(out.stderr.contains(args[0]));
    }
}

#[cfg(unix)]
#[test]
fn prints_one_ready_line_and_saves_state_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("world.json");
    let mut child = auraform()
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--seed",
            "3",
            "--state",
        ])
        .arg(&state)
        .args(["--client-secret", "s3cret-value"])
        .spawn();
    let mut stdout = BufReader::new(child.take_stdout());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(
        line.starts_with("auraform emulator listening on http://127.0.0.1:"),
        "{line}"
    );
    assert!(line.contains("client id emulator"), "{line}");
    assert!(
        line.contains("demo ") && line.contains("free-only "),
        "{line}"
    );
    assert!(!line.contains("s3cret-value"));
    let url = line.split_whitespace().nth(4).unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"));
    assert!(state.exists());

    child.interrupt();
    let exit = child.wait();
    assert_eq!(exit.code, 0);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(rest.is_empty(), "exactly one line on stdout: {rest}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(saved["format_version"], 1);
    assert!(!std::fs::read_to_string(&state).unwrap().contains("s3cret"));
}
