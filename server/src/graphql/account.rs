//! Login, logout, password change and API tokens. Login needs no principal; the others act on
//! the caller's own account, and API tokens are 质量部's to manage.

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::errors::{ApiError, ApiResult, Code};
use super::resolve::{field_of_parent, req, req_any};
use crate::auth::service::{self, AuthError};
pub use crate::service::session::{ClientAddr, ServerClock, SessionToken, COOKIE};
use crate::store::ApiTokenRow;

fn now(ctx: &async_graphql::dynamic::ResolverContext<'_>) -> chrono::DateTime<chrono::Utc> {
    ctx.data::<ServerClock>()
        .map_or_else(|_| chrono::Utc::now(), |c| (c.0)())
}

/// Runs blocking account work through the service (also for callers without a principal).
async fn on_service<T: Send + 'static>(
    ctx: &async_graphql::dynamic::ResolverContext<'_>,
    f: impl FnOnce(&crate::service::Service) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let svc = ctx
        .data::<crate::service::Service>()
        .map_err(|_| ApiError::new(Code::Internal, "服务器未连接数据库"))?;
    svc.blocking(f).await
}

fn auth_error(e: AuthError) -> ApiError {
    match e {
        AuthError::BadLogin => ApiError::new(Code::Unauthenticated, service::BAD_LOGIN),
        AuthError::WrongPassword => ApiError::new(Code::Forbidden, "原密码不正确"),
        AuthError::Rule(m) => ApiError::new(Code::BadRequest, m),
        AuthError::Store(e) => e.into(),
    }
}

/// Registers the account types.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    b.register(
        Object::new("LoginResult")
            .field(
                field_of_parent::<(String, bool)>(
                    "token",
                    TypeRef::named_nn(TypeRef::STRING),
                    |r| Gql::from(r.0.clone()),
                )
                .description(
                    "会话令牌：浏览器已另行写入 Cookie；其他客户端以 Authorization: Bearer 携带",
                ),
            )
            .field(field_of_parent::<(String, bool)>(
                "mustChangePassword",
                TypeRef::named_nn(TypeRef::BOOLEAN),
                |r| Gql::from(r.1),
            )),
    )
    .register(
        Object::new("ApiToken")
            .field(field_of_parent::<ApiTokenRow>(
                "id",
                TypeRef::named_nn(TypeRef::ID),
                |t| Gql::from(t.id.to_string()),
            ))
            .field(field_of_parent::<ApiTokenRow>(
                "name",
                TypeRef::named_nn(TypeRef::STRING),
                |t| Gql::from(t.name.clone()),
            ))
            .field(field_of_parent::<ApiTokenRow>(
                "createdBy",
                TypeRef::named_nn(TypeRef::STRING),
                |t| Gql::from(t.created_by.clone()),
            ))
            .field(field_of_parent::<ApiTokenRow>(
                "createdAt",
                TypeRef::named_nn(TypeRef::STRING),
                |t| Gql::from(t.created_at.clone()),
            ))
            .field(field_of_parent::<ApiTokenRow>(
                "lastUsedAt",
                TypeRef::named(TypeRef::STRING),
                |t| t.last_used_at.clone().map_or(Gql::Null, Gql::from),
            ))
            .field(field_of_parent::<ApiTokenRow>(
                "revokedAt",
                TypeRef::named(TypeRef::STRING),
                |t| t.revoked_at.clone().map_or(Gql::Null, Gql::from),
            )),
    )
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

fn quality_admin(ctx: &async_graphql::dynamic::ResolverContext<'_>) -> async_graphql::Result<()> {
    let r = req(ctx)?;
    let roles = &r.access.principal.roles;
    if r.access.principal.development
        || roles
            .iter()
            .any(|x| x == "quality_admin" || x == "sysadmin")
    {
        Ok(())
    } else {
        Err(ApiError::new(Code::Forbidden, "只有质量部管理员可以管理接口令牌").into())
    }
}

/// Adds the account mutations.
pub fn add_mutations(m: Object) -> Object {
    m.field(
        Field::new("login", TypeRef::named_nn("LoginResult"), |ctx| {
            FieldFuture::new(async move {
                let staff_no = ctx.args.try_get("staffNo")?.string()?.to_owned();
                let password = ctx.args.try_get("password")?.string()?.to_owned();
                let addr = ctx.data::<ClientAddr>().ok().map(|a| a.0);
                // Per account and address: one person guessing behind the college's NAT does not
                // slow everyone else down; the account lockout stops guessing across addresses.
                if let Some(a) = addr {
                    let who = staff_no.clone();
                    let delay = on_service(&ctx, move |svc| svc.login_delay(&who, a)).await?;
                    tokio::time::sleep(delay).await;
                }
                let at = now(&ctx);
                let addr_text = addr.map(|a| a.to_string());
                let result = on_service(&ctx, move |svc| {
                    Ok(service::login(
                        &svc.store,
                        &staff_no,
                        &password,
                        addr_text.as_deref(),
                        at,
                    ))
                })
                .await?;
                let (token, must_change) = result.map_err(auth_error)?;
                // A session cookie (no Max-Age): it ends with the browser, and the server's
                // session, which slides with use, decides when it expires.
                ctx.insert_http_header(
                    "set-cookie",
                    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"),
                );
                Ok(Some(FieldValue::owned_any((token, must_change))))
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
                    let staff_no = r.access.principal.staff_no.clone();
                    let old = ctx.args.try_get("oldPassword")?.string()?.to_owned();
                    let new = ctx.args.try_get("newPassword")?.string()?.to_owned();
                    let keep = ctx.data::<SessionToken>().ok().map(|t| t.0.clone());
                    let at = now(&ctx);
                    r.svc
                        .blocking(move |svc| {
                            service::change_password(
                                &svc.store,
                                &staff_no,
                                &old,
                                &new,
                                keep.as_deref(),
                                at,
                            )
                            .map_err(auth_error)
                        })
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
    .field(Field::new(
        "logout",
        TypeRef::named_nn(TypeRef::BOOLEAN),
        |ctx| {
            FieldFuture::new(async move {
                let ended = match ctx.data::<SessionToken>().ok().cloned() {
                    Some(t) => {
                        on_service(&ctx, move |svc| Ok(service::logout(&svc.store, &t.0)?)).await?
                    }
                    None => false,
                };
                ctx.insert_http_header(
                    "set-cookie",
                    format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
                );
                Ok(Some(FieldValue::value(ended)))
            })
        },
    ))
    .field(
        Field::new("createApiToken", TypeRef::named_nn("NewApiToken"), |ctx| {
            FieldFuture::new(async move {
                quality_admin(&ctx)?;
                let r = req(&ctx)?;
                let name = ctx.args.try_get("name")?.string()?.trim().to_owned();
                if name.is_empty() {
                    return Err(ApiError::new(Code::BadRequest, "请填写令牌用途名称").into());
                }
                let (at, by) = (now(&ctx), r.access.principal.staff_no.clone());
                let created = r
                    .svc
                    .blocking(move |svc| Ok(service::create_api_token(&svc.store, &name, &by, at)?))
                    .await?;
                Ok(Some(FieldValue::owned_any(created)))
            })
        })
        .description("为 BI 客户端创建只读接口令牌（质量部）")
        .argument(InputValue::new("name", TypeRef::named_nn(TypeRef::STRING))),
    )
    .field(
        Field::new(
            "revokeApiToken",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            |ctx| {
                FieldFuture::new(async move {
                    quality_admin(&ctx)?;
                    let id: i64 = ctx
                        .args
                        .try_get("id")?
                        .string()?
                        .parse()
                        .map_err(|_| ApiError::new(Code::BadRequest, "id 无效"))?;
                    let r = req(&ctx)?;
                    let (at, by) = (now(&ctx), r.access.principal.staff_no.clone());
                    let done = r
                        .svc
                        .blocking(move |svc| {
                            Ok(service::revoke_api_token(&svc.store, id, &by, at)?)
                        })
                        .await?;
                    Ok(Some(FieldValue::value(done)))
                })
            },
        )
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
    )
}

/// Adds `apiTokens` to the query root.
pub fn add_queries(q: Object) -> Object {
    q.field(Field::new(
        "apiTokens",
        TypeRef::named_nn_list_nn("ApiToken"),
        |ctx| {
            FieldFuture::new(async move {
                quality_admin(&ctx)?;
                let rows = on_service(&ctx, |svc| {
                    Ok(svc.store.with_accounts(|a| a.list_api_tokens())?)
                })
                .await?;
                Ok(Some(FieldValue::list(
                    rows.into_iter().map(FieldValue::owned_any),
                )))
            })
        },
    ))
}
