//! The online designer of code lists (issue 26), over a scratch copy of table-defs/: a code
//! added to `level` with `since` is checked, applied and accepted at save right away; a code
//! retired with `until` is refused for the 2023 cycle while the rows holding it stay; removing a
//! code rows hold is refused naming the table and the rows, and so is the roll-back that would
//! remove it, until the row is gone; then the roll-back restores the file.

use std::sync::Arc;

use serde_json::{json, Value as Json};

use crate::site::{code, Site};
use crate::support::Scratch;

const PASSWORD: &str = "Design#2024x";
const FILE: &str = "table-defs/codes/level.toml";
const LAST: &str = "  { code = \"09\", name = \"其他\" },\n";
const ADDED: &str = "  { code = \"06\", name = \"区县级\", since = 2023 },\n";

async fn site_on(scratch: &Scratch) -> (Arc<Site>, String, String) {
    let site = crate::site::on_scratch(scratch).await;
    site.account("8001", "王质量", "zlb", "quality_admin", PASSWORD, false);
    site.account("8002", "政务部", "zwb", "collector", PASSWORD, false);
    let admin = site.token("8001", PASSWORD).await;
    let collector = site.token("8002", PASSWORD).await;
    (Arc::new(site), admin, collector)
}

const READ: &str = "query($n: String!) { codeListDefinition(name: $n) { table name file toml version draft { rowVersion } } }";
const SAVE: &str = "mutation($n: String!, $s: String!, $b: Int!, $r: Int) { saveCodeListDraft(name: $n, toml: $s, baseVersion: $b, rowVersion: $r) { table rowVersion diff problems { line key message } changes { destructive description rows } } }";
const APPLY: &str = "mutation($n: String!, $r: String!) { applyCodeListDraft(name: $n, reason: $r) { id table reason definitionsVersion } }";
const ROLLBACK: &str =
    "mutation($v: Int!, $r: String!) { rollbackDefinition(version: $v, reason: $r) { id table } }";
const CREATE: &str =
    "mutation($i: CreateSchoolAwardInput!) { createSchoolAward(input: $i) { id level } }";

/// Saves `text` as the draft of `level` (over the draft there, if any) and returns the draft.
async fn save(site: &Site, admin: &str, text: &str) -> Json {
    let def = read(site, admin).await;
    let vars = json!({ "n": "level", "s": text, "b": def["version"],
        "r": def["draft"]["rowVersion"] });
    let r = site.gql(Some(admin), SAVE, vars).await.0;
    assert!(r["errors"].is_null(), "{r}");
    r["data"]["saveCodeListDraft"].clone()
}

async fn read(site: &Site, admin: &str) -> Json {
    let (r, _) = site.gql(Some(admin), READ, json!({ "n": "level" })).await;
    r["data"]["codeListDefinition"].clone()
}

async fn apply(site: &Site, admin: &str, reason: &str) -> Json {
    let vars = json!({ "n": "level", "r": reason });
    site.gql(Some(admin), APPLY, vars).await.0
}

async fn award(site: &Site, token: &str, name: &str, level: &str) -> Json {
    let row = json!({ "awardName": name, "level": level, "issuer": "区教育局",
        "awardDate": "2023-05-01" });
    site.gql(Some(token), CREATE, json!({ "i": row })).await.0
}

fn message(r: &Json) -> String {
    r["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_added_with_since_is_used_then_removing_it_is_refused_until_unused() {
    let scratch = Scratch::new();
    let (site, admin, collector) = site_on(&scratch).await;
    let original = scratch.read(FILE);
    let def = read(&site, &admin).await;
    assert_eq!(
        (&def["table"], &def["name"], &def["file"]),
        (
            &json!("codes/level"),
            &json!("级别"),
            &json!("codes/level.toml")
        ),
        "{def}"
    );
    assert_eq!(def["toml"], original.as_str());
    let r = award(&site, &collector, "区级文明校园", "06").await;
    assert!(r["errors"].is_array(), "06 is no code yet: {r}");

    assert_eq!(original.matches(LAST).count(), 1, "{original}");
    let added = original.replacen(LAST, &format!("{LAST}{ADDED}"), 1);
    let draft = save(&site, &admin, &added).await;
    assert_eq!(draft["table"], "codes/level");
    assert_eq!(draft["problems"], json!([]), "{draft}");
    assert_eq!(draft["changes"], json!([]), "{draft}");
    let diff = draft["diff"].as_str().unwrap_or_default();
    assert!(diff.contains("+  { code = \"06\""), "{diff}");
    let r = apply(&site, &admin, "2023 年起新增区县级").await;
    let version = r["data"]["applyCodeListDraft"].clone();
    assert_eq!(version["table"], "codes/level", "{r}");
    assert_eq!(
        scratch.read(FILE),
        added,
        "the draft's text is written exactly"
    );
    assert!(read(&site, &admin).await["draft"].is_null());

    let r = award(&site, &collector, "区级文明校园", "06").await;
    assert_eq!(r["data"]["createSchoolAward"]["level"], "06", "{r}");
    let id = r["data"]["createSchoolAward"]["id"].clone();

    // Removing the code the row holds: refused at check and at apply, naming table and rows.
    let draft = save(&site, &admin, &original).await;
    let change = &draft["changes"][0];
    assert_eq!(
        (&change["destructive"], &change["rows"]),
        (&json!(true), &json!(1)),
        "{draft}"
    );
    let said = change["description"].as_str().unwrap_or_default();
    assert!(said.contains("06") && said.contains("1.1.7"), "{said}");
    let r = apply(&site, &admin, "删去区县级").await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    let m = message(&r);
    assert!(
        m.contains("1 行") && m.contains("1.1.7") && m.contains("until"),
        "{m}"
    );
    assert_eq!(scratch.read(FILE), added, "nothing changes on disk");
    let vars = json!({ "v": version["id"], "r": "撤回" });
    let (r, _) = site.gql(Some(&admin), ROLLBACK, vars.clone()).await;
    assert_eq!(
        code(&r),
        "BAD_REQUEST",
        "the roll-back would remove it too: {r}"
    );
    let discard = "mutation { discardCodeListDraft(name: \"level\") }";
    let (r, _) = site.gql(Some(&admin), discard, json!({})).await;
    assert_eq!(r["data"]["discardCodeListDraft"], true, "{r}");

    // Once no row holds it, the roll-back restores the file and the code is gone again.
    let del = "mutation($id: ID!) { deleteSchoolAward(id: $id) }";
    let (r, _) = site.gql(Some(&collector), del, json!({ "id": id })).await;
    assert!(r["errors"].is_null(), "{r}");
    let (r, _) = site.gql(Some(&admin), ROLLBACK, vars).await;
    assert_eq!(
        r["data"]["rollbackDefinition"]["table"], "codes/level",
        "{r}"
    );
    assert_eq!(scratch.read(FILE), original);
    let r = award(&site, &collector, "区级文明校园", "06").await;
    assert!(r["errors"].is_array(), "06 is gone again: {r}");
    let q = "{ definitionHistory(table: \"codes/level\") { reason } }";
    let (r, _) = site.gql(Some(&admin), q, json!({})).await;
    assert_eq!(
        r["data"]["definitionHistory"],
        json!([{ "reason": "撤回" }, { "reason": "2023 年起新增区县级" }])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_retired_with_until_is_refused_for_2023_while_its_rows_stay() {
    let scratch = Scratch::new();
    let (site, admin, collector) = site_on(&scratch).await;
    let r = award(&site, &collector, "校级优秀", "05").await;
    assert!(r["data"]["createSchoolAward"]["id"].is_string(), "{r}");
    let original = scratch.read(FILE);
    let school = "{ code = \"05\", name = \"校级\" }";
    let retired = original.replacen(
        school,
        "{ code = \"05\", name = \"校级\", until = 2022 }",
        1,
    );
    assert_ne!(retired, original);
    let draft = save(&site, &admin, &retired).await;
    assert_eq!(
        (&draft["problems"], &draft["changes"]),
        (&json!([]), &json!([])),
        "retiring loses nothing: {draft}"
    );
    let r = apply(&site, &admin, "校级奖项自 2023 年起不再填报").await;
    assert!(r["data"]["applyCodeListDraft"]["id"].is_i64(), "{r}");
    let r = award(&site, &collector, "校级优秀二", "05").await;
    assert!(r["errors"].is_array(), "05 ends with 2022: {r}");
    let list = "{ schoolAwards { totalCount } }";
    let (r, _) = site.gql(Some(&collector), list, json!({})).await;
    assert_eq!(
        r["data"]["schoolAwards"]["totalCount"], 1,
        "the row stays: {r}"
    );

    // A faulty list: the problem names its key and line; it is not applied.
    let wrong = original.replacen(
        school,
        "{ code = \"05\", name = \"校级\", since = 2024, until = 2022 }",
        1,
    );
    let draft = save(&site, &admin, &wrong).await;
    let p = &draft["problems"][0];
    assert_eq!(p["key"], "codes[4].until", "{draft}");
    assert!(p["line"].as_i64().is_some_and(|l| l > 5), "{draft}");
    let r = apply(&site, &admin, "试").await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    assert_eq!(scratch.read(FILE), retired);
    let (r, _) = site
        .gql(Some(&collector), READ, json!({ "n": "level" }))
        .await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
}
