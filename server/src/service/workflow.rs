//! Workflow use cases: submit, review (approve or return), accept, reopen, and lock exceptions.
//! A step holds its submission alone for its transaction: two reviewers approving at once both
//! count, and an edit lands wholly before a submit or is refused after it.

use chrono::NaiveDate;

use super::files::known_cycle;
use super::gate::check_submittable;
use super::{has_role, stamp, ApiError, ApiResult, Code, Service};
use crate::authz::{Access, Action};
use crate::model::{apply, Step, StepError, Submission};
use crate::store::workflow::{self as wf, Actor};

/// What a caller asks of a submission.
#[derive(Debug, Clone)]
pub enum Request {
    /// The filling unit's head submits; `explanation` answers the warnings.
    Submit {
        explanation: Option<String>,
    },
    Approve,
    Return {
        comment: String,
    },
    Accept,
    Reopen {
        reason: String,
    },
}

/// A submission after a step.
#[derive(Debug, Clone)]
pub struct SubmissionOut {
    pub cycle: i32,
    pub table: String,
    pub unit: String,
    pub sub: Submission,
    pub updated_at: String,
}

fn forbid(message: &str) -> ApiError {
    ApiError::new(Code::Forbidden, message.to_owned())
}

impl Service {
    /// Takes one workflow step on (cycle, table, unit).
    pub fn take_step(
        &self,
        who: &Access,
        cycle: i32,
        table: &str,
        unit: &str,
        request: Request,
    ) -> ApiResult<SubmissionOut> {
        let table = self.table(table)?;
        let unit = self.unit_code(unit)?;
        let reviewers = self
            .policy
            .current()
            .unit_codes(self.store.catalog(), &self.units, Action::Review)
            .remove(&table.code)
            .unwrap_or_default();
        let (step, explanation) = authorize(who, &table.code, &unit, &reviewers, request)?;
        let at = stamp(self.now());
        let actor = Actor {
            staff_no: &who.principal.staff_no,
            unit: &who.principal.unit,
        };
        let sub = self.store.write(|conn| {
            if matches!(step, Step::Submit) {
                crate::store::tx::hold_submission(
                    conn,
                    cycle,
                    &table.code,
                    &unit,
                    crate::store::tx::Hold::Step,
                )?;
                known_cycle(conn, cycle)?;
                check_submittable(
                    conn,
                    self.store.catalog(),
                    &table,
                    cycle,
                    &unit,
                    explanation.as_deref(),
                    &who.principal.staff_no,
                )?;
            }
            let result = wf::record_step(conn, cycle, &table.code, &unit, actor, &at, |before| {
                apply(before, &step, &reviewers).map(|mut after| {
                    // A submission with warnings carries its explanation for the reviewers.
                    if let Some(e) = &explanation {
                        after.comment = Some(format!("提交说明：{e}"));
                    }
                    after
                })
            })?;
            let sub = result.map_err(step_error)?;
            if let Step::Reopen { reason } = &step {
                super::signoff::unsign_on_reopen(
                    conn,
                    self.store.catalog(),
                    cycle,
                    &table.code,
                    &who.principal.staff_no,
                    &at,
                    reason,
                )?;
            }
            Ok::<_, ApiError>(sub)
        })?;
        Ok(SubmissionOut {
            cycle,
            table: table.code.clone(),
            unit,
            sub,
            updated_at: at,
        })
    }

    /// 质量部 lets `unit` edit `table` past its lock or deadline until the end of `until` (China
    /// Standard Time), with a reason; audited.
    pub fn grant_lock_exception(
        &self,
        who: &Access,
        cycle: i32,
        table: &str,
        unit: &str,
        until: NaiveDate,
        reason: &str,
    ) -> ApiResult<()> {
        let table = self.table(table)?;
        let unit = self.unit_code(unit)?;
        if !(has_role(who, &["quality_admin"]) && who.can(&table.code, Action::Admin)) {
            return Err(forbid("只有质量部可以临时开放修改"));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ApiError::new(Code::BadRequest, "请填写原因"));
        }
        let end = format!("{until}T15:59:59.999Z");
        let at = stamp(self.now());
        self.store.write(|conn| {
            known_cycle(conn, cycle)?;
            let exception = wf::LockException {
                cycle,
                table: &table.code,
                unit: &unit,
                until: &end,
                reason,
                granted_by: &who.principal.staff_no,
            };
            wf::grant_lock_exception(conn, &exception, &at)?;
            let detail = serde_json::json!({ "unit": unit, "until": end, "reason": reason });
            crate::store::audit_in(
                conn,
                &who.principal.staff_no,
                Some(cycle),
                "lock_exception",
                Some(&table.code),
                detail,
            )?;
            Ok(())
        })
    }
}

/// Who may take which step: only the filling unit's head submits; only a reviewing unit's head
/// reviews; only 质量部 accepts and reopens.
fn authorize(
    who: &Access,
    code: &str,
    unit: &str,
    reviewers: &[String],
    request: Request,
) -> ApiResult<(Step, Option<String>)> {
    let p = &who.principal;
    Ok(match request {
        Request::Submit { explanation } => {
            let own = p.development || p.unit == unit;
            if !(own && has_role(who, &["head", "quality_admin"]) && who.can(code, Action::Fill)) {
                return Err(forbid("只有本单位负责人可以提交本单位填报的表"));
            }
            let explanation = explanation
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty());
            (Step::Submit, explanation)
        }
        Request::Approve | Request::Return { .. } => {
            let reviewer = p.unit.clone();
            let is_reviewer = p.development || reviewers.contains(&reviewer);
            if !(is_reviewer
                && has_role(who, &["head", "quality_admin"])
                && who.can(code, Action::Review))
            {
                return Err(forbid("只有审核单位负责人可以审核"));
            }
            match request {
                Request::Return { comment } => (Step::Return { reviewer, comment }, None),
                _ => (Step::Approve { reviewer }, None),
            }
        }
        Request::Accept => {
            if !(has_role(who, &["quality_admin"]) && who.can(code, Action::Accept)) {
                return Err(forbid("只有质量部可以验收"));
            }
            (Step::Accept, None)
        }
        Request::Reopen { reason } => {
            if !(has_role(who, &["quality_admin"]) && who.can(code, Action::Admin)) {
                return Err(forbid("只有质量部可以重新打开"));
            }
            (Step::Reopen { reason }, None)
        }
    })
}

/// A step the state does not allow is a conflict with the current state; a missing reason is
/// bad input.
fn step_error(e: StepError) -> ApiError {
    let code = match e {
        StepError::Needs(_) => Code::BadRequest,
        StepError::NotNow(..) | StepError::AlreadyApproved => Code::Conflict,
    };
    ApiError::new(code, e.to_string())
}

/// What a reviewer or 质量部 reads before 通过 or 验收, in numbers and in one line.
#[derive(Debug, Clone)]
pub struct StepSummary {
    pub table: String,
    pub table_name: String,
    pub unit: String,
    pub unit_name: String,
    pub state: String,
    /// Rows the unit filled in this cycle.
    pub rows: i64,
    /// Findings not yet resolved or accepted, by severity (`open` or `explained`).
    pub errors: i64,
    pub warnings: i64,
    /// Of those, the ones the unit has explained.
    pub explained: i64,
    /// The unit's 提交说明 of its last submission.
    pub explanation: Option<String>,
    /// All of it in one line of words.
    pub line: String,
}

impl Service {
    /// The summary of (cycle, table, unit) shown before 通过 and 验收: rows, open findings and
    /// the unit's 说明. For the table's reviewers, 质量部 and the unit itself.
    pub fn step_summary(
        &self,
        who: &Access,
        cycle: i32,
        table: &str,
        unit: &str,
    ) -> ApiResult<StepSummary> {
        let table = self.table(table)?;
        let unit = self.unit_code(unit)?;
        let own = who.principal.unit == unit && who.can(&table.code, Action::Fill);
        let checks = [Action::Review, Action::Accept, Action::Admin];
        if !(own || checks.iter().any(|a| who.can(&table.code, *a))) {
            return Err(forbid(&format!(
                "您没有查看“{} {}”报送情况的权限",
                table.code, table.name
            )));
        }
        let sql_table = crate::defs::naming::sql_table(&table.slug);
        let (rows, sub, explanation, findings) = self.store.with_workflow(|conn| {
            known_cycle(conn, cycle)?;
            let rows = wf::unit_activity(conn, &sql_table, cycle)?
                .get(&unit)
                .map_or(0, |(n, _)| *n);
            let sub = wf::get_submission(conn, cycle, &table.code, &unit)?;
            let explanation = wf::last_submit_comment(conn, cycle, &table.code, &unit)?;
            let filter = crate::store::findings::FindingFilter {
                cycle,
                table: Some(table.code.clone()),
                units: Some(vec![unit.clone()]),
                ..Default::default()
            };
            let found = crate::store::findings::list_findings(conn, &filter)?;
            Ok::<_, ApiError>((rows, sub, explanation, found))
        })?;
        let open: Vec<_> = findings
            .iter()
            .filter(|f| f.state == "open" || f.state == "explained")
            .collect();
        let count = |sev: &str| open.iter().filter(|f| f.found.severity == sev).count() as i64;
        let explained = open.iter().filter(|f| f.state == "explained").count() as i64;
        let explanation = explanation.map(|e| e.trim_start_matches("提交说明：").to_owned());
        let unit_name = self
            .units
            .by_code(&unit)
            .map_or(unit.clone(), |u| u.name.clone());
        let mut line = format!(
            "{} {} · {unit_name}：共 {rows} 行；未处理的错误 {} 条、提醒 {} 条",
            table.code,
            table.name,
            count("error"),
            count("warning")
        );
        if explained > 0 {
            line.push_str(&format!("（其中 {explained} 条已说明）"));
        }
        line.push_str(&match &explanation {
            Some(e) => format!("；单位说明：{e}"),
            None => "；单位未写说明".to_owned(),
        });
        Ok(StepSummary {
            table: table.code.clone(),
            table_name: table.name.clone(),
            unit,
            unit_name,
            state: sub.state.as_str().to_owned(),
            rows,
            errors: count("error"),
            warnings: count("warning"),
            explained,
            explanation,
            line,
        })
    }
}
