//! The workbench of the CLI tests that need an account: an in-process emulator standing
//! in for Aura, a scratch working directory, and the real binary run in it against the
//! emulator.

use std::path::PathBuf;

use super::cli::{Out, auraform};
use super::emulator::{Emu, fast, start};

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

    /// Runs `auraform ARGS` in the working directory against the emulator.
    pub async fn run(&self, args: &[&str]) -> Out {
        auraform()
            .dir(self.dir.path())
            .args(args)
            .against(&self.emu)
            .run_async()
            .await
    }
}
