//! The mergeable regression state: per combination of sensitive-attribute values (a "cell"),
//! the moments of the label, the prediction and the error `ŷ − y`, the sums `Σ|e|` and `Σe²`,
//! every prediction (for the distribution tests against the reference group) with its label (for
//! the bootstrap, which resamples rows) and, with a threshold, the binary confusion of "at or
//! above the threshold".
//!
//! Counts, the predictions' distribution and the threshold's confusion merge exactly; means and
//! sums of reals merge up to rounding (Chan et al.'s pairwise moments), so states merged in
//! another order agree in means to about 1e-15 relative and in variances (hence Welch's
//! intervals) to about 1e-10 on data whose mean is far from 0 against its spread — not bit for
//! bit.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fairness::metric::Confusion;
use crate::fairness::state::{check_columns, combinations, marginal_of, CodedAttribute, GroupKey};
use crate::fairness::weights::WeightSums;
use crate::stats::moments::{Moments, WeightedMoments};

/// One batch: the label and prediction as numbers (`None` for null: the row is left out and
/// counted), the sensitive attributes and, for a weighted state, each row's sample weight.
#[derive(Debug, Clone)]
pub struct RegressionBatch<'a> {
    /// The true value of each row.
    pub label: &'a [Option<f64>],
    /// The predicted value of each row.
    pub prediction: &'a [Option<f64>],
    /// The sensitive attributes, in the state's order.
    pub attributes: Vec<CodedAttribute<'a>>,
    /// Sample weights (finite, `≥ 0`), given exactly when the state is weighted.
    pub weights: Option<&'a [f64]>,
    /// Row number of the batch's first row in the whole input, for error messages.
    pub row_offset: usize,
}

/// With sample weights: a cell's weighted moments of the label, prediction and error, and
/// `Σw|e|`, `Σw e²` (scikit-learn's `sample_weight` forms: MAE `Σw|e| / Σw`, …).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct WeightedRegression {
    /// Weighted moments of the label (its `w` and `w2` are the cell's `Σw`, `Σw²`).
    pub label: WeightedMoments,
    /// Weighted moments of the prediction.
    pub prediction: WeightedMoments,
    /// Weighted moments of the error `ŷ − y`.
    pub error: WeightedMoments,
    /// `Σ w |ŷ − y|`.
    pub abs_error: f64,
    /// `Σ w (ŷ − y)²`.
    pub sq_error: f64,
}

impl WeightedRegression {
    pub(crate) fn add(&mut self, o: &WeightedRegression) {
        self.label.merge(&o.label);
        self.prediction.merge(&o.prediction);
        self.error.merge(&o.error);
        self.abs_error += o.abs_error;
        self.sq_error += o.sq_error;
    }
}

/// What one cell holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegressionCell {
    /// Moments of the label.
    pub label: Moments,
    /// Moments of the prediction.
    pub prediction: Moments,
    /// Moments of the error `ŷ − y`.
    pub error: Moments,
    /// `Σ |ŷ − y|`.
    pub abs_error: f64,
    /// `Σ (ŷ − y)²`.
    pub sq_error: f64,
    /// Every prediction, in no particular order (sorted when the report is finished).
    pub predictions: Vec<f64>,
    /// The label of each prediction, in the same order, when the state keeps them
    /// ([`RegressionState::keep_labels`]).
    pub labels: Vec<f64>,
    /// With sample weights: the weighted sums, and each prediction's weight (same order).
    #[serde(default)]
    pub weighted: Option<WeightedRegression>,
    /// Each prediction's sample weight, when the state is weighted.
    #[serde(default)]
    pub weights: Vec<f64>,
    /// With a threshold: the confusion of `y ≥ T` against `ŷ ≥ T` (always written, `null`
    /// without one).
    #[serde(default)]
    pub above: Option<Confusion>,
    /// With a threshold and sample weights: the weights of that confusion's cells.
    #[serde(default)]
    pub above_weights: Option<WeightSums>,
}

impl RegressionCell {
    /// Adds another cell.
    pub fn add(&mut self, o: &RegressionCell) {
        self.label.merge(&o.label);
        self.prediction.merge(&o.prediction);
        self.error.merge(&o.error);
        self.abs_error += o.abs_error;
        self.sq_error += o.sq_error;
        self.predictions.extend_from_slice(&o.predictions);
        self.labels.extend_from_slice(&o.labels);
        self.weights.extend_from_slice(&o.weights);
        if let Some(w) = &o.weighted {
            self.weighted.get_or_insert_with(Default::default).add(w);
        }
        if let Some(c) = &o.above {
            self.above.get_or_insert_with(Default::default).add(c);
        }
        if let Some(c) = &o.above_weights {
            self.above_weights
                .get_or_insert_with(Default::default)
                .add(c);
        }
    }

    /// Rows in the cell.
    pub fn n(&self) -> u64 {
        self.label.n
    }
}

/// The mergeable state of a regression fairness assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionState {
    /// Sensitive attribute names, in key order.
    pub attributes: Vec<String>,
    /// Values at or above this are "selected" (the binary rates beside the regression metrics).
    pub threshold: Option<f64>,
    /// Per combination of attribute values (a list of `[key, cell]` pairs).
    #[serde(with = "crate::fairness::state::cells_as_pairs")]
    pub cells: BTreeMap<GroupKey, RegressionCell>,
    /// Rows seen, including excluded ones.
    pub rows_seen: u64,
    /// Rows left out because the label is null.
    pub excluded_null_label: u64,
    /// Rows left out because the prediction is null.
    pub excluded_null_prediction: u64,
    /// Keep each row's label beside its prediction (the bootstrap resamples rows; without it
    /// the labels are not needed, and not keeping them saves time and memory).
    #[serde(default)]
    pub keep_labels: bool,
    /// Whether rows carry sample weights ([`RegressionState::weighted`]).
    #[serde(default)]
    pub has_weights: bool,
}

impl RegressionState {
    /// An empty state.
    pub fn new(attributes: Vec<String>, threshold: Option<f64>) -> Self {
        RegressionState {
            attributes,
            threshold,
            cells: BTreeMap::new(),
            rows_seen: 0,
            excluded_null_label: 0,
            excluded_null_prediction: 0,
            keep_labels: false,
            has_weights: false,
        }
    }

    /// The same state with sample weights: every batch must then give a weight per row, and
    /// the metrics are weighted (scikit-learn's `sample_weight`), their tests and intervals at
    /// Kish's effective size.
    pub fn weighted(mut self) -> Self {
        self.has_weights = true;
        self
    }

    /// Rows counted in cells.
    pub fn rows_used(&self) -> u64 {
        self.cells.values().map(RegressionCell::n).sum()
    }

    /// Counts one batch; a label or prediction that is NaN or infinite is an error naming its
    /// row.
    pub fn update(&mut self, b: &RegressionBatch<'_>) -> Result<()> {
        let n = b.label.len();
        if b.weights.is_some() != self.has_weights {
            return Err(Error::IncompatibleStates(format!(
                "the batch {} sample weights, the state {}",
                if b.weights.is_some() { "has" } else { "has no" },
                if self.has_weights {
                    "is weighted"
                } else {
                    "is not"
                }
            )));
        }
        check_columns(
            n,
            vec![("prediction", b.prediction.len())],
            (b.weights, b.row_offset),
            &b.attributes,
            &self.attributes,
        )?;
        // Cells by a flat index of their codes first, named when the batch is done.
        let cards: Vec<u64> = b.attributes.iter().map(|a| a.levels.len() as u64).collect();
        combinations(&cards, "sensitive-attribute values")?;
        let mut by_index: FxHashMap<u64, RegressionCell> = FxHashMap::default();
        for i in 0..n {
            self.rows_seen += 1;
            let Some(y) = b.label[i] else {
                self.excluded_null_label += 1;
                continue;
            };
            let Some(p) = b.prediction[i] else {
                self.excluded_null_prediction += 1;
                continue;
            };
            for (what, v) in [("label", y), ("prediction", p)] {
                if !v.is_finite() {
                    return Err(Error::InvalidSample {
                        sample: what.to_string(),
                        reason: format!(
                            "value {v} at row {} is not a finite number",
                            b.row_offset + i
                        ),
                    });
                }
            }
            // Squares and sums of squares must stay finite (|x| below about 1e150).
            if !(y * y).is_finite() || !(p * p).is_finite() || !((p - y) * (p - y)).is_finite() {
                return Err(Error::InvalidSample {
                    sample: "label and prediction".into(),
                    reason: format!(
                        "values {y} and {p} at row {} are too large to square (|x| must stay below about 1e150)",
                        b.row_offset + i
                    ),
                });
            }
            let mut key = 0u64;
            for (a, &card) in b.attributes.iter().zip(&cards) {
                let code = a.codes[i] as u64;
                if code >= card {
                    return Err(Error::InvalidArgument(format!(
                        "code {code} of attribute `{}` at row {} has no level",
                        a.name,
                        b.row_offset + i
                    )));
                }
                key = key * card + code;
            }
            push_row(
                by_index.entry(key).or_default(),
                (y, p, b.weights.map(|w| w[i])),
                self.threshold,
                self.keep_labels,
            );
        }
        let mut cells: Vec<(u64, RegressionCell)> = by_index.into_iter().collect();
        cells.sort_by_key(|(k, _)| *k);
        for (mut index, cell) in cells {
            let mut key: GroupKey = vec![None; cards.len()];
            for j in (0..cards.len()).rev() {
                key[j] = b.attributes[j].levels[(index % cards[j]) as usize].clone();
                index /= cards[j];
            }
            self.cells.entry(key).or_default().add(&cell);
        }
        Ok(())
    }

    /// Adds another state of the same attributes and threshold.
    pub fn merge(&mut self, other: &RegressionState) -> Result<()> {
        if self.attributes != other.attributes
            || self.threshold != other.threshold
            || self.keep_labels != other.keep_labels
            || self.has_weights != other.has_weights
        {
            return Err(Error::IncompatibleStates(format!(
                "attributes {:?} (threshold {:?}, labels kept {}, weighted {}) vs {:?} (threshold {:?}, labels kept {}, weighted {})",
                self.attributes,
                self.threshold,
                self.keep_labels,
                self.has_weights,
                other.attributes,
                other.threshold,
                other.keep_labels,
                other.has_weights
            )));
        }
        for (k, c) in &other.cells {
            self.cells.entry(k.clone()).or_default().add(c);
        }
        self.rows_seen += other.rows_seen;
        self.excluded_null_label += other.excluded_null_label;
        self.excluded_null_prediction += other.excluded_null_prediction;
        Ok(())
    }

    /// Sums cells over the attributes not in `attrs`.
    pub fn marginal(&self, attrs: &[usize]) -> BTreeMap<GroupKey, RegressionCell> {
        marginal_of(&self.cells, attrs, RegressionCell::add)
    }
}

/// Adds one row (label `y`, prediction `p`, its weight when weighted) to a cell.
fn push_row(
    cell: &mut RegressionCell,
    (y, p, w): (f64, f64, Option<f64>),
    threshold: Option<f64>,
    keep: bool,
) {
    let e = p - y;
    cell.label.push(y);
    cell.prediction.push(p);
    cell.error.push(e);
    cell.abs_error += e.abs();
    cell.sq_error += e * e;
    cell.predictions.push(p);
    if keep {
        cell.labels.push(y);
    }
    if let Some(w) = w {
        let s = cell.weighted.get_or_insert_with(Default::default);
        s.label.push(y, w);
        s.prediction.push(p, w);
        s.error.push(e, w);
        s.abs_error += w * e.abs();
        s.sq_error += w * e * e;
        cell.weights.push(w);
    }
    if let Some(t) = threshold {
        let c = cell.above.get_or_insert_with(Default::default);
        let k = match (y >= t, p >= t) {
            (true, true) => {
                c.tp += 1;
                0
            }
            (false, true) => {
                c.fp += 1;
                1
            }
            (false, false) => {
                c.tn += 1;
                2
            }
            (true, false) => {
                c.fn_ += 1;
                3
            }
        };
        if let Some(w) = w {
            cell.above_weights
                .get_or_insert_with(Default::default)
                .push(k, w);
        }
    }
}
