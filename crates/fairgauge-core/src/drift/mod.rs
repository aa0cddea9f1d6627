//! Two-sample drift statistics: does the `current` sample look like the `reference` one?
//!
//! * [`numeric`]: tests and distances on two numeric samples (Kolmogorov–Smirnov,
//!   Mann–Whitney U, Welch's t, Wasserstein, energy distance, Cramér–von Mises,
//!   Anderson–Darling k-sample). Inputs are slices **already sorted ascending**, finite and
//!   non-empty; [`sort_finite`] prepares a column. Each function checks its input in O(n)
//!   and returns [`Error::InvalidSample`](crate::Error::InvalidSample) rather than a wrong
//!   answer when a slice is unsorted or holds NaN / ±∞.
//! * [`categorical`]: tests and distances on two count vectors over the same categories or
//!   histogram bins (chi-square and G-test of homogeneity, PSI, Jensen–Shannon, Hellinger,
//!   Kullback–Leibler, total variation, L∞, Cramér's V), plus PSI bins from reference
//!   quantiles. For exactly two categories, the two-proportion tests of
//!   [`crate::stats`] apply unchanged: [`crate::stats::two_proportion_z_test`] and
//!   [`crate::stats::fisher_exact_two_sided`] on `(current₁, n_current, reference₁, n_reference)`.
//! * [`correction`]: multiple-testing adjustments of the per-column p-values
//!   (Benjamini–Hochberg, Bonferroni).
//! * [`kolmogorov`]: the distributions behind the KS test (exact two-sample lattice-path
//!   probabilities and the one-sample two-sided Kolmogorov distribution `kstwo`).
//!
//! Every function names the reference implementation it reproduces (scipy 1.17.1 unless
//! stated) and the tests paste the reference values with the exact call that produced them
//! (`tests/reference/drift_reference.py` regenerates them all).

pub mod categorical;
pub mod correction;
pub mod kolmogorov;
pub mod numeric;
mod radix;
pub mod sketch;
mod special;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use categorical::{
    bin_counts, chi_square_2xk, cramers_v, g_test_2xk, hellinger, jensen_shannon, kl_divergence,
    l_infinity, psi, quantile_bin_edges, total_variation, DEFAULT_PSI_BINS, SHARE_FLOOR,
};
pub use correction::{benjamini_hochberg, bonferroni};
pub use kolmogorov::kstwo_sf;
pub use numeric::{
    anderson_ksamp, cramervonmises_2samp, energy_distance, ks_2samp, mann_whitney_u, wasserstein,
    wasserstein_normed, wasserstein_presorted, welch_t_test, AndersonOutcome,
};
pub use sketch::{
    ks_from_sketches, normalized_pmf_error, normalized_rank_error, wasserstein_from_sketches,
    ApproxKs, KllSketch,
};

/// Result of one two-sample comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestOutcome {
    /// The test statistic (its definition is stated by the function that returns it).
    pub statistic: f64,
    /// The p-value; `None` for pure distances that have no null distribution.
    pub p_value: Option<f64>,
}

/// Length from which [`sort_finite`] uses the radix sort.
const PARALLEL_SORT_MIN: usize = 1 << 16;

/// Drops NaN and ±∞ from `v`, then sorts it ascending with [`f64::total_cmp`] (so `-0.0`
/// precedes `0.0`, which every statistic here treats as equal). Inputs of 65 536 values or
/// more are sorted with an LSD radix sort in the same order.
pub fn sort_finite(v: &mut Vec<f64>) {
    v.retain(|x| x.is_finite());
    if v.len() >= PARALLEL_SORT_MIN {
        // LSD radix sort: O(n) and the same order as `total_cmp` (callers sort many columns in
        // parallel already, so one thread per column keeps both cores busy).
        radix::radix_sort_f64(v);
    } else {
        v.sort_unstable_by(f64::total_cmp);
    }
}

/// Checks that `v` is non-empty, finite and sorted ascending; `name` labels the error.
pub(crate) fn check_sorted(name: &str, v: &[f64]) -> Result<()> {
    if v.is_empty() {
        return Err(Error::NoData(format!("sample `{name}` is empty")));
    }
    if let Some(i) = v.iter().position(|x| !x.is_finite()) {
        return Err(Error::InvalidSample {
            sample: name.to_string(),
            reason: format!("value {} at position {i} is not finite", v[i]),
        });
    }
    if let Some(i) = v.windows(2).position(|w| w[0] > w[1]) {
        return Err(Error::InvalidSample {
            sample: name.to_string(),
            reason: format!(
                "not sorted ascending at position {}: {} > {} (use drift::sort_finite)",
                i + 1,
                v[i],
                v[i + 1]
            ),
        });
    }
    Ok(())
}

/// Sum with Neumaier's compensation (error independent of the length for sums of like sign).
pub(crate) fn neumaier_sum<I: IntoIterator<Item = f64>>(values: I) -> f64 {
    let mut sum = 0.0f64;
    let mut comp = 0.0f64;
    for x in values {
        let t = sum + x;
        if sum.abs() >= x.abs() {
            comp += (sum - t) + x;
        } else {
            comp += (x - t) + sum;
        }
        sum = t;
    }
    sum + comp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_finite_drops_non_finite_and_sorts() {
        let mut v = vec![
            3.0,
            f64::NAN,
            -1.0,
            f64::INFINITY,
            0.0,
            -0.0,
            2.5,
            f64::NEG_INFINITY,
        ];
        sort_finite(&mut v);
        assert_eq!(v, vec![-1.0, -0.0, 0.0, 2.5, 3.0]);
        assert!(v[1].is_sign_negative());
        // The parallel path gives the same order.
        let mut big: Vec<f64> = (0..100_000)
            .map(|i| ((i * 7919) % 100_003) as f64)
            .collect();
        big.push(f64::NAN);
        sort_finite(&mut big);
        assert_eq!(big.len(), 100_000);
        assert!(big.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn check_sorted_rejects_bad_input() {
        assert!(check_sorted("a", &[]).is_err());
        assert!(check_sorted("a", &[1.0, f64::NAN]).is_err());
        assert!(check_sorted("a", &[2.0, 1.0]).is_err());
        assert!(check_sorted("a", &[1.0, 1.0, 2.0]).is_ok());
    }

    #[test]
    fn neumaier_is_compensated() {
        let v = [1e16, 1.0, -1e16, 1.0];
        assert_eq!(neumaier_sum(v), 2.0);
    }
}
