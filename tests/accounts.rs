//! Accounts and rights through GraphQL: logins, forced password change, lockout, sessions,
//! API tokens, and who may fill and see which rows.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, Utc};
use serde_json::{json, Value as Json};
use statusdata::auth::password::hash_password;
use statusdata::defs::{self, naming};
use statusdata::graphql::{build_schema, ApiConfig};
use statusdata::http::{router, AppState};
use statusdata::store::NewUser;
use tower::ServiceExt;

use crate::db::TestDb;
use crate::support::{notice, project_paths, root};

/// The real catalog, a fresh database and a clock the test moves.
struct Site {
    db: TestDb,
    app: axum::Router,
    minutes: Arc<AtomicI64>,
    policy_dir: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let db = TestDb::new(&root());
        let paths = project_paths();
        let (policy, policy_dir) = crate::support::policy_cell();
        let units = Arc::new(defs::load_units(&paths.units).expect("units"));
        let schema = build_schema(
            db.store.catalog(),
            Some((db.store.clone(), ApiConfig::default())),
        )
        .expect("schema");
        let minutes = Arc::new(AtomicI64::new(0));
        let mut state = AppState::new(schema, db.store.clone(), policy, units);
        let start = Utc::now();
        let offset = minutes.clone();
        state.clock = Arc::new(move || start + Duration::minutes(offset.load(Ordering::SeqCst)));
        Site {
            db,
            app: router(state),
            minutes,
            policy_dir,
        }
    }

    fn advance(&self, minutes: i64) {
        self.minutes.fetch_add(minutes, Ordering::SeqCst);
    }

    /// An account with a password that need not change (unless `initial`).
    fn account(
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

    async fn gql(
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

    async fn login(&self, staff_no: &str, password: &str) -> Json {
        self.gql(None, "mutation($s: String!, $p: String!) { login(staffNo: $s, password: $p) { token mustChangePassword } }", json!({ "s": staff_no, "p": password })).await.0
    }

    async fn token(&self, staff_no: &str, password: &str) -> String {
        let r = self.login(staff_no, password).await;
        r["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {r}"))
            .to_owned()
    }
}

fn code(r: &Json) -> &str {
    r["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

fn setup() -> Site {
    Site::new()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_collector_fills_exactly_the_tables_the_notice_assigns_to_the_unit() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let units = defs::load_units(&project_paths().units).expect("units");
    let tables = notice();
    let mut mismatches = Vec::new();
    for (i, unit) in units.units.iter().enumerate() {
        let staff_no = format!("9{i:03}");
        site.account(
            &staff_no,
            "测试员",
            &unit.code,
            "collector",
            "Tester#2023",
            false,
        );
        let token = site.token(&staff_no, "Tester#2023").await;
        for t in &tables {
            let fills = t.fill_units.iter().any(|u| {
                units.by_name(u).is_some_and(|x| x.code == unit.code)
                    || units
                        .group_by_name(u)
                        .is_some_and(|g| g.members.contains(&unit.code))
            });
            let slug = &site
                .db
                .store
                .catalog()
                .table_by_code(&t.code)
                .expect("table")
                .slug;
            let q = format!(
                "mutation {{ {}(input: {{}}) {{ id }} }}",
                naming::create_mutation(slug)
            );
            let (r, _) = site.gql(Some(&token), &q, json!({})).await;
            let got = code(&r);
            let want = if fills {
                "VALIDATION_FAILED"
            } else {
                "FORBIDDEN"
            };
            if got != want {
                mismatches.push(format!(
                    "{} {} {}: {got} (want {want})",
                    unit.name, t.code, t.name
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn colleges_keep_to_their_own_rows_and_the_reviewer_sees_all() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account(
        "8001",
        "机电采集员",
        "jdgc",
        "collector",
        "Tester#2023",
        false,
    );
    site.account(
        "8002",
        "信息采集员",
        "xxgc",
        "collector",
        "Tester#2023",
        false,
    );
    site.account("8003", "教务审核", "jwb", "head", "Tester#2023", false);
    let (jd, xx, jw) = (
        site.token("8001", "Tester#2023").await,
        site.token("8002", "Tester#2023").await,
        site.token("8003", "Tester#2023").await,
    );
    let row = |teacher: &str| json!({ "term": "2022-2023-1", "courseCode": "C01", "courseName": "机械制图", "teacherKind": "1", "teacherNo": teacher, "teacherName": "张三", "className": "机电2201班", "majorCode": "460101", "students": 40, "hours": 48, "practiceHours": 24, "mode": "01" });
    let create = "mutation($i: CreateTeachingAssignmentInput!) { createTeachingAssignment(input: $i) { id unit } }";
    let (a, _) = site.gql(Some(&jd), create, json!({ "i": row("T1") })).await;
    let jd_id = a["data"]["createTeachingAssignment"]["id"].clone();
    assert_eq!(a["data"]["createTeachingAssignment"]["unit"], "jdgc", "{a}");
    let (b, _) = site.gql(Some(&xx), create, json!({ "i": row("T2") })).await;
    assert_eq!(b["data"]["createTeachingAssignment"]["unit"], "xxgc", "{b}");
    let count = "{ teachingAssignments { totalCount nodes { unit } } }";
    assert_eq!(
        site.gql(Some(&jd), count, json!({})).await.0["data"]["teachingAssignments"]["totalCount"],
        1
    );
    assert_eq!(
        site.gql(Some(&xx), count, json!({})).await.0["data"]["teachingAssignments"]["totalCount"],
        1
    );
    assert_eq!(
        site.gql(Some(&jw), count, json!({})).await.0["data"]["teachingAssignments"]["totalCount"],
        2,
        "教务部 reviews 2.1.1"
    );
    let update = "mutation($id: ID!) { updateTeachingAssignment(id: $id, rowVersion: 1, patch: { hours: 50 }) { id } }";
    let (r, _) = site.gql(Some(&xx), update, json!({ "id": jd_id })).await;
    assert_eq!(
        code(&r),
        "NOT_FOUND",
        "信息工程学院 cannot change 机电's row: {r}"
    );
    let (r, _) = site
        .gql(
            Some(&xx),
            "mutation($id: ID!) { deleteTeachingAssignment(id: $id) }",
            json!({ "id": jd_id }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
    let (r, _) = site.gql(Some(&xx), "mutation($i: CreateTeachingAssignmentInput!) { createTeachingAssignment(input: $i, unit: \"jdgc\") { id } }", json!({ "i": row("T3") })).await;
    assert_eq!(code(&r), "FORBIDDEN", "no filling for another unit: {r}");
    let (r, _) = site.gql(Some(&jw), create, json!({ "i": row("T4") })).await;
    assert_eq!(code(&r), "FORBIDDEN", "the reviewer does not fill: {r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn first_login_forces_a_password_change() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account("1111", "张三", "zlb", "collector", "Zhang@1111", true);
    let r = site.login("1111", "Zhang@1111").await;
    assert_eq!(r["data"]["login"]["mustChangePassword"], true, "{r}");
    let token = r["data"]["login"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (r, _) = site
        .gql(Some(&token), "{ catalog { tables { code } } }", json!({}))
        .await;
    assert_eq!(code(&r), "PASSWORD_CHANGE_REQUIRED", "{r}");
    let (r, _) = site
        .gql(
            Some(&token),
            "{ me { staffNo mustChangePassword } }",
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["me"]["mustChangePassword"], true);
    let change =
        "mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }";
    for (bad, why) in [
        ("Zhang@1111", "the initial one"),
        ("abcdefgh1", "two classes"),
        ("Abc1111!x", "contains the staff number"),
    ] {
        let (r, _) = site
            .gql(Some(&token), change, json!({ "o": "Zhang@1111", "n": bad }))
            .await;
        assert_eq!(code(&r), "BAD_REQUEST", "{why}: {r}");
    }
    let (r, _) = site
        .gql(
            Some(&token),
            change,
            json!({ "o": "Zhang@1111", "n": "Quality#2023" }),
        )
        .await;
    assert_eq!(r["data"]["changePassword"], true, "{r}");
    let (r, _) = site
        .gql(Some(&token), "{ catalog { tables { code } } }", json!({}))
        .await;
    assert_eq!(
        r["data"]["catalog"]["tables"].as_array().map(Vec::len),
        Some(90),
        "{r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn five_wrong_passwords_lock_the_account_for_fifteen_minutes() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account("2222", "李四", "jwb", "collector", "Right#2023", false);
    let unknown = site.login("no-such", "whatever").await;
    for _ in 0..5 {
        let r = site.login("2222", "wrong").await;
        assert_eq!(
            r["errors"][0]["message"], unknown["errors"][0]["message"],
            "never tells whether the staff number exists"
        );
    }
    let r = site.login("2222", "Right#2023").await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "locked: {r}");
    site.advance(14);
    assert_eq!(
        code(&site.login("2222", "Right#2023").await),
        "UNAUTHENTICATED",
        "still locked"
    );
    site.advance(2);
    let r = site.login("2222", "Right#2023").await;
    assert!(
        r["data"]["login"]["token"].is_string(),
        "unlocked after 15 minutes: {r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_slide_expire_and_end_at_logout() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account("3333", "王五", "jwb", "head", "Right#2023", false);
    let (r, cookie) = site
        .gql(
            None,
            "mutation { login(staffNo: \"3333\", password: \"Right#2023\") { token } }",
            json!({}),
        )
        .await;
    let token = r["data"]["login"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let cookie = cookie.expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let me = "{ me { staffNo } }";
    site.advance(7 * 60);
    assert_eq!(
        site.gql(Some(&token), me, json!({})).await.0["data"]["me"]["staffNo"],
        "3333",
        "used within 8 hours"
    );
    site.advance(7 * 60);
    assert_eq!(
        site.gql(Some(&token), me, json!({})).await.0["data"]["me"]["staffNo"],
        "3333",
        "the expiry slid"
    );
    site.advance(9 * 60);
    assert_eq!(
        code(&site.gql(Some(&token), me, json!({})).await.0),
        "UNAUTHENTICATED",
        "expired after 8 idle hours"
    );
    let token = site.token("3333", "Right#2023").await;
    let (r, _) = site
        .gql(Some(&token), "mutation { logout }", json!({}))
        .await;
    assert_eq!(r["data"]["logout"], true);
    assert_eq!(
        code(&site.gql(Some(&token), me, json!({})).await.0),
        "UNAUTHENTICATED",
        "logged out"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bi_tokens_read_everything_and_write_nothing() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account(
        "4444",
        "质量部管理员",
        "zlb",
        "quality_admin",
        "Right#2023",
        false,
    );
    site.account("4445", "采集员", "cjrh", "collector", "Right#2023", false);
    let admin = site.token("4444", "Right#2023").await;
    let collector = site.token("4445", "Right#2023").await;
    let (r, _) = site
        .gql(
            Some(&collector),
            "mutation { createApiToken(name: \"BI\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    let (r, _) = site
        .gql(
            Some(&admin),
            "mutation { createApiToken(name: \"学校驾驶舱\") { id token } }",
            json!({}),
        )
        .await;
    let (id, bi) = (
        r["data"]["createApiToken"]["id"].clone(),
        r["data"]["createApiToken"]["token"]
            .as_str()
            .expect("token")
            .to_owned(),
    );
    let (r, _) = site
        .gql(
            Some(&bi),
            "{ students { totalCount } teachingAssignments { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["students"]["totalCount"], 0, "reads: {r}");
    let (r, _) = site
        .gql(
            Some(&bi),
            "mutation { createEnterprise(input: {}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN", "read-only: {r}");
    let (r, _) = site
        .gql(
            Some(&admin),
            "{ apiTokens { name lastUsedAt revokedAt } }",
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["apiTokens"][0]["name"], "学校驾驶舱", "{r}");
    site.gql(
        Some(&admin),
        "mutation($id: ID!) { revokeApiToken(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        code(&site.gql(Some(&bi), "{ me { staffNo } }", json!({})).await.0),
        "UNAUTHENTICATED",
        "revoked"
    );
}

#[derive(diesel::QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
}

/// A writer the test reads back: what the service logged.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_password_or_token_is_stored_or_logged_in_clear() -> anyhow::Result<()> {
    use diesel::RunQueryDsl;
    let site = setup();
    site.account("5555", "赵六", "zlb", "quality_admin", "Secret#2023", false);
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (token, api) = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            site.login("5555", "Wrong#2023").await;
            let token = site.token("5555", "Secret#2023").await;
            let (r, _) = site
                .gql(
                    Some(&token),
                    "mutation { createApiToken(name: \"x\") { token } }",
                    json!({}),
                )
                .await;
            site.gql(Some(&token), "{ me { staffNo } }", json!({}))
                .await;
            (
                token,
                r["data"]["createApiToken"]["token"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
    });
    let mut conn = site.db.store.conn()?;
    let mut stored = String::new();
    for sql in [
        "SELECT staff_no || password_hash AS t FROM users",
        "SELECT token_hash AS t FROM sessions",
        "SELECT token_hash || name AS t FROM api_tokens",
        "SELECT COALESCE(before_json, '') || COALESCE(after_json, '') AS t FROM audit_log",
    ] {
        for row in diesel::sql_query(sql).load::<Text>(&mut *conn)? {
            stored.push_str(&row.t);
        }
    }
    let logged = String::from_utf8(logs.0.lock().map(|b| b.clone()).unwrap_or_default())?;
    assert!(
        logged.contains("/graphql"),
        "the requests were logged: {logged}"
    );
    assert!(stored.contains("5555") && stored.contains("$argon2id$"));
    for secret in ["Secret#2023", "Wrong#2023", token.as_str(), api.as_str()] {
        assert!(
            !secret.is_empty() && !stored.contains(secret),
            "{secret} is stored in clear"
        );
        assert!(!logged.contains(secret), "{secret} is logged");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_staff_list_becomes_accounts_with_the_notices_initial_passwords() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "工号,姓名,部门,角色\n6001,欧阳娜娜,后勤处,采集员\n6002,曾志,教务部,校长\n",
    )
    .expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .args(["users", "--db", &site.db.url, "import"])
        .arg(&bad)
        .current_dir(root())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("第 2 行：部门“后勤处”") && stderr.contains("第 3 行：角色“校长”无效"),
        "{stderr}"
    );
    let good = dir.path().join("staff.csv");
    std::fs::write(&good, "工号,姓名,部门,角色,姓氏拼音\n6001,欧阳娜娜,人事处,采集员,\n6002,曾志,教务部,部门负责人,\n6003,单田芳,机电工程学院,采集员,Shan\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .args(["users", "--db", &site.db.url, "import"])
        .arg(&good)
        .current_dir(root())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created 3 account(s)"));
    for (no, password) in [
        ("6001", "Ouyang@6001"),
        ("6002", "Zeng@6002"),
        ("6003", "Shan@6003"),
    ] {
        let r = site.login(no, password).await;
        assert_eq!(r["data"]["login"]["mustChangePassword"], true, "{no}: {r}");
    }
    let (r, _) = site
        .gql(
            Some(&site.token("6001", "Ouyang@6001").await),
            "{ me { unit roles } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r["data"]["me"],
        json!({ "unit": "zwb_rs", "roles": ["collector"] }),
        "人事处 is 政务部（人事）"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn quality_office_grants_and_revokes_rights_without_a_restart() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account(
        "7001",
        "质量部",
        "zlb",
        "quality_admin",
        "Right#2023",
        false,
    );
    site.account("7002", "图书馆", "tsg", "collector", "Right#2023", false);
    let (admin, library) = (
        site.token("7001", "Right#2023").await,
        site.token("7002", "Right#2023").await,
    );
    let create = "mutation { createContact(input: {}) { id } }";
    assert_eq!(
        code(&site.gql(Some(&library), create, json!({})).await.0),
        "FORBIDDEN"
    );
    let grant =
        "mutation($u: String!, $t: String!) { grantRight(unit: $u, table: $t, action: FILL) }";
    let (r, _) = site
        .gql(
            Some(&library),
            grant,
            json!({ "u": "图书馆", "t": "1.1.2" }),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN", "only 质量部: {r}");
    let (r, _) = site
        .gql(Some(&admin), grant, json!({ "u": "tsg", "t": "1.1.2" }))
        .await;
    assert_eq!(r["data"]["grantRight"], true, "{r}");
    assert_eq!(
        code(&site.gql(Some(&library), create, json!({})).await.0),
        "VALIDATION_FAILED",
        "the grant is in force at once"
    );
    let file =
        std::fs::read_to_string(site.policy_dir.path().join("policy.csv")).expect("policy.csv");
    assert!(
        file.contains("p, 图书馆, 1.1.2, fill") && file.starts_with("# 填报与审核分工"),
        "written, comments kept"
    );
    let revoke = "mutation($u: String!, $t: String!, $a: RightAction!) { revokeRight(unit: $u, table: $t, action: $a) }";
    let (r, _) = site
        .gql(
            Some(&admin),
            revoke,
            json!({ "u": "图书馆", "t": "1.1.2", "a": "FILL" }),
        )
        .await;
    assert_eq!(r["data"]["revokeRight"], true, "{r}");
    assert_eq!(
        code(&site.gql(Some(&library), create, json!({})).await.0),
        "FORBIDDEN",
        "revoked"
    );
    let (r, _) = site
        .gql(
            Some(&admin),
            revoke,
            json!({ "u": "图书馆", "t": "1.1.6", "a": "REVIEW" }),
        )
        .await;
    assert_eq!(
        code(&r),
        "BAD_REQUEST",
        "the last reviewer of a table cannot go: {r}"
    );
    let after =
        std::fs::read_to_string(site.policy_dir.path().join("policy.csv")).expect("policy.csv");
    assert!(after.contains("p, 图书馆, 1.1.6, review"));
    let log = site.db.store.audit_log("1.1.2", None).expect("audit");
    let ops: Vec<&str> = log.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(ops, ["grant", "revoke"]);
}
