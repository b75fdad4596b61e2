//! The dates of a collection cycle, as the notice fixes them or the cycle file installs them.

use chrono::NaiveDate;

use super::Period;

/// The dates of a collection cycle: the academic year, the finance year and the snapshot date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleDates {
    pub year: i32,
    /// 学年: from September 1 of the year before.
    pub start: NaiveDate,
    /// 学年: to August 31 of the cycle's year.
    pub end: NaiveDate,
    /// 财务数据: the calendar year before.
    pub finance_year: i32,
    /// 时点.
    pub snapshot: NaiveDate,
}

impl CycleDates {
    /// The notice's rule for a cycle year (2023: 2022-09-01..2023-08-31, finance 2022, snapshot 2023-08-31).
    pub fn standard(year: i32) -> CycleDates {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        CycleDates {
            year,
            start: d(year - 1, 9, 1),
            end: d(year, 8, 31),
            finance_year: year - 1,
            snapshot: d(year, 8, 31),
        }
    }

    /// The first and last day a date of a table with this period may have.
    pub fn range(&self, period: Period) -> (Option<NaiveDate>, NaiveDate) {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        match period {
            Period::AcademicYear => (Some(self.start), self.end),
            Period::CalendarYear => (
                Some(d(self.finance_year, 1, 1)),
                d(self.finance_year, 12, 31),
            ),
            Period::Snapshot => (None, self.snapshot),
        }
    }
}
