//! `monitor` in bounded memory: when the policy asks for the bounded mode (`[quality] sketch`,
//! as `assess` does), the table is not loaded whole. One streaming pass splits its rows by
//! window into temporary files ([`split_by_window`]); then each window file is assessed in turn,
//! as a bounded `assess` reads a file. The baseline's drift part, fairness counts and
//! fingerprint are read once, from the baseline windows' files or from the reference table.
//! Each window is judged by the code the in-memory run uses ([`judge_windows`]), so the
//! numbers are the same.
//!
//! Memory holds one batch of rows, up to 8,192 rows per window waiting to be written, and the
//! state of one window's assessment. The disk holds the data once more (Arrow IPC with LZ4).

use super::report::MonitorReport;
use super::run::{
    assess_window, baseline_name, baseline_windows, judge_windows, reference_baseline, window_name,
    windows_baseline, Frame, MonitorInput, WindowSpan,
};
use crate::drift::{
    drift_part, finish_drift, plan_drift, DriftPart, DriftPlan, DriftReport, DriftSpec, Side,
};
use crate::error::{Error, Result};
use crate::evidence::assess::measure::{drift_spec, fairness_spec, Measure};
use crate::fairness::{
    fairness_part, finish_task, run_task, FairnessPart, FairnessSpec, TaskOutput,
};
use crate::io::frame::{column_kinds, schema_only, take_rows};
use crate::io::source::{ReadOptions, Table};
use crate::io::window_files::split_by_window;
use crate::io::windows::check_windows;
use crate::quality::run::{facts_of, hash_rows};
use crate::quality::{run_quality, DatasetFacts, QualityReport, QualitySpec};
use fairgauge_core::fairness::FairnessOptions;

/// Whether `monitor` runs in bounded memory: the policy's quality checks are (`[quality]
/// sketch`) and the data is a file (a table already in memory is used as it is).
pub(crate) fn is_bounded(input: &MonitorInput<'_>) -> bool {
    input.policy.quality.sketch.is_some() && !input.data.is_in_memory()
}

/// Monitors the table window by window in bounded memory (module documentation).
pub(crate) fn monitor_bounded(input: &MonitorInput<'_>) -> Result<MonitorReport> {
    let time = input.time.as_str();
    input.data.require_columns(&[time])?;
    let split = split_by_window(input.data, time, input.every)?;
    let starts: Vec<_> = split.windows.iter().map(|w| w.start).collect();
    check_windows(&starts, time, input.every, split.first_unreadable.as_ref())?;
    let k = baseline_windows(input, starts.len())?;
    let spans: Vec<WindowSpan> = split
        .windows
        .iter()
        .map(|w| WindowSpan {
            start: w.start,
            end: w.end,
            rows: w.rows,
        })
        .collect();
    let tables = split
        .windows
        .iter()
        .zip(&spans)
        .map(|(w, s)| {
            let mut t = Table::open(&w.path, &ReadOptions::default())?;
            t.shown = Some(window_name(input, s).into());
            Ok(t)
        })
        .collect::<Result<Vec<_>>>()?;
    // The reference's schema without the time column, as the windows have none.
    let base_schema = match input.reference {
        Some(r) => take_rows(
            &schema_only(r, "")?,
            None,
            std::slice::from_ref(&input.time),
            "",
        )?,
        None => schema_only(&tables[0], "")?,
    };
    let drift_plan =
        plan_drift(&base_schema, &tables[0], &drift_spec(input.policy)).map_err(|e| e.to_string());
    let spec = fairness_spec(input.policy, &input.roles, input.policy_source)
        .ok()
        .flatten();
    let (named, baseline, base) = match input.reference {
        Some(r) => {
            let named = schema_only(r, &r.name().to_string_lossy())?;
            let base = Base::read(
                std::slice::from_ref(r),
                &named,
                time,
                &drift_plan,
                spec.as_ref(),
            )?;
            let rows = base.facts.rows;
            (named, reference_baseline(r, rows), base)
        }
        None => {
            let named = schema_only(&tables[0], &baseline_name(input, k))?;
            let base = Base::read(&tables[..k], &named, time, &drift_plan, spec.as_ref())?;
            let rows = spans[..k].iter().map(|s| s.rows).sum();
            (named, windows_baseline(k, rows), base)
        }
    };
    let base_fairness = |spec: &FairnessSpec, opts: &FairnessOptions| -> Result<TaskOutput> {
        let part = base
            .fairness
            .clone()
            .ok_or_else(|| Error::InvalidOption("the policy gives no fairness roles".into()))?;
        finish_task(&named, spec, opts, part.map_err(Error::InvalidOption)?)
    };
    let frame = Frame {
        rows: split.rows,
        untimed: split.untimed,
        first_unreadable: split.first_unreadable.clone(),
        windows: spans,
    };
    judge_windows(input, frame, baseline, &base_fairness, |i, is_base| {
        let m = WindowFile {
            current: &tables[i],
            base: (!is_base).then_some(&base),
            named: &named,
            plan: &drift_plan,
        };
        assess_window(input, &tables[i], (!is_base).then_some(&named), &m)
    })
}

/// The baseline, read once.
struct Base {
    facts: DatasetFacts,
    /// `Err`: why the baseline's fairness cannot be counted.
    fairness: Option<std::result::Result<FairnessPart, String>>,
    drift: std::result::Result<DriftPart, String>,
}

/// A drift plan, or why there is none.
type Plan = std::result::Result<DriftPlan, String>;

impl Base {
    /// Reads the baseline's tables (in order), without their time column; `named` names it.
    fn read(
        tables: &[Table],
        named: &Table,
        time: &str,
        plan: &Plan,
        spec: Option<&(FairnessSpec, FairnessOptions)>,
    ) -> Result<Base> {
        let mut parts = vec![];
        let mut fairness = spec.map(|s| Ok(FairnessPart::empty(&s.0)));
        let mut drift = match plan {
            Ok(p) => DriftPart::empty(p, Side::Reference).map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        };
        let mut kinds = vec![];
        for t in tables {
            let t = t.with_countable_nulls();
            kinds = column_kinds(&t)?;
            kinds.retain(|k| k.0 != time);
            parts.push(hash_rows(&t, &kinds, None, None)?.0);
            if let (Some(Ok(acc)), Some(s)) = (&mut fairness, spec) {
                if let Err(e) = fairness_part(&t, &s.0, None).and_then(|p| acc.merge(p)) {
                    fairness = Some(Err(e.to_string()));
                }
            }
            if let (Ok(acc), Ok(p)) = (&mut drift, plan) {
                if let Err(e) = drift_part(&t, p, Side::Reference).and_then(|d| acc.merge(d)) {
                    drift = Err(e.to_string());
                }
            }
        }
        Ok(Base {
            facts: facts_of(named, &kinds, &parts, None),
            fairness,
            drift,
        })
    }
}

/// A window's measurements from its file: quality and fairness read from it, drift of its part
/// against the baseline's.
struct WindowFile<'a> {
    current: &'a Table,
    base: Option<&'a Base>,
    named: &'a Table,
    plan: &'a Plan,
}

impl Measure for WindowFile<'_> {
    fn quality(&self, spec: &QualitySpec) -> Result<QualityReport> {
        run_quality(self.current, None, spec, None)
    }

    fn facts(&self, reference: bool) -> Result<DatasetFacts> {
        if let (true, Some(b)) = (reference, self.base) {
            return Ok(b.facts.clone());
        }
        // As an in-memory window's: no file digest (the file is this run's own).
        let t = self.current.with_countable_nulls();
        let kinds = column_kinds(&t)?;
        let part = hash_rows(&t, &kinds, None, None)?.0;
        Ok(facts_of(self.current, &kinds, &[part], None))
    }

    fn fairness(&self, spec: &FairnessSpec, opts: &FairnessOptions) -> Result<TaskOutput> {
        run_task(self.current, spec, opts, None)
    }

    fn drift(&self, spec: &DriftSpec) -> Result<DriftReport> {
        let Some(base) = self.base else {
            return Err(Error::InvalidOption(
                "a baseline window has no drift".into(),
            ));
        };
        let plan = self
            .plan
            .as_ref()
            .map_err(|e| Error::InvalidOption(e.clone()))?;
        let r = base.drift.clone().map_err(Error::InvalidOption)?;
        let c = drift_part(self.current, plan, Side::Current)?;
        finish_drift(self.named, self.current, plan, r, c, spec)
    }
}
