//! Percentile bootstrap intervals of the regression summaries (differences and ratios of the
//! group metrics, bounded group loss), by the Poisson bootstrap.
//!
//! The regression metrics are sums over rows (of `y`, `ŷ`, `e`, `|e|`, `e²`), so unlike the
//! binary counts they cannot be resampled from a handful of cells: every row needs its own
//! draw. Each replicate gives every row a weight `w ~ Poisson(1)`, independently (Oza & Russell
//! 2001; Hanley & MacGibbon 2006; Chamandy, Muralidharan, Najmi & Naidu 2012, "Estimating
//! uncertainty for massive data streams"): the limit of the multinomial row bootstrap's counts
//! when rows are many, and the form that streams and merges, since rows need not know `N`. The
//! group metrics of a replicate are the weighted metrics (`Σw|e| / Σw`, …), the summaries are
//! recomputed over the groups eligible in the data, and the interval is the `(1 − c)/2` and
//! `(1 + c)/2` quantiles of the replicates where the summary is defined (numpy's linear
//! interpolation, as Fairlearn's `ci_quantiles`). Against Fairlearn's `MetricFrame(n_boot=…)`,
//! which draws `N` rows with replacement, the two differ only in that the replicate's total is
//! `Poisson(N)` rather than `N` — within Monte Carlo error for any group of a few dozen rows.
//!
//! Same bytes whatever the chunking, partitioning or engine: the draws are made when the report
//! is finished, from the merged state, with each cell's rows first put in a canonical order (by
//! prediction, then label; equal rows are interchangeable). Row `i` of cell `c` in replicate `r`
//! draws from the 64-bit mix (SplitMix64's finaliser, Steele, Lea & Flood 2014) of a stream
//! number — XXH3 of the seed, the cell's key and `r` — plus `i`, so cells and replicates are
//! independent streams and run in parallel; each replicate's sums add in row order. The weight is
//! the Poisson(1) inverse CDF at the top 32 bits (weights above 12, probability 1e-10, are 12).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rayon::prelude::*;

use super::report::{metric_values, summary_values, MetricSums};
use super::state::RegressionCell;
use crate::fairness::bootstrap::{quantile, Bootstrap, BootstrapInterval};
use crate::fairness::report::FairnessOptions;
use crate::fairness::state::GroupKey;

/// Largest Poisson weight drawn.
const MAX_WEIGHT: usize = 12;

/// One cell's (or group's) weighted sums in one replicate.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Sums {
    /// `Σw`.
    w: f64,
    /// The label's weighted mean.
    mean_label: f64,
    /// `Σw (y − ȳ_w)²`.
    label_m2: f64,
    /// `Σw ŷ`.
    prediction: f64,
    /// `Σw e`.
    error: f64,
    /// `Σw |e|`.
    abs_error: f64,
    /// `Σw e²`.
    sq_error: f64,
}

impl Sums {
    /// Adds another cell's sums (Chan et al.'s pairwise update for the label's spread; a mean
    /// merged with an equal mean stays exactly equal, so constant labels keep `label_m2 = 0`).
    fn add(&mut self, o: &Sums) {
        if o.w == 0.0 {
            return;
        }
        if self.w == 0.0 {
            *self = *o;
            return;
        }
        let w = self.w + o.w;
        let d = o.mean_label - self.mean_label;
        self.mean_label += d * (o.w / w);
        self.label_m2 += o.label_m2 + d * d * (self.w * o.w / w);
        self.w = w;
        self.prediction += o.prediction;
        self.error += o.error;
        self.abs_error += o.abs_error;
        self.sq_error += o.sq_error;
    }

    /// The weighted metrics, `None` when no row has weight.
    fn metrics(&self) -> Option<BTreeMap<String, f64>> {
        (self.w > 0.0).then(|| {
            metric_values(&MetricSums {
                n: self.w,
                mean_label: self.mean_label,
                label_m2: self.label_m2,
                mean_prediction: self.prediction / self.w,
                mean_error: self.error / self.w,
                abs_error: self.abs_error,
                sq_error: self.sq_error,
            })
        })
    }
}

/// Every cell's sums in every replicate.
pub(super) struct Replicated {
    /// The cells' keys, in the state's order.
    keys: Vec<GroupKey>,
    /// `sums[r][c]`: replicate `r`, cell `c`.
    sums: Vec<Vec<Sums>>,
}

/// Draws the replicates of every cell (see the module's documentation).
pub(super) fn resample_cells(
    cells: &BTreeMap<GroupKey, RegressionCell>,
    b: &Bootstrap,
) -> Replicated {
    let keys: Vec<GroupKey> = cells.keys().cloned().collect();
    // Each cell's rows as (prediction, label), in canonical order.
    let rows: Vec<Vec<(f64, f64)>> = cells
        .values()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|c| {
            let mut r: Vec<(f64, f64)> = c
                .predictions
                .iter()
                .copied()
                .zip(c.labels.iter().copied())
                .collect();
            r.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            r
        })
        .collect();
    // Labels are centred on their mean taken in the canonical order (the state's own mean
    // depends on the merge order in its last bits).
    let means: Vec<f64> = rows
        .iter()
        .map(|r| r.iter().map(|x| x.1).sum::<f64>() / r.len().max(1) as f64)
        .collect();
    let streams: Vec<u64> = keys.iter().map(|k| cell_seed(k, b.seed)).collect();
    let n_cells = keys.len();
    let flat: Vec<Sums> = (0..b.replicates as usize * n_cells)
        .into_par_iter()
        .map(|t| {
            let (r, c) = (t / n_cells, t % n_cells);
            let stream =
                xxhash_rust::xxh3::xxh3_64_with_seed(&(r as u64).to_le_bytes(), streams[c]);
            let t = thresholds();
            cell_sums(&rows[c], means[c], |i| weight(stream, i, t))
        })
        .collect();
    Replicated {
        keys,
        sums: flat.chunks(n_cells.max(1)).map(<[Sums]>::to_vec).collect(),
    }
}

/// A cell's own seed: XXH3 of its key (each value's presence byte, length and bytes).
fn cell_seed(key: &GroupKey, seed: u64) -> u64 {
    let mut bytes = Vec::new();
    for v in key {
        match v {
            Some(s) => {
                bytes.push(1u8);
                bytes.extend_from_slice(&(s.len() as u64).to_le_bytes());
                bytes.extend_from_slice(s.as_bytes());
            }
            None => bytes.push(0u8),
        }
    }
    xxhash_rust::xxh3::xxh3_64_with_seed(&bytes, seed)
}

/// `⌊2³² · P(W ≤ k)⌋` for `W ~ Poisson(1)`, `k = 0 … MAX_WEIGHT − 1`.
fn thresholds() -> &'static [u64; MAX_WEIGHT] {
    static T: OnceLock<[u64; MAX_WEIGHT]> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = [0u64; MAX_WEIGHT];
        let (mut term, mut cdf) = ((-1f64).exp(), 0.0);
        for (k, slot) in t.iter_mut().enumerate() {
            cdf += term;
            term /= (k + 1) as f64;
            *slot = (cdf * 4_294_967_296.0).floor() as u64;
        }
        t
    })
}

/// SplitMix64's output function (Steele, Lea & Flood 2014): a bijective 64-bit mix.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The weight of row `i` of a stream: the Poisson(1) inverse CDF at the top 32 bits of its mix.
fn weight(stream: u64, i: usize, t: &[u64; MAX_WEIGHT]) -> u32 {
    let u = mix(stream.wrapping_add((i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))) >> 32;
    t.iter().map(|&x| u32::from(u >= x)).sum()
}

/// One replicate's sums of a cell's rows `(ŷ, y)`, row `i` weighing `weight(i)`; `mean` is the
/// cell's label mean (labels are centred on it so that the spread keeps its digits).
fn cell_sums(rows: &[(f64, f64)], mean: f64, weight: impl Fn(usize) -> u32) -> Sums {
    let (mut w, mut a, mut b) = (0.0, 0.0, 0.0);
    let mut s = Sums::default();
    for (i, &(p, y)) in rows.iter().enumerate() {
        let k = weight(i);
        if k == 0 {
            continue;
        }
        let k = f64::from(k);
        let (yc, e) = (y - mean, p - y);
        w += k;
        a += k * yc;
        b += k * yc * yc;
        s.prediction += k * p;
        s.error += k * e;
        s.abs_error += k * e.abs();
        s.sq_error += k * e * e;
    }
    if w > 0.0 {
        s.w = w;
        s.mean_label = mean + a / w;
        s.label_m2 = (b - a * a / w).max(0.0);
    }
    s
}

impl Replicated {
    /// The summaries' intervals of one attribute set: `groups` its groups' keys (over the set's
    /// attributes), `eligible` which of them the summaries range over, `set` the attributes'
    /// positions in the cells' keys.
    pub(super) fn intervals(
        &self,
        groups: &[GroupKey],
        eligible: &[bool],
        set: &[usize],
        opts: &FairnessOptions,
    ) -> BTreeMap<String, BootstrapInterval> {
        // The cells of each eligible group.
        let members: Vec<Vec<usize>> = groups
            .iter()
            .zip(eligible)
            .filter(|(_, e)| **e)
            .map(|(g, _)| {
                (0..self.keys.len())
                    .filter(|&c| set.iter().zip(g).all(|(&i, v)| self.keys[c][i] == *v))
                    .collect()
            })
            .collect();
        let mut draws: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for sums in &self.sums {
            let metrics: Option<Vec<BTreeMap<String, f64>>> = members
                .iter()
                .map(|cells| {
                    let mut g = Sums::default();
                    for &c in cells {
                        g.add(&sums[c]);
                    }
                    g.metrics()
                })
                .collect();
            // A group that drew no row leaves every summary of the replicate undefined.
            let Some(metrics) = metrics else { continue };
            for (name, v) in summary_values(&metrics, opts.min_group_size) {
                let slot = draws.entry(name).or_default();
                if let Ok(x) = v {
                    slot.push(x);
                }
            }
        }
        let (q_lo, q_hi) = ((1.0 - opts.confidence) / 2.0, (1.0 + opts.confidence) / 2.0);
        draws
            .into_iter()
            .filter(|(_, v)| v.len() >= 2)
            .map(|(name, mut v)| {
                v.sort_by(f64::total_cmp);
                let interval = BootstrapInterval {
                    low: quantile(&v, q_lo),
                    high: quantile(&v, q_hi),
                    defined: v.len() as u32,
                };
                (name, interval)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_poisson_one() {
        // Mean 1, variance 1, P(0) = e^{-1} within sampling error over 200,000 draws.
        let t = thresholds();
        let n = 200_000;
        let ws: Vec<f64> = (0..n).map(|i| f64::from(weight(99, i, t))).collect();
        let mean = ws.iter().sum::<f64>() / n as f64;
        let var = ws.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / n as f64;
        let zeros = ws.iter().filter(|&&w| w == 0.0).count() as f64 / n as f64;
        assert!((mean - 1.0).abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
        assert!((zeros - (-1f64).exp()).abs() < 0.005, "{zeros}");
        assert_eq!(t[0], ((-1f64).exp() * 4_294_967_296.0).floor() as u64);
    }

    #[test]
    fn unit_weights_give_the_groups_metrics_and_merge_as_one_pass() {
        let rows: Vec<(f64, f64)> = (0..50)
            .map(|i| (i as f64 * 0.7 + 100.0, (i % 7) as f64 + 100.0))
            .collect();
        let mut cell = RegressionCell::default();
        let mut halves = [RegressionCell::default(), RegressionCell::default()];
        for (i, &(p, y)) in rows.iter().enumerate() {
            let (e, h) = (p - y, &mut halves[usize::from(i >= 20)]);
            for c in [&mut cell, h] {
                c.label.push(y);
                c.prediction.push(p);
                c.error.push(e);
                c.abs_error += e.abs();
                c.sq_error += e * e;
            }
        }
        let one = |_| 1;
        let whole = cell_sums(&rows, cell.label.mean, one).metrics().unwrap();
        let mut merged = cell_sums(&rows[..20], halves[0].label.mean, one);
        merged.add(&cell_sums(&rows[20..], halves[1].label.mean, one));
        let merged = merged.metrics().unwrap();
        let direct = cell.metrics_for_test();
        for (k, v) in &direct {
            assert!((whole[k] - v).abs() < 1e-12 * v.abs().max(1.0), "{k}");
            assert!((merged[k] - v).abs() < 1e-12 * v.abs().max(1.0), "{k}");
        }
        // Weight 2 on every row is the same table twice: the same means and ratios.
        let doubled = cell_sums(&rows, cell.label.mean, |_| 2).metrics().unwrap();
        assert!((doubled["mae"] - direct["mae"]).abs() < 1e-12);
        assert!((doubled["r2"] - direct["r2"]).abs() < 1e-12);
        // Constant labels keep a spread of exactly 0 through merging (r² by its convention).
        let constant: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, 0.1)).collect();
        let mut c = cell_sums(&constant, 0.1, one);
        c.add(&cell_sums(&constant[..3], 0.1, |_| 3));
        assert_eq!(c.label_m2, 0.0);
        assert_eq!(c.metrics().unwrap()["r2"], 0.0);
        // No weight, no metrics.
        assert!(cell_sums(&rows, 0.0, |_| 0).metrics().is_none());
    }
}
