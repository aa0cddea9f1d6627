//! Two-sample tests and distances on numeric samples.
//!
//! Every function takes slices **sorted ascending, finite and non-empty** (see
//! [`sort_finite`](super::sort_finite)); `reference` is scipy's first argument and `current`
//! its second. Each walks the two sorted samples once (O(n₁ + n₂)), so nothing here sorts or
//! allocates per value, and ties are handled by grouping equal values. Each function states the
//! scipy 1.17.1 call it reproduces; the tests paste scipy's output for the same inputs.

use serde::{Deserialize, Serialize};

use super::kolmogorov::{kstwo_sf, outer_prob_inside_method, prob_outside_square};
use super::sample::{check_sorted, TestOutcome};
use super::special::{bessel_k_scaled, polyfit2, python_floor_div, student_t_two_sided};
use crate::error::{Error, Result};
use crate::stats::sum::{neumaier_sum, NeumaierSum};

/// Largest sample size for which [`ks_2samp`] computes the exact p-value (scipy's
/// `MAX_AUTO_N`).
pub const KS_EXACT_MAX_N: usize = 10_000;

/// Visits the distinct values of the union of two sorted samples in ascending order, with
/// `(value, #a ≤ value, #b ≤ value, #a == value, #b == value)`.
fn merge_walk(a: &[f64], b: &[f64], mut f: impl FnMut(f64, usize, usize, usize, usize)) {
    let (mut i, mut j) = (0usize, 0usize);
    loop {
        let v = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => {
                if x <= y {
                    x
                } else {
                    y
                }
            }
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        let (i0, j0) = (i, j);
        while i < a.len() && a[i] == v {
            i += 1;
        }
        while j < b.len() && b[j] == v {
            j += 1;
        }
        f(v, i, j, i - i0, j - j0);
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Two-sample Kolmogorov–Smirnov test, two-sided, exactly as
/// `scipy.stats.ks_2samp(reference, current)` (`alternative='two-sided'`, `method='auto'`).
///
/// Statistic: `D = sup_x |F_ref(x) − F_cur(x)|` over the pooled values (ECDFs evaluated with
/// `≤`, so ties are handled). P-value: when `max(n₁, n₂) ≤ 10 000` the exact null probability
/// `P(D_{n₁,n₂} ≥ D)` (Hodges 1958; [`kolmogorov`](super::kolmogorov)), in which case `D` is
/// reported rounded to the lattice `h / lcm(n₁, n₂)` as scipy does; otherwise, or if the exact
/// computation leaves `[0, 1]`, the asymptotic `kstwo.sf(D, round(n₁n₂/(n₁+n₂)))`
/// ([`kstwo_sf`]; `round` is half-to-even like `numpy.round`).
pub fn ks_2samp(reference: &[f64], current: &[f64]) -> Result<TestOutcome> {
    check_sorted("reference", reference)?;
    check_sorted("current", current)?;
    Ok(ks_2samp_presorted(reference, current))
}

/// [`ks_2samp`] for samples the caller has already sorted and checked (ascending, finite,
/// non-empty), without validating them again: for comparing many groups with one large
/// reference, where the checks would read the reference once per group.
pub fn ks_2samp_presorted(reference: &[f64], current: &[f64]) -> TestOutcome {
    let (n1, n2) = (reference.len(), current.len());
    // The largest and smallest `F_ref − F_cur`: by one walk of both samples, or, for a sample
    // much smaller than the other, by a binary search of the other at its values (the same
    // points where the extremes are, so the same bits).
    let extremes = if searching_pays(n1, n2) {
        ecdf_extremes_by_search(reference, current, false)
    } else if searching_pays(n2, n1) {
        ecdf_extremes_by_search(current, reference, true)
    } else {
        ecdf_extremes_by_walk(reference, current)
    };
    ks_outcome(n1, n2, extremes)
}

/// [`ks_2samp_presorted`] and [`wasserstein_presorted`] of the same two samples, in one walk of
/// both when the KS test would walk them (samples of similar sizes): the same bits as the two
/// calls, since each keeps its own arithmetic in its own order; half the reading.
pub fn ks_and_wasserstein_presorted(reference: &[f64], current: &[f64]) -> (TestOutcome, f64) {
    let (n1, n2) = (reference.len(), current.len());
    if searching_pays(n1, n2) || searching_pays(n2, n1) || n1 == 0 || n2 == 0 {
        return (
            ks_2samp_presorted(reference, current),
            cdf_distance(reference, current, false),
        );
    }
    let (extremes, w) = ecdf_extremes_and_distance(reference, current);
    (ks_outcome(n1, n2, extremes), w)
}

/// The KS outcome from the extremes `(max, min)` of `F_ref − F_cur` (statistic, exact or
/// asymptotic p-value: see [`ks_2samp`]).
fn ks_outcome(n1: usize, n2: usize, (max_diff, min_diff): (f64, f64)) -> TestOutcome {
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let min_s = (-min_diff).clamp(0.0, 1.0);
    let mut d = if min_s > max_diff { min_s } else { max_diff };
    let (n1u, n2u) = (n1 as u64, n2 as u64);
    if n1.max(n2) <= KS_EXACT_MAX_N {
        let g = gcd(n1u, n2u);
        let lcm = (n1u / g) * n2u;
        let h = (d * lcm as f64).round_ties_even();
        d = h / lcm as f64;
        if h == 0.0 {
            return TestOutcome {
                statistic: d,
                p_value: Some(1.0),
            };
        }
        let h = h as u64;
        let prob = if n1 == n2 {
            prob_outside_square(n1u, h)
        } else {
            outer_prob_inside_method(n1u, n2u, g, h)
        };
        if (0.0..=1.0).contains(&prob) {
            return TestOutcome {
                statistic: d,
                p_value: Some(prob),
            };
        }
        // scipy: "Exact calculation unsuccessful. Switching to method=asymp".
    }
    let (m, n) = if n1f >= n2f { (n1f, n2f) } else { (n2f, n1f) };
    let en = m * n / (m + n);
    let prob = kstwo_sf(d, en.round_ties_even() as u64);
    TestOutcome {
        statistic: d,
        p_value: Some(if prob.is_nan() {
            prob
        } else {
            prob.clamp(0.0, 1.0)
        }),
    }
}

/// Whether finding `small`'s values in `large` by binary search (`m log n`) beats walking both
/// (`n + m`).
fn searching_pays(large: usize, small: usize) -> bool {
    let log = (usize::BITS - large.leading_zeros()) as usize;
    small.saturating_mul(2 * log + 4) < large
}

/// A count as `f64`, by way of `i64` (the same value below 2⁶³): that conversion is one
/// instruction, where `usize as f64` is a sequence with a data-dependent branch, which cost the
/// merged walks below a third of their time.
#[inline(always)]
fn count(k: usize) -> f64 {
    k as i64 as f64
}

/// The largest and smallest `F_ref(v) − F_cur(v)` over the distinct values `v` of both sorted
/// samples, each ECDF taken after every copy of `v`: one merged walk.
fn ecdf_extremes_by_walk(reference: &[f64], current: &[f64]) -> (f64, f64) {
    let (n1, n2) = (reference.len(), current.len());
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let mut max_diff = f64::NEG_INFINITY;
    let mut min_diff = f64::INFINITY;
    // One merged element per step (both advance on a tie); the ECDFs are compared once the
    // last copy of a value is consumed, i.e. when the next head is larger.
    let head = |v: &[f64], k: usize| if k < v.len() { v[k] } else { f64::INFINITY };
    let (mut i, mut j) = (0usize, 0usize);
    while i < n1 || j < n2 {
        let (x, y) = (head(reference, i), head(current, j));
        let v = x.min(y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
        if head(reference, i).min(head(current, j)) > v {
            // Comparisons, not `f64::max`/`min`: see `ecdf_extremes_and_distance`.
            let diff = count(i) / n1f - count(j) / n2f;
            if diff > max_diff {
                max_diff = diff;
            }
            if diff < min_diff {
                min_diff = diff;
            }
        }
    }
    (max_diff, min_diff)
}

/// [`ecdf_extremes_by_walk`] and [`cdf_distance`] (`p = 1`) in one walk: each step adds the
/// distance's area before it advances and compares the ECDFs after, exactly as the two walks do
/// on their own (both samples non-empty).
fn ecdf_extremes_and_distance(reference: &[f64], current: &[f64]) -> ((f64, f64), f64) {
    let (n1, n2) = (reference.len(), current.len());
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let (inv1, inv2) = (1.0 / n1f, 1.0 / n2f);
    let (mut max_diff, mut min_diff) = (f64::NEG_INFINITY, f64::INFINITY);
    let head = |v: &[f64], k: usize| if k < v.len() { v[k] } else { f64::INFINITY };
    let (mut i, mut j) = (0usize, 0usize);
    let mut prev = reference[0].min(current[0]);
    let mut sum = NeumaierSum::default();
    while i < n1 || j < n2 {
        let (x, y) = (head(reference, i), head(current, j));
        let v = x.min(y);
        sum.add((count(i) * inv1 - count(j) * inv2).abs() * (v - prev));
        prev = v;
        i += usize::from(x <= y);
        j += usize::from(y <= x);
        if head(reference, i).min(head(current, j)) > v {
            // Plain comparisons rather than `f64::max`/`min` (no NaN can arise here), which
            // keeps their NaN handling off the loop's chain; a new extreme is rare.
            let diff = count(i) / n1f - count(j) / n2f;
            if diff > max_diff {
                max_diff = diff;
            }
            if diff < min_diff {
                min_diff = diff;
            }
        }
    }
    ((max_diff, min_diff), sum.value())
}

/// [`ecdf_extremes_by_walk`] when `small` is much smaller than `large`: `F_small` only steps at
/// `small`'s values, so `F_large − F_small` (or its negation, `swapped`, when `large` is the
/// current sample) is largest just before one of them or at the end, and smallest at one of
/// them; `large`'s counts there come from binary searches. Each candidate is a point the walk
/// evaluates, with the same counts, so the extremes are the walk's to the last bit.
fn ecdf_extremes_by_search(large: &[f64], small: &[f64], swapped: bool) -> (f64, f64) {
    let (nl, ns) = (large.len() as f64, small.len() as f64);
    // `F_ref − F_cur` at counts (a of large, b of small).
    let diff = |a: usize, b: usize| {
        if swapped {
            b as f64 / ns - a as f64 / nl
        } else {
            a as f64 / nl - b as f64 / ns
        }
    };
    let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
    let mut put = |d: f64| {
        hi = hi.max(d);
        lo = lo.min(d);
    };
    // Before `small`'s first value: the last of `large`'s values below it, if any.
    let below = large.partition_point(|&x| x < small[0]);
    if below > 0 {
        put(diff(below, 0));
    }
    let mut k = 0;
    while k < small.len() {
        let v = small[k];
        while k < small.len() && small[k] == v {
            k += 1;
        }
        // At `v`, after every copy of it in both samples.
        put(diff(large.partition_point(|&x| x <= v), k));
        // Just before the next value of `small` (or at the end): the last of `large`'s values
        // between, if any.
        let next = small.get(k).copied().unwrap_or(f64::INFINITY);
        let upto = large.partition_point(|&x| x < next);
        if upto > large.partition_point(|&x| x <= v) {
            put(diff(upto, k));
        }
    }
    (hi, lo)
}

/// Mann–Whitney U test, two-sided, as `scipy.stats.mannwhitneyu(reference, current)`
/// (`use_continuity=True`, `alternative='two-sided'`, `method='auto'`).
///
/// Statistic: `U₁ = Σ_{x∈ref} (#{y∈cur: y < x} + ½ #{y∈cur: y = x})` (= `R₁ − n₁(n₁+1)/2`
/// with mid-ranks). Method, as scipy 1.17 chooses it: asymptotic when both samples exceed 8
/// values or when the pooled sample has any tie, exact otherwise.
/// Exact: `p = 2 P(U ≤ n₁n₂ − max(U₁, U₂))` from the null distribution of U (coefficients of
/// the Gaussian binomial `[n₁+n₂ choose n₁]_q`, truncated at that bound).
/// (Deviation: when the exact table would exceed [`MWU_EXACT_MAX_TABLE`] entries, a sample of
/// ≤ 8 values against one of millions, the normal approximation is used instead of scipy's
/// exact computation, which is quadratic in that size.)
/// Asymptotic: `z = (max(U₁, U₂) − n₁n₂/2 − ½) / σ` with the tie-corrected
/// `σ² = n₁n₂/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1)))`, `p = 2Φ(−z)`; `p` is capped at 1.
pub fn mann_whitney_u(reference: &[f64], current: &[f64]) -> Result<TestOutcome> {
    check_sorted("reference", reference)?;
    check_sorted("current", current)?;
    let (n1, n2) = (reference.len(), current.len());
    let mut u1 = 0.0f64;
    let mut tie_term = 0.0f64;
    let mut any_tie = false;
    merge_walk(reference, current, |_, _, j, ta, tb| {
        let below = (j - tb) as f64;
        u1 += ta as f64 * (below + 0.5 * tb as f64);
        let t = (ta + tb) as f64;
        if ta + tb > 1 {
            any_tie = true;
            tie_term += t * t * t - t;
        }
    });
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let u2 = n1f * n2f - u1;
    let u = u1.max(u2);
    let kc = (n1f * n2f - u) as u64;
    let exact = !(any_tie || n1 > 8 && n2 > 8) && kc < MWU_EXACT_MAX_TABLE;
    let p = if exact {
        2.0 * mann_whitney_cdf(n1.min(n2) as u64, n1.max(n2) as u64, kc)
    } else {
        let mu = n1f * n2f / 2.0;
        let n = n1f + n2f;
        let s = (n1f * n2f / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
        let z = (u - mu - 0.5) / s;
        if z.is_nan() || z <= 0.0 {
            1.0
        } else {
            crate::stats::normal_two_sided_p(z)
        }
    };
    Ok(TestOutcome {
        statistic: u1,
        p_value: Some(p.clamp(0.0, 1.0)),
    })
}

/// Largest table of the exact Mann–Whitney null distribution (entries of 8 bytes) built
/// before falling back to the normal approximation: 2²⁴ entries, i.e. only when one sample
/// has at most 8 values and the other more than about four million.
pub const MWU_EXACT_MAX_TABLE: u64 = 1 << 24;

/// `P(U ≤ kc)` under the null for sample sizes `small ≤ large` without ties: the first
/// `kc + 1` coefficients of `∏_{i=1}^{small} (1 − q^{large+i}) / (1 − q^i)`, built one factor
/// at a time (each partial product is itself a Gaussian binomial with non-negative
/// coefficients), divided by `C(small + large, small)`. O(small · kc).
fn mann_whitney_cdf(small: u64, large: u64, kc: u64) -> f64 {
    let len = kc as usize + 1;
    let mut c = vec![0.0f64; len];
    c[0] = 1.0;
    for i in 1..=small as usize {
        let s = large as usize + i;
        if s < len {
            for u in (s..len).rev() {
                c[u] -= c[u - s];
            }
        }
        for u in i..len {
            c[u] += c[u - i];
        }
    }
    let total = (0..small).fold(1.0f64, |acc, j| {
        acc * (large + j + 1) as f64 / (j + 1) as f64
    });
    neumaier_sum(c.iter().copied()) / total
}

/// Mean and variance (`ddof`) with compensated sums, two passes.
fn mean_var(v: &[f64], ddof: f64) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = neumaier_sum(v.iter().copied()) / n;
    let ss = neumaier_sum(v.iter().map(|x| (x - mean) * (x - mean)));
    (mean, ss / (n - ddof))
}

/// Welch's unequal-variance t-test, two-sided, as
/// `scipy.stats.ttest_ind(reference, current, equal_var=False)`:
/// `t = (x̄_ref − x̄_cur) / √(s²_ref/n₁ + s²_cur/n₂)` (sample variances, `ddof = 1`), with the
/// Welch–Satterthwaite `df = (v₁ + v₂)² / (v₁²/(n₁−1) + v₂²/(n₂−1))`, `vᵢ = s²ᵢ/nᵢ`, and
/// `p = P(|T_df| ≥ |t|)` via the regularised incomplete beta.
///
/// Errors when a sample has fewer than two values or both samples are constant (t is then
/// undefined; scipy returns NaN).
pub fn welch_t_test(reference: &[f64], current: &[f64]) -> Result<TestOutcome> {
    check_sorted("reference", reference)?;
    check_sorted("current", current)?;
    if reference.len() < 2 || current.len() < 2 {
        return Err(Error::InvalidArgument(
            "Welch's t-test needs at least two values in each sample".into(),
        ));
    }
    let (n1, n2) = (reference.len() as f64, current.len() as f64);
    let (m1, v1) = mean_var(reference, 1.0);
    let (m2, v2) = mean_var(current, 1.0);
    let w = welch([n1, m1, v1], [n2, m2, v2])?;
    Ok(TestOutcome {
        statistic: w.t,
        p_value: Some(w.p_value),
    })
}

/// Welch's test from two samples' sizes, means and sample variances (`ddof = 1`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Welch {
    /// `t = (x̄₁ − x̄₂) / se`.
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// `se = √(s²₁/n₁ + s²₂/n₂)`.
    pub se: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// [`welch_t_test`]'s statistic from `[n, mean, sample variance]` of each sample (the
/// definitions above); an error when a sample has fewer than two values or both are constant.
pub fn welch(a: [f64; 3], b: [f64; 3]) -> Result<Welch> {
    let ([n1, m1, v1], [n2, m2, v2]) = (a, b);
    if n1 < 2.0 || n2 < 2.0 {
        return Err(Error::InvalidArgument(
            "Welch's t-test needs at least two values in each sample".into(),
        ));
    }
    let (vn1, vn2) = (v1 / n1, v2 / n2);
    let se2 = vn1 + vn2;
    if se2.is_nan() || se2 <= 0.0 {
        return Err(Error::InvalidArgument(
            "Welch's t-test is undefined when both samples are constant".into(),
        ));
    }
    let df = se2 * se2 / (vn1 * vn1 / (n1 - 1.0) + vn2 * vn2 / (n2 - 1.0));
    let t = (m1 - m2) / se2.sqrt();
    Ok(Welch {
        t,
        df,
        se: se2.sqrt(),
        p_value: student_t_two_sided(t, df),
    })
}

/// `∫ |F_ref − F_cur|^p dx` for `p ∈ {1, 2}` over the pooled sorted values (scipy's
/// `_cdf_distance` without weights).
fn cdf_distance(reference: &[f64], current: &[f64], squared: bool) -> f64 {
    // One merged element per step, branch-light: `v` is the smaller head (both advance on a
    // tie), and the area `|F_ref − F_cur|·(v − prev)` of the step before it is added. Equal
    // values give zero-width steps, so ties need no special case.
    let (n1, n2) = (reference.len(), current.len());
    let (inv1, inv2) = (1.0 / n1 as f64, 1.0 / n2 as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut prev = match (reference.first(), current.first()) {
        (Some(&x), Some(&y)) => x.min(y),
        _ => return 0.0,
    };
    let mut sum = NeumaierSum::default();
    while i < n1 || j < n2 {
        let x = if i < n1 { reference[i] } else { f64::INFINITY };
        let y = if j < n2 { current[j] } else { f64::INFINITY };
        let v = x.min(y);
        let diff = count(i) * inv1 - count(j) * inv2;
        sum.add(if squared { diff * diff } else { diff.abs() } * (v - prev));
        i += usize::from(x <= y);
        j += usize::from(y <= x);
        prev = v;
    }
    sum.value()
}

/// First Wasserstein (earth mover's) distance `∫ |F_ref(x) − F_cur(x)| dx`, as
/// `scipy.stats.wasserstein_distance(reference, current)`.
pub fn wasserstein(reference: &[f64], current: &[f64]) -> Result<f64> {
    check_sorted("reference", reference)?;
    check_sorted("current", current)?;
    Ok(cdf_distance(reference, current, false))
}

/// [`wasserstein`] for samples the caller has already sorted with [`super::sort_finite`]
/// (ascending, finite, non-empty), without validating them again: the runner's hot path, where
/// re-checking two million values per column costs more than the merge. On unsorted input the
/// result is meaningless (but nothing panics); use [`wasserstein`] when in doubt.
pub fn wasserstein_presorted(reference: &[f64], current: &[f64]) -> f64 {
    cdf_distance(reference, current, false)
}

/// [`wasserstein`] divided by the population standard deviation (`ddof = 0`) of `reference`,
/// Evidently's "Wasserstein distance (normed)". `None` when the reference is constant.
/// (Evidently instead divides by `max(std, 0.001)`; here a constant reference has no scale
/// and the caller decides.)
pub fn wasserstein_normed(reference: &[f64], current: &[f64]) -> Result<Option<f64>> {
    let w = wasserstein(reference, current)?;
    Ok(normed(w, population_sd(reference)))
}

/// The population standard deviation (`ddof = 0`) [`wasserstein_normed`] divides by: two passes
/// of compensated sums.
pub fn population_sd(v: &[f64]) -> f64 {
    mean_var(v, 0.0).1.sqrt()
}

/// A distance over the reference's standard deviation `sd`; `None` when `sd` is 0 (a constant
/// reference has no scale).
pub fn normed(distance: f64, sd: f64) -> Option<f64> {
    (sd > 0.0).then(|| distance / sd)
}

/// Energy distance `√(2 ∫ (F_ref − F_cur)² dx)` (Székely & Rizzo; the 1-D identity with the
/// CDF L² distance), as `scipy.stats.energy_distance(reference, current)`. O(n) on sorted
/// samples instead of the O(n²) pairwise definition.
pub fn energy_distance(reference: &[f64], current: &[f64]) -> Result<f64> {
    check_sorted("reference", reference)?;
    check_sorted("current", current)?;
    Ok(std::f64::consts::SQRT_2 * cdf_distance(reference, current, true).sqrt())
}

/// Result of the k-sample Anderson–Darling test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AndersonOutcome {
    /// Normalised statistic `(A²_akN − (k − 1)) / σ_N`.
    pub statistic: f64,
    /// Critical values at significance 25 %, 10 %, 5 %, 2.5 %, 1 %, 0.5 %, 0.1 %.
    pub critical_values: [f64; 7],
    /// Approximate p-value, interpolated and clipped to `[0.001, 0.25]`.
    pub p_value: f64,
}

/// Significance levels matching [`AndersonOutcome::critical_values`].
pub const ANDERSON_SIGNIFICANCE: [f64; 7] = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

/// k-sample Anderson–Darling test (Scholz & Stephens 1987, mid-rank version `A²_akN`,
/// eq. 7), as `scipy.stats.anderson_ksamp(samples)` with its defaults (`midrank=True`):
///
/// `A²_akN = (N−1)/N · Σᵢ 1/nᵢ Σⱼ lⱼ/N · (N·M_ij − B_j nᵢ)² / (B_j(N − B_j) − N lⱼ/4)` over the
/// distinct pooled values `z_j` (`lⱼ` ties, `B_j` mid-rank count, `M_ij` mid-rank count in
/// sample i); statistic `(A²_akN − (k−1))/σ_N` with the exact finite-N variance σ²_N.
/// Critical values `b₀ + b₁/√m + b₂/m` (`m = k − 1`, Table 2 of the paper). The p-value is
/// scipy's: `exp` of the least-squares quadratic through `(critical, ln significance)` at the
/// statistic, floored at 0.001 and capped at 0.25 outside the table's range.
///
/// Errors when fewer than two samples, an empty sample, fewer than four pooled values, or
/// fewer than two distinct pooled values.
pub fn anderson_ksamp(samples: &[&[f64]]) -> Result<AndersonOutcome> {
    let k = samples.len();
    if k < 2 {
        return Err(Error::InvalidArgument(
            "anderson_ksamp needs at least two samples".into(),
        ));
    }
    for (i, s) in samples.iter().enumerate() {
        check_sorted(&format!("sample {i}"), s)?;
    }
    let mut pooled: Vec<f64> = samples.iter().flat_map(|s| s.iter().copied()).collect();
    pooled.sort_unstable_by(f64::total_cmp);
    let n_total = pooled.len();
    if n_total < 4 {
        return Err(Error::InvalidArgument(format!(
            "anderson_ksamp needs at least four pooled values, got {n_total}"
        )));
    }
    // Distinct pooled values with their tie counts.
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for &v in &pooled {
        match distinct.last_mut() {
            Some((last, count)) if *last == v => *count += 1,
            _ => distinct.push((v, 1)),
        }
    }
    if distinct.len() < 2 {
        return Err(Error::InvalidArgument(
            "anderson_ksamp needs more than one distinct observation".into(),
        ));
    }
    let nf = n_total as f64;
    let mut a2akn = 0.0f64;
    for s in samples {
        let ni = s.len() as f64;
        let mut pos = 0usize; // #s < current distinct value
        let mut below_all = 0usize; // #pooled < current distinct value
        let mut inner = Vec::with_capacity(distinct.len());
        for &(z, lj) in &distinct {
            let start = pos;
            while pos < s.len() && s[pos] == z {
                pos += 1;
            }
            let fij = (pos - start) as f64;
            let lj = lj as f64;
            let bj = below_all as f64 + lj / 2.0;
            let mij = pos as f64 - fij / 2.0;
            let num = nf * mij - bj * ni;
            inner.push(lj / nf * num * num / (bj * (nf - bj) - nf * lj / 4.0));
            below_all += lj as usize;
        }
        a2akn += neumaier_sum(inner) / ni;
    }
    a2akn *= (nf - 1.0) / nf;

    let kf = k as f64;
    let h_big = samples.iter().map(|s| 1.0 / s.len() as f64).sum::<f64>();
    // hs_cs = cumsum(1 / [N−1, N−2, …, 2]); h = hs_cs[-1] + 1; g = Σ hs_cs[j] / (j + 2).
    let mut cum = 0.0f64;
    let mut g_terms = Vec::with_capacity(n_total.saturating_sub(2));
    for (j, d) in (2..n_total).rev().enumerate() {
        cum += 1.0 / d as f64;
        g_terms.push(cum / (j + 2) as f64);
    }
    let h = cum + 1.0;
    let g = neumaier_sum(g_terms);
    let a = (4.0 * g - 6.0) * (kf - 1.0) + (10.0 - 6.0 * g) * h_big;
    let b = (2.0 * g - 4.0) * kf * kf + 8.0 * h * kf + (2.0 * g - 14.0 * h - 4.0) * h_big - 8.0 * h
        + 4.0 * g
        - 6.0;
    let c = (6.0 * h + 2.0 * g - 2.0) * kf * kf
        + (4.0 * h - 4.0 * g + 6.0) * kf
        + (2.0 * h - 6.0) * h_big
        + 4.0 * h;
    let d = (2.0 * h + 6.0) * kf * kf - 4.0 * h * kf;
    let sigmasq =
        (a * nf.powi(3) + b * nf.powi(2) + c * nf + d) / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0));
    let m = kf - 1.0;
    let statistic = (a2akn - m) / sigmasq.sqrt();

    const B0: [f64; 7] = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
    const B1: [f64; 7] = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
    const B2: [f64; 7] = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
    let mut critical = [0.0f64; 7];
    for i in 0..7 {
        critical[i] = B0[i] + B1[i] / m.sqrt() + B2[i] / m;
    }
    let cmin = critical.iter().copied().fold(f64::INFINITY, f64::min);
    let cmax = critical.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let p_value = if statistic < cmin {
        0.25
    } else if statistic > cmax {
        0.001
    } else {
        let log_sig: Vec<f64> = ANDERSON_SIGNIFICANCE.iter().map(|s| s.ln()).collect();
        match polyfit2(&critical, &log_sig) {
            Some([c2, c1, c0]) => ((c2 * statistic + c1) * statistic + c0).exp(),
            None => f64::NAN,
        }
    };
    Ok(AndersonOutcome {
        statistic,
        critical_values: critical,
        p_value,
    })
}

/// Largest sample size for which [`cramervonmises_2samp`] computes the exact p-value
/// (scipy's `method='auto'` rule: exact when both samples have at most 20 values).
pub const CVM_EXACT_MAX_N: usize = 20;

/// Two-sample Cramér–von Mises test as `scipy.stats.cramervonmises_2samp(reference, current)`
/// (`method='auto'`), Anderson (1962) eq. 9:
///
/// `T = U / (n m (n + m)) − (4mn − 1) / (6(m + n))`, `U = n Σᵢ (rᵢ − i)² + m Σⱼ (sⱼ − j)²`
/// with mid-ranks `rᵢ`, `sⱼ` of each sorted sample in the pooled sample.
/// P-value: exact when `max(n, m) ≤ 20` (Xiao, Gordon & Yakovlev 2006: frequency table of
/// the statistic over all lattice paths), otherwise the limiting distribution applied to the
/// standardised statistic (Anderson 1962 eq. 15; `1 − cdf∞(tₙ)`, with scipy's series
/// truncation — stop after the first term below 1e-7 — and `p = 1` when `tₙ < 0.003`).
///
/// Precision note: the asymptotic p-value is `1 − cdf` with `cdf` a truncated series that sums
/// to nearly 1, so below ~1e-8 it carries an absolute float64 error of a few 1e-16 (scipy's
/// too) and mostly reflects scipy's truncation rather than the true tail (e.g. 2.3e-9 where
/// the untruncated tail is 2e-23). There fairgauge and scipy can differ by up to ~2e-5
/// relative; against the same truncated series in 50-digit arithmetic fairgauge's error is
/// 2–6e-6 relative and scipy's 4–17e-6 (at p ≈ 1e-10). Above ~3e-9 they agree within 1e-6.
///
/// Errors when a sample has fewer than two values.
pub fn cramervonmises_2samp(reference: &[f64], current: &[f64]) -> Result<TestOutcome> {
    check_sorted("reference", reference)?;
    check_sorted("current", current)?;
    let (nx, ny) = (reference.len(), current.len());
    if nx < 2 || ny < 2 {
        return Err(Error::InvalidArgument(
            "cramervonmises_2samp needs at least two values in each sample".into(),
        ));
    }
    let mut sx = 0.0f64;
    let mut sy = 0.0f64;
    merge_walk(reference, current, |_, i, j, ta, tb| {
        let below = ((i - ta) + (j - tb)) as f64;
        let midrank = below + ((ta + tb) as f64 + 1.0) / 2.0;
        for p in (i - ta + 1)..=i {
            let d = midrank - p as f64;
            sx += d * d;
        }
        for p in (j - tb + 1)..=j {
            let d = midrank - p as f64;
            sy += d * d;
        }
    });
    let (nxf, nyf) = (nx as f64, ny as f64);
    let u = nxf * sx + nyf * sy;
    let k = nxf * nyf;
    let n = nxf + nyf;
    let t = u / (k * n) - (4.0 * k - 1.0) / (6.0 * n);
    let p = if nx.max(ny) <= CVM_EXACT_MAX_N {
        cvm_exact_p(u, nx as u64, ny as u64)
    } else {
        cvm_asymptotic_p(t, nx as u64, ny as u64)
    };
    Ok(TestOutcome {
        statistic: t,
        p_value: Some(p),
    })
}

/// Exact `P(U ≥ u)` for sample sizes `m`, `n` (scipy's `_pval_cvm_2samp_exact`).
fn cvm_exact_p(u: f64, m: u64, n: u64) -> f64 {
    let g = gcd(m, n);
    let lcm = m / g * n;
    let a = (lcm / m) as i64;
    let b = (lcm / n) as i64;
    let mn = m * n;
    let numer = (lcm * lcm * (m + n)) as f64 * (6.0 * u - (mn * (4 * mn - 1)) as f64);
    let zeta = python_floor_div(numer, (6 * mn * mn) as f64);
    // gs[v]: sorted (value, frequency) pairs of the statistic over paths ending in column v.
    let m_us = m as usize;
    let mut gs: Vec<Vec<(u64, u64)>> = vec![Vec::new(); m_us + 1];
    gs[0].push((0, 1));
    for uu in 0..=n as i64 {
        let mut next_gs = Vec::with_capacity(m_us + 1);
        let mut tmp: Vec<(u64, u64)> = Vec::new();
        for (v, g_v) in gs.iter().enumerate() {
            tmp = merge_freqs(&tmp, g_v);
            let diff = a * v as i64 - b * uu;
            let res = (diff * diff) as u64;
            for e in tmp.iter_mut() {
                e.0 += res;
            }
            next_gs.push(tmp.clone());
        }
        gs = next_gs;
    }
    // C(m + n, m), exact (m, n ≤ 20 here, so it fits easily).
    let combinations = (0..m as u128).fold(1u128, |acc, j| acc * (n as u128 + j + 1) / (j + 1));
    let exceed: u64 = gs[m_us]
        .iter()
        .filter(|(value, _)| *value as f64 >= zeta)
        .map(|(_, f)| *f)
        .sum();
    exceed as f64 / combinations as f64
}

/// Merges two value-sorted frequency tables, adding frequencies of equal values.
fn merge_freqs(x: &[(u64, u64)], y: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut out = Vec::with_capacity(x.len() + y.len());
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        match x[i].0.cmp(&y[j].0) {
            std::cmp::Ordering::Less => {
                out.push(x[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(y[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push((x[i].0, x[i].1 + y[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&x[i..]);
    out.extend_from_slice(&y[j..]);
    out
}

/// Asymptotic p-value of the two-sample statistic `t` (scipy's
/// `_pval_cvm_2samp_asymptotic`): mean and variance of T (Anderson 1962 eqs. 11, 14),
/// standardised `tₙ = 1/6 + (t − E T)/√(45 Var T)`, `p = max(1 − cdf∞(tₙ), 0)`.
fn cvm_asymptotic_p(t: f64, nx: u64, ny: u64) -> f64 {
    let n = (nx + ny) as i128;
    let k = (nx * ny) as i128;
    let nf = n as f64;
    let et = (1.0 + 1.0 / nf) / 6.0;
    let vt_num = (n + 1) * (4 * k * n - 3 * ((nx * nx) as i128 + (ny * ny) as i128) - 2 * k);
    let vt_den = 45 * n * n * 4 * k;
    let vt = vt_num as f64 / vt_den as f64;
    let tn = 1.0 / 6.0 + (t - et) / (45.0 * vt).sqrt();
    if tn >= 0.003 {
        (1.0 - cvm_limit_cdf(tn)).max(0.0)
    } else {
        1.0
    }
}

/// CDF of the limiting Cramér–von Mises distribution (Csörgő & Faraway 1996, eq. 1.3):
/// `Σ_k Γ(k+½)/(Γ(k+1) π^{3/2} √x) · √(4k+1) · e^{−q} K_{1/4}(q)`, `q = (4k+1)²/(16x)`,
/// summed until (and including) the first term below 1e-7, as scipy's `_cdf_cvm_inf`.
fn cvm_limit_cdf(x: f64) -> f64 {
    use statrs::function::gamma::ln_gamma;
    let pi15 = std::f64::consts::PI.powf(1.5);
    let mut tot = 0.0f64;
    for k in 0..10_000u32 {
        let kf = k as f64;
        let u = (ln_gamma(kf + 0.5) - ln_gamma(kf + 1.0)).exp() / (pi15 * x.sqrt());
        let y = 4.0 * kf + 1.0;
        let q = y * y / (16.0 * x);
        let term = u * y.sqrt() * bessel_k_scaled(0.25, q) * (-2.0 * q).exp();
        tot += term;
        if term.is_nan() || term.abs() < 1e-7 {
            break;
        }
    }
    tot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fused_walk_is_ks_and_wasserstein_to_the_bit() {
        // Samples of similar sizes (the walked case), with ties within and across, and the
        // searched case (one much smaller), in both orientations.
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut draw = |n: usize, scale: f64| -> Vec<f64> {
            let mut v: Vec<f64> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    ((x >> 40) % 997) as f64 / scale
                })
                .collect();
            v.sort_by(f64::total_cmp);
            v
        };
        let cases = [
            (draw(5000, 10.0), draw(4000, 9.0)),
            (draw(300, 1.0), draw(300, 1.0)),
            (draw(1, 3.0), draw(2, 3.0)),
            (draw(20_000, 10.0), draw(7, 10.0)),
        ];
        for (a, b) in &cases {
            for (r, c) in [(a, b), (b, a)] {
                let (ks, w) = ks_and_wasserstein_presorted(r, c);
                let alone = ks_2samp_presorted(r, c);
                assert_eq!(ks.statistic.to_bits(), alone.statistic.to_bits());
                assert_eq!(
                    ks.p_value.map(f64::to_bits),
                    alone.p_value.map(f64::to_bits)
                );
                assert_eq!(w.to_bits(), wasserstein_presorted(r, c).to_bits());
            }
        }
    }

    #[test]
    fn ks_extremes_by_search_are_the_walks_to_the_bit() {
        // Small samples against large ones, with ties within and across, in both orientations.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |k: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % k) as f64 / 4.0
        };
        for trial in 0..300 {
            let (n_large, n_small) = (500 + trial * 7, 1 + trial % 23);
            let spread = 20 + (trial % 5) as u64 * 200;
            let mut large: Vec<f64> = (0..n_large).map(|_| next(spread)).collect();
            let mut small: Vec<f64> = (0..n_small).map(|_| next(spread + 40) - 2.0).collect();
            large.sort_by(f64::total_cmp);
            small.sort_by(f64::total_cmp);
            let walk = ecdf_extremes_by_walk(&large, &small);
            let search = ecdf_extremes_by_search(&large, &small, false);
            assert_eq!(walk.0.to_bits(), search.0.to_bits(), "trial {trial} max");
            assert_eq!(walk.1.to_bits(), search.1.to_bits(), "trial {trial} min");
            let walk = ecdf_extremes_by_walk(&small, &large);
            let search = ecdf_extremes_by_search(&large, &small, true);
            assert_eq!(
                walk.0.to_bits(),
                search.0.to_bits(),
                "trial {trial} swapped max"
            );
            assert_eq!(
                walk.1.to_bits(),
                search.1.to_bits(),
                "trial {trial} swapped min"
            );
        }
        assert!(searching_pays(1_000_000, 1000) && !searching_pays(1000, 1000));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(ks_2samp(&[], &[1.0]).is_err());
        assert!(ks_2samp(&[2.0, 1.0], &[1.0]).is_err());
        assert!(mann_whitney_u(&[f64::NAN], &[1.0]).is_err());
        assert!(welch_t_test(&[1.0], &[1.0, 2.0]).is_err());
        assert!(welch_t_test(&[1.0, 1.0], &[2.0, 2.0]).is_err());
        assert!(wasserstein(&[1.0], &[]).is_err());
        assert!(energy_distance(&[1.0, f64::INFINITY], &[1.0]).is_err());
        assert!(cramervonmises_2samp(&[1.0], &[1.0, 2.0]).is_err());
        assert!(anderson_ksamp(&[&[1.0, 2.0]]).is_err());
        assert!(anderson_ksamp(&[&[1.0, 1.0], &[1.0, 1.0]]).is_err());
        assert!(anderson_ksamp(&[&[1.0], &[2.0]]).is_err());
        assert_eq!(wasserstein_normed(&[3.0, 3.0], &[1.0]).unwrap(), None);
    }

    #[test]
    fn identical_samples() {
        let a = [1.0, 2.0, 2.0, 3.0];
        let ks = ks_2samp(&a, &a).unwrap();
        assert_eq!(ks.statistic, 0.0);
        assert_eq!(ks.p_value, Some(1.0));
        assert_eq!(wasserstein(&a, &a).unwrap(), 0.0);
        assert_eq!(energy_distance(&a, &a).unwrap(), 0.0);
        // All values tied: σ = 0, scipy's z = −∞ → p = 1.
        let mw = mann_whitney_u(&[5.0; 10], &[5.0; 12]).unwrap();
        assert_eq!(mw.statistic, 60.0);
        assert_eq!(mw.p_value, Some(1.0));
    }

    #[test]
    fn mann_whitney_exact_distribution_sums_to_one() {
        // P(U ≤ n₁n₂) = 1 and the distribution is symmetric.
        for &(a, b) in &[(1u64, 1u64), (3, 5), (8, 8), (2, 30), (7, 1)] {
            let (s, l) = (a.min(b), a.max(b));
            let full = mann_whitney_cdf(s, l, s * l);
            assert!((full - 1.0).abs() < 1e-13, "{a} {b}: {full}");
            let mid = s * l / 2;
            let lower = mann_whitney_cdf(s, l, mid);
            let upper = 1.0 - mann_whitney_cdf(s, l, s * l - mid - 1);
            assert!((lower - upper).abs() < 1e-13);
        }
    }

    #[test]
    fn scipy_docstring_examples() {
        // scipy 1.17.1 mannwhitneyu docstring: males=[19, 22, 16, 29, 24], females=[20, 11, 17, 12]
        //   mannwhitneyu(males, females) -> statistic 17.0, pvalue 0.1111111111111111 (exact)
        let mut males = vec![19.0, 22.0, 16.0, 29.0, 24.0];
        let mut females = vec![20.0, 11.0, 17.0, 12.0];
        super::super::sort_finite(&mut males);
        super::super::sort_finite(&mut females);
        let r = mann_whitney_u(&males, &females).unwrap();
        assert_eq!(r.statistic, 17.0);
        assert!((r.p_value.unwrap() - 0.1111111111111111).abs() < 1e-15);
    }

    /// The walks as first written (`usize` counts converted each step, `f64::max`/`min`): the
    /// faster forms must give the same bits, ties and unequal sizes included.
    #[test]
    fn walks_keep_the_plain_walks_bits() {
        fn plain(r: &[f64], c: &[f64], squared: bool) -> (f64, f64, f64) {
            let (n1f, n2f) = (r.len() as f64, c.len() as f64);
            let head = |v: &[f64], k: usize| if k < v.len() { v[k] } else { f64::INFINITY };
            let (mut i, mut j) = (0usize, 0usize);
            let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
            let mut prev = r[0].min(c[0]);
            let mut sum = crate::stats::sum::NeumaierSum::default();
            while i < r.len() || j < c.len() {
                let (x, y) = (head(r, i), head(c, j));
                let v = x.min(y);
                let d = i as f64 * (1.0 / n1f) - j as f64 * (1.0 / n2f);
                sum.add(if squared { d * d } else { d.abs() } * (v - prev));
                prev = v;
                i += usize::from(x <= y);
                j += usize::from(y <= x);
                if head(r, i).min(head(c, j)) > v {
                    let diff = i as f64 / n1f - j as f64 / n2f;
                    hi = hi.max(diff);
                    lo = lo.min(diff);
                }
            }
            (hi, lo, sum.value())
        }
        let mut x = 0x853C_49E6_748F_EA9Bu64;
        let mut draw = |n: usize, levels: u64| -> Vec<f64> {
            let mut v: Vec<f64> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x % levels) as f64 / 7.0 - 3.0
                })
                .collect();
            v.sort_by(f64::total_cmp);
            v
        };
        for (n1, n2, levels) in [
            (1, 1, 3),
            (5, 9, 2),
            (1000, 1500, 40),
            (20_000, 7_000, 1 << 40),
        ] {
            let (r, c) = (draw(n1, levels), draw(n2, levels));
            let bits = |t: (f64, f64, f64)| (t.0.to_bits(), t.1.to_bits(), t.2.to_bits());
            let ((hi, lo), w) = ecdf_extremes_and_distance(&r, &c);
            assert_eq!(bits((hi, lo, w)), bits(plain(&r, &c, false)), "{n1} {n2}");
            let (hi, lo) = ecdf_extremes_by_walk(&r, &c);
            assert_eq!(
                bits((hi, lo, cdf_distance(&r, &c, false))),
                bits(plain(&r, &c, false))
            );
            assert_eq!(
                cdf_distance(&r, &c, true).to_bits(),
                plain(&r, &c, true).2.to_bits()
            );
        }
    }
}
