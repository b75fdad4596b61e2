//! Aggregates over another table in rule expressions: `count`, `exists`, `sum`, `lookup` and
//! `count_distinct`, their `where` split into join keys (`field = @field`, `has(list, @field)`)
//! and conditions on the other table alone.

use super::check::{scopes, ty_name, Checker};
use super::parse::{AggKind, PExpr};
use super::{Agg, Expr, Func, Scope, Ty};
use crate::defs::Table;

/// True when an expression reads the inner table.
fn side_inner(e: &Expr) -> bool {
    sides(e).1
}

/// (reads the row, reads the other table).
fn sides(e: &Expr) -> (bool, bool) {
    let (mut r, mut i) = (false, false);
    scopes(e, &mut r, &mut i);
    (r, i)
}

fn conjuncts(e: &PExpr, out: &mut Vec<PExpr>) {
    match e {
        PExpr::And(a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        e => out.push(e.clone()),
    }
}

/// A `where` split into the join keys (`inner = outer`), the element match
/// (`has(inner list, outer)`) and the conditions on the other table alone.
type Where = (Vec<(Expr, Expr)>, Option<(String, Box<Expr>)>, Option<Expr>);

impl Checker<'_> {
    pub(super) fn aggregate(
        &mut self,
        kind: AggKind,
        table: &str,
        value: Option<&PExpr>,
        filter: Option<&PExpr>,
    ) -> Result<(Expr, Ty), String> {
        let catalog = self.catalog;
        let target = catalog
            .table_by_slug(table)
            .or_else(|| catalog.table_by_code(table))
            .ok_or_else(|| format!("没有数据表 {table}"))?;
        if !self.reads.contains(&target.code) && target.code != self.row.code {
            self.reads.push(target.code.clone());
        }
        let (keys, member, rest) = self.split_where(target, filter)?;
        let (value, ty) = self.aggregated(kind, target, value)?;
        Ok((
            Expr::Agg(Agg {
                kind,
                table: target.slug.clone(),
                value,
                keys,
                filter: rest.map(Box::new),
                previous: false,
                member,
            }),
            ty,
        ))
    }

    /// Checks each conjunct of the `where` and sorts it into keys, element match or filter.
    fn split_where(&mut self, target: &Table, filter: Option<&PExpr>) -> Result<Where, String> {
        let (mut keys, mut member, mut rest) = (Vec::new(), None, None::<Expr>);
        let mut parts = Vec::new();
        if let Some(f) = filter {
            conjuncts(f, &mut parts);
        }
        for part in &parts {
            let (checked, t) = self.expr(part, Some(target))?;
            if !matches!(t, Ty::Bool | Ty::Null) {
                return Err(format!("where 条件应为是/否，这里是{}", ty_name(t)));
            }
            let (mut row, mut inn) = (false, false);
            scopes(&checked, &mut row, &mut inn);
            if !row {
                rest = Some(match rest {
                    None => checked,
                    Some(r) => Expr::And(Box::new(r), Box::new(checked)),
                });
                continue;
            }
            match checked {
                Expr::Func(Func::Has, args) if member.is_none() => match &args[..] {
                    [Expr::Col {
                        scope: Scope::Inner,
                        name,
                    }, outer]
                        if !side_inner(outer) =>
                    {
                        member = Some((name.clone(), Box::new(outer.clone())));
                    }
                    _ => return Err(Self::key_shape()),
                },
                Expr::Cmp(super::CmpOp::Eq, a, b) => match (sides(&a), sides(&b)) {
                    ((false, true), (true, false)) => keys.push((*a, *b)),
                    ((true, false), (false, true)) => keys.push((*b, *a)),
                    _ => return Err(Self::key_shape()),
                },
                _ => return Err(Self::key_shape()),
            }
        }
        Ok((keys, member, rest))
    }

    /// The aggregated value of each form (none for `count` and `exists`) and the result's type.
    fn aggregated(
        &mut self,
        kind: AggKind,
        target: &Table,
        value: Option<&PExpr>,
    ) -> Result<(Option<Box<Expr>>, Ty), String> {
        let checked = |me: &mut Self, missing: &str| -> Result<(Box<Expr>, Ty), String> {
            let v = value.ok_or(missing)?;
            let (v, t) = me.expr(v, Some(target))?;
            Ok((Box::new(v), t))
        };
        Ok(match kind {
            AggKind::Count => (None, Ty::Num(0)),
            AggKind::Exists => (None, Ty::Bool),
            AggKind::Sum => {
                let (v, t) = checked(self, "sum 需要求和的字段")?;
                self.numeric(t, "sum")?;
                (Some(v), if t == Ty::Null { Ty::Num(0) } else { t })
            }
            AggKind::Lookup => {
                let (v, t) = checked(self, "lookup 需要取值的字段")?;
                if matches!(t, Ty::Bool | Ty::List) {
                    return Err(format!("lookup 不能取{}字段", ty_name(t)));
                }
                (Some(v), t)
            }
            AggKind::CountDistinct => {
                let (v, t) = checked(self, "count_distinct 需要计数的字段")?;
                if matches!(t, Ty::List) {
                    return Err("count_distinct 不能数多选值".into());
                }
                (Some(v), Ty::Num(0))
            }
        })
    }

    fn key_shape() -> String {
        "where 中用到本行字段时只能写成 对方字段 = @本行字段 或 has(对方多选字段, @本行字段)（用 and 连接）"
            .into()
    }
}
