//! The rule expression language, parsed with winnow into an untyped tree ([`PExpr`]).
//!
//! ```text
//! cond  := and ("or" and)*            and  := not ("and" not)*
//! not   := "not" not | cmp            cmp  := sum [op sum | ["not"] "in" "(" lit, … ")" | "is" ["not"] "null"]
//! sum   := prod (("+" | "-") prod)*   prod := unary ("*" unary)*       unary := "-" unary | atom
//! atom  := number | 'text' | true | false | null | @field | field | "(" cond ")"
//!        | count(T [where cond]) | exists(T [where cond]) | sum(T, expr [where cond])
//!        | lookup(T, expr [where cond]) | count_distinct(T, expr [where cond])
//!        | name "(" [cond ("," cond)*] ")"       (functions: see `check.rs` and `funcs.rs`)
//! T     := ["previous"] (slug | 'code')
//! ```
//! `T` is a table slug or its code in quotes ('1.5.1'), `previous T` the same table in the
//! previous cycle; inside an aggregate a bare name is a field of `T` and `@name` a field of the
//! row the rule checks.

use rust_decimal::Decimal;
use winnow::ascii::{digit1, multispace0};
use winnow::combinator::{alt, cut_err, delimited, not, opt, preceded, repeat, separated};
use winnow::error::{ContextError, ErrMode, StrContext, StrContextValue};
use winnow::prelude::*;
use winnow::token::{one_of, take_while};

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The SQL spelling.
    pub fn sql(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Aggregates over another table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggKind {
    Count,
    Exists,
    Sum,
    /// The value of a field in the one matching row of another table (several matching rows
    /// leave it unknown: the target's `UNIQ:` rule reports them).
    Lookup,
    /// How many different values an expression takes over the matching rows.
    CountDistinct,
}

/// An expression as written, before names and types are checked.
#[derive(Debug, Clone, PartialEq)]
pub enum PExpr {
    Num(Decimal),
    Str(String),
    Bool(bool),
    Null,
    Field(String),
    Outer(String),
    Neg(Box<PExpr>),
    Arith(ArithOp, Box<PExpr>, Box<PExpr>),
    Cmp(CmpOp, Box<PExpr>, Box<PExpr>),
    And(Box<PExpr>, Box<PExpr>),
    Or(Box<PExpr>, Box<PExpr>),
    Not(Box<PExpr>),
    In(Box<PExpr>, Vec<PExpr>, bool),
    IsNull(Box<PExpr>, bool),
    Agg {
        kind: AggKind,
        table: String,
        value: Option<Box<PExpr>>,
        filter: Option<Box<PExpr>>,
        previous: bool,
    },
    Call(String, Vec<PExpr>),
}

/// Parses a whole expression; the error names the character offset and what was expected.
pub fn parse_expr(text: &str) -> Result<PExpr, String> {
    delimited(multispace0, cond, multispace0)
        .parse(text)
        .map_err(|e| {
            let at = e.offset();
            let rest: String = text[at..].chars().take(20).collect();
            let why = e.inner().to_string();
            let why = if why.is_empty() {
                "无法解析".to_owned()
            } else {
                why
            };
            format!("表达式第 {} 个字符处（“{rest}”）：{why}", at + 1)
        })
}

type R<T> = ModalResult<T>;

fn ws<'i, O>(
    p: impl Parser<&'i str, O, ErrMode<ContextError>>,
) -> impl Parser<&'i str, O, ErrMode<ContextError>> {
    delimited(multispace0, p, multispace0)
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn kw<'i>(word: &'static str) -> impl Parser<&'i str, (), ErrMode<ContextError>> {
    ws((word, not(one_of(is_ident))).void())
}

fn ident(i: &mut &str) -> R<String> {
    (
        one_of(|c: char| c.is_ascii_lowercase()),
        take_while(0.., is_ident),
    )
        .take()
        .map(str::to_owned)
        .context(StrContext::Expected(StrContextValue::Description("字段名")))
        .parse_next(i)
}

fn cond(i: &mut &str) -> R<PExpr> {
    chain(i, "or", and_expr, PExpr::Or)
}

fn and_expr(i: &mut &str) -> R<PExpr> {
    chain(i, "and", not_expr, PExpr::And)
}

/// `operand (word operand)*`, folded to the left with `join`.
fn chain(
    i: &mut &str,
    word: &'static str,
    operand: fn(&mut &str) -> R<PExpr>,
    join: fn(Box<PExpr>, Box<PExpr>) -> PExpr,
) -> R<PExpr> {
    let first = operand(i)?;
    repeat(0.., preceded(kw(word), operand))
        .fold(move || first.clone(), |l, r| join(Box::new(l), Box::new(r)))
        .parse_next(i)
}

fn not_expr(i: &mut &str) -> R<PExpr> {
    alt((
        preceded(kw("not"), not_expr).map(|e| PExpr::Not(Box::new(e))),
        cmp,
    ))
    .parse_next(i)
}

fn cmp_op(i: &mut &str) -> R<CmpOp> {
    ws(alt((
        "<=".value(CmpOp::Le),
        ">=".value(CmpOp::Ge),
        "!=".value(CmpOp::Ne),
        "<>".value(CmpOp::Ne),
        "=".value(CmpOp::Eq),
        "<".value(CmpOp::Lt),
        ">".value(CmpOp::Gt),
    )))
    .parse_next(i)
}

fn cmp(i: &mut &str) -> R<PExpr> {
    let left = sum(i)?;
    if let Some((op, right)) = opt((cmp_op, cut_err(sum))).parse_next(i)? {
        return Ok(PExpr::Cmp(op, Box::new(left), Box::new(right)));
    }
    if let Some(neg) = opt(alt((
        (kw("not"), kw("in")).value(true),
        kw("in").value(false),
    )))
    .parse_next(i)?
    {
        let list: Vec<PExpr> = cut_err(delimited(
            ws('('),
            separated(1.., ws(literal), ws(',')),
            ws(')'),
        ))
        .parse_next(i)?;
        return Ok(PExpr::In(Box::new(left), list, neg));
    }
    if opt(kw("is")).parse_next(i)?.is_some() {
        let neg = opt(kw("not")).parse_next(i)?.is_some();
        cut_err(kw("null")).parse_next(i)?;
        return Ok(PExpr::IsNull(Box::new(left), neg));
    }
    Ok(left)
}

fn sum(i: &mut &str) -> R<PExpr> {
    let first = prod(i)?;
    repeat(
        0..,
        (
            ws(alt(('+'.value(ArithOp::Add), '-'.value(ArithOp::Sub)))),
            cut_err(prod),
        ),
    )
    .fold(
        move || first.clone(),
        |l, (op, r)| PExpr::Arith(op, Box::new(l), Box::new(r)),
    )
    .parse_next(i)
}

fn prod(i: &mut &str) -> R<PExpr> {
    let first = unary(i)?;
    repeat(0.., preceded(ws('*'), cut_err(unary)))
        .fold(
            move || first.clone(),
            |l, r| PExpr::Arith(ArithOp::Mul, Box::new(l), Box::new(r)),
        )
        .parse_next(i)
}

fn unary(i: &mut &str) -> R<PExpr> {
    alt((
        preceded(ws('-'), unary).map(|e| PExpr::Neg(Box::new(e))),
        ws(atom),
    ))
    .parse_next(i)
}

fn number(i: &mut &str) -> R<Decimal> {
    (digit1, opt(('.', digit1)))
        .take()
        .try_map(|s: &str| s.parse::<Decimal>())
        .parse_next(i)
}

fn quoted(i: &mut &str) -> R<String> {
    delimited('\'', take_while(0.., |c| c != '\''), '\'')
        .map(str::to_owned)
        .parse_next(i)
}

fn literal(i: &mut &str) -> R<PExpr> {
    alt((
        number.map(PExpr::Num),
        preceded('-', number).map(|n| PExpr::Num(-n)),
        quoted.map(PExpr::Str),
        kw("true").value(PExpr::Bool(true)),
        kw("false").value(PExpr::Bool(false)),
    ))
    .parse_next(i)
}

fn atom(i: &mut &str) -> R<PExpr> {
    alt((
        number.map(PExpr::Num),
        quoted.map(PExpr::Str),
        kw("true").value(PExpr::Bool(true)),
        kw("false").value(PExpr::Bool(false)),
        kw("null").value(PExpr::Null),
        preceded('@', cut_err(ident)).map(PExpr::Outer),
        delimited(ws('('), cond, cut_err(ws(')'))),
        call,
        ident.map(PExpr::Field),
    ))
    .parse_next(i)
}

fn table_ref(i: &mut &str) -> R<(bool, String)> {
    (opt(kw("previous")).map(|p| p.is_some()), table_name).parse_next(i)
}

fn table_name(i: &mut &str) -> R<String> {
    ws(alt((quoted, ident)))
        .context(StrContext::Expected(StrContextValue::Description(
            "表名（如 students 或 '1.5.1'）",
        )))
        .parse_next(i)
}

fn where_clause(i: &mut &str) -> R<Option<Box<PExpr>>> {
    opt(preceded(kw("where"), cut_err(cond)))
        .map(|f| f.map(Box::new))
        .parse_next(i)
}

fn call(i: &mut &str) -> R<PExpr> {
    let name = (ident, ws('(')).map(|(n, _)| n).parse_next(i)?;
    let expr = match name.as_str() {
        "count" | "exists" => {
            let ((previous, table), filter) = cut_err((table_ref, where_clause)).parse_next(i)?;
            let kind = if name == "count" {
                AggKind::Count
            } else {
                AggKind::Exists
            };
            PExpr::Agg {
                kind,
                table,
                value: None,
                filter,
                previous,
            }
        }
        "sum" | "lookup" | "count_distinct" => {
            let ((previous, table), _, value, filter) =
                cut_err((table_ref, ws(','), sum, where_clause)).parse_next(i)?;
            PExpr::Agg {
                kind: match name.as_str() {
                    "sum" => AggKind::Sum,
                    "lookup" => AggKind::Lookup,
                    _ => AggKind::CountDistinct,
                },
                table,
                value: Some(Box::new(value)),
                filter,
                previous,
            }
        }
        _ => {
            let args: Vec<PExpr> = cut_err(separated(0.., cond, ws(','))).parse_next(i)?;
            PExpr::Call(name, args)
        }
    };
    cut_err(ws(')')).parse_next(i)?;
    Ok(expr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_precedence_and_aggregates() {
        let e =
            parse_expr("total = count('1.5.1' where major_code = @major_code and grade = @grade)")
                .map_err(|e| e.to_string());
        assert!(matches!(e, Ok(PExpr::Cmp(CmpOp::Eq, _, _))), "{e:?}");
        let e = parse_expr("a + b * 2 >= c and not x in ('1', '2') or y is not null");
        assert!(matches!(e, Ok(PExpr::Or(_, _))), "{e:?}");
        assert!(parse_expr("sum(income_other, amount)").is_ok());
        assert!(parse_expr("id_birth(id_no) = birth_date").is_ok());
        let e = parse_expr("count_distinct(previous '1.5.1', major_code where grade = 2021) > 0");
        assert!(
            matches!(&e, Ok(PExpr::Cmp(_, l, _)) if matches!(**l, PExpr::Agg { previous: true, kind: AggKind::CountDistinct, .. })),
            "{e:?}"
        );
        assert!(parse_expr("snapshot_date() >= add_years(birth_date, 16)").is_ok());
    }

    #[test]
    fn reports_where_it_stopped() {
        let e = parse_expr("total = = 3").err().unwrap_or_default();
        assert!(e.contains("第 9 个字符"), "{e}");
        assert!(parse_expr("count(students where)").is_err());
        assert!(parse_expr("total = 1 junk").is_err());
    }
}
