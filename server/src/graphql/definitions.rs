//! `reloadDefinitions`: 质量部 puts edited table definitions in force without a restart.

use async_graphql::dynamic::{Object, SchemaBuilder, TypeRef};
use async_graphql::Value as Gql;

use super::build::{service_field, strings};
use super::resolve::field_of_parent;
use crate::service::definitions::{Definitions, Mode, Reloaded};
use crate::service::{ApiError, Code};

/// Registers the reload's result type.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    b.register(
        Object::new("DefinitionsReload")
            .description("重新载入表定义的结果")
            .field(
                field_of_parent::<Reloaded>("version", TypeRef::named_nn(TypeRef::INT), |r| {
                    Gql::from(r.version)
                })
                .description("数据库中现行表定义的版本号"),
            )
            .field(
                field_of_parent::<Reloaded>("recorded", TypeRef::named_nn(TypeRef::BOOLEAN), |r| {
                    Gql::from(r.recorded)
                })
                .description("本次载入的定义与数据库中的不同，已记为新版本"),
            )
            .field(
                field_of_parent::<Reloaded>("hash", TypeRef::named_nn(TypeRef::STRING), |r| {
                    Gql::from(r.hash.clone())
                })
                .description("table-defs/ 全部文件内容的 SHA-256"),
            )
            .field(
                field_of_parent::<Reloaded>(
                    "createdTables",
                    TypeRef::named_nn_list_nn(TypeRef::STRING),
                    |r| strings(&r.sync.created_tables),
                )
                .description("新建的数据表（表编号）"),
            )
            .field(
                field_of_parent::<Reloaded>(
                    "addedColumns",
                    TypeRef::named_nn_list_nn(TypeRef::STRING),
                    |r| strings(&r.sync.added_columns),
                )
                .description("新增的字段（表编号.字段名）"),
            ),
    )
}

/// Adds `reloadDefinitions`.
pub fn add_mutations(m: Object) -> Object {
    m.field(
        service_field(
            "reloadDefinitions",
            TypeRef::named_nn("DefinitionsReload"),
            |ctx| {
                ctx.data::<Definitions>().cloned().map_err(|_| {
                    ApiError::new(Code::BadRequest, "本服务未配置表定义目录，不能重新载入")
                })
            },
            |svc, who, definitions| definitions.reload(svc, who, Mode::Explicit),
        )
        .description("重新载入 table-defs/ 的表定义（质量部）：检查后新增表和字段，拒绝删除或改类型等会丢数据的修改；新请求即用新定义，其他实例随之更新"),
    )
}
