//! The GraphQL API through the real router (no socket), on the active backend.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value as Json};
use statusdata::authz::Policy;
use statusdata::defs;
use statusdata::graphql::{build_schema, ApiConfig};
use statusdata::http::{router, AppState};
use tower::ServiceExt;

use crate::db::TestDb;
use crate::support::{project_paths, root};

pub struct Api {
    pub db: TestDb,
    pub app: axum::Router,
    _policy_dir: tempfile::TempDir,
}

impl Api {
    /// The real catalog on a fresh database; `development` runs requests as the development principal.
    pub fn new(development: bool) -> Api {
        Api::with_limits(development, statusdata::xlsx::import::Limits::default())
    }

    /// As [`Api::new`], with the given Excel import limits.
    pub fn with_limits(development: bool, limits: statusdata::xlsx::import::Limits) -> Api {
        let db = TestDb::new(&root());
        db.install_demo_cycle();
        Api::over(db, development, limits)
    }

    /// The router over a database the test prepared.
    fn over(db: TestDb, development: bool, limits: statusdata::xlsx::import::Limits) -> Api {
        let paths = project_paths();
        let (policy, policy_dir) = crate::support::policy_cell();
        let units = Arc::new(defs::load_units(&paths.units).expect("units"));
        let catalog = db.store.catalog().clone();
        let schema = build_schema(&catalog, Some(ApiConfig::default())).expect("schema");
        let mut state = AppState::new(
            schema,
            statusdata::service::Service::new(db.store.clone(), policy, units),
        );
        state.development = development;
        state.import_limits = limits;
        let app = router(state);
        Api {
            db,
            app,
            _policy_dir: policy_dir,
        }
    }

    /// With the demo college written into the database (a copy of [`TestDb::demo`]'s).
    pub fn with_demo() -> Api {
        Api::over(
            TestDb::demo(),
            true,
            statusdata::xlsx::import::Limits::default(),
        )
    }

    pub async fn post(&self, body: Json) -> (StatusCode, Json) {
        let request = Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        let response = self.app.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
            .await
            .expect("body");
        (status, serde_json::from_slice(&bytes).unwrap_or(Json::Null))
    }

    pub async fn gql(&self, query: &str, variables: Json) -> Json {
        self.post(json!({ "query": query, "variables": variables }))
            .await
            .1
    }
}

pub fn code(r: &Json) -> &str {
    r["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread")]
async fn input_problems_come_back_all_at_once_in_chinese() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let r = api
        .gql(
            "mutation($i: CreateEnterpriseInput!) { createEnterprise(input: $i, unit: \"cjrh\") { id } }",
            json!({ "i": { "uscc": "123", "entName": "测试企业", "area": "410102", "listed": true } }),
        )
        .await;
    assert_eq!(code(&r), "VALIDATION_FAILED", "{r}");
    let problems = r["errors"][0]["extensions"]["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let fields: Vec<&str> = problems
        .iter()
        .filter_map(|p| p["field"].as_str())
        .collect();
    for f in ["uscc", "nature", "scale", "industry"] {
        assert!(fields.contains(&f), "{f} missing in {r}");
    }
    assert!(
        problems.iter().any(|p| p["message"] == "企业性质：必填"),
        "{r}"
    );
    let r = api
        .gql(
            "mutation { createLeaderVisit(input: { visitDate: \"2021-05-01\" }, unit: \"cjrh\") { id } }",
            json!({}),
        )
        .await;
    let problems = r["errors"][0]["extensions"]["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let period = problems
        .iter()
        .find(|p| p["field"] == "visitDate")
        .cloned()
        .unwrap_or_default();
    assert_eq!(period["rule"], "period", "{r}");
    assert_eq!(
        period["message"], "走访日期：应在本周期统计时段内（2022-09-01至2023-08-31）",
        "{r}"
    );
    let r = api
        .gql(
            "{ students(filter: { grade: { eq: \"x\" } }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_college_through_graphql() {
    let api = tokio::task::spawn_blocking(Api::with_demo)
        .await
        .expect("setup");

    // 1.5.1, the large table: filter, order, paging, totalCount.
    let q = "query($f: StudentFilter, $after: String) { students(first: 50, filter: $f, orderBy: [{ field: STUDENT_NO, direction: DESC }], after: $after) { totalCount nodes { studentNo gender grade majorCodeRow { majorName } } pageInfo { hasNextPage endCursor } } }";
    let f = json!({ "and": [{ "gender": { "eq": "2" } }, { "grade": { "gte": 2022 } }] });
    let page1 = api.gql(q, json!({ "f": f })).await;
    let s = &page1["data"]["students"];
    let total = s["totalCount"].as_i64().unwrap_or(0);
    assert!(
        total > 2000 && s["pageInfo"]["hasNextPage"] == true,
        "{page1}"
    );
    let nodes = s["nodes"].as_array().cloned().unwrap_or_default();
    assert_eq!(nodes.len(), 50);
    assert!(
        nodes.iter().all(|n| n["gender"] == "2"
            && n["grade"].as_i64() >= Some(2022)
            && n["majorCodeRow"]["majorName"].is_string()),
        "{page1}"
    );
    let nos: Vec<&str> = nodes
        .iter()
        .filter_map(|n| n["studentNo"].as_str())
        .collect();
    assert!(nos.windows(2).all(|w| w[0] > w[1]), "descending");
    let page2 = api
        .gql(q, json!({ "f": f, "after": s["pageInfo"]["endCursor"] }))
        .await;
    let first2 = page2["data"]["students"]["nodes"][0]["studentNo"]
        .as_str()
        .unwrap_or("");
    assert!(
        first2 < nos[49],
        "the next page continues where the first ended"
    );

    // Aggregate with group-by, checked against the list's own count.
    let r = api
        .gql(
            "{ studentsAggregate(groupBy: [GENDER]) { key { gender } count } }",
            json!({}),
        )
        .await;
    let groups = r["data"]["studentsAggregate"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(groups.len(), 2, "{r}");
    let all: i64 = groups.iter().filter_map(|g| g["count"].as_i64()).sum();
    let r = api.gql("{ students { totalCount } }", json!({})).await;
    assert_eq!(r["data"]["students"]["totalCount"].as_i64(), Some(all));

    // 2.1.1, a table with references: rows resolve their course (but the planted broken one,
    // course XX9999, see demo::breakages), and sums come out exact.
    let r = api.gql("{ teachingAssignments(first: 3, filter: { teacherKind: { eq: \"1\" }, courseCode: { ne: \"XX9999\" } }) { nodes { id rowVersion courseCode courseCodeRow { courseName } classNameRow: majorCodeRow { majorCode } } } teachingAssignmentsAggregate(groupBy: [TERM]) { key { term } count sum { hours } } }", json!({})).await;
    let nodes = r["data"]["teachingAssignments"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(nodes.len(), 3, "{r}");
    assert!(
        nodes
            .iter()
            .all(|n| n["courseCodeRow"]["courseName"].is_string()),
        "{r}"
    );
    assert_eq!(
        r["data"]["teachingAssignmentsAggregate"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "two terms"
    );

    // 1.1.1, the single-row table: update with the current version, then a stale one.
    let r = api
        .gql(
            "{ schoolProfileList { totalCount nodes { id rowVersion campusCount } } }",
            json!({}),
        )
        .await;
    let row = &r["data"]["schoolProfileList"]["nodes"][0];
    let (id, version) = (row["id"].clone(), row["rowVersion"].as_i64().unwrap_or(0));
    let m = "mutation($id: ID!, $v: Int!) { updateSchoolProfile(id: $id, rowVersion: $v, patch: { campusCount: 3 }) { rowVersion campusCount } }";
    let r = api.gql(m, json!({ "id": id, "v": version })).await;
    assert_eq!(r["data"]["updateSchoolProfile"]["campusCount"], 3, "{r}");
    assert_eq!(
        r["data"]["updateSchoolProfile"]["rowVersion"].as_i64(),
        Some(version + 1)
    );
    let r = api.gql(m, json!({ "id": id, "v": version })).await;
    assert_eq!(code(&r), "CONFLICT", "{r}");

    // Create, delete and bulk upsert on 2.1.1.
    let r = api.gql("{ teachingAssignments(first: 1) { nodes { id unit term courseCode courseName teacherKind teacherNo teacherName className majorCode students hours practiceHours mode } } }", json!({})).await;
    let mut input = r["data"]["teachingAssignments"]["nodes"][0].clone();
    let unit = input["unit"].clone();
    for k in ["id", "unit"] {
        input.as_object_mut().map(|o| o.remove(k));
    }
    input["teacherNo"] = json!("T99999");
    input["teacherName"] = json!("新教师");
    let r = api.gql("mutation($i: CreateTeachingAssignmentInput!, $u: String) { createTeachingAssignment(input: $i, unit: $u) { id teacherNo } }", json!({ "i": input, "u": unit })).await;
    let new_id = r["data"]["createTeachingAssignment"]["id"].clone();
    assert!(new_id.is_string(), "{r}");
    let again = api.gql("mutation($i: CreateTeachingAssignmentInput!, $u: String) { createTeachingAssignment(input: $i, unit: $u) { id } }", json!({ "i": input, "u": unit })).await;
    assert_eq!(
        code(&again),
        "VALIDATION_FAILED",
        "a duplicate key: {again}"
    );
    let r = api
        .gql(
            "mutation($id: ID!) { deleteTeachingAssignment(id: $id) }",
            json!({ "id": new_id }),
        )
        .await;
    assert_eq!(r["data"]["deleteTeachingAssignment"], new_id, "{r}");
    let mut changed = input.clone();
    changed["hours"] = json!(99);
    let mut fresh = input.clone();
    fresh["teacherNo"] = json!("T99998");
    let r = api.gql("mutation($rows: [CreateTeachingAssignmentInput!]!, $u: String) { bulkUpsertTeachingAssignment(rows: $rows, unit: $u) { inserted updated } }", json!({ "rows": [changed, fresh], "u": unit })).await;
    assert_eq!(
        r["data"]["bulkUpsertTeachingAssignment"],
        json!({ "inserted": 2, "updated": 0 }),
        "{r}"
    );
    let r = api.gql("mutation($rows: [CreateTeachingAssignmentInput!]!, $u: String) { bulkUpsertTeachingAssignment(rows: $rows, unit: $u) { inserted updated } }", json!({ "rows": [changed], "u": unit })).await;
    assert_eq!(
        r["data"]["bulkUpsertTeachingAssignment"],
        json!({ "inserted": 0, "updated": 1 }),
        "{r}"
    );

    // The catalog tells a client every table's names.
    let r = api.gql("{ catalog { tables { code listField typeName createMutation fields { name label type required codes } } } codeList(name: \"gender\") { codes { code name } } }", json!({})).await;
    let tables = r["data"]["catalog"]["tables"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(tables.len(), 90);
    assert!(
        tables.iter().any(|t| t["code"] == "1.5.1"
            && t["listField"] == "students"
            && t["createMutation"] == "createStudent"),
        "{r}"
    );
    assert_eq!(
        r["data"]["codeList"]["codes"][1],
        json!({ "code": "2", "name": "女" })
    );

    // Every code list and every core indicator by name, in one read: what the designer's list
    // picker and a case's indicator select show, with the catalogues only reached through include.
    let r = api
        .gql(
            "{ catalog { codeLists { name label } indicators { id name unit } } }",
            json!({}),
        )
        .await;
    let lists = r["data"]["catalog"]["codeLists"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(lists.len(), 108, "{r}");
    assert!(lists.iter().any(|l| l["name"] == "majors_gz_2021"), "{r}");
    assert!(
        lists
            .iter()
            .any(|l| l["name"] == "level" && l["label"] != ""),
        "{r}"
    );
    let indicators = r["data"]["catalog"]["indicators"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(indicators.len(), 21, "{r}");
    assert!(
        indicators
            .iter()
            .any(|i| i["id"] == "double_qualified_ratio" && i["name"] == "双师型教师比例"),
        "{r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_schema_executes_without_http() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let paths = project_paths();
    let policy = Arc::new(Policy::load(&paths.policies).await.expect("policy"));
    let access = statusdata::authz::Access::new(
        statusdata::authz::Principal::development(),
        policy,
        &api.db.units,
    );
    let schema = build_schema(api.db.store.catalog(), Some(ApiConfig::default())).expect("schema");
    let (cell, _dir) = tokio::task::spawn_blocking(crate::support::policy_cell)
        .await
        .expect("policy");
    let service = statusdata::service::Service::new(
        api.db.store.clone(),
        cell,
        Arc::new(api.db.units.clone()),
    );
    let loader =
        statusdata::graphql::loader::RefLoader::data_loader(service.clone(), access.clone());
    let create = async_graphql::Request::new(
        "mutation { createOrgUnit(input: { orgCode: \"0201\", orgName: \"机电工程学院\", orgType: \"02\" }, unit: \"zwb\") { id orgName rowVersion } }",
    )
    .data(access.clone())
    .data(service.clone())
    .data(loader);
    let r = serde_json::to_value(schema.execute(create).await).expect("json");
    assert_eq!(r["data"]["createOrgUnit"]["orgName"], "机电工程学院", "{r}");
    let list = async_graphql::Request::new("{ orgUnits(filter: { orgCode: { startsWith: \"02\" } }) { totalCount nodes { orgCode } } orgUnitsAggregate(groupBy: [ORG_TYPE]) { key { orgType } count } }").data(access).data(service);
    let r = serde_json::to_value(schema.execute(list).await).expect("json");
    assert_eq!(r["data"]["orgUnits"]["totalCount"], 1, "{r}");
    assert_eq!(r["data"]["orgUnitsAggregate"][0]["count"], 1, "{r}");
}
