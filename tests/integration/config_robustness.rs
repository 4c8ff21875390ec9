//! Hostile or broken input: each a clear error, never a panic or a hang.

use std::path::Path;

use auraform::config::{self, ErrorCode, MAX_FILE_BYTES};
use proptest::prelude::*;

use super::config_diagnostics::{render, test_env};

fn codes_of_text(text: &str) -> Vec<ErrorCode> {
    match config::load_str("aura.yaml", text, Path::new("."), &test_env) {
        Ok(_) => Vec::new(),
        Err(e) => e.codes(),
    }
}

#[test]
fn a_file_over_the_size_cap_is_refused_before_parsing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("aura.yaml");
    let line = "# padding padding padding padding padding padding padding padding\n";
    let text = line.repeat(usize::try_from(MAX_FILE_BYTES).expect("fits") / line.len() + 1);
    std::fs::write(&path, text).expect("write");
    let err = config::load(&path, &test_env).expect_err("too large");
    assert_eq!(err.codes(), vec![ErrorCode::TooLarge]);
    assert!(err.to_string().contains("too large"), "{err}");
}

#[test]
fn a_directory_is_not_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = config::load(dir.path(), &test_env).expect_err("directory");
    assert_eq!(err.codes(), vec![ErrorCode::NotAFile]);
    insta::assert_snapshot!(
        "directory",
        render(&err).replace(&dir.path().display().to_string(), "[TMP]")
    );
}

#[test]
fn a_missing_file_says_so() {
    let err = config::load(
        Path::new("tests/fixtures/config/no-such-file.yaml"),
        &test_env,
    )
    .expect_err("missing");
    assert_eq!(err.codes(), vec![ErrorCode::Io]);
    insta::assert_snapshot!("missing_file", render(&err));
}

#[test]
fn invalid_utf8_is_reported_with_its_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("aura.yaml");
    std::fs::write(&path, b"project: demo\ninstances:\n  caf\xe9: {}\n").expect("write");
    let err = config::load(&path, &test_env).expect_err("not utf-8");
    assert_eq!(err.codes(), vec![ErrorCode::InvalidUtf8]);
    assert!(err.to_string().contains("line 3, column 6"), "{err}");
}

#[test]
fn empty_and_comment_only_files_are_empty() {
    for text in ["", "\n\n", "# nothing but a comment\n", "---\n"] {
        assert_eq!(codes_of_text(text), vec![ErrorCode::Empty], "{text:?}");
    }
    let err =
        config::load(Path::new("tests/fixtures/config/empty.yaml"), &test_env).expect_err("empty");
    insta::assert_snapshot!("empty_file", render(&err));
}

#[test]
fn an_alias_bomb_is_stopped() {
    let text = "\
project: demo
a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
instances: {}
";
    assert_eq!(codes_of_text(text), vec![ErrorCode::TooComplex]);
}

#[test]
fn deep_nesting_is_stopped_without_overflowing_the_stack() {
    let flow = format!(
        "project: demo\ninstances: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let codes = codes_of_text(&flow);
    assert_eq!(codes.len(), 1);
    assert!(
        matches!(codes[0], ErrorCode::TooComplex | ErrorCode::Syntax),
        "{codes:?}"
    );

    let mut block = String::from("project: demo\ninstances:\n");
    for depth in 1..200 {
        block.push_str(&"  ".repeat(depth));
        block.push_str("a:\n");
    }
    let codes = codes_of_text(&block);
    assert_eq!(codes.len(), 1);
    assert!(
        matches!(codes[0], ErrorCode::TooComplex | ErrorCode::Syntax),
        "{codes:?}"
    );
}

#[test]
fn a_huge_string_is_refused() {
    let text = format!(
        "project: {}\ninstances: {{}}\n",
        "x".repeat(2 * 1024 * 1024)
    );
    assert_eq!(codes_of_text(&text), vec![ErrorCode::TooLarge]);
}

#[test]
fn tabs_and_garbage_are_syntax_errors() {
    for text in [
        "project: demo\n\tinstances: {}\n",
        "project: [demo\n",
        ": : :\n",
        "\"unterminated\n",
    ] {
        let codes = codes_of_text(text);
        assert!(!codes.is_empty(), "{text:?} accepted");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// The loader never panics, whatever the text.
    #[test]
    fn arbitrary_text_never_panics(text in "(?s).{0,300}") {
        let _ = config::load_str("aura.yaml", text, Path::new("."), &test_env);
    }

    /// Nor does a valid file with a few bytes changed (closer to real mistakes).
    #[test]
    fn mutated_example_never_panics(edits in proptest::collection::vec((0usize..4000, any::<u8>()), 1..6)) {
        let mut bytes = std::fs::read("examples/aura.yaml").expect("example");
        for (at, b) in edits {
            let i = at % bytes.len();
            bytes[i] = b;
        }
        if let Err(e) = config::load_bytes("aura.yaml", bytes, Path::new("."), &test_env) {
            let _ = render(&e);
        }
    }
}
