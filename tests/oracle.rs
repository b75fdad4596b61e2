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
use serde_json::{json, Value as Json};
use statusdata::defs::{naming, Table};
use statusdata::store::RowScope;

use crate::api::Api;
use crate::db::ctx;

mod random;

use random::{columns, filter, ordering, row, seed};

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
                            .unguarded()
                            .delete(&t, &RowScope::All, *id, "T0001")
                            .expect("delete");
                        deletes.fetch_add(1, Ordering::SeqCst);
                    }
                } else {
                    serial += 1;
                    let r = row(&t, serial, &mut rng);
                    api.db
                        .store
                        .unguarded()
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
