//! The functions of the rule language beyond ID numbers: the cycle's dates, date arithmetic,
//! multi-valued fields and the national catalogues read for the cycle's year. Types only; `store`
//! compiles them.
//!
//! ```text
//! period_start() period_end() snapshot_date()   日期：学年起止、统计时点
//! fiscal_year() cycle_year()                    整数：财务年度、采集年度
//! year(d) month(d) add_years(d, n) days(a, b)  年份、月份；加减 n 年；a 到 b 的天数
//! has(list, v)  size(list)                      多选字段是否含 v；含几项
//! substr(x, start, length)                      文本的一部分（从 1 起数字符）
//! code_name('list', x) code_group('list', x)    代码表中 x 的名称、分组（本周期年份有效的）
//! code_ok('list', x)                            x 在本周期年份的代码表中
//! prev_row(field)                               本行在上一周期所接续的行（row_links）的字段值
//! ```

use super::check::{comparable, ty_name, Checker};
use super::parse::PExpr;
use super::{CodePart, CycleVar, Expr, Func, Ty};
use crate::defs::Table;

const NAMES: &str = "count, exists, sum, lookup, count_distinct, id_valid, id_birth, id_sex, ym, \
    coalesce, year, month, add_years, days, has, size, substr, code_name, code_group, code_ok, period_start, \
    period_end, snapshot_date, fiscal_year, cycle_year, prev_row";

impl Checker<'_> {
    /// Checks a call of a function other than the ID-number ones, `ym` and `coalesce`.
    pub(super) fn more_call(
        &mut self,
        name: &str,
        args: &[PExpr],
        inner: Option<&Table>,
    ) -> Result<(Expr, Ty), String> {
        if let Some((var, ty)) = cycle_var(name) {
            arity(name, args, 0)?;
            return Ok((Expr::Cycle(var), ty));
        }
        if let Some(part) = code_part(name) {
            return self.code_call(name, part, args, inner);
        }
        if name == "prev_row" {
            return self.linked_call(args, inner);
        }
        let (func, result) = match name {
            "year" => (Func::Year, None),
            "month" => (Func::Month, Some(Ty::Num(0))),
            "add_years" => (Func::AddYears, None),
            "days" => (Func::Days, Some(Ty::Num(0))),
            "has" => (Func::Has, Some(Ty::Bool)),
            "size" => (Func::Size, Some(Ty::Num(0))),
            "substr" => (Func::Substr, Some(Ty::Text)),
            _ => return Err(format!("没有函数 {name}（可用：{NAMES}）")),
        };
        let want: &[Ty] = match func {
            Func::Year | Func::Month => &[Ty::Date],
            Func::AddYears => &[Ty::Date, Ty::Num(0)],
            Func::Days => &[Ty::Date, Ty::Date],
            Func::Has => &[Ty::List, Ty::Text],
            Func::Substr => &[Ty::Text, Ty::Num(0), Ty::Num(0)],
            _ => &[Ty::List],
        };
        arity(name, args, want.len())?;
        let mut checked = Vec::new();
        for (a, w) in args.iter().zip(want) {
            let (e, t) = self.expr(a, inner)?;
            let fits = match w {
                // days() casts to a date on PostgreSQL: only whole dates.
                Ty::Date if func == Func::Days => matches!(t, Ty::Date | Ty::Null),
                Ty::Date => matches!(t, Ty::Date | Ty::YearMonth | Ty::Null),
                Ty::Num(_) => t == Ty::Num(0) || t == Ty::Null,
                Ty::List => t == Ty::List,
                w => comparable(*w, t),
            };
            if !fits {
                return Err(format!(
                    "{name} 的参数应为{}，这里是{}",
                    ty_name(*w),
                    ty_name(t)
                ));
            }
            checked.push((e, t));
        }
        let ty = match (func, result) {
            (_, Some(t)) => t,
            (Func::Year, _) => Ty::Num(0),
            // add_years keeps the kind of its first argument (a date or a year-month).
            _ => checked.first().map_or(Ty::Date, |c| c.1),
        };
        Ok((
            Expr::Func(func, checked.into_iter().map(|c| c.0).collect()),
            ty,
        ))
    }

    fn code_call(
        &mut self,
        name: &str,
        part: CodePart,
        args: &[PExpr],
        inner: Option<&Table>,
    ) -> Result<(Expr, Ty), String> {
        arity(name, args, 2)?;
        let Some(PExpr::Str(list)) = args.first() else {
            return Err(format!(
                "{name} 的第一个参数是代码表名（带引号，如 'majors_gz_2021'）"
            ));
        };
        if self.catalog.code_list(list).is_none() {
            return Err(format!("没有代码表 {list}"));
        }
        let (arg, t) = self.expr(&args[1], inner)?;
        if !matches!(t, Ty::Text | Ty::Null) {
            return Err(format!(
                "{name} 的第二个参数应为代码（文本），这里是{}",
                ty_name(t)
            ));
        }
        let ty = if part == CodePart::Valid {
            Ty::Bool
        } else {
            Ty::Text
        };
        Ok((
            Expr::Code {
                list: list.clone(),
                part,
                arg: Box::new(arg),
            },
            ty,
        ))
    }
}

fn arity(name: &str, args: &[PExpr], n: usize) -> Result<(), String> {
    if args.len() == n {
        Ok(())
    } else {
        Err(format!("{name} 需要 {n} 个参数"))
    }
}

fn cycle_var(name: &str) -> Option<(CycleVar, Ty)> {
    Some(match name {
        "period_start" => (CycleVar::PeriodStart, Ty::Date),
        "period_end" => (CycleVar::PeriodEnd, Ty::Date),
        "snapshot_date" => (CycleVar::Snapshot, Ty::Date),
        "fiscal_year" => (CycleVar::FiscalYear, Ty::Num(0)),
        "cycle_year" => (CycleVar::Year, Ty::Num(0)),
        _ => return None,
    })
}

fn code_part(name: &str) -> Option<CodePart> {
    Some(match name {
        "code_name" => CodePart::Name,
        "code_group" => CodePart::Group,
        "code_ok" => CodePart::Valid,
        _ => return None,
    })
}
