//! A numeric column's profile in bounded memory: [`NumericSketch`], a mergeable summary that a
//! streaming or distributed quality run keeps instead of the column's values.
//!
//! It holds, whatever the number of values:
//!
//! * the exact count, mean and sum of squared deviations ([`Moments`], merged by Chan, Golub &
//!   LeVeque 1979), minimum, maximum, the two smallest and two largest distinct values, whether
//!   every value is whole, and exact counts of a few watched values (the quality module's
//!   numeric sentinels such as `-999`);
//! * the exact count of every distinct value while there are at most [`EXACT_VALUE_LIMIT`] of
//!   them: quantiles, IQR and robust-z outliers, median, MAD, distinct count and mode are then
//!   **exact**, computed by the same definitions as [`NumericProfile::from_sorted`] over the
//!   values with their counts;
//! * a KLL quantile sketch ([`KllSketch`], Karnin, Lang & Liberty 2016) of parameter `k`: once a
//!   column has more distinct values than the limit, quantiles, fences, outlier counts, median
//!   and MAD are read off the sketch's weighted items, with every rank (and so every count) within
//!   `ε·n` of the truth, `ε` = [`crate::drift::sketch::normalized_rank_error`]`(k)`, with
//!   probability ≥ 99 % ([`NumericSketch::rank_error`]); the distinct count is left to the
//!   caller's HyperLogLog and the mode is reported only when the sketch proves a value frequent
//!   (its weight above `ε·n`).
//!
//! Memory: about `3k` retained values plus the distinct-value counts (at most
//! [`EXACT_VALUE_LIMIT`], dropped beyond), independent of the rows.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::association::Moments;
use super::numeric::{NumericProfile, IQR_K, QUANTILES, ROBUST_Z_CUTOFF, ROBUST_Z_SCALE};
use crate::drift::sketch::KllSketch;
use crate::error::Result;
use crate::stats::sum::neumaier_sum;

/// Distinct values counted exactly per column before the counts are dropped for the sketch.
pub const EXACT_VALUE_LIMIT: usize = 65_536;

/// The mergeable bounded-memory summary of a numeric column's finite values (see the module
/// documentation).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NumericSketch {
    kll: KllSketch,
    moments: Moments,
    integral: bool,
    /// Up to two smallest distinct values, ascending.
    low: Vec<f64>,
    /// Up to two largest distinct values, descending.
    high: Vec<f64>,
    /// Exact counts by value (key: the bits, `-0.0` as `0.0`) while there are few values.
    counts: Option<FxHashMap<u64, u64>>,
    watch: Vec<f64>,
    watched: Vec<u64>,
}

fn key(x: f64) -> u64 {
    if x == 0.0 {
        0
    } else {
        x.to_bits()
    }
}

/// Keeps the two smallest distinct values of `into` and `from` (by `better`).
fn keep_two(into: &mut Vec<f64>, from: &[f64], better: impl Fn(f64, f64) -> bool) {
    for &x in from {
        if into.contains(&x) {
            continue;
        }
        into.push(x);
        into.sort_by(|a, b| {
            if better(*a, *b) {
                std::cmp::Ordering::Less
            } else if better(*b, *a) {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        });
        into.truncate(2);
    }
}

impl NumericSketch {
    /// An empty summary with a KLL sketch of parameter `k` (≥ 8) counting the values of
    /// `watch` exactly.
    pub fn new(k: u16, watch: &[f64]) -> Result<Self> {
        Ok(NumericSketch {
            kll: KllSketch::new(k)?,
            moments: Moments::default(),
            integral: true,
            low: vec![],
            high: vec![],
            counts: Some(FxHashMap::default()),
            watch: watch.to_vec(),
            watched: vec![0; watch.len()],
        })
    }

    /// Adds the finite values of `xs` (NaN and ±∞ are skipped: the caller counts them).
    pub fn add(&mut self, xs: &[f64]) -> Result<()> {
        let fin: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
        if fin.is_empty() {
            return Ok(());
        }
        self.kll.extend(&fin)?;
        let n = fin.len() as u64;
        let mean = neumaier_sum(fin.iter().copied()) / n as f64;
        let m2 = neumaier_sum(fin.iter().map(|&x| (x - mean) * (x - mean)));
        self.moments.merge(&Moments { n, mean, m2 });
        let (mut lo, mut hi): (Vec<f64>, Vec<f64>) = (vec![], vec![]);
        for &x in &fin {
            if lo.len() < 2 || x < lo[1] {
                keep_two(&mut lo, &[x], |a, b| a < b);
            }
            if hi.len() < 2 || x > hi[1] {
                keep_two(&mut hi, &[x], |a, b| a > b);
            }
            if self.integral && x.fract() != 0.0 {
                self.integral = false;
            }
            if x.fract() == 0.0 {
                if let Some(i) = self.watch.iter().position(|&w| w == x) {
                    self.watched[i] += 1;
                }
            }
        }
        let low = std::mem::take(&mut self.low);
        keep_two(&mut self.low, &low, |a, b| a < b);
        keep_two(&mut self.low, &lo, |a, b| a < b);
        let high = std::mem::take(&mut self.high);
        keep_two(&mut self.high, &high, |a, b| a > b);
        keep_two(&mut self.high, &hi, |a, b| a > b);
        if let Some(c) = &mut self.counts {
            for &x in &fin {
                *c.entry(key(x)).or_default() += 1;
            }
            if c.len() > EXACT_VALUE_LIMIT {
                self.counts = None;
            }
        }
        Ok(())
    }

    /// Merges another summary (of the same `k` and watched values) into this one.
    pub fn merge(&mut self, o: &NumericSketch) -> Result<()> {
        self.kll.merge(&o.kll)?;
        self.moments.merge(&o.moments);
        self.integral &= o.integral;
        keep_two(&mut self.low, &o.low, |a, b| a < b);
        keep_two(&mut self.high, &o.high, |a, b| a > b);
        for (a, b) in self.watched.iter_mut().zip(&o.watched) {
            *a += b;
        }
        match (&mut self.counts, &o.counts) {
            (Some(c), Some(d)) => {
                for (k, v) in d {
                    *c.entry(*k).or_default() += v;
                }
                if c.len() > EXACT_VALUE_LIMIT {
                    self.counts = None;
                }
            }
            _ => self.counts = None,
        }
        Ok(())
    }

    /// Stops counting distinct values (a column already known to have too many).
    pub fn drop_counts(&mut self) {
        self.counts = None;
    }

    /// Whether distinct values are still counted exactly.
    pub fn counts_exact(&self) -> bool {
        self.counts.is_some()
    }

    /// Number of finite values.
    pub fn count(&self) -> u64 {
        self.moments.n
    }

    /// Whether every finite value is whole (`None` without values).
    pub fn integral(&self) -> Option<bool> {
        (self.moments.n > 0).then_some(self.integral)
    }

    /// The exact count of each watched value, in the order given to [`new`](Self::new).
    pub fn watched(&self) -> &[u64] {
        &self.watched
    }

    /// The smallest value greater than the minimum (`None` with fewer than two distinct values).
    pub fn second_smallest(&self) -> Option<f64> {
        self.low.get(1).copied()
    }

    /// The normalised rank error bound of the quantiles and counts: 0 while the values are
    /// counted exactly, else the KLL sketch's bound.
    pub fn rank_error(&self) -> f64 {
        if self.counts.is_some() {
            0.0
        } else {
            self.kll.rank_error_bound()
        }
    }

    /// The KLL parameter `k`.
    pub fn k(&self) -> u16 {
        self.kll.k()
    }

    fn weighted(&self) -> Weighted {
        let pairs: Vec<(f64, u64)> = match &self.counts {
            Some(c) => {
                let mut p: Vec<(f64, u64)> =
                    c.iter().map(|(&k, &n)| (f64::from_bits(k), n)).collect();
                p.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                p
            }
            None => {
                // Equal retained items form one weighted value.
                let mut p: Vec<(f64, u64)> = vec![];
                for (x, w) in self.kll.weighted_items() {
                    match p.last_mut() {
                        Some(l) if l.0 == x => l.1 += w,
                        _ => p.push((x, w)),
                    }
                }
                p
            }
        };
        Weighted::new(pairs)
    }

    /// The profile by the definitions of [`NumericProfile::from_sorted`]: exact while the
    /// values are counted (the mean and standard deviation from merged moments, equal to the
    /// sorted computation up to rounding), otherwise read off the KLL sketch within
    /// [`rank_error`](Self::rank_error) (see the module documentation). `distinct` is 0 and
    /// `mode` NaN when they are not known (the caller reports its HyperLogLog estimate).
    /// `None` without values.
    pub fn profile(&self) -> Option<NumericProfile> {
        let n = self.moments.n;
        let (&min, &max) = (self.low.first()?, self.high.first()?);
        let w = self.weighted();
        let (mean, std) = if min == max {
            (min, (n >= 2).then_some(0.0))
        } else {
            let std = (n >= 2).then(|| (self.moments.m2.max(0.0) / (n - 1) as f64).sqrt());
            (self.moments.mean.clamp(min, max), std)
        };
        let quantiles: Vec<(f64, f64)> = QUANTILES.iter().map(|&q| (q, w.quantile(q))).collect();
        let (q1, q3) = (w.quantile(0.25), w.quantile(0.75));
        let iqr = q3 - q1;
        let iqr_fences = (q1 - IQR_K * iqr, q3 + IQR_K * iqr);
        let iqr_outliers = w.count_outside(iqr_fences.0, iqr_fences.1);
        let median = w.median();
        let mad = w.mad(median);
        let robust_z_outliers = (mad > 0.0).then(|| w.robust_z(median, mad));
        let (distinct, mode, mode_count) = if self.counts.is_some() {
            w.runs()
        } else {
            // The heaviest item, if the sketch proves it frequent.
            let slack = (self.kll.rank_error_bound() * n as f64).ceil() as u64;
            let (_, m, c) = w.runs();
            if c > slack {
                (0, m, c)
            } else {
                (0, f64::NAN, 0)
            }
        };
        Some(NumericProfile {
            count: n,
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

/// Values sorted ascending with their counts (or sketch weights): the order statistics of the
/// multiset they stand for.
struct Weighted {
    v: Vec<f64>,
    /// Inclusive cumulative counts.
    cum: Vec<u64>,
    n: u64,
}

fn mean2(a: f64, b: f64) -> f64 {
    let m = (a + b) / 2.0;
    if m.is_finite() {
        m
    } else {
        a / 2.0 + b / 2.0
    }
}

impl Weighted {
    fn new(pairs: Vec<(f64, u64)>) -> Self {
        let mut total = 0u64;
        let mut v = Vec::with_capacity(pairs.len());
        let mut cum = Vec::with_capacity(pairs.len());
        for (x, c) in pairs {
            total += c;
            v.push(x);
            cum.push(total);
        }
        Weighted { v, cum, n: total }
    }

    /// The `i`-th smallest value (0-based).
    fn at(&self, i: u64) -> f64 {
        let p = self.cum.partition_point(|&c| c <= i);
        self.v[p.min(self.v.len() - 1)]
    }

    /// Number of values before index `p` of `v`.
    fn before(&self, p: usize) -> u64 {
        if p == 0 {
            0
        } else {
            self.cum[p - 1]
        }
    }

    /// As [`super::numeric::quantile_sorted`] on the expanded values.
    fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 || q.is_nan() {
            return f64::NAN;
        }
        let last = self.n - 1;
        let h = last as f64 * q.clamp(0.0, 1.0);
        if h >= last as f64 {
            return self.at(last);
        }
        let floor = h.floor();
        let j = (floor as u64).min(last);
        let gamma = h - floor;
        let a = self.at(j);
        if gamma == 0.0 {
            return a;
        }
        let b = self.at((j + 1).min(last));
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

    /// As [`super::numeric::count_outside`].
    fn count_outside(&self, lo: f64, hi: f64) -> u64 {
        let below = self.before(self.v.partition_point(|&x| x < lo));
        let above_start = self.before(self.v.partition_point(|&x| x <= hi || hi.is_nan()));
        if below >= above_start {
            self.n
        } else {
            below + (self.n - above_start)
        }
    }

    fn median(&self) -> f64 {
        let n = self.n;
        if n == 0 {
            return f64::NAN;
        }
        if n.is_multiple_of(2) {
            mean2(self.at(n / 2 - 1), self.at(n / 2))
        } else {
            self.at((n - 1) / 2)
        }
    }

    /// `median(|x − m|)` over the expanded values (numpy's even-`n` average).
    fn mad(&self, m: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let mut d: Vec<(f64, u64)> = self
            .v
            .iter()
            .zip(&self.cum)
            .scan(0u64, |prev, (&x, &c)| {
                let w = c - *prev;
                *prev = c;
                Some(((x - m).abs(), w))
            })
            .collect();
        d.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        Weighted::new(d).median()
    }

    /// As the robust-z count of [`NumericProfile::from_sorted`].
    fn robust_z(&self, m: f64, mad: f64) -> u64 {
        let score = |x: f64| ROBUST_Z_SCALE * (x - m) / mad;
        let below = self.before(self.v.partition_point(|&x| score(x) < -ROBUST_Z_CUTOFF));
        let above_start = self.before(self.v.partition_point(|&x| score(x) <= ROBUST_Z_CUTOFF));
        if below >= above_start {
            self.n
        } else {
            below + (self.n - above_start)
        }
    }

    /// `(distinct, mode, mode count)`: the smallest of the most frequent values.
    fn runs(&self) -> (u64, f64, u64) {
        let (mut mode, mut best) = (f64::NAN, 0u64);
        let mut prev = 0u64;
        for (&x, &c) in self.v.iter().zip(&self.cum) {
            let w = c - prev;
            prev = c;
            if w > best {
                (mode, best) = (x, w);
            }
        }
        (self.v.len() as u64, mode, best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::sort_finite;

    fn values(n: usize, modulo: u64, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                ((s >> 33) % modulo) as f64 - (modulo / 3) as f64
            })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(1.0)
    }

    #[test]
    fn counted_profile_equals_the_sorted_one() {
        for (n, m) in [(1, 5), (2, 5), (7, 3), (1000, 17), (5000, 400), (20_001, 9)] {
            let v = values(n, m, n as u64);
            let mut sk = NumericSketch::new(200, &[-1.0, 99.0]).unwrap();
            // In three parts, merged.
            let mut parts = vec![];
            for chunk in v.chunks(n.div_ceil(3)) {
                let mut p = NumericSketch::new(200, &[-1.0, 99.0]).unwrap();
                p.add(chunk).unwrap();
                parts.push(p);
            }
            for p in &parts {
                sk.merge(p).unwrap();
            }
            let mut sorted = v.clone();
            sort_finite(&mut sorted);
            let want = NumericProfile::from_sorted(&sorted).unwrap();
            let got = sk.profile().unwrap();
            assert!(sk.counts_exact());
            assert_eq!(sk.rank_error(), 0.0);
            assert_eq!(
                (got.count, got.min, got.max),
                (want.count, want.min, want.max)
            );
            assert_eq!(got.quantiles, want.quantiles, "n = {n}");
            assert_eq!(
                (got.iqr, got.iqr_fences, got.iqr_outliers),
                (want.iqr, want.iqr_fences, want.iqr_outliers)
            );
            assert_eq!(
                (got.median, got.mad, got.robust_z_outliers),
                (want.median, want.mad, want.robust_z_outliers)
            );
            assert_eq!(
                (got.distinct, got.mode, got.mode_count),
                (want.distinct, want.mode, want.mode_count)
            );
            assert!(close(got.mean, want.mean), "{} {}", got.mean, want.mean);
            match (got.std, want.std) {
                (Some(a), Some(b)) => assert!(close(a, b), "{a} {b}"),
                (a, b) => assert_eq!(a, b),
            }
            let minus_one = v.iter().filter(|&&x| x == -1.0).count() as u64;
            assert_eq!(sk.watched()[0], minus_one);
            assert_eq!(sk.integral(), Some(true));
            let second = sorted.iter().find(|&&x| x > sorted[0]).copied();
            assert_eq!(sk.second_smallest(), second);
        }
    }

    #[test]
    fn sketched_profile_is_within_its_bound() {
        // 300k distinct values (beyond the exact limit): a normal-ish mix with a heavy value.
        let n = 300_000usize;
        let mut v: Vec<f64> = (0..n)
            .map(|i| {
                let u = ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64
                    / (1u64 << 53) as f64;
                (u - 0.5) * (u - 0.5) * (u - 0.5) * 1000.0
            })
            .collect();
        for x in v.iter_mut().step_by(5) {
            *x = 7.0;
        }
        let mut sk = NumericSketch::new(400, &[]).unwrap();
        for chunk in v.chunks(65_536) {
            let mut p = NumericSketch::new(400, &[]).unwrap();
            p.add(chunk).unwrap();
            sk.merge(&p).unwrap();
        }
        assert!(!sk.counts_exact());
        let eps = sk.rank_error();
        assert!(eps > 0.0 && eps < 0.01, "{eps}");
        let mut sorted = v.clone();
        sort_finite(&mut sorted);
        let want = NumericProfile::from_sorted(&sorted).unwrap();
        let got = sk.profile().unwrap();
        let slack = (2.0 * eps * n as f64).ceil() as u64;
        // Each quantile's true rank is within ε n of the asked one.
        for ((q, x), _) in got.quantiles.iter().zip(&want.quantiles) {
            let lo = sorted.partition_point(|&y| y < *x) as f64 / n as f64;
            let hi = sorted.partition_point(|&y| y <= *x) as f64 / n as f64;
            assert!(
                lo - eps <= *q && *q <= hi + eps,
                "q {q}: x {x} ranks {lo}..{hi}"
            );
        }
        // Counts outside the (sketched) fences are within 2 ε n of the true counts there.
        let true_out = count_outside_sorted(&sorted, got.iqr_fences.0, got.iqr_fences.1);
        assert!(got.iqr_outliers.abs_diff(true_out) <= slack);
        assert_eq!(
            (got.min, got.max, got.count),
            (want.min, want.max, want.count)
        );
        assert!(close(got.mean, want.mean));
        // The heavy value (a fifth of the rows) is found as the mode, its count within ε n.
        assert_eq!(got.mode, 7.0);
        assert!(got.mode_count.abs_diff(want.mode_count) <= slack);
        // MAD: the mass within the sketched MAD of the sketched median is half, within 2ε.
        let within = sorted
            .iter()
            .filter(|&&x| (x - got.median).abs() <= got.mad)
            .count() as f64
            / n as f64;
        assert!((within - 0.5).abs() <= 2.0 * eps + 1e-9, "{within}");
    }

    fn count_outside_sorted(sorted: &[f64], lo: f64, hi: f64) -> u64 {
        super::super::numeric::count_outside(sorted, lo, hi)
    }

    #[test]
    fn non_finite_values_are_skipped_and_counts_drop_beyond_the_limit() {
        let mut sk = NumericSketch::new(200, &[]).unwrap();
        sk.add(&[f64::NAN, f64::INFINITY, 1.5, f64::NEG_INFINITY])
            .unwrap();
        assert_eq!(sk.count(), 1);
        assert_eq!(sk.integral(), Some(false));
        let many: Vec<f64> = (0..=EXACT_VALUE_LIMIT).map(|i| i as f64).collect();
        sk.add(&many).unwrap();
        assert!(!sk.counts_exact());
        let p = sk.profile().unwrap();
        assert_eq!(p.distinct, 0);
        assert!(p.mode.is_nan());
        assert!(NumericSketch::new(200, &[]).unwrap().profile().is_none());
    }
}
