//! Confusion counts and the rates defined on them.
//!
//! Definitions (Fawcett 2006, "An introduction to ROC analysis"; the names Fairlearn and AIF360
//! use): with `TP, FP, TN, FN` the confusion counts of one group and `n` their sum,
//! base rate `(TP+FN)/n`, selection rate `(TP+FP)/n`, TPR `TP/(TP+FN)`, FNR `FN/(TP+FN)`,
//! FPR `FP/(FP+TN)`, TNR `TN/(FP+TN)`, PPV `TP/(TP+FP)`, FDR `FP/(TP+FP)`, NPV `TN/(TN+FN)`,
//! FOR `FN/(TN+FN)`, accuracy `(TP+TN)/n`, error rate `(FP+FN)/n`, balanced accuracy
//! `(TPR+TNR)/2`, F1 `2TP/(2TP+FP+FN)`, treatment equality `FN/FP` (Berk et al. 2018).
//!
//! A rate whose denominator is 0 is **undefined**, reported with the reason, never as 0 or NaN.

use serde::{Deserialize, Serialize};

/// Confusion counts of one group. With no prediction (dataset bias) every row counts as predicted
/// negative, so `TP = FP = 0` and only the base rate is meaningful.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// Label positive, predicted positive.
    pub tp: u64,
    /// Label negative, predicted positive.
    pub fp: u64,
    /// Label negative, predicted negative.
    pub tn: u64,
    /// Label positive, predicted negative.
    #[serde(rename = "fn")]
    pub fn_: u64,
}

impl Confusion {
    /// Number of rows.
    pub fn n(&self) -> u64 {
        self.tp + self.fp + self.tn + self.fn_
    }
    /// Adds another group's counts.
    pub fn add(&mut self, other: &Confusion) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.tn += other.tn;
        self.fn_ += other.fn_;
    }
    /// The counts as reals, in the order `[TP, FP, TN, FN]` of weighted sums
    /// ([`crate::fairness::WeightSums`]), for the definitions shared by counts and weights.
    pub fn counts(&self) -> [f64; 4] {
        [
            self.tp as f64,
            self.fp as f64,
            self.tn as f64,
            self.fn_ as f64,
        ]
    }
    /// Counts rows from a `[label * 2 + prediction]` indexed array.
    pub fn from_cells(c: [u64; 4]) -> Self {
        Confusion {
            tn: c[0],
            fp: c[1],
            fn_: c[2],
            tp: c[3],
        }
    }
}

/// A metric of one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of rows whose label is positive.
    BaseRate,
    /// Share of rows predicted positive.
    SelectionRate,
    /// True positive rate (recall, sensitivity).
    Tpr,
    /// False positive rate.
    Fpr,
    /// True negative rate (specificity).
    Tnr,
    /// False negative rate.
    Fnr,
    /// Positive predictive value (precision).
    Ppv,
    /// Negative predictive value.
    Npv,
    /// False discovery rate.
    Fdr,
    /// False omission rate.
    #[serde(rename = "for")]
    For,
    /// Accuracy.
    Accuracy,
    /// Error rate.
    ErrorRate,
    /// Mean of TPR and TNR.
    BalancedAccuracy,
    /// F1 score.
    F1,
    /// FN / FP.
    TreatmentEquality,
    /// Mean score.
    MeanScore,
    /// Area under the ROC curve.
    RocAuc,
    /// Brier score.
    BrierScore,
    /// Expected calibration error, 10 equal-width bins.
    Ece,
}

/// Whether a larger value of a metric is better for the group (used by the `best` / `worst`
/// reference choice): for error rates lower is better, for the others higher is better.
pub fn higher_is_better(m: Metric) -> bool {
    !matches!(
        m,
        Metric::Fpr
            | Metric::Fnr
            | Metric::Fdr
            | Metric::For
            | Metric::ErrorRate
            | Metric::BrierScore
            | Metric::Ece
    )
}

impl Metric {
    /// Proportions with a binomial numerator and denominator, in report order: the ones that get
    /// Wilson intervals and disparity tests.
    pub const PROPORTIONS: [Metric; 12] = [
        Metric::BaseRate,
        Metric::SelectionRate,
        Metric::Tpr,
        Metric::Fpr,
        Metric::Tnr,
        Metric::Fnr,
        Metric::Ppv,
        Metric::Npv,
        Metric::Fdr,
        Metric::For,
        Metric::Accuracy,
        Metric::ErrorRate,
    ];

    /// The snake_case name used in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Metric::BaseRate => "base_rate",
            Metric::SelectionRate => "selection_rate",
            Metric::Tpr => "tpr",
            Metric::Fpr => "fpr",
            Metric::Tnr => "tnr",
            Metric::Fnr => "fnr",
            Metric::Ppv => "ppv",
            Metric::Npv => "npv",
            Metric::Fdr => "fdr",
            Metric::For => "for",
            Metric::Accuracy => "accuracy",
            Metric::ErrorRate => "error_rate",
            Metric::BalancedAccuracy => "balanced_accuracy",
            Metric::F1 => "f1",
            Metric::TreatmentEquality => "treatment_equality",
            Metric::MeanScore => "mean_score",
            Metric::RocAuc => "roc_auc",
            Metric::BrierScore => "brier_score",
            Metric::Ece => "ece",
        }
    }

    /// Numerator and denominator of a proportion; `None` for metrics that are not proportions.
    pub fn fraction(self, c: &Confusion) -> Option<(u64, u64)> {
        self.parts(c.tp, c.fp, c.tn, c.fn_)
    }

    /// The same numerator and denominator over weighted counts `[TP, FP, TN, FN]` (sums of
    /// sample weights, as [`crate::fairness::counts::confusion_by_group`] gives them).
    pub fn weighted_fraction(self, c: [f64; 4]) -> Option<(f64, f64)> {
        self.parts(c[0], c[1], c[2], c[3])
    }

    /// The one definition of each proportion's numerator and denominator, for counts or weights.
    fn parts<T: Copy + std::ops::Add<Output = T>>(
        self,
        tp: T,
        fp: T,
        tn: T,
        fn_: T,
    ) -> Option<(T, T)> {
        let n = tp + fp + tn + fn_;
        Some(match self {
            Metric::BaseRate => (tp + fn_, n),
            Metric::SelectionRate => (tp + fp, n),
            Metric::Tpr => (tp, tp + fn_),
            Metric::Fnr => (fn_, tp + fn_),
            Metric::Fpr => (fp, fp + tn),
            Metric::Tnr => (tn, fp + tn),
            Metric::Ppv => (tp, tp + fp),
            Metric::Fdr => (fp, tp + fp),
            Metric::Npv => (tn, tn + fn_),
            Metric::For => (fn_, tn + fn_),
            Metric::Accuracy => (tp + tn, n),
            Metric::ErrorRate => (fp + fn_, n),
            _ => return None,
        })
    }

    /// Why a proportion's denominator is zero.
    pub fn undefined_reason(self) -> &'static str {
        match self {
            Metric::BaseRate
            | Metric::SelectionRate
            | Metric::Accuracy
            | Metric::ErrorRate
            | Metric::MeanScore
            | Metric::BrierScore
            | Metric::Ece => "the group has no rows",
            Metric::Tpr | Metric::Fnr => "no actual positives in the group (TP + FN = 0)",
            Metric::Fpr | Metric::Tnr => "no actual negatives in the group (FP + TN = 0)",
            Metric::Ppv | Metric::Fdr => "no predicted positives in the group (TP + FP = 0)",
            Metric::Npv | Metric::For => "no predicted negatives in the group (TN + FN = 0)",
            Metric::BalancedAccuracy => {
                "needs both actual positives and actual negatives in the group"
            }
            Metric::F1 => "no actual or predicted positives in the group (2TP + FP + FN = 0)",
            Metric::TreatmentEquality => "no false positives in the group (FP = 0)",
            Metric::RocAuc => "needs both actual positives and actual negatives in the group",
        }
    }

    /// Value of a confusion-derived metric, or `Err(reason)` when undefined. Score metrics return
    /// `Err` here; they come from [`crate::fairness::ScoreHistogram`].
    pub fn value(self, c: &Confusion) -> Result<f64, &'static str> {
        self.value_of(c.counts())
    }

    /// Value of a confusion-derived metric over counts or sums of sample weights
    /// `[TP, FP, TN, FN]` (the one definition for both: whole counts give exactly
    /// [`Metric::value`]), or `Err(reason)` when its denominator is 0.
    pub fn value_of(self, c: [f64; 4]) -> Result<f64, &'static str> {
        let [tp, fp, _tn, fn_] = c;
        if let Some((num, den)) = self.weighted_fraction(c) {
            return if den == 0.0 {
                Err(self.undefined_reason())
            } else {
                Ok(num / den)
            };
        }
        match self {
            Metric::BalancedAccuracy => {
                let tpr = Metric::Tpr
                    .value_of(c)
                    .map_err(|_| self.undefined_reason())?;
                let tnr = Metric::Tnr
                    .value_of(c)
                    .map_err(|_| self.undefined_reason())?;
                Ok((tpr + tnr) / 2.0)
            }
            Metric::F1 => {
                let den = 2.0 * tp + fp + fn_;
                if den == 0.0 {
                    Err(self.undefined_reason())
                } else {
                    Ok(2.0 * tp / den)
                }
            }
            Metric::TreatmentEquality => {
                if fp == 0.0 {
                    Err(self.undefined_reason())
                } else {
                    Ok(fn_ / fp)
                }
            }
            _ => Err("not a confusion-matrix metric"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_by_hand() {
        // TP=20, FP=10, TN=60, FN=10 (n = 100)
        let c = Confusion {
            tp: 20,
            fp: 10,
            tn: 60,
            fn_: 10,
        };
        let v = |m: Metric| m.value(&c).unwrap();
        assert_eq!(v(Metric::BaseRate), 0.3);
        assert_eq!(v(Metric::SelectionRate), 0.3);
        assert_eq!(v(Metric::Tpr), 20.0 / 30.0);
        assert_eq!(v(Metric::Fnr), 10.0 / 30.0);
        assert_eq!(v(Metric::Fpr), 10.0 / 70.0);
        assert_eq!(v(Metric::Tnr), 60.0 / 70.0);
        assert_eq!(v(Metric::Ppv), 20.0 / 30.0);
        assert_eq!(v(Metric::Fdr), 10.0 / 30.0);
        assert_eq!(v(Metric::Npv), 60.0 / 70.0);
        assert_eq!(v(Metric::For), 10.0 / 70.0);
        assert_eq!(v(Metric::Accuracy), 0.8);
        assert_eq!(v(Metric::ErrorRate), 0.2);
        assert_eq!(
            v(Metric::BalancedAccuracy),
            (20.0 / 30.0 + 60.0 / 70.0) / 2.0
        );
        assert_eq!(v(Metric::F1), 40.0 / 60.0);
        assert_eq!(v(Metric::TreatmentEquality), 1.0);
    }

    #[test]
    fn zero_denominators_are_undefined_with_reason() {
        let c = Confusion {
            tp: 0,
            fp: 0,
            tn: 5,
            fn_: 0,
        };
        assert_eq!(
            Metric::Tpr.value(&c),
            Err("no actual positives in the group (TP + FN = 0)")
        );
        assert!(Metric::Ppv.value(&c).is_err());
        assert!(Metric::F1.value(&c).is_err());
        assert!(Metric::TreatmentEquality.value(&c).is_err());
        assert!(Metric::BalancedAccuracy.value(&c).is_err());
        assert_eq!(Metric::Accuracy.value(&c), Ok(1.0));
        assert!(Metric::SelectionRate.value(&Confusion::default()).is_err());
    }

    #[test]
    fn json_names_are_snake_case() {
        for m in Metric::PROPORTIONS {
            let s = serde_json::to_string(&m).unwrap();
            assert_eq!(s, format!("\"{}\"", m.name()));
        }
    }
}
