//! The one way the tests run the `auraform` binary: a small builder. Every run starts
//! from the same hermetic environment (`NO_COLOR=1`, none of the `AURA_*` variables of
//! the developer's shell, stdin closed), in a working directory if one is given, pointed
//! at an in-process emulator (`--api-url` plus its credentials in the environment, as CI
//! runs it) or at the embedded one (`--emulator`). It runs to completion, blocking or
//! async (inside a tokio test, where blocking would stall the emulator serving it), or is
//! spawned as a child for the signal tests. What it printed comes back as an [`Out`].

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};

use serde_json::Value;

use super::emulator::{CLIENT_ID, CLIENT_SECRET, Emu};

/// The variables the binary reads that a developer's shell may have set.
const AURA_ENV: [&str; 4] = [
    "AURA_PROJECT",
    "AURA_CLIENT_ID",
    "AURA_CLIENT_SECRET",
    "AURA_API_URL",
];

/// The directory holding the built binary, for scripts that find it on `PATH` (the CI
/// workflow steps).
pub fn bin_dir() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_auraform")).parent().unwrap()
}

/// `auraform` with no arguments yet, in the test's working directory.
pub fn auraform() -> Auraform {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_auraform"));
    cmd.env("NO_COLOR", "1");
    for name in AURA_ENV {
        cmd.env_remove(name);
    }
    Auraform {
        cmd,
        stdin: None,
        terminal: false,
    }
}

/// One invocation of the binary being put together; arguments keep the order given.
pub struct Auraform {
    cmd: Command,
    stdin: Option<Vec<u8>>,
    /// Run on a pseudo-terminal (`script`), as a person at a shell does.
    terminal: bool,
}

impl Auraform {
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, name: &str, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(name, value);
        self
    }

    pub fn env_remove(mut self, name: &str) -> Self {
        self.cmd.env_remove(name);
        self
    }

    /// Runs the binary on a pseudo-terminal (util-linux `script`), so that it sees
    /// terminals on stdin, stdout and stderr and may prompt: what it prints, prompts
    /// included, comes back as stdout (one terminal), and [`Auraform::stdin`] text is
    /// what the person types. Blocking runs only.
    pub fn in_terminal(mut self) -> Self {
        self.terminal = true;
        self
    }

    /// `--api-url` of `emu`, with its client credentials in the environment.
    pub fn against(mut self, emu: &Emu) -> Self {
        self.cmd
            .arg("--api-url")
            .arg(emu.handle.base_url())
            .env("AURA_CLIENT_ID", CLIENT_ID)
            .env("AURA_CLIENT_SECRET", CLIENT_SECRET);
        self
    }

    /// `--api-url URL` (an emulator, or a proxy in front of one), with the emulator's
    /// client credentials in the environment.
    pub fn against_url(mut self, url: &str) -> Self {
        self.cmd
            .arg("--api-url")
            .arg(url)
            .env("AURA_CLIENT_ID", CLIENT_ID)
            .env("AURA_CLIENT_SECRET", CLIENT_SECRET);
        self
    }

    /// The command as a tokio child to drive by hand (several at once, killed at a
    /// chosen moment): stdin closed, killed if dropped.
    pub fn into_tokio(mut self) -> tokio::process::Command {
        assert!(self.stdin.is_none(), "stdin text is for blocking runs");
        self.cmd.stdin(Stdio::null());
        let mut cmd = tokio::process::Command::from(self.cmd);
        cmd.kill_on_drop(true);
        cmd
    }

    /// `--emulator`: the embedded emulator, its world in `.auraform/emulator.json`.
    pub fn embedded(mut self) -> Self {
        self.cmd.arg("--emulator");
        self
    }

    /// Text the binary reads on stdin (a pipe, never a terminal).
    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.as_bytes().to_vec());
        self
    }

    /// Runs to completion, blocking the calling thread.
    pub fn run(mut self) -> Out {
        if self.terminal {
            self.cmd = on_a_terminal(&self.cmd);
        }
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let Some(input) = self.stdin else {
            return Out::from(self.cmd.stdin(Stdio::null()).output().unwrap());
        };
        let mut child = self.cmd.stdin(Stdio::piped()).spawn().unwrap();
        let mut pipe = child.stdin.take().unwrap();
        // The binary may exit without reading (a refusal); a broken pipe is not the
        // test's failure.
        let _ = pipe.write_all(&input);
        drop(pipe);
        Out::from(child.wait_with_output().unwrap())
    }

    /// Runs to completion without blocking the runtime.
    pub async fn run_async(mut self) -> Out {
        assert!(self.stdin.is_none(), "stdin text is for blocking runs");
        self.cmd.stdin(Stdio::null());
        let out = tokio::process::Command::from(self.cmd)
            .output()
            .await
            .unwrap();
        Out::from(out)
    }

    /// Starts the binary as a child with stdout and stderr piped.
    pub fn spawn(mut self) -> Spawned {
        assert!(self.stdin.is_none(), "stdin text is for blocking runs");
        let child = self
            .cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Spawned { child }
    }
}

/// `cmd` run by `script -qec CMD /dev/null`: same environment and directory, its
/// arguments quoted for the shell `script` starts; `-e` returns the child's exit code.
fn on_a_terminal(cmd: &Command) -> Command {
    let quote = |s: &OsStr| format!("'{}'", s.to_string_lossy().replace('\'', r"'\''"));
    let line: Vec<String> = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(quote)
        .collect();
    let mut script = Command::new("script");
    script.args(["-qec", &line.join(" "), "/dev/null"]);
    for (name, value) in cmd.get_envs() {
        match value {
            Some(v) => script.env(name, v),
            None => script.env_remove(name),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        script.current_dir(dir);
    }
    script
}

/// What one run printed, and how it exited (-1: killed by a signal).
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", self.stdout))
    }
}

impl From<std::process::Output> for Out {
    fn from(out: std::process::Output) -> Self {
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The binary running as a child, for tests that read its output as it comes or send
/// it a signal.
pub struct Spawned {
    child: Child,
}

impl Spawned {
    /// Its stdout, to read while it runs; [`Spawned::wait`] then returns only stderr.
    pub fn take_stdout(&mut self) -> ChildStdout {
        self.child.stdout.take().unwrap()
    }

    /// Its stderr, to drain while it runs (a chatty `-vvv` child would otherwise block
    /// on a full pipe); [`Spawned::wait`] then returns no stderr.
    pub fn take_stderr(&mut self) -> ChildStderr {
        self.child.stderr.take().unwrap()
    }

    /// Sends SIGINT, as Ctrl-C in a terminal does.
    #[cfg(unix)]
    pub fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for it to exit and collects what it printed.
    pub fn wait(self) -> Out {
        Out::from(self.child.wait_with_output().unwrap())
    }
}
