//! The exact rendered diagnostic for each bad file in `tests/fixtures/config/`: the
//! message, code, `file:line:column`, the snippet underlining the value, and the help.
//! Rendered without colour at a fixed width, as a user with `NO_COLOR=1` sees it.

use std::path::Path;

use auraform::config::{self, ConfigErrors, ErrorCode};

/// A hermetic environment: only what the fixtures use.
pub fn test_env(name: &str) -> Option<String> {
    match name {
        "AURA_TEST_PROJECT" => Some("demo".to_owned()),
        _ => None,
    }
}

/// Renders a diagnostic the way the binary does with `NO_COLOR=1`, at a fixed width.
pub fn render(d: &dyn miette::Diagnostic) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false);
    let mut out = String::new();
    handler.render_report(&mut out, d).expect("render");
    out
}

pub fn load_fixture(name: &str) -> Result<config::LoadedConfig, ConfigErrors> {
    config::load(
        Path::new(&format!("tests/fixtures/config/{name}.yaml")),
        &test_env,
    )
}

fn fixture_errors(name: &str) -> ConfigErrors {
    match load_fixture(name) {
        Ok(_) => panic!("{name}.yaml should be invalid"),
        Err(e) => e,
    }
}

macro_rules! bad_file {
    ($($name:ident => [$($code:ident),+ $(,)?]),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                let errors = fixture_errors(stringify!($name));
                assert_eq!(
                    errors.codes(),
                    vec![$(ErrorCode::$code),+],
                    "{}",
                    render(&errors)
                );
                for e in &errors {
                    assert!(e.span().is_some(), "unlocated: {}", e.message);
                    assert!(e.help.is_some(), "no help: {}", e.message);
                }
                insta::assert_snapshot!(stringify!($name), render(&errors));
            }
        )+
    };
}

bad_file! {
    unknown_top_key => [UnknownField],
    unknown_instance_key => [MissingField, UnknownField],
    misplaced_top_key => [UnknownField],
    id_in_defaults => [UnknownField],
    instances_is_list => [WrongType],
    yes_for_bool => [WrongType],
    bool_for_string => [WrongType],
    empty_value => [WrongType],
    missing_project => [MissingField],
    missing_memory => [MissingField],
    unknown_type => [InvalidValue],
    bad_default_cloud => [InvalidValue],
    unknown_region => [NotOffered],
    region_not_for_tier => [NotOffered],
    memory_not_offered => [NotOffered],
    storage_not_offered => [NotOffered],
    size_with_space => [InvalidValue],
    bad_version => [InvalidValue],
    cdc_lowercase => [InvalidValue],
    cdc_on_professional => [TierRule],
    secondaries_out_of_range => [InvalidValue],
    secondaries_not_vdc => [TierRule],
    vector_small_memory => [TierRule],
    gds_not_professional => [TierRule],
    free_paused => [TierRule],
    free_elsewhere => [TierRule, TierRule, TierRule],
    name_too_long => [InvalidName],
    name_with_spaces => [InvalidName],
    bad_id => [InvalidValue],
    duplicate_id => [DuplicateId],
    prevent_and_allow => [Conflict],
    ignore_unknown_field => [InvalidValue],
    source_unknown => [UnknownSource],
    source_with_id => [Conflict],
    unset_variable => [UnsetVariable],
    bad_variable => [InvalidVariable],
    duplicate_key => [DuplicateKey],
    syntax_error => [Syntax],
    root_is_list => [WrongType],
    two_documents => [Syntax],
    alias_bomb => [TooComplex],
    deep_nesting => [TooComplex],
}

/// Issue 4's acceptance test: five independent mistakes, all reported in one run.
#[test]
fn five_independent_mistakes_are_all_reported() {
    let errors = fixture_errors("five_mistakes");
    assert_eq!(
        errors.codes(),
        vec![
            ErrorCode::UnknownField,
            ErrorCode::InvalidValue,
            ErrorCode::TierRule,
            ErrorCode::TierRule,
            ErrorCode::InvalidValue,
        ],
        "{}",
        render(&errors)
    );
    insta::assert_snapshot!("five_mistakes", render(&errors));
}
