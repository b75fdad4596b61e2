//! Guards under parallel requests: a burst of wrong passwords weighs at most five of them and
//! locks the account, and parallel bulk upserts of one new key end in one row.

use std::sync::Arc;

use diesel::RunQueryDsl;
use serde_json::{json, Value as Json};

use crate::site::{code, setup, Site};

#[derive(diesel::QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
}

/// The first column of each row of `sql`, as text.
pub fn texts(site: &Site, sql: &str) -> Vec<String> {
    let mut conn = site.db.store.conn().expect("conn");
    diesel::sql_query(sql)
        .load::<Text>(&mut *conn)
        .expect("query")
        .into_iter()
        .map(|r| r.t)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn a_burst_of_wrong_guesses_weighs_at_most_five_and_locks_out_the_right_password() {
    let site = Arc::new(tokio::task::spawn_blocking(setup).await.expect("setup"));
    site.account("4444", "赵六", "jwb", "collector", "Right#2023", false);
    let burst: Vec<_> = (0..23)
        .map(|i| {
            let site = site.clone();
            tokio::spawn(async move { site.login("4444", &format!("Wrong#{i}")).await })
        })
        .collect();
    for task in burst {
        let r = task.await.expect("task");
        assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    }
    // Every weighed wrong password leaves one audit row; refused attempts weigh nothing.
    let weighed = texts(
        &site,
        "SELECT actor AS t FROM audit_log WHERE operation = 'login_failure' AND actor = '4444'",
    );
    assert_eq!(weighed.len(), 5, "hashes weighed: {weighed:?}");
    let locked = texts(
        &site,
        "SELECT COALESCE(locked_until, '') AS t FROM users WHERE staff_no = '4444'",
    );
    assert!(locked.iter().all(|t| !t.is_empty()), "locked: {locked:?}");
    let r = site.login("4444", "Right#2023").await;
    assert_eq!(
        code(&r),
        "UNAUTHENTICATED",
        "the right password while locked: {r}"
    );
    site.advance(16);
    let r = site.login("4444", "Right#2023").await;
    assert!(
        r["data"]["login"]["token"].is_string(),
        "after the lock: {r}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn parallel_wrong_old_passwords_are_bounded_like_logins() {
    let site = Arc::new(tokio::task::spawn_blocking(setup).await.expect("setup"));
    site.account("4445", "钱七", "jwb", "collector", "Right#2023", false);
    let token = site.token("4445", "Right#2023").await;
    let change =
        "mutation($o: String!) { changePassword(oldPassword: $o, newPassword: \"Better#2024x\") }";
    let burst: Vec<_> = (0..12)
        .map(|i| {
            let (site, token) = (site.clone(), token.clone());
            tokio::spawn(async move {
                let vars = json!({ "o": format!("Wrong#{i}") });
                site.gql(Some(&token), change, vars).await.0
            })
        })
        .collect();
    for task in burst {
        let r: Json = task.await.expect("task");
        assert!(r["errors"][0]["message"].is_string(), "{r}");
    }
    let (r, _) = site
        .gql(Some(&token), change, json!({ "o": "Right#2023" }))
        .await;
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("锁定")),
        "the right old password while locked: {r}"
    );
    let r = site.login("4445", "Right#2023").await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "login while locked: {r}");
}

const UPSERT: &str = "mutation($rows: [CreateExternalPostInput!]!) { bulkUpsertExternalPost(rows: $rows) { inserted updated } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn parallel_bulk_upserts_of_one_new_key_end_in_one_row() {
    let site = Arc::new(tokio::task::spawn_blocking(setup).await.expect("setup"));
    site.account("c9", "测试", "jdgc", "collector", "Right#2023", false);
    let token = site.token("c9", "Right#2023").await;
    for round in 0..6 {
        let org = format!("学会{round}");
        let tasks: Vec<_> = ["委员", "委员", "委员", "委员"]
            .into_iter()
            .map(|post| {
                let (site, token) = (site.clone(), token.clone());
                let row = json!({ "teacherNo": "T00001", "org": org, "post": post, "kind": "01", "level": "02", "startYm": "2022-10" });
                tokio::spawn(async move {
                    site.gql(Some(&token), UPSERT, json!({ "rows": [row] })).await.0
                })
            })
            .collect();
        let mut inserted = 0;
        for task in tasks {
            let r = task.await.expect("task");
            let done = &r["data"]["bulkUpsertExternalPost"];
            assert!(
                done.is_object() || code(&r) == "CONFLICT",
                "round {round}: {r}"
            );
            inserted += done["inserted"].as_i64().unwrap_or(0);
        }
        assert_eq!(inserted, 1, "round {round}");
        let rows = texts(
            &site,
            &format!("SELECT CAST(id AS TEXT) AS t FROM d_external_posts WHERE org = '{org}'"),
        );
        assert_eq!(rows.len(), 1, "round {round}: {rows:?}");
    }
}
