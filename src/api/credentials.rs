//! Where the Aura API client id and secret come from (docs/commands.md), in order:
//! 1. `AURA_CLIENT_ID` / `AURA_CLIENT_SECRET` in the environment;
//! 2. the same keys in a `.env` file in the working directory;
//! 3. aura-cli's saved credential in use: `<config dir>/neo4j/cli/credentials.json`,
//!    `{"aura":{"default-credential":NAME,"credentials":[{"name","client-id",
//!    "client-secret",…}]}}` (the Go aura-cli's on-disk format; read leniently).
//!
//! The secret is held as a `SecretString` from the moment it is read; `Debug` shows
//! where the credentials came from, never the secret.

use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::error::ApiError;

/// Which source supplied the credentials (shown in logs and errors; no secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    Environment,
    DotEnv(PathBuf),
    AuraCli {
        path: PathBuf,
        name: String,
    },
    /// Given directly by the caller (the embedded emulator, tests).
    Explicit,
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Environment => f.write_str("environment"),
            CredentialSource::DotEnv(p) => write!(f, "{}", p.display()),
            CredentialSource::AuraCli { path, name } => {
                write!(f, "aura-cli credential `{name}` in {}", path.display())
            }
            CredentialSource::Explicit => f.write_str("explicit"),
        }
    }
}

/// An Aura API client id and secret.
#[derive(Clone)]
pub struct Credentials {
    client_id: String,
    client_secret: SecretString,
    source: CredentialSource,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("source", &self.source)
            .finish()
    }
}

impl Credentials {
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            source: CredentialSource::Explicit,
        }
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub(crate) fn client_secret(&self) -> &str {
        self.client_secret.expose_secret()
    }

    pub fn source(&self) -> &CredentialSource {
        &self.source
    }

    /// Discovers credentials from the process environment, `./.env` and aura-cli.
    pub fn discover() -> Result<Self, ApiError> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Self::discover_in(&cwd, |k| std::env::var(k).ok(), user_config_dir())
    }

    /// Discovery with every input injectable (for tests): `env` looks a variable up,
    /// `dir` is the working directory, `config_dir` the OS config directory.
    pub fn discover_in(
        dir: &Path,
        env: impl Fn(&str) -> Option<String>,
        config_dir: Option<PathBuf>,
    ) -> Result<Self, ApiError> {
        let mut tried = Vec::new();

        let id = env("AURA_CLIENT_ID").filter(|s| !s.trim().is_empty());
        let secret = env("AURA_CLIENT_SECRET").filter(|s| !s.is_empty());
        match (id, secret) {
            (Some(id), Some(secret)) => {
                return Ok(Self::with_source(
                    &id,
                    secret,
                    CredentialSource::Environment,
                ));
            }
            (Some(_), None) => tried.push(
                "environment (AURA_CLIENT_ID is set but AURA_CLIENT_SECRET is not)".to_owned(),
            ),
            (None, Some(_)) => tried.push(
                "environment (AURA_CLIENT_SECRET is set but AURA_CLIENT_ID is not)".to_owned(),
            ),
            (None, None) => {
                tried.push("AURA_CLIENT_ID/AURA_CLIENT_SECRET in the environment".to_owned());
            }
        }

        let dotenv = dir.join(".env");
        match read_dotenv(&dotenv)? {
            Some(text) => {
                let vars = parse_dotenv(&text);
                let get = |k: &str| {
                    vars.iter()
                        .find(|(key, _)| key == k)
                        .map(|(_, v)| v.clone())
                        .filter(|v| !v.is_empty())
                };
                if let (Some(id), Some(secret)) = (get("AURA_CLIENT_ID"), get("AURA_CLIENT_SECRET"))
                {
                    return Ok(Self::with_source(
                        &id,
                        secret,
                        CredentialSource::DotEnv(dotenv),
                    ));
                }
                tried.push(format!(
                    "{} (exists but lacks AURA_CLIENT_ID and AURA_CLIENT_SECRET)",
                    dotenv.display()
                ));
            }
            None => tried.push(format!("{} (not found)", dotenv.display())),
        }

        match config_dir {
            Some(config_dir) => {
                let path = config_dir
                    .join("neo4j")
                    .join("cli")
                    .join("credentials.json");
                match std::fs::read(&path) {
                    Ok(bytes) => match parse_aura_cli(&bytes) {
                        Ok(Some((name, id, secret))) => {
                            return Ok(Self::with_source(
                                &id,
                                secret,
                                CredentialSource::AuraCli { path, name },
                            ));
                        }
                        Ok(None) => {
                            tried.push(format!("{} (no credential in use)", path.display()));
                        }
                        Err(problem) => {
                            return Err(ApiError::BadCredentials {
                                source_name: path.display().to_string(),
                                problem,
                            });
                        }
                    },
                    Err(_) => tried.push(format!(
                        "aura-cli credentials {} (not found)",
                        path.display()
                    )),
                }
            }
            None => tried.push("aura-cli credentials (no config directory)".to_owned()),
        }
        Err(ApiError::NoCredentials { tried })
    }

    fn with_source(id: &str, secret: String, source: CredentialSource) -> Self {
        Self {
            client_id: id.trim().to_owned(),
            client_secret: SecretString::from(secret),
            source,
        }
    }
}

/// The text of `.env`; `None` when there is none. A `.env` that exists but cannot be
/// read as text is an error that says so (and where), not "not found": the user put
/// it there to be read. Its content is never quoted.
fn read_dotenv(path: &Path) -> Result<Option<String>, ApiError> {
    let bad = |problem: String| ApiError::BadCredentials {
        source_name: path.display().to_string(),
        problem,
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(bad("it cannot be read (permission denied)".to_owned()));
        }
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
            return Err(bad("it is a directory, not a file".to_owned()));
        }
        Err(e) => return Err(bad(format!("it cannot be read ({})", e.kind()))),
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let line = String::from_utf8_lossy(&e.as_bytes()[..valid])
                .matches('\n')
                .count()
                + 1;
            Err(bad(format!(
                "it is not UTF-8 text (the first invalid byte is on line {line}); save it as UTF-8"
            )))
        }
    }
}

/// The OS config directory as Go's `os.UserConfigDir` (which aura-cli uses) sees it.
fn user_config_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        var("AppData")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library").join("Application Support"))
    } else {
        var("XDG_CONFIG_HOME").or_else(|| var("HOME").map(|h| h.join(".config")))
    }
}

/// `KEY=VALUE` lines; `export ` prefixes, `#` comments, and single or double quotes
/// are understood. Values are never logged.
fn parse_dotenv(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = if let Some(inner) = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        {
            inner.to_owned()
        } else {
            // Unquoted: an inline comment starts at ` #`.
            value.split(" #").next().unwrap_or("").trim().to_owned()
        };
        out.push((key.trim().to_owned(), value));
    }
    out
}

#[derive(Deserialize)]
struct AuraCliFile {
    #[serde(default)]
    aura: Option<AuraCliCredentials>,
    // Lenient: older or hand-written files may have the list at the top level.
    #[serde(default, rename = "default-credential")]
    default_credential: Option<String>,
    #[serde(default)]
    credentials: Option<Vec<AuraCliCredential>>,
}

#[derive(Deserialize)]
struct AuraCliCredentials {
    #[serde(default, rename = "default-credential")]
    default_credential: Option<String>,
    #[serde(default)]
    credentials: Vec<AuraCliCredential>,
}

#[derive(Deserialize)]
struct AuraCliCredential {
    #[serde(default)]
    name: String,
    #[serde(rename = "client-id", alias = "client_id", alias = "clientId")]
    client_id: String,
    #[serde(
        rename = "client-secret",
        alias = "client_secret",
        alias = "clientSecret"
    )]
    client_secret: String,
}

/// The credential in use: the one named `default-credential`, or the only one.
/// Returns `(name, id, secret)`; the error text never contains file content.
fn parse_aura_cli(bytes: &[u8]) -> Result<Option<(String, String, String)>, String> {
    let file: AuraCliFile = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "not the JSON aura-cli writes (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let (default, list) = match file.aura {
        Some(aura) => (aura.default_credential, aura.credentials),
        None => (
            file.default_credential,
            file.credentials.unwrap_or_default(),
        ),
    };
    let chosen = match default.filter(|d| !d.is_empty()) {
        Some(name) => list.into_iter().find(|c| c.name == name),
        None if list.len() == 1 => list.into_iter().next(),
        None => None,
    };
    Ok(chosen
        .filter(|c| !c.client_id.is_empty() && !c.client_secret.is_empty())
        .map(|c| (c.name, c.client_id, c.client_secret)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn environment_wins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "AURA_CLIENT_ID=file\nAURA_CLIENT_SECRET=s\n",
        )
        .unwrap();
        let env = |k: &str| match k {
            "AURA_CLIENT_ID" => Some("env-id".to_owned()),
            "AURA_CLIENT_SECRET" => Some("env-secret".to_owned()),
            _ => None,
        };
        let c = Credentials::discover_in(dir.path(), env, None).unwrap();
        assert_eq!(c.client_id(), "env-id");
        assert_eq!(c.source(), &CredentialSource::Environment);
        assert!(!format!("{c:?}").contains("env-secret"));
    }

    #[test]
    fn dotenv_with_quotes_comments_and_export() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "# creds\nexport AURA_CLIENT_ID=\"abc\"\nAURA_CLIENT_SECRET='p#ss word'\nOTHER=x # note\n",
        )
        .unwrap();
        let c = Credentials::discover_in(dir.path(), no_env, None).unwrap();
        assert_eq!(c.client_id(), "abc");
        assert_eq!(c.client_secret(), "p#ss word");
        assert!(matches!(c.source(), CredentialSource::DotEnv(_)));
    }

    #[test]
    fn aura_cli_credential_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = tempfile::tempdir().unwrap();
        let cli = cfg.path().join("neo4j").join("cli");
        std::fs::create_dir_all(&cli).unwrap();
        std::fs::write(
            cli.join("credentials.json"),
            r#"{"aura":{"default-credential":"prod","credentials":[
                {"name":"dev","client-id":"d","client-secret":"ds","access-token":"","token-expiry":0},
                {"name":"prod","client-id":"p","client-secret":"ps","access-token":"t","token-expiry":1}]}}"#,
        )
        .unwrap();
        let c = Credentials::discover_in(dir.path(), no_env, Some(cfg.path().to_owned())).unwrap();
        assert_eq!(c.client_id(), "p");
        assert_eq!(c.client_secret(), "ps");
        assert!(c.source().to_string().contains("prod"));
    }

    #[test]
    fn nothing_found_lists_what_was_tried() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = tempfile::tempdir().unwrap();
        let only_id = |k: &str| (k == "AURA_CLIENT_ID").then(|| "id".to_owned());
        let err =
            Credentials::discover_in(dir.path(), only_id, Some(cfg.path().to_owned())).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("AURA_CLIENT_SECRET is not"), "{shown}");
        assert!(shown.contains(".env"), "{shown}");
        assert!(shown.contains("credentials.json"), "{shown}");
    }

    #[test]
    fn malformed_aura_cli_file_is_reported_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = tempfile::tempdir().unwrap();
        let cli = cfg.path().join("neo4j").join("cli");
        std::fs::create_dir_all(&cli).unwrap();
        std::fs::write(cli.join("credentials.json"), "{\"aura\": supersecret").unwrap();
        let err =
            Credentials::discover_in(dir.path(), no_env, Some(cfg.path().to_owned())).unwrap_err();
        assert!(matches!(err, ApiError::BadCredentials { .. }));
        assert!(!err.to_string().contains("supersecret"));
    }
}
