//! Names and types of a parsed rule expression: every field must exist in its table, operands
//! must agree (numbers of different scales are rescaled, text never meets a number), and a
//! condition must be true or false. Produces the typed [`Expr`] that `store` compiles.

use rust_decimal::Decimal;

use super::parse::{ArithOp, PExpr};
use super::{Expr, Func, Lit, Placeholder, Scope, Ty};
use crate::defs::{Catalog, Field, FieldType, Table};

/// Checks expressions of rules on the rows of one table.
pub(super) struct Checker<'a> {
    pub catalog: &'a Catalog,
    pub row: &'a Table,
    /// Codes of the tables read so far (besides the row table).
    pub reads: Vec<String>,
    /// The operand type of the comparison checked last.
    pub last_cmp: Ty,
    /// A whole-table rule: no bare field of a row outside aggregates.
    pub whole_table: bool,
}

/// The type a field's column has in expressions.
pub(super) fn field_ty(field: &Field) -> Ty {
    match field.ty {
        FieldType::Int | FieldType::Year => Ty::Num(0),
        FieldType::Decimal { scale } => Ty::Num(scale),
        FieldType::Date => Ty::Date,
        FieldType::YearMonth => Ty::YearMonth,
        FieldType::Bool => Ty::Bool,
        FieldType::MultiEnum { .. } | FieldType::MultiRef { .. } => Ty::List,
        _ => Ty::Text,
    }
}

pub(super) fn ty_name(ty: Ty) -> &'static str {
    match ty {
        Ty::Num(0) => "整数",
        Ty::Num(_) => "小数",
        Ty::Text => "文本",
        Ty::Date => "日期",
        Ty::YearMonth => "年月",
        Ty::Bool => "是/否",
        Ty::List => "多选值",
        Ty::Null => "空值",
    }
}

/// Whether values of the two types may be compared (dates and codes are text in SQL, so a text
/// literal such as '2023-08-31' meets a date).
pub(super) fn comparable(a: Ty, b: Ty) -> bool {
    use Ty::*;
    match (a, b) {
        (Null, _) | (_, Null) => true,
        (Num(_), Num(_)) => true,
        (Text, Date | YearMonth) | (Date | YearMonth, Text) => true,
        (List, _) | (_, List) => false,
        _ => a == b,
    }
}

fn rescale(e: Expr, by: u32) -> Expr {
    if by == 0 {
        return e;
    }
    match e {
        Expr::Lit(Lit::Int(n)) => Expr::Lit(Lit::Int(n * 10_i64.pow(by))),
        e => Expr::Rescale(Box::new(e), by),
    }
}

/// Brings two operands to one scale when both are numbers.
pub(super) fn align(l: (Expr, Ty), r: (Expr, Ty)) -> (Expr, Expr, Ty) {
    match (l.1, r.1) {
        (Ty::Num(a), Ty::Num(b)) => {
            let s = a.max(b);
            (rescale(l.0, s - a), rescale(r.0, s - b), Ty::Num(s))
        }
        (Ty::Null, t) => (l.0, r.0, t),
        (t, _) => (l.0, r.0, t),
    }
}

fn lit_of(d: Decimal) -> (Expr, Ty) {
    let n = i64::try_from(d.mantissa()).unwrap_or(i64::MAX);
    (Expr::Lit(Lit::Int(n)), Ty::Num(d.scale()))
}

/// Mentions of row (outer) and inner columns in an expression.
pub(super) fn scopes(e: &Expr, row: &mut bool, inner: &mut bool) {
    each_scope(e, &mut |s| match s {
        Scope::Row | Scope::Linked => *row = true,
        Scope::Inner => *inner = true,
    });
}

/// Calls `seen` with the scope of every column an expression mentions (outside aggregates, whose
/// columns belong to their own table).
pub(super) fn each_scope(e: &Expr, seen: &mut dyn FnMut(Scope)) {
    match e {
        Expr::Col { scope, .. } => seen(*scope),
        Expr::Neg(a)
        | Expr::Rescale(a, _)
        | Expr::Not(a)
        | Expr::In(a, _, _)
        | Expr::IsNull(a, _) => each_scope(a, seen),
        Expr::Arith(_, a, b) | Expr::Cmp(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
            each_scope(a, seen);
            each_scope(b, seen);
        }
        Expr::Func(_, args) => args.iter().for_each(|a| each_scope(a, seen)),
        Expr::Code { arg, .. } => each_scope(arg, seen),
        Expr::Lit(_) | Expr::Agg(_) | Expr::AllExist { .. } | Expr::Cycle(_) => {}
    }
}

impl Checker<'_> {
    /// Checks an expression that must be a condition.
    pub fn condition(&mut self, e: &PExpr) -> Result<Expr, String> {
        let (e, ty) = self.expr(e, None)?;
        match ty {
            Ty::Bool | Ty::Null => Ok(e),
            t => Err(format!("条件应为是/否，这里是{}", ty_name(t))),
        }
    }

    pub(super) fn column(
        &self,
        table: &Table,
        name: &str,
        scope: Scope,
    ) -> Result<(Expr, Ty), String> {
        if scope == Scope::Row && self.whole_table {
            return Err(format!(
                "整表规则（host = \"table\"）没有“本行”：{name} 须写在 count/sum/lookup 中"
            ));
        }
        let field = table
            .field(name)
            .ok_or_else(|| format!("{} {} 没有字段 {name}", table.code, table.name))?;
        Ok((
            Expr::Col {
                scope,
                name: name.to_owned(),
            },
            field_ty(field),
        ))
    }

    /// Checks any expression; `inner` is the table an enclosing aggregate reads.
    pub fn expr(&mut self, e: &PExpr, inner: Option<&Table>) -> Result<(Expr, Ty), String> {
        Ok(match e {
            PExpr::Num(d) => lit_of(*d),
            PExpr::Str(s) => (Expr::Lit(Lit::Text(s.clone())), Ty::Text),
            PExpr::Bool(b) => (Expr::Lit(Lit::Bool(*b)), Ty::Bool),
            PExpr::Null => (Expr::Lit(Lit::Null), Ty::Null),
            PExpr::Field(name) => match inner {
                Some(t) => self.column(t, name, Scope::Inner)?,
                None => self.column(self.row, name, Scope::Row)?,
            },
            PExpr::Outer(name) => {
                if inner.is_none() {
                    return Err(format!(
                        "@{name} 只能用在 count/sum/exists 的 where 中；本表字段直接写 {name}"
                    ));
                }
                self.column(self.row, name, Scope::Row)?
            }
            PExpr::Neg(a) => {
                let (a, t) = self.expr(a, inner)?;
                self.numeric(t, "取负")?;
                (Expr::Neg(Box::new(a)), t)
            }
            PExpr::Arith(op, a, b) => {
                let l = self.expr(a, inner)?;
                let r = self.expr(b, inner)?;
                self.numeric(l.1, "算术")?;
                self.numeric(r.1, "算术")?;
                if *op == ArithOp::Mul {
                    let s = match (l.1, r.1) {
                        (Ty::Num(x), Ty::Num(y)) => x + y,
                        _ => 0,
                    };
                    (Expr::Arith(*op, Box::new(l.0), Box::new(r.0)), Ty::Num(s))
                } else {
                    let (l, r, t) = align(l, r);
                    (Expr::Arith(*op, Box::new(l), Box::new(r)), t)
                }
            }
            PExpr::Cmp(op, a, b) => {
                let l = self.expr(a, inner)?;
                let r = self.expr(b, inner)?;
                if !comparable(l.1, r.1) {
                    return Err(format!("不能比较{}与{}", ty_name(l.1), ty_name(r.1)));
                }
                let (l, r, t) = align(l, r);
                // The outermost comparison is checked last: its type is what {left}/{right} show.
                self.last_cmp = t;
                (Expr::Cmp(*op, Box::new(l), Box::new(r)), Ty::Bool)
            }
            PExpr::And(a, b) | PExpr::Or(a, b) => {
                let l = self.boolean(a, inner)?;
                let r = self.boolean(b, inner)?;
                let e = if matches!(e, PExpr::And(..)) {
                    Expr::And(Box::new(l), Box::new(r))
                } else {
                    Expr::Or(Box::new(l), Box::new(r))
                };
                (e, Ty::Bool)
            }
            PExpr::Not(a) => (Expr::Not(Box::new(self.boolean(a, inner)?)), Ty::Bool),
            PExpr::In(a, list, neg) => {
                let (a, t) = self.expr(a, inner)?;
                let mut lits = Vec::new();
                for item in list {
                    let (l, lt) = self.expr(item, inner)?;
                    if !comparable(t, lt) {
                        return Err(format!("in 列表中的值应为{}", ty_name(t)));
                    }
                    let l = match (t, lt) {
                        (Ty::Num(s), Ty::Num(ls)) if s >= ls => rescale(l, s - ls),
                        _ => l,
                    };
                    match l {
                        Expr::Lit(l) => lits.push(l),
                        _ => return Err("in 列表只能是常量，且小数位数不超过字段的".into()),
                    }
                }
                (Expr::In(Box::new(a), lits, *neg), Ty::Bool)
            }
            PExpr::IsNull(a, neg) => {
                let (a, _) = self.expr(a, inner)?;
                (Expr::IsNull(Box::new(a), *neg), Ty::Bool)
            }
            PExpr::Agg {
                kind,
                table,
                value,
                filter,
                previous,
            } => {
                if inner.is_some() {
                    return Err("count/sum/exists 不能嵌套".into());
                }
                let (mut e, t) =
                    self.aggregate(*kind, table, value.as_deref(), filter.as_deref())?;
                if let Expr::Agg(a) = &mut e {
                    a.previous = *previous;
                }
                (e, t)
            }
            PExpr::Call(name, args) => self.call(name, args, inner)?,
        })
    }

    pub(super) fn numeric(&self, t: Ty, what: &str) -> Result<(), String> {
        match t {
            Ty::Num(_) | Ty::Null => Ok(()),
            t => Err(format!("{what}只适用于数值，这里是{}", ty_name(t))),
        }
    }

    fn boolean(&mut self, e: &PExpr, inner: Option<&Table>) -> Result<Expr, String> {
        let (e, t) = self.expr(e, inner)?;
        match t {
            Ty::Bool | Ty::Null => Ok(e),
            t => Err(format!(
                "and/or/not 的操作数应为是/否，这里是{}",
                ty_name(t)
            )),
        }
    }

    fn call(
        &mut self,
        name: &str,
        args: &[PExpr],
        inner: Option<&Table>,
    ) -> Result<(Expr, Ty), String> {
        let (func, params, result): (Func, &[Ty], Ty) = match name {
            "id_valid" => (Func::IdValid, &[Ty::Text], Ty::Bool),
            "id_birth" => (Func::IdBirth, &[Ty::Text], Ty::Date),
            "id_sex" => (Func::IdSex, &[Ty::Text], Ty::Text),
            "ym" => (Func::YearMonth, &[Ty::Date], Ty::YearMonth),
            "coalesce" => (Func::Coalesce, &[Ty::Null, Ty::Null], Ty::Null),
            _ => return self.more_call(name, args, inner),
        };
        if args.len() != params.len() {
            return Err(format!("{name} 需要 {} 个参数", params.len()));
        }
        let mut checked = Vec::new();
        for (a, want) in args.iter().zip(params) {
            let (e, t) = self.expr(a, inner)?;
            if *want != Ty::Null && !comparable(*want, t) {
                return Err(format!(
                    "{name} 的参数应为{}，这里是{}",
                    ty_name(*want),
                    ty_name(t)
                ));
            }
            checked.push((e, t));
        }
        if func == Func::Coalesce {
            let r = checked.pop().ok_or("coalesce 需要 2 个参数")?;
            let l = checked.pop().ok_or("coalesce 需要 2 个参数")?;
            if !comparable(l.1, r.1) {
                return Err("coalesce 的两个参数类型应一致".into());
            }
            let (l, r, t) = align(l, r);
            return Ok((Expr::Func(func, vec![l, r]), t));
        }
        Ok((
            Expr::Func(func, checked.into_iter().map(|c| c.0).collect()),
            result,
        ))
    }

    /// The values a message template names: `{left}`/`{right}` (sides of the check's comparison)
    /// or fields of the row.
    pub fn placeholders(&self, message: &str, check: &Expr) -> Result<Vec<Placeholder>, String> {
        let mut out: Vec<Placeholder> = Vec::new();
        let mut rest = message;
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            let end = after.find('}').ok_or("message 中的 { 没有配对的 }")?;
            let name = &after[..end];
            rest = &after[end + 1..];
            if out.iter().any(|p| p.name == name) {
                continue;
            }
            let (expr, ty) = match (name, check) {
                ("left", Expr::Cmp(_, l, _)) => ((**l).clone(), self.last_cmp),
                ("right", Expr::Cmp(_, _, r)) => ((**r).clone(), self.last_cmp),
                ("left" | "right", _) => {
                    return Err(format!("{{{name}}} 只能用在比较式（a = b 之类）的规则中"))
                }
                _ => {
                    let (e, t) = self
                        .column(self.row, name, Scope::Row)
                        .map_err(|e| format!("message 中的 {{{name}}}：{e}"))?;
                    (e, t)
                }
            };
            out.push(Placeholder {
                name: name.to_owned(),
                expr,
                ty,
            });
        }
        Ok(out)
    }
}
