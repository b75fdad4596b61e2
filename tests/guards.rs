//! The guards of the leaders' sign-off through GraphQL over HTTP (both backends): refused outside
//! 院领导审核期 and over an open comment, in words that say why; a comment resolved by its author
//! (not by another leader); 质量部's override needs a reason and the role, is audited and shown on
//! the snapshot, and does not carry to a new version; the publish preview lists what publishing
//! leaves behind and changes nothing; the summary before 通过/验收 counts what plain SQL counts;
//! two leaders signing while 质量部 republishes end in one state.

use diesel::RunQueryDsl;
use serde_json::{json, Value as Json};

use crate::indicators::{demo_site, PASSWORD};
use crate::site::{code, Site};

const CORE: &str = "state version signOffBlockers overrideBy overrideAt overrideReason decidedBy indicators { id comments { id body authorName resolvedBy version } }";

/// Moves the site's clock to the first day of the 2023 cycle's 院领导审核期.
pub async fn into_review_period(site: &Site) {
    let mut conn = site.db.store.conn().expect("conn");
    let (start, _) = statusdata::store::indicators::sign_off_window(&mut conn, 2023)
        .expect("window")
        .expect("the demo cycle has a 院领导审核期");
    let start = start.expect("with a first day");
    let today = statusdata::workflow::progress::today(chrono::Utc::now());
    site.advance((start - today).num_days() * 24 * 60 + 60);
}

fn message(r: &Json) -> String {
    r["errors"][0]["message"].as_str().unwrap_or("").to_owned()
}

async fn run(site: &Site, token: &str, query: &str, vars: Json) -> Json {
    site.gql(Some(token), query, vars).await.0
}

async fn publish(site: &Site, token: &str) -> Json {
    run(
        site,
        token,
        &format!("mutation {{ publishIndicators(cycle: 2023) {{ {CORE} }} }}"),
        json!({}),
    )
    .await
}

async fn sign(site: &Site, token: &str, version: Option<i64>) -> Json {
    let q = format!("mutation($v: Int) {{ signOffIndicators(cycle: 2023, comment: \"同意上报\", version: $v) {{ {CORE} }} }}");
    run(site, token, &q, json!({ "v": version })).await
}

async fn allow(site: &Site, token: &str, reason: &str) -> Json {
    let q = format!(
        "mutation($r: String!) {{ overrideSignOff(cycle: 2023, reason: $r) {{ {CORE} }} }}"
    );
    run(site, token, &q, json!({ "r": reason })).await
}

async fn comment(site: &Site, token: &str, text: &str) -> Json {
    let q = "mutation($c: String!) { commentIndicator(cycle: 2023, indicator: \"students\", comment: $c) { id } }";
    run(site, token, q, json!({ "c": text })).await
}

async fn resolve(site: &Site, token: &str, id: &str) -> Json {
    let q = "mutation($id: ID!) { resolveIndicatorComment(cycle: 2023, id: $id) { id resolvedBy resolvedAt } }";
    run(site, token, q, json!({ "id": id })).await
}

async fn core(site: &Site, token: &str) -> Json {
    let q = format!("query {{ coreData(cycle: 2023) {{ {CORE} warnings }} }}");
    run(site, token, &q, json!({})).await["data"]["coreData"].clone()
}

/// A site with 质量部 `q1`, leaders `l1` and `l2`, and their tokens.
async fn site() -> (Site, [String; 3]) {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("site");
    site.account("q1", "刘雪宁", "zlb", "quality_admin", PASSWORD, false);
    site.account("l1", "王静怡", "zwb", "leader", PASSWORD, false);
    site.account("l2", "李明", "zwb", "leader", PASSWORD, false);
    let tokens = tokens(&site).await;
    (site, tokens)
}

async fn tokens(site: &Site) -> [String; 3] {
    [
        site.token("q1", PASSWORD).await,
        site.token("l1", PASSWORD).await,
        site.token("l2", PASSWORD).await,
    ]
}

/// `(operation, after_json)` of the audit rows of the core data, oldest first.
fn audit(site: &Site) -> Vec<(String, Json)> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        operation: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        after: String,
    }
    let mut conn = site.db.store.conn().expect("conn");
    diesel::sql_query("SELECT operation, COALESCE(after_json, 'null') AS after FROM audit_log WHERE operation LIKE 'indicators%' ORDER BY id")
        .load::<Row>(&mut *conn)
        .expect("audit")
        .into_iter()
        .map(|r| (r.operation, serde_json::from_str(&r.after).unwrap_or(Json::Null)))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_off_is_refused_outside_the_period_and_over_an_open_comment() {
    let (site, [q, l1, _]) = site().await;
    assert_eq!(
        publish(&site, &q).await["data"]["publishIndicators"]["version"],
        1
    );
    let r = sign(&site, &l1, None).await;
    assert_eq!(code(&r), "CONFLICT", "{r}");
    let why = message(&r);
    assert!(
        why.contains("院领导审核期为")
            && why.contains("审核期尚未开始")
            && why.contains("质量部写明原因放行"),
        "{why}"
    );
    assert_eq!(
        core(&site, &l1).await["signOffBlockers"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    into_review_period(&site).await;
    let [q, l1, l2] = tokens(&site).await;
    let id = comment(&site, &l1, "明显不对").await["data"]["commentIndicator"]["id"]
        .as_str()
        .expect("comment id")
        .to_owned();
    let r = sign(&site, &l1, Some(1)).await;
    assert_eq!(code(&r), "CONFLICT", "{r}");
    let why = message(&r);
    assert!(
        why.contains("有 1 条批注尚未解决") && why.contains("在校生数（王静怡：明显不对）"),
        "{why}"
    );
    assert!(!why.contains("审核期为"), "within the period: {why}");

    let r = resolve(&site, &l2, &id).await;
    assert_eq!(
        code(&r),
        "FORBIDDEN",
        "another leader does not resolve it: {r}"
    );
    assert!(message(&r).contains("王静怡"), "{r}");
    let r = resolve(&site, &l1, &id).await;
    assert!(
        r["data"]["resolveIndicatorComment"]["resolvedBy"]
            .as_str()
            .unwrap_or("")
            .contains("王静怡"),
        "{r}"
    );
    assert_eq!(
        code(&resolve(&site, &q, &id).await),
        "CONFLICT",
        "resolved once"
    );

    let r = sign(&site, &l1, Some(1)).await;
    let signed = &r["data"]["signOffIndicators"];
    assert_eq!(signed["state"], "signed_off", "{r}");
    assert!(
        signed["overrideBy"].is_null(),
        "no override was needed: {r}"
    );
    let ops: Vec<String> = audit(&site).into_iter().map(|(o, _)| o).collect();
    assert!(
        ops.contains(&"indicators_comment_resolve".to_owned()),
        "{ops:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_override_needs_quality_and_a_reason_is_audited_and_stays_with_its_version() {
    let (site, [q, l1, _]) = site().await;
    site.account("h1", "徐志强", "jdgc", "head", PASSWORD, false);
    let head = site.token("h1", PASSWORD).await;
    publish(&site, &q).await;
    comment(&site, &l1, "明显不对").await;
    assert_eq!(code(&allow(&site, &l1, "我自己放行").await), "FORBIDDEN");
    assert_eq!(code(&allow(&site, &head, "负责人放行").await), "FORBIDDEN");
    let r = allow(&site, &q, "   ").await;
    assert_eq!(
        (code(&r), message(&r).as_str()),
        ("BAD_REQUEST", "放行须写明原因")
    );
    assert!(
        core(&site, &q).await["overrideReason"].is_null(),
        "nothing recorded"
    );

    // The override holds for its version only: a republication needs a new one.
    allow(&site, &q, "旧版的放行").await;
    publish(&site, &q).await;
    let r = sign(&site, &l1, Some(1)).await;
    assert!(message(&r).contains("已重新发布为第 2 版"), "{r}");
    assert_eq!(
        code(&sign(&site, &l1, Some(2)).await),
        "CONFLICT",
        "v2 has no override"
    );

    let reason = "教育厅要求提前上报，院长已电话同意";
    let r = allow(&site, &q, reason).await;
    let data = &r["data"]["overrideSignOff"];
    assert_eq!(data["overrideReason"], reason, "{r}");
    assert!(
        data["overrideBy"].as_str().unwrap_or("").contains("刘雪宁"),
        "{r}"
    );
    assert!(data["overrideAt"].is_string(), "{r}");
    assert_eq!(
        data["signOffBlockers"].as_array().map(Vec::len),
        Some(2),
        "still shown: {r}"
    );
    let r = sign(&site, &l1, Some(2)).await;
    assert_eq!(r["data"]["signOffIndicators"]["state"], "signed_off", "{r}");
    assert_eq!(r["data"]["signOffIndicators"]["overrideReason"], reason);

    let log = audit(&site);
    let granted: Vec<&Json> = log
        .iter()
        .filter(|(o, _)| o == "indicators_override")
        .map(|(_, a)| a)
        .collect();
    assert_eq!(granted.len(), 2, "{log:?}");
    assert_eq!(granted[1]["reason"], reason);
    assert_eq!(granted[1]["version"], 2);
    assert_eq!(granted[1]["blockers"].as_array().map(Vec::len), Some(2));
    let signed = log
        .iter()
        .find(|(o, _)| o == "indicators_sign_off")
        .expect("sign-off audited");
    assert_eq!(signed.1["override"]["reason"], reason, "{log:?}");
    assert!(signed.1["override"]["blockers"][1]
        .as_str()
        .unwrap_or("")
        .contains("明显不对"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_publish_preview_lists_what_publishing_leaves_behind_and_changes_nothing() {
    let (site, [q, l1, _]) = site().await;
    let ask = "query { publishPreview(cycle: 2023) { nextVersion refusal unaccepted notes openComments { body authorName } } }";
    assert_eq!(code(&run(&site, &l1, ask, json!({})).await), "FORBIDDEN");
    let r = run(&site, &q, ask, json!({})).await;
    let before = &r["data"]["publishPreview"];
    assert_eq!(before["nextVersion"], 1, "{r}");
    assert!(before["refusal"].is_null());
    let unaccepted = before["unaccepted"].as_array().cloned().unwrap_or_default();
    assert!(
        unaccepted
            .iter()
            .any(|u| u.as_str().unwrap_or("").starts_with("1.5.3 在校生数量表：")),
        "{r}"
    );
    assert_eq!(
        core(&site, &q).await["state"],
        "draft",
        "the preview publishes nothing"
    );

    publish(&site, &q).await;
    assert_eq!(
        core(&site, &q).await["warnings"],
        Json::Array(unaccepted),
        "the preview listed what the snapshot records"
    );

    comment(&site, &l1, "明显不对").await;
    let r = run(&site, &q, ask, json!({})).await;
    let again = &r["data"]["publishPreview"];
    assert_eq!(again["nextVersion"], 2);
    assert!(
        again["notes"][0]
            .as_str()
            .unwrap_or("")
            .contains("第 1 版正在等待院领导审核"),
        "{r}"
    );
    assert_eq!(again["openComments"][0]["body"], "明显不对");

    allow(&site, &q, "测试").await;
    sign(&site, &l1, None).await;
    let r = run(&site, &q, ask, json!({})).await;
    assert!(
        r["data"]["publishPreview"]["refusal"]
            .as_str()
            .unwrap_or("")
            .contains("已经院领导签字"),
        "{r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_summary_before_review_counts_what_plain_sql_counts() {
    let (site, quality, _) = demo_site().await;
    // Findings in every state (a checks run over the whole demo takes minutes): open and
    // explained count, resolved and accepted do not, another unit's never.
    let mut conn = site.db.store.conn().expect("conn");
    let planted = [
        ("jdgc", "error", "open"),
        ("jdgc", "error", "explained"),
        ("jdgc", "warning", "open"),
        ("jdgc", "warning", "explained"),
        ("jdgc", "warning", "resolved"),
        ("jdgc", "error", "accepted"),
        ("xxgc", "error", "open"),
    ];
    for (i, (unit, severity, state)) in planted.iter().enumerate() {
        diesel::sql_query(format!(
            "INSERT INTO findings (cycle, table_code, unit, rule, severity, message, created_at, row_ref, state) \
             VALUES (2023, '2.3.1', '{unit}', 'T{i}', '{severity}', '测试', '2023-10-01T00:00:00.000Z', 'r{i}', '{state}')"
        ))
        .execute(&mut *conn)
        .expect("plant a finding");
    }
    drop(conn);
    let ask = "query($t: String!, $u: String!) { stepSummary(cycle: 2023, table: $t, unit: $u) { rows errors warnings explained explanation line unitName } }";
    for (table, unit) in [
        ("1.5.3", "jdgc"),
        ("2.3.1", "jdgc"),
        ("1.4.1", "zwb_rs"),
        ("2.9.3", "cjrh"),
    ] {
        let r = run(&site, &quality, ask, json!({ "t": table, "u": unit })).await;
        let s = &r["data"]["stepSummary"];
        let slug = site.db.table(table).slug.clone();
        let sql_table = statusdata::defs::naming::sql_table(&slug);
        let rows = count(
            &site,
            &format!(
                "SELECT COUNT(*) AS n FROM {sql_table} WHERE cycle = 2023 AND unit = '{unit}'"
            ),
        );
        let findings = |sev: &str| {
            count(&site, &format!(
            "SELECT COUNT(*) AS n FROM findings WHERE cycle = 2023 AND table_code = '{table}' AND unit = '{unit}' AND severity = '{sev}' AND state IN ('open', 'explained')"
        ))
        };
        assert_eq!(s["rows"].as_i64(), Some(rows), "{table} {unit}: {r}");
        let explained = count(&site, &format!("SELECT COUNT(*) AS n FROM findings WHERE cycle = 2023 AND table_code = '{table}' AND unit = '{unit}' AND state = 'explained'"));
        assert_eq!(
            s["explained"].as_i64(),
            Some(explained),
            "{table} {unit}: {r}"
        );
        assert_eq!(
            s["errors"].as_i64(),
            Some(findings("error")),
            "{table} {unit}: {r}"
        );
        assert_eq!(
            s["warnings"].as_i64(),
            Some(findings("warning")),
            "{table} {unit}: {r}"
        );
        let line = s["line"].as_str().unwrap_or("");
        assert!(
            line.contains(&format!("共 {rows} 行")) && !line.contains(unit),
            "units by name: {line}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_summary_carries_the_units_explanation_and_is_not_for_other_units() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("site");
    site.account("h1", "徐志强", "jdgc", "head", PASSWORD, false);
    site.account("q1", "刘雪宁", "zlb", "quality_admin", PASSWORD, false);
    site.account("c2", "别的学院", "cjrh", "collector", PASSWORD, false);
    let (head, q, other) = (
        site.token("h1", PASSWORD).await,
        site.token("q1", PASSWORD).await,
        site.token("c2", PASSWORD).await,
    );
    let submit = "mutation { submitTable(cycle: 2023, table: \"2.15.2\", unit: \"jdgc\", explanation: \"本年度无数据\") { state } }";
    let r = run(&site, &head, submit, json!({})).await;
    assert_eq!(r["data"]["submitTable"]["state"], "submitted", "{r}");
    let ask = "query { stepSummary(cycle: 2023, table: \"2.15.2\", unit: \"jdgc\") { rows explanation line state } }";
    let r = run(&site, &q, ask, json!({})).await;
    let s = &r["data"]["stepSummary"];
    assert_eq!(s["explanation"], "本年度无数据", "{r}");
    assert_eq!(s["state"], "submitted");
    assert!(
        s["line"]
            .as_str()
            .unwrap_or("")
            .ends_with("单位说明：本年度无数据"),
        "{r}"
    );
    assert_eq!(code(&run(&site, &other, ask, json!({})).await), "FORBIDDEN");
}

fn count(site: &Site, statement: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = site.db.store.conn().expect("conn");
    diesel::sql_query(statement)
        .load::<N>(&mut *conn)
        .expect("plain SQL")
        .first()
        .map_or(0, |r| r.n)
}

#[tokio::test(flavor = "multi_thread")]
async fn two_leaders_signing_while_quality_republishes_end_in_one_state() {
    let (site, _) = site().await;
    into_review_period(&site).await;
    let [q, l1, l2] = tokens(&site).await;
    for _round in 0..5 {
        let version = publish(&site, &q).await["data"]["publishIndicators"]["version"].as_i64();
        let (a, b, p) = tokio::join!(
            sign(&site, &l1, version),
            sign(&site, &l2, version),
            publish(&site, &q)
        );
        let signs = [&a, &b]
            .iter()
            .filter(|r| r["data"]["signOffIndicators"]["state"] == "signed_off")
            .count();
        let republished = p["data"]["publishIndicators"]["version"].as_i64();
        assert_eq!(
            signs + usize::from(republished.is_some()),
            1,
            "exactly one wins: {a} {b} {p}"
        );
        for lost in [&a, &b, &p].iter().filter(|r| !r["errors"].is_null()) {
            assert_eq!(code(lost), "CONFLICT", "{lost}");
        }
        let now = core(&site, &q).await;
        if signs == 1 {
            assert_eq!(
                (now["state"].as_str(), now["version"].as_i64()),
                (Some("signed_off"), version)
            );
        } else {
            assert_eq!(
                (now["state"].as_str(), now["version"].as_i64()),
                (Some("published"), republished)
            );
        }
        let mut conn = site.db.store.conn().expect("conn");
        diesel::sql_query("UPDATE indicator_snapshots SET state = 'returned'")
            .execute(&mut *conn)
            .expect("reset");
    }
    let signed = audit(&site)
        .iter()
        .filter(|(o, _)| o == "indicators_sign_off")
        .count();
    let published = audit(&site)
        .iter()
        .filter(|(o, _)| o == "indicators_publish")
        .count();
    let rows = count(&site, "SELECT COUNT(*) AS n FROM indicator_snapshots WHERE decided_by IS NOT NULL AND decision_comment = '同意上报'");
    assert_eq!(signed as i64, rows, "one audit row per sign-off");
    assert_eq!(
        published as i64,
        count(&site, "SELECT COUNT(*) AS n FROM indicator_snapshots")
    );
}
