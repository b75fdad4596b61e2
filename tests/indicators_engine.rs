//! One expression engine: every core indicator of `table-defs/indicators.toml` evaluates the same
//! two ways on the demo college — its aggregates grouped in SQL with the arithmetic in memory
//! (`indicators::figure`, what people see), and each formula compiled whole to SQL by the rule
//! compiler (`store::formula::evaluate`, as year-over-year rules and 高基 figures run) — for the
//! whole figure and every group of every breakdown, this cycle and the previous one. It runs in
//! `indicators::every_indicator_computes_on_the_demo_college_both_ways_and_three_match_plain_sql`,
//! which seeds the demo college once for both.

use statusdata::defs::rules::Formula;
use statusdata::indicators::{figure, finish};
use statusdata::store::formula::{evaluate, Only};
use statusdata::store::Store;

/// Every indicator, whole and by each breakdown, 2023 and 2022: the same both ways.
pub fn every_indicator_is_the_same_in_sql_and_in_memory(store: &Store) {
    let catalog = store.catalog().clone();
    let mut conn = store.conn().expect("conn");
    let mut compared = 0;
    for ind in &catalog.indicators {
        let groups: Vec<Option<&str>> = std::iter::once(None)
            .chain(ind.breakdowns.iter().map(|b| Some(b.field.as_str())))
            .collect();
        for (cycle, group) in [2023, 2022]
            .into_iter()
            .flat_map(|c| groups.iter().map(move |g| (c, *g)))
        {
            let memory = figure(&mut conn, ind, cycle, group).expect("in memory");
            assert!(!memory.is_empty(), "{} {cycle} {group:?}", ind.id);
            for (key, value) in &memory {
                let only = group.map(|field| Only::Group {
                    field,
                    key: key.as_deref(),
                });
                let mut sql = |f: &Formula| {
                    evaluate(&mut conn, f, cycle, only)
                        .expect("SQL")
                        .expect("a count or sum always has a value")
                };
                let v = sql(&ind.value);
                let p = ind.per.as_ref().map(&mut sql);
                assert_eq!(
                    finish(ind, v, p),
                    *value,
                    "{} {cycle} {group:?} = {key:?}: SQL {v} ÷ {p:?}",
                    ind.id
                );
                compared += 1;
            }
        }
    }
    // Whole figures of both cycles and many groups: the comparison did not pass empty.
    assert!(compared > catalog.indicators.len() * 4, "{compared}");
}
