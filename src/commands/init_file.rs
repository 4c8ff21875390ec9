//! The file `auraform init` writes, and why it may write nothing: it never
//! overwrites, not even a file that appeared between the check and the write.

use std::io::Write as _;
use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::fsutil;

/// Why `init` wrote nothing.
#[derive(Debug, Error, Diagnostic)]
pub(crate) enum InitError {
    #[error("{path} already exists; init does not overwrite it")]
    #[diagnostic(
        code(auraform::init::file_exists),
        help(
            "check it with `auraform validate`, or write the starter elsewhere with `auraform init -f PATH`"
        )
    )]
    FileExists { path: String },

    #[error("project `{project}` offers no instance configuration to start from")]
    #[diagnostic(
        code(auraform::init::nothing_offered),
        help(
            "its instance_configurations list is empty; check its plan and billing in the Aura Console"
        )
    )]
    NothingOffered { project: String },

    #[error("cannot write {path}")]
    #[diagnostic(
        code(auraform::init::write),
        help("check that the directory exists and is writable, or choose another with `-f PATH`")
    )]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// A bug guard: the starter must validate against the project it was made for.
    #[error("the starter aura.yaml would not validate: {details}")]
    #[diagnostic(
        code(auraform::init::invalid),
        help(
            "nothing was written. This is a bug in auraform init; please report it with the output of `auraform -vv init`"
        )
    )]
    Invalid { details: String },
}

/// Writes `text` to `path`, which must not exist yet. aura.yaml holds no secret: the
/// user's usual file mode.
pub(super) fn write_new(path: &Path, text: &str) -> Result<(), InitError> {
    let shown = || path.display().to_string();
    let failed = |e: &std::io::Error| InitError::Write {
        path: shown(),
        source: fsutil::plain(path, e),
    };
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(InitError::FileExists { path: shown() });
        }
        Err(e) => return Err(failed(&e)),
    };
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| failed(&e))
}
