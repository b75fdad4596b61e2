//! The annual quality report's data tables (issue 29): every item computes on the demo college
//! with a plausible value beside last cycle's, three equal plain SQL over the `d_*` tables, the
//! external items 质量部 enters are validated, audited and shown, and a collector is refused.

use std::collections::BTreeMap;

use diesel::RunQueryDsl;
use serde_json::{json, Value as Json};

use crate::indicators::{demo_site, PASSWORD};
use crate::site::{code, Site};

pub const REPORT: &str = "query { annualReport(cycle: 2023) { cycle template state signedOff tables { id name items { id name unit value previous change formula definition source external enteredBy enteredAt date breakdowns { name items { key value } } } } } }";

pub const SET: &str = "mutation($i: String!, $v: String!, $s: String!, $d: String!) { setAnnualReportItem(cycle: 2023, item: $i, value: $v, source: $s, date: $d) { id value source enteredBy enteredAt date external } }";

#[derive(diesel::QueryableByName)]
struct One {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

/// The one text value of a plain SQL statement.
fn sql(site: &Site, statement: &str) -> String {
    let mut conn = site.db.store.conn().expect("conn");
    diesel::sql_query(statement)
        .load::<One>(&mut *conn)
        .expect("plain SQL")
        .pop()
        .map(|o| o.v)
        .unwrap_or_default()
}

/// Every item of the report by id.
pub fn items(r: &Json) -> BTreeMap<String, Json> {
    r["data"]["annualReport"]["tables"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| t["items"].as_array().cloned().unwrap_or_default())
        .map(|i| (i["id"].as_str().unwrap_or("").to_owned(), i))
        .collect()
}

fn number(v: &Json) -> f64 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN)
}

/// Enters the survey figures the exports are checked for.
pub async fn enter_surveys(site: &Site, quality: &str) {
    for (item, value) in [
        ("monthly_income", "4650元"),
        ("alma_mater_satisfaction", "93.5"),
    ] {
        let vars =
            json!({ "i": item, "v": value, "s": "2023 届毕业生跟踪调查", "d": "2023-12-20" });
        let r = site.gql(Some(quality), SET, vars).await.0;
        assert!(r["errors"].is_null(), "{item}: {r}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_report_item_computes_on_the_demo_college_and_three_match_plain_sql() {
    let (site, quality, leader) = demo_site().await;
    let r = site.gql(Some(&leader), REPORT, json!({})).await.0;
    let report = &r["data"]["annualReport"];
    let catalog = site.db.store.catalog().clone();
    let names: Vec<&str> = report["tables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "计分卡",
            "资源表",
            "服务贡献表",
            "落实政策表",
            "国际影响表",
            "学生反馈表"
        ],
        "{r}"
    );
    assert_eq!(report["state"], "draft");
    let all = items(&r);
    assert_eq!(all.len(), catalog.report.items().count());
    for (id, i) in &all {
        if i["external"] == true {
            assert!(i["value"].is_null() && i["formula"].is_null(), "{id}: {i}");
            continue;
        }
        let (value, previous) = (number(&i["value"]), number(&i["previous"]));
        // Plausible: a number, positive (the demo college has every kind of row), with last
        // cycle's value beside it and the change between them.
        assert!(
            value > 0.0,
            "{id} has no plausible value on the demo college: {i}"
        );
        assert!(previous >= 0.0, "{id} has no previous value: {i}");
        assert!(
            (number(&i["change"]) - (value - previous)).abs() < 1e-6,
            "{i}"
        );
        assert!(i["formula"].as_str().is_some_and(|f| !f.is_empty()));
        if i["unit"] == "%" {
            assert!(value <= 100.0, "{id}: {i}");
        }
    }
    assert!(number(&all["books_per_student"]["value"]) >= 10.0);
    // Last calendar year's money was not this year's copied: income and spending moved.
    for id in ["fiscal_per_student", "enterprise_teacher_pay"] {
        assert_ne!(all[id]["value"], all[id]["previous"], "{id}: {}", all[id]);
    }

    // Three items against plain SQL over the d_* tables.
    let hours = sql(
        &site,
        "SELECT CAST(SUM(hours_total) AS TEXT) AS v FROM d_courses WHERE cycle = 2023",
    );
    assert_eq!(all["course_hours"]["value"].as_str(), Some(hours.as_str()));
    let employed = sql(&site, "SELECT CAST(SUM(contract + flexible + entrepreneur + military + grassroots) AS TEXT) AS v FROM d_graduates_2023 WHERE cycle = 2023");
    assert_eq!(all["employed"]["value"].as_str(), Some(employed.as_str()));
    let abroad = sql(&site, "SELECT CAST(SUM(days) AS TEXT) AS v FROM d_internships WHERE cycle = 2023 AND overseas = TRUE");
    assert_eq!(
        all["overseas_internship_days"]["value"].as_str(),
        Some(abroad.as_str())
    );
    // The breakdown is the engine's: 院系 groups add up to the whole.
    let by_dept: f64 = all["double_qualified_ratio"]["breakdowns"][0]["items"]
        .as_array()
        .map_or(0, Vec::len) as f64;
    assert!(by_dept > 1.0, "{}", all["double_qualified_ratio"]);

    // A collector may neither read nor enter.
    site.account("c9", "采集员", "jdgc", "collector", PASSWORD, false);
    let c = site.token("c9", PASSWORD).await;
    assert_eq!(
        code(&site.gql(Some(&c), REPORT, json!({})).await.0),
        "FORBIDDEN"
    );
    let vars = json!({ "i": "monthly_income", "v": "4600", "s": "调查", "d": "2023-12-20" });
    assert_eq!(
        code(&site.gql(Some(&c), SET, vars.clone()).await.0),
        "FORBIDDEN"
    );
    // Leaders read but do not enter.
    assert_eq!(
        code(&site.gql(Some(&leader), SET, vars).await.0),
        "FORBIDDEN"
    );
    let _ = quality;
}

#[tokio::test(flavor = "multi_thread")]
async fn quality_enters_external_items_validated_in_chinese_and_audited() {
    let (site, quality, leader) = demo_site().await;
    let refused = [
        ("monthly_income", "四千", "不是数字"),
        ("alma_mater_satisfaction", "120", "超出范围"),
        ("alma_mater_satisfaction", "93元", "单位应为 %"),
        ("alma_mater_satisfaction", "93.55", "最多保留 1 位小数"),
        ("placement_rate", "90", "由状态数据计算"),
    ];
    for (item, value, says) in refused {
        let vars = json!({ "i": item, "v": value, "s": "调查", "d": "2023-12-20" });
        let r = site.gql(Some(&quality), SET, vars).await.0;
        assert_eq!(code(&r), "BAD_REQUEST", "{item} {value}: {r}");
        assert!(r.to_string().contains(says), "{item} {value}: {r}");
    }
    let vars = json!({ "i": "monthly_income", "v": "4600", "s": "调查", "d": "20231220" });
    let r = site.gql(Some(&quality), SET, vars).await.0;
    assert!(r.to_string().contains("YYYY-MM-DD"), "{r}");
    let vars = json!({ "i": "nope", "v": "1", "s": "调查", "d": "2023-12-20" });
    assert_eq!(
        code(&site.gql(Some(&quality), SET, vars).await.0),
        "NOT_FOUND"
    );

    enter_surveys(&site, &quality).await;
    let r = site.gql(Some(&leader), REPORT, json!({})).await.0;
    let all = items(&r);
    let income = &all["monthly_income"];
    assert_eq!(income["value"], "4650", "{income}");
    assert_eq!(income["source"], "2023 届毕业生跟踪调查");
    assert_eq!(income["date"], "2023-12-20");
    assert_eq!(income["enteredBy"], "刘雪宁");
    assert!(income["enteredAt"].is_string());
    assert_eq!(all["alma_mater_satisfaction"]["value"], "93.5");
    let audited = sql(
        &site,
        "SELECT CAST(COUNT(*) AS TEXT) AS v FROM audit_log WHERE operation = 'annual_report_set'",
    );
    assert_eq!(audited, "2");
    // Entered again: the new value replaces the old one.
    let vars =
        json!({ "i": "monthly_income", "v": "4700", "s": "复核后的调查", "d": "2024-01-05" });
    let r = site.gql(Some(&quality), SET, vars).await.0;
    assert_eq!(r["data"]["setAnnualReportItem"]["value"], "4700", "{r}");
}

/// The README's line for each report item: its table, id, name, unit and formula or source.
fn readme_lines() -> Vec<String> {
    use statusdata::defs::report::ReportItem;
    let root = crate::support::root();
    let catalog = statusdata::defs::load_catalog(&root.join("table-defs")).expect("catalog");
    catalog
        .report
        .items()
        .map(|(t, item)| match item {
            ReportItem::Computed(i) => format!(
                "| {} | `{}` | {} | {} | `{}` |",
                t.name,
                i.id,
                i.name,
                i.unit,
                i.formula.replace('|', "\\|")
            ),
            ReportItem::External(e) => format!(
                "| {} | `{}` | {} | {} | 质量部录入：{} |",
                t.name, e.id, e.name, e.unit, e.source
            ),
        })
        .collect()
}

#[test]
fn the_readme_lists_every_report_item_with_how_it_is_computed() {
    let readme = std::fs::read_to_string(crate::support::root().join("README.md")).expect("README");
    let lines = readme_lines();
    assert!(lines.len() >= 40);
    let missing: Vec<&String> = lines
        .iter()
        .filter(|l| !readme.contains(l.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md 的“质量年度报告数据表”与 table-defs/report/annual.toml 不一致；应有这些行：\n{missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn publishing_the_core_data_freezes_the_reports_computed_items() {
    let (site, quality, leader) = demo_site().await;
    let before = items(&site.gql(Some(&leader), REPORT, json!({})).await.0);
    let publish = "mutation { publishIndicators(cycle: 2023) { state version warnings } }";
    let r = site.gql(Some(&quality), publish, json!({})).await.0;
    assert_eq!(r["data"]["publishIndicators"]["state"], "published", "{r}");
    // A table only the report reads changes after the publication…
    {
        let mut conn = site.db.store.conn().expect("conn");
        diesel::sql_query(
            "UPDATE d_courses SET hours_total = hours_total + 100 WHERE cycle = 2023",
        )
        .execute(&mut *conn)
        .expect("update");
    }
    let live = sql(
        &site,
        "SELECT CAST(SUM(hours_total) AS TEXT) AS v FROM d_courses WHERE cycle = 2023",
    );
    assert_ne!(
        before["course_hours"]["value"].as_str(),
        Some(live.as_str())
    );
    // …the report still shows what was published for the leaders' sign-off.
    let r = site.gql(Some(&leader), REPORT, json!({})).await.0;
    assert_eq!(r["data"]["annualReport"]["state"], "published");
    let after = items(&r);
    assert_eq!(
        after["course_hours"]["value"],
        before["course_hours"]["value"]
    );
    assert_eq!(
        after["course_hours"]["previous"],
        before["course_hours"]["previous"]
    );

    // The leader comments on a computed item of the published report as on a core indicator; the
    // comment shows with the report and, open, stands in the way of the sign-off by its name.
    let comment = "mutation { commentIndicator(cycle: 2023, indicator: \"course_hours\", comment: \"学时比上年多得不合理\") { id indicator } }";
    let r = site.gql(Some(&leader), comment, json!({})).await.0;
    assert_eq!(
        r["data"]["commentIndicator"]["indicator"], "course_hours",
        "{r}"
    );
    let r = site
        .gql(
            Some(&quality),
            "query { annualReport(cycle: 2023) { comments { indicator body resolvedAt } } }",
            json!({}),
        )
        .await
        .0;
    let comments = r["data"]["annualReport"]["comments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(comments.len(), 1, "{r}");
    assert_eq!(comments[0]["body"], "学时比上年多得不合理");
    let r = site
        .gql(
            Some(&leader),
            "mutation { signOffIndicators(cycle: 2023) { state } }",
            json!({}),
        )
        .await
        .0;
    let refused = r["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        refused.contains("教学计划内课程总学时（"),
        "the open comment is named: {r}"
    );
    let r = site
        .gql(Some(&leader), "mutation { commentIndicator(cycle: 2023, indicator: \"no_such_item\", comment: \"x\") { id } }", json!({}))
        .await
        .0;
    assert_eq!(r["errors"][0]["extensions"]["code"], "NOT_FOUND", "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_officers_entering_the_same_item_at_once_both_succeed_and_one_value_stays() {
    let (site, quality, _leader) = demo_site().await;
    let site = std::sync::Arc::new(site);
    // The item has no value yet: every save replaces one that may be appearing concurrently.
    let values = ["91.5", "92.0", "92.5", "93.0", "93.5", "94.0"];
    let tasks: Vec<_> = values
        .iter()
        .map(|v| {
            let (site, token) = (site.clone(), quality.clone());
            let vars = json!({ "i": "employer_satisfaction", "v": v, "s": "用人单位调查", "d": "2023-12-20" });
            tokio::spawn(async move { site.gql(Some(&token), SET, vars).await.0 })
        })
        .collect();
    for task in tasks {
        let r = task.await.expect("task");
        assert!(r["errors"].is_null(), "a concurrent entry failed: {r}");
    }
    let stored = sql(
        &site,
        "SELECT CAST(COUNT(*) AS TEXT) AS v FROM annual_report_values WHERE item = 'employer_satisfaction'",
    );
    assert_eq!(stored, "1");
    let r = site.gql(Some(&quality), REPORT, json!({})).await.0;
    // The stored decimal is normalised (“93.0” reads back as “93”): compared as numbers.
    let value = items(&r)["employer_satisfaction"]["value"].clone();
    let stored: f64 = value.as_str().and_then(|v| v.parse().ok()).unwrap_or(-1.0);
    assert!(
        values.iter().any(|v| v.parse::<f64>().ok() == Some(stored)),
        "{value}"
    );
}
