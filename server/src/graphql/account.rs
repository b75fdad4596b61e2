//! Login, logout, password change and API tokens. Login needs no principal; the others act on
//! the caller's own account, and API tokens are 质量部's to manage. The use cases are in
//! `service::accounts`; this reads arguments and sets the session cookie.

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::build::{
    opt_gql, opt_text, service_field, service_list, service_value, string_arg, text, with_fields,
};
use super::errors::{ApiError, ApiResult, Code};
use super::resolve::{field_of_parent, req_any};
use crate::service::accounts::{ApiTokenRow, Login};
pub use crate::service::session::{ClientAddr, SessionToken, COOKIE};
use crate::service::Service;

/// The request's service (also for callers without a principal).
fn service<'a>(ctx: &'a async_graphql::dynamic::ResolverContext<'_>) -> ApiResult<&'a Service> {
    ctx.data::<Service>()
        .map_err(|_| ApiError::new(Code::Internal, "服务器未连接数据库"))
}

/// Registers the account types.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    b.register(
        Object::new("LoginResult")
            .field(
                field_of_parent::<Login>("token", TypeRef::named_nn(TypeRef::STRING), |r| {
                    Gql::from(r.token.clone())
                })
                .description(
                    "会话令牌：浏览器已另行写入 Cookie；其他客户端以 Authorization: Bearer 携带",
                ),
            )
            .field(field_of_parent::<Login>(
                "mustChangePassword",
                TypeRef::named_nn(TypeRef::BOOLEAN),
                |r| Gql::from(r.must_change_password),
            )),
    )
    .register(with_fields::<ApiTokenRow>(
        Object::new("ApiToken"),
        vec![
            ("id", TypeRef::named_nn(TypeRef::ID), |t| {
                Gql::from(t.id.to_string())
            }),
            ("name", text(), |t| Gql::from(t.name.clone())),
            ("createdBy", text(), |t| Gql::from(t.created_by.clone())),
            ("createdAt", text(), |t| Gql::from(t.created_at.clone())),
            ("lastUsedAt", opt_text(), |t| opt_gql(&t.last_used_at)),
            ("revokedAt", opt_text(), |t| opt_gql(&t.revoked_at)),
        ],
    ))
    .register(
        Object::new("NewApiToken")
            .field(field_of_parent::<(i64, String)>(
                "id",
                TypeRef::named_nn(TypeRef::ID),
                |t| Gql::from(t.0.to_string()),
            ))
            .field(
                field_of_parent::<(i64, String)>(
                    "token",
                    TypeRef::named_nn(TypeRef::STRING),
                    |t| Gql::from(t.1.clone()),
                )
                .description("只显示这一次；请妥善保存"),
            ),
    )
}

/// Adds the account mutations: the session's own (login, password, logout), then API tokens.
pub fn add_mutations(m: Object) -> Object {
    let m = m
        .field(
            Field::new("login", TypeRef::named_nn("LoginResult"), |ctx| {
                FieldFuture::new(async move {
                    let staff_no = ctx.args.try_get("staffNo")?.string()?.to_owned();
                    let password = ctx.args.try_get("password")?.string()?.to_owned();
                    let addr = ctx.data::<ClientAddr>().ok().map(|a| a.0);
                    let login = service(&ctx)?.login(staff_no, password, addr).await?;
                    let token = login.token.clone();
                    // A session cookie (no Max-Age): it ends with the browser, and the server's
                    // session, which slides with use, decides when it expires.
                    ctx.insert_http_header(
                        "set-cookie",
                        format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"),
                    );
                    Ok(Some(FieldValue::owned_any(login)))
                })
            })
            .description("以工号和密码登录；初始密码为姓氏拼音首字母大写+拼音+@+工号，首次登录须修改")
            .argument(InputValue::new(
                "staffNo",
                TypeRef::named_nn(TypeRef::STRING),
            ))
            .argument(InputValue::new(
                "password",
                TypeRef::named_nn(TypeRef::STRING),
            )),
        )
        .field(
            Field::new(
                "changePassword",
                TypeRef::named_nn(TypeRef::BOOLEAN),
                |ctx| {
                    FieldFuture::new(async move {
                        let r = req_any(&ctx)?;
                        let old = ctx.args.try_get("oldPassword")?.string()?.to_owned();
                        let new = ctx.args.try_get("newPassword")?.string()?.to_owned();
                        let keep = ctx.data::<SessionToken>().ok().map(|t| t.0.clone());
                        let who = r.access.clone();
                        r.svc
                            .blocking(move |svc| svc.change_password(&who, &old, &new, keep.as_deref()))
                            .await?;
                        Ok(Some(FieldValue::value(true)))
                    })
                },
            )
            .description(
                "修改本人密码：至少 8 位，含大写、小写、数字、符号中的三类，不含工号，不同于初始密码",
            )
            .argument(InputValue::new(
                "oldPassword",
                TypeRef::named_nn(TypeRef::STRING),
            ))
            .argument(InputValue::new(
                "newPassword",
                TypeRef::named_nn(TypeRef::STRING),
            )),
        )
        .field(logout());
    token_mutations(m)
}

/// `logout`: ends the caller's session (if any) and clears the cookie.
fn logout() -> Field {
    Field::new("logout", TypeRef::named_nn(TypeRef::BOOLEAN), |ctx| {
        FieldFuture::new(async move {
            let ended = match ctx.data::<SessionToken>().ok().cloned() {
                Some(t) => {
                    let svc = service(&ctx)?;
                    svc.blocking(move |svc| svc.logout(&t.0)).await?
                }
                None => false,
            };
            ctx.insert_http_header(
                "set-cookie",
                format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
            );
            Ok(Some(FieldValue::value(ended)))
        })
    })
}

/// Adds `createApiToken` and `revokeApiToken` (质量部).
fn token_mutations(m: Object) -> Object {
    m.field(
        service_field(
            "createApiToken",
            TypeRef::named_nn("NewApiToken"),
            |ctx| Ok(string_arg(ctx, "name").unwrap_or_default()),
            |svc, who, name| svc.create_api_token(who, &name),
        )
        .description("为 BI 客户端创建只读接口令牌（质量部）")
        .argument(InputValue::new("name", text())),
    )
    .field(
        service_value(
            "revokeApiToken",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            |ctx| Ok(string_arg(ctx, "id").unwrap_or_default()),
            |svc, who, id| svc.revoke_api_token(who, &id),
        )
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
    )
}

/// Adds `apiTokens` to the query root.
pub fn add_queries(q: Object) -> Object {
    q.field(service_list(
        "apiTokens",
        TypeRef::named_nn_list_nn("ApiToken"),
        |_| Ok(()),
        |svc, who, ()| svc.api_tokens(who),
    ))
}
