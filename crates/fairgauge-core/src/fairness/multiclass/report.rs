//! Finishing a [`MulticlassState`]: per group the K×K confusion matrix, accuracy, macro and
//! micro averages, and per class the one-vs-rest rates with their intervals; disparities and
//! parity summaries per class, and each summary's worst class.
//!
//! Definitions (each tested against scikit-learn 1.x and Fairlearn 0.15):
//! - classes are the union of the true and predicted values, in scikit-learn's `unique_labels`
//!   order (numeric when every class is a number, else by text);
//! - class `c`'s one-vs-rest confusion of a group is the binary confusion of "true class is `c`"
//!   against "predicted class is `c`"; its selection rate, TPR, FPR and PPV, their Wilson
//!   intervals, disparities and the parity summaries are exactly the binary report's
//!   ([`crate::fairness::report`]) on those counts — Fairlearn's `MetricFrame` on
//!   `y_true == c, y_pred == c`;
//! - accuracy is the diagonal's share; the macro averages are the unweighted means over the
//!   classes present in the group (as a true or predicted value) of per-class precision, recall
//!   and F1, a 0/0 precision or recall counting as 0 (scikit-learn's `average="macro"` with its
//!   default `zero_division`); the micro averages pool the classes (for single-label data all
//!   three equal accuracy);
//! - the worst class of a `*_difference` summary is the class with the largest value, of a
//!   `*_ratio` the class with the smallest (ties: the first class); undefined classes are skipped;
//! - with `--bootstrap`, one multinomial resample of every group's K×K counts per replicate gives
//!   every class's summaries and the worst class's value jointly ([`super::super::bootstrap`]);
//!   with sample weights, every row's Poisson(1) weight per replicate, drawn per cell and (true,
//!   predicted) class from its rows' weights sorted ([`super::super::weighted_bootstrap`]).

use std::collections::BTreeMap;

use chacha20::rand_core::SeedableRng;
use chacha20::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::state::{ClassCell, MulticlassState, PairTable, MAX_CLASSES};
use crate::error::{Error, Result};
use crate::fairness::bootstrap::{multinomial, percentile_interval, BootstrapInterval};
use crate::fairness::report::{
    attribute_sets, Disparity, FairnessOptions, FairnessReport, Representation, RowCounts,
    WeightsUsed,
};
use crate::fairness::state::{Cell, FairnessState, GroupKey};
use crate::fairness::summary::{difference, parity_summaries, ratio};
use crate::fairness::weighted_bootstrap::{resampled_sums, tagged_stream};
use crate::fairness::weights::{kish, WeightSums};
use crate::fairness::{Bootstrap, Confusion, Metric};
use crate::stats::ChiSquareTest;

/// The one-vs-rest rates reported per class.
pub const CLASS_METRICS: [Metric; 4] =
    [Metric::SelectionRate, Metric::Tpr, Metric::Fpr, Metric::Ppv];

/// Precision, recall and F1 averaged over classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Averages {
    /// Precision (PPV).
    pub precision: Option<f64>,
    /// Recall (TPR).
    pub recall: Option<f64>,
    /// F1.
    pub f1: Option<f64>,
}

/// Class `c` in one group: its one-vs-rest rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassRates {
    /// Rows whose true class is `c`.
    pub support: u64,
    /// Rows predicted `c`.
    pub predicted: u64,
    /// `selection_rate`, `tpr`, `fpr`, `ppv`; `null` when undefined (see `undefined`).
    #[serde(flatten)]
    pub metrics: BTreeMap<Metric, Option<f64>>,
    /// Wilson interval of each rate.
    pub ci: BTreeMap<Metric, [f64; 2]>,
    /// Why a rate is undefined.
    pub undefined: BTreeMap<Metric, String>,
}

/// A group's sums of sample weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MulticlassWeights {
    /// Sum of the group's weights.
    pub total: f64,
    /// Kish's effective size of the group's rows.
    pub effective_n: f64,
    /// The weighted confusion matrix, in `classes` order (rows true, columns predicted).
    pub confusion_matrix: Vec<Vec<f64>>,
}

/// Metrics of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MulticlassGroup {
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
    /// Whether this group is the attribute's (fixed) reference group.
    pub reference: bool,
    /// Rows per true class (rows of the matrix) and predicted class (columns), in the report's
    /// `classes` order: scikit-learn's `confusion_matrix(y_true, y_pred, labels=classes)`.
    pub confusion_matrix: Vec<Vec<u64>>,
    /// Share of rows predicted their true class (weighted with sample weights).
    pub accuracy: Option<f64>,
    /// Macro averages over the classes present in the group.
    #[serde(rename = "macro")]
    pub macro_avg: Averages,
    /// Micro averages (pooled over classes).
    #[serde(rename = "micro")]
    pub micro_avg: Averages,
    /// One-vs-rest rates per class.
    pub classes: BTreeMap<String, ClassRates>,
    /// With sample weights: the weighted matrix, total weight and effective size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted: Option<MulticlassWeights>,
}

impl MulticlassGroup {
    /// The confusion matrix as an `ndarray` (rows true class, columns predicted class).
    pub fn confusion(&self) -> ndarray::Array2<u64> {
        let k = self.confusion_matrix.len();
        ndarray::Array2::from_shape_fn((k, k), |(i, j)| self.confusion_matrix[i][j])
    }
}

/// One group's one-vs-rest rate of a class against its reference group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassDisparity {
    /// The class.
    pub class: String,
    /// The disparity, as the binary report defines it.
    #[serde(flatten)]
    pub disparity: Disparity,
}

/// The parity summaries of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassSummary {
    /// `base_rate_*`, `demographic_parity_*`, `equalized_odds_*`, `equal_opportunity_*`
    /// (differences `max − min`, ratios `min / max` over the eligible groups).
    #[serde(flatten)]
    pub metrics: BTreeMap<String, Option<f64>>,
    /// Why a summary is undefined.
    pub undefined: BTreeMap<String, String>,
    /// Percentile bootstrap intervals, when asked for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub intervals: BTreeMap<String, BootstrapInterval>,
}

/// The class where a summary is worst.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorstClass {
    /// The class.
    pub class: String,
    /// Its value of the summary.
    pub value: f64,
    /// Percentile bootstrap interval of the worst value over classes, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<BootstrapInterval>,
}

/// Summary of one attribute (or intersection).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MulticlassSummary {
    /// Attribute name.
    pub attribute: String,
    /// The fixed reference group (`None` with `best` / `worst`).
    pub reference_group: Option<String>,
    /// How the reference was chosen.
    pub reference_rule: String,
    /// Number of groups.
    pub groups: usize,
    /// Groups left out of the summaries for having fewer than `min_group_size` rows.
    pub insufficient_groups: Vec<String>,
    /// `accuracy_difference` and `accuracy_ratio` (between groups); `null` when undefined.
    #[serde(flatten)]
    pub metrics: BTreeMap<String, Option<f64>>,
    /// The parity summaries per class.
    pub classes: BTreeMap<String, ClassSummary>,
    /// Each parity summary's worst class.
    pub worst_class: BTreeMap<String, WorstClass>,
    /// Chi-square goodness of fit of group sizes to the expected shares, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representation_test: Option<ChiSquareTest>,
    /// Why a summary is undefined.
    pub undefined: BTreeMap<String, String>,
}

/// The result of a multiclass fairness assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MulticlassReport {
    /// `multiclass`.
    pub task: String,
    /// The classes, in the order of every confusion matrix.
    pub classes: Vec<String>,
    /// Row accounting.
    pub rows: RowCounts,
    /// Sensitive attributes.
    pub attributes: Vec<String>,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Minimum group size.
    pub min_group_size: u64,
    /// Metrics per group, per attribute and intersection.
    pub groups: Vec<MulticlassGroup>,
    /// Each class's rates against the reference group.
    pub disparities: Vec<ClassDisparity>,
    /// Summary per attribute and intersection.
    pub summary: BTreeMap<String, MulticlassSummary>,
    /// Representation against expected shares (when given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub representation: Vec<Representation>,
    /// With sample weights: their total and effective size over the rows counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<WeightsUsed>,
    /// The bootstrap behind the summaries' intervals, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<Bootstrap>,
    /// What the data did that is allowed but worth knowing (a predicted class never true).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The classes in scikit-learn's order: numerically when every class is a number, else by text.
pub fn class_order(mut classes: Vec<String>) -> Vec<String> {
    let numbers: Option<Vec<f64>> = classes.iter().map(|c| c.parse::<f64>().ok()).collect();
    match numbers {
        Some(x) if x.iter().all(|v| v.is_finite()) => {
            let mut pairs: Vec<(f64, String)> = x.into_iter().zip(classes).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
            pairs.into_iter().map(|(_, c)| c).collect()
        }
        _ => {
            classes.sort();
            classes
        }
    }
}

impl ClassCell {
    /// The amount of rows with true class `l` and prediction `p`: the sum of their weights when
    /// weighted, else their count.
    fn amount(&self, l: &str, p: &str) -> f64 {
        match &self.weights {
            Some(w) => w.get(l).and_then(|r| r.get(p)).map_or(0.0, |s| s[0]),
            None => self
                .counts
                .get(l)
                .and_then(|r| r.get(p))
                .map_or(0.0, |&n| n as f64),
        }
    }

    /// The binary cell of class `c` against the rest: counts (and weight sums) of
    /// `[TP, FP, TN, FN]`.
    pub fn one_vs_rest(&self, c: &str) -> Cell {
        let slot = |l: &str, p: &str| one_vs_rest_slot(l == c, p == c);
        let mut n = [0u64; 4];
        for (l, row) in &self.counts {
            for (p, &k) in row {
                n[slot(l, p)] += k;
            }
        }
        let weights = self.weights.as_ref().map(|w| {
            let mut s = WeightSums::default();
            for (l, row) in w {
                for (p, v) in row {
                    s.sum[slot(l, p)] += v[0];
                    s.sum_sq[slot(l, p)] += v[1];
                }
            }
            s
        });
        Cell {
            confusion: Confusion {
                tp: n[0],
                fp: n[1],
                tn: n[2],
                fn_: n[3],
            },
            scores: None,
            weights,
        }
    }

    /// Accuracy, macro and micro averages over the classes present in the cell.
    fn averages(&self, classes: &[String]) -> (Option<f64>, Averages, Averages) {
        let present: Vec<&String> = classes
            .iter()
            .filter(|c| {
                self.counts.get(*c).is_some_and(|r| !r.is_empty())
                    || self.counts.values().any(|r| r.contains_key(*c))
            })
            .collect();
        let total: f64 = classes
            .iter()
            .flat_map(|l| classes.iter().map(move |p| (l, p)))
            .map(|(l, p)| self.amount(l, p))
            .sum();
        let (mut tp_sum, mut pred_sum, mut true_sum) = (0.0, 0.0, 0.0);
        let (mut p_sum, mut r_sum, mut f_sum) = (0.0, 0.0, 0.0);
        for c in &present {
            let [tp, fp, _, fn_] = self.one_vs_rest(c).amounts();
            tp_sum += tp;
            pred_sum += tp + fp;
            true_sum += tp + fn_;
            p_sum += zero_if_undefined(tp, tp + fp);
            r_sum += zero_if_undefined(tp, tp + fn_);
            f_sum += zero_if_undefined(2.0 * tp, 2.0 * tp + fp + fn_);
        }
        let k = present.len() as f64;
        let defined = |x: f64| (total > 0.0).then_some(x);
        let macro_avg = Averages {
            precision: defined(p_sum / k),
            recall: defined(r_sum / k),
            f1: defined(f_sum / k),
        };
        let micro_p = (pred_sum > 0.0).then(|| tp_sum / pred_sum);
        let micro_r = (true_sum > 0.0).then(|| tp_sum / true_sum);
        let micro_f = (pred_sum + true_sum > 0.0).then(|| 2.0 * tp_sum / (pred_sum + true_sum));
        let micro_avg = Averages {
            precision: micro_p,
            recall: micro_r,
            f1: micro_f,
        };
        (defined(tp_sum / total), macro_avg, micro_avg)
    }
}

/// `x / n`, or 0 when `n` is 0 (scikit-learn's default `zero_division` in averages).
fn zero_if_undefined(x: f64, n: f64) -> f64 {
    if n > 0.0 {
        x / n
    } else {
        0.0
    }
}

impl MulticlassState {
    /// The binary state of class `c` against the rest.
    pub fn one_vs_rest(&self, c: &str) -> FairnessState {
        let mut s = FairnessState::new(self.attributes.clone(), true, false);
        s.has_weights = self.has_weights;
        s.rows_seen = self.rows_seen;
        s.excluded_null_label = self.excluded_null_label;
        s.excluded_null_prediction = self.excluded_null_prediction;
        s.cells = self
            .cells
            .iter()
            .map(|(k, cell)| (k.clone(), cell.one_vs_rest(c)))
            .collect();
        s
    }

    /// The classes of the report, checked: at least two true classes, at most
    /// [`MAX_CLASSES`] in all; a predicted class that is never true is a warning.
    fn classes(&self) -> Result<(Vec<String>, Vec<String>)> {
        let (labels, predicted) = self.classes_seen();
        let mut all: Vec<String> = labels.clone();
        all.extend(predicted.iter().filter(|p| !labels.contains(p)).cloned());
        if all.len() > MAX_CLASSES {
            return Err(Error::InvalidArgument(format!(
                "{} classes in the label and prediction together; the multiclass task supports at most {MAX_CLASSES}",
                all.len()
            )));
        }
        if labels.len() < 2 {
            return Err(Error::InvalidArgument(format!(
                "the label has one class only ({}); multiclass fairness needs at least two",
                labels.first().map(|c| format!("`{c}`")).unwrap_or_default()
            )));
        }
        let warnings = predicted
            .iter()
            .filter(|p| !labels.contains(p))
            .map(|p| {
                let n: u64 = self
                    .cells
                    .values()
                    .flat_map(|c| c.counts.values())
                    .filter_map(|r| r.get(p))
                    .sum();
                format!("class `{p}` is predicted for {n} rows but never occurs as a true label")
            })
            .collect();
        Ok((class_order(all), warnings))
    }

    /// Computes the report.
    pub fn finish(&self, opts: &FairnessOptions) -> Result<MulticlassReport> {
        let used = self.rows_used();
        if used == 0 {
            return Err(Error::NoData(format!(
                "{} rows read, {} with a null label, {} with a null prediction",
                self.rows_seen, self.excluded_null_label, self.excluded_null_prediction
            )));
        }
        if let Some(b) = &opts.bootstrap {
            b.check()?;
            if self.has_weights && !self.keep_weights {
                return Err(Error::InvalidArgument(
                    "the bootstrap with sample weights needs each row's weight: count the state with keeping_weights".into(),
                ));
            }
        }
        let (classes, warnings) = self.classes()?;
        // Every class's binary report; the bootstrap is drawn jointly below instead.
        let binary_opts = FairnessOptions {
            bootstrap: None,
            ..opts.clone()
        };
        let per_class: Vec<FairnessReport> = classes
            .iter()
            .map(|c| self.one_vs_rest(c).finish(&binary_opts))
            .collect::<Result<_>>()?;
        let first = &per_class[0];
        let mut report = MulticlassReport {
            task: "multiclass".into(),
            classes: classes.clone(),
            rows: first.rows.clone(),
            attributes: self.attributes.clone(),
            confidence: opts.confidence,
            min_group_size: opts.min_group_size,
            groups: vec![],
            disparities: vec![],
            summary: BTreeMap::new(),
            representation: first.representation.clone(),
            weights: first.weights,
            bootstrap: opts.bootstrap,
            warnings,
        };
        // Each set's groups in key order: the order of the binary reports' groups, so the i-th
        // cell is the i-th group (by key, not by its shown name, which values can repeat).
        let mut by_set: BTreeMap<String, SetCells> = BTreeMap::new();
        let mut cells: Vec<ClassCell> = vec![];
        // With sample weights the bootstrap draws a weight for every row, once per cell.
        let weighted = match &opts.bootstrap {
            Some(b) if self.has_weights => {
                Some((cell_replicates(&self.kept_weights, &classes, b), b))
            }
            _ => None,
        };
        for set in attribute_sets(self.attributes.len(), opts.intersect) {
            let name = set
                .iter()
                .map(|&i| self.attributes[i].as_str())
                .collect::<Vec<_>>()
                .join("&");
            let marg = self.marginal(&set);
            let replicates = weighted.as_ref().map(|(cells, b)| {
                let keys: Vec<&GroupKey> = marg.keys().collect();
                group_replicates(
                    cells,
                    &set,
                    &keys,
                    b.replicates as usize * classes.len().pow(2),
                )
            });
            let marg: Vec<ClassCell> = marg.into_values().collect();
            cells.extend(marg.iter().cloned());
            by_set.insert(name, (marg, replicates));
        }
        if cells.len() != first.groups.len() {
            return Err(Error::InvalidArgument(format!(
                "{} groups counted but {} reported",
                cells.len(),
                first.groups.len()
            )));
        }
        for (i, (g, cell)) in first.groups.iter().zip(&cells).enumerate() {
            report
                .groups
                .push(self.group(g, cell, &classes, &per_class, i));
        }
        for (c, r) in classes.iter().zip(&per_class) {
            report.disparities.extend(
                r.disparities
                    .iter()
                    .filter(|d| CLASS_METRICS.contains(&d.metric))
                    .map(|d| ClassDisparity {
                        class: c.clone(),
                        disparity: d.clone(),
                    }),
            );
        }
        for (name, s) in &first.summary {
            let (set_cells, replicates) = by_set
                .get(name)
                .map(|(c, r)| (c.as_slice(), r.as_deref()))
                .unwrap_or_default();
            let summary = summarise(
                (name, set_cells, replicates),
                s,
                &report.groups,
                &classes,
                &per_class,
                opts,
            );
            report.summary.insert(name.clone(), summary);
        }
        Ok(report)
    }

    /// One group's entry: the binary reports give its rates per class, `cell` its matrix.
    fn group(
        &self,
        g: &crate::fairness::GroupMetrics,
        cell: &ClassCell,
        classes: &[String],
        per_class: &[FairnessReport],
        index: usize,
    ) -> MulticlassGroup {
        let matrix = |f: &dyn Fn(&str, &str) -> f64| -> Vec<Vec<f64>> {
            classes
                .iter()
                .map(|l| classes.iter().map(|p| f(l, p)).collect())
                .collect()
        };
        let counts = matrix(&|l, p| {
            cell.counts
                .get(l)
                .and_then(|r| r.get(p))
                .map_or(0.0, |&n| n as f64)
        });
        let (accuracy, macro_avg, micro_avg) = cell.averages(classes);
        let mut rates = BTreeMap::new();
        for (c, r) in classes.iter().zip(per_class) {
            let b = &r.groups[index];
            let pick = |m: &Metric| CLASS_METRICS.contains(m);
            rates.insert(
                c.clone(),
                ClassRates {
                    support: b.positives,
                    predicted: b.tp.unwrap_or(0) + b.fp.unwrap_or(0),
                    metrics: b
                        .metrics
                        .iter()
                        .filter(|(m, _)| pick(m))
                        .map(|(m, v)| (*m, *v))
                        .collect(),
                    ci: b
                        .ci
                        .iter()
                        .filter(|(m, _)| pick(m))
                        .map(|(m, v)| (*m, *v))
                        .collect(),
                    undefined: b
                        .undefined
                        .iter()
                        .filter(|(m, _)| pick(m))
                        .map(|(m, v)| (*m, v.clone()))
                        .collect(),
                },
            );
        }
        let weighted = cell.weights.as_ref().map(|w| {
            let (sum, sq) = w
                .values()
                .flat_map(|r| r.values())
                .fold((0.0, 0.0), |(a, b), s| (a + s[0], b + s[1]));
            MulticlassWeights {
                total: sum,
                effective_n: kish(sum, sq),
                confusion_matrix: matrix(&|l, p| cell.amount(l, p)),
            }
        });
        MulticlassGroup {
            attribute: g.attribute.clone(),
            group: g.group.clone(),
            levels: g.levels.clone(),
            count: g.count,
            share: g.share,
            insufficient_data: g.insufficient_data,
            reference: g.reference,
            confusion_matrix: counts
                .into_iter()
                .map(|r| r.into_iter().map(|x| x as u64).collect())
                .collect(),
            accuracy,
            macro_avg,
            micro_avg,
            classes: rates,
            weighted,
        }
    }
}

/// The summary of one attribute (or intersection) `name` whose groups' cells are `set_cells`; `first` is its summary in
/// the first class's binary report (groups, reference, representation).
fn summarise(
    (name, set_cells, replicates): (&str, &[ClassCell], Option<&[Vec<f64>]>),
    first: &crate::fairness::AttributeSummary,
    groups: &[MulticlassGroup],
    classes: &[String],
    per_class: &[FairnessReport],
    opts: &FairnessOptions,
) -> MulticlassSummary {
    let mine: Vec<&MulticlassGroup> = groups.iter().filter(|g| g.attribute == name).collect();
    let accuracies: Vec<f64> = mine
        .iter()
        .filter(|g| !g.insufficient_data)
        .filter_map(|g| g.accuracy)
        .collect();
    let mut metrics = BTreeMap::new();
    let mut undefined = BTreeMap::new();
    for (key, v) in [
        (
            "accuracy_difference",
            difference(Metric::Accuracy.name(), &accuracies, opts.min_group_size),
        ),
        (
            "accuracy_ratio",
            ratio(Metric::Accuracy.name(), &accuracies, opts.min_group_size),
        ),
    ] {
        metrics.insert(key.to_string(), v.as_ref().ok().copied());
        if let Err(e) = v {
            undefined.insert(key.to_string(), e);
        }
    }
    let mut per = BTreeMap::new();
    for (c, r) in classes.iter().zip(per_class) {
        let s = &r.summary[name];
        let keep = |k: &str| PARITY.contains(&k);
        per.insert(
            c.clone(),
            ClassSummary {
                metrics: s
                    .metrics
                    .iter()
                    .filter(|(k, _)| keep(k))
                    .map(|(k, v)| (k.clone(), *v))
                    .collect(),
                undefined: s
                    .undefined
                    .iter()
                    .filter(|(k, _)| keep(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                intervals: BTreeMap::new(),
            },
        );
    }
    let mut worst_intervals = BTreeMap::new();
    if let Some(b) = &opts.bootstrap {
        let eligible: Vec<usize> = (0..mine.len())
            .filter(|&i| !mine[i].insufficient_data)
            .collect();
        let k = classes.len();
        let (by_class, worst) = match replicates {
            // Each group's replicates, K×K after K×K: replicate `r` of group `g` at `r·K²`.
            Some(groups) => joint_intervals(
                |r, out| {
                    for (g, reps) in groups.iter().enumerate() {
                        out[g * k * k..(g + 1) * k * k]
                            .copy_from_slice(&reps[r * k * k..(r + 1) * k * k]);
                    }
                },
                (groups.len(), &eligible, classes),
                opts,
                b,
            ),
            None => {
                let (counts, mut rng) = count_stream(set_cells, classes, b, name);
                let mut resampled = vec![0u64; counts.len()];
                joint_intervals(
                    |_, out| {
                        multinomial(&counts, &mut resampled, &mut rng);
                        for (o, &x) in out.iter_mut().zip(&resampled) {
                            *o = x as f64;
                        }
                    },
                    (set_cells.len(), &eligible, classes),
                    opts,
                    b,
                )
            }
        };
        for (c, iv) in by_class {
            if let Some(s) = per.get_mut(&c) {
                s.intervals = iv;
            }
        }
        worst_intervals = worst;
    }
    let worst_class = worst_classes(classes, &per, &mut worst_intervals);
    MulticlassSummary {
        attribute: name.to_string(),
        reference_group: first.reference_group.clone(),
        reference_rule: first.reference_rule.clone(),
        groups: first.groups,
        insufficient_groups: first.insufficient_groups.clone(),
        metrics,
        classes: per,
        worst_class,
        representation_test: first.representation_test,
        undefined,
    }
}

/// The parity summaries kept per class.
const PARITY: [&str; 8] = [
    "base_rate_difference",
    "base_rate_ratio",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
];

/// Whether a larger value of summary `key` is worse (differences) or a smaller (ratios).
fn larger_is_worse(key: &str) -> bool {
    key.ends_with("_difference")
}

/// Each parity summary's worst class, with the worst value's interval when bootstrapped.
fn worst_classes(
    classes: &[String],
    per: &BTreeMap<String, ClassSummary>,
    intervals: &mut BTreeMap<String, BootstrapInterval>,
) -> BTreeMap<String, WorstClass> {
    let mut out = BTreeMap::new();
    for key in PARITY {
        let mut worst: Option<(&String, f64)> = None;
        for c in classes {
            let Some(Some(v)) = per.get(c).and_then(|s| s.metrics.get(key)) else {
                continue;
            };
            let better = match worst {
                None => true,
                Some((_, w)) => {
                    if larger_is_worse(key) {
                        *v > w
                    } else {
                        *v < w
                    }
                }
            };
            if better {
                worst = Some((c, *v));
            }
        }
        if let Some((c, v)) = worst {
            out.insert(
                key.to_string(),
                WorstClass {
                    class: c.clone(),
                    value: v,
                    interval: intervals.remove(key),
                },
            );
        }
    }
    out
}

/// An attribute set's groups' cells, in key order, and with sample weights their replicates.
type SetCells = (Vec<ClassCell>, Option<Vec<Vec<f64>>>);

/// Per-class summary intervals and the worst-class intervals of one attribute set.
type ClassIntervals = BTreeMap<String, BTreeMap<String, BootstrapInterval>>;

/// The flattened K×K counts of every group (`cells`, row-major) and the seeded stream of their
/// multinomial resamples (seeded by the set's name `label` and the seed).
fn count_stream(
    cells: &[ClassCell],
    classes: &[String],
    bootstrap: &Bootstrap,
    label: &str,
) -> (Vec<u64>, ChaCha8Rng) {
    let counts: Vec<u64> = cells
        .iter()
        .flat_map(|c| {
            classes.iter().flat_map(move |l| {
                classes
                    .iter()
                    .map(move |p| c.counts.get(l).and_then(|r| r.get(p)).copied().unwrap_or(0))
            })
        })
        .collect();
    let seed = xxhash_rust::xxh3::xxh3_64_with_seed(label.as_bytes(), bootstrap.seed);
    (counts, ChaCha8Rng::seed_from_u64(seed))
}

/// Per-class summary intervals and the worst-class intervals of one attribute set of `groups`
/// groups: `replicate(r, out)` fills `out` with every group's K×K confusion (counts or sums of
/// weights, row-major) in replicate `r`.
fn joint_intervals(
    mut replicate: impl FnMut(usize, &mut [f64]),
    (groups, eligible, classes): (usize, &[usize], &[String]),
    opts: &FairnessOptions,
    bootstrap: &Bootstrap,
) -> (ClassIntervals, BTreeMap<String, BootstrapInterval>) {
    let k = classes.len();
    let mut resampled = vec![0.0; groups * k * k];
    let mut draws: BTreeMap<(usize, &'static str), Vec<f64>> = BTreeMap::new();
    let mut worst: BTreeMap<&'static str, Vec<f64>> = BTreeMap::new();
    for r in 0..bootstrap.replicates as usize {
        replicate(r, &mut resampled);
        let mut worst_now: BTreeMap<&'static str, f64> = BTreeMap::new();
        for c in 0..k {
            let amounts: Vec<[f64; 4]> = eligible
                .iter()
                .map(|&g| one_vs_rest_counts(&resampled[g * k * k..(g + 1) * k * k], k, c))
                .collect();
            for (name, v) in parity_summaries(&amounts, true, opts.min_group_size) {
                if let Ok(x) = v {
                    draws.entry((c, name)).or_default().push(x);
                    let w = worst_now.entry(name).or_insert(x);
                    *w = if larger_is_worse(name) {
                        w.max(x)
                    } else {
                        w.min(x)
                    };
                }
            }
        }
        for (name, x) in worst_now {
            worst.entry(name).or_default().push(x);
        }
    }
    let interval = |v: Vec<f64>| percentile_interval(v, opts.confidence);
    let mut by_class: ClassIntervals = BTreeMap::new();
    for ((c, name), v) in draws {
        if let Some(iv) = interval(v) {
            by_class
                .entry(classes[c].clone())
                .or_default()
                .insert(name.to_string(), iv);
        }
    }
    let worst = worst
        .into_iter()
        .filter_map(|(name, v)| interval(v).map(|iv| (name.to_string(), iv)))
        .collect();
    (by_class, worst)
}

/// Every cell's K×K weighted confusion (row-major) in each replicate, replicate after
/// replicate: each (true, predicted) class's rows draw Poisson(1) weights from their weights
/// sorted ([`crate::fairness::weighted_bootstrap`]).
fn cell_replicates(
    kept: &BTreeMap<GroupKey, PairTable<Vec<f64>>>,
    classes: &[String],
    b: &Bootstrap,
) -> BTreeMap<GroupKey, Vec<f64>> {
    let (k, r) = (classes.len(), b.replicates as usize);
    let at: BTreeMap<&String, usize> = classes.iter().enumerate().map(|(i, c)| (c, i)).collect();
    let tasks: Vec<(&GroupKey, usize, &Vec<f64>, String)> = kept
        .iter()
        .flat_map(|(key, table)| {
            let at = &at;
            table.iter().flat_map(move |(l, row)| {
                row.iter().filter_map(move |(p, w)| {
                    let slot = at.get(l)? * k + at.get(p)?;
                    Some((key, slot, w, format!("{}:{l}{}:{p}", l.len(), p.len())))
                })
            })
        })
        .collect();
    let sums: Vec<Vec<f64>> = tasks
        .par_iter()
        .map(|(key, _, w, tag)| resampled_sums(w, tagged_stream(key, tag, b.seed), r))
        .collect();
    let mut out: BTreeMap<GroupKey, Vec<f64>> = BTreeMap::new();
    for ((key, slot, _, _), s) in tasks.into_iter().zip(sums) {
        let reps = out
            .entry(key.clone())
            .or_insert_with(|| vec![0.0; r * k * k]);
        for (rep, x) in s.into_iter().enumerate() {
            reps[rep * k * k + slot] = x;
        }
    }
    out
}

/// Each group's replicates of one attribute set (`set`: the attributes' indices in a cell's
/// key), in the order of `groups` (their keys); `len` values each.
fn group_replicates(
    cells: &BTreeMap<GroupKey, Vec<f64>>,
    set: &[usize],
    groups: &[&GroupKey],
    len: usize,
) -> Vec<Vec<f64>> {
    let index: BTreeMap<&GroupKey, usize> =
        groups.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let mut out = vec![vec![0.0; len]; groups.len()];
    for (key, reps) in cells {
        let sub: GroupKey = set.iter().map(|&i| key[i].clone()).collect();
        if let Some(&g) = index.get(&sub) {
            for (a, x) in out[g].iter_mut().zip(reps) {
                *a += x;
            }
        }
    }
    out
}

/// `[TP, FP, TN, FN]` of class `c` from a row-major K×K matrix of counts (or sums of weights).
fn one_vs_rest_counts(m: &[f64], k: usize, c: usize) -> [f64; 4] {
    let mut out = [0.0; 4];
    for l in 0..k {
        for p in 0..k {
            out[one_vs_rest_slot(l == c, p == c)] += m[l * k + p];
        }
    }
    out
}

/// Where a row of true class `l` and prediction `p` falls in class `c`'s `[TP, FP, TN, FN]`,
/// given whether `l == c` and whether `p == c`.
fn one_vs_rest_slot(is_true: bool, is_predicted: bool) -> usize {
    match (is_true, is_predicted) {
        (true, true) => 0,
        (false, true) => 1,
        (false, false) => 2,
        (true, false) => 3,
    }
}
