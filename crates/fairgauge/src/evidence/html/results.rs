//! The analyses' results as the evidence carries them (`results.fairness`, `.drift`, `.quality`),
//! read once per report: fairness and drift into their own types; quality, whose report type is
//! written but never read back, through the few fields the report shows (the only JSON access).

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::drift::DriftReport;
use crate::estimate::EstimateOutput;
use crate::evidence::document::Evidence;
use crate::fairness::TaskOutput;

/// One part of the results: absent (not assessed), read, or present but not of the shape this
/// version writes (the message says why).
pub type Part<T> = Option<Result<T, String>>;

fn typed<T: DeserializeOwned>(e: &Evidence, key: &str) -> Part<T> {
    e.results
        .get(key)
        .map(|v| T::deserialize(v).map_err(|err| err.to_string()))
}

/// The fairness results (of any task), unless they were estimated without labels.
pub fn fairness(e: &Evidence) -> Part<TaskOutput> {
    typed(e, "fairness")
}

/// The fairness results when they were estimated without labels (`"estimated": true`).
pub fn estimate(e: &Evidence) -> Part<EstimateOutput> {
    let v = e.results.get("fairness")?;
    (v.get("estimated") == Some(&Value::Bool(true))).then(|| typed(e, "fairness"))?
}

/// The drift results.
pub fn drift(e: &Evidence) -> Part<DriftReport> {
    typed(e, "drift")
}

/// What the report shows of the quality results. Counts are kept as the evidence writes them
/// (`null` when absent), texts are empty when absent.
#[derive(Debug)]
pub struct QualityView {
    /// The dataset's score.
    pub score: Option<f64>,
    /// Rows read.
    pub rows: String,
    /// Rows that repeat an earlier row.
    pub duplicate_rows: String,
    /// Groups of identical rows.
    pub duplicate_groups: String,
    /// Rows also in the reference, when leakage was checked.
    pub leakage_rows: Option<String>,
    /// Rows whose label conflicts with an identical row's, when checked.
    pub conflicting_label_rows: Option<String>,
    /// One entry per column.
    pub columns: Vec<QualityColumn>,
    /// The checks whose status is not `pass`.
    pub failing_checks: Vec<QualityCheck>,
}

/// A column's profile.
#[derive(Debug)]
pub struct QualityColumn {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Share of missing values (0 when absent).
    pub missing_share: f64,
    /// Distinct values.
    pub distinct: String,
    /// The column's score.
    pub score: Option<f64>,
    /// Configured placeholders and their counts.
    pub configured: Vec<(String, String)>,
    /// Suspected placeholders and their counts.
    pub suspected: Vec<(String, String)>,
}

/// A check that did not pass.
#[derive(Debug)]
pub struct QualityCheck {
    /// Its status.
    pub status: String,
    /// Its id.
    pub id: String,
    /// What it found.
    pub message: String,
    /// Example rows: the row number and, when given, the value.
    pub examples: Vec<(String, Option<String>)>,
}

fn f(v: &Value, k: &str) -> Option<f64> {
    v.get(k).and_then(Value::as_f64)
}

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

/// A present, non-null field's `rows`, as the evidence writes it.
fn rows_of(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .filter(|l| !l.is_null())
        .map(|l| l["rows"].to_string())
}

fn column(c: &Value) -> QualityColumn {
    let missing = &c["missing"];
    QualityColumn {
        name: s(c, "name"),
        kind: s(c, "kind"),
        missing_share: f(missing, "share").unwrap_or(0.0),
        distinct: c["distinct"].to_string(),
        score: f(c, "score"),
        configured: missing["configured"]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.to_string())).collect())
            .unwrap_or_default(),
        suspected: missing["suspected"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| (s(p, "value"), p["count"].to_string()))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn check(c: &Value) -> QualityCheck {
    QualityCheck {
        status: s(c, "status"),
        id: s(c, "id"),
        message: s(c, "message"),
        examples: c["examples"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| (x["row"].to_string(), x["value"].as_str().map(String::from)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The quality results, when assessed.
pub fn quality(e: &Evidence) -> Option<QualityView> {
    let q = e.results.get("quality")?;
    let d = &q["dataset"];
    Some(QualityView {
        score: f(d, "score"),
        rows: d["rows"].to_string(),
        duplicate_rows: d["duplicates"]["extra_rows"].to_string(),
        duplicate_groups: d["duplicates"]["groups"].to_string(),
        leakage_rows: rows_of(d, "leakage"),
        conflicting_label_rows: rows_of(d, "conflicting_labels"),
        columns: q["columns"]
            .as_array()
            .map(|a| a.iter().map(column).collect())
            .unwrap_or_default(),
        failing_checks: q["checks"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|c| s(c, "status") != "pass")
                    .map(check)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// What the report shows of `results.history` (`assess --history`): the earlier runs, the
/// findings an anomaly was found for, and the series of the findings that warned or failed.
#[derive(Debug, serde::Deserialize)]
pub struct HistoryView {
    /// Earlier runs of the system in the history.
    pub earlier_runs: u64,
    /// The anomalies found (only what they are of is read).
    #[serde(default)]
    pub anomalies: Vec<AnomalyOf>,
    /// Each notable finding's earlier values (schema 1.5.0 on).
    #[serde(default)]
    pub series: Vec<SeriesView>,
}

/// The finding an anomaly was found for.
#[derive(Debug, serde::Deserialize)]
pub struct AnomalyOf {
    /// Its id.
    pub of: String,
}

/// A finding's earlier values.
#[derive(Debug, serde::Deserialize)]
pub struct SeriesView {
    /// The finding's id (its value in this run is the finding's).
    pub finding: String,
    /// The metric.
    pub metric: String,
    /// The subject in words.
    pub subject: String,
    /// The earlier runs' points, oldest first.
    pub points: Vec<SeriesPoint>,
}

/// One earlier run's value of a finding.
#[derive(Debug, serde::Deserialize)]
pub struct SeriesPoint {
    /// The run's end, RFC 3339.
    pub finished_at: String,
    /// The value (`null` when it was not finite).
    pub value: Option<f64>,
    /// Its interval.
    #[serde(default)]
    pub interval: Option<[f64; 2]>,
    /// The finding's status then.
    pub status: String,
}

/// The history's part of the results.
pub fn history(e: &Evidence) -> Part<HistoryView> {
    typed(e, "history")
}
