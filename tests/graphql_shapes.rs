//! Row and workflow shapes for API clients: each code field's label is the code list's name,
//! rows carry their unit's name, a reference the caller may not read is null with a FORBIDDEN
//! error at its path, and progress and submissions share a stable id.

use serde_json::{json, Value as Json};
use statusdata::store::{RowScope, Value, WriteCtx};

use crate::instances::PASSWORD;
use crate::site::Site;

/// Writes one row of `table` for `unit` straight into the store.
fn plant(site: &Site, table: &str, unit: &str, fields: Vec<(&str, Value)>) {
    let catalog = site.db.store.catalog().clone();
    let table = catalog.table_by_code(table).expect("table").clone();
    let record = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let ctx = WriteCtx {
        cycle: 2023,
        unit: unit.into(),
        actor: "test".into(),
    };
    site.db
        .store
        .unguarded()
        .insert(&table, &RowScope::All, &ctx, &record)
        .expect("insert");
}

fn names(list: &Json) -> std::collections::HashMap<String, String> {
    list["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| {
            let name = c["name"].as_str().expect("name").to_owned();
            (c["code"].as_str().expect("code").to_owned(), name)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn labels_are_the_code_lists_names_and_rows_carry_their_units_name() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    site.account("8401", "质量", "zlb", "quality_admin", PASSWORD, false);
    let token = site.token("8401", PASSWORD).await;
    let purposes = Value::List(vec!["01".into(), "03".into()]);
    let fields = vec![
        ("visitor_role", Value::Text("01".into())),
        ("purpose", purposes),
    ];
    plant(&site, "2.8.1", "zlb", fields);
    let q = "{ leaderVisits(cycle: 2023) { nodes { unit unitName visitorRole visitorRoleLabel purpose purposeLabel } }
               role: codeList(name: \"leader_role\") { codes { code name } }
               purpose: codeList(name: \"visit_purpose\") { codes { code name } } }";
    let (r, _) = site.gql(Some(&token), q, json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    let row = &r["data"]["leaderVisits"]["nodes"][0];
    let (role, purpose) = (names(&r["data"]["role"]), names(&r["data"]["purpose"]));
    assert_eq!(row["visitorRoleLabel"], json!(role["01"]), "{row}");
    assert_eq!(
        row["purposeLabel"],
        json!([purpose["01"], purpose["03"]]),
        "{row}"
    );
    assert_eq!(row["unit"], "zlb");
    let unit_name = row["unitName"].as_str().expect("unitName");
    assert!(!unit_name.is_empty() && unit_name != "zlb", "{row}");
    let q = "{ leaderVisitsAggregate(cycle: 2023, groupBy: [VISITOR_ROLE]) { key { visitorRole visitorRoleLabel } count } }";
    let (r, _) = site.gql(Some(&token), q, json!({})).await;
    let key = &r["data"]["leaderVisitsAggregate"][0]["key"];
    assert_eq!(key["visitorRoleLabel"], json!(role["01"]), "{r}");
    // Asked without the code itself, the label still reads its cell.
    let (r, _) = site
        .gql(
            Some(&token),
            "{ leaderVisits(cycle: 2023) { nodes { visitorRoleLabel } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r["data"]["leaderVisits"]["nodes"][0]["visitorRoleLabel"],
        json!(role["01"]),
        "{r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reference_the_caller_may_not_read_is_null_with_a_forbidden_error() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    site.account("8402", "测试", "jdgc", "collector", PASSWORD, false);
    let token = site.token("8402", PASSWORD).await;
    plant(
        &site,
        "2.15.2",
        "jdgc",
        vec![("leader_no", Value::Text("T0001".into()))],
    );
    let q = "{ rdIncomeList(cycle: 2023) { nodes { leaderNo leaderNoRow { id } } } }";
    let (r, _) = site.gql(Some(&token), q, json!({})).await;
    let row = &r["data"]["rdIncomeList"]["nodes"][0];
    assert_eq!(row["leaderNo"], "T0001", "{r}");
    assert!(row["leaderNoRow"].is_null(), "{r}");
    let e = &r["errors"][0];
    assert_eq!(e["extensions"]["code"], "FORBIDDEN", "{r}");
    assert_eq!(
        e["path"],
        json!(["rdIncomeList", "nodes", 0, "leaderNoRow"]),
        "{r}"
    );
    assert!(
        e["message"].as_str().is_some_and(|m| m.contains("1.4.1")),
        "names the table: {r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_tasks_and_submissions_share_a_stable_id() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    site.account("8403", "测试", "jdgc", "head", PASSWORD, false);
    let token = site.token("8403", PASSWORD).await;
    let progress =
        "{ progress(cycle: 2023) { id cycle table unit state } myTasks { id table unit } }";
    let (before, _) = site.gql(Some(&token), progress, json!({})).await;
    let entry = |r: &Json, list: &str| {
        r["data"][list]
            .as_array()
            .expect("list")
            .iter()
            .find(|e| e["table"] == "2.15.2" && e["unit"] == "jdgc")
            .cloned()
            .unwrap_or_else(|| panic!("2.15.2 of jdgc in {list}: {r}"))
    };
    let id = entry(&before, "progress")["id"].clone();
    assert_eq!(id, "2023:2.15.2:jdgc", "{before}");
    assert_eq!(entry(&before, "myTasks")["id"], id);
    let submit = "mutation { submitTable(cycle: 2023, table: \"2.15.2\", explanation: \"本年度无数据\") { id cycle table unit state } }";
    let (r, _) = site.gql(Some(&token), submit, json!({})).await;
    assert_eq!(r["data"]["submitTable"]["state"], "submitted", "{r}");
    assert_eq!(r["data"]["submitTable"]["id"], id, "{r}");
    let (after, _) = site.gql(Some(&token), progress, json!({})).await;
    let entry = entry(&after, "progress");
    assert_eq!((&entry["id"], &entry["state"]), (&id, &json!("submitted")));
}

#[tokio::test]
async fn check_refuses_a_field_named_like_a_derived_label_or_unit_name() {
    let s = crate::support::Scratch::new();
    let file = "table-defs/2.8.1-leader_visits.toml";
    let label = s.append_field(
        file,
        "name = \"visitor_role_label\"\nlabel = \"职务说明\"\ntype = \"string\"",
    );
    let unit = s.append_field(
        file,
        "name = \"unit_name\"\nlabel = \"单位名\"\ntype = \"string\"",
    );
    let problems = s.problems().await;
    for (i, needle) in [(label, "visitorRoleLabel"), (unit, "unitName")] {
        let key = format!("fields[{i}].name");
        assert!(
            problems
                .iter()
                .any(|p| p.key == key && p.message.contains(needle)),
            "{needle}: {}",
            crate::support::show(&problems)
        );
    }
}
