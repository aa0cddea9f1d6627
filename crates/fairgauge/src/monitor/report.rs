//! What `monitor` reports: the windows in time order with their results, the alerts, and the
//! long table of every measurement (window, family, metric, subject, value, interval, n).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Result;

/// A monitoring report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitorReport {
    /// fairgauge's version.
    pub tool_version: String,
    /// The data monitored.
    pub input: PathBuf,
    /// The time column.
    pub time: String,
    /// The windows' width: `day`, `week`, `month`, `quarter` or `N rows`.
    pub every: String,
    /// Rows read.
    pub rows: u64,
    /// Rows whose time is missing or unreadable: in no window.
    pub untimed_rows: u64,
    /// The first unreadable time, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_unreadable: Option<Unreadable>,
    /// What each window is compared with.
    pub baseline: Baseline,
    /// How changes are judged, and the limits the run used.
    pub method: Method,
    /// One entry per window, in time order.
    pub windows: Vec<WindowReport>,
    /// Every alert, by window then family, metric and subject.
    pub alerts: Vec<Alert>,
    /// What could not be judged, and why.
    pub notes: Vec<String>,
    /// The distributed engine that read the data (Spark, Dask), when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<crate::evidence::Engine>,
}

/// An unreadable time value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unreadable {
    /// Its row, 1-based.
    pub row: u64,
    /// The value.
    pub value: String,
}

/// The baseline: the first windows, or a reference table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    /// `windows` or `reference`.
    pub source: String,
    /// The reference table, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// Baseline windows (0 with a reference table).
    pub windows: usize,
    /// Its rows.
    pub rows: u64,
}

/// The change rules' settings and the limits they came to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Method {
    /// The run's false-alarm budget.
    pub false_alarm_rate: f64,
    /// The shift rule's FDR level (half the budget).
    pub shift_fdr: f64,
    /// The critical value of each window's limits.
    pub z_limit: f64,
    /// The CUSUM's reference value.
    pub cusum_k: f64,
    /// The CUSUM's decision interval.
    pub cusum_h: f64,
    /// Each series' in-control average run length, in windows.
    pub cusum_arl: f64,
    /// Points tested.
    pub tested: usize,
    /// Fewer rows than this in a group leave its window untested.
    pub min_rows: u64,
}

/// One window and its results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowReport {
    /// First day (RFC 3339 date).
    pub start: String,
    /// First day after it (for `N`-row windows, the last row's day).
    pub end: String,
    /// Rows.
    pub rows: u64,
    /// Part of the baseline (not judged for change).
    pub baseline: bool,
    /// The window's verdict against the policy: `pass`, `warn` or `fail`.
    pub status: String,
    /// The quality score, 0–100.
    pub quality_score: Option<f64>,
    /// Per group rates with their intervals (binary fairness).
    pub fairness: Vec<GroupRates>,
    /// Every check of the window judged against the policy.
    pub findings: Vec<Measurement>,
    /// Each rate and gap tested against the baseline.
    pub changes: Vec<Change>,
    /// The window's findings in full, for the history (`monitor --history`).
    #[serde(skip)]
    pub evidence_findings: Vec<crate::evidence::document::Finding>,
}

/// A group's rates in a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRates {
    /// Attribute (or intersection).
    pub attribute: String,
    /// Group.
    pub group: String,
    /// Rows.
    pub n: u64,
    /// The reference group.
    pub reference: bool,
    /// Rates by name, each with its Wilson interval.
    pub rates: Vec<Rate>,
}

/// A rate and its interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    /// `selection_rate`, `tpr`, `fpr`, `base_rate`, …
    pub metric: String,
    /// Its value.
    pub value: Option<f64>,
    /// Its interval.
    pub interval: Option<[f64; 2]>,
}

/// A finding of a window, in short.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measurement {
    /// The finding's id: the same check of the same subject has the same id in every window
    /// (and in `assess`).
    pub id: String,
    /// `fairness`, `drift`, `quality`, `provenance`.
    pub family: String,
    /// The finding's kind.
    pub kind: String,
    /// The metric.
    pub metric: String,
    /// The subject in words.
    pub subject: String,
    /// The value.
    pub value: Option<f64>,
    /// Its interval.
    pub interval: Option<[f64; 2]>,
    /// `pass`, `warn`, `fail`, `insufficient_data` or `error`.
    pub status: String,
}

/// A rate or gap of a window tested against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The metric.
    pub metric: String,
    /// The subject.
    pub subject: String,
    /// The window's value.
    pub value: Option<f64>,
    /// The baseline's value.
    pub baseline: Option<f64>,
    /// The limits the value stays within when nothing changed.
    pub expected: Option<[f64; 2]>,
    /// The standardised change.
    pub z: Option<f64>,
    /// Its p-value.
    pub p_value: Option<f64>,
    /// Benjamini–Hochberg adjusted over the run.
    pub adjusted_p: Option<f64>,
    /// The CUSUM after this window.
    pub cusum: Option<f64>,
    /// `ok`, `alert` or `insufficient_data`.
    pub status: String,
}

/// An alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// The window's start.
    pub window: String,
    /// `fairness`, `drift` or `quality`.
    pub family: String,
    /// The metric.
    pub metric: String,
    /// The subject: attribute and group, or column.
    pub subject: String,
    /// The value.
    pub value: Option<f64>,
    /// The limits: `[lower, upper]`, either open (`null`) for a policy threshold.
    pub expected: [Option<f64>; 2],
    /// `policy` (a threshold breached), `shift` (a window away from the baseline) or `cusum`
    /// (a sustained change).
    pub rule: String,
    /// `warn` or `fail` for the policy rule; `alert` for the change rules.
    pub severity: String,
    /// In words.
    pub message: String,
}

/// A row of the long table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricPoint {
    /// The window's start.
    pub window: String,
    /// `fairness`, `drift`, `quality`.
    pub family: String,
    /// The metric.
    pub metric: String,
    /// The subject.
    pub subject: String,
    /// The value.
    pub value: Option<f64>,
    /// Interval's lower end.
    pub lower: Option<f64>,
    /// Interval's upper end.
    pub upper: Option<f64>,
    /// Rows behind it, when known.
    pub n: Option<i64>,
}

/// The columns of the long table.
pub const POINT_COLUMNS: [&str; 8] = [
    "window", "family", "metric", "subject", "value", "lower", "upper", "n",
];

impl MonitorReport {
    /// The monitoring run as the history records it (`monitor --history`): every window's
    /// findings (baseline windows included), the digest of the report as JSON, and the worst
    /// status of the monitored windows.
    pub fn windowed_run(
        &self,
        system: &crate::evidence::document::System,
        policy_sha256: &str,
        started_at: String,
    ) -> crate::evidence::history::WindowedRun {
        // A window's status is its evidence's overall verdict: pass, warn or fail.
        let monitored = || self.windows.iter().filter(|w| !w.baseline);
        let overall = ["fail", "warn"]
            .into_iter()
            .find(|s| monitored().any(|w| w.status == *s))
            .unwrap_or("pass");
        let json = serde_json::to_string_pretty(self).unwrap_or_default();
        crate::evidence::history::WindowedRun {
            run_id: crate::evidence::ids::uuid_v4(),
            system: system.clone(),
            started_at,
            finished_at: crate::evidence::ids::now_rfc3339(),
            policy_sha256: policy_sha256.to_string(),
            report_sha256: crate::evidence::document::json_sha256(&json),
            overall: overall.to_string(),
            windows: self
                .windows
                .iter()
                .map(|w| (w.start.clone(), w.rows, w.evidence_findings.clone()))
                .collect(),
        }
    }

    /// Every measurement of every window as rows of the long table: the findings' values and the
    /// groups' rates.
    pub fn metrics(&self) -> Vec<MetricPoint> {
        let mut out = vec![];
        for w in &self.windows {
            for g in &w.fairness {
                for r in &g.rates {
                    out.push(MetricPoint {
                        window: w.start.clone(),
                        family: "fairness".into(),
                        metric: r.metric.clone(),
                        subject: format!("{}={}", g.attribute, g.group),
                        value: r.value,
                        lower: r.interval.map(|i| i[0]),
                        upper: r.interval.map(|i| i[1]),
                        n: Some(g.n as i64),
                    });
                }
            }
            for f in w.findings.iter().filter(|f| f.family != "provenance") {
                out.push(MetricPoint {
                    window: w.start.clone(),
                    family: f.family.clone(),
                    metric: f.metric.clone(),
                    subject: f.subject.clone(),
                    value: f.value,
                    lower: f.interval.map(|i| i[0]),
                    upper: f.interval.map(|i| i[1]),
                    n: None,
                });
            }
        }
        out
    }
}

/// Writes the long table atomically: Parquet when the path ends in `.parquet`, else CSV (the
/// one CSV writer: formulas defused, numbers in their shortest exact form, empty for none).
pub fn write_metrics(rows: &[MetricPoint], path: &Path) -> Result<()> {
    use crate::io::frame::{write_table, OwnedColumn as C};
    let parquet = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    if parquet {
        let text =
            |f: fn(&MetricPoint) -> &String| C::Str(rows.iter().map(|r| f(r).clone()).collect());
        let real = |f: fn(&MetricPoint) -> Option<f64>| C::OptF64(rows.iter().map(f).collect());
        let columns = vec![
            text(|r| &r.window),
            text(|r| &r.family),
            text(|r| &r.metric),
            text(|r| &r.subject),
            real(|r| r.value),
            real(|r| r.lower),
            real(|r| r.upper),
            C::OptI64(rows.iter().map(|r| r.n).collect()),
        ];
        let named = POINT_COLUMNS
            .iter()
            .map(|n| n.to_string())
            .zip(columns)
            .collect();
        return write_table(path, crate::io::source::InputFormat::Parquet, named);
    }
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    crate::io::write::write_csv_atomic(path, false, |w| {
        let e = |x| crate::io::write::csv_error(path, x);
        w.write_record(POINT_COLUMNS).map_err(e)?;
        for r in rows {
            let d = crate::io::write::defused;
            w.write_record([
                d(&r.window).into_owned(),
                d(&r.family).into_owned(),
                d(&r.metric).into_owned(),
                d(&r.subject).into_owned(),
                num(r.value),
                num(r.lower),
                num(r.upper),
                r.n.map(|n| n.to_string()).unwrap_or_default(),
            ])
            .map_err(e)?;
        }
        Ok(())
    })
}
