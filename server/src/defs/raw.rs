//! The TOML file formats exactly as written by administrators (serde, strict).
//! Only `defs` reads these; everything else sees the validated model.

use serde::Deserialize;

/// A table definition file, `table-defs/<code>-<slug>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    pub code: String,
    pub slug: String,
    pub name: String,
    pub group: String,
    pub kind: super::TableKind,
    pub period: super::Period,
    pub scope: super::Scope,
    #[serde(default)]
    pub key: Vec<String>,
    #[serde(default)]
    pub carry_forward: bool,
    pub order: u32,
    pub help: Option<String>,
    pub fields: Vec<RawField>,
    /// Record rules on this table's rows.
    #[serde(default)]
    pub rules: Vec<RawRule>,
}

/// One `[[rules]]` entry: in a table file (the table is the file's) or under `rules/`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: String,
    /// The code of the table whose rows the rule checks; only in `rules/` files.
    pub table: Option<String>,
    pub severity: super::RuleSeverity,
    pub message: String,
    pub source: String,
    #[serde(default)]
    pub reads: Vec<String>,
    pub field: Option<String>,
    pub when: Option<String>,
    pub check: String,
    /// `table`: the rule judges the table as a whole (aggregates only), once per filling unit
    /// that has rows, instead of each row.
    pub host: Option<String>,
}

/// A file of cross-table rules, `table-defs/rules/<name>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRuleFile {
    #[serde(default)]
    pub rules: Vec<RawRule>,
    /// Year-over-year rules: a formula's change against the previous cycle.
    #[serde(default)]
    pub yoy: Vec<RawYoy>,
}

/// One `[[yoy]]` entry under `rules/`: the value of `value` (a formula over whole tables) may
/// change by at most `max_change` percent against the previous cycle.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawYoy {
    pub id: String,
    /// The table whose filling units answer the finding; its rows are counted per unit.
    pub table: String,
    pub severity: super::RuleSeverity,
    pub message: String,
    pub source: String,
    pub field: Option<String>,
    pub value: String,
    /// Percent, e.g. 20 for ±20%.
    pub max_change: rust_decimal::Decimal,
    /// Below this previous value the change is not judged (small numbers swing).
    pub min_previous: Option<rust_decimal::Decimal>,
}

/// The field types a definition may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawType {
    String,
    Text,
    Int,
    Decimal,
    Date,
    YearMonth,
    Year,
    Bool,
    Enum,
    MultiEnum,
    Ref,
    MultiRef,
}

/// One `[[fields]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub ty: RawType,
    #[serde(default)]
    pub required: bool,
    pub required_if: Option<RawCondition>,
    pub help: Option<String>,
    pub unit: Option<String>,
    pub min: Option<toml::Value>,
    pub max: Option<toml::Value>,
    pub max_len: Option<u32>,
    pub pattern: Option<String>,
    pub format: Option<super::Format>,
    pub format_if: Option<RawCondition>,
    pub scale: Option<u32>,
    #[serde(default)]
    pub in_period: bool,
    /// Lists filter on this field often: give it an index (keys, references and code lists
    /// have one anyway).
    #[serde(default)]
    pub index: bool,
    pub codes: Option<String>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

/// `{ field = "x", eq = … }` and its siblings; exactly one test must be given.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub field: String,
    pub eq: Option<toml::Value>,
    pub ne: Option<toml::Value>,
    #[serde(rename = "in")]
    pub any_of: Option<Vec<toml::Value>>,
    pub set: Option<bool>,
}

/// A code list file, `table-defs/codes/<name>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCodeList {
    pub name: String,
    pub label: String,
    pub source: String,
    #[serde(default = "default_true")]
    pub complete: bool,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    /// Read as they are written: a code needs no checks beyond its file's shape.
    pub codes: Vec<super::Code>,
}

/// `seeds/units.toml`: the college's units and unit groups.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnits {
    pub units: Vec<RawUnit>,
    #[serde(default)]
    pub groups: Vec<RawGroup>,
}

/// One unit (部门 or 院系).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnit {
    pub code: String,
    pub name: String,
    pub kind: super::UnitKind,
    pub parent: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A named group of units such as 各院系.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub code: String,
    pub name: String,
    pub members: Vec<String>,
}

fn default_true() -> bool {
    true
}

/// Parses `text` as `T`, reporting the key path and line of the first error.
pub fn parse<T: serde::de::DeserializeOwned>(
    file: &std::path::Path,
    text: &str,
) -> Result<T, super::Problem> {
    let de = toml::Deserializer::parse(text).map_err(|e| toml_problem(file, text, "", &e))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let key = if path == "." { String::new() } else { path };
        toml_problem(file, text, &key, e.inner())
    })
}

fn toml_problem(
    file: &std::path::Path,
    text: &str,
    key: &str,
    err: &toml::de::Error,
) -> super::Problem {
    let problem = super::Problem::at(file, key, super::toml_zh::toml_message(err.message()));
    match err.span() {
        Some(span) => problem.on_line(super::problem::line_of(text, span.start)),
        None => problem,
    }
}
