//! Errors of the apply phase that end the command (as opposed to a failed step, which
//! ends one instance's chain and is recorded in the report).

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum ApplyError {
    #[error("apply did not finish: {summary}")]
    #[diagnostic(
        code(auraform::apply::incomplete),
        help(
            "the report above says what happened to each instance; running `auraform apply` again converges"
        )
    )]
    Incomplete { summary: String },

    #[error("destroy did not finish: {summary}")]
    #[diagnostic(
        code(auraform::apply::incomplete),
        help(
            "the report above says what happened to each instance; running `auraform destroy` again deletes what is left"
        )
    )]
    DestroyIncomplete { summary: String },

    #[error("after the destroy, {what}")]
    #[diagnostic(
        code(auraform::apply::not_destroyed),
        help(
            "another run created or kept them while this destroy ran; run `auraform destroy` again"
        )
    )]
    StillThere { what: String },
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
            (
                count(|o| matches!(o, O::Conflict { .. })),
                "in conflict with another apply",
            ),
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
        let sinks = report.sink_failures();
        if sinks > 0 {
            parts.push(format!(
                "a credentials sink failed for {sinks} instance{}",
                if sinks == 1 { "" } else { "s" }
            ));
        }
        if parts.is_empty() {
            parts.push("interrupted".to_owned());
        }
        let summary = parts.join(", ");
        Some(if report.destroy {
            ApplyError::DestroyIncomplete { summary }
        } else {
            ApplyError::Incomplete { summary }
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
            destroy: false,
            last_look: None,
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
            destroy: false,
            last_look: None,
        };
        let err = ApplyError::from_report(&bad).unwrap();
        assert_eq!(
            err.to_string(),
            "apply did not finish: 2 instances failed, 1 instance interrupted"
        );
    }
}
