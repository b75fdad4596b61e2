//! 高基报表 reference figures: 质量部 enters or imports them (each with its own 时点), and the
//! comparison with the collection lists matches, differences with a known explanation and
//! unexplained differences; the unexplained ones are quality findings (rule `GAOJI:<id>`) on the
//! figure's table, which its filling unit explains like any other finding.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use crate::xlsx::gaoji::FigureInput;

use super::{has_role, stamp, ApiError, ApiResult, Code, InputProblem, Service};
use crate::authz::{Access, Action};
use crate::defs::gaoji::GaojiFigure;
use crate::model::decimal::change_percent;
use crate::store::formula::evaluate;
use crate::store::gaoji::{self, EnteredFigure};
use crate::store::rules::Violation;
use crate::store::tx::Hold;
use crate::store::AnyConnection;
use crate::validate::rules::GAOJI_RULE_PREFIX;
use crate::validate::yoy::show_change;

/// How an entered figure compares with the collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaojiStatus {
    /// Within the tolerance.
    Match,
    /// Beyond the tolerance, within the known explanation's range.
    Explained,
    /// Beyond both: a finding.
    Unexplained,
    /// Not entered yet.
    Missing,
}

impl GaojiStatus {
    /// `MATCH`, `EXPLAINED`, `UNEXPLAINED`, `MISSING`.
    pub fn as_str(self) -> &'static str {
        match self {
            GaojiStatus::Match => "MATCH",
            GaojiStatus::Explained => "EXPLAINED",
            GaojiStatus::Unexplained => "UNEXPLAINED",
            GaojiStatus::Missing => "MISSING",
        }
    }
}

/// One reference figure against the collection.
#[derive(Debug, Clone)]
pub struct GaojiLine {
    pub figure: Arc<GaojiFigure>,
    pub entered: Option<EnteredFigure>,
    /// The formula over the cycle's rows.
    pub collected: Option<Decimal>,
    /// The collection's 时点 (the cycle's snapshot date).
    pub collected_as_of: NaiveDate,
    pub status: GaojiStatus,
}

impl GaojiLine {
    /// The 高基 figure minus the collection's.
    pub fn difference(&self) -> Option<Decimal> {
        Some(self.entered.as_ref()?.value - self.collected?)
    }

    /// The difference in percent of the collection's value.
    pub fn difference_percent(&self) -> Option<Decimal> {
        change_percent(self.entered.as_ref()?.value, self.collected?)
    }

    /// The known explanation, when it applies.
    pub fn explanation(&self) -> Option<&str> {
        (self.status == GaojiStatus::Explained)
            .then_some(self.figure.explanation.as_deref())
            .flatten()
    }
}

/// Refuses unless the caller is 质量部 (who enters and imports 高基 figures).
pub fn quality_office(who: &Access) -> ApiResult<()> {
    super::require_role(who, &["quality_admin"], "只有质量部可以录入高基报表数据")
}

fn status(
    f: &GaojiFigure,
    entered: Option<&EnteredFigure>,
    collected: Option<Decimal>,
) -> GaojiStatus {
    let (Some(e), Some(c)) = (entered, collected) else {
        return if entered.is_none() {
            GaojiStatus::Missing
        } else {
            GaojiStatus::Unexplained
        };
    };
    let diff = (e.value - c).abs();
    if diff <= f.tolerance {
        return GaojiStatus::Match;
    }
    let pct = change_percent(e.value, c).map(|p| p.abs());
    match (&f.explanation, pct) {
        (Some(_), Some(p)) if p <= f.explain_within => GaojiStatus::Explained,
        _ => GaojiStatus::Unexplained,
    }
}

impl Service {
    /// Every reference figure of `cycle` against the collection (质量部 and leaders).
    pub fn gaoji_comparison(&self, who: &Access, cycle: i32) -> ApiResult<Vec<GaojiLine>> {
        if !has_role(who, &["quality_admin", "leader"]) {
            return Err(ApiError::new(
                Code::Forbidden,
                "高基对照仅质量部和院领导可看",
            ));
        }
        let mut conn = self.store.conn()?;
        self.compare_gaoji(&mut conn, cycle)
    }

    fn compare_gaoji(&self, conn: &mut AnyConnection, cycle: i32) -> ApiResult<Vec<GaojiLine>> {
        let entered = gaoji::list_figures(conn, cycle)?;
        let dates = crate::store::workflow::cycle_dates(conn, cycle)?;
        let mut out = Vec::new();
        for f in &self.store.catalog().gaoji {
            let mine = entered.iter().find(|e| e.item == f.id).cloned();
            let collected = evaluate(conn, &f.formula, cycle, None)?;
            out.push(GaojiLine {
                status: status(f, mine.as_ref(), collected),
                figure: f.clone(),
                entered: mine,
                collected,
                collected_as_of: dates.snapshot,
            });
        }
        Ok(out)
    }

    /// 质量部 enters figures (all or nothing), then the comparison is brought up to date: an
    /// unexplained difference opens a finding, a difference that went away resolves it.
    pub fn set_gaoji_figures(
        &self,
        who: &Access,
        cycle: i32,
        inputs: &[FigureInput],
    ) -> ApiResult<Vec<GaojiLine>> {
        quality_office(who)?;
        let catalog = self.store.catalog().clone();
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        for (i, input) in inputs.iter().enumerate() {
            let row = i + 1;
            if !catalog.gaoji.iter().any(|f| f.id == input.item) {
                problems.push(problem(
                    row,
                    "item",
                    "unknown",
                    format!(
                        "没有编号为“{}”的高基项目（见 table-defs/reference/gaoji.toml）",
                        input.item
                    ),
                ));
            } else if !seen.insert(input.item.clone()) {
                problems.push(problem(
                    row,
                    "item",
                    "duplicate",
                    format!("高基项目“{}”出现了两次", input.item),
                ));
            }
            if input.value < Decimal::ZERO {
                problems.push(problem(
                    row,
                    "value",
                    "min",
                    format!("“{}”的数值不能为负", input.item),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(ApiError::invalid("高基报表数据", problems));
        }
        let at = stamp(self.now());
        let actor = who.principal.staff_no.clone();
        let figures: Vec<EnteredFigure> = inputs
            .iter()
            .filter_map(|i| {
                let f = catalog.gaoji.iter().find(|f| f.id == i.item)?;
                let default = NaiveDate::from_ymd_opt(cycle, f.as_of.0, f.as_of.1)?;
                Some(EnteredFigure {
                    item: i.item.clone(),
                    value: i.value,
                    as_of: i.as_of.unwrap_or(default),
                    note: i.note.clone().filter(|n| !n.trim().is_empty()),
                    updated_by: actor.clone(),
                    updated_at: at.clone(),
                })
            })
            .collect();
        self.store.write(|conn| {
            // Two imports at once take turns: each writes its figures and the findings they imply.
            crate::store::tx::hold_key(conn, &format!("gaoji:{cycle}"), Hold::Step)?;
            gaoji::upsert_figures(conn, cycle, &figures)?;
            let lines = self.compare_gaoji(conn, cycle)?;
            self.sync_gaoji_findings(conn, cycle, &lines, &at)?;
            let detail = serde_json::json!({
                "figures": figures.iter().map(|f| serde_json::json!({
                    "item": f.item, "value": f.value.to_string(), "as_of": f.as_of.to_string()
                })).collect::<Vec<_>>(),
            });
            crate::store::audit_in(conn, &actor, Some(cycle), "gaoji_set", None, detail)?;
            Ok(lines)
        })
    }

    fn sync_gaoji_findings(
        &self,
        conn: &mut AnyConnection,
        cycle: i32,
        lines: &[GaojiLine],
        now: &str,
    ) -> ApiResult<()> {
        let fill =
            self.policy
                .current()
                .unit_codes(self.store.catalog(), &self.units, Action::Fill);
        let rules: HashSet<String> = lines.iter().map(|l| rule_id(&l.figure)).collect();
        let found: Vec<Violation> = lines
            .iter()
            .filter(|l| l.status == GaojiStatus::Unexplained)
            .filter_map(|l| {
                let unit = fill.get(&l.figure.table)?.first()?.clone();
                Some(Violation {
                    rule: rule_id(&l.figure),
                    severity: "warning".into(),
                    table_code: l.figure.table.clone(),
                    unit,
                    row_id: None,
                    row_ref: String::new(),
                    field: None,
                    message: message(l),
                })
            })
            .collect();
        crate::store::findings::sync_findings(conn, cycle, &rules, None, &found, now)?;
        Ok(())
    }
}

fn problem(row: usize, field: &str, rule: &str, message: String) -> InputProblem {
    InputProblem {
        row,
        field: field.to_owned(),
        rule: rule.to_owned(),
        message,
    }
}

/// The finding rule of a figure: `GAOJI:students`.
pub fn rule_id(f: &GaojiFigure) -> String {
    format!("{GAOJI_RULE_PREFIX}{}", f.id)
}

fn message(l: &GaojiLine) -> String {
    let f = &l.figure;
    let show =
        |d: Option<Decimal>| d.map_or_else(|| "（无法计算）".into(), |d| d.normalize().to_string());
    let entered = l.entered.as_ref();
    format!(
        "高基报表“{}”为 {} {}（{}），状态数据为 {} {}（{}），相差 {}{}，超出容差且无已知原因，请核对并说明",
        f.name,
        show(entered.map(|e| e.value)),
        f.measure,
        entered.map_or_else(String::new, |e| e.as_of.format("%Y-%m-%d").to_string()),
        show(l.collected),
        f.measure,
        l.collected_as_of.format("%Y-%m-%d"),
        show(l.difference()),
        l.difference_percent()
            .map_or_else(String::new, |p| format!("（{}%）", show_change(p))),
    )
}

/// What an import of the 高基 workbook did: the comparison after it, or the problems by Excel row.
pub type GaojiImport = Result<Vec<GaojiLine>, Vec<crate::xlsx::import::ImportProblem>>;

impl Service {
    /// The blank 高基 workbook for `cycle` (质量部).
    pub fn gaoji_template(&self, who: &Access, cycle: i32) -> ApiResult<Vec<u8>> {
        quality_office(who)?;
        crate::xlsx::gaoji::gaoji_template(self.store.catalog(), cycle).map_err(ApiError::internal)
    }

    /// Imports a filled 高基 workbook (质量部): all figures or none, then the comparison.
    pub fn import_gaoji(
        &self,
        who: &Access,
        cycle: i32,
        bytes: &[u8],
        limits: &crate::xlsx::import::Limits,
    ) -> ApiResult<GaojiImport> {
        quality_office(who)?;
        let rows = match crate::xlsx::gaoji::read_gaoji(bytes, limits) {
            Ok(rows) => rows,
            Err(problems) => return Ok(Err(problems)),
        };
        if rows.is_empty() {
            return Err(ApiError::new(
                Code::BadRequest,
                "工作簿中没有填写数值的高基项目",
            ));
        }
        let inputs: Vec<FigureInput> = rows.iter().map(|r| r.figure.clone()).collect();
        match self.set_gaoji_figures(who, cycle, &inputs) {
            Ok(lines) => Ok(Ok(lines)),
            Err(e) if e.code == Code::ValidationFailed => Ok(Err(e
                .problems
                .into_iter()
                .map(|p| crate::xlsx::import::ImportProblem {
                    row: rows.get(p.row.saturating_sub(1)).map_or(0, |r| r.row),
                    field: p.field,
                    rule: p.rule,
                    message: p.message,
                })
                .collect())),
            Err(e) => Err(e),
        }
    }
}
