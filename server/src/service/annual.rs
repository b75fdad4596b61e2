//! The annual quality report's data tables (质量年度报告): 质量部 and leaders read them for a cycle
//! — computed items through the core-indicator engine (live before the core data's first
//! publication, then as the snapshot froze them), external items (surveys, outside statistics) as
//! 质量部 entered them — and 质量部 enters the external items. The report rides on the core data's
//! sign-off: its state is the core data's, and its exports warn before the leaders signed off, as
//! the whole-cycle export does.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::indicators::state_words;
use super::roles::require_role as require;
use super::{stamp, ApiError, ApiResult, Code, Service};
use crate::authz::Access;
use crate::defs::report::ExternalItem;
use crate::docx::CaseEntry;
use crate::indicators::report::compute_report;
pub use crate::indicators::report::{ReportFigure, ReportTableFigures};
use crate::indicators::Computed;
use crate::store::annual::put_external_value;
pub use crate::store::annual::ExternalValue;
use crate::store::indicators as ind;
use crate::xlsx::annual::ReportHead;

/// A cycle's report tables, with the core data's sign-off state.
#[derive(Debug, Clone)]
pub struct AnnualReport {
    pub cycle: i32,
    /// The template followed (year and source).
    pub template: String,
    /// The core data's state (`draft`, `published`, `signed_off`…).
    pub state: String,
    /// The state in words, for the exports' note.
    pub state_text: String,
    pub tables: Vec<ReportTableFigures>,
    /// The leaders' (and 质量部's) comments on the report's items: this published version's, and
    /// earlier versions' still open (`commentIndicator` with an item's id).
    pub comments: Vec<ind::CommentRow>,
}

impl AnnualReport {
    pub fn signed_off(&self) -> bool {
        self.state == "signed_off"
    }
}

/// What 质量部 enters for one external item.
#[derive(Debug, Clone)]
pub struct ExternalInput<'a> {
    pub item: &'a str,
    /// The number, optionally followed by the item's unit (“86.5%”).
    pub value: &'a str,
    pub source: &'a str,
    /// YYYY-MM-DD.
    pub date: &'a str,
}

impl Service {
    /// The report tables of `cycle`: 质量部 and leaders only.
    pub fn annual_report(&self, who: &Access, cycle: i32) -> ApiResult<AnnualReport> {
        require(
            who,
            &["quality_admin", "leader"],
            "质量年度报告数据表仅质量部和院领导可看",
        )?;
        let mut conn = self.store.conn()?;
        super::files::known_cycle(&mut conn, cycle)?;
        let previous = Self::previous_cycle(&mut conn, cycle)?;
        let catalog = self.store.catalog();
        let snapshot = ind::current_snapshot(&mut conn, cycle)?;
        // Once published, the computed items are the snapshot's: what the leaders sign off.
        let frozen: Option<Vec<Computed>> =
            match snapshot.as_ref().and_then(|s| s.report_json.as_deref()) {
                Some(json) => Some(serde_json::from_str(json).map_err(ApiError::internal)?),
                None => None,
            };
        let tables = compute_report(&mut conn, catalog, cycle, previous, frozen.as_deref())?;
        let comments = match &snapshot {
            Some(s) => ind::cycle_comments(&mut conn, cycle)?
                .into_iter()
                .filter(|c| c.snapshot_id == s.id || c.resolved_at.is_none())
                .filter(|c| {
                    tables
                        .iter()
                        .any(|t| t.items.iter().any(|i| i.id == c.indicator))
                })
                .collect(),
            None => Vec::new(),
        };
        let state = snapshot.map_or_else(|| "draft".to_owned(), |s| s.state);
        Ok(AnnualReport {
            cycle,
            template: catalog.report.template.clone(),
            state_text: format!("{cycle} 年核心数据{}", state_words(&state)),
            state,
            tables,
            comments,
        })
    }

    /// 质量部 enters (or corrects) an external item of `cycle`; audited.
    pub fn set_annual_report_item(
        &self,
        who: &Access,
        cycle: i32,
        input: &ExternalInput<'_>,
    ) -> ApiResult<ReportFigure> {
        require(
            who,
            &["quality_admin"],
            "只有质量部可以录入质量年度报告的调查与外部统计数据",
        )?;
        let catalog = self.store.catalog().clone();
        let item = external_item(&catalog.report, input.item)?;
        let value = parse_value(item, input.value)?;
        let source = input.source.trim();
        if source.is_empty() {
            return Err(bad(format!("“{}”须写明数据来源（如调查名称）", item.name)));
        }
        let date = NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d").map_err(|_| {
            bad(format!(
                "“{}”的数据日期“{}”应写作 YYYY-MM-DD，如 2023-09-30",
                item.name, input.date
            ))
        })?;
        let row = ExternalValue {
            cycle,
            item: item.id.clone(),
            value: value.to_string(),
            source: source.to_owned(),
            source_date: date.to_string(),
            entered_by: who.principal.staff_no.clone(),
            entered_by_name: who.principal.name.clone(),
            entered_at: stamp(self.now()),
        };
        self.store.write(|conn| {
            super::files::known_cycle(conn, cycle)?;
            put_external_value(conn, &row)?;
            let detail = serde_json::json!({
                "item": row.item, "value": row.value, "source": row.source, "date": row.source_date,
            });
            crate::store::audit_in(
                conn,
                &row.entered_by,
                Some(cycle),
                "annual_report_set",
                None,
                detail,
            )?;
            Ok::<_, ApiError>(())
        })?;
        self.annual_report(who, cycle)?
            .tables
            .into_iter()
            .flat_map(|t| t.items)
            .find(|f| f.id == row.item)
            .ok_or_else(|| ApiError::internal("entered item vanished"))
    }
}

/// An export's bytes, and the warning it carries before the leaders signed off.
pub struct AnnualFile {
    pub bytes: Vec<u8>,
    pub warning: Option<String>,
}

impl Service {
    /// The report tables as a workbook (质量部, leaders); before the sign-off it warns, or is
    /// refused, as the whole-cycle export is (`serve --export-before-signoff`).
    pub fn annual_report_workbook(&self, who: &Access, cycle: i32) -> ApiResult<AnnualFile> {
        let report = self.annual_report(who, cycle)?;
        let warning = self.final_export_check(cycle)?;
        let bytes = crate::xlsx::annual::annual_workbook(&head(&report, &warning), &report.tables)
            .map_err(ApiError::internal)?;
        Ok(AnnualFile { bytes, warning })
    }

    /// The report tables and the accepted typical cases by theme as a Word document.
    pub fn annual_report_document(&self, who: &Access, cycle: i32) -> ApiResult<AnnualFile> {
        let report = self.annual_report(who, cycle)?;
        let warning = self.final_export_check(cycle)?;
        let cases = self.accepted_cases(who, cycle)?;
        let entries: Vec<CaseEntry<'_>> = cases
            .iter()
            .map(|c| CaseEntry {
                case: &c.full,
                unit_name: &c.unit_name,
            })
            .collect();
        let h = head(&report, &warning);
        let bytes = crate::docx::annual::annual_document(&h, &report.tables, &entries)
            .map_err(ApiError::internal)?;
        Ok(AnnualFile { bytes, warning })
    }
}

fn head<'a>(report: &'a AnnualReport, warning: &'a Option<String>) -> ReportHead<'a> {
    ReportHead {
        cycle: report.cycle,
        template: &report.template,
        state: &report.state_text,
        warning: warning.as_deref(),
    }
}

fn bad(message: String) -> ApiError {
    ApiError::new(Code::BadRequest, message)
}

fn external_item<'a>(
    report: &'a crate::defs::report::Report,
    id: &str,
) -> ApiResult<&'a ExternalItem> {
    if let Some(e) = report.external(id) {
        return Ok(e);
    }
    match report.items().find(|(_, i)| i.id() == id) {
        Some((t, _)) => Err(bad(format!(
            "{} 的“{id}”由状态数据计算，不能录入；请修改所读的数据表",
            t.name
        ))),
        None => Err(ApiError::new(
            Code::NotFound,
            format!("质量年度报告没有编号为“{id}”的项"),
        )),
    }
}

/// The number of `text` for `item`: a trailing unit must be the item's, the value within the
/// item's range and precision.
fn parse_value(item: &ExternalItem, text: &str) -> ApiResult<Decimal> {
    let text = text.trim();
    let split = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+')))
        .map_or(text.len(), |(i, _)| i);
    let (number, unit) = (text[..split].trim(), text[split..].trim());
    let not_a_number = || {
        bad(format!(
            "“{}”的值“{text}”不是数字（单位 {}）",
            item.name, item.unit
        ))
    };
    if number.is_empty() {
        return Err(not_a_number());
    }
    if !unit.is_empty() && unit != item.unit {
        return Err(bad(format!(
            "“{}”的单位应为 {}，收到的是“{unit}”",
            item.name, item.unit
        )));
    }
    let value: Decimal = number.parse().map_err(|_| not_a_number())?;
    if value < item.min || value > item.max {
        return Err(bad(format!(
            "“{}”的值 {value} 超出范围 {}～{} {}",
            item.name, item.min, item.max, item.unit
        )));
    }
    if value.normalize().scale() > item.decimals {
        return Err(bad(format!(
            "“{}”最多保留 {} 位小数，收到 {value}",
            item.name, item.decimals
        )));
    }
    Ok(value.normalize())
}
