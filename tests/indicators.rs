//! Core indicators as data: every indicator computes on the demo college, the same in SQL and in
//! memory (`indicators_engine`), three of them agree with plain SQL written independently, last cycle's value and the change come from the previous
//! cycle's rows, `check` names a broken formula, and the README lists every indicator.

use std::collections::BTreeMap;

use diesel::RunQueryDsl;
use serde_json::{json, Value as Json};
use statusdata::store::{RowScope, Value};

use crate::db::{record, text};
use crate::site::Site;
use crate::support::{root, Scratch};

pub const PASSWORD: &str = "Right#2023";

#[derive(diesel::QueryableByName)]
struct Pair {
    #[diesel(sql_type = diesel::sql_types::Text)]
    k: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

/// `(k, v)` rows of a plain SQL statement (both cast to text by the statement).
fn sql(site: &Site, statement: &str) -> BTreeMap<String, String> {
    let mut conn = site.db.store.conn().expect("conn");
    diesel::sql_query(statement)
        .load::<Pair>(&mut *conn)
        .expect("plain SQL")
        .into_iter()
        .map(|p| (p.k, p.v))
        .collect()
}

/// The demo college on a fresh site, with a 质量部 account `q1` and a leader `l1`.
pub async fn demo_site() -> (Site, String, String) {
    demo_site_with(statusdata::service::indicators::ExportGate::Warn).await
}

/// [`demo_site`] whose final export follows `gate`.
pub async fn demo_site_with(
    gate: statusdata::service::indicators::ExportGate,
) -> (Site, String, String) {
    let site = tokio::task::spawn_blocking(move || {
        Site::over(crate::db::TestDb::demo(), |s| s.set_export_gate(gate))
    })
    .await
    .expect("setup");
    site.account("q1", "刘雪宁", "zlb", "quality_admin", PASSWORD, false);
    site.account("l1", "王静怡", "zwb", "leader", PASSWORD, false);
    let q = site.token("q1", PASSWORD).await;
    let l = site.token("l1", PASSWORD).await;
    (site, q, l)
}

pub const LIST: &str = "query { indicators(cycle: 2023) { id name unit value previousValue change state breakdowns { name items { key label value } } } }";

#[tokio::test(flavor = "multi_thread")]
async fn every_indicator_computes_on_the_demo_college_both_ways_and_three_match_plain_sql() {
    let (site, quality, leader) = demo_site().await;
    let r = site.gql(Some(&leader), LIST, json!({})).await.0;
    let list = r["data"]["indicators"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let catalog = site.db.store.catalog().clone();
    assert_eq!(list.len(), catalog.indicators.len(), "{r}");
    assert!(catalog.indicators.len() >= 20);
    for (i, def) in list.iter().zip(&catalog.indicators) {
        assert_eq!(i["id"], def.id.as_str());
        // Computed: a number (a zero denominator would leave it empty), never negative.
        let value: f64 = i["value"]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1.0);
        assert!(
            value >= 0.0,
            "{} {} has no value on the demo college: {i}",
            def.id,
            def.name
        );
        assert_eq!(i["state"], "draft", "nothing is published yet");
        assert!(
            i["previousValue"]
                .as_str()
                .is_some_and(|v| v.parse::<f64>().is_ok()),
            "the demo's 2022 cycle gives {} a previous value: {i}",
            def.id
        );
        assert_eq!(
            i["breakdowns"].as_array().map(Vec::len),
            Some(def.breakdowns.len())
        );
    }
    let by_id = |id: &str| {
        list.iter()
            .find(|i| i["id"] == id)
            .cloned()
            .unwrap_or(Json::Null)
    };

    // 1. 在校生数: the sum of 1.5.3's totals, and by level.
    let total = sql(
        &site,
        "SELECT 'all' AS k, CAST(SUM(total) AS TEXT) AS v FROM d_student_counts WHERE cycle = 2023",
    );
    assert_eq!(
        by_id("students")["value"].as_str(),
        total.get("all").map(String::as_str)
    );
    let levels = sql(&site, "SELECT level AS k, CAST(SUM(total) AS TEXT) AS v FROM d_student_counts WHERE cycle = 2023 GROUP BY level");
    let shown: BTreeMap<String, String> = by_id("students")["breakdowns"][0]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            (
                x["key"].as_str().unwrap_or("").to_owned(),
                x["value"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(shown, levels, "在校生数 by 层次");
    assert!(by_id("students")["breakdowns"][0]["items"]
        .to_string()
        .contains("高职专科"));

    // 2. 专任教师数 by 院系, with the 院系 names of 1.1.3.
    let teachers = sql(&site, "SELECT dept_code AS k, CAST(COUNT(*) AS TEXT) AS v FROM d_internal_teachers WHERE cycle = 2023 AND staff_category = '01' GROUP BY dept_code");
    let items = by_id("fulltime_teachers")["breakdowns"][0]["items"].clone();
    let shown: BTreeMap<String, String> = items
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            (
                x["key"].as_str().unwrap_or("").to_owned(),
                x["value"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(shown, teachers, "专任教师数 by 院系");
    let sum: i64 = teachers
        .values()
        .filter_map(|v| v.parse::<i64>().ok())
        .sum();
    assert_eq!(by_id("fulltime_teachers")["value"], sum.to_string());

    // 3. 毕业去向落实率 = placed ÷ graduates × 100, one decimal.
    let g = sql(&site, "SELECT CAST(SUM(placed) AS TEXT) AS k, CAST(SUM(graduates) AS TEXT) AS v FROM d_graduates_2023 WHERE cycle = 2023");
    let (placed, graduates) = g
        .iter()
        .next()
        .map(|(k, v)| {
            (
                k.parse::<f64>().unwrap_or(0.0),
                v.parse::<f64>().unwrap_or(1.0),
            )
        })
        .unwrap_or((0.0, 1.0));
    let expected = (placed * 1000.0 / graduates).round() / 10.0;
    let shown: f64 = by_id("placement_rate")["value"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    assert!(
        (shown - expected).abs() < 1e-9,
        "去向落实率 {shown} vs {expected}"
    );

    // A unit's collector may not read the core data.
    site.account("c9", "采集员", "jdgc", "collector", PASSWORD, false);
    let c = site.token("c9", PASSWORD).await;
    let r = site.gql(Some(&c), LIST, json!({})).await.0;
    assert_eq!(crate::site::code(&r), "FORBIDDEN", "{r}");
    let r = site
        .gql(
            Some(&quality),
            "query { coreData(cycle: 2023) { state version reviewStart reviewEnd } }",
            json!({}),
        )
        .await
        .0;
    assert_eq!(r["data"]["coreData"]["state"], "draft", "{r}");
    assert!(
        r["data"]["coreData"]["reviewEnd"].is_string(),
        "the cycle file's 院领导审核 phase: {r}"
    );

    // Every indicator the same in SQL and in memory (one expression engine).
    tokio::task::spawn_blocking(move || {
        crate::indicators_engine::every_indicator_is_the_same_in_sql_and_in_memory(&site.db.store)
    })
    .await
    .expect("both ways");
}

#[tokio::test(flavor = "multi_thread")]
async fn last_cycles_value_and_the_change_come_from_the_previous_cycles_rows() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("site");
    let mut cycle = statusdata::defs::load_cycle(
        &root().join("seeds/cycle-2023.toml"),
        site.db.store.catalog(),
    )
    .expect("cycle");
    cycle.dates.year = 2022;
    site.db.store.install_cycle(&cycle).expect("install 2022");
    let table = site.db.table("1.5.3");
    for (year, n) in [(2022, 100), (2023, 130)] {
        let ctx = statusdata::store::WriteCtx {
            cycle: year,
            unit: "xwb".into(),
            actor: "test".into(),
        };
        for (level, count) in [("01", n - 10), ("03", 10)] {
            let row = record(&[
                ("level", text(level)),
                ("major_code", text("460101")),
                ("grade", Value::Year(2022)),
                ("total", Value::Int(count)),
            ]);
            site.db
                .store
                .unguarded()
                .insert(&table, &RowScope::All, &ctx, &row)
                .expect("row");
        }
    }
    site.account("q1", "刘雪宁", "zlb", "quality_admin", PASSWORD, false);
    let q = site.token("q1", PASSWORD).await;
    let r = site.gql(Some(&q), "query { indicators(cycle: 2023) { id value previousValue change changePercent breakdowns { name items { key value previousValue } } } }", json!({})).await.0;
    let students = r["data"]["indicators"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["id"] == "students")
        .cloned()
        .unwrap_or(Json::Null);
    assert_eq!(students["value"], "130", "{r}");
    assert_eq!(students["previousValue"], "100");
    assert_eq!(students["change"], "30");
    assert_eq!(students["changePercent"], "30.0");
    let levels = &students["breakdowns"][0]["items"];
    assert_eq!(levels[0]["key"], "01");
    assert_eq!(levels[0]["value"], "120");
    assert_eq!(levels[0]["previousValue"], "90");

    // The same figures through the year-over-year query, in the table comparison's shape.
    let q_compare = "query($t: String, $i: String) { compare(cycle: 2023, table: $t, indicator: $i) { table tableName rows { value previous changePercent } fields { field label value previous } } }";
    let r = site
        .gql(Some(&q), q_compare, json!({ "i": "students" }))
        .await
        .0;
    let c = &r["data"]["compare"];
    assert_eq!(c["tableName"], "在校生数", "{r}");
    assert_eq!(
        c["rows"]["value"].to_string().trim_matches('"'),
        "130",
        "{r}"
    );
    assert_eq!(
        c["rows"]["previous"].to_string().trim_matches('"'),
        "100",
        "{r}"
    );
    assert!(
        c["fields"].as_array().is_some_and(|f| f
            .iter()
            .any(|l| l["field"].as_str().is_some_and(|x| x.ends_with(":01"))
                && l["previous"].to_string().trim_matches('"') == "90")),
        "a breakdown line per group: {r}"
    );
    for (vars, code) in [
        (json!({ "i": "nothing" }), "NOT_FOUND"),
        (json!({ "i": "students", "t": "1.5.3" }), "BAD_REQUEST"),
        (json!({}), "BAD_REQUEST"),
    ] {
        let r = site.gql(Some(&q), q_compare, vars).await.0;
        assert_eq!(crate::site::code(&r), code, "{r}");
    }
}

#[tokio::test]
async fn check_names_an_unknown_table_or_field_in_a_formula() {
    let s = Scratch::new();
    s.replace(
        "table-defs/indicators.toml",
        "count('2.9.3')",
        "count('2.9.9')",
    );
    s.replace(
        "table-defs/indicators.toml",
        "sum('2.19.1', trainees)",
        "sum('2.19.1', trainee)",
    );
    s.replace(
        "table-defs/indicators.toml",
        "{ name = \"承办部门\", field = \"dept_code\" }",
        "{ name = \"承办部门\", field = \"dept\" }",
    );
    let problems = s.problems().await;
    let shown = crate::support::show(&problems);
    assert!(
        shown.contains("indicators.toml") && shown.contains("没有数据表 2.9.9"),
        "{shown}"
    );
    assert!(shown.contains("没有字段 trainee"), "{shown}");
    assert_eq!(
        problems.len(),
        2,
        "the third problem hides behind the second: {shown}"
    );
    s.replace(
        "table-defs/indicators.toml",
        "sum('2.19.1', trainee)",
        "sum('2.19.1', trainees)",
    );
    let shown = crate::support::show(&s.problems().await);
    assert!(
        shown.contains("分项“承办部门”：2.19.1 培训信息表 没有字段 dept"),
        "{shown}"
    );
    assert!(
        shown.contains("indicators[9].value"),
        "file, key and line: {shown}"
    );
}

/// The README's list of core indicators, as it should read (one line per indicator).
fn readme_lines() -> Vec<String> {
    let catalog = statusdata::defs::load_catalog(&root().join("table-defs")).expect("catalog");
    catalog
        .indicators
        .iter()
        .map(|i| {
            let by: Vec<&str> = i.breakdowns.iter().map(|b| b.name.as_str()).collect();
            let by = if by.is_empty() {
                "—".to_owned()
            } else {
                by.join("、")
            };
            format!(
                "| `{}` | {} | {} | `{}` | {} |",
                i.id,
                i.name,
                i.unit,
                i.formula.replace('|', "\\|"),
                by
            )
        })
        .collect()
}

#[test]
fn the_readme_lists_every_indicator_with_its_formula() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let missing: Vec<String> = readme_lines()
        .into_iter()
        .filter(|l| !readme.contains(l.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md 的“核心指标”表与 table-defs/indicators.toml 不一致；应有这些行：\n{}",
        missing.join("\n")
    );
}
