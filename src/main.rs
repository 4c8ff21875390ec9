//! The `auraform` binary: everything lives in the library so tests can call it.

fn main() -> std::process::ExitCode {
    auraform::run(std::env::args_os())
}
