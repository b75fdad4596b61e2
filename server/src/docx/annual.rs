//! The annual quality report's document (`/export/{cycle}/annual-report.docx`): the report's
//! data tables in the template's layout, then the cycle's accepted typical cases by theme — the
//! same case sections as the cases document.

use std::io::Cursor;

use docx_rs::{AlignmentType, Docx, Paragraph, Run, Table, TableCell, TableRow, WidthType};

use super::{add_cases, heading, para, styles, CaseEntry};
use crate::indicators::report::ReportTableFigures;
use crate::xlsx::annual::{source_text, ReportHead, COLUMNS};

/// Column widths in twentieths of a point (序号 … 来源), 9,000 in all: an A4 page inside its
/// margins. Equal columns squeezed the item names and sources into a word a line.
const WIDTHS: [usize; 7] = [560, 2240, 700, 1000, 1000, 900, 2600];

fn cell(text: &str, bold: bool, width: usize) -> TableCell {
    let run = Run::new().add_text(text).size(20);
    let run = if bold { run.bold() } else { run };
    TableCell::new()
        .width(width, WidthType::Dxa)
        .add_paragraph(Paragraph::new().add_run(run))
}

fn table_of(t: &ReportTableFigures) -> Table {
    let mut rows = vec![TableRow::new(
        COLUMNS
            .iter()
            .zip(WIDTHS)
            .map(|(c, w)| cell(c, true, w))
            .collect(),
    )];
    for (i, f) in t.items.iter().enumerate() {
        let texts = [
            (i + 1).to_string(),
            f.name.clone(),
            f.unit.clone(),
            f.value.clone().unwrap_or_default(),
            f.previous.clone().unwrap_or_default(),
            f.change.clone().unwrap_or_default(),
            source_text(f),
        ];
        rows.push(TableRow::new(
            texts
                .iter()
                .zip(WIDTHS)
                .map(|(x, w)| cell(x, false, w))
                .collect(),
        ));
    }
    Table::new(rows).set_grid(WIDTHS.to_vec())
}

/// The document of `tables` and `cases` (accepted, in theme order), as .docx bytes.
pub fn annual_document(
    h: &ReportHead<'_>,
    tables: &[ReportTableFigures],
    cases: &[CaseEntry<'_>],
) -> Result<Vec<u8>, String> {
    let cycle = h.cycle;
    let mut doc = styles(Docx::new()).add_paragraph(
        Paragraph::new()
            .style("Title")
            .align(AlignmentType::Center)
            .add_run(Run::new().add_text(format!(
                "{cycle} 年度高等职业教育质量年度报告 · 数据表与典型案例"
            ))),
    );
    if let Some(w) = h.warning {
        doc = doc
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(w).bold().color("C00000")));
    }
    doc = doc.add_paragraph(para(&format!("{}；模板：{}", h.state, h.template)));
    for (n, t) in tables.iter().enumerate() {
        doc = doc
            .add_paragraph(heading(1, &format!("表{} {}", n + 1, t.name)))
            .add_table(table_of(t));
    }
    doc = doc.add_paragraph(heading(1, "典型案例"));
    if cases.is_empty() {
        doc = doc.add_paragraph(para("本周期尚无经质量部验收的典型案例。"));
    }
    doc = add_cases(doc, cases);
    let mut out = Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}
