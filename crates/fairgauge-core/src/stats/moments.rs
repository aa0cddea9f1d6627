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
