//! Errors of the apply phase that end the command (as opposed to a failed step, which
//! ends one instance's chain and is recorded in the report).

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum ApplyError {
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

    #[error("this plan was made only to report divergence and cannot be applied")]
    #[diagnostic(
        code(auraform::apply::report_only_plan),
        help("make a plan to apply with `auraform plan --out FILE`")
    )]
    ReportOnlyPlan,

    #[error("apply did not finish: {summary}")]
    #[diagnostic(
        code(auraform::apply::incomplete),
        help(
            "the report above says what happened to each instance; running `auraform apply` again converges"
        )
    )]
    Incomplete { summary: String },
}

impl ApplyError {
    /// The error for a report that did not succeed, or `None` if it did.
    pub fn from_report(report: &super::report::ApplyReport) -> Option<Self> {
        use super::report::InstanceOutcome as O;
        if report.succeeded() {
            return None;
        }
        let count = |f: fn(&O) -> bool| report.instances.iter().filter(|i| f(&i.outcome)).count();
        let mut parts = Vec::new();
        for (n, word) in [
            (count(|o| matches!(o, O::Failed { .. })), "failed"),
            (count(|o| matches!(o, O::Interrupted { .. })), "interrupted"),
            (count(|o| matches!(o, O::Skipped { .. })), "skipped"),
        ] {
            if n > 0 {
                parts.push(format!(
                    "{n} instance{} {word}",
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
        if parts.is_empty() {
            parts.push("interrupted".to_owned());
        }
        Some(ApplyError::Incomplete {
            summary: parts.join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::report::{ApplyReport, InstanceOutcome, InstanceReport};

    fn inst(outcome: InstanceOutcome) -> InstanceReport {
        let mut r = InstanceReport::new("x", None, vec!["create".into()]);
        r.outcome = outcome;
        r
    }

    #[test]
    fn report_to_error() {
        let ok = ApplyReport {
            instances: vec![inst(InstanceOutcome::Done)],
            interrupted: false,
        };
        assert!(ApplyError::from_report(&ok).is_none());
        let bad = ApplyReport {
            instances: vec![
                inst(InstanceOutcome::Failed {
                    step: "create".into(),
                    reason: "400".into(),
                }),
                inst(InstanceOutcome::Failed {
                    step: "create".into(),
                    reason: "400".into(),
                }),
                inst(InstanceOutcome::Interrupted { step: None }),
                inst(InstanceOutcome::Done),
            ],
            interrupted: true,
        };
        let err = ApplyError::from_report(&bad).unwrap();
        assert_eq!(
            err.to_string(),
            "apply did not finish: 2 instances failed, 1 instance interrupted"
        );
    }
}
