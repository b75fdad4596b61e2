//! The submission state machine as a pure function: draft → submitted → approved | returned →
//! accepted; 质量部 can reopen. A table with two reviewing units (2.15.2) is approved when both
//! have approved.

use std::fmt;

/// Where a (cycle, table, unit) submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Draft,
    Submitted,
    Approved,
    Returned,
    Accepted,
}

impl State {
    pub const ALL: [State; 5] = [
        State::Draft,
        State::Submitted,
        State::Approved,
        State::Returned,
        State::Accepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::Approved => "approved",
            State::Returned => "returned",
            State::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Chinese name for messages and bulletins.
    pub fn label(self) -> &'static str {
        match self {
            State::Draft => "填报中",
            State::Submitted => "待审核",
            State::Approved => "审核通过",
            State::Returned => "已退回",
            State::Accepted => "已验收",
        }
    }

    /// Whether the filling unit may still change rows.
    pub fn editable(self) -> bool {
        matches!(self, State::Draft | State::Returned)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A submission's state with the reviewing units that approved it and the last comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub state: State,
    pub approvals: Vec<String>,
    pub comment: Option<String>,
}

impl Default for Submission {
    fn default() -> Self {
        Submission {
            state: State::Draft,
            approvals: Vec::new(),
            comment: None,
        }
    }
}

/// A workflow step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The filling unit's head submits.
    Submit,
    /// A reviewing unit approves.
    Approve { reviewer: String },
    /// A reviewing unit returns it for correction, saying why.
    Return { reviewer: String, comment: String },
    /// 质量部 accepts an approved table.
    Accept,
    /// 质量部 sends it back to the filling unit, saying why.
    Reopen { reason: String },
}

/// Why a step is not possible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("当前状态为“{}”，不能{}", .0.label(), .1)]
    NotNow(State, &'static str),
    #[error("{0}")]
    Needs(&'static str),
    /// The reviewing unit approved already; the other reviewers have not.
    #[error("本单位已审核通过，等待其他审核单位")]
    AlreadyApproved,
}

fn name(step: &Step) -> &'static str {
    match step {
        Step::Submit => "提交",
        Step::Approve { .. } => "审核通过",
        Step::Return { .. } => "退回",
        Step::Accept => "验收",
        Step::Reopen { .. } => "重新打开",
    }
}

/// The submission after `step`, given the table's reviewing units.
pub fn apply(
    current: &Submission,
    step: &Step,
    reviewers: &[String],
) -> Result<Submission, StepError> {
    let not_now = || StepError::NotNow(current.state, name(step));
    match (current.state, step) {
        (State::Draft | State::Returned, Step::Submit) => Ok(Submission {
            state: State::Submitted,
            approvals: Vec::new(),
            comment: None,
        }),
        (State::Submitted, Step::Approve { reviewer }) => {
            if current.approvals.contains(reviewer) {
                return Err(StepError::AlreadyApproved);
            }
            let mut approvals = current.approvals.clone();
            approvals.push(reviewer.clone());
            let all = reviewers.iter().all(|r| approvals.contains(r));
            Ok(Submission {
                state: if all {
                    State::Approved
                } else {
                    State::Submitted
                },
                approvals,
                comment: None,
            })
        }
        (State::Submitted, Step::Return { comment, .. }) => {
            if comment.trim().is_empty() {
                return Err(StepError::Needs("退回须填写原因"));
            }
            Ok(Submission {
                state: State::Returned,
                approvals: Vec::new(),
                comment: Some(comment.trim().to_owned()),
            })
        }
        (State::Approved, Step::Accept) => Ok(Submission {
            state: State::Accepted,
            approvals: current.approvals.clone(),
            comment: None,
        }),
        (State::Submitted | State::Approved | State::Accepted, Step::Reopen { reason }) => {
            if reason.trim().is_empty() {
                return Err(StepError::Needs("重新打开须填写原因"));
            }
            Ok(Submission {
                state: State::Returned,
                approvals: Vec::new(),
                comment: Some(reason.trim().to_owned()),
            })
        }
        _ => Err(not_now()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(state: State) -> Submission {
        Submission {
            state,
            ..Submission::default()
        }
    }

    /// Every state against every step: exactly these succeed, and each ends where it should.
    #[test]
    fn every_state_and_step() {
        let one = vec!["jwb".to_owned()];
        let steps = [
            Step::Submit,
            Step::Approve {
                reviewer: "jwb".into(),
            },
            Step::Return {
                reviewer: "jwb".into(),
                comment: "学时有误".into(),
            },
            Step::Accept,
            Step::Reopen {
                reason: "核心数据需调整".into(),
            },
        ];
        let expected = |s: State, step: &Step| -> Option<State> {
            match (s, step) {
                (State::Draft | State::Returned, Step::Submit) => Some(State::Submitted),
                (State::Submitted, Step::Approve { .. }) => Some(State::Approved),
                (State::Submitted, Step::Return { .. }) => Some(State::Returned),
                (State::Approved, Step::Accept) => Some(State::Accepted),
                (State::Submitted | State::Approved | State::Accepted, Step::Reopen { .. }) => {
                    Some(State::Returned)
                }
                _ => None,
            }
        };
        for s in State::ALL {
            for step in &steps {
                let got = apply(&at(s), step, &one).ok().map(|x| x.state);
                assert_eq!(got, expected(s, step), "{s} + {step:?}");
            }
        }
    }

    #[test]
    fn two_reviewers_must_both_approve() {
        let two = vec!["jwb".to_owned(), "zlb".to_owned()];
        let first = apply(
            &at(State::Submitted),
            &Step::Approve {
                reviewer: "jwb".into(),
            },
            &two,
        )
        .expect("first");
        assert_eq!(first.state, State::Submitted);
        assert!(
            apply(
                &first,
                &Step::Approve {
                    reviewer: "jwb".into()
                },
                &two
            )
            .is_err(),
            "twice by one unit"
        );
        let both = apply(
            &first,
            &Step::Approve {
                reviewer: "zlb".into(),
            },
            &two,
        )
        .expect("second");
        assert_eq!(both.state, State::Approved);
    }

    #[test]
    fn returning_and_reopening_need_a_reason() {
        assert!(apply(
            &at(State::Submitted),
            &Step::Return {
                reviewer: "jwb".into(),
                comment: " ".into()
            },
            &[]
        )
        .is_err());
        assert!(apply(
            &at(State::Accepted),
            &Step::Reopen {
                reason: String::new()
            },
            &[]
        )
        .is_err());
        let back = apply(
            &at(State::Submitted),
            &Step::Return {
                reviewer: "jwb".into(),
                comment: "请补充".into(),
            },
            &[],
        )
        .expect("return");
        assert_eq!(
            (back.state, back.comment.as_deref()),
            (State::Returned, Some("请补充"))
        );
    }
}
