//! A collection cycle's configuration (`seeds/cycle-<year>.toml`): periods, the notice's tasks and
//! phases, and every table's deadline.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use super::{raw, Catalog, CycleDates, Problem, Problems};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCycle {
    year: i32,
    period_start: toml::value::Datetime,
    period_end: toml::value::Datetime,
    finance_year: i32,
    snapshot_date: toml::value::Datetime,
    #[serde(default)]
    tasks: Vec<RawTask>,
    #[serde(default)]
    phases: Vec<RawPhase>,
    deadlines: BTreeMap<String, toml::value::Datetime>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    no: String,
    title: String,
    units: Vec<String>,
    start: toml::value::Datetime,
    end: toml::value::Datetime,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhase {
    no: String,
    name: String,
    start: Option<toml::value::Datetime>,
    end: toml::value::Datetime,
    #[serde(default)]
    filling: bool,
    #[serde(default)]
    sign_off: bool,
}

/// A task of the notice's table 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub no: String,
    pub title: String,
    pub units: Vec<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A phase of the collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub no: String,
    pub name: String,
    pub start: Option<NaiveDate>,
    pub end: NaiveDate,
    /// The phase in which units fill and review.
    pub filling: bool,
    /// The phase in which leaders review and sign off the core indicators (院领导审核).
    pub sign_off: bool,
}

/// A cycle, validated against the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleConfig {
    /// The year, the 学年, the finance year and the 时点.
    pub dates: CycleDates,
    pub tasks: Vec<Task>,
    pub phases: Vec<Phase>,
    /// Last day of filling, by table code.
    pub deadlines: BTreeMap<String, NaiveDate>,
}

fn date(file: &Path, key: &str, d: &toml::value::Datetime) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(&d.to_string(), "%Y-%m-%d")
        .map_err(|_| Problem::at(file, key, format!("“{d}”不是日期（应写作 YYYY-MM-DD）")))
}

/// Loads a cycle file; every table of the catalog must have a deadline.
pub fn load_cycle(path: &Path, catalog: &Catalog) -> Result<CycleConfig, Problems> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Problems(vec![Problem::at(
            path,
            "",
            format!("无法读取：{}", super::problem::io_reason(&e)),
        )])
    })?;
    let raw: RawCycle = raw::parse(path, &text).map_err(|p| Problems(vec![p]))?;
    let mut problems = Problems::default();
    let mut d = |key: &str, v: &toml::value::Datetime| {
        date(path, key, v)
            .map_err(|p| problems.push(p))
            .unwrap_or_default()
    };
    let tasks = raw
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| Task {
            no: t.no.clone(),
            title: t.title.clone(),
            units: t.units.clone(),
            start: d(&format!("tasks[{i}].start"), &t.start),
            end: d(&format!("tasks[{i}].end"), &t.end),
        })
        .collect();
    let phases = raw
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| Phase {
            no: p.no.clone(),
            name: p.name.clone(),
            start: p
                .start
                .as_ref()
                .map(|s| d(&format!("phases[{i}].start"), s)),
            end: d(&format!("phases[{i}].end"), &p.end),
            filling: p.filling,
            sign_off: p.sign_off,
        })
        .collect();
    let deadlines: BTreeMap<String, NaiveDate> = raw
        .deadlines
        .iter()
        .map(|(k, v)| (k.clone(), d(&format!("deadlines.\"{k}\""), v)))
        .collect();
    let config = CycleConfig {
        dates: CycleDates {
            year: raw.year,
            start: d("period_start", &raw.period_start),
            end: d("period_end", &raw.period_end),
            finance_year: raw.finance_year,
            snapshot: d("snapshot_date", &raw.snapshot_date),
        },
        tasks,
        phases,
        deadlines,
    };
    for t in &catalog.tables {
        if !config.deadlines.contains_key(&t.code) {
            problems.push(Problem::at(
                path,
                "deadlines",
                format!("表 {} {} 没有截止日期", t.code, t.name),
            ));
        }
    }
    for code in config.deadlines.keys() {
        if catalog.table_by_code(code).is_none() {
            problems.push(Problem::at(
                path,
                format!("deadlines.\"{code}\""),
                format!("没有编号为“{code}”的数据表"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        super::locate::locate_lines(&mut problems, |_| Some(text.clone()));
        Err(problems)
    }
}

impl CycleConfig {
    /// The same cycle with tasks, phases and deadlines moved by `days` (periods unchanged).
    pub fn shifted(&self, days: i64) -> CycleConfig {
        self.with_schedule(|d| d + Duration::days(days))
    }

    /// The same cycle with every date of its schedule (tasks, phases, deadlines) mapped by
    /// `m`; the period and the snapshot date stay.
    fn with_schedule(&self, m: impl Fn(NaiveDate) -> NaiveDate) -> CycleConfig {
        CycleConfig {
            tasks: self
                .tasks
                .iter()
                .map(|t| Task {
                    start: m(t.start),
                    end: m(t.end),
                    ..t.clone()
                })
                .collect(),
            phases: self
                .phases
                .iter()
                .map(|p| Phase {
                    start: p.start.map(&m),
                    end: m(p.end),
                    ..p.clone()
                })
                .collect(),
            deadlines: self
                .deadlines
                .iter()
                .map(|(k, v)| (k.clone(), m(*v)))
                .collect(),
            ..self.clone()
        }
    }

    /// For the demo: dates moved so that `today` is in the filling phase, with the filling
    /// deadline three weeks ahead.
    pub fn for_demo(&self, today: NaiveDate) -> CycleConfig {
        self.shifted(self.demo_shift(today))
    }

    /// A fingerprint of the cycle's dates (SHA-256 of its TOML form): a changed cycle file has
    /// another.
    pub fn source_hash(&self) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(self.to_toml().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The number of days [`CycleConfig::for_demo`] moves the dates for `today`.
    pub fn demo_shift(&self, today: NaiveDate) -> i64 {
        let end = self
            .phases
            .iter()
            .find(|p| p.filling)
            .map_or(self.dates.end, |p| p.end);
        (today + Duration::days(21) - end).num_days()
    }

    /// The next year's cycle: every date a year later.
    pub fn next_year(&self) -> CycleConfig {
        use chrono::Datelike;
        let y = |d: NaiveDate| d.with_year(d.year() + 1).unwrap_or(d + Duration::days(365));
        let was = &self.dates;
        CycleConfig {
            dates: CycleDates {
                year: was.year + 1,
                start: y(was.start),
                end: y(was.end),
                finance_year: was.finance_year + 1,
                snapshot: y(was.snapshot),
            },
            ..self.with_schedule(y)
        }
    }

    /// The cycle as a `seeds/cycle-<year>.toml` file.
    pub fn to_toml(&self) -> String {
        let d = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let mut out = format!(
            "# {} 年人才培养状态数据采集周期（由 statusdata cycle new 生成，请按当年通知核对日期）\n\nyear = {}\nperiod_start = {}\nperiod_end = {}\nfinance_year = {}\nsnapshot_date = {}\n",
            self.dates.year, self.dates.year, d(self.dates.start), d(self.dates.end), self.dates.finance_year, d(self.dates.snapshot)
        );
        for t in &self.tasks {
            let units: Vec<String> = t.units.iter().map(|u| format!("{u:?}")).collect();
            out.push_str(&format!(
                "\n[[tasks]]\nno = {:?}\ntitle = {:?}\nunits = [{}]\nstart = {}\nend = {}\n",
                t.no,
                t.title,
                units.join(", "),
                d(t.start),
                d(t.end)
            ));
        }
        for p in &self.phases {
            out.push_str(&format!(
                "\n[[phases]]\nno = {:?}\nname = {:?}\n",
                p.no, p.name
            ));
            if let Some(s) = p.start {
                out.push_str(&format!("start = {}\n", d(s)));
            }
            out.push_str(&format!("end = {}\n", d(p.end)));
            if p.filling {
                out.push_str("filling = true\n");
            }
            if p.sign_off {
                out.push_str("sign_off = true\n");
            }
        }
        out.push_str("\n[deadlines]\n");
        for (k, v) in &self.deadlines {
            out.push_str(&format!("{k:?} = {}\n", d(*v)));
        }
        out
    }

    /// The 院领导审核 phase: (start, end), when the cycle file marks one with `sign_off = true`.
    pub fn sign_off_window(&self) -> Option<(Option<NaiveDate>, NaiveDate)> {
        self.phases
            .iter()
            .find(|p| p.sign_off)
            .map(|p| (p.start, p.end))
    }

    /// The deadline of a table (the latest deadline when the table has none).
    pub fn deadline(&self, code: &str) -> NaiveDate {
        self.deadlines
            .get(code)
            .copied()
            .or_else(|| self.deadlines.values().max().copied())
            .unwrap_or(self.dates.end)
    }
}
