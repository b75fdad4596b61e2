//! The rows broken on purpose: each of a kind a later check should catch, listed in the report.

use rust_decimal::Decimal;

use super::{t, Breakage, Gen};
use crate::store::{Record, Value};

/// Changes one record on purpose and says how, for the seed's report.
type Break = fn(&mut Record) -> String;

impl Gen<'_> {
    /// Breaks a handful of rows on purpose, each of a kind a check should catch.
    pub(super) fn break_some(&mut self) -> Vec<Breakage> {
        let mut out = Vec::new();
        let breaks: Vec<(&str, usize, &str, Break)> = vec![
            ("1.5.1", 7, "id_no", |r: &mut Record| {
                if let Some(Value::Text(id)) = r.get_mut("id_no") {
                    let last = if id.ends_with('1') { '2' } else { '1' };
                    id.pop();
                    id.push(last);
                }
                "身份证号码校验位错误".into()
            }),
            ("1.5.3", 0, "total", |r: &mut Record| {
                if let Some(Value::Int(n)) = r.get_mut("total") {
                    *n += 1;
                }
                "在校生数比1.5.1多1人".into()
            }),
            ("2.1.1", 3, "course_code", |r: &mut Record| {
                r.insert("course_code".into(), t("XX9999"));
                "课程代码不在1.3.1高职课程设置表中".into()
            }),
            ("2.11.1", 0, "total", |r: &mut Record| {
                if let Some(Value::Decimal(d)) = r.get_mut("total") {
                    *d += Decimal::new(1000, 2);
                }
                "经费总收入比各项之和多10.00万元".into()
            }),
            ("1.4.1", 11, "name", |r: &mut Record| {
                if let Some(Value::Text(n)) = r.get_mut("name") {
                    n.push('明');
                }
                "姓名与0.1.3校内教师基础信息表不一致".into()
            }),
            ("2.2.1", 2, "end_date", |r: &mut Record| {
                if let Some(Value::Date(start)) = r.get("start_date").cloned() {
                    r.insert("end_date".into(), Value::Date(start - chrono::Days::new(3)));
                }
                "实习结束日期早于开始日期".into()
            }),
        ];
        for (code, index, field, apply) in breaks {
            let Some(table) = self.table(code) else {
                continue;
            };
            let Some((unit, rec)) = self.out.get_mut(code).and_then(|rows| rows.get_mut(index))
            else {
                continue;
            };
            let what = apply(rec);
            let row = table
                .key
                .iter()
                .map(|k| {
                    format!(
                        "{k}={}",
                        rec.get(k).map_or(serde_json::Value::Null, Value::to_json)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            out.push(Breakage {
                table: code.to_owned(),
                unit: unit.clone(),
                row,
                field: field.to_owned(),
                what,
            });
        }
        out
    }
}
