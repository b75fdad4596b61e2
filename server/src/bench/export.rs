//! `statusdata bench export`: the whole demo cycle as one workbook, against reading the same rows
//! and writing the same cells with rust_xlsxwriter directly (no formats, no cover, codes without
//! names). Reports time as a ratio and each phase's peak resident memory.

use std::sync::Arc;
use std::time::Instant;

use rust_xlsxwriter::Workbook;
use statusdata::authz::{Access, Policy, Principal};
use statusdata::defs::Units;
use statusdata::store::{ListQuery, RowScope, Store, Value};

use super::memory::{growth, reset_peak, show};
use crate::cmd::ProjectArgs;

/// Runs the benchmark on a temporary SQLite database filled with the demo at `scale`.
pub async fn run(scale: u32, project: ProjectArgs) -> anyhow::Result<()> {
    super::on_demo(&project, scale, move |db| {
        let store = &db.store;
        let cells = store
            .catalog()
            .tables
            .iter()
            .map(|t| Ok(store.count(t, &RowScope::All, 2023, None)? as usize * t.fields.len()))
            .sum::<anyhow::Result<usize>>()?;
        println!("演示数据规模 {scale}：90 张表共 {cells} 个单元格");

        let floor = reset_peak();
        let start = Instant::now();
        let raw = baseline(store)?;
        let (base_time, base_peak) = (start.elapsed(), growth(floor));

        let floor = reset_peak();
        let start = Instant::now();
        let ours = ours(store, &db.units, &db.policy)?;
        let (our_time, our_peak) = (start.elapsed(), growth(floor));

        println!(
            "基准（直接用 rust_xlsxwriter）：{:>7.2} 秒，文件 {:>6} KB，内存峰值 {}",
            base_time.as_secs_f64(),
            raw >> 10,
            show(base_peak)
        );
        println!(
            "statusdata 整周期导出：        {:>7.2} 秒，文件 {:>6} KB，内存峰值 {}",
            our_time.as_secs_f64(),
            ours >> 10,
            show(our_peak)
        );
        println!(
            "耗时为基准的 {:.2} 倍",
            our_time.as_secs_f64() / base_time.as_secs_f64()
        );
        Ok(())
    })
    .await
}

fn ours(store: &Store, units: &Units, policy: &Arc<Policy>) -> anyhow::Result<usize> {
    let principal = Principal {
        staff_no: "bench".into(),
        ..Principal::development()
    };
    let access = Access::new(principal, policy.clone(), units);
    let bytes = statusdata::xlsx::cycle::whole_cycle(
        store,
        units,
        policy,
        &access,
        2023,
        chrono::Utc::now(),
        None,
        &mut |_| {},
    )
    .map_err(anyhow::Error::msg)?;
    Ok(bytes.len())
}

/// The same rows read the same way, written as bare cells.
fn baseline(store: &Store) -> anyhow::Result<usize> {
    let mut book = Workbook::new();
    for table in &store.catalog().tables {
        let query = ListQuery::all(2023);
        let rows = store.list(table, &RowScope::All, &query)?;
        let sheet = if rows.len() > 2000 {
            book.add_worksheet_with_constant_memory()?
        } else {
            book.add_worksheet()
        };
        for (c, field) in table.fields.iter().enumerate() {
            sheet.write_string(0, c as u16, &field.label)?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, field) in table.fields.iter().enumerate() {
                let c = c as u16;
                let written = match row.values.get(&field.name) {
                    None | Some(Value::Null) => continue,
                    Some(Value::Text(s)) => sheet.write_string(r, c, s),
                    Some(Value::Int(i)) => sheet.write_number(r, c, *i as f64),
                    Some(Value::Year(y)) => sheet.write_number(r, c, *y),
                    Some(Value::Decimal(d)) => sheet.write_number(
                        r,
                        c,
                        rust_decimal::prelude::ToPrimitive::to_f64(d).unwrap_or(0.0),
                    ),
                    Some(Value::Date(d)) => sheet.write_datetime(r, c, *d),
                    Some(Value::YearMonth { year, month }) => {
                        sheet.write_string(r, c, format!("{year}-{month:02}"))
                    }
                    Some(Value::Bool(b)) => sheet.write_boolean(r, c, *b),
                    Some(Value::List(items)) => sheet.write_string(r, c, items.join("；")),
                };
                written?;
            }
        }
    }
    Ok(book.save_to_buffer()?.len())
}
