//! Percentile bootstrap intervals of the regression summaries (differences and ratios of the
//! group metrics, bounded group loss), by the Poisson bootstrap.
//!
//! With sample weights a row's contribution is its sample weight times its Poisson weight
//! (weighted metrics of a resample, as scikit-learn's `sample_weight` forms).
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
//! prediction, then label; equal rows are interchangeable). Row `i` of cell `c` draws its weights
//! in all `R` replicates from `⌈R/2⌉` outputs of SplitMix64 (Steele, Lea & Flood 2014) started
//! at the cell's stream (XXH3 of the seed and the cell's key) and advanced to counter
//! `i·⌈R/2⌉`: each 64-bit output gives two replicates a 32-bit uniform each, and the weight is the
//! Poisson(1) inverse CDF there (weights above 12, probability 1e-10, are 12). Rows are read once
//! for all replicates, in fixed chunks of 16,384 rows summed in parallel and added in order, so
//! the sums do not depend on the number of threads.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::metrics::{metric_values, summary_values, MetricSums};
use super::state::RegressionCell;
use crate::fairness::bootstrap::{percentile_interval, Bootstrap, BootstrapInterval, PoissonTable};
use crate::fairness::report::FairnessOptions;
use crate::fairness::state::GroupKey;

/// Rows per parallel task: each cell's rows are cut at fixed places, so the sums add in the
/// same order on any machine.
const CHUNK: usize = 1 << 14;

/// One replicate's raw sums over rows: `[Σw, Σw·yc, Σw·yc², Σw·e, Σw·|e|, Σw·e²]`, where `w` is
/// the replicate's weight times the row's sample weight, `yc` the label less its cell's mean and
/// `e = ŷ − y`.
type Raw = [f64; 6];

/// A row: prediction, label, sample weight (1 without sample weights).
type Row = (f64, f64, f64);

/// One cell's (or group's) weighted sums in one replicate.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Sums {
    /// `Σw`.
    w: f64,
    /// The label's weighted mean.
    mean_label: f64,
    /// `Σw (y − ȳ_w)²`.
    label_m2: f64,
    /// `Σw e`.
    error: f64,
    /// `Σw |e|`.
    abs_error: f64,
    /// `Σw e²`.
    sq_error: f64,
}

impl Sums {
    /// A cell's sums from its raw sums (labels centred on `mean`).
    fn from_raw(mean: f64, r: &Raw) -> Sums {
        let [w, a, b, e, ae, ee] = *r;
        if w == 0.0 {
            return Sums::default();
        }
        Sums {
            w,
            mean_label: mean + a / w,
            label_m2: (b - a * a / w).max(0.0),
            error: e,
            abs_error: ae,
            sq_error: ee,
        }
    }

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
        self.error += o.error;
        self.abs_error += o.abs_error;
        self.sq_error += o.sq_error;
    }

    /// The weighted metrics, `None` when no row has weight (the mean prediction is the mean
    /// label plus the mean error).
    fn metrics(&self) -> Option<BTreeMap<String, f64>> {
        (self.w > 0.0).then(|| {
            let mean_error = self.error / self.w;
            metric_values(&MetricSums {
                n: self.w,
                mean_label: self.mean_label,
                label_m2: self.label_m2,
                mean_prediction: self.mean_label + mean_error,
                mean_error,
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
    // Each cell's rows as (prediction, label, sample weight or 1), in canonical order.
    let rows: Vec<Vec<Row>> = cells
        .values()
        .map(|c| {
            let weighted = c.weighted.is_some() && c.weights.len() == c.predictions.len();
            let mut r: Vec<Row> = (0..c.predictions.len())
                .map(|i| {
                    let w = if weighted { c.weights[i] } else { 1.0 };
                    (c.predictions[i], c.labels[i], w)
                })
                .collect();
            r.par_sort_unstable_by(|a, b| {
                a.0.total_cmp(&b.0)
                    .then(a.1.total_cmp(&b.1))
                    .then(a.2.total_cmp(&b.2))
            });
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
    let reps = b.replicates as usize;
    // Every (cell, chunk) in parallel, each giving its raw sums per replicate.
    let tasks: Vec<(usize, usize)> = rows
        .iter()
        .enumerate()
        .flat_map(|(c, r)| (0..r.len()).step_by(CHUNK).map(move |start| (c, start)))
        .collect();
    let table = PoissonTable::get();
    let parts: Vec<Vec<Raw>> = tasks
        .par_iter()
        .map(|&(c, start)| {
            let end = (start + CHUNK).min(rows[c].len());
            let mut acc = vec![[0.0; 6]; reps];
            accumulate(&rows[c][start..end], start, means[c], &mut acc, |i, w| {
                table.weights(streams[c], i, w)
            });
            acc
        })
        .collect();
    // Each cell's chunks added in order.
    let mut raw = vec![vec![[0.0; 6]; keys.len()]; reps];
    for (&(c, _), part) in tasks.iter().zip(&parts) {
        for (r, x) in part.iter().enumerate() {
            for (s, v) in raw[r][c].iter_mut().zip(x) {
                *s += v;
            }
        }
    }
    let sums = raw
        .iter()
        .map(|cells| {
            cells
                .iter()
                .zip(&means)
                .map(|(x, &m)| Sums::from_raw(m, x))
                .collect()
        })
        .collect();
    Replicated { keys, sums }
}

/// Adds rows `(ŷ, y, w)` (the first being row `first` of its cell) to the replicates' raw sums:
/// `draw(i, w)` writes row `i`'s weight in each replicate into `w`; `mean` is the cell's label
/// mean (labels are centred on it so that the spread keeps its digits).
fn accumulate(
    rows: &[Row],
    first: usize,
    mean: f64,
    acc: &mut [Raw],
    mut draw: impl FnMut(u64, &mut [u32]),
) {
    let mut w = vec![0u32; acc.len()];
    for (j, &(p, y, sw)) in rows.iter().enumerate() {
        draw((first + j) as u64, &mut w);
        let (yc, e) = (y - mean, p - y);
        let v = [sw, sw * yc, sw * yc * yc, sw * e, sw * e.abs(), sw * e * e];
        for (a, &k) in acc.iter_mut().zip(&w) {
            let k = f64::from(k);
            for (s, x) in a.iter_mut().zip(v) {
                *s += k * x;
            }
        }
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
        draws
            .into_iter()
            .filter_map(|(name, v)| Some((name, percentile_interval(v, opts.confidence)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One replicate's sums of a cell's rows with row `i` weighing `weight(i)`.
    fn cell_sums(rows: &[(f64, f64)], mean: f64, weight: impl Fn(u64) -> u32) -> Sums {
        let rows: Vec<Row> = rows.iter().map(|&(p, y)| (p, y, 1.0)).collect();
        let mut acc = [[0.0; 6]];
        accumulate(&rows, 0, mean, &mut acc, |i, w| w[0] = weight(i));
        Sums::from_raw(mean, &acc[0])
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
        // Weights by row: row i counted i % 3 times is the table with rows repeated.
        let repeated: Vec<(f64, f64)> = rows
            .iter()
            .enumerate()
            .flat_map(|(i, r)| std::iter::repeat_n(*r, i % 3))
            .collect();
        let by_weight = cell_sums(&rows, 100.0, |i| (i % 3) as u32)
            .metrics()
            .unwrap();
        let by_rows = cell_sums(&repeated, 100.0, one).metrics().unwrap();
        for (k, v) in &by_rows {
            assert!((by_weight[k] - v).abs() < 1e-12 * v.abs().max(1.0), "{k}");
        }
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
