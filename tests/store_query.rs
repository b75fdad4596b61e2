//! Querying stored rows on the active backend: filters, ordering, paging, scope, aggregates.

use std::str::FromStr;

use rust_decimal::Decimal;
use statusdata::store::{
    AggFn, AggregateQuery, Filter, ListQuery, Measure, Op, Order, RowScope, StoreError, Value,
};

use crate::db::{ctx, only, record, text, TestDb};

fn dec(s: &str) -> Value {
    Value::Decimal(Decimal::from_str(s).expect("decimal"))
}

#[test]
fn quotes_semicolons_and_comments_are_data() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let zoo = db.table("1.9.2");
    let nasty = [
        "O'Brien",
        "x'; DROP TABLE d_type_zoo; --",
        "100%_done",
        "back\\slash",
        "\"双引号\"",
    ];
    for (i, s) in nasty.iter().enumerate() {
        db.store.unguarded().insert(
            &zoo,
            &only("jdgc"),
            &ctx("jdgc"),
            &record(&[("code", text(&format!("N{i}"))), ("title", text(s))]),
        )?;
    }
    for s in nasty {
        let eq = Filter::Compare {
            field: "title".into(),
            op: Op::Eq,
            value: text(s),
        };
        let found = db.store.list(
            &zoo,
            &RowScope::All,
            &ListQuery {
                filter: Some(eq),
                ..ListQuery::all(2023)
            },
        )?;
        assert_eq!(found.len(), 1, "{s}");
        assert_eq!(found[0].values.get("title"), Some(&text(s)));
    }
    let like = |op, v: &str| Filter::Compare {
        field: "title".into(),
        op,
        value: text(v),
    };
    let count = |f| db.store.count(&zoo, &RowScope::All, 2023, Some(&f));
    assert_eq!(count(like(Op::Contains, "%_"))?, 1);
    assert_eq!(count(like(Op::Contains, "'; DROP"))?, 1);
    assert_eq!(count(like(Op::Contains, "--"))?, 1);
    assert_eq!(count(like(Op::StartsWith, "o'b"))?, 1);
    assert_eq!(count(like(Op::Contains, "\\"))?, 1);
    assert_eq!(db.store.count(&zoo, &RowScope::All, 2023, None)?, 5);
    Ok(())
}

#[test]
fn filters_order_and_paging() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let zoo = db.table("1.9.2");
    for i in 1..=10 {
        let mut r = record(&[
            ("code", text(&format!("F{i:02}"))),
            ("count", Value::Int(i)),
        ]);
        if i % 2 == 0 {
            r.insert("colors".into(), Value::List(vec!["02".into()]));
            r.insert("amount".into(), dec(&format!("{i}.5")));
        }
        db.store
            .unguarded()
            .insert(&zoo, &only("jdgc"), &ctx("jdgc"), &r)?;
    }
    let cmp = |field: &str, op, value| Filter::Compare {
        field: field.into(),
        op,
        value,
    };
    let count = |f: Filter| db.store.count(&zoo, &RowScope::All, 2023, Some(&f));
    assert_eq!(count(cmp("count", Op::Gt, Value::Int(7)))?, 3);
    assert_eq!(count(cmp("count", Op::Lte, Value::Int(2)))?, 2);
    assert_eq!(count(cmp("amount", Op::Gte, dec("6.5")))?, 3);
    assert_eq!(
        count(cmp("amount", Op::Ne, dec("2.5")))?,
        9,
        "ne keeps empty values"
    );
    assert_eq!(
        count(Filter::IsNull {
            field: "amount".into(),
            is_null: true
        })?,
        5
    );
    assert_eq!(count(cmp("colors", Op::Contains, text("02")))?, 5);
    assert_eq!(
        count(Filter::In {
            field: "code".into(),
            values: vec![text("F01"), text("F09"), text("X")]
        })?,
        2
    );
    let either = Filter::Or(vec![
        cmp("count", Op::Eq, Value::Int(1)),
        cmp("count", Op::Eq, Value::Int(10)),
    ]);
    let both = Filter::And(vec![either, cmp("code", Op::StartsWith, text("F1"))]);
    assert_eq!(count(both)?, 1);

    let page = ListQuery {
        order: vec![Order {
            field: "amount".into(),
            descending: true,
        }],
        limit: Some(3),
        offset: 1,
        ..ListQuery::all(2023)
    };
    let codes: Vec<_> = db
        .store
        .list(&zoo, &RowScope::All, &page)?
        .into_iter()
        .map(|r| r.values["code"].clone())
        .collect();
    assert_eq!(codes, vec![text("F08"), text("F06"), text("F04")]);
    let unknown = db.store.count(
        &zoo,
        &RowScope::All,
        2023,
        Some(&cmp("nope", Op::Eq, Value::Int(1))),
    );
    assert!(
        matches!(unknown, Err(StoreError::Invalid { .. })),
        "{unknown:?}"
    );
    Ok(())
}

#[test]
fn a_unit_keeps_to_its_own_rows() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let zoo = db.table("1.9.2");
    let mine = db.store.unguarded().insert(
        &zoo,
        &only("jdgc"),
        &ctx("jdgc"),
        &record(&[("code", text("J1"))]),
    )?;
    db.store.unguarded().insert(
        &zoo,
        &only("xxgc"),
        &ctx("xxgc"),
        &record(&[("code", text("X1"))]),
    )?;
    assert_eq!(db.store.count(&zoo, &only("xxgc"), 2023, None)?, 1);
    assert_eq!(db.store.count(&zoo, &RowScope::All, 2023, None)?, 2);
    assert!(db.store.get(&zoo, &only("xxgc"), mine.id)?.is_none());
    let update = db.store.unguarded().update(
        &zoo,
        &only("xxgc"),
        mine.id,
        1,
        &record(&[("count", Value::Int(1))]),
        "X",
    );
    assert!(
        matches!(update, Err(StoreError::NotFound { .. })),
        "{update:?}"
    );
    let delete = db
        .store
        .unguarded()
        .delete(&zoo, &only("xxgc"), mine.id, "X");
    assert!(
        matches!(delete, Err(StoreError::NotFound { .. })),
        "{delete:?}"
    );
    let foreign = db.store.unguarded().insert(
        &zoo,
        &only("xxgc"),
        &ctx("jdgc"),
        &record(&[("code", text("J2"))]),
    );
    assert!(
        matches!(foreign, Err(StoreError::Invalid { .. })),
        "{foreign:?}"
    );
    // The same key may exist once per unit.
    db.store.unguarded().insert(
        &zoo,
        &only("xxgc"),
        &ctx("xxgc"),
        &record(&[("code", text("J1"))]),
    )?;
    Ok(())
}

#[test]
fn an_average_rounds_half_away_from_zero_at_four_more_places() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let zoo = db.table("1.9.2");
    // 1 ÷ 32 = 0.03125: half away from zero gives 0.0313 (half to even gave 0.0312).
    let rows: Vec<_> = (0..32)
        .map(|i| {
            record(&[
                ("code", text(&format!("A{i:02}"))),
                ("count", Value::Int(i64::from(i == 0))),
            ])
        })
        .collect();
    db.store
        .bulk_insert(&zoo, &RowScope::All, &ctx("jdgc"), &rows)?;
    let query = AggregateQuery {
        cycle: 2023,
        filter: None,
        group_by: vec![],
        measures: vec![Measure {
            func: AggFn::Avg,
            field: Some("count".into()),
        }],
    };
    let result = db.store.aggregate(&zoo, &RowScope::All, &query)?;
    assert_eq!(result[0].values, vec![dec("0.0313")]);
    Ok(())
}

#[test]
fn aggregates_group_by_fields() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let zoo = db.table("1.9.2");
    for (i, (gender, count)) in [("1", 3), ("2", 4), ("2", 6), ("1", 1), ("2", 2)]
        .into_iter()
        .enumerate()
    {
        let r = record(&[
            ("code", text(&format!("G{i}"))),
            ("gender", text(gender)),
            ("count", Value::Int(count)),
        ]);
        db.store
            .unguarded()
            .insert(&zoo, &only("jdgc"), &ctx("jdgc"), &r)?;
    }
    let query = AggregateQuery {
        cycle: 2023,
        filter: None,
        group_by: vec!["gender".into()],
        measures: vec![
            Measure {
                func: AggFn::Count,
                field: None,
            },
            Measure {
                func: AggFn::Sum,
                field: Some("count".into()),
            },
            Measure {
                func: AggFn::Min,
                field: Some("count".into()),
            },
            Measure {
                func: AggFn::Max,
                field: Some("count".into()),
            },
            Measure {
                func: AggFn::Avg,
                field: Some("count".into()),
            },
        ],
    };
    let groups = db.store.aggregate(&zoo, &RowScope::All, &query)?;
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].group.get("gender"), Some(&text("1")));
    assert_eq!(
        groups[0].values,
        vec![
            Value::Int(2),
            Value::Int(4),
            Value::Int(1),
            Value::Int(3),
            dec("2")
        ]
    );
    assert_eq!(
        groups[1].values,
        vec![
            Value::Int(3),
            Value::Int(12),
            Value::Int(2),
            Value::Int(6),
            dec("4")
        ]
    );
    let bad = AggregateQuery {
        measures: vec![Measure {
            func: AggFn::Sum,
            field: Some("gender".into()),
        }],
        ..query
    };
    assert!(db.store.aggregate(&zoo, &RowScope::All, &bad).is_err());
    Ok(())
}
