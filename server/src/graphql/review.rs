//! The reviewer's help and the comments on rows: `reviewHelp` (the last 退回原因 and the rows
//! changed since), `rowComments`, `addRowComment`, `resolveRowComment`; and `rightCells`, the
//! rights matrix with each cell's last change.

use async_graphql::dynamic::{InputValue, Object, ResolverContext, SchemaBuilder, TypeRef};
use async_graphql::Value as Gql;

use super::build::{
    id_arg, int, list_of_parent, opt_gql, opt_text, service_field, service_list, string_arg, text,
    with_fields,
};
use super::errors::{ApiError, ApiResult, Code};
use crate::service::review_help::{FieldChange, ReturnInfo, ReviewHelp, RowChange};
use crate::service::right_log::RightCell;
use crate::service::row_comments::CommentOut;

fn id() -> TypeRef {
    TypeRef::named_nn(TypeRef::ID)
}

fn opt_obj<T: Send + Sync + 'static>(
    name: &str,
    ty: &str,
    get: fn(&ReviewHelp) -> Option<&T>,
) -> async_graphql::dynamic::Field {
    async_graphql::dynamic::Field::new(name, TypeRef::named(ty), move |ctx| {
        async_graphql::dynamic::FieldFuture::new(async move {
            let p = ctx.parent_value.try_downcast_ref::<ReviewHelp>()?;
            Ok(get(p).map(|x| async_graphql::dynamic::FieldValue::borrowed_any(x)))
        })
    })
}

/// Registers the types.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let ret = with_fields::<ReturnInfo>(
        Object::new("ReturnInfo").description("最近一次退回：时间、退回人与退回原因"),
        vec![
            ("at", text(), |r| Gql::from(r.at.clone())),
            ("byName", text(), |r| Gql::from(r.by_name.clone())),
            ("reason", text(), |r| Gql::from(r.reason.clone())),
        ],
    );
    let field = with_fields::<FieldChange>(
        Object::new("RowFieldChange").description("一行中改动的一个字段：名称、原值与新值"),
        vec![
            ("field", text(), |f| Gql::from(f.field.clone())),
            ("label", text(), |f| Gql::from(f.label.clone())),
            ("before", opt_text(), |f| opt_gql(&f.before)),
            ("after", opt_text(), |f| opt_gql(&f.after)),
        ],
    );
    let row = with_fields::<RowChange>(
        Object::new("RowChange").description("自退回以来新增、修改或删除的一行"),
        vec![
            ("rowId", id(), |r| Gql::from(r.row_id.to_string())),
            ("kind", text(), |r| Gql::from(r.kind)),
            ("label", text(), |r| Gql::from(r.label.clone())),
        ],
    )
    .field(list_of_parent::<RowChange, FieldChange>(
        "fields",
        "RowFieldChange",
        |r| &r.fields,
    ));
    let help = Object::new("ReviewHelp")
        .description("审核参考：最近一次退回原因、提交说明、自退回以来修改的行")
        .field(opt_obj::<ReturnInfo>("returned", "ReturnInfo", |h| {
            h.returned.as_ref()
        }))
        .field(super::resolve::field_of_parent::<ReviewHelp>(
            "note",
            opt_text(),
            |h| opt_gql(&h.note),
        ))
        .field(list_of_parent::<ReviewHelp, RowChange>(
            "changes",
            "RowChange",
            |h| &h.changes,
        ));
    b.register(ret)
        .register(field)
        .register(row)
        .register(help)
        .register(comment_type())
        .register(cell_type())
}

fn comment_type() -> Object {
    with_fields::<CommentOut>(
        Object::new("RowComment").description("审核部门或质量部对某一行的意见，及填报单位的处理"),
        vec![
            ("id", id(), |c| Gql::from(c.id.to_string())),
            ("table", text(), |c| Gql::from(c.table.clone())),
            ("unit", text(), |c| Gql::from(c.unit.clone())),
            ("unitName", text(), |c| Gql::from(c.unit_name.clone())),
            ("rowId", id(), |c| Gql::from(c.row_id.to_string())),
            ("rowRef", text(), |c| Gql::from(c.row_ref.clone())),
            ("authorName", text(), |c| Gql::from(c.author_name.clone())),
            ("authorUnitName", text(), |c| {
                Gql::from(c.author_unit_name.clone())
            }),
            ("body", text(), |c| Gql::from(c.body.clone())),
            ("createdAt", text(), |c| Gql::from(c.created_at.clone())),
            ("resolvedAt", opt_text(), |c| opt_gql(&c.resolved_at)),
            ("resolvedByName", opt_text(), |c| {
                opt_gql(&c.resolved_by_name)
            }),
            ("reply", opt_text(), |c| opt_gql(&c.reply)),
        ],
    )
}

fn cell_type() -> Object {
    with_fields::<RightCell>(
        Object::new("RightCell").description("分工矩阵的一格：某表、某单位（或分组）、填报或审核"),
        vec![
            ("table", text(), |c| Gql::from(c.table.clone())),
            ("unit", text(), |c| Gql::from(c.unit.clone())),
            ("action", TypeRef::named_nn("RightAction"), |c| {
                Gql::Enum(async_graphql::Name::new(c.action))
            }),
            ("granted", TypeRef::named_nn(TypeRef::BOOLEAN), |c| {
                Gql::from(c.granted)
            }),
            ("via", opt_text(), |c| opt_gql(&c.via)),
            ("change", opt_text(), |c| {
                c.change.map_or(Gql::Null, Gql::from)
            }),
            ("changedBy", opt_text(), |c| opt_gql(&c.changed_by)),
            ("changedAt", opt_text(), |c| opt_gql(&c.changed_at)),
        ],
    )
}

type Sheet = (i32, Option<String>, String);

fn sheet(ctx: &ResolverContext<'_>) -> ApiResult<Sheet> {
    let cycle = ctx
        .args
        .get("cycle")
        .and_then(|v| v.i64().ok())
        .and_then(|v| i32::try_from(v).ok())
        .ok_or_else(|| ApiError::new(Code::BadRequest, "cycle 应为年份，如 2023"))?;
    let unit = string_arg(ctx, "unit").unwrap_or_default();
    Ok((cycle, string_arg(ctx, "table"), unit))
}

fn sheet_args(
    f: async_graphql::dynamic::Field,
    table_required: bool,
) -> async_graphql::dynamic::Field {
    let table = if table_required { text() } else { opt_text() };
    f.argument(InputValue::new("cycle", int()))
        .argument(InputValue::new("table", table).description("表编号，如 2.15.5"))
        .argument(InputValue::new("unit", text()).description("填报单位（名称或代码）"))
}

/// Adds the queries.
pub fn add_queries(q: Object) -> Object {
    let help = service_field("reviewHelp", TypeRef::named_nn("ReviewHelp"), sheet, |svc, who, (cycle, table, unit)| {
        svc.review_help(who, cycle, table.as_deref().unwrap_or_default(), &unit)
    })
    .description("审核参考：某单位某表最近一次退回的原因、提交说明，以及自退回以来新增、修改、删除的行（按字段列出原值与新值）");
    let comments = service_list(
        "rowComments",
        TypeRef::named_nn_list_nn("RowComment"),
        sheet,
        |svc, who, (cycle, table, unit)| svc.row_comments(who, cycle, table.as_deref(), &unit),
    )
    .description("某单位某表（不指定表时为本单位各表）收到的审核意见，按时间先后");
    let cells = service_list(
        "rightCells",
        TypeRef::named_nn_list_nn("RightCell"),
        |_| Ok(()),
        |svc, who, ()| svc.right_cells(who),
    )
    .description("分工矩阵：持有权限或调整过的每一格，及最近一次调整的人和时间（质量部）");
    q.field(sheet_args(help, true))
        .field(sheet_args(comments, false))
        .field(cells)
}

/// Adds the mutations.
pub fn add_mutations(m: Object) -> Object {
    let add = service_field(
        "addRowComment",
        TypeRef::named_nn("RowComment"),
        |ctx| {
            let (cycle, table, unit) = sheet(ctx)?;
            let row = id_arg(ctx, "rowId", "行号")?;
            Ok((
                cycle,
                table.unwrap_or_default(),
                unit,
                row,
                string_arg(ctx, "body").unwrap_or_default(),
            ))
        },
        |svc, who, (cycle, table, unit, row, body)| {
            svc.add_row_comment(who, cycle, (&table, &unit, row), &body)
        },
    )
    .description("对某单位某表的一行写审核意见（审核部门负责人或质量部），填报单位会在该行旁看到");
    let add = sheet_args(add, true)
        .argument(InputValue::new("rowId", id()))
        .argument(InputValue::new("body", text()).description("意见，不超过 1000 字"));
    let resolve = service_field(
        "resolveRowComment",
        TypeRef::named_nn("RowComment"),
        |ctx| Ok((id_arg(ctx, "id", "意见编号")?, string_arg(ctx, "reply"))),
        |svc, who, (id, reply)| svc.resolve_row_comment(who, id, reply.as_deref()),
    )
    .description("把一条审核意见标为已解决，可附答复（被提意见的单位、意见人或质量部）")
    .argument(InputValue::new("id", id()))
    .argument(InputValue::new("reply", opt_text()).description("答复，如“已改为本科”"));
    m.field(add).field(resolve)
}
