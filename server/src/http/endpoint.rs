//! `/graphql` after its guard: the caller and the generation are fixed once, the request admitted
//! against its budget, then each of its operations run (a batch one after the other, in the
//! order sent, each answered in the batch's array) within one time budget.

use std::net::SocketAddr;

use async_graphql::{BatchResponse, Request as GqlRequest, Response as GqlResponse};
use async_graphql_axum::GraphQLResponse;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::{guard, order, principal_of, token_of, AppState};
use crate::authz::Access;
use crate::service::budget::{self, Budget};
use crate::service::roles;
use crate::service::session::{ClientAddr, SessionToken};

/// What every operation of one HTTP request carries into the schema.
struct Context {
    svc: crate::service::Service,
    definitions: Option<crate::service::definitions::Definitions>,
    address: Option<std::net::IpAddr>,
    token: Option<String>,
    access: Option<Access>,
}

impl Context {
    fn attach(&self, request: GqlRequest) -> GqlRequest {
        let mut request = request.data(self.svc.clone());
        if let Some(d) = &self.definitions {
            request = request.data(d.clone());
        }
        if let Some(ip) = self.address {
            request = request.data(ClientAddr(ip));
        }
        if let Some(t) = &self.token {
            request = request.data(SessionToken(t.clone()));
        }
        if let Some(a) = &self.access {
            request = request.data(a.clone());
        }
        request
    }
}

/// The handler of `/graphql`; the guard left the checked requests in [`guard::Prepared`].
pub async fn graphql(
    State(app): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let cost = request
        .extensions()
        .get::<guard::Cost>()
        .map_or(0, |guard::Cost(c)| *c);
    let Some((requests, batch)) = request
        .extensions()
        .get::<guard::Prepared>()
        .and_then(guard::Prepared::take)
    else {
        tracing::error!("/graphql 的请求未经检查就到了处理器");
        return super::reply::refuse(
            &crate::service::ApiError::new(
                crate::service::Code::Internal,
                crate::service::error::INTERNAL_MESSAGE,
            ),
            "",
        );
    };
    // One generation for the whole request: a reload meanwhile does not change its schema.
    let generation = app.current();
    let address = connect.map(|Extension(ConnectInfo(addr))| addr.ip());
    let token = token_of(&headers);
    let principal = principal_of(&app, token.clone()).await;
    let who = principal.as_ref().map(|p| p.staff_no.as_str());
    let mut admission = match guard::Admission::admit(
        &app.request_limits,
        &app.in_flight,
        who,
        address,
        cost,
    )
    .await
    {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    if let Some(p) = &principal {
        if cost >= app.request_limits.long_cost && roles::runs_maintenance(p) {
            admission.time = admission.time.max(app.request_limits.long_time);
        }
    }
    let svc = generation.service.clone();
    let context = Context {
        access: principal.map(|p| svc.access(p)),
        svc,
        definitions: app.definitions.clone(),
        address,
        token,
    };
    // The budget reaches every blocking call the request makes; dropping this future (time out,
    // client gone) cancels it, and the database stops the work it started.
    let budget = Budget::start(admission.time);
    let _cancel = budget.cancel_on_drop();
    let run = budget::within(budget.clone(), run_all(&generation, &context, requests));
    let Ok(mut answers) = tokio::time::timeout(admission.time, run).await else {
        return guard::timed_out(admission.time).into_response();
    };
    let response = match (batch, answers.pop()) {
        (false, Some(one)) => BatchResponse::Single(one),
        (_, last) => {
            answers.extend(last);
            BatchResponse::Batch(answers)
        }
    };
    GraphQLResponse::from(response).into_response()
}

/// Runs the operations one after the other (a batch's mutations in the order sent).
async fn run_all(
    generation: &super::live::Generation,
    context: &Context,
    requests: Vec<GqlRequest>,
) -> Vec<GqlResponse> {
    let mut answers = Vec::with_capacity(requests.len());
    for request in requests {
        let (query, operation) = (request.query.clone(), request.operation_name.clone());
        let mut response = generation.schema.execute(context.attach(request)).await;
        order::order_response(&query, operation.as_deref(), &mut response);
        coded(&mut response);
        answers.push(response);
    }
    answers
}

/// Every error a client sees carries one of the contract's codes. Parse, validation and limit
/// errors come from async-graphql without a code and without a path: the request was bad.
/// An error raised while resolving without a code was not foreseen: INTERNAL, its detail logged
/// and not shown.
fn coded(response: &mut GqlResponse) {
    for e in &mut response.errors {
        let has_code = e
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if has_code {
            continue;
        }
        let ext = e.extensions.get_or_insert_with(Default::default);
        if e.path.is_empty() {
            ext.set("code", "BAD_REQUEST");
        } else {
            tracing::error!(error = %e.message, path = ?e.path, "解析器出错且没有错误代码");
            ext.set("code", "INTERNAL");
            e.message = crate::service::error::INTERNAL_MESSAGE.to_owned();
        }
    }
}
