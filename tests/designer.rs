//! The online designer (issue 26), over a scratch copy of table-defs/: a field with a code list
//! added to 1.1.7 through a draft is checked, diffed, applied and live without a restart, and
//! rolled back; a faulty draft shows its problems with a line and is not applied; a destructive
//! change to a table with rows in the open cycle is refused and nothing changes on disk; a draft
//! on an older version is refused; two administrators saving one draft at once: one wins, the
//! other is told who; a collector may do none of it; on PostgreSQL, a draft applied through one
//! `serve` is followed by another on the same files.

use std::sync::Arc;

use serde_json::{json, Value as Json};

use crate::site::{code, Site};
use crate::support::Scratch;

const PASSWORD: &str = "Design#2024x";
const FILE: &str = "table-defs/1.1.7-school_awards.toml";
const FIELD: &str =
    "\n[[fields]]\nname = \"honor_kind\"\nlabel = \"荣誉类别\"\ntype = \"enum\"\ncodes = \"level\"\n";

/// A site reloading from a scratch copy; tokens of two 质量部 administrators and a collector.
async fn site_on(scratch: &Scratch) -> (Arc<Site>, String, String, String) {
    let site = crate::site::on_scratch(scratch).await;
    site.account("8001", "王质量", "zlb", "quality_admin", PASSWORD, false);
    site.account("8003", "李质量", "zlb", "quality_admin", PASSWORD, false);
    site.account("8002", "政务部", "zwb", "collector", PASSWORD, false);
    let a = site.token("8001", PASSWORD).await;
    let b = site.token("8003", PASSWORD).await;
    let collector = site.token("8002", PASSWORD).await;
    (Arc::new(site), a, b, collector)
}

const READ: &str = "query($t: String!) { tableDefinition(table: $t) { table name file toml version draft { rowVersion authorName } } }";
const SAVE: &str = "mutation($t: String!, $s: String!, $b: Int!, $r: Int) { saveDefinitionDraft(table: $t, toml: $s, baseVersion: $b, rowVersion: $r) { table toml baseVersion rowVersion authorName updatedAt stale diff problems { line key message } changes { destructive description rows } } }";
const APPLY: &str = "mutation($t: String!, $r: String!) { applyDefinitionDraft(table: $t, reason: $r) { id table authorName at reason definitionsVersion } }";
const ROLLBACK: &str = "mutation($v: Int!, $r: String!) { rollbackDefinition(version: $v, reason: $r) { id table reason definitionsVersion } }";
const FIELDS: &str = "{ __type(name: \"SchoolAward\") { fields { name } } }";

async fn read(site: &Site, token: &str) -> Json {
    let (r, _) = site.gql(Some(token), READ, json!({ "t": "1.1.7" })).await;
    r["data"]["tableDefinition"].clone()
}

async fn save(site: &Site, token: &str, text: &str, base: &Json, row: Json) -> Json {
    let vars = json!({ "t": "1.1.7", "s": text, "b": base, "r": row });
    site.gql(Some(token), SAVE, vars).await.0
}

async fn apply(site: &Site, token: &str, reason: &str) -> Json {
    let vars = json!({ "t": "1.1.7", "r": reason });
    site.gql(Some(token), APPLY, vars).await.0
}

async fn fields(site: &Site, token: &str) -> String {
    site.gql(Some(token), FIELDS, json!({})).await.0["data"]["__type"]["fields"].to_string()
}

fn message(r: &Json) -> String {
    r["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_field_with_a_code_list_is_applied_live_and_rolled_back() {
    let scratch = Scratch::new();
    let (site, admin, _, _) = site_on(&scratch).await;
    let original = scratch.read(FILE);
    let def = read(&site, &admin).await;
    assert_eq!(def["file"], "1.1.7-school_awards.toml", "{def}");
    assert_eq!(def["toml"], original.as_str());
    assert!(def["draft"].is_null(), "{def}");
    let text = format!("{original}{FIELD}");
    let r = save(&site, &admin, &text, &def["version"], Json::Null).await;
    let draft = &r["data"]["saveDefinitionDraft"];
    assert_eq!(draft["problems"], json!([]), "{r}");
    assert_eq!(
        (draft["rowVersion"].clone(), draft["stale"].clone()),
        (json!(1), json!(false))
    );
    assert_eq!(draft["authorName"], "王质量");
    let diff = draft["diff"].as_str().unwrap_or_default();
    assert!(
        diff.contains("+name = \"honor_kind\"") && diff.contains("+codes = \"level\""),
        "{diff}"
    );
    assert!(
        !diff
            .lines()
            .any(|l| l.starts_with('-') && !l.starts_with("---")),
        "{diff}"
    );
    assert_eq!(
        draft["changes"],
        json!([{ "destructive": false, "description": "新增字段 1.1.7.honor_kind", "rows": null }])
    );
    assert!(!fields(&site, &admin).await.contains("honorKind"));

    let r = apply(&site, &admin, "2024 年通知新增荣誉类别").await;
    let applied = r["data"]["applyDefinitionDraft"].clone();
    assert_eq!(applied["reason"], "2024 年通知新增荣誉类别", "{r}");
    assert_eq!(applied["authorName"], "王质量");
    assert_eq!(
        scratch.read(FILE),
        text,
        "the draft's text is written exactly"
    );
    assert!(
        fields(&site, &admin).await.contains("honorKind"),
        "live without a restart"
    );
    let list = "{ schoolAwards { totalCount nodes { id honorKind } } }";
    let (r, _) = site.gql(Some(&admin), list, json!({})).await;
    assert!(
        r["data"]["schoolAwards"]["totalCount"].is_number() && r["errors"].is_null(),
        "{r}"
    );
    let create =
        "mutation($i: CreateSchoolAwardInput!) { createSchoolAward(input: $i) { id honorKind } }";
    let row = json!({ "awardName": "全国文明校园", "level": "02", "issuer": "中央文明委",
        "awardDate": "2023-05-01", "honorKind": "01" });
    let def = read(&site, &admin).await;
    assert!(def["draft"].is_null(), "the applied draft is gone: {def}");
    assert_eq!(def["version"], applied["definitionsVersion"]);

    let r = site
        .gql(
            Some(&admin),
            ROLLBACK,
            json!({ "v": applied["id"], "r": "撤回" }),
        )
        .await
        .0;
    let back = &r["data"]["rollbackDefinition"];
    assert_eq!(back["reason"], "撤回", "{r}");
    assert_eq!(scratch.read(FILE), original, "the earlier text is back");
    assert!(!fields(&site, &admin).await.contains("honorKind"));
    let (r, _) = site.gql(Some(&admin), create, json!({ "i": row })).await;
    assert!(r["errors"].is_array(), "the field is gone again: {r}");

    let q = "{ definitionHistory(table: \"1.1.7\") { id reason } }";
    let (r, _) = site.gql(Some(&admin), q, json!({})).await;
    let history = r["data"]["definitionHistory"].clone();
    assert_eq!(history[0]["reason"], "撤回", "newest first: {r}");
    assert_eq!(history[1]["id"], applied["id"]);
    let q = "query($f: Int!, $t: Int!) { definitionVersionDiff(from: $f, to: $t) }";
    let vars = json!({ "f": history[1]["id"], "t": history[0]["id"] });
    let (r, _) = site.gql(Some(&admin), q, vars).await;
    let diff = r["data"]["definitionVersionDiff"]
        .as_str()
        .unwrap_or_default();
    assert!(diff.contains("-name = \"honor_kind\""), "{r}");
    let log = site.db.store.audit_log("1.1.7", None).expect("audit");
    let ops: Vec<&str> = log.iter().map(|e| e.operation.as_str()).collect();
    assert!(
        ops.contains(&"apply_definition_draft") && ops.contains(&"rollback_definition"),
        "{ops:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_faulty_draft_shows_problems_with_a_line_and_is_not_applied() {
    let scratch = Scratch::new();
    let (site, admin, _, _) = site_on(&scratch).await;
    let original = scratch.read(FILE);
    let def = read(&site, &admin).await;
    let text = format!("{original}{}", FIELD.replace("\"enum\"", "\"enumm\""));
    let r = save(&site, &admin, &text, &def["version"], Json::Null).await;
    let problems = r["data"]["saveDefinitionDraft"]["problems"].clone();
    let first = &problems[0];
    assert!(first["line"].as_i64().is_some_and(|l| l > 1), "{r}");
    assert!(
        first["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{r}"
    );
    let r = apply(&site, &admin, "试").await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    assert!(message(&r).contains("草稿有问题"), "{r}");
    assert_eq!(scratch.read(FILE), original);
    let (r, _) = site
        .gql(Some(&admin), "{ definitionHistory { id } }", json!({}))
        .await;
    assert_eq!(r["data"]["definitionHistory"], json!([]), "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_destructive_change_to_a_table_with_rows_in_the_open_cycle_is_refused() {
    let scratch = Scratch::new();
    let (site, admin, _, collector) = site_on(&scratch).await;
    let create = "mutation($i: CreateSchoolAwardInput!) { createSchoolAward(input: $i) { id } }";
    let row = json!({ "awardName": "全国文明校园", "level": "02", "issuer": "中央文明委",
        "awardDate": "2023-05-01", "projectTitle": "文明校园创建" });
    let (r, _) = site
        .gql(Some(&collector), create, json!({ "i": row }))
        .await;
    assert!(r["data"]["createSchoolAward"]["id"].is_string(), "{r}");
    let original = scratch.read(FILE);
    let block = "[[fields]]\nname = \"project_title\"\nlabel = \"获奖项目（成果）名称\"\ntype = \"string\"\nmax_len = 200\nhelp = \"奖项针对具体项目或成果的（如教学成果奖），填写项目（成果）名称。\"\n\n";
    assert_eq!(original.matches(block).count(), 1, "{original}");
    let text = original.replacen(block, "", 1);
    let def = read(&site, &admin).await;
    let r = save(&site, &admin, &text, &def["version"], Json::Null).await;
    let changes = r["data"]["saveDefinitionDraft"]["changes"].clone();
    assert_eq!(changes[0]["destructive"], true, "{r}");
    assert_eq!(changes[0]["rows"], 1, "{r}");
    assert!(changes[0]["description"]
        .as_str()
        .unwrap_or_default()
        .contains("project_title"));
    assert!(
        !changes.to_string().contains("statusdata-draft-"),
        "the reasons name the instance's own file, not the copy checked: {changes}"
    );
    let r = apply(&site, &admin, "删去获奖项目").await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    let m = message(&r);
    assert!(
        m.contains("project_title")
            && m.contains("1 行")
            && m.contains("statusdata migrate --allow-destructive")
            && m.contains("备份"),
        "{m}"
    );
    assert_eq!(scratch.read(FILE), original, "nothing changes on disk");
    assert!(fields(&site, &admin).await.contains("projectTitle"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_draft_based_on_an_older_version_is_refused_with_the_change_shown() {
    let scratch = Scratch::new();
    let (site, a, b, _) = site_on(&scratch).await;
    let original = scratch.read(FILE);
    let old = read(&site, &b).await;
    let def = read(&site, &a).await;
    let r = save(
        &site,
        &a,
        &format!("{original}{FIELD}"),
        &def["version"],
        Json::Null,
    )
    .await;
    assert_eq!(
        r["data"]["saveDefinitionDraft"]["problems"],
        json!([]),
        "{r}"
    );
    let r = apply(&site, &a, "新增荣誉类别").await;
    assert!(r["data"]["applyDefinitionDraft"]["id"].is_i64(), "{r}");

    // 李 began before 王's apply: her draft is based on the older version.
    let mine = original.replace("级别", "奖励级别");
    let r = save(&site, &b, &mine, &old["version"], Json::Null).await;
    assert_eq!(r["data"]["saveDefinitionDraft"]["stale"], true, "{r}");
    let r = apply(&site, &b, "改标签").await;
    assert_eq!(code(&r), "CONFLICT", "{r}");
    let m = message(&r);
    assert!(
        m.contains("+name = \"honor_kind\"") && m.contains("重新保存草稿"),
        "{m}"
    );
    assert_eq!(scratch.read(FILE), format!("{original}{FIELD}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_administrators_saving_one_draft_at_once_one_wins_and_the_other_is_told() {
    let scratch = Scratch::new();
    let (site, a, b, _) = site_on(&scratch).await;
    let original = scratch.read(FILE);
    let def = read(&site, &a).await;
    let (text_a, text_b) = (
        format!("{original}{FIELD}"),
        original.replace("级别", "奖励级别"),
    );
    let (ra, rb) = tokio::join!(
        save(&site, &a, &text_a, &def["version"], Json::Null),
        save(&site, &b, &text_b, &def["version"], Json::Null),
    );
    let (won, lost, winner, kept) = if ra["errors"].is_null() {
        (ra, rb, "王质量", text_a)
    } else {
        (rb, ra, "李质量", text_b)
    };
    assert_eq!(won["data"]["saveDefinitionDraft"]["rowVersion"], 1, "{won}");
    assert_eq!(code(&lost), "CONFLICT", "{lost}");
    assert!(message(&lost).contains(winner), "{lost}");
    let now = read(&site, &a).await;
    assert_eq!(now["draft"]["authorName"], winner);
    let q = "query { tableDefinition(table: \"1.1.7\") { draft { toml } } }";
    let (r, _) = site.gql(Some(&a), q, json!({})).await;
    assert_eq!(
        r["data"]["tableDefinition"]["draft"]["toml"],
        kept.as_str(),
        "nothing lost"
    );
    // The one told reads the draft and saves over it knowingly.
    let r = save(
        &site,
        &b,
        &original,
        &def["version"],
        now["draft"]["rowVersion"].clone(),
    )
    .await;
    assert_eq!(r["data"]["saveDefinitionDraft"]["rowVersion"], 2, "{r}");
    assert_eq!(r["data"]["saveDefinitionDraft"]["authorName"], "李质量");
    let r = save(&site, &a, &original, &def["version"], json!(1)).await;
    assert_eq!(code(&r), "CONFLICT", "an outdated rowVersion: {r}");
    let discard = "mutation { discardDefinitionDraft(table: \"1.1.7\") }";
    let (r, _) = site.gql(Some(&a), discard, json!({})).await;
    assert_eq!(r["data"]["discardDefinitionDraft"], true, "{r}");
    let (r, _) = site.gql(Some(&a), discard, json!({})).await;
    assert_eq!(r["data"]["discardDefinitionDraft"], false, "{r}");
    let r = save(&site, &b, "x = 1", &def["version"], json!(2)).await;
    assert_eq!(code(&r), "CONFLICT", "{r}");
    assert!(message(&r).contains("已被应用或放弃"), "{r}");
    assert_eq!(scratch.read(FILE), original, "drafts never touch the file");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_collector_may_not_read_save_or_apply_definitions() {
    let scratch = Scratch::new();
    let (site, _, _, collector) = site_on(&scratch).await;
    let original = scratch.read(FILE);
    let (r, _) = site
        .gql(Some(&collector), READ, json!({ "t": "1.1.7" }))
        .await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    let r = save(&site, &collector, "x = 1", &json!(0), Json::Null).await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    let r = apply(&site, &collector, "试").await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    let (r, _) = site
        .gql(Some(&collector), "{ definitionHistory { id } }", json!({}))
        .await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    assert_eq!(scratch.read(FILE), original);
}

#[test]
fn a_draft_applied_through_one_instance_is_followed_by_the_other() {
    use crate::instances::{eventually, gql, http, prepared, start, token};
    if !crate::db::on_postgres() {
        eprintln!("skipped: several instances need PostgreSQL (set TEST_DATABASE_URL)");
        return;
    }
    let (db, scratch) = prepared();
    let (a, b) = (
        start(&db.url, scratch.dir.path(), "a"),
        start(&db.url, scratch.dir.path(), "b"),
    );
    for i in [&a, &b] {
        eventually("both instances answer /healthz", || {
            std::net::TcpStream::connect(("127.0.0.1", i.port)).is_ok()
                && http(i.port, "GET", "/healthz", None, "").0 == 200
        });
    }
    let admin = token(&a, "8001");
    let r = gql(&a, Some(&admin), READ, json!({ "t": "1.1.7" }));
    let def = &r["data"]["tableDefinition"];
    let text = format!("{}{FIELD}", def["toml"].as_str().unwrap_or_default());
    let vars = json!({ "t": "1.1.7", "s": text, "b": def["version"], "r": null });
    let r = gql(&a, Some(&admin), SAVE, vars);
    assert_eq!(
        r["data"]["saveDefinitionDraft"]["problems"],
        json!([]),
        "{r}"
    );
    let r = gql(
        &a,
        Some(&admin),
        APPLY,
        json!({ "t": "1.1.7", "r": "两个实例" }),
    );
    assert!(r["data"]["applyDefinitionDraft"]["id"].is_i64(), "{r}");
    eventually("the new field on b", || {
        gql(&b, Some(&admin), FIELDS, json!({}))["data"]["__type"]["fields"]
            .to_string()
            .contains("honorKind")
    });
    let r = gql(
        &b,
        Some(&admin),
        "{ definitionHistory { reason } }",
        json!({}),
    );
    assert_eq!(
        r["data"]["definitionHistory"],
        json!([{ "reason": "两个实例" }])
    );
}
