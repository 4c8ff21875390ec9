//! Asking before changing anything (DESIGN.md §2).
//!
//! A computed plan is applied only after the user typed `yes` on a terminal, or with
//! `--auto-approve`. Without a terminal and without the flag the apply refuses: a CI
//! job that forgot the flag must fail loudly, not hang on a prompt nor proceed
//! silently. A saved plan (`apply PLAN_FILE`) was reviewed when it was made and is
//! applied without asking; the caller simply does not call [`confirm`] then.

use std::io::{BufRead, Write};

use super::error::ApplyError;

/// The prompt, written to stderr so that stdout carries only the plan.
pub const PROMPT: &str = "Do you want to perform these actions?\n  auraform will change the instances shown above.\n  Only `yes` will be accepted to approve.\n\n  Enter a value: ";

/// Decides whether the apply may proceed.
///
/// - `auto_approve`: proceed without asking.
/// - `interactive`: stdin and stderr are terminals, so a person can answer.
/// - `input`/`prompt_out`: where the answer is read from and the prompt written to.
///
/// Only the exact word `yes` (surrounding whitespace aside) proceeds: `y`, `Yes` or an
/// empty line cancel, as in Terraform.
pub fn confirm(
    auto_approve: bool,
    interactive: bool,
    input: &mut impl BufRead,
    prompt_out: &mut impl Write,
) -> Result<(), ApplyError> {
    if auto_approve {
        return Ok(());
    }
    if !interactive {
        return Err(ApplyError::ConfirmationNeeded);
    }
    prompt_out
        .write_all(PROMPT.as_bytes())
        .and_then(|()| prompt_out.flush())
        .map_err(ApplyError::Prompt)?;
    let mut answer = String::new();
    input.read_line(&mut answer).map_err(ApplyError::Prompt)?;
    let _ = writeln!(prompt_out);
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(ApplyError::Declined)
    }
}

/// Whether a person can answer a prompt: both stdin and stderr are terminals.
pub fn is_interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(auto: bool, interactive: bool, answer: &str) -> (Result<(), ApplyError>, String) {
        let mut input = answer.as_bytes();
        let mut out = Vec::new();
        let r = confirm(auto, interactive, &mut input, &mut out);
        (r, String::from_utf8(out).unwrap())
    }

    #[test]
    fn only_yes_proceeds() {
        assert!(ask(false, true, "yes\n").0.is_ok());
        assert!(ask(false, true, "  yes \r\n").0.is_ok());
        for no in ["y\n", "Yes\n", "YES\n", "no\n", "\n", "", "yes please\n"] {
            let (r, _) = ask(false, true, no);
            assert!(matches!(r, Err(ApplyError::Declined)), "{no:?}");
        }
    }

    #[test]
    fn prompt_is_written() {
        let (_, out) = ask(false, true, "yes\n");
        assert!(out.contains("Only `yes` will be accepted"));
    }

    #[test]
    fn no_terminal_refuses_without_reading() {
        let (r, out) = ask(false, false, "yes\n");
        assert!(matches!(r, Err(ApplyError::ConfirmationNeeded)));
        assert!(out.is_empty());
    }

    #[test]
    fn auto_approve_never_asks() {
        let (r, out) = ask(true, false, "");
        assert!(r.is_ok());
        assert!(out.is_empty());
    }
}
