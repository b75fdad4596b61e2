//! Quality rules as data: `[[rules]]` in a table's definition (record rules) and files under
//! `table-defs/rules/` (cross-table rules), plus the reference and completeness rules derived
//! from the definitions. Rules are parsed and type-checked here into a typed tree ([`Expr`]) that
//! `store` compiles to SQL; nothing here knows SQL.

mod aggregate;
mod builtin;
mod check;
mod formula;
mod funcs;
mod indicator_formula;
mod linked;
mod load;
mod parse;
mod unique;
mod yoy;

pub use linked::reads_linked;

use std::path::PathBuf;

pub use formula::{compile_formula, Formula};
pub use indicator_formula::check_indicator_formula;
pub(crate) use load::{load_rules, rule_lines, TableRules};
pub use parse::{AggKind, ArithOp, CmpOp};
pub use unique::lookups;

/// What a broken rule does to the table's submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleSeverity {
    /// 错误: blocks submission until fixed.
    Error,
    /// 提醒: the unit must write an explanation before submitting.
    Warning,
}

impl RuleSeverity {
    /// `error` or `warning`, as stored in `findings.severity`.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleSeverity::Error => "error",
            RuleSeverity::Warning => "warning",
        }
    }
}

/// Where a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// `[[rules]]` in the table's own definition.
    Record,
    /// A file under `table-defs/rules/`.
    Cross,
    /// Derived: every `ref`/`multi_ref` value exists in its target table in the same cycle.
    Reference,
    /// Derived: each filling unit has rows in the table (a `single` table must not be empty).
    Completeness,
    /// A `[[yoy]]` entry under `table-defs/rules/`: a formula's change against the previous cycle.
    YearOverYear,
    /// Derived: the field rules of the definition (required, code lists, ranges, formats, dates
    /// in the period) over every row of a table, `FIELD:<table>`.
    Field,
    /// Derived: a value other rules look up by must name one row in its table,
    /// `UNIQ:<table>.<field>`.
    Unique,
}

/// What a year-over-year rule compares: its formula this cycle and last, per filling unit.
#[derive(Debug, Clone, PartialEq)]
pub struct YoyCheck {
    pub value: Formula,
    /// The largest change allowed, in percent of the previous value.
    pub max_change: rust_decimal::Decimal,
    /// Previous values below this are not judged.
    pub min_previous: rust_decimal::Decimal,
}

/// The type of an expression. Numbers carry their decimal scale (decimals are scaled integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Num(u32),
    Text,
    Date,
    YearMonth,
    Bool,
    /// multi_enum and multi_ref columns: only `is null` applies.
    List,
    Null,
}

/// A literal, already scaled for numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lit {
    Int(i64),
    Text(String),
    Bool(bool),
    Null,
}

/// Whose column: the row the rule checks, or the table an aggregate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Row,
    Inner,
    /// The row the checked row continues in the previous cycle (`row_links`): `prev_row(field)`.
    Linked,
}

/// Values derived by a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// True when an 18-character GB 11643 number has the right check digit.
    IdValid,
    /// The birth date of a GB 11643 number, `YYYY-MM-DD`.
    IdBirth,
    /// The sex of a GB 11643 number as a gender code: `1` 男 (odd 17th digit), `2` 女.
    IdSex,
    /// The `YYYY-MM` of a date.
    YearMonth,
    /// The first argument unless it is null, else the second.
    Coalesce,
    /// The year of a date or year-month, as a number.
    Year,
    /// The month (1–12) of a date or year-month.
    Month,
    /// A date or year-month moved by a whole number of years.
    AddYears,
    /// Days from the first date to the second (negative when the second is earlier).
    Days,
    /// True when a multi-valued column holds the value.
    Has,
    /// How many values a multi-valued column holds (0 when blank).
    Size,
    /// `substr(x, start, length)`: part of a text, counted in characters from 1.
    Substr,
}

/// A date of the cycle being checked (from the cycle's record, e.g. 2023: 学年 2022-09-01 至
/// 2023-08-31, 财务 2022, 时点 2023-08-31).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleVar {
    /// `period_start()`: the first day of the 学年.
    PeriodStart,
    /// `period_end()`: the last day of the 学年.
    PeriodEnd,
    /// `snapshot_date()`: the 时点.
    Snapshot,
    /// `fiscal_year()`: the 财务 (calendar) year.
    FiscalYear,
    /// `cycle_year()`: the cycle's year.
    Year,
}

/// What a catalogue function takes from a code list, for the cycle's year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePart {
    /// `code_name(list, x)`: the code's name (null when not in the list that year).
    Name,
    /// `code_group(list, x)`: the code's group, e.g. the major class.
    Group,
    /// `code_ok(list, x)`: true when the code is in the list that year.
    Valid,
}

/// An aggregate over another table, joined on key equalities.
#[derive(Debug, Clone, PartialEq)]
pub struct Agg {
    pub kind: AggKind,
    /// The slug of the table read.
    pub table: String,
    /// For `sum`: the summed value (over the inner table).
    pub value: Option<Box<Expr>>,
    /// `inner = outer` pairs: the grouping keys.
    pub keys: Vec<(Expr, Expr)>,
    /// Conditions on the inner table only.
    pub filter: Option<Box<Expr>>,
    /// Reads the previous cycle's rows (`count(previous T …)`).
    pub previous: bool,
    /// `has(list, @x)` in the where: the inner multi-valued column whose elements are matched
    /// with the outer value.
    pub member: Option<(String, Box<Expr>)>,
}

/// A checked expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(Lit),
    Col {
        scope: Scope,
        name: String,
    },
    Neg(Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// Multiplies a number by 10^n so that scales agree.
    Rescale(Box<Expr>, u32),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    In(Box<Expr>, Vec<Lit>, bool),
    IsNull(Box<Expr>, bool),
    Agg(Agg),
    Func(Func, Vec<Expr>),
    /// A date of the cycle.
    Cycle(CycleVar),
    /// A code list read for the cycle's year.
    Code {
        list: String,
        part: CodePart,
        arg: Box<Expr>,
    },
    /// Every element of a multi_ref column exists in one of the targets (slug, field).
    AllExist {
        column: String,
        targets: Vec<(String, String)>,
    },
}

impl Expr {
    /// Every aggregate of the expression, each once, in order of appearance: the derived tables
    /// of a rule's statement, the subqueries of a formula, the grouped reads of an indicator.
    pub fn aggregates(&self) -> Vec<&Agg> {
        let mut out = Vec::new();
        self.collect_aggs(&mut out);
        out
    }

    /// Adds the aggregates of the expression not yet in `out`.
    pub fn collect_aggs<'a>(&'a self, out: &mut Vec<&'a Agg>) {
        match self {
            Expr::Agg(a) => {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
            Expr::Neg(a)
            | Expr::Rescale(a, _)
            | Expr::Not(a)
            | Expr::In(a, _, _)
            | Expr::IsNull(a, _) => a.collect_aggs(out),
            Expr::Arith(_, a, b) | Expr::Cmp(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
                a.collect_aggs(out);
                b.collect_aggs(out);
            }
            Expr::Func(_, args) => args.iter().for_each(|a| a.collect_aggs(out)),
            Expr::Code { arg, .. } => arg.collect_aggs(out),
            Expr::Lit(_) | Expr::Col { .. } | Expr::AllExist { .. } | Expr::Cycle(_) => {}
        }
    }
}

/// A value the message names: `{name}` in the template.
#[derive(Debug, Clone, PartialEq)]
pub struct Placeholder {
    pub name: String,
    pub expr: Expr,
    pub ty: Ty,
}

/// A checked rule, ready to run.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub kind: RuleKind,
    /// The code of the table whose rows the rule checks (its findings belong to that table).
    pub table: String,
    pub severity: RuleSeverity,
    /// The Chinese message template: `{field}`, `{left}`, `{right}` name values.
    pub message: String,
    /// The notice, a standard, or 学校惯例.
    pub source: String,
    /// Codes of every table the rule reads, its own first.
    pub reads: Vec<String>,
    /// The field a finding points at.
    pub field: Option<String>,
    /// Rows the rule applies to (all when absent).
    pub when: Option<Expr>,
    /// What must hold; a row where it is false is a finding (unknown, i.e. NULL, is not).
    pub check: Expr,
    pub placeholders: Vec<Placeholder>,
    /// For [`RuleKind::YearOverYear`]: what is compared (`check` is then unused).
    pub yoy: Option<YoyCheck>,
    /// True for a rule on the table as a whole (`host = "table"`): it is judged once per unit
    /// that has rows, its expressions read only aggregates, and its findings name no row.
    pub whole_table: bool,
    pub file: PathBuf,
    pub line: usize,
}

impl Rule {
    /// Fills the message template with a finding's values.
    pub fn render(&self, values: &[(String, String)]) -> String {
        let mut out = self.message.clone();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}
