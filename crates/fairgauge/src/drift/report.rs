//! The drift report: per column the method, statistic, p-value, drift verdict, null shares and
//! categories; the dataset's drifted share; and the fairness drift between the two tables.

use super::spec::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A category's share, for new and vanished categories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryShare {
    /// The category.
    pub value: String,
    /// Its share of the table where it occurs.
    pub share: f64,
}

/// One column's drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    /// Column name.
    pub name: String,
    /// `numeric` or `categorical`.
    pub kind: String,
    /// The method used.
    pub method: Method,
    /// Why this method: `auto`, `global`, `numeric`, `categorical` or `column`.
    pub method_source: String,
    /// The statistic (the distance itself for distance methods).
    pub statistic: Option<f64>,
    /// The p-value (null for distances).
    pub p_value: Option<f64>,
    /// The p-value after the correction across columns.
    pub p_value_adjusted: Option<f64>,
    /// The threshold applied.
    pub threshold: f64,
    /// Whether the column drifted.
    pub drifted: bool,
    /// Whether the statistic is exact (false in sketch mode for numeric columns).
    pub exact: bool,
    /// Bound on the statistic's error when it is approximate and a bound is known (KS:
    /// `|D̂ − D|`, with probability ≥ 98 %; histogram methods: per-bin share error).
    pub error_bound: Option<f64>,
    /// Whether the column could be assessed (false when a table has no values for it or the
    /// method is undefined for its data; `warnings` says why).
    pub assessed: bool,
    /// Effect sizes whatever the method (e.g. `wasserstein_normed`, `psi`, `jensenshannon`,
    /// `mean_reference`, `mean_current`, `tvd`, `cramers_v`).
    pub effects: BTreeMap<String, f64>,
    /// Non-null values compared from the reference.
    pub reference_count: u64,
    /// Non-null values compared from the current table.
    pub current_count: u64,
    /// Null (and NaN) share of the reference.
    pub reference_null_share: f64,
    /// Null (and NaN) share of the current table.
    pub current_null_share: f64,
    /// `current_null_share − reference_null_share`.
    pub null_share_change: f64,
    /// Categories of the current table absent from the reference, with their current share.
    pub new_categories: Vec<CategoryShare>,
    /// Categories of the reference absent from the current table, with their reference share.
    pub vanished_categories: Vec<CategoryShare>,
    /// Things the reader should know (nulls left out, constant column, infinite values, …).
    pub warnings: Vec<String>,
    /// The counts the histogram methods compared (bins at the reference's deciles, or the
    /// categories; at most [`MAX_HISTOGRAM_BARS`], the rest summed as `(other)`), for charts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram: Option<HistogramCounts>,
}

/// Most bars a column's [`HistogramCounts`] keeps.
pub const MAX_HISTOGRAM_BARS: usize = 30;

/// Reference and current counts over shared bins or categories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistogramCounts {
    /// Bin or category labels.
    pub labels: Vec<String>,
    /// Reference counts.
    pub reference: Vec<u64>,
    /// Current counts.
    pub current: Vec<u64>,
}

impl HistogramCounts {
    pub(crate) fn of(h: &Histogram) -> Option<HistogramCounts> {
        if h.labels.is_empty() {
            return None;
        }
        if h.labels.len() <= MAX_HISTOGRAM_BARS {
            return Some(HistogramCounts {
                labels: h.labels.clone(),
                reference: h.reference.clone(),
                current: h.current.clone(),
            });
        }
        // The most frequent categories (both tables together), the rest as `(other)`.
        let mut order: Vec<usize> = (0..h.labels.len()).collect();
        order.sort_by(|&a, &b| {
            (h.reference[b] + h.current[b])
                .cmp(&(h.reference[a] + h.current[a]))
                .then(h.labels[a].cmp(&h.labels[b]))
        });
        let keep = &order[..MAX_HISTOGRAM_BARS - 1];
        let rest = &order[MAX_HISTOGRAM_BARS - 1..];
        let mut out = HistogramCounts {
            labels: keep.iter().map(|&i| h.labels[i].clone()).collect(),
            reference: keep.iter().map(|&i| h.reference[i]).collect(),
            current: keep.iter().map(|&i| h.current[i]).collect(),
        };
        out.labels.push("(other)".into());
        out.reference
            .push(rest.iter().map(|&i| h.reference[i]).sum());
        out.current.push(rest.iter().map(|&i| h.current[i]).sum());
        Some(out)
    }
}

/// Dataset-level drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetDrift {
    /// Columns assessed.
    pub columns: usize,
    /// Columns that drifted.
    pub drifted_columns: usize,
    /// Their share.
    pub share: f64,
    /// The threshold on the share.
    pub threshold: f64,
    /// Whether the dataset drifted.
    pub drift: bool,
    /// The correction applied to p-values.
    pub correction: Correction,
}

/// The drift report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// fairgauge's version.
    pub tool_version: String,
    /// Reference table.
    pub reference: TableInfo,
    /// Current table.
    pub current: TableInfo,
    /// Per column, in table order.
    pub columns: Vec<ColumnDrift>,
    /// The dataset verdict.
    pub dataset: DatasetDrift,
    /// Columns not assessed, with the reason.
    pub skipped: BTreeMap<String, String>,
    /// Fairness drift, when label and sensitive roles are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fairness: Option<FairnessDrift>,
}

/// A table's path and size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableInfo {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: String,
    /// Rows read.
    pub rows: u64,
}

/// The change of one summary fairness metric between the tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryChange {
    /// Attribute (or intersection).
    pub attribute: String,
    /// Summary metric (Fairlearn's name), e.g. `demographic_parity_difference`.
    pub metric: String,
    /// Its value in the reference.
    pub reference: Option<f64>,
    /// Its value in the current table.
    pub current: Option<f64>,
    /// `current − reference`.
    pub change: Option<f64>,
    /// The two groups (highest, lowest rate) that set the current value.
    pub groups: Option<[String; 2]>,
    /// Wald z statistic of the change of the gap between those two groups.
    pub z: Option<f64>,
    /// Its two-sided p-value.
    pub p_value: Option<f64>,
    /// Whether `p_value` is below 1 − confidence.
    pub significant: bool,
}

/// The change of one group's rate between the tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRateChange {
    /// Attribute (or intersection).
    pub attribute: String,
    /// Group.
    pub group: String,
    /// Rate (`selection_rate`, `tpr`, `fpr`, `base_rate`).
    pub metric: fairgauge_core::fairness::Metric,
    /// Reference value.
    pub reference: Option<f64>,
    /// Current value.
    pub current: Option<f64>,
    /// `current − reference`.
    pub change: Option<f64>,
    /// Newcombe interval of the change.
    pub change_ci: Option<[f64; 2]>,
    /// Two-sided p-value of equal rates (z-test, or Fisher's exact test below 5 expected).
    pub p_value: Option<f64>,
}

/// Fairness drift: how group rates and summary metrics moved between the tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessDrift {
    /// Summary metrics, per attribute.
    pub summaries: Vec<SummaryChange>,
    /// Group rates.
    pub groups: Vec<GroupRateChange>,
}

/// Counts of the two samples over shared categories (or bins), in a fixed order.
#[derive(Debug, Default)]
pub(crate) struct Histogram {
    pub(crate) labels: Vec<String>,
    pub(crate) reference: Vec<u64>,
    pub(crate) current: Vec<u64>,
}
