//! The 典型案例 document for the 质量年度报告 (docx-rs): a cycle's accepted cases grouped by the
//! notice's seven themes, each with its unit, text, quoted figures and the names of its
//! attachments. Shapes only: which cases go in is the service's decision.

use std::io::Cursor;

use docx_rs::{AlignmentType, Docx, LineSpacing, Paragraph, Run, RunFonts, Style, StyleType};

pub mod annual;

use crate::model::CASE_THEMES;
use crate::store::cases::FullCase;

/// One case for the document, with its unit's name.
pub struct CaseEntry<'a> {
    pub case: &'a FullCase,
    pub unit_name: &'a str,
}

const CHINESE_NUMBERS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "七"];

pub(crate) fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}

pub(crate) fn heading(level: usize, text: &str) -> Paragraph {
    Paragraph::new()
        .style(&format!("Heading{level}"))
        .add_run(Run::new().add_text(text))
}

pub(crate) fn styles(doc: Docx) -> Docx {
    let fonts = || RunFonts::new().east_asia("宋体").ascii("Times New Roman");
    let heading = |id: &str, name: &str, size: usize, level: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .size(size)
            .bold()
            .outline_lvl(level)
            .fonts(RunFonts::new().east_asia("黑体"))
    };
    doc.default_fonts(fonts())
        .default_size(24)
        .add_style(heading("Title", "Title", 40, 0).align(AlignmentType::Center))
        .add_style(heading("Heading1", "heading 1", 32, 0))
        .add_style(heading("Heading2", "heading 2", 28, 1))
}

/// The document of `cases` (accepted, in theme order) for `cycle`, as .docx bytes.
pub fn cases_document(cycle: i32, cases: &[CaseEntry<'_>]) -> Result<Vec<u8>, String> {
    let mut doc = styles(Docx::new()).add_paragraph(
        Paragraph::new()
            .style("Title")
            .align(AlignmentType::Center)
            .add_run(Run::new().add_text(format!("{cycle} 年度质量年度报告 · 典型案例"))),
    );
    let counts: Vec<String> = CASE_THEMES
        .iter()
        .map(|t| {
            let n = cases.iter().filter(|c| c.case.case.theme == *t).count();
            format!("{t} {n} 篇")
        })
        .collect();
    doc = doc.add_paragraph(para(&format!(
        "本文件收录 {cycle} 年采集周期经质量部验收的典型案例共 {} 篇：{}。",
        cases.len(),
        counts.join("，")
    )));
    doc = add_cases(doc, cases);
    let mut out = Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// `cases` by theme: a numbered heading per theme that has any, then its cases.
pub(crate) fn add_cases(mut doc: Docx, cases: &[CaseEntry<'_>]) -> Docx {
    let mut number = 0;
    for theme in CASE_THEMES {
        let of_theme: Vec<&CaseEntry<'_>> = cases
            .iter()
            .filter(|c| c.case.case.theme == theme)
            .collect();
        if of_theme.is_empty() {
            continue;
        }
        let order = CHINESE_NUMBERS.get(number).copied().unwrap_or("");
        number += 1;
        doc = doc.add_paragraph(heading(1, &format!("{order}、{theme}")));
        for (i, entry) in of_theme.iter().enumerate() {
            doc = add_case(doc, i + 1, entry);
        }
    }
    doc
}

fn add_case(mut doc: Docx, n: usize, entry: &CaseEntry<'_>) -> Docx {
    let c = &entry.case.case;
    doc = doc
        .add_paragraph(heading(2, &format!("案例{n}：{}", c.title)))
        .add_paragraph(
            Paragraph::new().add_run(
                Run::new()
                    .add_text(format!("撰写单位：{}", entry.unit_name))
                    .italic(),
            ),
        );
    for line in c.body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        doc = doc.add_paragraph(
            para(line)
                .first_line_chars(200)
                .line_spacing(LineSpacing::new().after(120)),
        );
    }
    if !entry.case.figures.is_empty() {
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text("相关数据").bold()));
        for f in &entry.case.figures {
            let value = if f.value.is_empty() {
                String::new()
            } else {
                format!("：{}", f.value)
            };
            let source = match (&f.indicator, &f.table_code) {
                (Some(id), _) if f.source.is_empty() => format!("核心指标 {id}"),
                (Some(_), _) => f.source.clone(),
                (None, Some(_)) => format!("数据来源 {}", f.source),
                (None, None) => String::new(),
            };
            doc = doc.add_paragraph(para(&format!("· {}{value}（{source}）", f.label)));
        }
    }
    if !entry.case.attachments.is_empty() {
        let names: Vec<&str> = entry
            .case
            .attachments
            .iter()
            .map(|a| a.file_name.as_str())
            .collect();
        doc = doc.add_paragraph(para(&format!("附件：{}", names.join("；"))));
    }
    doc
}
