//! Exact pages through the real router, one finding each: the count of empty pages, negative
//! offsets, filters of the largest allowed size, explicit nulls in filters, tampered cursors,
//! and keyset pages that a delete cannot make skip a row.

use base64::Engine;
use serde_json::{json, Value as Json};
use statusdata::store::{Record, RowScope, Value};

use crate::api::{code, Api};
use crate::db::{ctx, text};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Seven students in 1.5.1 (S1…S7): gender 1, 2 or empty, grades 2021–2023.
fn seeded() -> Api {
    let api = Api::new(true);
    let t = api.db.table("1.5.1");
    let genders = [
        Some("1"),
        Some("2"),
        None,
        Some("1"),
        None,
        Some("2"),
        Some("1"),
    ];
    let records: Vec<Record> = (1..=7)
        .map(|i| {
            let mut r = Record::new();
            r.insert("student_no".into(), text(&format!("S{i}")));
            r.insert("name".into(), text(&format!("学生{i}")));
            r.insert("gender".into(), genders[i - 1].map_or(Value::Null, text));
            r.insert("grade".into(), Value::Year(2021 + (i as i32 % 3)));
            r
        })
        .collect();
    api.db
        .store
        .unguarded()
        .bulk_insert(&t, &RowScope::All, &ctx("jwb"), &records)
        .expect("seed");
    api
}

async fn setup() -> Api {
    tokio::task::spawn_blocking(seeded).await.expect("setup")
}

const PAGE: &str = "query($f: StudentFilter, $first: Int, $last: Int, $offset: Int, $after: String, $before: String, $o: [StudentOrderBy!]) { students(filter: $f, first: $first, last: $last, offset: $offset, after: $after, before: $before, orderBy: $o) { totalCount nodes { studentNo } edges { cursor node { studentNo } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";

fn nos(r: &Json) -> Vec<String> {
    r["data"]["students"]["nodes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n["studentNo"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn total(r: &Json) -> i64 {
    r["data"]["students"]["totalCount"].as_i64().unwrap_or(-1)
}

fn info(r: &Json, flag: &str) -> bool {
    r["data"]["students"]["pageInfo"][flag] == true
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_pages_still_count_every_matching_row() {
    let api = setup().await;
    let r = api.gql(PAGE, json!({ "first": 0 })).await;
    assert_eq!((total(&r), nos(&r).len()), (7, 0), "{r}");
    assert!(
        info(&r, "hasNextPage") && !info(&r, "hasPreviousPage"),
        "{r}"
    );
    // Only the count, the usual idiom: no page info asked for.
    let r = api
        .gql("{ students(first: 0) { totalCount } }", json!({}))
        .await;
    assert_eq!(r["data"]["students"]["totalCount"], 7, "{r}");
    for offset in [7, 8, 1000] {
        let r = api.gql(PAGE, json!({ "offset": offset })).await;
        assert_eq!((total(&r), nos(&r).len()), (7, 0), "offset {offset}: {r}");
        assert!(
            !info(&r, "hasNextPage") && info(&r, "hasPreviousPage"),
            "{r}"
        );
        assert!(r["data"]["students"]["pageInfo"]["endCursor"].is_null());
    }
    let f = json!({ "gender": { "eq": "2" } });
    let r = api.gql(PAGE, json!({ "f": f, "offset": 5 })).await;
    assert_eq!(total(&r), 2, "{r}");
    let none = json!({ "studentNo": { "eq": "nobody" } });
    let r = api.gql(PAGE, json!({ "f": none, "offset": 3 })).await;
    assert_eq!(total(&r), 0, "{r}");
    assert!(!info(&r, "hasPreviousPage"), "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_negative_offset_or_a_bad_paging_combination_is_refused_in_chinese() {
    let api = setup().await;
    let r = api.gql(PAGE, json!({ "offset": -1 })).await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("offset 不能为负数"),
        "{r}"
    );
    for vars in [
        json!({ "first": 2, "last": 2 }),
        json!({ "last": 2, "offset": 1 }),
        json!({ "last": 1001 }),
    ] {
        let r = api.gql(PAGE, vars.clone()).await;
        assert_eq!(code(&r), "BAD_REQUEST", "{vars}: {r}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filter_of_two_thousand_conditions_is_answered() {
    let api = setup().await;
    // 2,000 alternatives (the limit), two of which match, and 2,000 conjuncts that all hold.
    let or: Vec<Json> = (0..2000)
        .map(|i| json!({ "studentNo": { "eq": format!("S{}", i * 3) } }))
        .collect();
    let r = api.gql(PAGE, json!({ "f": { "or": or } })).await;
    assert_eq!(total(&r), 2, "{}", r["errors"]);
    assert_eq!(nos(&r), ["S3", "S6"]);
    let and: Vec<Json> = (0..2000)
        .map(|i| json!({ "name": { "ne": format!("无此人{i}") } }))
        .collect();
    let r = api.gql(PAGE, json!({ "f": { "and": and } })).await;
    assert_eq!(total(&r), 7, "{}", r["errors"]);
    // Alternating and/or nested as deep as the request's nesting limit allows.
    let mut deep = json!({ "studentNo": { "eq": "S1" } });
    for level in 0..24 {
        let other = json!({ "studentNo": { "eq": format!("S{}", 2 + level % 2) } });
        deep = if level % 2 == 0 {
            json!({ "or": [deep, other] })
        } else {
            json!({ "and": [deep, { "name": { "ne": "x" } }] })
        };
    }
    let r = api.gql(PAGE, json!({ "f": deep })).await;
    assert!(r["errors"].is_null(), "{r}");
    // One more than the limit is refused, in Chinese, with the numbers.
    let mut over = or.clone();
    over.push(json!({ "studentNo": { "eq": "S1" } }));
    let r = api.gql(PAGE, json!({ "f": { "or": over } })).await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("2001"),
        "{r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_explicit_null_in_a_filter_sets_no_condition_except_eq_and_ne() {
    let api = setup().await;
    let count = |f: Json| {
        let api = &api;
        async move {
            let r = api.gql(PAGE, json!({ "f": f })).await;
            assert!(r["errors"].is_null(), "{f}: {r}");
            total(&r)
        }
    };
    assert_eq!(count(json!({ "gender": null })).await, 7);
    assert_eq!(count(json!({ "and": null, "or": null })).await, 7);
    assert_eq!(
        count(json!({ "gender": { "in": null, "isNull": null, "contains": null } })).await,
        7
    );
    assert_eq!(
        count(json!({ "grade": { "lt": null, "gte": 2022 } })).await,
        5
    );
    assert_eq!(count(json!({ "gender": { "eq": null } })).await, 2);
    assert_eq!(count(json!({ "gender": { "ne": null } })).await, 5);
    assert_eq!(count(json!({ "unit": { "eq": null } })).await, 0);
    assert_eq!(count(json!({ "id": { "ne": null } })).await, 7);
}

/// A real cursor's JSON, changed by `edit`, encoded again.
fn tampered(cursor: &str, edit: impl Fn(&mut Json)) -> String {
    let bytes = B64.decode(cursor).expect("a cursor is base64");
    let mut j: Json = serde_json::from_slice(&bytes).expect("a cursor is JSON");
    edit(&mut j);
    B64.encode(j.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tampered_cursor_is_a_bad_request_in_chinese() {
    let api = setup().await;
    let o = json!([{ "field": "GRADE", "direction": "DESC" }]);
    let r = api.gql(PAGE, json!({ "first": 2, "o": o })).await;
    let end = r["data"]["students"]["pageInfo"]["endCursor"]
        .as_str()
        .expect("endCursor")
        .to_owned();
    let bad = [
        "这不是游标".to_owned(),
        "!!!".to_owned(),
        B64.encode("not json"),
        B64.encode(r#"{"o":"-grade","k":{"values":[2022],"id":"1"}}"#),
        tampered(&end, |j| j["k"]["values"][0] = json!("二〇二二")),
        tampered(&end, |j| j["k"]["values"][0] = json!(1.5)),
        tampered(&end, |j| j["k"]["values"] = json!([2022, 1])),
        tampered(&end, |j| j["k"]["id"] = json!(null)),
        tampered(&end, |j| j["o"] = json!("+name")),
        tampered(&end, |j| j["x"] = json!(1)),
    ];
    for c in &bad {
        for arg in ["after", "before"] {
            let mut vars = json!({ "o": o });
            vars[arg] = json!(c);
            let r = api.gql(PAGE, vars).await;
            assert_eq!(code(&r), "BAD_REQUEST", "{arg} {c}: {r}");
            let m = r["errors"][0]["message"].as_str().unwrap_or("");
            assert!(m.contains("游标"), "{m}");
        }
    }
    // The cursor of another ordering is refused too, rather than read in the wrong order.
    let r = api.gql(PAGE, json!({ "after": end })).await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    // The untouched cursor reads on.
    let r = api.gql(PAGE, json!({ "o": o, "after": end })).await;
    assert_eq!(nos(&r).len(), 5, "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_returned_row_does_not_make_the_next_page_skip_one() {
    let api = setup().await;
    let t = api.db.table("1.5.1");
    let o = json!([{ "field": "GENDER" }]);
    // Gender ascending, empty last, id breaking ties: S1 S4 S7 | S2 S6 S3 | S5.
    let r = api.gql(PAGE, json!({ "first": 3, "o": o })).await;
    assert_eq!(nos(&r), ["S1", "S4", "S7"], "{r}");
    let edges = r["data"]["students"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edges.len(), 3);
    assert_eq!(
        edges[2]["cursor"],
        r["data"]["students"]["pageInfo"]["endCursor"]
    );
    assert_eq!(edges[0]["node"]["studentNo"], "S1");
    let end = r["data"]["students"]["pageInfo"]["endCursor"].clone();
    // Another collector deletes rows already returned, the cursor's own row included, and adds
    // one before the cursor and one after it.
    let rows = api
        .db
        .store
        .list(&t, &RowScope::All, &statusdata::store::ListQuery::all(2023))
        .expect("rows");
    let id_of = |no: &str| {
        rows.iter()
            .find(|r| r.values.get("student_no") == Some(&text(no)))
            .map(|r| r.id)
            .expect("row")
    };
    for no in ["S1", "S7"] {
        api.db
            .store
            .unguarded()
            .delete(&t, &RowScope::All, id_of(no), "T0001")
            .expect("delete");
    }
    for (no, g) in [("S8", "0"), ("S9", "2")] {
        let mut rec = Record::new();
        rec.insert("student_no".into(), text(no));
        rec.insert("name".into(), text(no));
        rec.insert("gender".into(), text(g));
        api.db
            .store
            .unguarded()
            .insert(&t, &RowScope::All, &ctx("jwb"), &rec)
            .expect("insert");
    }
    let r = api
        .gql(PAGE, json!({ "first": 3, "o": o, "after": end }))
        .await;
    assert_eq!(nos(&r), ["S2", "S6", "S9"], "{r}");
    assert!(
        info(&r, "hasPreviousPage") && info(&r, "hasNextPage"),
        "{r}"
    );
    let r = api
        .gql(
            PAGE,
            json!({ "first": 3, "o": o, "after": r["data"]["students"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(nos(&r), ["S3", "S5"], "{r}");
    assert!(!info(&r, "hasNextPage"), "{r}");
    // And back from the end with last/before.
    let r = api.gql(PAGE, json!({ "last": 2, "o": o })).await;
    assert_eq!(nos(&r), ["S3", "S5"], "{r}");
    let start = r["data"]["students"]["pageInfo"]["startCursor"].clone();
    let r = api
        .gql(PAGE, json!({ "last": 4, "o": o, "before": start }))
        .await;
    assert_eq!(nos(&r), ["S4", "S2", "S6", "S9"], "{r}");
    assert!(
        info(&r, "hasPreviousPage") && info(&r, "hasNextPage"),
        "{r}"
    );
}
