//! Rights through GraphQL: who may fill which table, row scope between units, and 质量部
//! changing the policy while the server runs.

use serde_json::json;
use statusdata::defs::{self, naming};

use crate::site::{code, setup};
use crate::support::{notice, project_paths};

#[tokio::test(flavor = "multi_thread")]
async fn a_collector_fills_exactly_the_tables_the_notice_assigns_to_the_unit() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let units = defs::load_units(&project_paths().units).expect("units");
    let tables = notice();
    let mut mismatches = Vec::new();
    for (i, unit) in units.units.iter().enumerate() {
        let staff_no = format!("9{i:03}");
        site.account(
            &staff_no,
            "测试员",
            &unit.code,
            "collector",
            "Tester#2023",
            false,
        );
        let token = site.token(&staff_no, "Tester#2023").await;
        for t in &tables {
            let fills = t.fill_units.iter().any(|u| {
                units.by_name(u).is_some_and(|x| x.code == unit.code)
                    || units
                        .group_by_name(u)
                        .is_some_and(|g| g.members.contains(&unit.code))
            });
            let slug = &site
                .db
                .store
                .catalog()
                .table_by_code(&t.code)
                .expect("table")
                .slug;
            let q = format!(
                "mutation {{ {}(input: {{}}) {{ id }} }}",
                naming::create_mutation(slug)
            );
            let (r, _) = site.gql(Some(&token), &q, json!({})).await;
            let got = code(&r);
            let want = if fills {
                "VALIDATION_FAILED"
            } else {
                "FORBIDDEN"
            };
            if got != want {
                mismatches.push(format!(
                    "{} {} {}: {got} (want {want})",
                    unit.name, t.code, t.name
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn colleges_keep_to_their_own_rows_and_the_reviewer_sees_all() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account(
        "8001",
        "机电采集员",
        "jdgc",
        "collector",
        "Tester#2023",
        false,
    );
    site.account(
        "8002",
        "信息采集员",
        "xxgc",
        "collector",
        "Tester#2023",
        false,
    );
    site.account("8003", "教务审核", "jwb", "head", "Tester#2023", false);
    let (jd, xx, jw) = (
        site.token("8001", "Tester#2023").await,
        site.token("8002", "Tester#2023").await,
        site.token("8003", "Tester#2023").await,
    );
    let row = |teacher: &str| json!({ "term": "2022-2023-1", "courseCode": "C01", "courseName": "机械制图", "teacherKind": "1", "teacherNo": teacher, "teacherName": "张三", "className": "机电2201班", "majorCode": "460101", "students": 40, "hours": 48, "practiceHours": 24, "mode": "01" });
    let create = "mutation($i: CreateTeachingAssignmentInput!) { createTeachingAssignment(input: $i) { id unit } }";
    let (a, _) = site.gql(Some(&jd), create, json!({ "i": row("T1") })).await;
    let jd_id = a["data"]["createTeachingAssignment"]["id"].clone();
    assert_eq!(a["data"]["createTeachingAssignment"]["unit"], "jdgc", "{a}");
    let (b, _) = site.gql(Some(&xx), create, json!({ "i": row("T2") })).await;
    assert_eq!(b["data"]["createTeachingAssignment"]["unit"], "xxgc", "{b}");
    let count = "{ teachingAssignments { totalCount nodes { unit } } }";
    assert_eq!(
        site.gql(Some(&jd), count, json!({})).await.0["data"]["teachingAssignments"]["totalCount"],
        1
    );
    assert_eq!(
        site.gql(Some(&xx), count, json!({})).await.0["data"]["teachingAssignments"]["totalCount"],
        1
    );
    assert_eq!(
        site.gql(Some(&jw), count, json!({})).await.0["data"]["teachingAssignments"]["totalCount"],
        2,
        "教务部 reviews 2.1.1"
    );
    let update = "mutation($id: ID!) { updateTeachingAssignment(id: $id, rowVersion: 1, patch: { hours: 50 }) { id } }";
    let (r, _) = site.gql(Some(&xx), update, json!({ "id": jd_id })).await;
    assert_eq!(
        code(&r),
        "NOT_FOUND",
        "信息工程学院 cannot change 机电's row: {r}"
    );
    let (r, _) = site
        .gql(
            Some(&xx),
            "mutation($id: ID!) { deleteTeachingAssignment(id: $id) }",
            json!({ "id": jd_id }),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
    let (r, _) = site.gql(Some(&xx), "mutation($i: CreateTeachingAssignmentInput!) { createTeachingAssignment(input: $i, unit: \"jdgc\") { id } }", json!({ "i": row("T3") })).await;
    assert_eq!(code(&r), "FORBIDDEN", "no filling for another unit: {r}");
    let (r, _) = site.gql(Some(&jw), create, json!({ "i": row("T4") })).await;
    assert_eq!(code(&r), "FORBIDDEN", "the reviewer does not fill: {r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn quality_office_grants_and_revokes_rights_without_a_restart() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account(
        "7001",
        "质量部",
        "zlb",
        "quality_admin",
        "Right#2023",
        false,
    );
    site.account("7002", "图书馆", "tsg", "collector", "Right#2023", false);
    let (admin, library) = (
        site.token("7001", "Right#2023").await,
        site.token("7002", "Right#2023").await,
    );
    let create = "mutation { createContact(input: {}) { id } }";
    assert_eq!(
        code(&site.gql(Some(&library), create, json!({})).await.0),
        "FORBIDDEN"
    );
    let grant =
        "mutation($u: String!, $t: String!) { grantRight(unit: $u, table: $t, action: FILL) }";
    let (r, _) = site
        .gql(
            Some(&library),
            grant,
            json!({ "u": "图书馆", "t": "1.1.2" }),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN", "only 质量部: {r}");
    let (r, _) = site
        .gql(Some(&admin), grant, json!({ "u": "tsg", "t": "1.1.2" }))
        .await;
    assert_eq!(r["data"]["grantRight"], true, "{r}");
    assert_eq!(
        code(&site.gql(Some(&library), create, json!({})).await.0),
        "VALIDATION_FAILED",
        "the grant is in force at once"
    );
    let file = crate::site::stored_policy(&site);
    assert!(
        file.contains("p, 图书馆, 1.1.2, fill") && file.starts_with("# 填报与审核分工"),
        "written, comments kept"
    );
    let revoke = "mutation($u: String!, $t: String!, $a: RightAction!) { revokeRight(unit: $u, table: $t, action: $a) }";
    let (r, _) = site
        .gql(
            Some(&admin),
            revoke,
            json!({ "u": "图书馆", "t": "1.1.2", "a": "FILL" }),
        )
        .await;
    assert_eq!(r["data"]["revokeRight"], true, "{r}");
    assert_eq!(
        code(&site.gql(Some(&library), create, json!({})).await.0),
        "FORBIDDEN",
        "revoked"
    );
    let (r, _) = site
        .gql(
            Some(&admin),
            revoke,
            json!({ "u": "图书馆", "t": "1.1.6", "a": "REVIEW" }),
        )
        .await;
    assert_eq!(
        code(&r),
        "BAD_REQUEST",
        "the last reviewer of a table cannot go: {r}"
    );
    let after = crate::site::stored_policy(&site);
    assert!(after.contains("p, 图书馆, 1.1.6, review"));
    let log = site.db.store.audit_log("1.1.2", None).expect("audit");
    let ops: Vec<&str> = log.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(ops, ["grant", "revoke"]);
}
