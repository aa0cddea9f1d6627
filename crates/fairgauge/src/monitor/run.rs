//! One monitoring run: the table read once, its rows put in windows by time, each window
//! assessed against the baseline with the policy (quality, fairness per group, drift of each
//! column), and the alerts judged over all windows.

use super::alerts::{change_alerts, policy_alerts, Groups};
use super::report::*;
use crate::drift::{run_drift, DriftReport, DriftSpec};
use crate::error::{Error, Result};
use crate::evidence::assess::measure::{fairness_spec, Measure};
use crate::evidence::assess::{assess_with, AssessInput};
use crate::evidence::document::{Evidence, Finding};
use crate::evidence::export::words::subject_text;
use crate::evidence::policy::{Policy, PolicySource, Roles};
use crate::fairness::{run_task, FairnessSpec, TaskOutput};
use crate::io::frame::{load, take_rows};
use crate::io::source::Table;
use crate::io::windows::{read_plan, Every, Window};
use crate::quality::rules::RuleSet;
use crate::quality::{self, dataset_fingerprints, run_quality, QualityReport, QualitySpec};
use fairgauge_core::fairness::FairnessOptions;

/// What to monitor.
#[derive(Debug)]
pub struct MonitorInput<'a> {
    /// The data, with a time column.
    pub data: &'a Table,
    /// A reference table to compare every window with, instead of the first windows.
    pub reference: Option<&'a Table>,
    /// The time column.
    pub time: String,
    /// The windows' width.
    pub every: Every,
    /// Baseline windows (without a reference); `None`: the policy's `monitor.baseline`.
    pub baseline: Option<usize>,
    /// The policy.
    pub policy: &'a Policy,
    /// Where it came from.
    pub policy_source: &'a PolicySource,
    /// Roles: the policy's, overridden by the command line.
    pub roles: Roles,
    /// Rules for the quality checks.
    pub rules: Option<RuleSet>,
    /// The command line, for the record.
    pub command_line: Vec<String>,
}

/// Monitors the table window by window, loaded whole (module documentation).
pub(crate) fn monitor_loaded(input: &MonitorInput<'_>) -> Result<MonitorReport> {
    let time = input.time.clone();
    input.data.require_columns(&[time.as_str()])?;
    let data = load(input.data)?;
    let plan = read_plan(&data, &time, input.every)?;
    let k = baseline_windows(input, plan.windows.len())?;
    let drop = std::slice::from_ref(&time);
    let (base, baseline) = match input.reference {
        Some(r) => {
            let loaded = load(r)?;
            // The reference may have the time column too: left out, as from the windows.
            let t = take_rows(&loaded, None, drop, &r.name().to_string_lossy())?;
            let rows = row_count(&t)? as u64;
            (t, reference_baseline(r, rows))
        }
        None => {
            let rows: Vec<u32> = plan.windows[..k]
                .iter()
                .flat_map(|w| w.rows.iter().copied())
                .collect();
            let t = take_rows(&data, Some(&rows), drop, &baseline_name(input, k))?;
            (t, windows_baseline(k, rows.len() as u64))
        }
    };
    let base_facts = dataset_fingerprints(&base)?;
    let frame = Frame {
        rows: row_count(&data)? as u64,
        untimed: plan.untimed,
        first_unreadable: plan.first_unreadable.clone(),
        windows: plan
            .windows
            .iter()
            .map(|w| WindowSpan {
                start: w.start,
                end: w.end,
                rows: w.rows.len() as u64,
            })
            .collect(),
    };
    let base_fairness =
        |spec: &FairnessSpec, opts: &FairnessOptions| run_task(&base, spec, opts, None);
    judge_windows(input, frame, baseline, &base_fairness, |i, is_base| {
        let w = &plan.windows[i];
        let name = window_name(input, &frame_span(w));
        let table = take_rows(&data, Some(&w.rows), drop, &name)?;
        let m = WindowMeasure {
            current: &table,
            base: (!is_base).then_some((&base, &base_facts)),
        };
        assess_window(input, &table, (!is_base).then_some(&base), &m)
    })
}

/// The number of baseline windows: 0 with a reference table, else `--baseline` or the policy's
/// (an error when it leaves no window to judge).
pub(crate) fn baseline_windows(input: &MonitorInput<'_>, windows: usize) -> Result<usize> {
    if input.reference.is_some() {
        return Ok(0);
    }
    let k = input.baseline.unwrap_or(input.policy.monitor.baseline);
    if windows <= k {
        return Err(Error::InvalidOption(format!(
            "`{}` gives {windows} window(s) of a {}; the first {k} form the baseline, so at \
             least {} are needed: use a shorter --every, a smaller --baseline, or give \
             --reference",
            input.time,
            input.every.name(),
            k + 1
        )));
    }
    Ok(k)
}

pub(crate) fn reference_baseline(r: &Table, rows: u64) -> Baseline {
    Baseline {
        source: "reference".into(),
        path: Some(r.name().to_path_buf()),
        windows: 0,
        rows,
    }
}

pub(crate) fn windows_baseline(k: usize, rows: u64) -> Baseline {
    Baseline {
        source: "windows".into(),
        path: None,
        windows: k,
        rows,
    }
}

pub(crate) fn baseline_name(input: &MonitorInput<'_>, k: usize) -> String {
    format!(
        "{} (baseline: first {k} windows)",
        input.data.name().display()
    )
}

pub(crate) fn window_name(input: &MonitorInput<'_>, w: &WindowSpan) -> String {
    format!("{} [{} .. {}]", input.data.name().display(), w.start, w.end)
}

fn frame_span(w: &Window) -> WindowSpan {
    WindowSpan {
        start: w.start,
        end: w.end,
        rows: w.rows.len() as u64,
    }
}

/// A window's dates and size.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowSpan {
    /// The first day.
    pub start: jiff::civil::Date,
    /// The first day after it (for `N`-row windows, the last row's day).
    pub end: jiff::civil::Date,
    /// Its rows.
    pub rows: u64,
}

/// The windows of a run and what was kept out of them.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub(crate) rows: u64,
    pub(crate) untimed: u64,
    pub(crate) first_unreadable: Option<(u64, String)>,
    pub(crate) windows: Vec<WindowSpan>,
}

/// The baseline's fairness, for the change rules.
pub(crate) type BaseFairness<'a> =
    dyn Fn(&FairnessSpec, &FairnessOptions) -> Result<TaskOutput> + 'a;

/// Judges every window (`evidence(i, is_baseline)` assesses window `i`) and the changes from
/// the baseline: the report, however the windows were measured (here, or from parts).
pub(crate) fn judge_windows(
    input: &MonitorInput<'_>,
    frame: Frame,
    baseline: Baseline,
    base_fairness: &BaseFairness<'_>,
    mut evidence: impl FnMut(usize, bool) -> Result<Evidence>,
) -> Result<MonitorReport> {
    let baseline_windows = baseline.windows;
    let mut notes = vec![];
    let base_groups = baseline_groups(input, base_fairness, &mut notes);
    let mut windows = vec![];
    let mut groups = vec![];
    let mut alerts = vec![];
    for (i, w) in frame.windows.iter().enumerate() {
        let is_base = i < baseline_windows;
        let e = evidence(i, is_base)?;
        if !is_base {
            alerts.extend(policy_alerts(&w.start.to_string(), &e));
        }
        let g = Groups::of(&e);
        windows.push(window_report(w, is_base, &e, &g));
        groups.push(g);
    }
    let cfg = fairgauge_core::monitor::DetectConfig {
        alpha: input.policy.monitor.false_alarm_rate,
        cusum_k: input.policy.monitor.cusum_k,
        min_rows: input.policy.fairness.min_group_size,
    };
    let method = change_alerts(
        &base_groups,
        &groups,
        baseline_windows,
        &cfg,
        &mut windows,
        &mut alerts,
    )?;
    if base_groups.is_empty() {
        notes.push(
            "no change alerts: the baseline gives no binary fairness rates (a label, a \
             prediction or score and a sensitive attribute are needed)"
                .into(),
        );
    }
    alerts.sort_by(|a, b| {
        (&a.window, &a.family, &a.metric, &a.subject, &a.rule)
            .cmp(&(&b.window, &b.family, &b.metric, &b.subject, &b.rule))
    });
    Ok(MonitorReport {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        input: input.data.name().to_path_buf(),
        time: input.time.clone(),
        every: input.every.name(),
        rows: frame.rows,
        untimed_rows: frame.untimed,
        first_unreadable: frame
            .first_unreadable
            .map(|(row, value)| Unreadable { row, value }),
        baseline,
        method,
        windows,
        alerts,
        notes,
        engine: None,
    })
}

fn row_count(t: &Table) -> Result<usize> {
    Ok(crate::io::frame::row_count_hint(t).unwrap_or(0))
}

/// One window assessed with the policy by `m`; drift against the baseline (`base`) unless it
/// is one of the baseline windows.
pub(crate) fn assess_window(
    input: &MonitorInput<'_>,
    window: &Table,
    base: Option<&Table>,
    m: &dyn Measure,
) -> Result<Evidence> {
    let a = AssessInput {
        current: window,
        reference: base,
        policy: input.policy,
        policy_source: input.policy_source,
        roles: input.roles.clone(),
        rules: input.rules.clone(),
        command_line: input.command_line.clone(),
        history: None,
    };
    assess_with(&a, m)
}

/// A window's measurements: quality without the leakage check (a window sharing rows with the
/// baseline is not a test set leaking into training), drift against the baseline, whose
/// fingerprints are computed once for the run.
struct WindowMeasure<'a> {
    current: &'a Table,
    base: Option<(&'a Table, &'a quality::DatasetFacts)>,
}

impl Measure for WindowMeasure<'_> {
    fn quality(&self, spec: &QualitySpec) -> Result<QualityReport> {
        run_quality(self.current, None, spec, None)
    }
    fn facts(&self, reference: bool) -> Result<quality::DatasetFacts> {
        match (reference, self.base) {
            (true, Some((_, f))) => Ok(f.clone()),
            _ => dataset_fingerprints(self.current),
        }
    }
    fn fairness(&self, spec: &FairnessSpec, opts: &FairnessOptions) -> Result<TaskOutput> {
        run_task(self.current, spec, opts, None)
    }
    fn drift(&self, spec: &DriftSpec) -> Result<DriftReport> {
        match self.base {
            Some((b, _)) => run_drift(b, self.current, spec),
            None => Err(Error::InvalidOption(
                "a baseline window has no drift".into(),
            )),
        }
    }
}

/// The baseline's group counts for the change rules (empty, with a note, when its fairness
/// cannot be measured).
fn baseline_groups(
    input: &MonitorInput<'_>,
    base_fairness: &BaseFairness<'_>,
    notes: &mut Vec<String>,
) -> Groups {
    let spec = match fairness_spec(input.policy, &input.roles, input.policy_source) {
        Ok(Some(s)) => s,
        _ => return Groups::default(),
    };
    match base_fairness(&spec.0, &spec.1) {
        Ok(TaskOutput::Binary(out)) => Groups::of_report(&out.report),
        Ok(_) => {
            notes.push(
                "change alerts cover binary fairness rates only: this task is judged per window \
                 against the policy"
                    .into(),
            );
            Groups::default()
        }
        Err(e) => {
            notes.push(format!(
                "the baseline's fairness could not be measured: {e}"
            ));
            Groups::default()
        }
    }
}

fn measurement(f: &Finding) -> Measurement {
    Measurement {
        id: f.id.clone(),
        family: f.family().to_string(),
        kind: f.kind.clone(),
        metric: f.metric.clone(),
        subject: subject_text(&f.subject),
        value: f.value,
        interval: f.interval,
        status: f.status.as_str().to_string(),
    }
}

fn window_report(w: &WindowSpan, baseline: bool, e: &Evidence, groups: &Groups) -> WindowReport {
    let quality_score = e
        .results
        .get("quality")
        .and_then(|q| q.pointer("/dataset/score"))
        .and_then(|v| v.as_f64());
    WindowReport {
        start: w.start.to_string(),
        end: w.end.to_string(),
        rows: w.rows,
        baseline,
        status: e.summary.overall.as_str().to_string(),
        quality_score,
        fairness: groups.rates(),
        findings: e.findings.iter().map(measurement).collect(),
        changes: vec![],
        evidence_findings: e.findings.clone(),
    }
}
