//! The rights matrix (issue 25 item 7): every cell says whether the right is held, through which
//! group, and who changed it last and when (from the audit log); two administrators changing
//! cells at once both land, both audited, both shown.

use std::sync::Arc;

use serde_json::{json, Value as Json};

use crate::site::{code, setup};

const PASSWORD: &str = "Right#2023";
const CELLS: &str = "{ rightCells { table unit action granted via change changedBy changedAt } }";
const GRANT: &str = "mutation($u: String!, $t: String!, $a: RightAction!) { grantRight(unit: $u, table: $t, action: $a) }";

fn cell<'a>(cells: &'a Json, table: &str, unit: &str, action: &str) -> Option<&'a Json> {
    cells["data"]["rightCells"]
        .as_array()?
        .iter()
        .find(|c| c["table"] == table && c["unit"] == unit && c["action"] == action)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_admins_changing_cells_at_once_both_show_who_and_when() {
    let site = Arc::new(tokio::task::spawn_blocking(setup).await.expect("setup"));
    let mut t = Vec::new();
    for (no, name, unit, role) in [
        ("a1", "周管理", "zlb", "quality_admin"),
        ("a2", "吴管理", "zlb", "quality_admin"),
        ("c1", "李采集", "jdgc", "collector"),
    ] {
        site.account(no, name, unit, role, PASSWORD, false);
        t.push(site.token(no, PASSWORD).await);
    }
    let (before, _) = site.gql(Some(&t[0]), CELLS, json!({})).await;
    let via = cell(&before, "2.15.5", "机电工程学院", "FILL").expect("held through 各院系");
    assert_eq!(
        (via["granted"].as_bool(), via["via"].as_str()),
        (Some(true), Some("各院系"))
    );
    assert!(via["changedAt"].is_null(), "never changed: {via}");
    let jobs = [
        (0, "图书馆", "1.1.2", "FILL"),
        (1, "图书馆", "1.1.7", "REVIEW"),
    ];
    let tasks: Vec<_> = jobs
        .iter()
        .map(|&(who, unit, table, action)| {
            let (site, token) = (site.clone(), t[who].clone());
            tokio::spawn(async move {
                site.gql(
                    Some(&token),
                    GRANT,
                    json!({ "u": unit, "t": table, "a": action }),
                )
                .await
                .0
            })
        })
        .collect();
    for task in tasks {
        let r = task.await.expect("task");
        assert_eq!(r["data"]["grantRight"], true, "{r}");
    }
    let (after, _) = site.gql(Some(&t[0]), CELLS, json!({})).await;
    for ((_, unit, table, action), name) in jobs.iter().zip(["周管理", "吴管理"]) {
        let c =
            cell(&after, table, unit, action).unwrap_or_else(|| panic!("{table} {action} lost"));
        assert_eq!(c["granted"], true, "{c}");
        assert_eq!(
            (c["change"].as_str(), c["changedBy"].as_str()),
            (Some("grant"), Some(name)),
            "{c}"
        );
        assert!(
            c["changedAt"].as_str().is_some_and(|a| a.starts_with("20")),
            "{c}"
        );
        let log = site.db.store.audit_log(table, None).expect("audit");
        assert_eq!(
            log.iter().filter(|e| e.operation == "grant").count(),
            1,
            "{table}"
        );
    }
    // A revoke shows on its cell too, and the history is 质量部's only.
    let revoke = "mutation { revokeRight(unit: \"图书馆\", table: \"1.1.2\", action: FILL) }";
    assert_eq!(
        site.gql(Some(&t[1]), revoke, json!({})).await.0["data"]["revokeRight"],
        true
    );
    let (after, _) = site.gql(Some(&t[0]), CELLS, json!({})).await;
    let c = cell(&after, "1.1.2", "图书馆", "FILL").expect("revoked cell kept");
    assert_eq!(
        (
            c["granted"].as_bool(),
            c["change"].as_str(),
            c["changedBy"].as_str()
        ),
        (Some(false), Some("revoke"), Some("吴管理"))
    );
    assert_eq!(
        code(&site.gql(Some(&t[2]), CELLS, json!({})).await.0),
        "FORBIDDEN"
    );
}
