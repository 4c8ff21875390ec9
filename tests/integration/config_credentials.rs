//! `credentials:` in aura.yaml: the file sink, the command sink and their rules
//! (docs/aura-yaml.md §3), each problem located at the value that causes it.

use std::path::Path;
use std::time::Duration;

use auraform::config::{self, ConfigErrors, ErrorCode, LoadedConfig};

const BASE: &str = "/work/project";

fn load(text: &str) -> Result<LoadedConfig, ConfigErrors> {
    // `${VAR}` would be an unset variable if it were expanded.
    config::load_str("aura.yaml", text, Path::new(BASE), &|_| None)
}

fn with_credentials(block: &str) -> String {
    format!("project: p\ncredentials:\n{block}instances: {{}}\n")
}

/// The one error of `text`: its code, and the text its primary label points at.
fn only_error(text: &str) -> (ErrorCode, String, String) {
    let errs = load(text).expect_err("invalid");
    assert_eq!(errs.len(), 1, "{:?}", errs.codes());
    let e = &errs.errors[0];
    let span = e.span().expect("located");
    let at = text[span.offset..span.offset + span.len].to_owned();
    (
        e.code,
        at,
        format!("{} {}", e.message, e.help.clone().unwrap_or_default()),
    )
}

#[test]
fn a_command_is_taken_as_written_and_resolved_against_the_file() {
    let text = with_credentials(
        "  command: [sh, -c, 'gh secret set \"${AURA_INSTANCE_ENV_PREFIX}_ENV\"', 5]\n  command_timeout: 2m\n  file: false\n",
    );
    let d = load(&text).unwrap().desired;
    assert!(!d.credentials_file);
    let c = d.credentials_command.unwrap();
    // Not `${VAR}`-expanded: the shell gets its own variable untouched.
    assert_eq!(
        c.argv,
        [
            "sh",
            "-c",
            "gh secret set \"${AURA_INSTANCE_ENV_PREFIX}_ENV\"",
            "5"
        ]
    );
    assert_eq!(
        c.program,
        Path::new("sh"),
        "a bare name is looked up on PATH"
    );
    assert_eq!(c.working_dir, Path::new(BASE));
    assert_eq!(c.timeout, Duration::from_secs(120));

    let d = load(&with_credentials("  command: [scripts/store.sh]\n"))
        .unwrap()
        .desired;
    let c = d.credentials_command.unwrap();
    assert_eq!(c.program, Path::new("/work/project/scripts/store.sh"));
    assert_eq!(c.timeout, config::validate::DEFAULT_COMMAND_TIMEOUT);
    assert!(d.credentials_file, "the file is still written by default");

    let d = load("project: p\ninstances: {}\n").unwrap().desired;
    assert!(d.credentials_file && d.credentials_command.is_none());
}

#[test]
fn file_false_without_a_command_is_refused_where_it_is_written() {
    let (code, at, text) = only_error(&with_credentials("  file: false\n"));
    assert_eq!(code, ErrorCode::Conflict);
    assert_eq!(at, "false");
    assert!(text.contains("must land somewhere"), "{text}");
}

#[test]
fn a_command_must_be_a_non_empty_list_of_strings() {
    let (code, at, text) = only_error(&with_credentials(
        "  command: vault kv put secret/x env=-\n",
    ));
    assert_eq!(code, ErrorCode::WrongType);
    assert_eq!(at, "vault kv put secret/x env=-");
    assert!(text.contains("not split into words"), "{text}");

    // One mistake, one diagnostic: a wrong command is not also a missing one.
    let (code, at, _) = only_error(&with_credentials(
        "  file: false\n  command: vault\n  command_timeout: 5s\n",
    ));
    assert_eq!((code, at.as_str()), (ErrorCode::WrongType, "vault"));

    let (code, at, _) = only_error(&with_credentials("  command: []\n"));
    assert_eq!((code, at.as_str()), (ErrorCode::InvalidValue, "command"));

    let (code, at, _) = only_error(&with_credentials("  command: ['', x]\n"));
    assert_eq!((code, at.as_str()), (ErrorCode::InvalidValue, "''"));

    let (code, at, _) = only_error(&with_credentials("  command: [vault, true]\n"));
    assert_eq!((code, at.as_str()), (ErrorCode::WrongType, "true"));
}

#[test]
fn the_timeout_is_a_bounded_duration_and_needs_a_command() {
    for (value, why) in [("10", "no unit"), ("0s", "zero"), ("2h", "out of range")] {
        let text = with_credentials(&format!("  command: [x]\n  command_timeout: {value}\n"));
        let (code, at, text) = only_error(&text);
        assert_eq!(
            (code, at.as_str()),
            (ErrorCode::InvalidValue, value),
            "{text}"
        );
        assert!(text.contains("from 1s to 1h"), "{why}: {text}");
    }
    let (code, at, _) = only_error(&with_credentials("  command_timeout: 5s\n"));
    assert_eq!((code, at.as_str()), (ErrorCode::Conflict, "5s"));
}

#[test]
fn unknown_keys_under_credentials_list_the_allowed_ones() {
    let (code, at, text) = only_error(&with_credentials("  comand: [x]\n"));
    assert_eq!((code, at.as_str()), (ErrorCode::UnknownField, "comand"));
    assert!(
        text.contains("allowed keys: dir, file, command, command_timeout"),
        "{text}"
    );
}
