//! Row storage on the active backend (SQLite, or PostgreSQL with TEST_DATABASE_URL).

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use statusdata::store::{AggFn, AggregateQuery, Measure, RowScope, StoreError, Value};

use crate::db::{ctx, only, record, text, TestDb};

fn dec(s: &str) -> Value {
    Value::Decimal(Decimal::from_str(s).expect("decimal"))
}

#[test]
fn every_field_type_round_trips() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let zoo = db.table("1.9.2");
    let values = record(&[
        ("code", text("Z-001")),
        ("title", text("中文说明：数据采集“引进来”——测试\n第二行")),
        ("count", Value::Int(-42)),
        ("amount", dec("12345678.91")),
        (
            "born",
            Value::Date(NaiveDate::from_ymd_opt(2023, 8, 31).expect("date")),
        ),
        (
            "since",
            Value::YearMonth {
                year: 2022,
                month: 9,
            },
        ),
        ("grade", Value::Year(2023)),
        ("active", Value::Bool(true)),
        ("gender", text("2")),
        ("colors", Value::List(vec!["01".into(), "03".into()])),
        ("person", text("P001")),
        ("members", Value::List(vec!["P001".into(), "张三".into()])),
    ]);
    let row = db
        .store
        .unguarded()
        .insert(&zoo, &only("jdgc"), &ctx("jdgc"), &values)?;
    assert_eq!(row.values, values);
    assert_eq!(
        (row.unit.as_str(), row.cycle, row.row_version),
        ("jdgc", 2023, 1)
    );
    let again = db.store.get(&zoo, &RowScope::All, row.id)?.expect("row");
    assert_eq!(again.values, values);

    let empty = record(&[("code", text("Z-002"))]);
    let row = db
        .store
        .unguarded()
        .insert(&zoo, &only("jdgc"), &ctx("jdgc"), &empty)?;
    assert_eq!(row.values.get("active"), Some(&Value::Null));
    assert_eq!(
        row.values.get("colors"),
        Some(&Value::List(Vec::new())),
        "an unset multi-valued field reads as an empty list"
    );
    Ok(())
}

#[test]
fn decimals_sum_exactly_over_ten_thousand_rows() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let zoo = db.table("1.9.2");
    let rows: Vec<_> = (0..10_000)
        .map(|i| {
            record(&[
                ("code", text(&format!("R{i:05}"))),
                ("amount", dec("12345678.91")),
            ])
        })
        .collect();
    db.store
        .unguarded()
        .bulk_insert(&zoo, &RowScope::All, &ctx("jdgc"), &rows)?;
    let query = AggregateQuery {
        cycle: 2023,
        filter: None,
        group_by: vec![],
        measures: vec![
            Measure {
                func: AggFn::Sum,
                field: Some("amount".into()),
            },
            Measure {
                func: AggFn::Avg,
                field: Some("amount".into()),
            },
            Measure {
                func: AggFn::Count,
                field: None,
            },
        ],
    };
    let result = db.store.aggregate(&zoo, &RowScope::All, &query)?;
    assert_eq!(
        result[0].values,
        vec![
            dec("123456789100.00"),
            dec("12345678.91"),
            Value::Int(10_000)
        ]
    );
    Ok(())
}

#[test]
fn a_stale_row_version_is_a_conflict() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let zoo = db.table("1.9.2");
    let row = db.store.unguarded().insert(
        &zoo,
        &only("jdgc"),
        &ctx("jdgc"),
        &record(&[("code", text("A"))]),
    )?;
    let first = db.store.unguarded().update(
        &zoo,
        &only("jdgc"),
        row.id,
        1,
        &record(&[("count", Value::Int(5))]),
        "T1",
    )?;
    assert_eq!(first.row_version, 2);
    let stale = db.store.unguarded().update(
        &zoo,
        &only("jdgc"),
        row.id,
        1,
        &record(&[("count", Value::Int(9))]),
        "T2",
    );
    assert!(
        matches!(
            stale,
            Err(StoreError::Conflict {
                given: 1,
                current: 2,
                ..
            })
        ),
        "{stale:?}"
    );
    let kept = db.store.get(&zoo, &RowScope::All, row.id)?.expect("row");
    assert_eq!(kept.values.get("count"), Some(&Value::Int(5)));
    Ok(())
}

#[test]
fn a_bulk_insert_with_one_bad_row_leaves_nothing_behind() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let zoo = db.table("1.9.2");
    let mut rows: Vec<_> = (0..50)
        .map(|i| record(&[("code", text(&format!("B{i}")))]))
        .collect();
    rows[37] = record(&[("code", text("B36"))]); // the same key as row 36
    let result = db
        .store
        .unguarded()
        .bulk_insert(&zoo, &RowScope::All, &ctx("jdgc"), &rows);
    match result {
        Err(StoreError::BulkRow { index: 37, source }) => {
            assert!(source.to_string().contains("代码=\"B36\""), "{source}");
        }
        other => panic!("expected row 37 to fail, got {other:?}"),
    }
    assert_eq!(db.store.count(&zoo, &RowScope::All, 2023, None)?, 0);
    assert!(db.store.audit_log("1.9.2", None)?.is_empty());

    rows[37] = record(&[("code", text("B37")), ("count", text("not a number"))]);
    let result = db
        .store
        .unguarded()
        .bulk_insert(&zoo, &RowScope::All, &ctx("jdgc"), &rows);
    assert!(
        matches!(result, Err(StoreError::BulkRow { index: 37, .. })),
        "{result:?}"
    );
    assert_eq!(db.store.count(&zoo, &RowScope::All, 2023, None)?, 0);
    Ok(())
}

#[test]
fn every_write_leaves_its_audit_row() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let zoo = db.table("1.9.2");
    let row = db.store.unguarded().insert(
        &zoo,
        &only("jdgc"),
        &ctx("jdgc"),
        &record(&[("code", text("A")), ("amount", dec("1.50"))]),
    )?;
    db.store.unguarded().update(
        &zoo,
        &only("jdgc"),
        row.id,
        1,
        &record(&[("amount", dec("2"))]),
        "T0002",
    )?;
    db.store
        .unguarded()
        .delete(&zoo, &only("jdgc"), row.id, "T0003")?;
    let log = db.store.audit_log("1.9.2", Some(row.id))?;
    let ops: Vec<_> = log
        .iter()
        .map(|e| (e.operation.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            ("insert", "T0001"),
            ("update", "T0002"),
            ("delete", "T0003")
        ]
    );
    assert_eq!(
        log[0]
            .after
            .as_ref()
            .and_then(|a| a.get("amount"))
            .and_then(|v| v.as_str()),
        Some("1.50")
    );
    assert_eq!(
        log[1]
            .before
            .as_ref()
            .and_then(|a| a.get("amount"))
            .and_then(|v| v.as_str()),
        Some("1.50")
    );
    assert_eq!(
        log[1]
            .after
            .as_ref()
            .and_then(|a| a.get("amount"))
            .and_then(|v| v.as_str()),
        Some("2.00")
    );
    assert_eq!(log[2].after, None);
    assert!(log
        .iter()
        .all(|e| e.cycle == Some(2023) && e.row_id == Some(row.id)));
    Ok(())
}

#[test]
fn a_duplicate_key_names_the_key_fields() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let people = db.table("1.9.1");
    let r = record(&[("person_no", text("P001")), ("name", text("张三"))]);
    db.store
        .unguarded()
        .insert(&people, &only("jdgc"), &ctx("jdgc"), &r)?;
    let again = db
        .store
        .unguarded()
        .insert(&people, &only("jdgc"), &ctx("jdgc"), &r);
    match again {
        Err(e @ StoreError::Duplicate { .. }) => {
            assert!(e.to_string().contains("编号=\"P001\""), "{e}")
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
    Ok(())
}
