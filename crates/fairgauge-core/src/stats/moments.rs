//! Mean and spread of numbers: the mergeable [`Moments`] (count, mean, sum of squared
//! deviations) and the two-pass population mean and standard deviation of a sample in memory.

use serde::{Deserialize, Serialize};

/// Count, mean and sum of squared deviations of a numeric sample, mergeable.
///
/// [`push`](Self::push) is Welford's (1962) update; [`merge`](Self::merge) is the pairwise
/// combination of Chan, Golub & LeVeque (1979): merging the moments of two parts gives the
/// moments of their concatenation up to rounding. Both lose relative accuracy in `m2` as
/// `(mean / sd)²` grows (about 1e-9 for values `1e6 + 0.01·U(0, 1)`); shift such data first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of values.
    pub n: u64,
    /// Mean of the values (0 when `n = 0`).
    pub mean: f64,
    /// Sum of squared deviations from the mean, `Σ (x − mean)²`.
    pub m2: f64,
}

impl Moments {
    /// Adds one value (Welford 1962): `n += 1`, `δ = x − mean`, `mean += δ / n`,
    /// `m2 += δ (x − mean_new)`.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Combines with the moments of another part (Chan, Golub & LeVeque 1979):
    /// `n = n_a + n_b`, `δ = mean_b − mean_a`, `mean = mean_a + δ n_b / n`,
    /// `m2 = m2_a + m2_b + δ² n_a n_b / n`.
    pub fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = self.n + o.n;
        let nf = n as f64;
        let delta = o.mean - self.mean;
        self.mean += delta * (nb / nf);
        self.m2 += o.m2 + delta * delta * (na * nb / nf);
        self.n = n;
    }

    /// Population standard deviation `√(m2 / n)` (`ddof = 0`, as `numpy.std`); 0 when `n = 0`.
    #[must_use]
    pub fn population_sd(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            (self.m2 / self.n as f64).sqrt()
        }
    }

    /// Sample variance `m2 / (n − 1)` (`ddof = 1`, as `numpy.var(x, ddof=1)`); `None` when
    /// `n < 2`.
    #[must_use]
    pub fn variance(&self) -> Option<f64> {
        (self.n >= 2).then(|| (self.m2 / (self.n - 1) as f64).max(0.0))
    }
}

/// Kish's effective sample size `(Σw)² / Σw²` (Kish 1965, *Survey Sampling*, §11.7), computed
/// as `Σw · (Σw / Σw²)` so that unit weights give the count exactly; 0 when there is no weight.
pub fn kish(sum: f64, sum_sq: f64) -> f64 {
    if sum_sq > 0.0 {
        sum * (sum / sum_sq)
    } else {
        0.0
    }
}

/// Total weight, sum of squared weights, weighted mean and weighted sum of squared deviations of
/// a numeric sample with non-negative weights, mergeable.
///
/// [`push`](Self::push) is West's (1979) weighted form of Welford's update, and
/// [`merge`](Self::merge) Chan et al.'s pairwise combination with weights for counts. A zero
/// weight leaves the moments unchanged. The variance of the weighted mean uses Kish's effective
/// size `n_eff = (Σw)² / Σw²` ([`Self::effective_n`]) in place of the count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct WeightedMoments {
    /// `Σw`.
    pub w: f64,
    /// `Σw²`.
    pub w2: f64,
    /// `Σ w x / Σ w` (0 when `Σw = 0`).
    pub mean: f64,
    /// `Σ w (x − mean)²`.
    pub m2: f64,
}

impl WeightedMoments {
    /// Adds value `x` of weight `w ≥ 0` (West 1979): `W += w`, `δ = x − mean`,
    /// `mean += δ w / W`, `m2 += w δ (x − mean_new)`.
    pub fn push(&mut self, x: f64, w: f64) {
        if w == 0.0 {
            return;
        }
        self.w += w;
        self.w2 += w * w;
        let delta = x - self.mean;
        self.mean += delta * w / self.w;
        self.m2 += w * delta * (x - self.mean);
    }

    /// Combines with the moments of another part: `W = W_a + W_b`, `δ = mean_b − mean_a`,
    /// `mean = mean_a + δ W_b / W`, `m2 = m2_a + m2_b + δ² W_a W_b / W`.
    pub fn merge(&mut self, o: &WeightedMoments) {
        if o.w == 0.0 {
            self.w2 += o.w2;
            return;
        }
        if self.w == 0.0 {
            let w2 = self.w2;
            *self = *o;
            self.w2 += w2;
            return;
        }
        let w = self.w + o.w;
        let delta = o.mean - self.mean;
        self.mean += delta * (o.w / w);
        self.m2 += o.m2 + delta * delta * (self.w * o.w / w);
        self.w = w;
        self.w2 += o.w2;
    }

    /// Kish's effective size `(Σw)² / Σw²` (0 without weight).
    #[must_use]
    pub fn effective_n(&self) -> f64 {
        kish(self.w, self.w2)
    }

    /// The variance estimate at the effective size: `m2 / Σw · n_eff / (n_eff − 1)` (the
    /// frequency-weighted sample variance when every weight is 1); `None` when `n_eff ≤ 1`.
    #[must_use]
    pub fn variance(&self) -> Option<f64> {
        let n = self.effective_n();
        (n > 1.0).then(|| (self.m2 / self.w * n / (n - 1.0)).max(0.0))
    }
}

/// The population mean and standard deviation (`ddof = 0`, as `numpy.mean` and `numpy.std`) of
/// `values`, by two passes of plain left-to-right sums: the mean, then the mean squared deviation
/// from it. NaN for an empty slice. (Compensated sums would move drift's effect sizes and normed
/// distances in their 14th–15th significant digit; kept plain so published evidence does not
/// change. [`crate::stats::sum::neumaier_sum`] is there when accuracy over long sums matters.)
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_moments_by_hand_and_as_repeated_values() {
        // 1 (weight 2), 4 (weight 1), 7 (weight 3): Σw = 6, mean = (2 + 4 + 21) / 6 = 4.5,
        // m2 = 2·3.5² + 0.5² + 3·2.5² = 43.5, Σw² = 14.
        let mut m = WeightedMoments::default();
        for (x, w) in [(1.0, 2.0), (4.0, 1.0), (0.5, 0.0), (7.0, 3.0)] {
            m.push(x, w);
        }
        assert_eq!((m.w, m.w2, m.mean), (6.0, 14.0, 4.5));
        assert!((m.m2 - 43.5).abs() < 1e-12);
        // Whole weights are repeated values: the same mean and m2 as the unweighted moments.
        let mut u = Moments::default();
        for x in [1.0, 1.0, 4.0, 7.0, 7.0, 7.0] {
            u.push(x);
        }
        assert!((u.mean - m.mean).abs() < 1e-15 && (u.m2 - m.m2).abs() < 1e-12);
        // Merging parts gives the moments of the whole.
        let (mut a, mut b) = (WeightedMoments::default(), WeightedMoments::default());
        a.push(1.0, 2.0);
        b.push(4.0, 1.0);
        b.push(7.0, 3.0);
        a.merge(&b);
        assert!((a.mean - 4.5).abs() < 1e-15 && (a.m2 - 43.5).abs() < 1e-12);
        assert_eq!((a.w, a.w2), (6.0, 14.0));
        // n_eff = 36 / 14; variance = 43.5 / 6 · n / (n − 1).
        let n = 36.0 / 14.0;
        assert!((m.variance().unwrap() - 43.5 / 6.0 * n / (n - 1.0)).abs() < 1e-12);
        let mut one = WeightedMoments::default();
        one.push(3.0, 5.0);
        assert_eq!(one.variance(), None);
    }

    #[test]
    fn mean_and_population_sd() {
        // numpy: np.mean([2, 4, 4, 4, 5, 5, 7, 9]) = 5.0, np.std(...) = 2.0
        let (m, sd) = mean_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!((m, sd), (5.0, 2.0));
        assert!(mean_sd(&[]).0.is_nan());
        // Welford's pushes and a merge of two parts give the same moments.
        let mut a = Moments::default();
        let mut b = Moments::default();
        for x in [2.0, 4.0, 4.0, 4.0] {
            a.push(x);
        }
        for x in [5.0, 5.0, 7.0, 9.0] {
            b.push(x);
        }
        a.merge(&b);
        assert_eq!((a.n, a.mean, a.m2 / a.n as f64), (8, 5.0, 4.0));
    }
}
