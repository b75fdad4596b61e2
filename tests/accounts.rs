//! Accounts through GraphQL: logins, forced password change, lockout, sessions, API tokens,
//! staff lists, and that no secret is stored or logged in clear.

use std::sync::Arc;

use serde_json::json;

use crate::site::{code, setup};
use crate::support::root;

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
    assert!(String::from_utf8_lossy(&out.stdout).contains("新建 3 个账号"));
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
