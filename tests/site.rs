//! A site for account and rights tests: the real catalog, a fresh database, a clock the test
//! moves, and helpers to create accounts, log in and send GraphQL.

//! API tokens, and who may fill and see which rows.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, Utc};
use serde_json::{json, Value as Json};
use statusdata::auth::password::hash_password;
use statusdata::defs::{self};
use statusdata::graphql::{build_schema, ApiConfig};
use statusdata::http::guard::{Budget, RequestLimits};
use statusdata::http::{router, AppState};
use statusdata::store::NewUser;
use tower::ServiceExt;

use crate::db::TestDb;
use crate::support::{project_paths, root};

/// The real catalog, a fresh database and a clock the test moves.
pub struct Site {
    pub db: TestDb,
    pub app: axum::Router,
    minutes: Arc<AtomicI64>,
    #[expect(
        dead_code,
        reason = "holds model.conf, which every policy change reads, while the site lives"
    )]
    pub policy_dir: tempfile::TempDir,
}

impl Site {
    pub fn new() -> Site {
        Site::with_state(|_| {})
    }

    /// A site whose router state the test adjusts first (limits, https).
    pub fn with_state(configure: impl FnOnce(&mut AppState)) -> Site {
        let db = TestDb::new(&root());
        db.install_demo_cycle();
        Site::over(db, configure)
    }

    /// The service over a database the test prepared (a copy, a restore).
    pub fn over(db: TestDb, configure: impl FnOnce(&mut AppState)) -> Site {
        let paths = project_paths();
        let (policy, policy_dir) = crate::support::policy_cell();
        let units = Arc::new(defs::load_units(&paths.units).expect("units"));
        let schema = build_schema(db.store.catalog(), Some(ApiConfig::default())).expect("schema");
        let minutes = Arc::new(AtomicI64::new(0));
        let mut state = AppState::new(
            schema,
            statusdata::service::Service::new(db.store.clone(), policy, units),
        );
        let start = Utc::now();
        let offset = minutes.clone();
        state.set_clock(Arc::new(move || {
            start + Duration::minutes(offset.load(Ordering::SeqCst))
        }));
        // Tests may run beside another pass on a loaded 2-core machine, where a request can take
        // longer than the 10 s a production request may run; the budget tests set their own.
        let limits = RequestLimits::default();
        state.request_limits = Arc::new(RequestLimits {
            signed_in: Budget {
                time: std::time::Duration::from_secs(90),
                ..limits.signed_in
            },
            anonymous: Budget {
                time: std::time::Duration::from_secs(90),
                ..limits.anonymous
            },
            ..limits
        });
        configure(&mut state);
        Site {
            db,
            app: router(state),
            minutes,
            policy_dir,
        }
    }

    pub fn advance(&self, minutes: i64) {
        self.minutes.fetch_add(minutes, Ordering::SeqCst);
    }

    /// An account with a password that need not change (unless `initial`).
    pub fn account(
        &self,
        staff_no: &str,
        name: &str,
        unit: &str,
        role: &str,
        password: &str,
        initial: bool,
    ) {
        let user = NewUser {
            staff_no: staff_no.into(),
            name: name.into(),
            unit: unit.into(),
            role: role.into(),
            password_hash: hash_password(password).expect("hash"),
            must_change_password: initial,
        };
        assert!(self.db.store.create_user(&user).expect("create user"));
    }

    pub async fn gql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Json,
    ) -> (Json, Option<String>) {
        let mut request = Request::post("/graphql").header("content-type", "application/json");
        if let Some(t) = token {
            request = request.header("authorization", format!("Bearer {t}"));
        }
        let request = request
            .body(Body::from(
                json!({ "query": query, "variables": variables }).to_string(),
            ))
            .expect("request");
        let response = self.app.clone().oneshot(request).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
            .await
            .expect("body");
        (serde_json::from_slice(&bytes).unwrap_or(Json::Null), cookie)
    }

    pub async fn login(&self, staff_no: &str, password: &str) -> Json {
        self.gql(None, "mutation($s: String!, $p: String!) { login(staffNo: $s, password: $p) { token mustChangePassword } }", json!({ "s": staff_no, "p": password })).await.0
    }

    pub async fn token(&self, staff_no: &str, password: &str) -> String {
        let r = self.login(staff_no, password).await;
        r["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {r}"))
            .to_owned()
    }
}

pub fn code(r: &Json) -> &str {
    r["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

pub fn setup() -> Site {
    Site::new()
}

/// A site whose definitions live in (and reload from) `scratch`'s copy of table-defs: what the
/// designer and reload tests edit instead of the repository's folder.
pub async fn on_scratch(scratch: &crate::support::Scratch) -> Site {
    let dir = scratch.path("table-defs");
    tokio::task::spawn_blocking(move || {
        Site::with_state(|state| *state = state.clone().with_definitions(dir))
    })
    .await
    .expect("setup")
}

impl Site {
    /// Rows in the tables that `row`'s references point at (a row of GraphQL field names), so
    /// that it passes the reference rules at submission.
    /// Writes one row of `table` (text fields only) straight into the store, as unit `zlb`: the
    /// rows a test's own row is checked against.
    pub fn insert_row(&self, table: &str, fields: &[(&str, &str)]) {
        let catalog = self.db.store.catalog().clone();
        let table = catalog.table_by_code(table).expect("table").clone();
        let record = fields
            .iter()
            .map(|(k, v)| {
                (
                    (*k).to_owned(),
                    statusdata::store::Value::Text((*v).to_owned()),
                )
            })
            .collect();
        let ctx = statusdata::store::WriteCtx {
            cycle: 2023,
            unit: "zlb".into(),
            actor: "test".into(),
        };
        self.db
            .store
            .unguarded()
            .insert(&table, &statusdata::store::RowScope::All, &ctx, &record)
            .expect("insert");
    }

    pub fn satisfy_refs(&self, table: &str, row: &Json) {
        let catalog = self.db.store.catalog().clone();
        let table = catalog.table_by_code(table).expect("table").clone();
        for field in &table.fields {
            let Some(value) = row[statusdata::defs::naming::graphql_field(&field.name)].as_str()
            else {
                continue;
            };
            let Some(target) = field.ty.ref_targets().first() else {
                continue;
            };
            let target_table = catalog
                .table_by_slug(&target.table)
                .expect("target")
                .clone();
            let record = [(
                target.field.clone(),
                statusdata::store::Value::Text(value.to_owned()),
            )]
            .into_iter()
            .collect();
            let ctx = statusdata::store::WriteCtx {
                cycle: 2023,
                unit: "zlb".into(),
                actor: "test".into(),
            };
            // A target written by an earlier call is fine: the key is there either way.
            let _ = self.db.store.unguarded().insert(
                &target_table,
                &statusdata::store::RowScope::All,
                &ctx,
                &record,
            );
        }
    }
}

/// The policy in force as the database holds it (policy.csv's text).
pub fn stored_policy(site: &Site) -> String {
    site.db
        .store
        .with_workflow(statusdata::store::live::latest_policy)
        .expect("read the policy")
        .expect("a policy is stored")
        .1
}
