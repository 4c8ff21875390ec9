//! Several projects in one run (docs/commands.md §12): `plan`, `drift`, `apply` and
//! `output` over each file in turn. Every file is loaded offline first (a typo in one costs no API
//! call); the files then share one session per API ([`Sessions`]), so one client keeps
//! one request budget for the whole run. A file that fails is reported on stderr (its
//! diagnostic under a `==> FILE <==` line) and in the run's output, and the others go
//! on; the run exits with the worst of the files' codes (1 over 2 over 0).

use std::path::{Path, PathBuf};

use miette::Diagnostic;

use super::error::{Error, Result};
use super::files::FilesError;
use super::outcome::Outcome;
use super::pipeline::{self, Planned};
use super::session::{Session, Sessions};
use super::stdout::{print_stdout, stdout_color};
use crate::cli::{GlobalArgs, OutputFormat};
use crate::config::LoadedConfig;
use crate::plan::files::{FILES_FORMAT_VERSION, Failure, FileDocument, FileOutcome, FilesDocument};
use crate::plan::render::files::{
    FileSection, file_header, files_human, files_json, files_markdown,
};
use crate::plan::{DocumentKind, Plan, PlanOptions, ProjectRef};

/// One file of a run over several, once its part is done: what it produced, or its
/// failure (already shown on stderr).
pub(super) struct FileRun<T> {
    pub(super) file: PathBuf,
    pub(super) result: std::result::Result<T, Failure>,
}

impl<T> FileRun<T> {
    pub(super) fn name(&self) -> String {
        self.file.display().to_string()
    }
}

/// Shows `err` for `file` on stderr, under the file's header, and returns it as data
/// for the run's report.
pub(super) fn fail(file: &Path, err: Error) -> Failure {
    let failure = failure(&err);
    eprint!("{}", file_header(&file.display().to_string(), false));
    eprintln!("{:?}", miette::Report::new(err));
    failure
}

/// A diagnostic as data: its code, message, help and related problems.
fn failure(diagnostic: &dyn Diagnostic) -> Failure {
    Failure {
        code: diagnostic.code().map(|c| c.to_string()),
        message: diagnostic.to_string(),
        help: diagnostic.help().map(|h| h.to_string()),
        related: diagnostic
            .related()
            .map(|r| r.map(failure).collect())
            .unwrap_or_default(),
    }
}

/// Loads every file offline, in order.
pub(super) fn load_all(files: &[PathBuf]) -> Vec<FileRun<LoadedConfig>> {
    files
        .iter()
        .map(|file| FileRun {
            file: file.clone(),
            result: pipeline::load(file).map_err(|e| fail(file, e)),
        })
        .collect()
}

/// The projects the files of a run manage: a second file for a project already
/// claimed is refused, since each would see the other's instances as unmanaged and
/// prune would delete them.
#[derive(Default)]
pub(super) struct Claims {
    /// (world, project id, first file).
    seen: Vec<(Option<PathBuf>, String, String)>,
}

impl Claims {
    pub(super) fn claim(
        &mut self,
        world: Option<PathBuf>,
        project: &ProjectRef,
        file: &Path,
    ) -> std::result::Result<(), FilesError> {
        let file = file.display().to_string();
        if let Some((_, _, other)) = self
            .seen
            .iter()
            .find(|(w, id, _)| *w == world && *id == project.id)
        {
            return Err(FilesError::SameProject {
                file,
                other: other.clone(),
                project: format!("{:?} ({})", project.name, project.id),
            });
        }
        self.seen.push((world, project.id.clone(), file));
        Ok(())
    }
}

/// Plans each file against its live project, in turn (`plan`, `drift`).
pub(super) async fn plan_each(
    global: &GlobalArgs,
    files: &[PathBuf],
    opts: &PlanOptions,
) -> Result<Vec<FileRun<Planned>>> {
    let loaded = load_all(files);
    let mut sessions = Sessions::default();
    let result = plan_loaded(&mut sessions, global, loaded, opts).await;
    sessions.close().await;
    result
}

/// Plans each loaded file in turn, through `sessions` (left open for `apply`).
pub(super) async fn plan_loaded(
    sessions: &mut Sessions,
    global: &GlobalArgs,
    loaded: Vec<FileRun<LoadedConfig>>,
    opts: &PlanOptions,
) -> Result<Vec<FileRun<Planned>>> {
    each_loaded(
        sessions,
        global,
        loaded,
        |p: &Planned| &p.plan.project,
        async |session, loaded| pipeline::plan(session, loaded, opts).await,
    )
    .await
}

/// Runs `step` on each loaded file in turn, through `sessions`. `project` names the
/// project of what a step produced: a second file for a project already claimed
/// fails (see [`Claims`]).
pub(super) async fn each_loaded<T>(
    sessions: &mut Sessions,
    global: &GlobalArgs,
    loaded: Vec<FileRun<LoadedConfig>>,
    project: impl Fn(&T) -> &ProjectRef,
    mut step: impl AsyncFnMut(&Session, LoadedConfig) -> Result<T>,
) -> Result<Vec<FileRun<T>>> {
    let mut claims = Claims::default();
    let mut runs = Vec::with_capacity(loaded.len());
    for run in loaded {
        let file = run.file;
        let result = match run.result {
            Err(failure) => Err(failure),
            Ok(loaded) => {
                // A session that cannot open (no credentials, a bad URL) fails every
                // file alike: that ends the run.
                let session = sessions
                    .get(global, &file)
                    .await
                    .map_err(|e| Error::Session(Box::new(e)))?;
                let done = step(session, loaded).await.and_then(|t| {
                    claims.claim(Sessions::world_of(global, &file), project(&t), &file)?;
                    Ok(t)
                });
                done.map_err(|e| fail(&file, e))
            }
        };
        runs.push(FileRun { file, result });
    }
    Ok(runs)
}

/// Prints the reports of a `plan` or `drift` over several files in `format` and
/// returns the run's outcome. `exit` is what one file's report exits with alone.
pub(super) fn print_plans(
    global: &GlobalArgs,
    runs: &[FileRun<Planned>],
    format: OutputFormat,
    kind: DocumentKind,
    exit: impl Fn(&Plan) -> Outcome,
) -> Result<Outcome> {
    let exit = |p: &Planned| exit(&p.plan);
    let text = match format {
        OutputFormat::Json => files_json(&files_document(
            runs.iter()
                .map(|run| entry(run, exit, |p| &p.plan))
                .collect(),
        )),
        OutputFormat::Human | OutputFormat::Markdown => {
            let names: Vec<String> = runs.iter().map(FileRun::name).collect();
            let sections = sections(runs, &names);
            if format == OutputFormat::Markdown {
                files_markdown(&sections, kind)
            } else {
                files_human(&sections, kind, stdout_color(global.color))
            }
        }
    };
    print_stdout(&text)?;
    finish(runs, exit)
}

/// The human and Markdown sections of planned files; `names` are the files' names.
pub(super) fn sections<'a>(
    runs: &'a [FileRun<Planned>],
    names: &'a [String],
) -> Vec<FileSection<'a>> {
    runs.iter()
        .zip(names)
        .map(|(run, name)| FileSection {
            file: name,
            outcome: run.result.as_ref().map(|p| &p.plan),
        })
        .collect()
}

/// The JSON document of a run over several files, from each file's entry; the run's
/// exit code is the worst of theirs.
pub(super) fn files_document<R>(files: Vec<FileDocument<R>>) -> FilesDocument<R> {
    FilesDocument {
        format_version: FILES_FORMAT_VERSION.to_owned(),
        exit_code: worst(files.iter().map(|f| f.exit_code)),
        files,
    }
}

/// One file's entry in the JSON document: its report as `report` makes it, or its
/// error. `exit` is what the report exits with alone.
pub(super) fn entry<'a, T, R>(
    run: &'a FileRun<T>,
    exit: impl Fn(&T) -> Outcome,
    report: impl FnOnce(&'a T) -> R,
) -> FileDocument<R> {
    FileDocument {
        file: run.name(),
        exit_code: code(&run.result, exit),
        outcome: match &run.result {
            Ok(t) => FileOutcome::Report(report(t)),
            Err(f) => FileOutcome::Error(f.clone()),
        },
    }
}

/// One file's exit code: 1 for a failure, else what its report says.
fn code<T>(result: &std::result::Result<T, Failure>, exit: impl Fn(&T) -> Outcome) -> u8 {
    match result {
        Err(_) => crate::EXIT_ERROR,
        Ok(t) => match exit(t) {
            Outcome::Success => crate::EXIT_OK,
            Outcome::Changes => crate::EXIT_CHANGES,
        },
    }
}

/// The worst exit code: 1 over 2 over 0.
fn worst(codes: impl Iterator<Item = u8>) -> u8 {
    codes
        .max_by_key(|c| match *c {
            crate::EXIT_ERROR => 2,
            crate::EXIT_CHANGES => 1,
            _ => 0,
        })
        .unwrap_or(crate::EXIT_OK)
}

/// The outcome of a run: an error when any file failed (each was shown already),
/// else changes when any file has them.
pub(super) fn finish<T>(runs: &[FileRun<T>], exit: impl Fn(&T) -> Outcome) -> Result<Outcome> {
    let failed = runs.iter().filter(|r| r.result.is_err()).count();
    if failed > 0 {
        return Err(FilesError::SomeFailed {
            failed,
            total: runs.len(),
        }
        .into());
    }
    let changes = runs
        .iter()
        .any(|r| r.result.as_ref().is_ok_and(|t| exit(t) == Outcome::Changes));
    Ok(Outcome::changes_if(changes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_code_is_one_then_two_then_zero() {
        assert_eq!(worst([0, 2, 0].into_iter()), 2);
        assert_eq!(worst([2, 1, 0].into_iter()), 1);
        assert_eq!(worst([0, 0].into_iter()), 0);
        assert_eq!(worst(std::iter::empty()), 0);
    }

    #[test]
    fn a_project_is_claimed_once_per_world() {
        let mut claims = Claims::default();
        let demo = ProjectRef {
            id: "p1".into(),
            name: "demo".into(),
        };
        claims.claim(None, &demo, Path::new("a.yaml")).unwrap();
        claims
            .claim(Some(PathBuf::from("/other")), &demo, Path::new("c.yaml"))
            .unwrap();
        let err = claims.claim(None, &demo, Path::new("b.yaml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.yaml and a.yaml both manage project \"demo\" (p1)"
        );
    }
}
