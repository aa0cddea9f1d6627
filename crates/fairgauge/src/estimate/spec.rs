//! What an estimate is asked (the roles, the calibration allowed) and what it answers: per group
//! the calibration check, the expected confusion matrix and the estimated metrics with their
//! intervals, and per attribute the fairness summaries built on them.

use crate::fairness::spec::InputInfo;
use fairgauge_core::estimate::calibration::{Allowed, CalibrationCheck, ReliabilityBin};
use fairgauge_core::estimate::cbpe::{EstimatedMetrics, ExpectedConfusion};
use serde::{Deserialize, Serialize};

/// Which columns play which role, on the reference and on the unlabelled data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateSpec {
    /// The model's probability of the positive label.
    pub score: String,
    /// The model's decision; without it, a score at or above `threshold` is positive.
    pub prediction: Option<String>,
    /// The decision threshold when there is no prediction column (default 0.5).
    pub threshold: f64,
    /// The true label, read on the reference only.
    pub label: String,
    /// Sensitive attributes.
    pub sensitive: Vec<String>,
    /// The positive label value; by default one of `1`, `true`, `yes`, `y`, `t`, `positive`.
    pub positive_label: Option<String>,
    /// Which calibrations may be applied (default: whichever calibrates best out of fold).
    pub calibration: Allowed,
    /// Confidence level of the intervals (default 0.95).
    pub confidence: f64,
    /// Groups with fewer reference or unlabelled rows are `insufficient_data` and left out of
    /// the summaries (default 30).
    pub min_group_size: u64,
    /// With `every`: estimate each time window of the data too (its rows by this column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The windows' width: `day`, `week`, `month`, `quarter` or a number of rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<String>,
}

impl EstimateSpec {
    /// The spec with the defaults: threshold 0.5, automatic calibration, 95 % intervals.
    pub fn new(score: &str, label: &str, sensitive: &[String]) -> EstimateSpec {
        EstimateSpec {
            score: score.to_string(),
            prediction: None,
            threshold: 0.5,
            label: label.to_string(),
            sensitive: sensitive.to_vec(),
            positive_label: None,
            calibration: Allowed::Auto,
            confidence: 0.95,
            min_group_size: 30,
            time: None,
            every: None,
        }
    }
}

/// The estimates of one group (or of all rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupEntry {
    /// The group's name (`all` for every row).
    pub group: String,
    /// Unlabelled rows estimated.
    pub rows: u64,
    /// Labelled reference rows of the group.
    pub reference_rows: u64,
    /// Share of positive decisions (observed).
    pub selection_rate: Option<f64>,
    /// The calibration check on the reference and the calibration applied.
    pub calibration: CalibrationCheck,
    /// The reference's reliability table of the raw scores (10 equal-width bins).
    pub reliability: Vec<ReliabilityBin>,
    /// The expected confusion matrix.
    pub expected_confusion: Option<ExpectedConfusion>,
    /// The estimated metrics with their intervals; all `null` without rows.
    pub estimated: EstimatedMetrics,
    /// `insufficient_data` when the group has fewer reference or unlabelled rows than the
    /// minimum, else `ok`.
    pub status: String,
}

/// A between-groups summary: the largest minus the smallest group estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryEntry {
    /// `equal_opportunity_difference` (TPR), `equalized_odds_difference` (the larger of the
    /// TPR and FPR differences), `predictive_parity_difference` (PPV).
    pub summary: String,
    /// The difference.
    pub value: f64,
    /// Its interval, from the two groups' standard errors (independent rows).
    pub lower: f64,
    /// Its interval's upper end.
    pub upper: f64,
    /// The metric that gives it.
    pub metric: String,
    /// The group with the largest estimate.
    pub highest: String,
    /// The group with the smallest estimate.
    pub lowest: String,
}

/// One sensitive attribute's groups and summaries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeEntry {
    /// The attribute.
    pub attribute: String,
    /// Its groups, in name order.
    pub groups: Vec<GroupEntry>,
    /// The fairness summaries over the groups with enough data.
    pub summaries: Vec<SummaryEntry>,
    /// Unlabelled rows without a value of this attribute (left out of its groups).
    pub rows_without_group: u64,
}

/// The roles as resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateRoles {
    /// The score column.
    pub score: String,
    /// The prediction column, if any.
    pub prediction: Option<String>,
    /// The threshold, when decisions come from the score.
    pub threshold: Option<f64>,
    /// The reference's label column.
    pub label: String,
    /// The positive label.
    pub positive_label: String,
    /// Sensitive attributes.
    pub sensitive: Vec<String>,
    /// The time column, when the data was also estimated per window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The windows' width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<String>,
}

/// One time window's estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateWindow {
    /// Its first day (RFC 3339 date).
    pub start: String,
    /// The first day after a calendar window; for an `N`-row window, its last row's day.
    pub end: String,
    /// Rows in the window.
    pub rows: u64,
    /// All its rows.
    pub overall: GroupEntry,
    /// Per sensitive attribute.
    pub attributes: Vec<AttributeEntry>,
}

/// Rows read and left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateRows {
    /// Unlabelled rows read.
    pub analysis: u64,
    /// Unlabelled rows left out for a missing score or decision.
    pub analysis_excluded: u64,
    /// Reference rows read.
    pub reference: u64,
    /// Reference rows left out for a missing score, decision or label.
    pub reference_excluded: u64,
}

/// A label-free estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateOutput {
    /// fairgauge's version.
    pub tool_version: String,
    /// The unlabelled data.
    pub input: InputInfo,
    /// The labelled reference.
    pub reference: InputInfo,
    /// The roles.
    pub roles: EstimateRoles,
    /// Rows read and left out.
    pub rows: EstimateRows,
    /// The calibration allowed (`auto`, `isotonic`, `none`).
    pub calibration: Allowed,
    /// Groups with fewer rows (reference or unlabelled) are `insufficient_data`.
    pub min_group_size: u64,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Every estimated value is an estimate, not a measurement.
    pub estimated: bool,
    /// The method and what its intervals cover, in words.
    pub method: String,
    /// All rows.
    pub overall: GroupEntry,
    /// Per sensitive attribute.
    pub attributes: Vec<AttributeEntry>,
    /// Per time window, in time order (with `--time` and `--every`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<EstimateWindow>,
}
