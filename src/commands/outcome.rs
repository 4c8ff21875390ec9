//! How a successful command wants the process to end.

/// Exit 0 or 2; any error is exit 1 (see `lib::run`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 2: changes or drift present (`--detailed-exitcode`, `drift`).
    Changes,
}

impl Outcome {
    /// [`Outcome::Changes`] when `changes` (and the command reports them by exit code).
    pub(crate) fn changes_if(changes: bool) -> Self {
        if changes {
            Outcome::Changes
        } else {
            Outcome::Success
        }
    }
}
