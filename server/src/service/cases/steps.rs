//! The workflow steps of a case, through the tables' state machine (`model::apply`) with the
//! writing unit as the one reviewing unit: the unit submits, a head of the unit approves or
//! returns, 质量部 accepts or returns (a reopen, with a reason).

use super::super::{has_role, stamp, ApiError, ApiResult, Code, Service};
use super::{audit_json, forbid, load, CaseOut, CaseRequest};
use crate::authz::Access;
use crate::model::{apply, Step, StepError};
use crate::store::cases::{self as cs, CaseRow};

fn state_error(e: StepError) -> ApiError {
    let code = match e {
        StepError::Needs(_) => Code::BadRequest,
        StepError::NotNow(..) | StepError::AlreadyApproved => Code::Conflict,
    };
    ApiError::new(code, e.to_string())
}

impl Service {
    /// Takes one workflow step on a case.
    pub fn case_step(&self, who: &Access, id: i64, request: CaseRequest) -> ApiResult<CaseOut> {
        let (at, actor) = (stamp(self.now()), who.principal.staff_no.clone());
        self.store.write(|conn| {
            let case = load(conn, who, id, true)?;
            let (step, operation) = self.authorize_step(who, &case, request)?;
            let after = apply(&case.sub, &step, std::slice::from_ref(&case.unit)).map_err(state_error)?;
            cs::set_state(conn, id, &after, &at, &actor)?;
            let detail = serde_json::json!({
                "from": case.sub.state.as_str(), "to": after.state.as_str(), "comment": after.comment,
            });
            cs::audit_case(conn, &actor, case.cycle, id, operation, Some(audit_json(&case)), Some(detail))?;
            Ok::<_, ApiError>(())
        })?;
        self.case_by_id(who, id)
    }

    /// Who takes which step: the writing unit submits; a head of the writing unit reviews;
    /// 质量部 accepts and returns.
    fn authorize_step(
        &self,
        who: &Access,
        case: &CaseRow,
        request: CaseRequest,
    ) -> ApiResult<(Step, &'static str)> {
        let p = &who.principal;
        let reviewer =
            p.development || (p.unit == case.unit && has_role(who, &["head", "quality_admin"]));
        Ok(match request {
            CaseRequest::Submit => {
                if !self.writes_cases(who, &case.unit) {
                    return Err(forbid("只有撰写单位可以提交本单位的典型案例"));
                }
                (Step::Submit, "case.submit")
            }
            CaseRequest::Approve | CaseRequest::Return { .. } => {
                if !reviewer {
                    return Err(forbid("只有撰写单位的负责人可以审核本单位的典型案例"));
                }
                let reviewer = case.unit.clone();
                match request {
                    CaseRequest::Return { comment } => {
                        (Step::Return { reviewer, comment }, "case.return")
                    }
                    _ => (Step::Approve { reviewer }, "case.approve"),
                }
            }
            CaseRequest::Accept => {
                if !has_role(who, &["quality_admin"]) {
                    return Err(forbid("只有质量部可以验收典型案例"));
                }
                (Step::Accept, "case.accept")
            }
            CaseRequest::ReturnByQuality { reason } => {
                if !has_role(who, &["quality_admin"]) {
                    return Err(forbid("只有质量部可以退回已审核的典型案例"));
                }
                (Step::Reopen { reason }, "case.reopen")
            }
        })
    }
}
