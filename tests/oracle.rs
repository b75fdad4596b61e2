//! The read oracle: seeded random filters × orders × `first`/`offset` × keyset cursors on three
//! tables of different field types, asked through GraphQL over the real router, every page,
//! `totalCount` and `pageInfo` compared with plain SQL on the same database. The SQL here is
//! written from the documented meaning of each operator, not with the store's builder. Also a
//! keyset walk while rows are inserted and deleted.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::RunQueryDsl;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde_json::{json, Value as Json};
use statusdata::defs::{naming, FieldType, Table};
use statusdata::store::{Record, RowScope, Value};

use crate::api::Api;
use crate::db::ctx;

const UNITS: [&str; 3] = ["jwb", "zlb", "tsg"];
const TEXTS: [&str; 9] = ["a", "B", "b", "ab", "Ab", "甲", "乙", "10", "9"];

/// How the test writes and compares a column's values.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Int,
    Year,
    Dec(u32),
    Date,
    YearMonth,
    Bool,
}

struct Col {
    /// GraphQL name (filter key) and the `…Field` enum item, when sortable.
    gql: String,
    item: Option<String>,
    sql: String,
    kind: Kind,
}

fn kind_of(ty: &FieldType) -> Option<Kind> {
    Some(match ty {
        FieldType::String | FieldType::Enum { .. } | FieldType::Ref { .. } => Kind::Text,
        FieldType::Int => Kind::Int,
        FieldType::Year => Kind::Year,
        FieldType::Decimal { scale } => Kind::Dec(*scale),
        FieldType::Date => Kind::Date,
        FieldType::YearMonth => Kind::YearMonth,
        FieldType::Bool => Kind::Bool,
        _ => return None,
    })
}

fn columns(t: &Table) -> Vec<Col> {
    let mut cols = vec![Col {
        gql: "unit".into(),
        item: Some("UNIT".into()),
        sql: "unit".into(),
        kind: Kind::Text,
    }];
    for f in &t.fields {
        if let Some(kind) = kind_of(&f.ty) {
            cols.push(Col {
                gql: naming::graphql_field(&f.name),
                item: Some(f.name.to_ascii_uppercase()),
                sql: f.name.clone(),
                kind,
            });
        }
    }
    cols
}

/// A random value of the kind: (as stored, as GraphQL takes it, as an SQL literal).
fn value(rng: &mut impl Rng, kind: Kind) -> (Value, Json, String) {
    match kind {
        Kind::Text => {
            let s = TEXTS[rng.random_range(0..TEXTS.len())];
            (Value::Text(s.into()), json!(s), format!("'{s}'"))
        }
        Kind::Int => {
            let n = rng.random_range(0..8i64);
            (Value::Int(n), json!(n), n.to_string())
        }
        Kind::Year => {
            let y = rng.random_range(2019..2025i32);
            (Value::Year(y), json!(y), y.to_string())
        }
        Kind::Dec(scale) => {
            let units = rng.random_range(0..6i64) * 10i64.pow(scale) / 2;
            let d = Decimal::new(units, scale);
            (Value::Decimal(d), json!(d.to_string()), units.to_string())
        }
        Kind::Date => {
            let d = format!("2020-01-0{}", rng.random_range(1..7));
            let date = chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").expect("date");
            (Value::Date(date), json!(d), format!("'{d}'"))
        }
        Kind::YearMonth => {
            let m = rng.random_range(1..7u32);
            (
                Value::YearMonth {
                    year: 2020,
                    month: m,
                },
                json!(format!("2020-0{m}")),
                format!("'2020-0{m}'"),
            )
        }
        Kind::Bool => {
            let b = rng.random_bool(0.5);
            (
                Value::Bool(b),
                json!(b),
                if b { "TRUE" } else { "FALSE" }.into(),
            )
        }
    }
}

/// `n` rows spread over three units, a quarter of the values empty, the first key field unique.
fn seed(api: &Api, t: &Table, n: usize, rng: &mut impl Rng) -> Vec<i64> {
    let mut ids = Vec::new();
    for (u, unit) in UNITS.iter().enumerate() {
        let records: Vec<Record> = (0..n / UNITS.len())
            .map(|i| row(t, u * n + i, rng))
            .collect();
        ids.extend(
            api.db
                .store
                .bulk_insert(t, &RowScope::All, &ctx(unit), &records)
                .expect("seed"),
        );
    }
    ids
}

fn row(t: &Table, serial: usize, rng: &mut impl Rng) -> Record {
    let mut r = Record::new();
    for f in &t.fields {
        let Some(kind) = kind_of(&f.ty) else { continue };
        if t.key.first() == Some(&f.name) {
            r.insert(f.name.clone(), Value::Text(format!("K{serial:05}")));
        } else if t.key.contains(&f.name) || !rng.random_bool(0.25) {
            r.insert(f.name.clone(), value(rng, kind).0);
        }
    }
    r
}

/// A random condition on one column: (GraphQL operators, SQL).
fn condition(rng: &mut impl Rng, c: &Col) -> (Json, String) {
    let col = format!("\"{}\"", c.sql);
    let mut ops = vec!["eq", "ne", "in", "isNull"];
    if c.kind != Kind::Bool {
        ops.extend(["lt", "lte", "gt", "gte"]);
    } else {
        ops.retain(|o| *o == "eq" || *o == "isNull");
    }
    if c.kind == Kind::Text {
        ops.extend(["contains", "startsWith"]);
    }
    let op = ops[rng.random_range(0..ops.len())];
    if rng.random_bool(0.08) {
        // An explicit null: `eq`/`ne` ask for empty/filled, anything else sets no condition.
        let sql = match op {
            "eq" => format!("{col} IS NULL"),
            "ne" => format!("{col} IS NOT NULL"),
            _ => "1=1".into(),
        };
        return (json!({ op: null }), sql);
    }
    let (_, v, lit) = value(rng, c.kind);
    let sql = match op {
        "eq" => format!("{col} = {lit}"),
        "ne" => format!("({col} <> {lit} OR {col} IS NULL)"),
        "lt" => format!("{col} < {lit}"),
        "lte" => format!("{col} <= {lit}"),
        "gt" => format!("{col} > {lit}"),
        "gte" => format!("{col} >= {lit}"),
        "isNull" => {
            let b = rng.random_bool(0.5);
            let sql = format!("{col} IS {}NULL", if b { "" } else { "NOT " });
            return (json!({ "isNull": b }), sql);
        }
        "in" => {
            let k = rng.random_range(0..4);
            let vals: Vec<(Value, Json, String)> = (0..k).map(|_| value(rng, c.kind)).collect();
            let sql = if vals.is_empty() {
                "1=0".into()
            } else {
                let lits: Vec<&str> = vals.iter().map(|v| v.2.as_str()).collect();
                format!("{col} IN ({})", lits.join(", "))
            };
            let list: Vec<Json> = vals.into_iter().map(|v| v.1).collect();
            return (json!({ "in": list }), sql);
        }
        _ => {
            let s = TEXTS[rng.random_range(0..TEXTS.len())];
            let s: String = s.chars().take(rng.random_range(1..3)).collect();
            let pattern = if op == "contains" {
                format!("%{}%", s.to_lowercase())
            } else {
                format!("{}%", s.to_lowercase())
            };
            // Case-insensitive for ASCII, as documented: lower() on both sides on both backends.
            return (json!({ op: s }), format!("lower({col}) LIKE '{pattern}'"));
        }
    };
    (json!({ op: v }), sql)
}

/// A random filter object: (GraphQL input, SQL).
fn filter(rng: &mut impl Rng, cols: &[Col], depth: u32) -> (Json, String) {
    let mut obj = serde_json::Map::new();
    let mut sql = Vec::new();
    // Few conditions, so that most lists are long enough to page through.
    for _ in 0..rng.random_range(0..3) {
        let pick = rng.random_range(0..10);
        if depth < 2 && pick < 2 {
            let key = if pick == 0 { "and" } else { "or" };
            if obj.contains_key(key) {
                continue;
            }
            let parts: Vec<(Json, String)> = (0..rng.random_range(0..4))
                .map(|_| filter(rng, cols, depth + 1))
                .collect();
            let joined = match (key, parts.is_empty()) {
                ("and", true) => "1=1".to_owned(),
                (_, true) => "1=0".to_owned(),
                _ => {
                    let s: Vec<&str> = parts.iter().map(|p| p.1.as_str()).collect();
                    format!("({})", s.join(if key == "and" { " AND " } else { " OR " }))
                }
            };
            obj.insert(
                key.into(),
                Json::Array(parts.into_iter().map(|p| p.0).collect()),
            );
            sql.push(joined);
            continue;
        }
        let c = &cols[rng.random_range(0..cols.len())];
        if obj.contains_key(&c.gql) {
            continue;
        }
        if rng.random_bool(0.05) {
            obj.insert(c.gql.clone(), Json::Null);
            continue;
        }
        let (ops, s) = condition(rng, c);
        obj.insert(c.gql.clone(), ops);
        sql.push(s);
    }
    let sql = if sql.is_empty() {
        "1=1".into()
    } else {
        format!("({})", sql.join(" AND "))
    };
    (Json::Object(obj), sql)
}

/// A random ordering: (GraphQL `orderBy`, SQL `ORDER BY` with empty values last and the id).
fn ordering(rng: &mut impl Rng, cols: &[Col]) -> (Json, String) {
    let mut items = Vec::new();
    let mut sql = Vec::new();
    let extra = [("ID", "id"), ("UPDATED_AT", "updated_at")];
    for _ in 0..rng.random_range(0..3) {
        let (item, col) = if rng.random_bool(0.15) {
            let (i, c) = extra[rng.random_range(0..extra.len())];
            (i.to_owned(), c.to_owned())
        } else {
            let c = &cols[rng.random_range(0..cols.len())];
            (c.item.clone().unwrap_or_default(), c.sql.clone())
        };
        let desc = rng.random_bool(0.5);
        items.push(json!({ "field": item, "direction": if desc { "DESC" } else { "ASC" } }));
        sql.push(format!(
            "CASE WHEN \"{col}\" IS NULL THEN 1 ELSE 0 END, \"{col}\" {}",
            if desc { "DESC" } else { "ASC" }
        ));
    }
    sql.push("id ASC".into());
    (Json::Array(items), sql.join(", "))
}

#[derive(diesel::QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

fn expected(api: &Api, t: &Table, filter: &str, order: &str) -> Vec<i64> {
    let sql = format!(
        "SELECT id FROM \"d_{}\" WHERE cycle = 2023 AND {filter} ORDER BY {order}",
        t.slug
    );
    api.db
        .store
        .with_workflow(|c| Ok::<_, anyhow::Error>(diesel::sql_query(&sql).load::<IdRow>(c)?))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|r| r.id)
        .collect()
}

/// One list request and what it answered.
struct Got {
    ids: Vec<i64>,
    total: i64,
    next: bool,
    previous: bool,
    start: Json,
    end: Json,
    cursors: Vec<Json>,
}

async fn ask(api: &Api, t: &Table, vars: Json) -> Got {
    let list = naming::list_field(&t.slug);
    let ty = naming::type_name(&t.slug);
    let q = format!(
        "query($f: {ty}Filter, $o: [{ty}OrderBy!], $first: Int, $last: Int, $offset: Int, $after: String, $before: String) {{ {list}(filter: $f, orderBy: $o, first: $first, last: $last, offset: $offset, after: $after, before: $before) {{ totalCount nodes {{ id }} edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"
    );
    let r = api.gql(&q, vars.clone()).await;
    let d = &r["data"][&list];
    assert!(r["errors"].is_null(), "{vars}: {r}");
    let ids_of = |a: &Json, key: Option<&str>| -> Vec<i64> {
        a.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|n| key.map_or(n, |k| &n[k])["id"].as_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let ids = ids_of(&d["nodes"], None);
    assert_eq!(
        ids,
        ids_of(&d["edges"], Some("node")),
        "edges carry the nodes: {vars}"
    );
    let cursors: Vec<Json> = d["edges"]
        .as_array()
        .map(|a| a.iter().map(|e| e["cursor"].clone()).collect())
        .unwrap_or_default();
    let info = &d["pageInfo"];
    assert_eq!(
        info["startCursor"],
        cursors.first().cloned().unwrap_or(Json::Null)
    );
    assert_eq!(
        info["endCursor"],
        cursors.last().cloned().unwrap_or(Json::Null)
    );
    Got {
        ids,
        total: d["totalCount"].as_i64().unwrap_or(-1),
        next: info["hasNextPage"] == true,
        previous: info["hasPreviousPage"] == true,
        start: info["startCursor"].clone(),
        end: info["endCursor"].clone(),
        cursors,
    }
}

/// Checks a page against the expected slice `all[from..to]` of `all`.
fn check(got: &Got, all: &[i64], from: usize, to: usize, what: &str) {
    let n = all.len();
    assert_eq!(got.ids, all[from..to], "{what}");
    assert_eq!(got.total, n as i64, "totalCount, {what}");
    assert_eq!(got.next, to < n, "hasNextPage, {what}");
    assert_eq!(got.previous, from > 0, "hasPreviousPage, {what}");
}

/// Walks every page forward with `first`/`after`, then backward with `last`/`before`.
async fn walk(api: &Api, t: &Table, f: &Json, o: &Json, all: &[i64], rng: &mut impl Rng) {
    let n = all.len();
    let p = rng.random_range(1..8usize);
    let (mut pos, mut after, mut seen) = (0, Json::Null, Vec::new());
    for _ in 0..=n / p + 1 {
        let got = ask(
            api,
            t,
            json!({ "f": f, "o": o, "first": p, "after": after }),
        )
        .await;
        let to = (pos + p).min(n);
        check(
            &got,
            all,
            pos,
            to,
            &format!("forward from {pos} by {p}, {f} {o}"),
        );
        seen.extend(got.cursors.iter().cloned());
        pos = to;
        after = got.end.clone();
        if !got.next {
            break;
        }
    }
    assert_eq!(pos, n, "the forward walk reaches the end");
    if n > 0 {
        // Past the last row: an empty page that still counts.
        let got = ask(
            api,
            t,
            json!({ "f": f, "o": o, "first": p, "after": after }),
        )
        .await;
        check(&got, all, n, n, "after the last row");
    }
    let (mut end, mut before) = (n, Json::Null);
    for _ in 0..=n / p + 1 {
        let got = ask(
            api,
            t,
            json!({ "f": f, "o": o, "last": p, "before": before }),
        )
        .await;
        let from = end.saturating_sub(p);
        check(
            &got,
            all,
            from,
            end,
            &format!("backward to {end} by {p}, {f} {o}"),
        );
        end = from;
        before = got.start.clone();
        if !got.previous {
            break;
        }
    }
    assert_eq!(end, 0, "the backward walk reaches the start");
    if n >= 2 {
        // Between two cursors, from either side: both cursor rows exist, so both flags hold.
        let i = rng.random_range(0..n - 1);
        let j = rng.random_range(i + 1..n);
        let (ci, cj) = (&seen[i], &seen[j]);
        let got = ask(
            api,
            t,
            json!({ "f": f, "o": o, "first": p, "after": ci, "before": cj }),
        )
        .await;
        assert_eq!(
            got.ids,
            all[i + 1..(i + 1 + p).min(j)],
            "first between {i} and {j}"
        );
        assert!(got.next && got.previous, "between {i} and {j}");
        let got = ask(
            api,
            t,
            json!({ "f": f, "o": o, "last": p, "after": ci, "before": cj }),
        )
        .await;
        assert_eq!(
            got.ids,
            all[(i + 1).max(j.saturating_sub(p))..j],
            "last between {i} and {j}"
        );
        assert!(got.next && got.previous, "between {i} and {j}");
    }
}

/// `first`/`offset`: 0, within, exactly at the end, past the end.
async fn offsets(api: &Api, t: &Table, f: &Json, o: &Json, all: &[i64], rng: &mut impl Rng) {
    let n = all.len();
    let p = rng.random_range(1..12usize);
    let cases = [
        (0, 0),
        (0, n + 2),
        (p, 0),
        (p, rng.random_range(0..=n)),
        (p, n),
        (p, n + rng.random_range(1..5)),
        (n + 5, 0),
    ];
    for (first, offset) in cases {
        let got = ask(
            api,
            t,
            json!({ "f": f, "o": o, "first": first, "offset": offset }),
        )
        .await;
        let from = offset.min(n);
        let to = (offset + first).min(n);
        check(
            &got,
            all,
            from,
            to,
            &format!("first {first} offset {offset}, {f} {o}"),
        );
    }
}

fn seed_tables(api: &Api, rng: &mut impl Rng) -> Vec<Arc<Table>> {
    ["1.5.1", "2.19.1", "1.4.1"]
        .iter()
        .map(|code| {
            let t = api.db.table(code);
            seed(api, &t, 90, rng);
            t
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_equals_plain_sql() {
    let (api, tables, mut rng) = tokio::task::spawn_blocking(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        let api = Api::new(true);
        let tables = seed_tables(&api, &mut rng);
        (api, tables, rng)
    })
    .await
    .expect("setup");
    let mut cases = 0;
    for t in &tables {
        let cols = columns(t);
        for _ in 0..10 {
            let (f, fsql) = filter(&mut rng, &cols, 0);
            let (o, osql) = ordering(&mut rng, &cols);
            let all = expected(&api, t, &fsql, &osql);
            offsets(&api, t, &f, &o, &all, &mut rng).await;
            walk(&api, t, &f, &o, &all, &mut rng).await;
            cases += 1;
        }
    }
    assert_eq!(cases, 30);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_keyset_walk_returns_every_lasting_row_once_while_others_come_and_go() {
    let (api, t, ids) = tokio::task::spawn_blocking(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let api = Arc::new(Api::new(true));
        let t = api.db.table("2.19.1");
        let ids = seed(&api, &t, 90, &mut rng);
        (api, t, ids)
    })
    .await
    .expect("setup");
    // A third of the rows may be deleted during the walk; the rest last throughout.
    let (doomed, lasting): (Vec<i64>, Vec<i64>) = ids.iter().partition(|id| *id % 3 == 0);
    let stop = Arc::new(AtomicBool::new(false));
    // However the walk ends (a failed assertion included), the churn stops with it.
    struct Stop(Arc<AtomicBool>);
    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let stopper = Stop(stop.clone());
    let deletes = Arc::new(AtomicUsize::new(0));
    let churn = {
        let (api, t, stop, deletes) = (api.clone(), t.clone(), stop.clone(), deletes.clone());
        tokio::task::spawn_blocking(move || {
            let mut rng = ChaCha8Rng::seed_from_u64(8);
            let (mut next, mut serial) = (doomed.iter(), 10_000);
            for _ in 0..1000 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                if rng.random_bool(0.5) {
                    if let Some(id) = next.next() {
                        api.db
                            .store
                            .delete(&t, &RowScope::All, *id, "T0001")
                            .expect("delete");
                        deletes.fetch_add(1, Ordering::SeqCst);
                    }
                } else {
                    serial += 1;
                    let r = row(&t, serial, &mut rng);
                    api.db
                        .store
                        .insert(&t, &RowScope::All, &ctx("jwb"), &r)
                        .expect("insert");
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        })
    };
    let o = json!([{ "field": "INCOME", "direction": "DESC" }, { "field": "START_DATE" }]);
    while deletes.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let (mut after, mut got) = (Json::Null, Vec::new());
    for _ in 0..200 {
        let page = ask(&api, &t, json!({ "o": o, "first": 4, "after": after })).await;
        got.extend(page.ids);
        after = page.end;
        if !page.next {
            break;
        }
    }
    let during = deletes.load(Ordering::SeqCst);
    drop(stopper);
    churn.await.expect("churn");
    assert!(
        during > 1,
        "rows were deleted while the walk went on ({during})"
    );
    let mut unique = got.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), got.len(), "no row comes twice");
    for id in &lasting {
        assert!(
            got.contains(id),
            "row {id}, present throughout, was returned"
        );
    }
}
