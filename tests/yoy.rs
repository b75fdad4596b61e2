//! Year over year through GraphQL: a YoY rule turns a 30% jump in 在校生数 into a warning the unit
//! must explain; `compare` sets each numeric field beside last cycle's; rows carried forward by
//! `cycle new --from` keep a link to last year's row that `rowHistory` and `compare` follow; the
//! demo seeds a plausible 2022.

use std::sync::Arc;

use rust_decimal::Decimal;
use serde_json::{json, Value as Json};
use statusdata::store::{ListQuery, Record, RowScope, Value, WriteCtx};

use crate::site::Site;

/// Writes `records` of `table` for `unit` in `cycle` straight into the store.
pub fn put(site: &Site, table: &str, unit: &str, cycle: i32, records: &[Record]) {
    let ctx = WriteCtx {
        cycle,
        unit: unit.into(),
        actor: "test".into(),
    };
    site.db
        .store
        .unguarded()
        .bulk_insert(&site.db.table(table), &RowScope::All, &ctx, records)
        .expect("rows");
}

fn rec(pairs: &[(&str, Value)]) -> Record {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// `n` students of 1.5.1 (学务部), numbered from 0 so that both years share their first keys.
pub fn students(site: &Site, cycle: i32, n: usize) {
    let rows: Vec<Record> = (0..n)
        .map(|i| {
            rec(&[
                ("student_no", text(&format!("S{i:06}"))),
                ("name", text(&format!("学生{i}"))),
            ])
        })
        .collect();
    put(site, "1.5.1", "xwb", cycle, &rows);
}

fn teachers(site: &Site, cycle: i32, n: usize) {
    let rows: Vec<Record> = (0..n)
        .map(|i| {
            rec(&[
                ("teacher_no", text(&format!("T{i:05}"))),
                ("name", text(&format!("教师{i}"))),
            ])
        })
        .collect();
    put(site, "1.4.1", "zwb_rs", cycle, &rows);
}

async fn people(site: &Site) -> (String, String) {
    site.account("5555", "赵六", "zlb", "quality_admin", "Secret#2023", false);
    site.account("7777", "孙八", "xwb", "head", "Secret#2023", false);
    (
        site.token("5555", "Secret#2023").await,
        site.token("7777", "Secret#2023").await,
    )
}

async fn findings(site: &Site, token: &str, table: &str) -> Vec<Json> {
    let (r, _) = site
        .gql(
            Some(token),
            "query($t: String) { findings(cycle: 2023, table: $t) { id rule severity state unit message explanation } }",
            json!({ "t": table }),
        )
        .await;
    r["data"]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn thirty_percent_more_students_is_a_warning_the_unit_explains() -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(Site::new).await?;
    let (quality, head) = people(&site).await;
    students(&site, 2022, 100);
    students(&site, 2023, 130);
    teachers(&site, 2022, 30);
    teachers(&site, 2023, 32);
    let run = "mutation { runChecks(cycle: 2023) { warnings } }";
    let (ran, _) = site.gql(Some(&quality), run, json!({})).await;
    assert!(
        ran["data"]["runChecks"]["warnings"].as_i64() > Some(0),
        "{ran}"
    );

    let yoy: Vec<Json> = findings(&site, &quality, "1.5.1")
        .await
        .into_iter()
        .filter(|f| f["rule"] == "YOY-students")
        .collect();
    assert_eq!(yoy.len(), 1, "{yoy:?}");
    let f = &yoy[0];
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["state"], "open", "an open warning stops submission");
    assert_eq!(f["unit"], "xwb");
    let message = f["message"].as_str().unwrap_or("");
    assert!(
        message.contains("130") && message.contains("100") && message.contains("+30.0%"),
        "{message}"
    );
    let teachers_changed = findings(&site, &quality, "1.4.1").await;
    assert!(
        teachers_changed.iter().all(|f| f["rule"] != "YOY-teachers"),
        "30 → 32 teachers is within ±15%: {teachers_changed:?}"
    );

    let explain = "mutation($id: ID!, $e: String!) { explainFinding(id: $id, explanation: $e) { state explanation } }";
    let (answered, _) = site
        .gql(
            Some(&head),
            explain,
            json!({ "id": f["id"], "e": "2023年扩招，新增两个专业" }),
        )
        .await;
    assert_eq!(
        answered["data"]["explainFinding"]["state"], "explained",
        "{answered}"
    );
    site.gql(Some(&quality), run, json!({})).await;
    let again: Vec<Json> = findings(&site, &quality, "1.5.1")
        .await
        .into_iter()
        .filter(|f| f["rule"] == "YOY-students")
        .collect();
    assert_eq!(
        again[0]["state"], "explained",
        "the explanation survives a rerun"
    );
    assert_eq!(again[0]["explanation"], "2023年扩招，新增两个专业");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn compare_sets_every_numeric_field_beside_last_cycle() -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(Site::new).await?;
    let (quality, _) = people(&site).await;
    students(&site, 2022, 100);
    students(&site, 2023, 130);
    let equipment = |v: i64| rec(&[("equip_value", Value::Decimal(Decimal::new(v, 2)))]);
    put(&site, "1.1.5", "zlb", 2022, &[equipment(100_000)]);
    put(&site, "1.1.5", "zlb", 2023, &[equipment(120_550)]);

    let q = "query($t: String!) { compare(cycle: 2023, table: $t) { previousCycle rows { value previous changePercent } matchedByLink matchedByKey fields { field label value previous change changePercent } units { unit } } }";
    let (r, _) = site.gql(Some(&quality), q, json!({ "t": "1.1.5" })).await;
    let c = &r["data"]["compare"];
    assert_eq!(c["previousCycle"], 2022, "{r}");
    let equip = c["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["field"] == "equip_value"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(equip["label"], "教学科研仪器设备资产总值");
    assert_eq!(
        (
            &equip["value"],
            &equip["previous"],
            &equip["change"],
            &equip["changePercent"]
        ),
        (
            &json!("1205.5"),
            &json!("1000"),
            &json!("205.5"),
            &json!("20.6")
        ),
        "{equip}"
    );
    assert_eq!(c["matchedByKey"], 1, "a single-row table matches by unit");
    assert_eq!(c["units"], json!([]), "one unit fills 1.1.5");

    let (r, _) = site.gql(Some(&quality), q, json!({ "t": "1.5.1" })).await;
    let c = &r["data"]["compare"];
    assert_eq!(c["rows"]["value"], "130", "{r}");
    assert_eq!(c["rows"]["previous"], "100");
    assert_eq!(c["rows"]["changePercent"], "30");
    assert_eq!(c["matchedByKey"], 100, "students followed by 学号");
    assert_eq!(c["matchedByLink"], 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn carried_forward_rows_stay_linked_to_last_year() -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(Site::new).await?;
    let (quality, _) = people(&site).await;
    teachers(&site, 2023, 3);
    let store = site.db.store.clone();
    let units = site.db.units.clone();
    let copied = tokio::task::spawn_blocking(move || {
        let (policy, _dir) = crate::support::policy_cell();
        let svc = statusdata::service::Service::new(store, policy, Arc::new(units));
        let file = crate::support::root().join("seeds/cycle-2023.toml");
        let config = statusdata::defs::load_cycle(&file, svc.catalog()).expect("cycle");
        svc.open_cycle(&svc.system(), &config.next_year(), 2023)
    })
    .await?
    .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    assert!(copied.contains(&("1.4.1".to_owned(), 3)), "{copied:?}");

    let table = site.db.table("1.4.1");
    let rows = site
        .db
        .store
        .list(&table, &RowScope::All, &ListQuery::all(2024))?;
    let old = site
        .db
        .store
        .list(&table, &RowScope::All, &ListQuery::all(2023))?;
    // A teacher's number corrected this year: the link, not the key, still finds last year's row.
    let renamed = &rows[0];
    let patch = rec(&[("teacher_no", text("T99999"))]);
    site.db.store.unguarded().update(
        &table,
        &RowScope::All,
        renamed.id,
        renamed.row_version,
        &patch,
        "test",
    )?;

    let (h, _) = site
        .gql(
            Some(&quality),
            "query($id: ID!) { rowHistory(table: \"1.4.1\", id: $id) { cycle id } }",
            json!({ "id": renamed.id.to_string() }),
        )
        .await;
    let at = |o: &statusdata::store::StoredRow| json!({ "cycle": o.cycle, "id": o.id.to_string() });
    let first_old = old
        .iter()
        .find(|o| o.values.get("teacher_no") == renamed.values.get("teacher_no"))
        .expect("last year's row");
    assert_eq!(
        h["data"]["rowHistory"],
        json!([
            at(first_old),
            json!({ "cycle": 2024, "id": renamed.id.to_string() })
        ]),
        "{h}"
    );
    let (c, _) = site
        .gql(
            Some(&quality),
            "{ compare(cycle: 2024, table: \"1.4.1\") { matchedByLink matchedByKey rows { value previous } } }",
            json!({}),
        )
        .await;
    assert_eq!(c["data"]["compare"]["matchedByLink"], 3, "{c}");
    assert_eq!(c["data"]["compare"]["matchedByKey"], 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_has_a_plausible_previous_year() -> anyhow::Result<()> {
    let api = tokio::task::spawn_blocking(crate::api::Api::with_demo).await?;
    let q = "query($t: String!) { compare(cycle: 2023, table: $t) { matchedByLink rows { value previous changePercent } fields { field value previous } } }";
    let r = api.gql(q, json!({ "t": "1.5.1" })).await;
    let c = &r["data"]["compare"];
    let pct: f64 = c["rows"]["changePercent"]
        .as_str()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    assert!(
        (1.0..15.0).contains(&pct),
        "a few percent more students than 2022: {r}"
    );
    assert!(
        c["matchedByLink"].as_i64() > Some(10_000),
        "students linked across years: {r}"
    );

    let r = api.gql(q, json!({ "t": "1.1.5" })).await;
    let equip = r["data"]["compare"]["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["field"] == "equip_value"))
        .cloned()
        .unwrap_or_default();
    let (now, before): (f64, f64) = (
        equip["value"]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0),
        equip["previous"]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0),
    );
    assert!(
        before > 0.0 && before < now,
        "equipment grew since 2022: {equip}"
    );

    let ran = api
        .gql("mutation { runChecks(cycle: 2023) { rules } }", json!({}))
        .await;
    assert!(
        ran["data"]["runChecks"]["rules"].as_i64() > Some(0),
        "{ran}"
    );
    let found = api
        .gql("{ findings(cycle: 2023) { rule } }", json!({}))
        .await;
    let yoy = found["data"]["findings"].as_array().map(|f| {
        f.iter()
            .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("YOY-")))
            .count()
    });
    assert_eq!(
        yoy,
        Some(0),
        "the demo's changes are within the YoY thresholds"
    );
    Ok(())
}
