//! The parts every hand-written builder chain uses: type shorthands, argument readers, fields
//! over a parent's nested values, and fields answered by one service call. Each object type's
//! module keeps only its own names, descriptions and getters.

use async_graphql::dynamic::{Field, FieldFuture, FieldValue, Object, ResolverContext, TypeRef};
use async_graphql::Value as Gql;

use super::errors::{ApiError, ApiResult, Code};
use super::resolve::{field_of_parent, req, Getter};
use crate::authz::Access;
use crate::service::Service;

/// `String!`.
pub fn text() -> TypeRef {
    TypeRef::named_nn(TypeRef::STRING)
}

/// `String`.
pub fn opt_text() -> TypeRef {
    TypeRef::named(TypeRef::STRING)
}

/// `Int!`.
pub fn int() -> TypeRef {
    TypeRef::named_nn(TypeRef::INT)
}

/// An optional text as GraphQL shows it (null when absent).
pub fn opt_gql(v: &Option<String>) -> Gql {
    v.clone().map_or(Gql::Null, Gql::from)
}

/// A list of texts as GraphQL shows it.
pub fn strings(v: &[String]) -> Gql {
    Gql::List(v.iter().cloned().map(Gql::from).collect())
}

/// An optional string argument, owned (absent and null alike are `None`).
pub fn string_arg(ctx: &ResolverContext<'_>, name: &str) -> Option<String> {
    ctx.args
        .get(name)
        .filter(|v| !v.is_null())
        .and_then(|v| v.string().ok())
        .map(str::to_owned)
}

/// A review's `comment` when its `decision` is `RETURN` (empty when not given); `None` approves.
pub fn return_comment(ctx: &ResolverContext<'_>) -> Option<String> {
    let decision = ctx.args.get("decision");
    let returned = decision.is_some_and(|v| v.enum_name().ok() == Some("RETURN"));
    returned.then(|| string_arg(ctx, "comment").unwrap_or_default())
}

/// Adds to `object` fields that read its parent `T` (name, type, getter, in order).
pub fn with_fields<T: Send + Sync + 'static>(
    mut object: Object,
    fields: Vec<(&str, TypeRef, Getter<T>)>,
) -> Object {
    for (field, ty, get) in fields {
        object = object.field(field_of_parent::<T>(field, ty, get));
    }
    object
}

/// A non-null list field over a parent `P`, whose items are `T`s borrowed from it.
pub fn list_of_parent<P: Send + Sync + 'static, T: Send + Sync + 'static>(
    name: &str,
    ty: &str,
    get: fn(&P) -> &Vec<T>,
) -> Field {
    Field::new(name, TypeRef::named_nn_list_nn(ty), move |ctx| {
        FieldFuture::new(async move {
            let p = ctx.parent_value.try_downcast_ref::<P>()?;
            Ok(Some(FieldValue::list(
                get(p).iter().map(|x| FieldValue::borrowed_any(x)),
            )))
        })
    })
}

/// A non-null object field over a parent `P`, whose value is a `T` borrowed from it.
pub fn one_of_parent<P: Send + Sync + 'static, T: Send + Sync + 'static>(
    name: &str,
    ty: &str,
    get: fn(&P) -> &T,
) -> Field {
    Field::new(name, TypeRef::named_nn(ty), move |ctx| {
        FieldFuture::new(async move {
            let p = ctx.parent_value.try_downcast_ref::<P>()?;
            Ok(Some(FieldValue::borrowed_any(get(p))))
        })
    })
}

/// Reads a field's arguments (a function, or a closure that holds only functions).
pub trait Args<A>: Fn(&ResolverContext<'_>) -> ApiResult<A> + Copy + Send + Sync + 'static {}
impl<A, F: Fn(&ResolverContext<'_>) -> ApiResult<A> + Copy + Send + Sync + 'static> Args<A> for F {}

/// One use case of the service, for the request's caller.
pub type Call<A, T> = fn(&Service, &Access, A) -> ApiResult<T>;

/// A field answered by one service call, run as blocking work: the caller is checked first (and
/// refused while their password must change), then `args` reads the arguments.
pub fn service_field<A: Send + 'static, T: Send + Sync + 'static>(
    name: &str,
    ty: TypeRef,
    args: impl Args<A>,
    call: Call<A, T>,
) -> Field {
    answered(name, ty, args, call, FieldValue::owned_any)
}

/// Like [`service_field`], for a call that answers a list.
pub fn service_list<A: Send + 'static, T: Send + Sync + 'static>(
    name: &str,
    ty: TypeRef,
    args: impl Args<A>,
    call: Call<A, Vec<T>>,
) -> Field {
    answered(name, ty, args, call, |list| {
        FieldValue::list(list.into_iter().map(FieldValue::owned_any))
    })
}

/// Like [`service_field`], for a call that answers a scalar.
pub fn service_value<A: Send + 'static, T: Into<Gql> + Send + 'static>(
    name: &str,
    ty: TypeRef,
    args: impl Args<A>,
    call: Call<A, T>,
) -> Field {
    answered(name, ty, args, call, |v| FieldValue::value(v))
}

fn answered<A: Send + 'static, T: Send + 'static>(
    name: &str,
    ty: TypeRef,
    args: impl Args<A>,
    call: Call<A, T>,
    shape: fn(T) -> FieldValue<'static>,
) -> Field {
    Field::new(name, ty, move |ctx| {
        FieldFuture::new(async move {
            let r = req(&ctx)?;
            let a = args(&ctx)?;
            let who = r.access.clone();
            let out = r.svc.blocking(move |svc| call(svc, &who, a)).await?;
            Ok(Some(shape(out)))
        })
    })
}

/// The `id` argument as a number; `what` names the thing in the refusal.
pub fn id_arg(ctx: &ResolverContext<'_>, name: &str, what: &str) -> ApiResult<i64> {
    ctx.args
        .get(name)
        .and_then(|v| v.string().ok().and_then(|s| s.trim().parse().ok()))
        .ok_or_else(|| ApiError::new(Code::BadRequest, format!("{name} 应为{what}")))
}
