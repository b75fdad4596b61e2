//! The administrator's account and instance chores (`statusdata users …`, `statusdata reload`):
//! staff lists imported all or nothing, a unit or role changed, a password reset, an account
//! disabled or enabled, and the running instances asked to reload. Each is audited under the
//! caller and needs the system administrator's role.

use super::{require_role, stamp, ApiError, ApiResult, Code, Service};
use crate::auth::import::{import_staff, set_account, StaffRow};
use crate::auth::service::{reset_password, set_disabled, AuthError};
use crate::authz::Access;
use crate::store::live;

pub use crate::auth::import::{read_staff, role_code, role_name, Change, Imported};

fn administrator(who: &Access) -> ApiResult<()> {
    require_role(
        who,
        &["sysadmin"],
        "只有系统管理员可以管理账号或重新载入实例",
    )
}

fn no_account(staff_no: &str) -> ApiError {
    ApiError::new(Code::NotFound, format!("没有工号为 {staff_no} 的账号"))
}

impl Service {
    /// Imports a checked staff list (see [`read_staff`]): new accounts are created; accounts whose
    /// name, unit or role differ are only reported unless `update`, then changed and audited.
    pub fn import_staff(
        &self,
        who: &Access,
        rows: &[StaffRow],
        update: bool,
    ) -> ApiResult<Imported> {
        administrator(who)?;
        Ok(import_staff(
            &self.store,
            rows,
            &who.principal.staff_no,
            update,
        )?)
    }

    /// Changes an account's unit and/or role (given by name, alias or code); audited.
    pub fn set_account(
        &self,
        who: &Access,
        staff_no: &str,
        unit: Option<&str>,
        role: Option<&str>,
    ) -> ApiResult<Change> {
        administrator(who)?;
        if unit.is_none() && role.is_none() {
            return Err(ApiError::new(
                Code::BadRequest,
                "请用 --unit 和/或 --role 指定要修改的内容",
            ));
        }
        let unit = unit.map(|u| self.unit_code(u)).transpose()?;
        let role = match role {
            None => None,
            Some(r) => Some(role_code(r).ok_or_else(|| {
                ApiError::new(
                    Code::BadRequest,
                    format!("角色“{r}”无效（collector、head、quality_admin、leader、sysadmin）"),
                )
            })?),
        };
        let actor = &who.principal.staff_no;
        set_account(&self.store, staff_no, unit.as_deref(), role, actor)?
            .ok_or_else(|| no_account(staff_no))
    }

    /// Puts an account back to its initial password (to be changed at the next login).
    pub fn reset_password(
        &self,
        who: &Access,
        staff_no: &str,
        pinyin: Option<&str>,
    ) -> ApiResult<()> {
        administrator(who)?;
        let done = reset_password(
            &self.store,
            staff_no,
            pinyin,
            self.now(),
            &who.principal.staff_no,
        )
        .map_err(|e| match e {
            AuthError::Store(e) => e.into(),
            other => ApiError::new(Code::BadRequest, other.to_string()),
        })?;
        done.then_some(()).ok_or_else(|| no_account(staff_no))
    }

    /// Disables an account (ending its sessions) or enables it again.
    pub fn set_disabled(&self, who: &Access, staff_no: &str, disabled: bool) -> ApiResult<()> {
        administrator(who)?;
        let done = set_disabled(
            &self.store,
            staff_no,
            disabled,
            &who.principal.staff_no,
            self.now(),
        )?;
        done.then_some(()).ok_or_else(|| no_account(staff_no))
    }

    /// Asks every instance on this database to reload its definitions and policy; returns the
    /// request's number.
    pub fn request_reload(&self, who: &Access) -> ApiResult<i64> {
        administrator(who)?;
        let at = stamp(self.now());
        let by = who.principal.staff_no.clone();
        Ok(self
            .store
            .with_workflow(|c| live::request_reload(c, &at, &by))?)
    }
}
