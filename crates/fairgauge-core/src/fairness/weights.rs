//! Sample weights of one cell: the sums `Σw` and `Σw²` of each confusion cell, in the order
//! `[TP, FP, TN, FN]`, mergeable by addition.
//!
//! With sample weights every rate is the ratio of weighted sums (Fairlearn's `MetricFrame(...,
//! sample_weight=)` with scikit-learn's metrics, e.g. weighted TPR = `Σ_TP w / Σ_{TP,FN} w`), and
//! the sample size behind a rate is Kish's effective size of the rows in its denominator,
//! `n_eff = (Σw)² / Σw²` (Kish 1965, *Survey Sampling*, §11.7): equal to the row count when
//! every weight is 1, smaller the more the weights vary. Intervals and tests use `n_eff`.

use serde::{Deserialize, Serialize};

use super::metric::Metric;

/// `Σw` and `Σw²` per confusion cell `[TP, FP, TN, FN]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct WeightSums {
    /// Sum of the weights of each cell's rows.
    pub sum: [f64; 4],
    /// Sum of the squared weights of each cell's rows.
    pub sum_sq: [f64; 4],
}

impl WeightSums {
    /// Adds one row of weight `w` to cell `cell` (0 TP, 1 FP, 2 TN, 3 FN).
    pub fn push(&mut self, cell: usize, w: f64) {
        self.sum[cell] += w;
        self.sum_sq[cell] += w * w;
    }

    /// Adds another cell's sums.
    pub fn add(&mut self, o: &WeightSums) {
        for j in 0..4 {
            self.sum[j] += o.sum[j];
            self.sum_sq[j] += o.sum_sq[j];
        }
    }

    /// Total weight.
    pub fn total(&self) -> f64 {
        self.sum.iter().sum()
    }

    /// Kish's effective size of all rows.
    pub fn effective_n(&self) -> f64 {
        kish(self.total(), self.sum_sq.iter().sum())
    }

    /// A proportion's weighted estimate and the effective size of its denominator's rows:
    /// `(Σ_num w / Σ_den w, n_eff(den))`; `None` for a metric that is not a proportion or a
    /// denominator of zero weight.
    pub fn estimate(&self, m: Metric) -> Option<(f64, f64)> {
        let (num, den) = m.weighted_fraction(self.sum)?;
        let (_, den_sq) = m.weighted_fraction(self.sum_sq)?;
        (den > 0.0).then(|| (num / den, kish(den, den_sq)))
    }
}

pub use crate::stats::moments::kish;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_sizes_by_hand() {
        let mut w = WeightSums::default();
        // TP rows of weight 1, 3; FN row of weight 2; FP row of weight 0.5.
        w.push(0, 1.0);
        w.push(0, 3.0);
        w.push(3, 2.0);
        w.push(1, 0.5);
        assert_eq!(w.total(), 6.5);
        // TPR = 4 / 6; its denominator's rows have Σw = 6, Σw² = 14: n_eff = 36 / 14.
        let (p, n) = w.estimate(Metric::Tpr).unwrap();
        assert_eq!(p, 4.0 / 6.0);
        assert!((n - 36.0 / 14.0).abs() < 1e-15);
        // FPR = 0.5 / 0.5 from one row; NPV: no predicted negatives with weight → undefined.
        assert_eq!(w.estimate(Metric::Fpr), Some((1.0, 1.0)));
        let mut z = WeightSums::default();
        z.push(2, 0.0);
        z.push(0, 2.0);
        assert_eq!(z.estimate(Metric::Npv), None);
        assert_eq!(z.estimate(Metric::SelectionRate), Some((1.0, 1.0)));
        // Unit weights: n_eff is the count, exactly.
        let mut u = WeightSums::default();
        for _ in 0..12345 {
            u.push(2, 1.0);
        }
        assert_eq!(u.effective_n(), 12345.0);
        assert_eq!(kish(0.0, 0.0), 0.0);
    }
}
