//! The grid's bulk fields: the result of a bulk upsert (with each pasted row's outcome and
//! problems when a `mode` was given) and `deleteRows`. The work is `service::grid`.

use async_graphql::dynamic::{
    Enum, EnumItem, Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext,
    SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::errors::{ApiError, Code, InputProblem};
use super::query::parse_id;
use super::resolve::{field_of_parent, req};
use crate::service::grid::{PasteMode, Pasted, PastedRow};

/// The result of a bulk upsert.
pub const BULK_RESULT: &str = "BulkUpsertResult";

fn int() -> TypeRef {
    TypeRef::named_nn(TypeRef::INT)
}

fn s() -> TypeRef {
    TypeRef::named_nn(TypeRef::STRING)
}

/// Registers the bulk result, its rows and problems, the mode and the delete result.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let mode = Enum::new("BulkMode")
        .description("批量写入的方式")
        .item(EnumItem::new("CHECK").description("只检查，不写入"))
        .item(EnumItem::new("ALL").description("全部无误才保存，否则一行都不保存"))
        .item(EnumItem::new("VALID").description("只保存无误的行，有问题的行跳过"));
    let deleted = Object::new("DeleteRowsResult")
        .description("批量删除的结果")
        .field(
            field_of_parent::<(usize, String)>("deleted", int(), |r| Gql::from(r.0 as i64))
                .description("删除的行数"),
        )
        .field(
            field_of_parent::<(usize, String)>("message", s(), |r| Gql::from(r.1.clone()))
                .description("中文结果"),
        );
    b.register(result_type())
        .register(row_type())
        .register(problem_type())
        .register(mode)
        .register(deleted)
}

/// The result of a bulk upsert.
fn result_type() -> Object {
    Object::new(BULK_RESULT)
        .description("批量写入的结果")
        .field(
            field_of_parent::<Pasted>("inserted", int(), |r| Gql::from(r.inserted as i64))
                .description("新增的行数"),
        )
        .field(
            field_of_parent::<Pasted>("updated", int(), |r| Gql::from(r.updated as i64))
                .description("按关键字段修改的行数"),
        )
        .field(
            field_of_parent::<Pasted>("skipped", int(), |r| Gql::from(r.skipped as i64))
                .description("因有问题未保存的行数"),
        )
        .field(
            field_of_parent::<Pasted>("message", s(), |r| Gql::from(r.message.clone()))
                .description("给填报人的一句话"),
        )
        .field(
            Field::new("rows", TypeRef::named_nn_list_nn("BulkUpsertRow"), |ctx| {
                FieldFuture::new(async move {
                    let p = ctx.parent_value.try_downcast_ref::<Pasted>()?;
                    Ok(Some(FieldValue::list(
                        p.rows.iter().cloned().map(FieldValue::owned_any),
                    )))
                })
            })
            .description("每一行的结果（给出 mode 时）"),
        )
}

/// One row of a bulk upsert.
fn row_type() -> Object {
    Object::new("BulkUpsertRow")
        .description("批量写入的一行")
        .field(
            field_of_parent::<PastedRow>("index", int(), |r| Gql::from(r.index as i64))
                .description("在提交的行中的位置（从 0 起）"),
        )
        .field(
            field_of_parent::<PastedRow>("id", TypeRef::named(TypeRef::ID), |r| {
                r.id.map_or(Gql::Null, |id| Gql::from(id.to_string()))
            })
            .description("修改的行，或保存后新增的行"),
        )
        .field(
            field_of_parent::<PastedRow>("isNew", TypeRef::named_nn(TypeRef::BOOLEAN), |r| {
                Gql::from(r.new)
            })
            .description("是否新增（否则按关键字段修改已有的行）"),
        )
        .field(
            field_of_parent::<PastedRow>("saved", TypeRef::named_nn(TypeRef::BOOLEAN), |r| {
                Gql::from(r.saved)
            })
            .description("是否已保存"),
        )
        .field(
            Field::new(
                "problems",
                TypeRef::named_nn_list_nn("BulkUpsertProblem"),
                |ctx| {
                    FieldFuture::new(async move {
                        let r = ctx.parent_value.try_downcast_ref::<PastedRow>()?;
                        Ok(Some(FieldValue::list(
                            r.problems.iter().cloned().map(FieldValue::owned_any),
                        )))
                    })
                },
            )
            .description("这一行的问题（按字段）"),
        )
}

/// One problem of a row.
fn problem_type() -> Object {
    Object::new("BulkUpsertProblem")
        .description("一行中一个字段的问题")
        .field(
            field_of_parent::<InputProblem>("field", s(), |p| Gql::from(p.field.clone()))
                .description("字段名"),
        )
        .field(
            field_of_parent::<InputProblem>("rule", s(), |p| Gql::from(p.rule.clone()))
                .description("规则"),
        )
        .field(
            field_of_parent::<InputProblem>("message", s(), |p| Gql::from(p.message.clone()))
                .description("中文说明"),
        )
}

/// The `mode` argument of a bulk upsert, when given.
pub fn mode_of(ctx: &ResolverContext<'_>) -> async_graphql::Result<Option<PasteMode>> {
    let Some(v) = ctx.args.get("mode").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    Ok(Some(match v.enum_name()? {
        "CHECK" => PasteMode::Check,
        "VALID" => PasteMode::Valid,
        _ => PasteMode::All,
    }))
}

/// The `mode` argument's definition.
pub fn mode_argument() -> InputValue {
    InputValue::new("mode", TypeRef::named("BulkMode")).description(
        "给出时逐行返回问题而不报错：CHECK 只检查；ALL 全部无误才保存；VALID 只保存无误的行。不给出时任何一行有问题即报错",
    )
}

/// Adds `deleteRows`.
pub fn add_mutations(m: Object) -> Object {
    m.field(
        Field::new("deleteRows", TypeRef::named_nn("DeleteRowsResult"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let table = ctx.args.try_get("table")?.string()?.to_owned();
                let ids = ctx
                    .args
                    .try_get("ids")?
                    .list()?
                    .iter()
                    .map(|v| parse_id(v.string()?).map_err(async_graphql::Error::from))
                    .collect::<async_graphql::Result<Vec<i64>>>()
                    .map_err(|_| ApiError::new(Code::BadRequest, "ids 应为行的 id"))?;
                let who = r.access.clone();
                let done = r
                    .svc
                    .blocking(move |svc| svc.delete_rows(&who, &table, &ids))
                    .await?;
                Ok(Some(FieldValue::owned_any(done)))
            })
        })
        .description("删除一张表中选中的多行：全部可删才删除，否则一行都不删（权限、状态、截止日期同单行删除）；不可撤销")
        .argument(InputValue::new("table", TypeRef::named_nn(TypeRef::STRING)).description("表编号，如 2.3.1"))
        .argument(InputValue::new("ids", TypeRef::named_nn_list_nn(TypeRef::ID)).description("要删除的行")),
    )
}
