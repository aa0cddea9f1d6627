//! Summary of one numeric column from its sorted finite values.
//!
//! [`NumericProfile::from_sorted`] takes the column's finite values **sorted ascending** (see
//! [`crate::drift::sort_finite`]) and reads every statistic off the sorted slice: order
//! statistics directly, counts by binary search, the median absolute deviation by a merge walk
//! of the deviations on both sides of the median. Nothing is sorted or allocated per value.
//! Each statistic states the numpy 2.4 / pandas expression it reproduces; the tests in
//! `tests/quality_numeric.rs` paste numpy's output for the same inputs.

use serde::{Deserialize, Serialize};

use crate::stats::sum::neumaier_sum;

/// Probabilities of [`NumericProfile::quantiles`]: 1st, 5th, 25th, 50th, 75th, 95th and 99th
/// percentiles.
pub const QUANTILES: [f64; 7] = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

/// Tukey's fence multiplier: a value is an IQR outlier when it lies strictly outside
/// `[q₁ − 1.5·IQR, q₃ + 1.5·IQR]` (Tukey 1977, *Exploratory Data Analysis*).
pub const IQR_K: f64 = 1.5;

/// Cut-off of the modified z-score `M = 0.6745 (x − median) / MAD`: a value is a robust-z
/// outlier when `|M| > 3.5` (Iglewicz & Hoaglin 1993, *How to Detect and Handle Outliers*).
pub const ROBUST_Z_CUTOFF: f64 = 3.5;

/// The constant of the modified z-score, `Φ⁻¹(0.75) ≈ 0.6745` as printed by Iglewicz &
/// Hoaglin (1993) (it makes `MAD / 0.6745` a consistent estimator of σ under normality).
pub(crate) const ROBUST_Z_SCALE: f64 = 0.6745;

/// Profile of the finite values of a numeric column.
///
/// Built by [`NumericProfile::from_sorted`]; every field is defined there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericProfile {
    /// Number of finite values summarised (`n`).
    pub count: u64,
    /// Smallest value (`sorted[0]`).
    pub min: f64,
    /// Largest value (`sorted[n − 1]`).
    pub max: f64,
    /// Arithmetic mean: Neumaier-compensated sum divided by `n` (as `numpy.mean` up to
    /// rounding), clamped to `[min, max]`; exactly `min` when all values are equal.
    pub mean: f64,
    /// Sample standard deviation with `ddof = 1`, `sqrt(Σ(x − mean)² / (n − 1))` (two-pass,
    /// compensated); as `numpy.std(x, ddof=1)` and pandas `Series.std()`. `None` when `n < 2`;
    /// exactly `0` when all values are equal.
    pub std: Option<f64>,
    /// `(q, value)` for each `q` in [`QUANTILES`], by [`quantile_sorted`] (numpy's default
    /// `method="linear"`, Hyndman & Fan type 7, as pandas `Series.quantile`).
    pub quantiles: Vec<(f64, f64)>,
    /// Number of distinct values, exact: runs of equal values in the sorted slice, with
    /// `-0.0 == 0.0` (as `len(numpy.unique(x))` and pandas `Series.nunique()`).
    pub distinct: u64,
    /// Most frequent value; the smallest of them on ties (as `scipy.stats.mode`). For a run
    /// holding both `-0.0` and `0.0`, its first value (`-0.0`).
    pub mode: f64,
    /// Number of occurrences of [`mode`](Self::mode).
    pub mode_count: u64,
    /// Interquartile range `q₃ − q₁` (linear quantiles at 0.75 and 0.25, as
    /// `scipy.stats.iqr(x)`).
    pub iqr: f64,
    /// Tukey's fences `(q₁ − 1.5·IQR, q₃ + 1.5·IQR)` ([`IQR_K`]).
    pub iqr_fences: (f64, f64),
    /// Number of values strictly outside [`iqr_fences`](Self::iqr_fences)
    /// ([`count_outside`]).
    pub iqr_outliers: u64,
    /// Median: the middle value, or the mean `(a + b) / 2` of the two middle values for even
    /// `n`, exactly as `numpy.median` (which may differ from the 0.5 entry of
    /// [`quantiles`](Self::quantiles), numpy's `quantile(x, 0.5)`, in the last bit).
    pub median: f64,
    /// Raw (unscaled) median absolute deviation, `median(|x − median(x)|)` with the median
    /// computed as for [`median`](Self::median); as
    /// `numpy.median(numpy.abs(x - numpy.median(x)))` and
    /// `scipy.stats.median_abs_deviation(x)` (`scale=1.0`).
    pub mad: f64,
    /// Number of values with modified z-score `|0.6745 (x − median) / MAD| > 3.5`
    /// (Iglewicz & Hoaglin 1993; [`ROBUST_Z_CUTOFF`]); `None` when `MAD = 0` (more than half
    /// of the values equal the median, so the score is undefined).
    pub robust_z_outliers: Option<u64>,
}

impl NumericProfile {
    /// Profile of `sorted`, the finite values of a column sorted ascending (the caller
    /// guarantees both; debug builds assert them, release builds return meaningless numbers
    /// but never panic on a violation). `None` when `sorted` is empty.
    ///
    /// Runs in O(n) time (mean, standard deviation, distinct values, mode and the MAD merge
    /// walk) with no allocation besides the seven quantiles.
    #[must_use]
    pub fn from_sorted(sorted: &[f64]) -> Option<NumericProfile> {
        debug_assert!(
            sorted.iter().all(|x| x.is_finite()),
            "NumericProfile::from_sorted: non-finite value"
        );
        debug_assert!(
            sorted.windows(2).all(|w| w[0] <= w[1]),
            "NumericProfile::from_sorted: not sorted ascending"
        );
        let (&min, &max) = (sorted.first()?, sorted.last()?);
        let n = sorted.len();

        let (mean, std) = if min == max {
            (min, (n >= 2).then_some(0.0))
        } else {
            let mean = (neumaier_sum(sorted.iter().copied()) / n as f64).clamp(min, max);
            let std = (n >= 2).then(|| {
                let ss = neumaier_sum(sorted.iter().map(|&x| (x - mean) * (x - mean)));
                (ss / (n - 1) as f64).sqrt()
            });
            (mean, std)
        };

        let quantiles: Vec<(f64, f64)> = QUANTILES
            .iter()
            .map(|&q| (q, quantile_sorted(sorted, q)))
            .collect();
        let q1 = quantile_sorted(sorted, 0.25);
        let q3 = quantile_sorted(sorted, 0.75);
        let iqr = q3 - q1;
        let iqr_fences = (q1 - IQR_K * iqr, q3 + IQR_K * iqr);
        let iqr_outliers = count_outside(sorted, iqr_fences.0, iqr_fences.1);

        let (distinct, mode, mode_count) = runs(sorted);
        let median = median_sorted(sorted);
        let mad = mad_sorted(sorted, median);
        let robust_z_outliers = (mad > 0.0).then(|| robust_z_count(sorted, median, mad));

        Some(NumericProfile {
            count: n as u64,
            min,
            max,
            mean,
            std,
            quantiles,
            distinct,
            mode,
            mode_count,
            iqr,
            iqr_fences,
            iqr_outliers,
            median,
            mad,
            robust_z_outliers,
        })
    }
}

/// Quantile `q` of an ascending slice by linear interpolation between order statistics,
/// exactly as `numpy.quantile(x, q)` (default `method="linear"`, Hyndman & Fan 1996 type 7,
/// also pandas `Series.quantile`): with `h = (n − 1)·q`, `j = ⌊h⌋`, `γ = h − j`,
/// `a = x₍ⱼ₎`, `b = x₍ⱼ₊₁₎`, the value is `a + (b − a)·γ` when `γ < 0.5` and
/// `b − (b − a)·(1 − γ)` otherwise (numpy's `_lerp`); `x₍ₙ₋₁₎` when `h ≥ n − 1`.
///
/// `q` is clamped to `[0, 1]` (numpy raises instead). Returns NaN when `sorted` is empty or
/// `q` is NaN. Where `b − a` overflows (values beyond ±f64::MAX/2) it returns
/// `a·(1 − γ) + b·γ` instead of numpy's ±∞/NaN.
#[must_use]
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 || q.is_nan() {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let last = n - 1;
    if h >= last as f64 {
        return sorted[last];
    }
    let floor = h.floor();
    // 0 ≤ floor < n − 1, so both indices are in bounds.
    let j = (floor as usize).min(last);
    let gamma = h - floor;
    let a = sorted[j];
    let b = sorted[(j + 1).min(last)];
    if gamma == 0.0 {
        return a;
    }
    let diff = b - a;
    if !diff.is_finite() {
        return a * (1.0 - gamma) + b * gamma;
    }
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// Number of values of an ascending slice strictly outside `[lo, hi]`, i.e. with `x < lo` or
/// `x > hi`, by two binary searches (O(log n)). A NaN bound imposes no limit on its side;
/// when `lo > hi` every value is outside.
#[must_use]
pub fn count_outside(sorted: &[f64], lo: f64, hi: f64) -> u64 {
    let n = sorted.len();
    // `x < lo` holds on a prefix and `x > hi` on a suffix of an ascending slice.
    let below = sorted.partition_point(|&x| x < lo);
    let above_start = sorted.partition_point(|&x| x <= hi || hi.is_nan());
    if below >= above_start {
        n as u64
    } else {
        (below + (n - above_start)) as u64
    }
}

/// Mean of two values as numpy's `mean([a, b])`, `(a + b) / 2`, falling back to
/// `a/2 + b/2` when the sum overflows.
fn mean2(a: f64, b: f64) -> f64 {
    let m = (a + b) / 2.0;
    if m.is_finite() {
        m
    } else {
        a / 2.0 + b / 2.0
    }
}

/// `numpy.median` of an ascending non-empty slice.
fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match (sorted.get((n.max(1) - 1) / 2), sorted.get(n / 2)) {
        (Some(&a), Some(&b)) if n.is_multiple_of(2) => mean2(a, b),
        (Some(&a), _) => a,
        _ => f64::NAN,
    }
}

/// `(distinct, mode, mode_count)` from the runs of equal values (`==`, so `-0.0 == 0.0`);
/// the first of the longest runs is the mode, i.e. the smallest most frequent value.
fn runs(sorted: &[f64]) -> (u64, f64, u64) {
    let mut distinct = 0u64;
    let (mut mode, mut mode_count) = (f64::NAN, 0u64);
    let mut i = 0;
    while let Some(&v) = sorted.get(i) {
        let start = i;
        while sorted.get(i).is_some_and(|&x| x == v) {
            i += 1;
        }
        distinct += 1;
        let len = (i - start) as u64;
        if len > mode_count {
            (mode, mode_count) = (v, len);
        }
    }
    (distinct, mode, mode_count)
}

/// Raw median absolute deviation `median(|x − m|)` of an ascending slice around its median
/// `m`, in O(n) without allocating: the deviations of the values below `m`, read right to
/// left, and of the values at or above `m`, read left to right, are both ascending (rounding
/// of `x − m` is monotone), so a merge walk of the two reaches the middle order statistic(s)
/// after `⌊n/2⌋ + 1` steps. For even `n` the two middle deviations are averaged as
/// `numpy.median` does, `(a + b) / 2`.
fn mad_sorted(sorted: &[f64], m: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let split = sorted.partition_point(|&x| x < m);
    let (left, right) = sorted.split_at(split);
    let mut l = left.iter().rev().map(|&x| (x - m).abs()).peekable();
    let mut r = right.iter().map(|&x| (x - m).abs()).peekable();
    let hi = n / 2;
    let lo = (n - 1) / 2;
    let (mut d_lo, mut d_hi) = (f64::NAN, f64::NAN);
    for k in 0..=hi {
        let d = match (l.peek(), r.peek()) {
            (Some(&a), Some(&b)) if a <= b => l.next(),
            (Some(_), Some(_)) | (None, Some(_)) => r.next(),
            (Some(_), None) => l.next(),
            (None, None) => None,
        };
        let Some(d) = d else { break };
        if k == lo {
            d_lo = d;
        }
        if k == hi {
            d_hi = d;
        }
    }
    if n.is_multiple_of(2) {
        mean2(d_lo, d_hi)
    } else {
        d_lo
    }
}

/// Number of values with `|0.6745 (x − m) / mad| > 3.5`, evaluated in that order as
/// `numpy.abs(0.6745 * (x - m) / mad) > 3.5`. The score is non-decreasing in `x` (each
/// rounded operation is monotone and `mad > 0`), so `score < −3.5` holds on a prefix and
/// `score > 3.5` on a suffix: two binary searches.
fn robust_z_count(sorted: &[f64], m: f64, mad: f64) -> u64 {
    let score = |x: f64| ROBUST_Z_SCALE * (x - m) / mad;
    let n = sorted.len();
    let below = sorted.partition_point(|&x| score(x) < -ROBUST_Z_CUTOFF);
    let above_start = sorted.partition_point(|&x| score(x) <= ROBUST_Z_CUTOFF);
    if below >= above_start {
        n as u64
    } else {
        (below + (n - above_start)) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The MAD by the definition: allocate the deviations, sort, take numpy's median.
    fn mad_naive(sorted: &[f64]) -> f64 {
        let m = median_sorted(sorted);
        let mut d: Vec<f64> = sorted.iter().map(|&x| (x - m).abs()).collect();
        d.sort_by(f64::total_cmp);
        median_sorted(&d)
    }

    #[test]
    fn mad_merge_walk_matches_definition() {
        // Deterministic pseudo-random integers with many ties, all lengths 1..60.
        let mut state = 12345u64;
        for n in 1..60usize {
            let mut v: Vec<f64> = (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    ((state >> 33) % 17) as f64 - 8.0
                })
                .collect();
            v.sort_by(f64::total_cmp);
            let m = median_sorted(&v);
            assert_eq!(mad_sorted(&v, m), mad_naive(&v), "n = {n}: {v:?}");
        }
    }

    #[test]
    fn quantile_edges() {
        assert!(quantile_sorted(&[], 0.5).is_nan());
        assert!(quantile_sorted(&[1.0], f64::NAN).is_nan());
        assert_eq!(quantile_sorted(&[1.0, 2.0], -1.0), 1.0);
        assert_eq!(quantile_sorted(&[1.0, 2.0], 2.0), 2.0);
        assert_eq!(quantile_sorted(&[-f64::MAX, f64::MAX], 0.5), 0.0);
        assert_eq!(quantile_sorted(&[-f64::MAX, f64::MAX], 0.0), -f64::MAX);
    }

    #[test]
    fn count_outside_edges() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(count_outside(&v, 2.0, 3.0), 2);
        assert_eq!(count_outside(&v, 1.5, 3.5), 2);
        assert_eq!(count_outside(&v, 0.0, 5.0), 0);
        assert_eq!(count_outside(&v, 3.5, 1.5), 4);
        assert_eq!(count_outside(&v, f64::NAN, 2.5), 2);
        assert_eq!(count_outside(&v, 2.5, f64::NAN), 2);
        assert_eq!(count_outside(&[], 0.0, 1.0), 0);
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        let v = [-f64::MAX, f64::MAX];
        let p = NumericProfile::from_sorted(&v).unwrap();
        assert_eq!(p.median, 0.0);
        assert_eq!(p.mad, f64::MAX);
    }
}
