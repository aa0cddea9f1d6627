//! Time windows: reading a time column's values as dates and times, and putting each row in its
//! window — a calendar period (day, ISO week from Monday, month, quarter) or `N` rows in time
//! order. Rows whose time is missing or unreadable are counted and kept out of every window.

use std::collections::BTreeMap;
use std::str::FromStr;

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::error::{Error, Result};
use crate::io::frame::{for_each_batch, Visit};
use crate::io::source::Table;

/// How rows are grouped into windows (`--every`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// One calendar day.
    Day,
    /// One ISO week, Monday to Sunday.
    Week,
    /// One calendar month.
    Month,
    /// One calendar quarter (January, April, July, October).
    Quarter,
    /// This many rows, in time order (the last window may have fewer).
    Rows(usize),
}

impl FromStr for Every {
    type Err = Error;
    fn from_str(s: &str) -> Result<Every> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "day" | "daily" => Every::Day,
            "week" | "weekly" => Every::Week,
            "month" | "monthly" => Every::Month,
            "quarter" | "quarterly" => Every::Quarter,
            other => match other.parse::<usize>() {
                Ok(n) if n > 0 => Every::Rows(n),
                _ => {
                    return Err(Error::InvalidOption(format!(
                        "--every `{s}`: expected day, week, month, quarter or a number of rows \
                         per window (a whole number > 0)"
                    )))
                }
            },
        })
    }
}

impl Every {
    /// The word reports use: `day`, `week`, `month`, `quarter`, or `N rows`.
    pub fn name(self) -> String {
        match self {
            Every::Day => "day".into(),
            Every::Week => "week".into(),
            Every::Month => "month".into(),
            Every::Quarter => "quarter".into(),
            Every::Rows(n) => format!("{n} rows"),
        }
    }

    /// The calendar window holding `d`: its first day and the first day after it.
    pub(crate) fn period(self, d: Date) -> (Date, Date) {
        let start = match self {
            Every::Day | Every::Rows(_) => d,
            Every::Week => d
                .checked_sub((d.weekday().to_monday_zero_offset() as i64).days())
                .unwrap_or(d),
            Every::Month => d.first_of_month(),
            Every::Quarter => {
                Date::new(d.year(), (d.month() - 1) / 3 * 3 + 1, 1).unwrap_or(d.first_of_month())
            }
        };
        let step = match self {
            Every::Day | Every::Rows(_) => 1.day(),
            Every::Week => 1.week(),
            Every::Month => 1.month(),
            Every::Quarter => 3.months(),
        };
        (start, start.checked_add(step).unwrap_or(start))
    }
}

/// A time value: an RFC 3339 timestamp with an offset (taken in UTC), a date and time without
/// one (`2024-03-01T12:00:00`, `2024-03-01 12:00`), or a date (`2024-03-01`) — what polars writes
/// for its `Date` and `Datetime` columns too. `None` when it is none of these.
pub fn parse_time(s: &str) -> Option<DateTime> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t.to_zoned(TimeZone::UTC).datetime());
    }
    if let Ok(dt) = s.parse::<DateTime>() {
        return Some(dt);
    }
    s.parse::<Date>()
        .ok()
        .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
}

/// One window: its dates and its rows (indices into the table, in file order).
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// The first day (RFC 3339 full-date).
    pub start: Date,
    /// The first day after a calendar window; for an `N`-row window, its last row's day.
    pub end: Date,
    /// The rows, as indices into the table.
    pub rows: Vec<u32>,
}

/// The windows of a table and what was kept out of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The windows, in time order.
    pub windows: Vec<Window>,
    /// Rows with no time or an unreadable one.
    pub untimed: u64,
    /// The first unreadable value and its row (1-based), when there is one.
    pub first_unreadable: Option<(u64, String)>,
}

/// Puts each row (by its parsed time, `None` when missing or unreadable) in its window.
pub fn plan(times: &[Option<DateTime>], every: Every) -> Plan {
    let untimed = times.iter().filter(|t| t.is_none()).count() as u64;
    let windows = match every {
        Every::Rows(n) => {
            let mut order: Vec<u32> = (0..times.len() as u32)
                .filter(|&i| times[i as usize].is_some())
                .collect();
            // Stable: rows at the same time stay in file order.
            order.sort_by_key(|&i| times[i as usize]);
            order
                .chunks(n)
                .map(|c| {
                    let day = |i: u32| times[i as usize].map(|t| t.date()).unwrap_or_default();
                    let mut rows = c.to_vec();
                    let (start, end) = (day(rows[0]), day(rows[rows.len() - 1]));
                    rows.sort_unstable();
                    Window { start, end, rows }
                })
                .collect()
        }
        _ => {
            let mut by: BTreeMap<(Date, Date), Vec<u32>> = BTreeMap::new();
            for (i, t) in times.iter().enumerate() {
                if let Some(t) = t {
                    by.entry(every.period(t.date())).or_default().push(i as u32);
                }
            }
            by.into_iter()
                .map(|((start, end), rows)| Window { start, end, rows })
                .collect()
        }
    };
    Plan {
        windows,
        untimed,
        first_unreadable: None,
    }
}

/// The windows of the data by its time column; an error when no row has a time, or all fall in
/// one window.
pub(crate) fn read_plan(data: &Table, time: &str, every: Every) -> Result<Plan> {
    let reader = read_times(data, time)?;
    let mut p = plan(&reader.times, every);
    p.first_unreadable = reader.first_bad.clone();
    let starts: Vec<Date> = p.windows.iter().map(|w| w.start).collect();
    check_windows(&starts, time, every, reader.first_bad.as_ref())?;
    Ok(p)
}

/// An error when no row has a time (`first_bad`: the first unreadable value and its row), or
/// all fall in one window.
pub fn check_windows(
    starts: &[Date],
    time: &str,
    every: Every,
    first_bad: Option<&(u64, String)>,
) -> Result<()> {
    let first = first_bad
        .map(|(row, v)| format!(" (row {row} holds `{v}`)"))
        .unwrap_or_default();
    match starts.len() {
        0 => Err(Error::InvalidOption(format!(
            "no value of the time column `{time}` is a date or a date and time{first}: expected \
             RFC 3339 (`2024-03-01`, `2024-03-01T12:00:00Z`) or a Date/Datetime column"
        ))),
        1 => Err(Error::InvalidOption(format!(
            "every row of `{time}` falls in one window of a {} (from {}): there is nothing to \
             follow over time; use a shorter --every",
            every.name(),
            starts[0]
        ))),
        _ => Ok(()),
    }
}

/// Each row's calendar window (its first day; `None` when the time is missing or unreadable)
/// of one part of a table, for runs that read the parts apart (Spark, Dask): a row's window
/// depends on its time alone, so the parts' windows are the whole table's. `N`-row windows need
/// every row in time order, which no part has: an error.
#[derive(Debug, Clone, PartialEq)]
pub struct RowWindows {
    /// Each row's window start, in row order.
    pub starts: Vec<Option<Date>>,
    /// Rows with no time or an unreadable one.
    pub untimed: u64,
    /// The first unreadable value and its row (1-based, within the part).
    pub first_unreadable: Option<(u64, String)>,
}

/// Reads the time column of `data` (one part of a table) into each row's calendar window.
pub fn row_windows(data: &Table, time: &str, every: Every) -> Result<RowWindows> {
    if let Every::Rows(n) = every {
        return Err(Error::InvalidOption(format!(
            "--every {n}: windows of N rows need the whole table in time order, which a \
             partitioned run does not have; use day, week, month or quarter"
        )));
    }
    let reader = read_times(data, time)?;
    let untimed = reader.times.iter().filter(|t| t.is_none()).count() as u64;
    Ok(RowWindows {
        starts: reader
            .times
            .iter()
            .map(|t| t.map(|t| every.period(t.date()).0))
            .collect(),
        untimed,
        first_unreadable: reader.first_bad,
    })
}

/// The first day after the calendar window that starts on `start`.
pub fn window_end(every: Every, start: Date) -> Date {
    every.period(start).1
}

fn read_times(data: &Table, time: &str) -> Result<TimeReader> {
    let mut reader = TimeReader::default();
    for_each_batch(data, &[time.to_string()], |batch, first_row| {
        reader.offset = first_row;
        batch
            .visit(time, &mut reader)
            .map_err(|e| Error::InvalidOption(format!("column `{time}`: {e}")))
    })?;
    Ok(reader)
}

/// Collects a time column's values (rows in file order).
#[derive(Default)]
pub(crate) struct TimeReader {
    /// The first row of the batch visited next (0-based, in the whole table).
    pub(crate) offset: usize,
    /// Each row's time, `None` when missing or unreadable.
    pub(crate) times: Vec<Option<DateTime>>,
    /// The first unreadable value and its row (1-based).
    pub(crate) first_bad: Option<(u64, String)>,
}

impl TimeReader {
    fn bad(&mut self, row: usize, v: String) {
        if self.first_bad.is_none() {
            self.first_bad = Some(((self.offset + row + 1) as u64, v));
        }
        self.times.push(None);
    }
}

impl Visit for TimeReader {
    fn wants_dates(&self) -> bool {
        true
    }
    /// A Date column's days, as the text polars would write for them (`YYYY-MM-DD`) reads: the
    /// day at midnight. Days before the year 0 are unreadable, as their text is; so is a day
    /// jiff cannot hold (after the year 9999), named by its number of days.
    fn dates(&mut self, first_row: usize, days: &[Option<i32>]) {
        let epoch = jiff::civil::date(1970, 1, 1);
        // Dates repeat in runs: the last day's conversion is kept.
        let mut last: Option<(i32, Option<DateTime>)> = None;
        for (i, d) in days.iter().enumerate() {
            let Some(d) = *d else {
                self.times.push(None);
                continue;
            };
            let t = match last {
                Some((x, t)) if x == d => t,
                _ => {
                    let t = epoch
                        .checked_add(i64::from(d).days())
                        .ok()
                        .map(|day| day.to_datetime(jiff::civil::Time::midnight()));
                    last = Some((d, t));
                    t
                }
            };
            match t {
                // polars writes a year before 0 as `-0001`, which the text path cannot read.
                Some(t) if t.year() < 0 => self.bad(
                    first_row + i,
                    format!(
                        "-{:04}-{:02}-{:02}",
                        -i32::from(t.year()),
                        t.month(),
                        t.day()
                    ),
                ),
                Some(t) => self.times.push(Some(t)),
                None => self.bad(first_row + i, format!("{d} days after 1970-01-01")),
            }
        }
    }
    fn text(&mut self, row: usize, v: Option<&str>) {
        match v.map(|s| (s, parse_time(s))) {
            None => self.times.push(None),
            Some((_, Some(t))) => self.times.push(Some(t)),
            Some((s, None)) => self.bad(row, s.to_string()),
        }
    }
    fn number(&mut self, row: usize, v: Option<f64>) {
        match v {
            None => self.times.push(None),
            Some(x) => self.bad(row, x.to_string()),
        }
    }
    fn boolean(&mut self, row: usize, v: Option<bool>) {
        match v {
            None => self.times.push(None),
            Some(b) => self.bad(row, b.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<DateTime> {
        parse_time(s)
    }

    #[test]
    fn times_in_the_forms_files_hold() {
        let noon = "2024-03-01T12:00:00".parse::<DateTime>().unwrap();
        assert_eq!(t("2024-03-01T12:00:00"), Some(noon));
        assert_eq!(t("2024-03-01 12:00:00"), Some(noon));
        assert_eq!(t("2024-03-01 12:00:00.000000"), Some(noon));
        assert_eq!(t("2024-03-01T13:00:00+01:00"), Some(noon));
        assert_eq!(t("2024-03-01T12:00:00Z"), Some(noon));
        assert_eq!(t(" 2024-03-01 "), t("2024-03-01T00:00:00"));
        assert_eq!(t("2024-02-30"), None);
        assert_eq!(t("yesterday"), None);
        assert_eq!(t("1709294400"), None);
    }

    #[test]
    fn calendar_windows() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        // 2024-03-06 is a Wednesday.
        assert_eq!(
            Every::Week.period(d("2024-03-06")),
            (d("2024-03-04"), d("2024-03-11"))
        );
        assert_eq!(
            Every::Week.period(d("2024-03-04")),
            (d("2024-03-04"), d("2024-03-11"))
        );
        assert_eq!(
            Every::Week.period(d("2024-03-10")),
            (d("2024-03-04"), d("2024-03-11"))
        );
        assert_eq!(
            Every::Month.period(d("2024-02-29")),
            (d("2024-02-01"), d("2024-03-01"))
        );
        assert_eq!(
            Every::Quarter.period(d("2024-12-31")),
            (d("2024-10-01"), d("2025-01-01"))
        );
        assert_eq!(
            Every::Day.period(d("2024-12-31")),
            (d("2024-12-31"), d("2025-01-01"))
        );
    }

    #[test]
    fn rows_out_of_order_land_in_their_windows() {
        let times: Vec<_> = ["2024-02-02", "2024-01-15", "", "2024-02-01", "2024-01-01"]
            .iter()
            .map(|s| t(s))
            .collect();
        let p = plan(&times, Every::Month);
        assert_eq!(p.untimed, 1);
        assert_eq!(p.windows.len(), 2);
        assert_eq!(p.windows[0].rows, vec![1, 4]);
        assert_eq!(p.windows[1].rows, vec![0, 3]);
        assert_eq!(p.windows[0].start.to_string(), "2024-01-01");
        assert_eq!(p.windows[0].end.to_string(), "2024-02-01");
        let p = plan(&times, Every::Rows(3));
        assert_eq!(p.windows.len(), 2);
        // In time order: rows 4 (01-01), 1 (01-15), 3 (02-01) | 0 (02-02).
        assert_eq!(p.windows[0].rows, vec![1, 3, 4]);
        assert_eq!(p.windows[0].end.to_string(), "2024-02-01");
        assert_eq!(p.windows[1].rows, vec![0]);
    }

    #[test]
    fn every_is_parsed_or_refused() {
        assert_eq!("week".parse::<Every>().unwrap(), Every::Week);
        assert_eq!("Quarter".parse::<Every>().unwrap(), Every::Quarter);
        assert_eq!("5000".parse::<Every>().unwrap(), Every::Rows(5000));
        let e = "0".parse::<Every>().unwrap_err().to_string();
        assert!(e.contains("--every `0`"), "{e}");
        assert!("fortnight".parse::<Every>().is_err());
    }
}
