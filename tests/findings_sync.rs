//! Findings as the runs and saves leave them: a rule deleted from the definitions has its
//! findings resolved by the next whole-cycle run; concurrent runs never write one finding twice
//! (a unique key and upserts); a save that fixes a row resolves the row's finding at once.

use std::collections::BTreeSet;

use serde_json::json;
use statusdata::store::findings::{
    list_findings, sync_findings, Finding, FindingFilter, Violation,
};
use statusdata::store::{ListQuery, RowScope, Store};
use statusdata::validate::rules::{findings_for, run_checks, RunScope};

use crate::db::{ctx, record, text};
use crate::site::{setup, Site};

const PASSWORD: &str = "Tester#2023";

fn all_findings(store: &Store) -> Vec<Finding> {
    let mut conn = store.conn().expect("conn");
    list_findings(
        &mut conn,
        &FindingFilter {
            cycle: 2023,
            ..FindingFilter::default()
        },
    )
    .expect("findings")
}

fn whole_cycle(store: &Store) {
    let mut conn = store.conn().expect("conn");
    let scope = RunScope {
        cycle: 2023,
        actor: "test",
        ..RunScope::default()
    };
    run_checks(&mut conn, store.catalog(), &scope, &mut |_| {}).expect("run");
}

fn stale(rule: &str) -> Violation {
    Violation {
        rule: rule.into(),
        severity: "error".into(),
        table_code: "2.3.1".into(),
        unit: "jdgc".into(),
        row_id: None,
        row_ref: String::new(),
        field: None,
        message: "旧规则".into(),
    }
}

fn state_of(store: &Store, rule: &str) -> Option<String> {
    all_findings(store)
        .into_iter()
        .find(|f| f.found.rule == rule)
        .map(|f| f.state)
}

/// A valid ISBN-13 (its check digit computed) for a number.
fn isbn(i: usize) -> String {
    let body = format!("978704050{i:03}");
    let sum: u32 = body
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(k, d)| if k % 2 == 0 { d } else { 3 * d })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// A 2.3.1 textbook (GraphQL fields) citing the teacher `no`.
fn textbook(i: usize, no: &str) -> serde_json::Value {
    json!({ "isbn": isbn(i), "title": "数控加工编程", "chiefEditorNo": no, "chiefEditorName": "测试",
        "publisher": "高等教育出版社", "pubYm": "2023-05", "edition": 1, "form": "01",
        "planned": "03" })
}

/// Textbooks of jdgc citing teachers that are not in 1.4.1 (a reference finding each).
fn textbooks_citing_unknown_teachers(site: &Site, n: usize) {
    let table = site.db.table("2.3.1");
    for i in 0..n {
        let r = record(&[
            ("isbn", text(&isbn(i))),
            ("title", text("数控加工编程")),
            ("chief_editor_no", text(&format!("T8{i:04}"))),
        ]);
        site.db
            .store
            .unguarded()
            .insert(&table, &RowScope::All, &ctx("jdgc"), &r)
            .expect("insert textbook");
    }
}

#[test]
fn a_whole_cycle_run_resolves_the_findings_of_a_deleted_rule() {
    let site = setup();
    let store = &site.db.store;
    {
        // Findings an earlier catalog's rule and the 高基 comparison left.
        let mut conn = store.conn().expect("conn");
        let rules = ["X99-deleted".to_owned(), "GAOJI:students".to_owned()].into();
        let found = [stale("X99-deleted"), stale("GAOJI:students")];
        sync_findings(
            &mut conn,
            2023,
            &rules,
            None,
            &found,
            "2023-09-01T00:00:00Z",
        )
        .expect("sync");
    }
    // A run limited to a unit other than the finding's leaves it alone.
    let mut conn = store.conn().expect("conn");
    let fill = std::collections::HashMap::new();
    let other = RunScope {
        cycle: 2023,
        unit: Some("zlb"),
        fill_units: Some(&fill),
        actor: "test",
        ..RunScope::default()
    };
    run_checks(&mut conn, store.catalog(), &other, &mut |_| {}).expect("run");
    assert_eq!(state_of(store, "X99-deleted").as_deref(), Some("open"));

    whole_cycle(store);
    assert_eq!(state_of(store, "X99-deleted").as_deref(), Some("resolved"));
    // The 高基 comparison's findings are its own to resolve.
    assert_eq!(state_of(store, "GAOJI:students").as_deref(), Some("open"));
}

#[test]
fn concurrent_runs_write_each_finding_once() {
    let site = setup();
    textbooks_citing_unknown_teachers(&site, 6);
    let store = site.db.store.clone();
    std::thread::scope(|s| {
        for i in 0..6 {
            let store = store.clone();
            s.spawn(move || {
                for _ in 0..2 {
                    if i % 2 == 0 {
                        whole_cycle(&store);
                    } else {
                        let mut conn = store.conn().expect("conn");
                        findings_for(&mut conn, store.catalog(), 2023, "2.3.1", "jdgc")
                            .expect("a unit's run");
                    }
                }
            });
        }
    });
    let found = all_findings(&store);
    let keys: BTreeSet<_> = found
        .iter()
        .map(|f| {
            let v = &f.found;
            (
                v.rule.clone(),
                v.table_code.clone(),
                v.unit.clone(),
                v.row_ref.clone(),
            )
        })
        .collect();
    assert_eq!(keys.len(), found.len(), "a finding written twice");
    let unknown_teacher = found
        .iter()
        .filter(|f| {
            f.found.table_code == "2.3.1" && f.found.field.as_deref() == Some("chief_editor_no")
        })
        .filter(|f| f.state == "open")
        .count();
    assert_eq!(unknown_teacher, 6, "{found:?}");
}

const CREATE: &str = "mutation($i: CreateTextbooksAuthoredInput!) {
  createTextbooksAuthored(input: $i) { id } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $p: UpdateTextbooksAuthoredInput!) {
  updateTextbooksAuthored(id: $id, rowVersion: $v, patch: $p) { id rowVersion } }";

#[tokio::test(flavor = "multi_thread")]
async fn a_save_that_fixes_a_row_resolves_its_finding_at_once() -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(setup).await?;
    for no in ["T90000", "T90001", "T90002", "T90003"] {
        let teacher = record(&[("teacher_no", text(no)), ("name", text("王建华"))]);
        let table = site.db.table("1.4.1");
        site.db
            .store
            .unguarded()
            .insert(&table, &RowScope::All, &ctx("zwb_rs"), &teacher)
            .expect("teacher");
    }
    site.account("9001", "测试员", "jdgc", "collector", PASSWORD, false);
    let token = site.token("9001", PASSWORD).await;
    for i in 0..6 {
        let (r, _) = site
            .gql(
                Some(&token),
                CREATE,
                json!({ "i": textbook(i, &format!("T8{i:04}")) }),
            )
            .await;
        assert!(
            r["data"]["createTextbooksAuthored"]["id"].is_string(),
            "{r}"
        );
    }
    let store = site.db.store.clone();
    tokio::task::spawn_blocking(move || whole_cycle(&store)).await?;
    let cited = |f: &Finding| f.found.field.as_deref() == Some("chief_editor_no");
    let before: Vec<Finding> = all_findings(&site.db.store)
        .into_iter()
        .filter(|f| cited(f) && f.state == "open")
        .collect();
    assert_eq!(before.len(), 6, "{before:?}");

    // Four saves at once, each citing a teacher who is there now: its finding goes, no rerun.
    let table = site.db.table("2.3.1");
    let rows = site
        .db
        .store
        .list(&table, &RowScope::All, &ListQuery::all(2023))?;
    let save = |i: usize| {
        let vars = json!({ "id": rows[i].id.to_string(), "v": rows[i].row_version,
            "p": { "chiefEditorNo": format!("T9000{i}") } });
        let (site, token) = (&site, token.clone());
        async move { site.gql(Some(&token), UPDATE, vars).await.0 }
    };
    let done = tokio::join!(save(0), save(1), save(2), save(3));
    for r in [done.0, done.1, done.2, done.3] {
        assert!(
            r["data"]["updateTextbooksAuthored"]["id"].is_string(),
            "{r}"
        );
    }

    let after = all_findings(&site.db.store);
    let fixed: BTreeSet<i64> = rows.iter().take(4).map(|r| r.id).collect();
    for f in after.iter().filter(|f| cited(f)) {
        let row = f.found.row_id.unwrap_or(0);
        let want = if fixed.contains(&row) {
            "resolved"
        } else {
            "open"
        };
        assert_eq!(f.state, want, "{f:?}");
    }
    assert_eq!(after.iter().filter(|f| cited(f)).count(), 6);

    // A deleted row's finding goes with it.
    let last = rows[5].id;
    let (r, _) = site
        .gql(
            Some(&token),
            "mutation($id: ID!) { deleteTextbooksAuthored(id: $id) }",
            json!({ "id": last.to_string() }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let open: Vec<i64> = all_findings(&site.db.store)
        .into_iter()
        .filter(|f| cited(f) && f.state == "open")
        .filter_map(|f| f.found.row_id)
        .collect();
    assert_eq!(open, vec![rows[4].id]);
    Ok(())
}
