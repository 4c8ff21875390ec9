//! Whether a plan may be applied: asking before changing anything, and the rules of
//! saved plans (docs/commands.md).
//!
//! A computed plan is applied only after the user typed `yes` on a terminal, or with
//! `--auto-approve`. Without a terminal and without the flag the apply refuses: a CI
//! job that forgot the flag must fail loudly, not hang on a prompt nor proceed
//! silently. A saved plan (`apply PLAN_FILE`) was reviewed when it was made and is
//! applied without asking; the caller simply does not call [`confirm`] then.

use std::io::{BufRead, Write};

use miette::Diagnostic;
use thiserror::Error;

/// Why `apply` did not start. Nothing was changed in each case.
#[derive(Debug, Error, Diagnostic)]
pub(crate) enum ApprovalError {
    #[error("apply needs confirmation, but there is no terminal to ask on")]
    #[diagnostic(
        code(auraform::apply::confirmation_needed),
        help(
            "review the plan above, then run `auraform apply --auto-approve`; or save it with \
             `auraform plan --out plan.json` and apply exactly that with `auraform apply plan.json`"
        )
    )]
    ConfirmationNeeded,

    #[error("apply cancelled: nothing was changed")]
    #[diagnostic(
        code(auraform::apply::declined),
        help("only the exact answer `yes` starts the apply")
    )]
    Declined,

    #[error("cannot read the answer to the confirmation prompt")]
    #[diagnostic(code(auraform::apply::prompt_io))]
    Prompt(#[source] std::io::Error),

    #[error(
        "a saved plan is applied exactly as it was made: --target and --prune do not apply to it"
    )]
    #[diagnostic(
        code(auraform::apply::saved_plan_flags),
        help(
            "make a new plan with those flags (`auraform plan --target NAME --out FILE`) and apply that file"
        )
    )]
    SavedPlanFlags,

    #[error("destroy needs confirmation, but there is no terminal to ask on")]
    #[diagnostic(
        code(auraform::destroy::confirmation_needed),
        help(
            "review the destroy plan above, then run `auraform destroy --auto-approve`; or save it with \
             `auraform plan --destroy --out plan.json` and apply exactly that with `auraform apply plan.json`"
        )
    )]
    DestroyConfirmationNeeded,

    #[error("destroy cancelled: nothing was deleted")]
    #[diagnostic(
        code(auraform::destroy::declined),
        help("only the exact answer `yes` starts the destroy")
    )]
    DestroyDeclined,

    #[error("this plan was made only to report divergence and cannot be applied")]
    #[diagnostic(
        code(auraform::apply::report_only_plan),
        help("make a plan to apply with `auraform plan --out FILE`")
    )]
    ReportOnlyPlan,
}

/// What the user is asked to agree to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Consent {
    /// `apply`: the changes of the plan shown.
    Apply,
    /// `destroy`: deleting the instances shown.
    Destroy,
}

impl Consent {
    /// The prompt, written to stderr so that stdout carries only the plan.
    pub(super) fn prompt(self) -> &'static str {
        match self {
            Consent::Apply => PROMPT,
            Consent::Destroy => DESTROY_PROMPT,
        }
    }

    fn needed(self) -> ApprovalError {
        match self {
            Consent::Apply => ApprovalError::ConfirmationNeeded,
            Consent::Destroy => ApprovalError::DestroyConfirmationNeeded,
        }
    }

    fn declined(self) -> ApprovalError {
        match self {
            Consent::Apply => ApprovalError::Declined,
            Consent::Destroy => ApprovalError::DestroyDeclined,
        }
    }
}

/// The prompt of `apply`.
pub(super) const PROMPT: &str = "Do you want to perform these actions?\n  auraform will change the instances shown above.\n  Only `yes` will be accepted to approve.\n\n  Enter a value: ";

/// The prompt of `destroy` (Terraform's words: there is no undo).
pub(super) const DESTROY_PROMPT: &str = "Do you really want to destroy these instances?\n  auraform will delete the instances shown above, and their data. There is no undo.\n  Only `yes` will be accepted to confirm.\n\n  Enter a value: ";

/// Decides whether the apply may proceed.
///
/// - `auto_approve`: proceed without asking.
/// - `interactive`: stdin and stderr are terminals, so a person can answer.
/// - `input`/`prompt_out`: where the answer is read from and the prompt written to.
///
/// Only the exact word `yes` (surrounding whitespace aside) proceeds: `y`, `Yes` or an
/// empty line cancel, as in Terraform.
pub(super) fn confirm(
    consent: Consent,
    auto_approve: bool,
    interactive: bool,
    input: &mut impl BufRead,
    prompt_out: &mut impl Write,
) -> Result<(), ApprovalError> {
    if auto_approve {
        return Ok(());
    }
    if !interactive {
        return Err(consent.needed());
    }
    prompt_out
        .write_all(consent.prompt().as_bytes())
        .and_then(|()| prompt_out.flush())
        .map_err(ApprovalError::Prompt)?;
    let mut answer = String::new();
    input
        .read_line(&mut answer)
        .map_err(ApprovalError::Prompt)?;
    let _ = writeln!(prompt_out);
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(consent.declined())
    }
}

/// Whether a person can answer a prompt: both stdin and stderr are terminals.
pub(super) fn is_interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(auto: bool, interactive: bool, answer: &str) -> (Result<(), ApprovalError>, String) {
        let mut input = answer.as_bytes();
        let mut out = Vec::new();
        let r = confirm(Consent::Apply, auto, interactive, &mut input, &mut out);
        (r, String::from_utf8(out).unwrap())
    }

    #[test]
    fn only_yes_proceeds() {
        assert!(ask(false, true, "yes\n").0.is_ok());
        assert!(ask(false, true, "  yes \r\n").0.is_ok());
        for no in ["y\n", "Yes\n", "YES\n", "no\n", "\n", "", "yes please\n"] {
            let (r, _) = ask(false, true, no);
            assert!(matches!(r, Err(ApprovalError::Declined)), "{no:?}");
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
        assert!(matches!(r, Err(ApprovalError::ConfirmationNeeded)));
        assert!(out.is_empty());
    }

    #[test]
    fn destroy_asks_its_own_question_and_refuses_in_its_own_words() {
        let mut out = Vec::new();
        let r = confirm(
            Consent::Destroy,
            false,
            true,
            &mut "y\n".as_bytes(),
            &mut out,
        );
        assert!(matches!(r, Err(ApprovalError::DestroyDeclined)));
        assert!(String::from_utf8(out).unwrap().contains("There is no undo"));
        let mut out = Vec::new();
        let r = confirm(
            Consent::Destroy,
            false,
            false,
            &mut "yes\n".as_bytes(),
            &mut out,
        );
        assert!(matches!(r, Err(ApprovalError::DestroyConfirmationNeeded)));
        assert!(out.is_empty());
        let r = confirm(
            Consent::Destroy,
            false,
            true,
            &mut "yes\n".as_bytes(),
            &mut Vec::new(),
        );
        assert!(r.is_ok());
    }

    #[test]
    fn auto_approve_never_asks() {
        let (r, out) = ask(true, false, "");
        assert!(r.is_ok());
        assert!(out.is_empty());
    }
}
