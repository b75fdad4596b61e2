//! The online designer of table definitions (质量部): `tableDefinition`, `definitionHistory`,
//! `definitionVersionDiff`, `saveDefinitionDraft`, `discardDefinitionDraft`,
//! `applyDefinitionDraft`, `rollbackDefinition`; and of code lists: `codeListDefinition`,
//! `saveCodeListDraft`, `discardCodeListDraft`, `applyCodeListDraft` (their history and
//! roll-back are `definitionHistory(table: "codes/<name>")` and `rollbackDefinition`).

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::build::{
    int, list_of_parent, service_field, service_list, service_value, string_arg, text, with_fields,
};
use super::errors::{ApiError, ApiResult, Code};
use crate::service::definitions::Definitions;
use crate::service::designer::{
    DefinitionVersion, DraftChange, DraftProblem, DraftView, SaveDraft, TableDefinition,
    CODES_PREFIX,
};

fn opt_int() -> TypeRef {
    TypeRef::named(TypeRef::INT)
}

fn definitions(ctx: &ResolverContext<'_>) -> ApiResult<Definitions> {
    ctx.data::<Definitions>().cloned().map_err(|_| {
        ApiError::new(
            Code::BadRequest,
            "本服务未配置表定义目录，不能在线编辑表定义",
        )
    })
}

fn required_text(ctx: &ResolverContext<'_>, name: &str) -> ApiResult<String> {
    string_arg(ctx, name).ok_or_else(|| ApiError::new(Code::BadRequest, format!("缺少参数 {name}")))
}

fn int_arg(ctx: &ResolverContext<'_>, name: &str) -> Option<i64> {
    ctx.args
        .get(name)
        .filter(|v| !v.is_null())
        .and_then(|v| v.i64().ok())
}

fn required_int(ctx: &ResolverContext<'_>, name: &str) -> ApiResult<i64> {
    int_arg(ctx, name).ok_or_else(|| ApiError::new(Code::BadRequest, format!("缺少参数 {name}")))
}

/// The designer's key of the code list named by the argument `name`: `codes/<name>`.
fn code_list_key(ctx: &ResolverContext<'_>) -> ApiResult<String> {
    Ok(format!(
        "{CODES_PREFIX}{}",
        required_text(ctx, "name")?.trim()
    ))
}

fn list_name() -> InputValue {
    InputValue::new("name", text())
        .description("代码表名，即 table-defs/codes/<name>.toml 的 <name>，如 majors")
}

/// Registers the designer's types.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let version = with_fields::<DefinitionVersion>(
        Object::new("DefinitionVersion").description("在线应用的一版表定义：作者、时间与原因"),
        vec![
            ("id", int(), |v| Gql::from(v.id)),
            ("table", text(), |v| Gql::from(v.table.clone())),
            ("authorName", text(), |v| Gql::from(v.author_name.clone())),
            ("at", text(), |v| Gql::from(v.at.clone())),
            ("reason", text(), |v| Gql::from(v.reason.clone())),
            ("definitionsVersion", int(), |v| {
                Gql::from(v.definitions_version)
            }),
            ("diff", text(), |v| Gql::from(v.diff.clone())),
        ],
    );
    register_drafts(b).register(version)
}

/// Registers `TableDefinition`, `DefinitionDraft` and the draft's problems and changes.
fn register_drafts(b: SchemaBuilder) -> SchemaBuilder {
    let problem = with_fields::<DraftProblem>(
        Object::new("DefinitionProblem").description("检查草稿发现的一个问题：行号、键与说明"),
        vec![
            ("line", opt_int(), |p| p.line.map_or(Gql::Null, Gql::from)),
            ("key", text(), |p| Gql::from(p.key.clone())),
            ("message", text(), |p| Gql::from(p.message.clone())),
        ],
    );
    let change = with_fields::<DraftChange>(
        Object::new("DefinitionChange")
            .description("应用草稿会对数据库做的一项修改：新增的，或会删除、改变已有数据的"),
        vec![
            ("destructive", TypeRef::named_nn(TypeRef::BOOLEAN), |c| {
                Gql::from(c.destructive)
            }),
            ("description", text(), |c| Gql::from(c.description.clone())),
            ("rows", opt_int(), |c| c.rows.map_or(Gql::Null, Gql::from)),
        ],
    );
    let draft = with_fields::<DraftView>(
        Object::new("DefinitionDraft").description("一张表的表定义草稿，及其检查结果与差异"),
        vec![
            ("table", text(), |d| Gql::from(d.table.clone())),
            ("toml", text(), |d| Gql::from(d.toml.clone())),
            ("baseVersion", int(), |d| Gql::from(d.base_version)),
            ("rowVersion", int(), |d| Gql::from(d.row_version)),
            ("authorName", text(), |d| Gql::from(d.author_name.clone())),
            ("updatedAt", text(), |d| Gql::from(d.updated_at.clone())),
            ("diff", text(), |d| Gql::from(d.diff.clone())),
            ("stale", TypeRef::named_nn(TypeRef::BOOLEAN), |d| {
                Gql::from(d.stale)
            }),
        ],
    )
    .field(list_of_parent::<DraftView, DraftProblem>(
        "problems",
        "DefinitionProblem",
        |d| &d.problems,
    ))
    .field(list_of_parent::<DraftView, DraftChange>(
        "changes",
        "DefinitionChange",
        |d| &d.changes,
    ));
    let table = with_fields::<TableDefinition>(
        Object::new("TableDefinition").description("一张表的表定义文件（TOML 原文）与草稿"),
        vec![
            ("table", text(), |t| Gql::from(t.table.clone())),
            ("name", text(), |t| Gql::from(t.name.clone())),
            ("file", text(), |t| Gql::from(t.file.clone())),
            ("toml", text(), |t| Gql::from(t.toml.clone())),
            ("version", int(), |t| Gql::from(t.version)),
        ],
    )
    .field(Field::new(
        "draft",
        TypeRef::named("DefinitionDraft"),
        |ctx| {
            FieldFuture::new(async move {
                let t = ctx.parent_value.try_downcast_ref::<TableDefinition>()?;
                Ok(t.draft.as_ref().map(|d| FieldValue::borrowed_any(d)))
            })
        },
    ));
    b.register(problem)
        .register(change)
        .register(draft)
        .register(table)
}

/// Adds `tableDefinition`, `definitionHistory` and `definitionVersionDiff`.
pub fn add_queries(q: Object) -> Object {
    q.field(
        service_field(
            "tableDefinition",
            TypeRef::named_nn("TableDefinition"),
            |ctx| Ok((definitions(ctx)?, required_text(ctx, "table")?)),
            |svc, who, (d, table)| d.table_definition(svc, who, &table),
        )
        .argument(InputValue::new("table", text()).description("表编号，如 1.1.7"))
        .description("一张表的表定义原文、现行表定义版本与草稿（质量部）"),
    )
    .field(
        service_list(
            "definitionHistory",
            TypeRef::named_nn_list_nn("DefinitionVersion"),
            |ctx| Ok((definitions(ctx)?, string_arg(ctx, "table"))),
            |svc, who, (d, table)| d.history(svc, who, table),
        )
        .argument(
            InputValue::new("table", TypeRef::named(TypeRef::STRING))
                .description("表编号；不给则列出所有表"),
        )
        .description("在线应用过的表定义版本，新的在前（质量部）"),
    )
    .field(
        service_value(
            "definitionVersionDiff",
            text(),
            |ctx| {
                Ok((
                    definitions(ctx)?,
                    required_int(ctx, "from")?,
                    required_int(ctx, "to")?,
                ))
            },
            |svc, who, (d, from, to)| d.version_diff(svc, who, from, to),
        )
        .argument(InputValue::new("from", int()).description("DefinitionVersion.id"))
        .argument(InputValue::new("to", int()).description("DefinitionVersion.id"))
        .description("两版表定义（应用后的原文）之间的差异，统一差异格式（质量部）"),
    )
    .field(
        service_field(
            "codeListDefinition",
            TypeRef::named_nn("TableDefinition"),
            |ctx| Ok((definitions(ctx)?, code_list_key(ctx)?)),
            |svc, who, (d, key)| d.table_definition(svc, who, &key),
        )
        .argument(list_name())
        .description("一个代码表的原文（table 为 codes/<name>，name 为代码表名称）、现行表定义版本与草稿（质量部）"),
    )
}

/// Adds `saveDefinitionDraft`, `discardDefinitionDraft`, `applyDefinitionDraft` and
/// `rollbackDefinition`.
pub fn add_mutations(m: Object) -> Object {
    let m = m.field(
        service_field(
            "saveDefinitionDraft",
            TypeRef::named_nn("DefinitionDraft"),
            |ctx| {
                let save = SaveDraft {
                    table: required_text(ctx, "table")?,
                    toml: required_text(ctx, "toml")?,
                    base_version: required_int(ctx, "baseVersion")?,
                    row_version: int_arg(ctx, "rowVersion"),
                };
                Ok((definitions(ctx)?, save))
            },
            |svc, who, (d, save)| d.save_draft(svc, who, save),
        )
        .argument(InputValue::new("table", text()))
        .argument(InputValue::new("toml", text()).description("整个表定义文件的原文"))
        .argument(InputValue::new("baseVersion", int()).description("读取时的表定义版本（TableDefinition.version）"))
        .argument(InputValue::new("rowVersion", opt_int()).description("读到的草稿的 rowVersion；读时没有草稿则不给"))
        .description("保存一张表的表定义草稿（质量部）；他人在你读取后保存过草稿时返回 CONFLICT"),
    )
    .field(
        service_value(
            "discardDefinitionDraft",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            |ctx| Ok((definitions(ctx)?, required_text(ctx, "table")?)),
            |svc, who, (d, table)| d.discard_draft(svc, who, &table),
        )
        .argument(InputValue::new("table", text()))
        .description("放弃一张表的草稿（质量部）；原来没有草稿时返回 false"),
    )
    .field(
        service_field(
            "applyDefinitionDraft",
            TypeRef::named_nn("DefinitionVersion"),
            |ctx| Ok((definitions(ctx)?, required_text(ctx, "table")?, required_text(ctx, "reason")?)),
            |svc, who, (d, table, reason)| d.apply_draft(svc, who, &table, &reason),
        )
        .argument(InputValue::new("table", text()))
        .argument(InputValue::new("reason", text()).description("修改原因，记入历史"))
        .description("应用草稿（质量部）：检查通过、未过期、不丢数据时写入 table-defs/ 并重新载入，各实例随之更新"),
    )
    .field(
        service_field(
            "rollbackDefinition",
            TypeRef::named_nn("DefinitionVersion"),
            |ctx| Ok((definitions(ctx)?, required_int(ctx, "version")?, required_text(ctx, "reason")?)),
            |svc, who, (d, id, reason)| d.rollback(svc, who, id, &reason),
        )
        .argument(InputValue::new("version", int()).description("DefinitionVersion.id：把表定义恢复到这一版应用之前的原文"))
        .argument(InputValue::new("reason", text()).description("回滚原因，记入历史"))
        .description("回滚（质量部）：把一张表的表定义（或一个代码表）恢复为某一版应用之前的原文，记为新的一版"),
    );
    add_code_list_mutations(m)
}

/// Adds `saveCodeListDraft`, `discardCodeListDraft` and `applyCodeListDraft`: the table
/// mutations for the code list `codes/<name>`.
fn add_code_list_mutations(m: Object) -> Object {
    m.field(
        service_field(
            "saveCodeListDraft",
            TypeRef::named_nn("DefinitionDraft"),
            |ctx| {
                let save = SaveDraft {
                    table: code_list_key(ctx)?,
                    toml: required_text(ctx, "toml")?,
                    base_version: required_int(ctx, "baseVersion")?,
                    row_version: int_arg(ctx, "rowVersion"),
                };
                Ok((definitions(ctx)?, save))
            },
            |svc, who, (d, save)| d.save_draft(svc, who, save),
        )
        .argument(list_name())
        .argument(InputValue::new("toml", text()).description("整个代码表文件的原文"))
        .argument(InputValue::new("baseVersion", int()).description("读取时的表定义版本（TableDefinition.version）"))
        .argument(InputValue::new("rowVersion", opt_int()).description("读到的草稿的 rowVersion；读时没有草稿则不给"))
        .description("保存一个代码表的草稿并检查（质量部）；他人在你读取后保存过草稿时返回 CONFLICT"),
    )
    .field(
        service_value(
            "discardCodeListDraft",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            |ctx| Ok((definitions(ctx)?, code_list_key(ctx)?)),
            |svc, who, (d, key)| d.discard_draft(svc, who, &key),
        )
        .argument(list_name())
        .description("放弃一个代码表的草稿（质量部）；原来没有草稿时返回 false"),
    )
    .field(
        service_field(
            "applyCodeListDraft",
            TypeRef::named_nn("DefinitionVersion"),
            |ctx| Ok((definitions(ctx)?, code_list_key(ctx)?, required_text(ctx, "reason")?)),
            |svc, who, (d, key, reason)| d.apply_draft(svc, who, &key, &reason),
        )
        .argument(list_name())
        .argument(InputValue::new("reason", text()).description("修改原因，记入历史"))
        .description("应用代码表草稿（质量部）：检查通过、未过期、未删除已有数据使用的代码时写入 table-defs/codes/ 并重新载入"),
    )
}
