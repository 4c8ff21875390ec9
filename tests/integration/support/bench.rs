//! The workbench of the CLI tests that need an account: an in-process emulator standing
//! in for Aura, a scratch working directory, and the real binary run in it against the
//! emulator.

use std::path::PathBuf;

use super::cli::{Out, auraform};
use super::emulator::{Emu, fast, start};

/// Polls that keep pace with [`fast`]'s lifecycle: every 20 ms, in a request budget
/// (which spaces the polls of waits in flight) as wide as the emulator's.
pub const FAST_POLL: [&str; 4] = ["--poll-interval", "20ms", "--rate-limit", "100000/min"];

pub struct Bench {
    pub emu: Emu,
    pub dir: tempfile::TempDir,
}

impl Bench {
    pub async fn start() -> Bench {
        Bench {
            emu: start(fast()).await,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// The password auraform wrote for instance `name` in the default credentials
    /// directory beside the working directory's aura.yaml.
    pub fn password(&self, name: &str) -> String {
        self.read(&format!(".auraform/credentials/{name}.env"))
            .lines()
            .find_map(|l| l.strip_prefix("NEO4J_PASSWORD="))
            .unwrap_or_else(|| panic!("no password line for {name}"))
            .to_owned()
    }

    /// Runs `auraform ARGS` in the working directory against the emulator.
    pub async fn run(&self, args: &[&str]) -> Out {
        auraform()
            .dir(self.dir.path())
            .args(args)
            .against(&self.emu)
            .run_async()
            .await
    }

    /// [`Bench::run`] with [`FAST_POLL`], as fast as the emulator's lifecycle moves:
    /// for commands that wait for instances.
    pub async fn run_polling(&self, args: &[&str]) -> Out {
        auraform()
            .dir(self.dir.path())
            .args(args)
            .args(FAST_POLL)
            .against(&self.emu)
            .run_async()
            .await
    }
}
