//! Dates, year-months and years in the forms Chinese office users type, and Excel's serial
//! numbers (a date typed into a General cell, or a column whose format was cleared).

use chrono::{Datelike, NaiveDate};

use super::{halfwidth, Raw};

const DATE_FORMS: &str = "可写作 2003-06-11、2003/6/11、2003.6.11、2003年6月11日 或 20030611";
const YEAR_MONTH_FORMS: &str = "可写作 2021-09、2021/9、2021.9、2021年9月 或 202109";
const YEAR_FORMS: &str = "可写作 2021、2021年 或 2021级";

/// The date of an Excel serial number (1900 date system; Excel's phantom 1900-02-29 is serial
/// 60, so real dates from 1900-03-01 on count from 1899-12-30). Serial numbers of 1900-01-01 to
/// 2100-12-31 only: beyond that a number is not a date anyone typed.
fn serial_date(n: f64) -> Option<NaiveDate> {
    if n.fract() != 0.0 || !(61.0..=73_415.0).contains(&n) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(n as u64))
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let year: i32 = y.parse().ok()?;
    if !(1900..=2100).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, m.parse().ok()?, d.parse().ok()?)
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A date from `2003-06-11`, `2003/6/11`, `2003.6.11`, `2003年6月11日`, `20030611`, each
/// optionally followed by a time of day.
fn date_text(text: &str) -> Option<NaiveDate> {
    let t = halfwidth(text);
    let day = t.split([' ', 'T']).next().unwrap_or("");
    if day.len() == 8 && digits(day) {
        return ymd(&day[..4], &day[4..6], &day[6..]);
    }
    let normal = day.replace(['年', '月', '/', '.'], "-");
    let normal = normal.trim_end_matches('日');
    let parts: Vec<&str> = normal.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && digits(y) && digits(m) && digits(d) => (m.len() <= 2
            && d.len() <= 2)
            .then(|| ymd(y, m, d))
            .flatten(),
        _ => None,
    }
}

/// A date; `Err` names the accepted forms.
pub fn read_date(raw: Raw<'_>) -> Result<NaiveDate, String> {
    let found = match raw {
        Raw::DateTime(d) => Some(d.date()),
        Raw::Number(n) if n.fract() == 0.0 && (19_000_101.0..=21_001_231.0).contains(&n) => {
            date_text(&format!("{}", n as i64))
        }
        Raw::Number(n) => serial_date(n),
        Raw::Int(i) => date_text(&i.to_string()),
        Raw::Text(t) => date_text(t),
        Raw::Bool(_) => None,
    };
    found.ok_or_else(|| format!("不是可识别的日期；{DATE_FORMS}"))
}

fn year_month(y: &str, m: &str) -> Option<(i32, u32)> {
    let (year, month): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    ((1900..=2100).contains(&year) && (1..=12).contains(&month)).then_some((year, month))
}

fn year_month_text(text: &str) -> Option<(i32, u32)> {
    let t = halfwidth(text);
    if t.len() == 6 && digits(&t) {
        return year_month(&t[..4], &t[4..]);
    }
    let normal = t.replace(['年', '/', '.'], "-");
    let normal = normal.trim_end_matches('月');
    match normal.split('-').collect::<Vec<_>>().as_slice() {
        [y, m] if y.len() == 4 && digits(y) && digits(m) && m.len() <= 2 => year_month(y, m),
        // A full date names its month unambiguously.
        [_, _, _] => date_text(&t).map(|d| (d.year(), d.month())),
        _ => None,
    }
}

/// A year-month; `Err` names the accepted forms, or why a number is ambiguous.
pub fn read_year_month(raw: Raw<'_>) -> Result<(i32, u32), String> {
    let found = match raw {
        Raw::DateTime(d) => Some((d.year(), d.month())),
        Raw::Number(n) if n.fract() == 0.0 && (190_001.0..=210_012.0).contains(&n) => {
            year_month_text(&format!("{}", n as i64))
        }
        Raw::Number(n) if n.fract() == 0.0 => serial_date(n).map(|d| (d.year(), d.month())),
        Raw::Number(n) => {
            let shown = format!("{n}");
            // Excel turns a typed 2021.10 into the number 2021.1: October or January?
            if shown.ends_with(".1") {
                return Err(format!(
                    "含义不明：Excel 会把 2021.10 存成 {shown}，无法区分 1 月和 10 月；请写作 2021-01 或 2021-10"
                ));
            }
            year_month_text(&shown)
        }
        Raw::Int(i) => year_month_text(&i.to_string()),
        Raw::Text(t) => year_month_text(t),
        Raw::Bool(_) => None,
    };
    found.ok_or_else(|| format!("不是可识别的年月；{YEAR_MONTH_FORMS}"))
}

/// A year from `2021`, `2021年`, `2021年度`, `2021级`; `Err` names the accepted forms.
pub fn read_year(raw: Raw<'_>) -> Result<i32, String> {
    let in_range = |y: i64| (1900..=2100).contains(&y).then_some(y as i32);
    let found = match raw {
        Raw::DateTime(d) => Some(d.year()),
        Raw::Int(i) => in_range(i),
        Raw::Number(n) if n.fract() == 0.0 => in_range(n as i64),
        Raw::Text(t) => {
            let t = halfwidth(t);
            let y = ["年度", "年", "级"]
                .iter()
                .find_map(|s| t.strip_suffix(s))
                .unwrap_or(&t);
            (y.len() == 4 && digits(y))
                .then(|| y.parse().ok().and_then(in_range))
                .flatten()
        }
        _ => None,
    };
    found.ok_or_else(|| format!("不是可识别的年份；{YEAR_FORMS}"))
}
