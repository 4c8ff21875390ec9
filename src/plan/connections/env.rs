//! The connection details as environment variables: `NAME_NEO4J_URI=…` lines for
//! `$GITHUB_ENV` (`output --format env`), and one `.env` text per instance
//! (`--format dotenv-per-instance`).
//!
//! A name becomes a prefix by upper-casing ASCII letters and turning every other
//! character that is not a letter or digit into `_` (`orders-copy` → `ORDERS_COPY`);
//! a prefix that would start with a digit gets a leading `_`. Two instances whose
//! prefixes are equal (`orders-copy` and `orders_copy`) are refused rather than
//! written so that one silently overrides the other. A value is written only when
//! it is one line of printable text, so a line can never turn into two variables
//! (or into `$GITHUB_ENV`'s `NAME<<DELIMITER` form).

use std::fmt::Write as _;

use miette::Diagnostic;
use thiserror::Error;

use super::{Connection, Connections};

/// Why the details cannot be written as variables.
#[derive(Debug, Error, Diagnostic)]
pub enum EnvError {
    #[error("instances {names} would write the same variables `{prefix}_…`")]
    #[diagnostic(
        code(auraform::output::name_collision),
        help(
            "environment variable names are the instance names upper-cased, with every character other than a letter or digit turned into `_`; \
             rename one of the instances, or use `--format json`, which keys instances by their exact names"
        )
    )]
    Collision { prefix: String, names: String },

    #[error("the {what} of instance `{name}` is not one line of printable text")]
    #[diagnostic(
        code(auraform::output::unsafe_value),
        help(
            "a line break or a control character would let one value write other variables; use `--format json` for this instance"
        )
    )]
    UnsafeValue { name: String, what: &'static str },
}

/// The variable-name prefix of an instance (see the module documentation).
pub fn env_prefix(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The variables of one instance, without prefix, in the order they are written.
fn variables(c: &Connection) -> [(&'static str, &'static str, &str); 7] {
    [
        ("NEO4J_URI", "connection URI", c.neo4j_uri.as_str()),
        ("AURA_INSTANCE_ID", "id", c.id.as_str()),
        ("AURA_INSTANCE_NAME", "name", c.name.as_str()),
        ("AURA_INSTANCE_STATUS", "status", c.status.as_str()),
        ("AURA_INSTANCE_TYPE", "type", c.instance_type.as_str()),
        (
            "AURA_CLOUD_PROVIDER",
            "cloud provider",
            c.cloud_provider.as_str(),
        ),
        ("AURA_REGION", "region", c.region.as_str()),
    ]
}

fn check_value(c: &Connection, what: &'static str, value: &str) -> Result<(), EnvError> {
    if value.chars().any(char::is_control) {
        return Err(EnvError::UnsafeValue {
            name: c.name.clone(),
            what,
        });
    }
    Ok(())
}

/// `PREFIX_NEO4J_URI=…` lines for every instance of `doc`, in file order.
pub fn env_lines(doc: &Connections) -> Result<String, EnvError> {
    check_collisions(doc)?;
    let mut out = String::new();
    for c in doc.instances.values() {
        for (var, what, value) in variables(c) {
            check_value(c, what, value)?;
            let _ = writeln!(out, "{}_{var}={value}", c.env_prefix);
        }
    }
    Ok(out)
}

/// The `.env` text of one instance: the same variables without the prefix.
pub fn dotenv(c: &Connection) -> Result<String, EnvError> {
    let mut out = format!(
        "# Connection details of Aura instance `{}`, written by `auraform output` (no password: see the credentials sinks).\n",
        c.name.replace(|ch: char| ch.is_control(), "?")
    );
    for (var, what, value) in variables(c) {
        check_value(c, what, value)?;
        let _ = writeln!(out, "{var}={value}");
    }
    Ok(out)
}

/// Refuses two instances whose variables would be named alike.
fn check_collisions(doc: &Connections) -> Result<(), EnvError> {
    let mut seen: indexmap::IndexMap<&str, Vec<&str>> = indexmap::IndexMap::new();
    for c in doc.instances.values() {
        seen.entry(c.env_prefix.as_str())
            .or_default()
            .push(c.name.as_str());
    }
    match seen.into_iter().find(|(_, names)| names.len() > 1) {
        Some((prefix, names)) => Err(EnvError::Collision {
            prefix: prefix.to_owned(),
            names: names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" and "),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;

    use super::*;
    use crate::plan::connections::{OUTPUT_FORMAT_VERSION, UriSource};
    use crate::plan::model::ProjectRef;

    fn conn(name: &str) -> Connection {
        Connection {
            name: name.into(),
            id: "0a1b2c3d".into(),
            status: "running".into(),
            instance_type: "professional-db".into(),
            cloud_provider: "gcp".into(),
            region: "europe-west1".into(),
            neo4j_uri: "neo4j+s://0a1b2c3d.databases.neo4j.io".into(),
            neo4j_uri_source: UriSource::Api,
            env_prefix: env_prefix(name),
        }
    }

    fn doc(names: &[&str]) -> Connections {
        Connections {
            format_version: OUTPUT_FORMAT_VERSION.into(),
            kind: "output",
            project: ProjectRef {
                id: "p".into(),
                name: "demo".into(),
            },
            instances: names
                .iter()
                .map(|n| ((*n).to_owned(), conn(n)))
                .collect::<IndexMap<_, _>>(),
            missing: Vec::new(),
        }
    }

    #[test]
    fn prefixes() {
        assert_eq!(env_prefix("orders"), "ORDERS");
        assert_eq!(env_prefix("orders-copy"), "ORDERS_COPY");
        assert_eq!(env_prefix("my db.v2"), "MY_DB_V2");
        assert_eq!(env_prefix("1st"), "_1ST");
        assert_eq!(env_prefix("café"), "CAF_");
    }

    #[test]
    fn env_lines_are_prefixed_and_collisions_refused() {
        let text = env_lines(&doc(&["orders", "orders-copy"])).unwrap();
        assert!(text.starts_with(
            "ORDERS_NEO4J_URI=neo4j+s://0a1b2c3d.databases.neo4j.io\nORDERS_AURA_INSTANCE_ID=0a1b2c3d\n"
        ));
        assert!(text.contains("ORDERS_COPY_AURA_INSTANCE_NAME=orders-copy\n"));
        assert_eq!(text.lines().count(), 14);
        let err = env_lines(&doc(&["a", "orders-copy", "orders_copy"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "instances `orders-copy` and `orders_copy` would write the same variables `ORDERS_COPY_…`"
        );
    }

    #[test]
    fn a_value_with_a_line_break_is_refused() {
        let mut d = doc(&["x"]);
        d.instances["x"].name = "x\nEVIL=1".into();
        assert!(matches!(env_lines(&d), Err(EnvError::UnsafeValue { .. })));
        assert!(dotenv(&d.instances["x"]).is_err());
        let text = dotenv(&conn("orders")).unwrap();
        assert!(text.contains(
            "\nNEO4J_URI=neo4j+s://0a1b2c3d.databases.neo4j.io\nAURA_INSTANCE_ID=0a1b2c3d\n"
        ));
    }
}
