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
use super::metrics::{metric_values, summary_values, MetricSums};
use super::state::{RegressionCell, RegressionState};
use crate::drift::numeric::{ks_and_wasserstein_presorted, normed, population_sd, welch};
use crate::drift::radix::radix_sort_f64;
use crate::drift::sample::TestOutcome;
use crate::drift::weighted::{ks_2samp_weighted_presorted, wasserstein_weighted_presorted};
use crate::error::{Error, Result};
use crate::fairness::bootstrap::{Bootstrap, BootstrapInterval};
use crate::fairness::reference::{check_named_reference, choose_reference};
use crate::fairness::report::{
    attribute_sets, group_name, FairnessOptions, FairnessReport, RowCounts, WeightsUsed,
};
use crate::fairness::state::{Cell, FairnessState, GroupKey};
use crate::stats::moments::{Moments, WeightedMoments};

pub use super::metrics::REGRESSION_METRICS;

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
    /// With sample weights: the group's total weight and Kish's effective size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted: Option<WeightsUsed>,
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
    /// With sample weights: their total and effective size over the rows counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<WeightsUsed>,
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

    /// The group's metrics (the definitions above): weighted when the rows carry sample
    /// weights, none when their weights are all 0.
    fn metrics(&self) -> BTreeMap<String, f64> {
        if let Some(w) = &self.weighted {
            if w.label.w == 0.0 {
                return BTreeMap::new();
            }
            return metric_values(&MetricSums {
                n: w.label.w,
                mean_label: w.label.mean,
                label_m2: w.label.m2,
                mean_prediction: w.prediction.mean,
                mean_error: w.error.mean,
                abs_error: w.abs_error,
                sq_error: w.sq_error,
            });
        }
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
                excluded_no_membership: 0,
            },
            attributes: self.attributes.clone(),
            confidence: opts.confidence,
            min_group_size: opts.min_group_size,
            groups: vec![],
            disparities: vec![],
            summary: BTreeMap::new(),
            bootstrap: opts.bootstrap,
            weights: None,
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
        sorted.par_iter_mut().for_each(|(_, c)| {
            if c.weighted.is_some() {
                let mut pairs = c.weighted_predictions();
                pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
                (c.predictions, c.weights) = pairs.into_iter().unzip();
            } else {
                radix_sort_f64(&mut c.predictions);
            }
        });
        // Shares are of the rows counted, or of their weight.
        let total = self.total_weight();
        if total.is_some_and(|w| w.total == 0.0) {
            return Err(Error::NoData(format!(
                "every sample weight of the {used} rows counted is 0: there is nothing to weigh"
            )));
        }
        report.weights = total;
        let used_share = total.map_or(used as f64, |w| w.total);
        for set in attribute_sets(self.attributes.len(), opts.intersect) {
            let g = self.groups_of(&sorted, &set, opts)?;
            self.push_groups(&g, used_share, &mut report);
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

    /// With sample weights: their total and effective size over the rows counted.
    fn total_weight(&self) -> Option<WeightsUsed> {
        self.has_weights.then(|| {
            let mut all = crate::stats::moments::WeightedMoments::default();
            for c in self.cells.values() {
                if let Some(w) = &c.weighted {
                    all.merge(&w.label);
                }
            }
            WeightsUsed {
                total: all.w,
                effective_n: all.effective_n(),
            }
        })
    }

    /// The binary state of `y ≥ T` against `ŷ ≥ T` (weighted with the rows' weights).
    fn thresholded(&self) -> FairnessState {
        let mut s = FairnessState::new(self.attributes.clone(), true, false);
        if self.has_weights {
            s = s.weighted();
        }
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
                    weights: self
                        .has_weights
                        .then(|| c.above_weights.unwrap_or_default()),
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
        // A weighted group needs some weight; the reference is the group with the most weight.
        let eligible: Vec<bool> = cells
            .iter()
            .map(|c| c.n() >= opts.min_group_size && c.weight().is_none_or(|w| w.total > 0.0))
            .collect();
        let sizes: Vec<f64> = cells
            .iter()
            .map(|c| c.weight().map_or(c.n() as f64, |w| w.total))
            .collect();
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

    fn push_groups(&self, g: &Groups, used: f64, report: &mut RegressionReport) {
        let compared = compare_distributions(g);
        for (i, cell) in g.cells.iter().enumerate() {
            let mut undefined = BTreeMap::new();
            let (mut ks_statistic, mut ks_p_value, mut wasserstein) = (None, None, None);
            match &compared[i] {
                Some(Some((ks, w))) => {
                    ks_statistic = Some(ks.statistic);
                    ks_p_value = ks.p_value;
                    wasserstein = *w;
                    if wasserstein.is_none() {
                        undefined.insert(
                            "wasserstein_normed".to_string(),
                            "the reference group's predictions are constant".to_string(),
                        );
                    }
                }
                Some(None) => {
                    undefined.insert(
                        "ks_statistic".to_string(),
                        "the group or its reference has no weight".to_string(),
                    );
                }
                None => {}
            }
            if cell.weight().is_some_and(|w| w.total == 0.0) {
                undefined.insert(
                    "metrics".to_string(),
                    "every sample weight of the group is 0".to_string(),
                );
            }
            let weight = cell.weight();
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
                share: weight.map_or(cell.n() as f64, |w| w.total) / used,
                insufficient_data: !g.eligible[i],
                reference: i == g.reference,
                metrics: cell.metrics(),
                ks_statistic,
                ks_p_value,
                wasserstein_normed: wasserstein,
                weighted: weight,
                undefined,
            });
        }
    }
}

/// Each group's predictions against the reference group's, in parallel: the KS test and the
/// Wasserstein distance over the reference's standard deviation (weighted with sample weights,
/// [`crate::drift::weighted`]); `None` for the reference itself, `Some(None)` when a side has no
/// weight. The predictions are sorted and finite by construction.
#[allow(clippy::type_complexity)]
fn compare_distributions(g: &Groups) -> Vec<Option<Option<(TestOutcome, Option<f64>)>>> {
    let reference = &g.cells[g.reference];
    match &reference.weighted {
        None => {
            let sd = population_sd(&reference.predictions);
            g.cells
                .par_iter()
                .enumerate()
                .map(|(i, c)| {
                    (i != g.reference).then(|| {
                        let (ks, w) =
                            ks_and_wasserstein_presorted(&reference.predictions, &c.predictions);
                        Some((ks, normed(w, sd)))
                    })
                })
                .collect()
        }
        Some(rw) => {
            // The weighted population standard deviation of the reference's predictions.
            let sd = if rw.prediction.w > 0.0 {
                (rw.prediction.m2 / rw.prediction.w).max(0.0).sqrt()
            } else {
                0.0
            };
            let r = reference.weighted_predictions();
            g.cells
                .par_iter()
                .enumerate()
                .map(|(i, c)| {
                    (i != g.reference).then(|| {
                        let cur = c.weighted_predictions();
                        let ks = ks_2samp_weighted_presorted(&r, &cur)?;
                        let w = wasserstein_weighted_presorted(&r, &cur)?;
                        Some((ks, normed(w, sd)))
                    })
                })
                .collect()
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
                if let Some(a) = &c.above_weights {
                    out.above_weights
                        .get_or_insert_with(Default::default)
                        .add(a);
                }
                if let Some(w) = &c.weighted {
                    out.weighted.get_or_insert_with(Default::default).add(w);
                }
            }
            if out.weighted.is_some() {
                // With weights, each prediction keeps its weight: merged as pairs.
                let runs: Vec<Vec<(f64, f64)>> =
                    cs.iter().map(|c| c.weighted_predictions()).collect();
                let merged = merge_sorted(runs.iter().map(Vec::as_slice).collect(), |x| x.0);
                (out.predictions, out.weights) = merged.into_iter().unzip();
            } else {
                let runs = cs.iter().map(|c| c.predictions.as_slice()).collect();
                out.predictions = merge_sorted(runs, |x| *x);
            }
            (key, out)
        })
        .collect()
}

/// Runs sorted by `key` merged into one sorted vector, pairwise (`O(n log k)` for `k` runs).
fn merge_sorted<T: Copy, K: Fn(&T) -> f64 + Copy>(mut runs: Vec<&[T]>, key: K) -> Vec<T> {
    let mut owned: Vec<Vec<T>> = Vec::new();
    if runs.len() == 1 {
        return runs[0].to_vec();
    }
    while runs.len() + owned.len() > 1 {
        let mut next: Vec<Vec<T>> = Vec::new();
        let all: Vec<&[T]> = owned
            .iter()
            .map(Vec::as_slice)
            .chain(runs.drain(..))
            .collect();
        for pair in all.chunks(2) {
            next.push(match pair {
                [a, b] => merge_two(a, b, key),
                [a] => a.to_vec(),
                _ => Vec::new(),
            });
        }
        owned = next;
    }
    owned.pop().unwrap_or_default()
}

fn merge_two<T: Copy>(a: &[T], b: &[T], key: impl Fn(&T) -> f64) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if key(&a[i]).total_cmp(&key(&b[j])).is_le() {
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
            // A group (or reference) whose weights are all 0 has no metrics to compare.
            let (Some(&value), Some(&reference_value)) = (m.get(metric), rm.get(metric)) else {
                continue;
            };
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
            let moments = c.welch_sample(metric).zip(r.welch_sample(metric));
            if moments.is_none() {
                d.ratio = (reference_value > 0.0).then(|| value / reference_value);
            }
            if let Some((a, b)) = moments {
                let quantile = |w: &crate::drift::numeric::Welch| {
                    StudentsT::new(0.0, 1.0, w.df)
                        .ok()
                        .map(|t| t.inverse_cdf((1.0 + confidence) / 2.0))
                        .filter(|t| t.is_finite() && w.se.is_finite())
                };
                match welch(a, b) {
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

impl RegressionCell {
    /// With sample weights: the cell's total weight and Kish's effective size.
    fn weight(&self) -> Option<WeightsUsed> {
        self.weighted.map(|w| WeightsUsed {
            total: w.label.w,
            effective_n: w.label.effective_n(),
        })
    }

    /// The moments Welch's test takes for a mean (`n`, mean, variance): with sample weights
    /// Kish's effective size and the weighted variance at it.
    fn welch_sample(&self, metric: &str) -> Option<[f64; 3]> {
        let unweighted = |x: Moments| [x.n as f64, x.mean, x.variance().unwrap_or(f64::NAN)];
        let weighted =
            |x: WeightedMoments| [x.effective_n(), x.mean, x.variance().unwrap_or(f64::NAN)];
        Some(match (metric, &self.weighted) {
            ("mean_label", None) => unweighted(self.label),
            ("mean_prediction", None) => unweighted(self.prediction),
            ("mean_error", None) => unweighted(self.error),
            ("mean_label", Some(w)) => weighted(w.label),
            ("mean_prediction", Some(w)) => weighted(w.prediction),
            ("mean_error", Some(w)) => weighted(w.error),
            _ => return None,
        })
    }

    /// The predictions with their weights (1 without sample weights), in the cell's order.
    fn weighted_predictions(&self) -> Vec<(f64, f64)> {
        if self.weights.len() == self.predictions.len() && self.weighted.is_some() {
            self.predictions
                .iter()
                .copied()
                .zip(self.weights.iter().copied())
                .collect()
        } else {
            self.predictions.iter().map(|&p| (p, 1.0)).collect()
        }
    }
}
