//! Finishing a [`RegressionState`]: per group the mean label, mean prediction, mean error
//! (bias), MAE, RMSE and R²; the distribution of its predictions against the reference group's
//! (Kolmogorov–Smirnov and normed Wasserstein-1); disparities against the reference (Welch for
//! means, ratios for errors); per attribute the between-group summaries and the bounded group
//! loss; with a threshold, the binary report of "at or above the threshold".
//!
//! Definitions (checked against scikit-learn 1.x, scipy and Fairlearn 0.15):
//! - error `e = ŷ − y`; mean error (bias) `Σe / n`; MAE `Σ|e| / n`; RMSE `√(Σe² / n)`;
//!   R² `1 − Σe² / Σ(y − ȳ)²`, and when the labels are constant 1 if every prediction is exact,
//!   else 0 (scikit-learn's `r2_score` with its default `force_finite=True`);
//! - KS: `scipy.stats.ks_2samp(reference predictions, group predictions)`; normed Wasserstein:
//!   `scipy.stats.wasserstein_distance` divided by the reference predictions' population
//!   standard deviation (undefined when it is 0);
//! - a disparity of a mean (label, prediction, error) is `group − reference` with Welch's
//!   t-test and its interval `d ± t_{df, (1+c)/2} · se`; of MAE and RMSE also `group / reference`;
//! - summaries over the groups with at least `min_group_size` rows: `<metric>_difference`
//!   `max − min` and `<metric>_ratio` `min / max` (Fairlearn's `MetricFrame(...).difference()` /
//!   `.ratio()`, between groups), ratios for MAE, RMSE and the means of label and prediction
//!   (undefined when the largest value is not above 0); `bounded_group_loss_mae` /
//!   `bounded_group_loss_rmse`, the largest group's MAE / RMSE (Agarwal, Dudík & Wu 2019);
//! - the reference group is the largest group, or a named one (`best` / `worst` choose per
//!   metric in the binary task and are refused here).

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::bootstrap::resample_cells;
use super::state::{RegressionCell, RegressionState};
use crate::drift::numeric::{
    ks_2samp_presorted, normed, population_sd, wasserstein_presorted, welch,
};
use crate::drift::radix::radix_sort_f64;
use crate::drift::sample::TestOutcome;
use crate::error::{Error, Result};
use crate::fairness::bootstrap::{Bootstrap, BootstrapInterval};
use crate::fairness::reference::{check_named_reference, choose_reference};
use crate::fairness::report::{
    attribute_sets, group_name, FairnessOptions, FairnessReport, RowCounts,
};
use crate::fairness::state::{Cell, FairnessState, GroupKey};
use crate::fairness::summary::{difference, ratio};

/// The regression metrics of a group, by name.
pub const REGRESSION_METRICS: [&str; 6] = [
    "mean_label",
    "mean_prediction",
    "mean_error",
    "mae",
    "rmse",
    "r2",
];

/// Metrics of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionGroup {
    /// Attribute name, or `a&b` for an intersection.
    pub attribute: String,
    /// Group name (`<null>` for a null value).
    pub group: String,
    /// The group's value of each attribute.
    pub levels: BTreeMap<String, String>,
    /// Rows in the group.
    pub count: u64,
    /// Share of all counted rows.
    pub share: f64,
    /// Fewer rows than `min_group_size`.
    pub insufficient_data: bool,
    /// Whether this is the attribute's reference group.
    pub reference: bool,
    /// `mean_label`, `mean_prediction`, `mean_error`, `mae`, `rmse`, `r2`.
    #[serde(flatten)]
    pub metrics: BTreeMap<String, f64>,
    /// KS statistic of the group's predictions against the reference group's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ks_statistic: Option<f64>,
    /// Its p-value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ks_p_value: Option<f64>,
    /// Wasserstein-1 distance to the reference group's predictions over their standard
    /// deviation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wasserstein_normed: Option<f64>,
    /// Why a comparison is undefined.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub undefined: BTreeMap<String, String>,
}

/// One group's metric against its reference group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionDisparity {
    /// Attribute (or intersection).
    pub attribute: String,
    /// The metric compared.
    pub metric: String,
    /// The group.
    pub group: String,
    /// Its reference group.
    pub reference: String,
    /// The group has fewer rows than `min_group_size`.
    pub insufficient_data: bool,
    /// The group's value.
    pub value: f64,
    /// The reference group's value.
    pub reference_value: f64,
    /// `value − reference_value`.
    pub difference: f64,
    /// `value / reference_value` (MAE and RMSE; `null` when the reference's is 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    /// Welch's interval of the difference (means).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference_ci: Option<[f64; 2]>,
    /// Welch's two-sided p-value (means).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// Why the test is undefined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undefined: Option<String>,
}

/// Summary of one attribute (or intersection).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionSummary {
    /// Attribute name.
    pub attribute: String,
    /// The reference group.
    pub reference_group: String,
    /// How it was chosen: `majority` or `named`.
    pub reference_rule: String,
    /// Number of groups.
    pub groups: usize,
    /// Groups left out of the summaries for having fewer than `min_group_size` rows.
    pub insufficient_groups: Vec<String>,
    /// `<metric>_difference`, `<metric>_ratio`, `bounded_group_loss_mae` / `_rmse`; `null` when
    /// undefined.
    #[serde(flatten)]
    pub metrics: BTreeMap<String, Option<f64>>,
    /// Why a summary is undefined.
    pub undefined: BTreeMap<String, String>,
    /// Percentile bootstrap intervals of the summaries, when asked for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub intervals: BTreeMap<String, BootstrapInterval>,
}

/// The result of a regression fairness assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionReport {
    /// `regression`.
    pub task: String,
    /// Row accounting.
    pub rows: RowCounts,
    /// Sensitive attributes.
    pub attributes: Vec<String>,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Minimum group size.
    pub min_group_size: u64,
    /// Metrics per group, per attribute and intersection.
    pub groups: Vec<RegressionGroup>,
    /// Disparities against the reference group.
    pub disparities: Vec<RegressionDisparity>,
    /// Summary per attribute and intersection.
    pub summary: BTreeMap<String, RegressionSummary>,
    /// The bootstrap behind the summaries' `intervals`, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<Bootstrap>,
    /// The threshold, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// With a threshold: the binary report of `y ≥ T` against `ŷ ≥ T` (selection rate and every
    /// binary rate, disparities and summaries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_threshold: Option<Box<FairnessReport>>,
}

impl RegressionCell {
    /// The group's metrics, for tests of other modules.
    #[cfg(test)]
    pub(super) fn metrics_for_test(&self) -> BTreeMap<String, f64> {
        self.metrics()
    }

    /// The group's metrics (the definitions above).
    fn metrics(&self) -> BTreeMap<String, f64> {
        metric_values(&MetricSums {
            n: self.n() as f64,
            mean_label: self.label.mean,
            label_m2: self.label.m2,
            mean_prediction: self.prediction.mean,
            mean_error: self.error.mean,
            abs_error: self.abs_error,
            sq_error: self.sq_error,
        })
    }
}

/// What a group's metrics are computed from: its size (or total weight), the label's mean and
/// centred sum of squares, the means of prediction and error, and the sums of `|e|` and `e²`.
pub(super) struct MetricSums {
    pub n: f64,
    pub mean_label: f64,
    pub label_m2: f64,
    pub mean_prediction: f64,
    pub mean_error: f64,
    pub abs_error: f64,
    pub sq_error: f64,
}

/// A group's metrics (the definitions above), from its sums.
pub(super) fn metric_values(s: &MetricSums) -> BTreeMap<String, f64> {
    let r2 = if s.label_m2 > 0.0 {
        1.0 - s.sq_error / s.label_m2
    } else if s.sq_error == 0.0 {
        1.0
    } else {
        0.0
    };
    [
        ("mean_label", s.mean_label),
        ("mean_prediction", s.mean_prediction),
        ("mean_error", s.mean_error),
        ("mae", s.abs_error / s.n),
        ("rmse", (s.sq_error / s.n).sqrt()),
        ("r2", r2),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// One attribute set's groups as finishing sees them.
struct Groups {
    name: String,
    /// The attributes of the set, in key order.
    attributes: Vec<String>,
    names: Vec<String>,
    keys: Vec<GroupKey>,
    cells: Vec<RegressionCell>,
    eligible: Vec<bool>,
    reference: usize,
    rule: &'static str,
}

impl RegressionState {
    /// Computes the report.
    pub fn finish(&self, opts: &FairnessOptions) -> Result<RegressionReport> {
        let used = self.rows_used();
        if used == 0 {
            return Err(Error::NoData(format!(
                "{} rows read, {} with a null label, {} with a null prediction",
                self.rows_seen, self.excluded_null_label, self.excluded_null_prediction
            )));
        }
        if let Some(b) = &opts.bootstrap {
            b.check()?;
            if !self.keep_labels {
                return Err(Error::InvalidArgument(
                    "the bootstrap resamples rows, and this state was counted without keeping the labels: count it with keep_labels (the bootstrap asked for)".into(),
                ));
            }
        }
        // The confidence level is checked as the binary report checks it.
        crate::stats::z_critical(opts.confidence)?;
        if !opts.expected_shares.is_empty() {
            return Err(Error::InvalidArgument(
                "expected shares (representation) are checked by the binary and multiclass tasks, not regression".into(),
            ));
        }
        let groups: Vec<String> = (0..self.attributes.len())
            .flat_map(|i| self.marginal(&[i]).into_keys().map(|k| group_name(&k)))
            .collect();
        check_named_reference(&self.attributes, &groups, opts)?;
        let mut report = RegressionReport {
            task: "regression".into(),
            rows: RowCounts {
                seen: self.rows_seen,
                used,
                excluded_null_label: self.excluded_null_label,
                excluded_null_prediction: self.excluded_null_prediction,
                excluded_null_score: 0,
            },
            attributes: self.attributes.clone(),
            confidence: opts.confidence,
            min_group_size: opts.min_group_size,
            groups: vec![],
            disparities: vec![],
            summary: BTreeMap::new(),
            bootstrap: opts.bootstrap,
            threshold: self.threshold,
            above_threshold: None,
        };
        // The bootstrap's replicates of every cell, drawn from the unsorted state.
        let replicated = opts
            .bootstrap
            .as_ref()
            .map(|b| resample_cells(&self.cells, b));
        // Each cell's predictions sorted once (in parallel); a group's are then merged from
        // its cells' sorted runs.
        let mut sorted: Vec<(GroupKey, RegressionCell)> = self
            .cells
            .iter()
            .map(|(k, c)| (k.clone(), c.clone()))
            .collect();
        sorted
            .par_iter_mut()
            .for_each(|(_, c)| radix_sort_f64(&mut c.predictions));
        for set in attribute_sets(self.attributes.len(), opts.intersect) {
            let g = self.groups_of(&sorted, &set, opts)?;
            self.push_groups(&g, used, &mut report);
            push_disparities(&g, opts.confidence, &mut report);
            let mut summary = summarise(&g, opts);
            if let Some(r) = &replicated {
                summary.intervals = r.intervals(&g.keys, &g.eligible, &set, opts);
            }
            report.summary.insert(g.name.clone(), summary);
        }
        if self.threshold.is_some() {
            report.above_threshold = Some(Box::new(self.thresholded().finish(opts)?));
        }
        Ok(report)
    }

    /// The binary state of `y ≥ T` against `ŷ ≥ T`.
    fn thresholded(&self) -> FairnessState {
        let mut s = FairnessState::new(self.attributes.clone(), true, false);
        s.rows_seen = self.rows_seen;
        s.excluded_null_label = self.excluded_null_label;
        s.excluded_null_prediction = self.excluded_null_prediction;
        s.cells = self
            .cells
            .iter()
            .map(|(k, c)| {
                let cell = Cell {
                    confusion: c.above.unwrap_or_default(),
                    scores: None,
                    weights: None,
                };
                (k.clone(), cell)
            })
            .collect();
        s
    }

    /// The groups of one attribute set (from the cells with sorted predictions) and its
    /// reference group.
    fn groups_of(
        &self,
        sorted: &[(GroupKey, RegressionCell)],
        set: &[usize],
        opts: &FairnessOptions,
    ) -> Result<Groups> {
        let name = set
            .iter()
            .map(|&i| self.attributes[i].as_str())
            .collect::<Vec<_>>()
            .join("&");
        let marg = sorted_marginal(sorted, set);
        if marg.len() < 2 {
            return Err(Error::OneGroup {
                attribute: name,
                group: marg.keys().next().map(group_name).unwrap_or_default(),
            });
        }
        let (keys, cells): (Vec<GroupKey>, Vec<RegressionCell>) = marg.into_iter().unzip();
        let names: Vec<String> = keys.iter().map(group_name).collect();
        let eligible: Vec<bool> = cells.iter().map(|c| c.n() >= opts.min_group_size).collect();
        let sizes: Vec<u64> = cells.iter().map(RegressionCell::n).collect();
        let (reference, rule) =
            choose_reference(&name, &names, &sizes, &eligible, opts, "regression")?;
        Ok(Groups {
            name,
            attributes: set.iter().map(|&i| self.attributes[i].clone()).collect(),
            names,
            keys,
            cells,
            eligible,
            reference,
            rule,
        })
    }

    fn push_groups(&self, g: &Groups, used: u64, report: &mut RegressionReport) {
        let reference = &g.cells[g.reference];
        let sd = population_sd(&reference.predictions);
        // Each group's predictions against the reference's, in parallel (the predictions are
        // sorted and finite by construction).
        let compared: Vec<Option<(TestOutcome, f64)>> = g
            .cells
            .par_iter()
            .enumerate()
            .map(|(i, c)| {
                (i != g.reference).then(|| {
                    let ks = ks_2samp_presorted(&reference.predictions, &c.predictions);
                    (
                        ks,
                        wasserstein_presorted(&reference.predictions, &c.predictions),
                    )
                })
            })
            .collect();
        for (i, cell) in g.cells.iter().enumerate() {
            let mut undefined = BTreeMap::new();
            let (mut ks_statistic, mut ks_p_value, mut wasserstein) = (None, None, None);
            if let Some((ks, w)) = &compared[i] {
                ks_statistic = Some(ks.statistic);
                ks_p_value = ks.p_value;
                wasserstein = normed(*w, sd);
                if wasserstein.is_none() {
                    undefined.insert(
                        "wasserstein_normed".to_string(),
                        "the reference group's predictions are constant".to_string(),
                    );
                }
            }
            let levels = g.keys[i]
                .iter()
                .zip(&g.attributes)
                .map(|(v, a)| {
                    (
                        a.to_string(),
                        v.clone()
                            .unwrap_or_else(|| crate::fairness::NULL_GROUP.into()),
                    )
                })
                .collect();
            report.groups.push(RegressionGroup {
                attribute: g.name.clone(),
                group: g.names[i].clone(),
                levels,
                count: cell.n(),
                share: cell.n() as f64 / used as f64,
                insufficient_data: !g.eligible[i],
                reference: i == g.reference,
                metrics: cell.metrics(),
                ks_statistic,
                ks_p_value,
                wasserstein_normed: wasserstein,
                undefined,
            });
        }
    }
}

/// The groups of attribute set `set` from cells whose predictions are sorted: moments and sums
/// added, predictions merged (so each group's stay sorted).
fn sorted_marginal(
    cells: &[(GroupKey, RegressionCell)],
    set: &[usize],
) -> BTreeMap<GroupKey, RegressionCell> {
    let mut parts: BTreeMap<GroupKey, Vec<&RegressionCell>> = BTreeMap::new();
    for (k, c) in cells {
        let sub: GroupKey = set.iter().map(|&i| k[i].clone()).collect();
        parts.entry(sub).or_default().push(c);
    }
    parts
        .into_iter()
        .map(|(key, cs)| {
            let mut out = RegressionCell::default();
            for c in &cs {
                out.label.merge(&c.label);
                out.prediction.merge(&c.prediction);
                out.error.merge(&c.error);
                out.abs_error += c.abs_error;
                out.sq_error += c.sq_error;
                if let Some(a) = &c.above {
                    out.above.get_or_insert_with(Default::default).add(a);
                }
            }
            out.predictions = merge_sorted(cs.iter().map(|c| c.predictions.as_slice()).collect());
            (key, out)
        })
        .collect()
}

/// Sorted runs merged into one sorted vector, pairwise (`O(n log k)` for `k` runs).
fn merge_sorted(mut runs: Vec<&[f64]>) -> Vec<f64> {
    let mut owned: Vec<Vec<f64>> = Vec::new();
    if runs.len() == 1 {
        return runs[0].to_vec();
    }
    while runs.len() + owned.len() > 1 {
        let mut next: Vec<Vec<f64>> = Vec::new();
        let all: Vec<&[f64]> = owned
            .iter()
            .map(Vec::as_slice)
            .chain(runs.drain(..))
            .collect();
        for pair in all.chunks(2) {
            next.push(match pair {
                [a, b] => merge_two(a, b),
                [a] => a.to_vec(),
                _ => Vec::new(),
            });
        }
        owned = next;
    }
    owned.pop().unwrap_or_default()
}

fn merge_two(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].total_cmp(&b[j]).is_le() {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The disparities of one attribute set's groups against its reference.
fn push_disparities(g: &Groups, confidence: f64, report: &mut RegressionReport) {
    let r = &g.cells[g.reference];
    let rm = r.metrics();
    for (i, c) in g.cells.iter().enumerate() {
        if i == g.reference {
            continue;
        }
        let m = c.metrics();
        for metric in ["mean_label", "mean_prediction", "mean_error", "mae", "rmse"] {
            let (value, reference_value) = (m[metric], rm[metric]);
            let mut d = RegressionDisparity {
                attribute: g.name.clone(),
                metric: metric.to_string(),
                group: g.names[i].clone(),
                reference: g.names[g.reference].clone(),
                insufficient_data: !g.eligible[i],
                value,
                reference_value,
                difference: value - reference_value,
                ratio: None,
                difference_ci: None,
                p_value: None,
                undefined: None,
            };
            let moments = match metric {
                "mean_label" => Some((c.label, r.label)),
                "mean_prediction" => Some((c.prediction, r.prediction)),
                "mean_error" => Some((c.error, r.error)),
                _ => {
                    d.ratio = (reference_value > 0.0).then(|| value / reference_value);
                    None
                }
            };
            if let Some((a, b)) = moments {
                let sample = |x: crate::stats::moments::Moments| {
                    [x.n as f64, x.mean, x.variance().unwrap_or(f64::NAN)]
                };
                let quantile = |w: &crate::drift::numeric::Welch| {
                    StudentsT::new(0.0, 1.0, w.df)
                        .ok()
                        .map(|t| t.inverse_cdf((1.0 + confidence) / 2.0))
                        .filter(|t| t.is_finite() && w.se.is_finite())
                };
                match welch(sample(a), sample(b)) {
                    Ok(w) => match quantile(&w) {
                        Some(t) => {
                            d.difference_ci =
                                Some([d.difference - t * w.se, d.difference + t * w.se]);
                            d.p_value = Some(w.p_value);
                        }
                        None => {
                            d.undefined = Some(format!(
                                "Welch's test is undefined here (degrees of freedom {}, standard error {})",
                                w.df, w.se
                            ))
                        }
                    },
                    Err(e) => d.undefined = Some(e.to_string()),
                }
            }
            report.disparities.push(d);
        }
    }
}

/// The between-group summaries and the bounded group loss of one attribute set.
fn summarise(g: &Groups, opts: &FairnessOptions) -> RegressionSummary {
    let eligible: Vec<BTreeMap<String, f64>> = g
        .cells
        .iter()
        .zip(&g.eligible)
        .filter(|(_, e)| **e)
        .map(|(c, _)| c.metrics())
        .collect();
    let mut out = RegressionSummary {
        attribute: g.name.clone(),
        reference_group: g.names[g.reference].clone(),
        reference_rule: g.rule.to_string(),
        groups: g.cells.len(),
        insufficient_groups: (0..g.cells.len())
            .filter(|&i| !g.eligible[i])
            .map(|i| g.names[i].clone())
            .collect(),
        metrics: BTreeMap::new(),
        undefined: BTreeMap::new(),
        intervals: BTreeMap::new(),
    };
    for (key, v) in summary_values(&eligible, opts.min_group_size) {
        match v {
            Ok(x) => {
                out.metrics.insert(key, Some(x));
            }
            Err(e) => {
                out.metrics.insert(key.clone(), None);
                out.undefined.insert(key, e);
            }
        }
    }
    out
}

/// The summaries over the eligible groups' metrics (the definitions above): one place for the
/// report and for each bootstrap replicate.
pub(super) fn summary_values(
    eligible: &[BTreeMap<String, f64>],
    min_group_size: u64,
) -> Vec<(String, std::result::Result<f64, String>)> {
    let mut out = Vec::new();
    for metric in REGRESSION_METRICS {
        let values: Vec<f64> = eligible.iter().map(|m| m[metric]).collect();
        out.push((
            format!("{metric}_difference"),
            difference(metric, &values, min_group_size),
        ));
        if matches!(metric, "mae" | "rmse" | "mean_label" | "mean_prediction") {
            out.push((
                format!("{metric}_ratio"),
                ratio(metric, &values, min_group_size),
            ));
        }
        if matches!(metric, "mae" | "rmse") {
            let worst = if values.is_empty() {
                Err(format!("no group has at least {min_group_size} rows"))
            } else {
                Ok(values.iter().cloned().fold(f64::NEG_INFINITY, f64::max))
            };
            out.push((format!("bounded_group_loss_{metric}"), worst));
        }
    }
    out
}
