//! Quality use cases: 质量部 runs every rule over a cycle; a unit explains its findings; 质量部
//! accepts them. Each change is checked and written with its audit row in one transaction.

use super::{require_role, stamp, ApiError, ApiResult, Code, Service};
use crate::authz::{Access, Action};
use crate::store::findings::{self, Finding};
use crate::validate::rules::{run_checks, RunReport, RunScope};

pub(super) fn quality_office(who: &Access) -> ApiResult<()> {
    require_role(who, &["quality_admin"], "只有质量部可以运行校验或认可发现")
}

impl Service {
    /// Runs every rule over `cycle` and brings the findings up to date (质量部).
    pub fn run_checks(&self, who: &Access, cycle: i32) -> ApiResult<RunReport> {
        quality_office(who)?;
        let fill =
            self.policy
                .current()
                .unit_codes(self.store.catalog(), &self.units, Action::Fill);
        let scope = RunScope {
            cycle,
            fill_units: Some(&fill),
            actor: &who.principal.staff_no,
            ..RunScope::default()
        };
        let mut conn = self.store.conn()?;
        Ok(run_checks(
            &mut conn,
            self.store.catalog(),
            &scope,
            &mut |_| {},
        )?)
    }

    /// The owning unit explains a finding (a warning so explained no longer stops submission).
    pub fn explain_finding(&self, who: &Access, id: i64, text: &str) -> ApiResult<Finding> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ApiError::new(Code::BadRequest, "说明不能为空"));
        }
        let at = stamp(self.now());
        self.store.write(|conn| {
            let f = existing(conn, id)?;
            let own = who.principal.development || f.found.unit == who.principal.unit;
            if !own || !who.can(&f.found.table_code, Action::Fill) {
                return Err(ApiError::new(
                    Code::Forbidden,
                    "只有填报该表的本单位可以说明此发现",
                ));
            }
            findings::explain_finding(conn, id, text, &who.principal.staff_no, &at)?;
            let detail =
                serde_json::json!({ "finding": id, "rule": f.found.rule, "explanation": text });
            audited(conn, who, &f, "finding_explain", detail)
        })
    }

    /// 质量部 accepts a finding (with its explanation): it no longer counts against the unit.
    pub fn accept_finding(&self, who: &Access, id: i64) -> ApiResult<Finding> {
        quality_office(who)?;
        let at = stamp(self.now());
        self.store.write(|conn| {
            let f = existing(conn, id)?;
            findings::accept_finding(conn, id, &who.principal.staff_no, &at)?;
            let detail = serde_json::json!({ "finding": id, "rule": f.found.rule });
            audited(conn, who, &f, "finding_accept", detail)
        })
    }
}

/// Records `operation` on finding `f` in the audit log and reads the finding back as changed.
fn audited(
    conn: &mut crate::store::AnyConnection,
    who: &Access,
    f: &Finding,
    operation: &str,
    detail: serde_json::Value,
) -> ApiResult<Finding> {
    let actor = &who.principal.staff_no;
    let table = Some(f.found.table_code.as_str());
    crate::store::audit_in(conn, actor, Some(f.cycle), operation, table, detail)?;
    existing(conn, f.id)
}

fn existing(conn: &mut crate::store::AnyConnection, id: i64) -> ApiResult<Finding> {
    findings::get_finding(conn, id)?
        .ok_or_else(|| ApiError::new(Code::NotFound, format!("没有编号为 {id} 的发现")))
}
