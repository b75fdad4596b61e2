//! The validated catalog: what the rest of statusdata knows about tables, fields and code lists.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use regex::Regex;
use rust_decimal::Decimal;
use serde::Deserialize;

/// Which part of the collection a table belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// 源数据表 (0.1.x): rosters the other tables reference.
    Source,
    /// 基础数据表 (1.x).
    Basic,
    /// 专项数据表 (2.x).
    Special,
}

/// The time a table's figures refer to, so dates can be checked against the cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// 学年: the academic year of the cycle (2022-09-01..2023-08-31 for 2023).
    AcademicYear,
    /// 自然年: the finance year (2022 for the 2023 cycle).
    CalendarYear,
    /// 时点: the cycle's snapshot date (2023-08-31 by default).
    Snapshot,
}

/// Whether a unit fills one row or many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One row per unit and cycle (学校概况表).
    Single,
    /// Any number of rows, unique by the table's key.
    Rows,
}

/// Named checks beyond a regular expression (check digits, address syntax).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// 居民身份证号码 with its GB 11643 check digit.
    Gb11643,
    /// 统一社会信用代码 with its GB 32100 check digit.
    Gb32100,
    /// ISBN-10 or ISBN-13 with check digit (hyphens allowed).
    Isbn,
    /// ISSN with check digit.
    Issn,
    /// A mainland mobile number.
    Mobile,
    /// A landline number with area code.
    Phone,
    /// An e-mail address.
    Email,
    /// An http(s) URL.
    Url,
    /// A six-digit GB/T 2260 area code.
    Gb2260,
}

/// The kind of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 职能部门 (quality office, finance, library, …).
    Department,
    /// 院系 (a teaching college), member of 各院系.
    College,
}

/// A field's type, with what the type needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    String,
    Text,
    Int,
    Decimal { scale: u32 },
    Date,
    YearMonth,
    Year,
    Bool,
    Enum { codes: String },
    MultiEnum { codes: String },
    Ref { targets: Vec<RefTarget> },
    MultiRef { targets: Vec<RefTarget> },
}

impl FieldType {
    /// The name used in definition files and the catalog (`year_month`, `multi_ref`, …).
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Text => "text",
            FieldType::Int => "int",
            FieldType::Decimal { .. } => "decimal",
            FieldType::Date => "date",
            FieldType::YearMonth => "year_month",
            FieldType::Year => "year",
            FieldType::Bool => "bool",
            FieldType::Enum { .. } => "enum",
            FieldType::MultiEnum { .. } => "multi_enum",
            FieldType::Ref { .. } => "ref",
            FieldType::MultiRef { .. } => "multi_ref",
        }
    }

    /// The code list an enum field draws from.
    pub fn code_list(&self) -> Option<&str> {
        match self {
            FieldType::Enum { codes } | FieldType::MultiEnum { codes } => Some(codes),
            _ => None,
        }
    }

    /// The tables and fields a reference may point at.
    pub fn ref_targets(&self) -> &[RefTarget] {
        match self {
            FieldType::Ref { targets } | FieldType::MultiRef { targets } => targets,
            _ => &[],
        }
    }
}

/// One target of a reference: a field of another table, by slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefTarget {
    pub table: String,
    pub field: String,
}

/// A literal in a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    Text(String),
    Int(i64),
    Bool(bool),
}

/// What a condition tests about the other field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    Eq(Literal),
    Ne(Literal),
    In(Vec<Literal>),
    /// `true`: the field has a value; `false`: it is empty.
    Set(bool),
}

/// A simple condition on another field of the same row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub field: String,
    pub test: Test,
}

/// A field of a table definition, validated.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub label: String,
    pub ty: FieldType,
    pub required: bool,
    pub required_if: Option<Condition>,
    pub help: Option<String>,
    pub unit: Option<String>,
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
    pub max_len: Option<u32>,
    pub pattern: Option<Regex>,
    pub format: Option<Format>,
    pub format_if: Option<Condition>,
    /// The date must fall inside the cycle's period for the table's period kind.
    pub in_period: bool,
    /// Asked for an index (`index = true`).
    pub index: bool,
}

/// A table definition, validated.
#[derive(Debug, Clone)]
pub struct Table {
    pub code: String,
    pub slug: String,
    pub name: String,
    pub group: String,
    pub kind: TableKind,
    pub period: Period,
    pub scope: Scope,
    pub key: Vec<String>,
    pub carry_forward: bool,
    pub order: u32,
    pub help: Option<String>,
    pub fields: Vec<Field>,
    /// The file the table was loaded from, for messages.
    pub file: PathBuf,
}

impl Table {
    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// One code of a code list, as its file writes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    pub code: String,
    pub name: String,
    pub group: Option<String>,
    pub note: Option<String>,
    /// The first cycle year the code is valid in (a catalogue's later supplement); `None`:
    /// since the list began.
    pub since: Option<i32>,
    /// The last cycle year the code is valid in (a code withdrawn from the catalogue); `None`:
    /// still valid.
    pub until: Option<i32>,
}

impl Code {
    /// True when the code is valid in the cycle of `year`.
    pub fn valid_in(&self, year: i32) -> bool {
        self.since.is_none_or(|s| s <= year) && self.until.is_none_or(|u| year <= u)
    }
}

/// A code list with its includes resolved.
#[derive(Debug, Clone)]
pub struct CodeList {
    pub name: String,
    pub label: String,
    pub source: String,
    /// When false, an unknown code is a warning rather than an error.
    pub complete: bool,
    /// Own codes first, then each included list's, in order; duplicates dropped.
    pub codes: Vec<Code>,
    index: HashMap<String, usize>,
}

impl CodeList {
    /// Builds a list from its codes (first occurrence of a code wins).
    pub fn new(
        name: String,
        label: String,
        source: String,
        complete: bool,
        all: Vec<Code>,
    ) -> Self {
        let mut codes = Vec::with_capacity(all.len());
        let mut index = HashMap::with_capacity(all.len());
        for code in all {
            if !index.contains_key(&code.code) {
                index.insert(code.code.clone(), codes.len());
                codes.push(code);
            }
        }
        CodeList {
            name,
            label,
            source,
            complete,
            codes,
            index,
        }
    }

    /// The code with this value.
    pub fn get(&self, code: &str) -> Option<&Code> {
        self.index.get(code).map(|&i| &self.codes[i])
    }
}

/// Every table definition and code list, checked against each other.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Tables in the notice's order.
    pub tables: Vec<Arc<Table>>,
    pub code_lists: BTreeMap<String, Arc<CodeList>>,
    /// Every quality rule: the tables' own, `rules/` files', and those derived from references.
    pub rules: Vec<Arc<super::Rule>>,
    /// 高基报表 reference figures (`reference/gaoji.toml`), in the file's order.
    pub gaoji: Vec<Arc<super::gaoji::GaojiFigure>>,
    /// The core indicators of `indicators.toml`, in the file's order.
    pub indicators: Vec<Arc<super::Indicator>>,
    /// The annual quality report's data tables (`report/annual.toml`).
    pub report: Arc<super::report::Report>,
}

impl Catalog {
    /// The table with this code (`1.4.1`).
    pub fn table_by_code(&self, code: &str) -> Option<&Arc<Table>> {
        self.tables.iter().find(|t| t.code == code)
    }

    /// The table with this slug (`internal_teachers`).
    pub fn table_by_slug(&self, slug: &str) -> Option<&Arc<Table>> {
        self.tables.iter().find(|t| t.slug == slug)
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Arc<super::Rule>> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The core indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&Arc<super::Indicator>> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The code list with this name.
    pub fn code_list(&self, name: &str) -> Option<&Arc<CodeList>> {
        self.code_lists.get(name)
    }
}

/// A unit of the college.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent: Option<String>,
    pub aliases: Vec<String>,
}

/// A named group of units (各院系).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitGroup {
    pub code: String,
    pub name: String,
    /// Member unit codes.
    pub members: Vec<String>,
}

/// The college's units and groups, from `seeds/units.toml`.
#[derive(Debug, Clone, Default)]
pub struct Units {
    pub units: Vec<Unit>,
    pub groups: Vec<UnitGroup>,
}

impl Units {
    /// The unit with this code.
    pub fn by_code(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.code == code)
    }

    /// The unit called `name`, by its canonical name or one of its aliases.
    pub fn by_name(&self, name: &str) -> Option<&Unit> {
        self.units
            .iter()
            .find(|u| u.name == name || u.aliases.iter().any(|a| a == name))
    }

    /// The group called `name`.
    pub fn group_by_name(&self, name: &str) -> Option<&UnitGroup> {
        self.groups.iter().find(|g| g.name == name)
    }
}
