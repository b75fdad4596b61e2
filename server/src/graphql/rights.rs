//! `grantRight` and `revokeRight`: 质量部 changes who fills and reviews a table; the change is
//! checked, written to policy.csv, audited and in force for the next request.

use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputValue, Object, SchemaBuilder, TypeRef,
};

use super::errors::{ApiError, Code};
use super::resolve::req;
use crate::authz::{Action, PolicyCell};
use crate::defs::Units;

/// Registers the action enum.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    b.register(Enum::new("RightAction").item("FILL").item("REVIEW"))
}

fn change(grant: bool) -> Field {
    let name = if grant { "grantRight" } else { "revokeRight" };
    Field::new(name, TypeRef::named_nn(TypeRef::BOOLEAN), move |ctx| {
        FieldFuture::new(async move {
            let r = req(&ctx)?;
            let code = ctx.args.try_get("table")?.string()?.trim().to_owned();
            let table = r.store.catalog().table_by_code(&code).cloned().ok_or_else(|| ApiError::new(Code::NotFound, format!("没有编号为 {code} 的数据表")))?;
            let quality = r.access.principal.development || r.access.principal.roles.iter().any(|x| x == "quality_admin" || x == "sysadmin");
            if !quality || !r.access.can(&table.code, Action::Admin) {
                return Err(ApiError::new(Code::Forbidden, "只有质量部管理员可以调整填报与审核分工").into());
            }
            let units = ctx.data::<Arc<Units>>()?;
            let cell = ctx.data::<Arc<PolicyCell>>()?;
            let given = ctx.args.try_get("unit")?.string()?.trim().to_owned();
            let subject = units
                .by_code(&given)
                .or_else(|| units.by_name(&given))
                .map(|u| u.name.clone())
                .or_else(|| units.group_by_name(&given).map(|g| g.name.clone()))
                .ok_or_else(|| ApiError::new(Code::BadRequest, format!("单位“{given}”不在 seeds/units.toml 中")))?;
            let action = if ctx.args.try_get("action")?.enum_name()? == "REVIEW" { Action::Review } else { Action::Fill };
            let changed = cell
                .change(&subject, &table.code, action, grant, r.store.catalog(), units)
                .await
                .map_err(|why| ApiError::new(Code::BadRequest, format!("调整被拒绝：{why}")))?;
            if changed {
                let (store, actor) = (r.store.clone(), r.access.principal.staff_no.clone());
                let detail = serde_json::json!({ "unit": subject, "table": table.code, "action": action.as_str(), "grant": grant });
                let op = if grant { "grant" } else { "revoke" };
                let code = table.code.clone();
                tokio::task::spawn_blocking(move || store.audit(&actor, op, Some(&code), detail)).await?.map_err(ApiError::from)?;
                tracing::info!(table = %table.code, unit = %subject, action = %action, grant, "policy changed");
            }
            Ok(Some(FieldValue::value(changed)))
        })
    })
    .description(if grant { "授予某单位（或“各院系”）对某表的填报或审核权限（质量部）" } else { "撤销某单位对某表的填报或审核权限（质量部）；不能撤销最后一个填报或审核单位" })
    .argument(InputValue::new("unit", TypeRef::named_nn(TypeRef::STRING)).description("单位名称或代码，或“各院系”"))
    .argument(InputValue::new("table", TypeRef::named_nn(TypeRef::STRING)).description("表编号，如 2.1.1"))
    .argument(InputValue::new("action", TypeRef::named_nn("RightAction")))
}

/// Adds the two mutations.
pub fn add_mutations(m: Object) -> Object {
    m.field(change(true)).field(change(false))
}
