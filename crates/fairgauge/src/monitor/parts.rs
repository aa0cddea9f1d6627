//! Monitoring a table read in parts elsewhere (Spark partitions, Dask partitions): the windows
//! are one more key of the parts.
//!
//! plan → count → parts → finish, as the other partitioned runs:
//! 1. [`plan_monitor`] plans from the schemas alone: the quality, fairness and drift plans of a
//!    window (the table without its time column).
//! 2. [`count_windows`] reads each part's time column: its rows per calendar window. The driver
//!    lays the windows out ([`Layout::of`]): which exist, which form the baseline, and where
//!    each part's rows start within each window (so quality examples number a window's rows as
//!    a single-machine run does).
//! 3. [`monitor_part`] reads each part once and splits it by window: per window a quality part,
//!    a fairness part, a drift part (of the reference side for baseline windows) and, for the
//!    baseline, the rows' fingerprint. [`reference_side`] reads a reference table's parts.
//! 4. [`finish_monitor`] merges each window's parts in part order and judges the windows with
//!    the code a single-machine [`monitor`](super::monitor) uses.
//!
//! `N`-row windows need a global time order, which no part has: calendar windows only.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::report::MonitorReport;
use super::run::{
    assess_window, baseline_name, baseline_windows, judge_windows, reference_baseline, window_name,
    windows_baseline, Frame, MonitorInput, WindowSpan,
};
use crate::drift::{
    drift_part, finish_drift, plan_drift, DriftPart, DriftPlan, DriftReport, DriftSpec, Side,
};
use crate::error::{Error, Result};
use crate::evidence::assess::measure::{drift_spec, fairness_spec, quality_spec, Measure};
use crate::fairness::{fairness_part, finish_task, FairnessPart, FairnessSpec, TaskOutput};
use crate::io::frame::{column_kinds, load, take_rows};
use crate::io::source::Table;
use crate::io::windows::{check_windows, row_windows, window_end, Every};
use crate::quality::run::{facts_of, finish_quality, hash_rows, plan_quality, quality_part};
use crate::quality::run::{QualityPart, QualityPlan, ReferencePart};
use crate::quality::{DatasetFacts, QualityReport, QualitySpec};
use fairgauge_core::fairness::FairnessOptions;
use fairgauge_core::state_codec::StateKind;

/// What every part of a monitored table is read for, planned once from the schemas.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MonitorPlan {
    time: String,
    every: String,
    /// A window's quality run (no reference: a window is not a test set).
    quality: QualityPlan,
    /// The fairness roles, when the policy and roles give them.
    fairness: Option<FairnessSpec>,
    /// Drift of a window from the baseline, or why it cannot be planned.
    drift: std::result::Result<DriftPlan, String>,
}

impl MonitorPlan {
    fn every(&self) -> Result<Every> {
        self.every.parse()
    }
}

/// Plans a partitioned monitoring run from the schemas of the data and of the reference
/// (`input.data` and `input.reference`; tables of no rows will do).
pub fn plan_monitor(input: &MonitorInput<'_>) -> Result<MonitorPlan> {
    if let Every::Rows(_) = input.every {
        row_windows(input.data, &input.time, input.every)?;
    }
    input.data.require_columns(&[input.time.as_str()])?;
    let window = without_time(
        input.data,
        &input.time,
        &input.data.name().to_string_lossy(),
    )?;
    let base = match input.reference {
        Some(r) => without_time(r, &input.time, &r.name().to_string_lossy())?,
        None => window.clone(),
    };
    let q = quality_spec(input.policy, &input.roles, input.rules.clone());
    Ok(MonitorPlan {
        time: input.time.clone(),
        every: every_text(input.every),
        quality: plan_quality(&window, None, &q)?,
        fairness: fairness_spec(input.policy, &input.roles, input.policy_source)?.map(|s| s.0),
        drift: plan_drift(&base, &window, &drift_spec(input.policy)).map_err(|e| e.to_string()),
    })
}

fn every_text(every: Every) -> String {
    match every {
        Every::Rows(n) => n.to_string(),
        other => other.name(),
    }
}

/// The table without the time column (when it has it), loaded.
fn without_time(t: &Table, time: &str, name: &str) -> Result<Table> {
    take_rows(&load(t)?, None, &[time.to_string()], name)
}

/// One part's rows per calendar window, and those with no readable time.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct WindowCounts {
    /// Rows per window (by its first day, RFC 3339).
    pub windows: BTreeMap<String, u64>,
    /// Rows of the part.
    pub rows: u64,
    /// Rows with no time or an unreadable one.
    pub untimed: u64,
    /// The first unreadable time and its row (1-based, within the part).
    pub first_unreadable: Option<(u64, String)>,
}

impl WindowCounts {
    /// The compact binary form (kind `MonitorPart`).
    pub fn encode(&self) -> Result<Vec<u8>> {
        crate::io::part_codec::encode(StateKind::MonitorPart, &Encoded::Counts(self.clone()))
    }

    /// Reads encoded counts.
    pub fn decode(bytes: &[u8]) -> Result<WindowCounts> {
        match decode(bytes)? {
            Encoded::Counts(c) => Ok(c),
            _ => Err(wrong("window counts")),
        }
    }
}

/// Counts one part's rows per window.
pub fn count_windows(table: &Table, plan: &MonitorPlan) -> Result<WindowCounts> {
    let rw = row_windows(table, &plan.time, plan.every()?)?;
    let mut windows = BTreeMap::new();
    for d in rw.starts.iter().flatten() {
        *windows.entry(d.to_string()).or_insert(0u64) += 1;
    }
    Ok(WindowCounts {
        windows,
        rows: rw.starts.len() as u64,
        untimed: rw.untimed,
        first_unreadable: rw.first_unreadable,
    })
}

/// The windows of the whole table, laid out from every part's counts (in part order).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Layout {
    /// The windows' first days, in time order, with their rows.
    pub windows: Vec<(String, u64)>,
    /// The first `baseline` windows form the baseline (0 with a reference table).
    pub baseline: usize,
    /// Per part (in part order), where its rows start within each window it has.
    pub first_rows: Vec<BTreeMap<String, u64>>,
    rows: u64,
    untimed: u64,
    first_unreadable: Option<(u64, String)>,
}

impl Layout {
    /// Lays the windows out, with the same errors as a single-machine run: no readable time,
    /// one window only, too few windows for the baseline.
    pub fn of(input: &MonitorInput<'_>, counts: &[WindowCounts]) -> Result<Layout> {
        let mut rows_per: BTreeMap<Date, u64> = BTreeMap::new();
        let mut first_rows = vec![];
        let mut running: BTreeMap<String, u64> = BTreeMap::new();
        let (mut rows, mut untimed, mut first_unreadable) = (0u64, 0u64, None);
        for c in counts {
            let mut firsts = BTreeMap::new();
            for (start, n) in &c.windows {
                let d: Date = start.parse().map_err(|_| {
                    Error::InvalidOption(format!("a part names window `{start}`, not a date"))
                })?;
                *rows_per.entry(d).or_default() += n;
                let at = running.entry(start.clone()).or_default();
                firsts.insert(start.clone(), *at);
                *at += n;
            }
            if first_unreadable.is_none() {
                first_unreadable = c.first_unreadable.clone().map(|(row, v)| (rows + row, v));
            }
            rows += c.rows;
            untimed += c.untimed;
            first_rows.push(firsts);
        }
        let starts: Vec<Date> = rows_per.keys().copied().collect();
        check_windows(&starts, &input.time, input.every, first_unreadable.as_ref())?;
        Ok(Layout {
            baseline: baseline_windows(input, starts.len())?,
            windows: rows_per
                .into_iter()
                .map(|(d, n)| (d.to_string(), n))
                .collect(),
            first_rows,
            rows,
            untimed,
            first_unreadable,
        })
    }

    /// The baseline windows' first days.
    fn baseline_starts(&self) -> BTreeSet<String> {
        self.windows[..self.baseline]
            .iter()
            .map(|w| w.0.clone())
            .collect()
    }
}

/// A part counted, or why it could not be (`None`: not planned).
type Kept<T> = Option<std::result::Result<T, String>>;

/// The baseline a window is compared with: its table (for names), facts and drift part.
type BaseRef<'a> = (&'a Table, &'a DatasetFacts, &'a Kept<DriftPart>);

/// One window's share of a part.
#[derive(Debug, Serialize, Deserialize)]
struct WindowPart {
    start: String,
    /// The encoded [`QualityPart`] (decoded each time the window's quality is finished).
    quality: Vec<u8>,
    /// `Err`: why the window's fairness cannot be counted.
    fairness: Kept<FairnessPart>,
    drift: Kept<DriftPart>,
    /// The rows' fingerprint, for baseline windows.
    facts: Option<ReferencePart>,
}

/// The reference table's share of the baseline.
#[derive(Debug, Serialize, Deserialize)]
struct ReferenceSide {
    fairness: Kept<FairnessPart>,
    drift: Kept<DriftPart>,
    facts: ReferencePart,
}

#[derive(Debug, Serialize, Deserialize)]
enum Encoded {
    Counts(WindowCounts),
    Windows(Vec<WindowPart>),
    Reference(Box<ReferenceSide>),
}

fn decode(bytes: &[u8]) -> Result<Encoded> {
    crate::io::part_codec::decode(StateKind::MonitorPart, bytes, "a monitoring part")
}

fn wrong(expected: &str) -> Error {
    Error::InvalidOption(format!(
        "a monitoring part: expected {expected}, got another kind"
    ))
}

/// Reads one part of the data (`index`: its place in part order, as in the counts) split by
/// window: the encoded parts of every window it has rows in.
pub fn monitor_part(
    table: &Table,
    plan: &MonitorPlan,
    layout: &Layout,
    index: usize,
) -> Result<Vec<u8>> {
    let rw = row_windows(table, &plan.time, plan.every()?)?;
    let mut rows: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (i, d) in rw.starts.iter().enumerate() {
        if let Some(d) = d {
            rows.entry(d.to_string()).or_default().push(i as u32);
        }
    }
    let firsts = layout.first_rows.get(index).ok_or_else(|| {
        Error::InvalidOption(format!(
            "part {index} has no counts: the layout has {} parts",
            layout.first_rows.len()
        ))
    })?;
    let base = layout.baseline_starts();
    let loaded = load(table)?;
    let drop = [plan.time.clone()];
    let name = table.name().to_string_lossy().to_string();
    let mut out = vec![];
    for (start, r) in rows {
        let first = *firsts.get(&start).ok_or_else(|| {
            Error::InvalidOption(format!("part {index}: window {start} is not in its counts"))
        })?;
        let t = take_rows(&loaded, Some(&r), &drop, &name)?;
        let is_base = base.contains(&start);
        let side = if is_base {
            Side::Reference
        } else {
            Side::Current
        };
        out.push(WindowPart {
            quality: quality_part(&t, &plan.quality, first)?.encode()?,
            fairness: plan
                .fairness
                .as_ref()
                .map(|s| kept(fairness_part(&t, s, None))),
            drift: plan
                .drift
                .as_ref()
                .ok()
                .map(|p| kept(drift_part(&t, p, side))),
            facts: is_base.then(|| fingerprint_part(&t)).transpose()?,
            start,
        });
    }
    crate::io::part_codec::encode(StateKind::MonitorPart, &Encoded::Windows(out))
}

/// Reads one part of the reference table: its share of the baseline.
pub fn reference_side(table: &Table, plan: &MonitorPlan) -> Result<Vec<u8>> {
    let t = without_time(table, &plan.time, &table.name().to_string_lossy())?;
    let side = ReferenceSide {
        fairness: plan
            .fairness
            .as_ref()
            .map(|s| kept(fairness_part(&t, s, None))),
        drift: plan
            .drift
            .as_ref()
            .ok()
            .map(|p| kept(drift_part(&t, p, Side::Reference))),
        facts: fingerprint_part(&t)?,
    };
    crate::io::part_codec::encode(StateKind::MonitorPart, &Encoded::Reference(Box::new(side)))
}

fn kept<T>(r: Result<T>) -> std::result::Result<T, String> {
    r.map_err(|e| e.to_string())
}

/// The rows' content fingerprint, as [`dataset_fingerprints`](crate::quality::dataset_fingerprints) reads it.
fn fingerprint_part(t: &Table) -> Result<ReferencePart> {
    let t = t.with_countable_nulls();
    Ok(hash_rows(&t, &column_kinds(&t)?, None, None)?.0)
}

/// Merges the parts (`parts`: each data part's encoded windows, in part order; `reference`:
/// each reference part's, in part order) and judges the windows as [`monitor`](super::monitor)
/// does. `input.data` and `input.reference` name the tables and give their schemas.
pub fn finish_monitor(
    input: &MonitorInput<'_>,
    plan: &MonitorPlan,
    layout: &Layout,
    parts: &[Vec<u8>],
    reference: &[Vec<u8>],
) -> Result<MonitorReport> {
    let mut by_window: BTreeMap<String, Vec<WindowPart>> = BTreeMap::new();
    for p in parts {
        match decode(p)? {
            Encoded::Windows(ws) => {
                for w in ws {
                    by_window.entry(w.start.clone()).or_default().push(w);
                }
            }
            _ => return Err(wrong("a data part's windows")),
        }
    }
    let sides = reference
        .iter()
        .map(|p| match decode(p)? {
            Encoded::Reference(r) => Ok(*r),
            _ => Err(wrong("a reference part")),
        })
        .collect::<Result<Vec<_>>>()?;
    let every = plan.every()?;
    let spans: Vec<WindowSpan> = layout
        .windows
        .iter()
        .map(|(s, n)| {
            let start: Date = s
                .parse()
                .map_err(|_| Error::InvalidOption(format!("window `{s}`")))?;
            Ok(WindowSpan {
                start,
                end: window_end(every, start),
                rows: *n,
            })
        })
        .collect::<Result<_>>()?;
    let mut windows: Vec<Vec<WindowPart>> = layout
        .windows
        .iter()
        .map(|(s, _)| by_window.remove(s).unwrap_or_default())
        .collect();
    let window_table = without_time(
        input.data,
        &input.time,
        &input.data.name().to_string_lossy(),
    )?;
    let (base_table, baseline, base) = match input.reference {
        Some(r) => {
            let t = without_time(r, &input.time, &r.name().to_string_lossy())?;
            let base = Base::of_reference(&sides, plan)?;
            let rows = base.facts_rows(&t)?;
            (t, reference_baseline(r, rows), base)
        }
        None => {
            let k = layout.baseline;
            let rows: u64 = layout.windows[..k].iter().map(|w| w.1).sum();
            let t = empty_named(&window_table, &baseline_name(input, k))?;
            (
                t,
                windows_baseline(k, rows),
                Base::of_windows(&windows[..k], plan)?,
            )
        }
    };
    let base_facts = facts_of(
        &base_table,
        &column_kinds(&base_table.with_countable_nulls())?,
        &base.facts,
        None,
    );
    let base_fairness = |spec: &FairnessSpec, opts: &FairnessOptions| -> Result<TaskOutput> {
        let part = base
            .fairness
            .clone()
            .ok_or_else(|| Error::InvalidOption("the plan has no fairness roles".into()))?;
        finish_task(&base_table, spec, opts, part.map_err(Error::InvalidOption)?)
    };
    let frame = Frame {
        rows: layout.rows,
        untimed: layout.untimed,
        first_unreadable: layout.first_unreadable.clone(),
        windows: spans.clone(),
    };
    judge_windows(input, frame, baseline, &base_fairness, |i, is_base| {
        let name = window_name(input, &spans[i]);
        let table = empty_named(&window_table, &name)?;
        let m = WindowParts {
            plan,
            current: &table,
            parts: std::mem::take(&mut windows[i]),
            base: (!is_base).then_some((&base_table, &base_facts, &base.drift)),
        };
        assess_window(input, &table, (!is_base).then_some(&base_table), &m)
    })
}

/// A table of no rows with `t`'s columns, reported under `name`.
fn empty_named(t: &Table, name: &str) -> Result<Table> {
    take_rows(t, Some(&[]), &[], name)
}

/// The baseline merged from its parts.
struct Base {
    fairness: Kept<FairnessPart>,
    drift: Kept<DriftPart>,
    facts: Vec<ReferencePart>,
}

impl Base {
    fn of_windows(windows: &[Vec<WindowPart>], plan: &MonitorPlan) -> Result<Base> {
        let mut b = Base::empty(plan, Side::Reference)?;
        for w in windows.iter().flatten() {
            b.add(w.fairness.clone(), w.drift.clone())?;
            b.facts.extend(w.facts.clone());
        }
        Ok(b)
    }

    fn of_reference(sides: &[ReferenceSide], plan: &MonitorPlan) -> Result<Base> {
        let mut b = Base::empty(plan, Side::Reference)?;
        for s in sides {
            b.add(s.fairness.clone(), s.drift.clone())?;
            b.facts.push(s.facts.clone());
        }
        Ok(b)
    }

    fn empty(plan: &MonitorPlan, side: Side) -> Result<Base> {
        Ok(Base {
            fairness: plan.fairness.as_ref().map(|s| Ok(FairnessPart::empty(s))),
            drift: match &plan.drift {
                Ok(p) => Some(Ok(DriftPart::empty(p, side)?)),
                Err(_) => None,
            },
            facts: vec![],
        })
    }

    fn add(&mut self, fairness: Kept<FairnessPart>, drift: Kept<DriftPart>) -> Result<()> {
        merge_into(&mut self.fairness, fairness, |a, b| a.merge(b))?;
        merge_into(&mut self.drift, drift, |a, b| a.merge(b))
    }

    fn facts_rows(&self, t: &Table) -> Result<u64> {
        let kinds = column_kinds(&t.with_countable_nulls())?;
        Ok(facts_of(t, &kinds, &self.facts, None).rows)
    }
}

/// Merges a part into an accumulator; the first error met stays.
fn merge_into<T>(
    acc: &mut Kept<T>,
    part: Kept<T>,
    merge: impl Fn(&mut T, T) -> Result<()>,
) -> Result<()> {
    match (acc.as_mut(), part) {
        (Some(Ok(a)), Some(Ok(p))) => merge(a, p)?,
        (Some(Ok(_)), Some(Err(e))) => *acc = Some(Err(e)),
        _ => {}
    }
    Ok(())
}

/// A window's measurements from its parts, merged in part order.
struct WindowParts<'a> {
    plan: &'a MonitorPlan,
    current: &'a Table,
    parts: Vec<WindowPart>,
    base: Option<BaseRef<'a>>,
}

impl Measure for WindowParts<'_> {
    fn quality(&self, spec: &QualitySpec) -> Result<QualityReport> {
        let parts = self
            .parts
            .iter()
            .map(|w| QualityPart::decode(&w.quality))
            .collect::<Result<_>>()?;
        finish_quality(self.current, None, &self.plan.quality, spec, parts, vec![])
    }

    fn facts(&self, reference: bool) -> Result<DatasetFacts> {
        if let (true, Some((_, f, _))) = (reference, self.base) {
            return Ok(f.clone());
        }
        let spec = QualitySpec::default();
        let r = self.quality(&spec)?;
        Ok(DatasetFacts {
            rows: r.dataset.rows,
            columns: r.dataset.columns as u64,
            fingerprints: r.dataset.fingerprints.clone(),
            format: r.dataset.format.clone(),
        })
    }

    fn fairness(&self, spec: &FairnessSpec, opts: &FairnessOptions) -> Result<TaskOutput> {
        let planned = self
            .plan
            .fairness
            .as_ref()
            .ok_or_else(|| Error::InvalidOption("the plan has no fairness roles".into()))?;
        let mut acc = Some(Ok(FairnessPart::empty(planned)));
        for w in &self.parts {
            merge_into(&mut acc, w.fairness.clone(), |a, b| a.merge(b))?;
        }
        let part = acc.unwrap_or_else(|| Err("no fairness part".into()));
        finish_task(
            self.current,
            spec,
            opts,
            part.map_err(Error::InvalidOption)?,
        )
    }

    fn drift(&self, spec: &DriftSpec) -> Result<DriftReport> {
        let (Some((base, _, Some(r))), Ok(plan)) = (self.base, &self.plan.drift) else {
            return Err(Error::InvalidOption(match &self.plan.drift {
                Err(e) => e.clone(),
                Ok(_) => "a baseline window has no drift".into(),
            }));
        };
        let r = r.clone().map_err(Error::InvalidOption)?;
        let mut acc = Some(Ok(DriftPart::empty(plan, Side::Current)?));
        for w in &self.parts {
            merge_into(&mut acc, w.drift.clone(), |a, b| a.merge(b))?;
        }
        let c = acc
            .unwrap_or_else(|| Err("no drift part".into()))
            .map_err(Error::InvalidOption)?;
        finish_drift(base, self.current, plan, r, c, spec)
    }
}
