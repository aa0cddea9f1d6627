//! Hypothesis tests on proportions: two-proportion z-test, Fisher's exact test, and
//! chi-square tests of independence and goodness of fit.

use serde::{Deserialize, Serialize};
use statrs::function::factorial::ln_binomial;
use statrs::function::gamma::checked_gamma_ur;

/// Which test produced a p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// Pooled two-proportion z-test.
    TwoProportionZ,
    /// Fisher's exact test, two-sided.
    FisherExact,
}

/// The outcome of comparing two proportions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProportionTest {
    /// Which test was used.
    pub test: TestKind,
    /// The test statistic (z for the z-test, the odds ratio for Fisher's test; `None` when infinite or 0/0).
    pub statistic: Option<f64>,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// A chi-square test result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChiSquareTest {
    /// Pearson's X² statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: u64,
    /// Upper-tail probability of χ²(df) at the statistic.
    pub p_value: f64,
}

/// Two-sided p-value of a standard normal statistic, `P(|Z| ≥ |z|) = Q(1/2, z²/2)` (the upper
/// tail of χ²(1) at `z²`). The regularised incomplete gamma is accurate to ~1e-15 relative here,
/// where statrs' `erfc` drifts by ~1e-11, so this form matches `2 · scipy.stats.norm.sf(|z|)`.
pub fn normal_two_sided_p(z: f64) -> f64 {
    if !z.is_finite() {
        return if z.is_nan() { f64::NAN } else { 0.0 };
    }
    chi_square_sf(z * z, 1)
}

/// Upper tail of the chi-square distribution, `Q(df/2, x/2)` (regularised upper incomplete gamma).
pub fn chi_square_sf(x: f64, df: u64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    checked_gamma_ur(df as f64 / 2.0, x / 2.0).unwrap_or(0.0)
}

/// Pooled two-proportion z-test of `x1/n1 = x2/n2`, two-sided, as
/// `statsmodels.stats.proportion.proportions_ztest([x1, x2], [n1, n2])`:
/// `z = (p1 − p2) / √(p̂(1 − p̂)(1/n1 + 1/n2))`, `p̂ = (x1 + x2) / (n1 + n2)`.
///
/// When the pooled variance is 0 (both proportions 0, or both 1) the proportions are equal and
/// the p-value is 1. Returns `None` when a sample is empty.
pub fn two_proportion_z_test(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<ProportionTest> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let p1 = x1 as f64 / n1f;
    let p2 = x2 as f64 / n2f;
    let pooled = (x1 + x2) as f64 / (n1f + n2f);
    Some(pooled_z(p1, n1f, p2, n2f, pooled))
}

/// The z statistic and two-sided p-value of `p1 − p2` with the pooled proportion `pooled`; a
/// pooled variance of 0 means equal proportions (statistic 0, p-value 1).
fn pooled_z(p1: f64, n1: f64, p2: f64, n2: f64, pooled: f64) -> ProportionTest {
    let var = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2);
    if var <= 0.0 {
        return ProportionTest {
            test: TestKind::TwoProportionZ,
            statistic: Some(0.0),
            p_value: 1.0,
        };
    }
    let z = (p1 - p2) / var.sqrt();
    ProportionTest {
        test: TestKind::TwoProportionZ,
        statistic: Some(z),
        p_value: normal_two_sided_p(z),
    }
}

/// The pooled two-proportion z-test of [`two_proportion_z_test`] for proportions estimated
/// from weighted samples, at Kish's effective sizes `n1`, `n2`: `p̂ = (p1 n1 + p2 n2) / (n1 + n2)`,
/// `z = (p1 − p2) / √(p̂(1 − p̂)(1/n1 + 1/n2))`. Fisher's exact test needs whole counts, so weighted
/// disparities always use this test. `None` unless both sizes are positive.
pub fn two_proportion_z_test_effective(
    p1: f64,
    n1: f64,
    p2: f64,
    n2: f64,
) -> Option<ProportionTest> {
    if !(n1 > 0.0 && n2 > 0.0) {
        return None;
    }
    let pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    Some(pooled_z(p1, n1, p2, n2, pooled))
}

/// Fisher's exact test on the 2×2 table `[[a, b], [c, d]]`, two-sided, as
/// `scipy.stats.fisher_exact(table, alternative="two-sided")`: the p-value sums the
/// hypergeometric probabilities of all tables with the same margins that are no more likely than
/// the observed one (with scipy's relative tolerance of 1e-7 on "no more likely").
/// The statistic is the sample odds ratio `ad / bc` (`None` when 0/0 or infinite).
pub fn fisher_exact_two_sided(a: u64, b: u64, c: u64, d: u64) -> ProportionTest {
    let odds = {
        let num = a as f64 * d as f64;
        let den = b as f64 * c as f64;
        if den == 0.0 {
            None
        } else {
            Some(num / den)
        }
    };
    let total = a + b + c + d;
    let row1 = a + b;
    let col1 = a + c;
    if total == 0 || row1 == 0 || row1 == total || col1 == 0 || col1 == total {
        return ProportionTest {
            test: TestKind::FisherExact,
            statistic: odds,
            p_value: 1.0,
        };
    }
    // X = a ~ Hypergeometric(total, col1, row1).
    let ln_denom = ln_binomial(total, row1);
    let ln_pmf = |k: u64| ln_binomial(col1, k) + ln_binomial(total - col1, row1 - k) - ln_denom;
    let lo = row1.saturating_sub(total - col1);
    let hi = row1.min(col1);
    let observed = ln_pmf(a);
    let cutoff = observed + (1.0 + 1e-7f64).ln();
    let mut p = 0.0;
    for k in lo..=hi {
        let lp = ln_pmf(k);
        if lp <= cutoff {
            p += lp.exp();
        }
    }
    ProportionTest {
        test: TestKind::FisherExact,
        statistic: odds,
        p_value: p.min(1.0),
    }
}

/// Compares two proportions with the test their table supports: Fisher's exact test when any
/// expected count of the 2×2 table `[[x1, n1−x1], [x2, n2−x2]]` is below `fisher_min_expected`
/// (5 by convention), else the pooled two-proportion z-test. `None` when a sample is empty.
pub fn compare_proportions(
    x1: u64,
    n1: u64,
    x2: u64,
    n2: u64,
    fisher_min_expected: f64,
) -> Option<ProportionTest> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let total = (n1 + n2) as f64;
    let succ = (x1 + x2) as f64;
    let min_expected = [n1 as f64, n2 as f64]
        .iter()
        .flat_map(|&n| [n * succ / total, n * (total - succ) / total])
        .fold(f64::INFINITY, f64::min);
    if min_expected < fisher_min_expected {
        Some(fisher_exact_two_sided(x1, n1 - x1, x2, n2 - x2))
    } else {
        two_proportion_z_test(x1, n1, x2, n2)
    }
}

/// Pearson chi-square test of independence on a `k × 2` table of `(successes, trials)` per row,
/// without continuity correction (as `scipy.stats.chi2_contingency(table, correction=False)`).
/// Rows with no trials are ignored. Returns `None` when fewer than two rows remain or a column
/// total is zero (the statistic is then undefined).
pub fn chi_square_independence(rows: &[(u64, u64)]) -> Option<ChiSquareTest> {
    let rows: Vec<(f64, f64)> = rows.iter().map(|&(x, n)| (x as f64, n as f64)).collect();
    chi_square_independence_effective(&rows)
}

/// [`chi_square_independence`] on real-valued `(successes, trials)`: with sample weights, each
/// group's effective counts `(p · n_eff, n_eff)` at Kish's effective size (a first-order
/// design-effect correction of the Pearson statistic, in the spirit of Rao & Scott 1981). Whole
/// counts give [`chi_square_independence`]'s result to the bit.
pub fn chi_square_independence_effective(rows: &[(f64, f64)]) -> Option<ChiSquareTest> {
    let rows: Vec<(f64, f64)> = rows.iter().copied().filter(|&(_, n)| n > 0.0).collect();
    if rows.len() < 2 {
        return None;
    }
    let total: f64 = rows.iter().map(|r| r.1).sum();
    let succ: f64 = rows.iter().map(|r| r.0).sum();
    let fail = total - succ;
    if succ <= 0.0 || fail <= 0.0 {
        return None;
    }
    let mut stat = 0.0;
    for &(x, n) in &rows {
        let e1 = n * succ / total;
        let e0 = n * fail / total;
        stat += (x - e1).powi(2) / e1 + ((n - x) - e0).powi(2) / e0;
    }
    let df = rows.len() as u64 - 1;
    Some(ChiSquareTest {
        statistic: stat,
        df,
        p_value: chi_square_sf(stat, df),
    })
}

/// Pearson chi-square goodness-of-fit test of observed counts against expected shares (which are
/// rescaled to sum to one), as `scipy.stats.chisquare(observed, f_exp)`. Returns `None` when there
/// are fewer than two categories, no observations or a non-positive expected share.
pub fn chi_square_gof(observed: &[u64], expected_share: &[f64]) -> Option<ChiSquareTest> {
    if observed.len() < 2 || observed.len() != expected_share.len() {
        return None;
    }
    let n: u64 = observed.iter().sum();
    let share_sum: f64 = expected_share.iter().sum();
    if n == 0 || expected_share.iter().any(|&s| s.is_nan() || s <= 0.0) || !share_sum.is_finite() {
        return None;
    }
    let stat = observed
        .iter()
        .zip(expected_share)
        .map(|(&o, &s)| {
            let e = n as f64 * s / share_sum;
            (o as f64 - e).powi(2) / e
        })
        .sum::<f64>();
    let df = observed.len() as u64 - 1;
    Some(ChiSquareTest {
        statistic: stat,
        df,
        p_value: chi_square_sf(stat, df),
    })
}

/// A Wald z-test of the change of a gap between two proportions from one sample to another:
/// with `p = x / n` for each of the four `(x, n)` (`n > 0`), the change
/// `Δ = (p_a − p_b) − (p_ref_a − p_ref_b)` over its standard error under independence,
/// `z = Δ / √(Σ p (1 − p) / n)`, and the two-sided normal p-value. `None` when the variance is
/// 0 (every proportion 0 or 1). Used for the drift of a fairness gap (e.g. the demographic
/// parity difference between the two groups that set it now). Source: the Wald test of a
/// linear combination of independent binomial proportions, its variance the sum of the
/// `p (1 − p) / n` (Agresti, *Categorical Data Analysis*, 3rd ed., 2013, §1.4 and §3.1.5).
pub fn gap_change_z_test(
    a: (u64, u64),
    b: (u64, u64),
    ref_a: (u64, u64),
    ref_b: (u64, u64),
) -> Option<(f64, f64)> {
    let p = |f: (u64, u64)| f.0 as f64 / f.1 as f64;
    let v = |f: (u64, u64)| p(f) * (1.0 - p(f)) / f.1 as f64;
    let delta = (p(a) - p(b)) - (p(ref_a) - p(ref_b));
    let var = v(a) + v(b) + v(ref_a) + v(ref_b);
    (var > 0.0).then(|| {
        let z = delta / var.sqrt();
        (z, normal_two_sided_p(z))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!(
            (a - b).abs() <= tol * b.abs().max(1e-300),
            "{a} != {b} (rel tol {tol})"
        );
    }

    #[test]
    fn z_test_matches_statsmodels() {
        // statsmodels 0.15.0: proportions_ztest([30, 45], [100, 110])
        let t = two_proportion_z_test(30, 100, 45, 110).unwrap();
        close(t.statistic.unwrap(), REFERENCE_Z.0, 1e-12);
        close(t.p_value, REFERENCE_Z.1, 1e-10);
        assert_eq!(two_proportion_z_test(0, 10, 0, 20).unwrap().p_value, 1.0);
        assert!(two_proportion_z_test(0, 0, 1, 2).is_none());
    }

    #[test]
    fn normal_tail_matches_scipy_far_out() {
        // scipy 1.17.1: 2 * norm.sf(10) = 1.523970604832094e-23; 2 * norm.sf(1.2247448713915894)
        //   = 0.2206713619198467 (statsmodels' proportions_ztest p-value above)
        close(normal_two_sided_p(10.0), 1.523970604832094e-23, 1e-12);
        close(
            normal_two_sided_p(-1.2247448713915894),
            0.2206713619198467,
            1e-13,
        );
        assert_eq!(normal_two_sided_p(f64::INFINITY), 0.0);
    }
    const REFERENCE_Z: (f64, f64) = (-1.6477716817422, 0.09939953216165574);

    #[test]
    fn fisher_matches_scipy() {
        for &(a, b, c, d, p) in REFERENCE_FISHER {
            let t = fisher_exact_two_sided(a, b, c, d);
            close(t.p_value, p, 1e-10);
        }
    }
    // scipy 1.17.1: scipy.stats.fisher_exact([[a, b], [c, d]]).pvalue
    const REFERENCE_FISHER: &[(u64, u64, u64, u64, f64)] = &[
        (3, 1, 1, 3, 0.48571428571428565),
        (1, 9, 11, 3, 0.0027594561852200836),
        (0, 5, 5, 0, 0.007936507936507938),
        (2, 30, 10, 25, 0.024740441341936873),
        (7, 1000, 3, 2000, 0.0199087682823747),
        (0, 12, 5, 40, 0.5729890764647468),
    ];

    #[test]
    fn chi_square_matches_scipy() {
        let t = chi_square_independence(&[(30, 100), (45, 110), (10, 60)]).unwrap();
        close(t.statistic, REFERENCE_CHI2.0, 1e-12);
        close(t.p_value, REFERENCE_CHI2.1, 1e-10);
        assert_eq!(t.df, 2);
        assert!(chi_square_independence(&[(3, 10)]).is_none());
        assert!(chi_square_independence(&[(0, 10), (0, 5)]).is_none());
    }
    // scipy 1.17.1: chi2_contingency([[30, 70], [45, 65], [10, 50]], correction=False)
    const REFERENCE_CHI2: (f64, f64) = (10.739124150888856, 0.004656169915013859);

    #[test]
    fn gof_matches_scipy() {
        let t = chi_square_gof(&[60, 30, 10], &[0.5, 0.3, 0.2]).unwrap();
        close(t.statistic, REFERENCE_GOF.0, 1e-12);
        close(t.p_value, REFERENCE_GOF.1, 1e-10);
    }
    // scipy 1.17.1: chisquare([60, 30, 10], [50, 30, 20])
    const REFERENCE_GOF: (f64, f64) = (7.0, 0.0301973834223185);

    #[test]
    fn gap_change_by_hand() {
        // Now 60/100 vs 40/100 (gap 0.2), before 50/100 vs 50/100 (gap 0): Δ = 0.2,
        // var = (0.24 + 0.24 + 0.25 + 0.25) / 100 = 0.0098, z = 0.2 / 0.098995 = 2.0203.
        let (z, p) = gap_change_z_test((60, 100), (40, 100), (50, 100), (50, 100)).unwrap();
        assert!((z - 0.2 / 0.0098f64.sqrt()).abs() < 1e-12);
        assert!((p - normal_two_sided_p(z)).abs() < 1e-15);
        assert!((p - 0.04335).abs() < 1e-4);
        assert!(gap_change_z_test((0, 10), (10, 10), (0, 5), (5, 5)).is_none());
    }
}
