//! Percentile bootstrap intervals of the parity summaries with sample weights.
//!
//! Without weights the row bootstrap is drawn exactly from the cell counts
//! ([`super::bootstrap`]). With weights a resample's rates are ratios of sums of the resampled
//! rows' weights, which the counts do not determine, so every row needs its own draw: each
//! replicate gives each row a weight `W ~ Poisson(1)` (the Poisson bootstrap: Oza & Russell
//! 2001; Chamandy, Muralidharan, Najmi & Naidu 2012), and a group's confusion in the replicate is
//! `[Σ W·w]` over its rows in each confusion cell `[TP, FP, TN, FN]` — the weighted rates of a
//! resample, as Fairlearn's `MetricFrame(n_boot=…, sample_weight=…)` computes them on rows drawn
//! with replacement (the two differ only in the replicate's total being `Poisson(N)` rather than
//! `N`). The summaries are recomputed over the groups eligible in the data, and the interval is
//! the `(1 − c)/2` and `(1 + c)/2` quantiles of the replicates where a summary is defined.
//!
//! Same bytes whatever the chunking, partitioning or engine: the state keeps each row's weight
//! by its cell (combination of attribute values) and confusion cell; when the report is
//! finished, each such list is sorted (rows of equal weight in the same cells are
//! interchangeable) and row `i` draws its weights in all replicates from the SplitMix64 stream
//! of XXH3 of the cell's values, the confusion cell and the seed ([`PoissonTable::weights`], as
//! the regression and ranking bootstraps draw theirs). Draws are made per cell, so a row has the
//! same weight in a replicate for every attribute and intersection it belongs to.
//!
//! With probabilistic membership ([`super::state::Membership`]) a row counts towards every group
//! of that attribute with weight `p_g · w`, and a resampled row brings all of them: the state
//! keeps the row's `K` weights together, under its cell with the probabilistic attribute `None`,
//! and the row draws one `W` per replicate for all its groups ([`membership_cell_replicates`]).

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::bootstrap::{parity_intervals, Bootstrap, BootstrapInterval, PoissonTable};
use super::state::GroupKey;

/// One cell's (or group's) weighted confusion `[TP, FP, TN, FN]` in each replicate.
pub(crate) type Replicates = Vec<[f64; 4]>;

/// The stream of a cell's confusion cell `slot` (0 TP, 1 FP, 2 TN, 3 FN).
fn stream(key: &GroupKey, slot: usize, seed: u64) -> u64 {
    tagged_stream(key, &char::from(b'0' + slot as u8).to_string(), seed)
}

/// The stream of the rows of a cell (`key`) in the confusion cell named by `tag`.
pub(crate) fn tagged_stream(key: &GroupKey, tag: &str, seed: u64) -> u64 {
    let mut text = String::new();
    for v in key {
        match v {
            Some(s) => {
                text.push('v');
                text.push_str(s);
            }
            None => text.push('n'),
        }
        text.push('\u{1f}');
    }
    text.push_str(tag);
    xxhash_rust::xxh3::xxh3_64_with_seed(text.as_bytes(), seed)
}

/// `Σ W·w` in each replicate over one list of weights (sorted here first).
pub(crate) fn resampled_sums(weights: &[f64], stream: u64, replicates: usize) -> Vec<f64> {
    let mut sorted = weights.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let table = PoissonTable::get();
    let mut sums = vec![0.0; replicates];
    let mut draws = vec![0u32; replicates];
    for (i, &w) in sorted.iter().enumerate() {
        table.weights(stream, i as u64, &mut draws);
        for (s, &d) in sums.iter_mut().zip(&draws) {
            *s += f64::from(d) * w;
        }
    }
    sums
}

/// Each kept list of weights with its cell and confusion cell (`0..4`): one task each.
fn lists(kept: &BTreeMap<GroupKey, [Vec<f64>; 4]>) -> Vec<(&GroupKey, usize, &Vec<f64>)> {
    kept.iter()
        .flat_map(|(k, slots)| slots.iter().enumerate().map(move |(j, w)| (k, j, w)))
        .collect()
}

/// Every cell's weighted confusion in each replicate, from the rows' weights kept by cell and
/// confusion cell (`[TP, FP, TN, FN]`).
pub(crate) fn cell_replicates(
    kept: &BTreeMap<GroupKey, [Vec<f64>; 4]>,
    b: &Bootstrap,
) -> BTreeMap<GroupKey, Replicates> {
    let r = b.replicates as usize;
    let tasks = lists(kept);
    let sums: Vec<Vec<f64>> = tasks
        .par_iter()
        .map(|&(k, j, w)| resampled_sums(w, stream(k, j, b.seed), r))
        .collect();
    let mut out: BTreeMap<GroupKey, Replicates> = BTreeMap::new();
    for ((k, j, _), s) in tasks.into_iter().zip(sums) {
        let reps = out.entry(k.clone()).or_insert_with(|| vec![[0.0; 4]; r]);
        for (rep, x) in reps.iter_mut().zip(s) {
            rep[j] = x;
        }
    }
    out
}

/// With membership: every cell's weighted confusion in each replicate, from the rows kept as
/// their weights in each of the `levels` (`levels.len()` values a row) under their key with the
/// probabilistic attribute (`attribute`) `None`. A row draws one weight `W` per replicate,
/// shared by all its groups (it is resampled as a whole); its rows are sorted
/// lexicographically first, so that the draws do not depend on the order counted.
pub(crate) fn membership_cell_replicates(
    kept: &BTreeMap<GroupKey, [Vec<f64>; 4]>,
    attribute: usize,
    levels: &[Option<String>],
    b: &Bootstrap,
) -> BTreeMap<GroupKey, Replicates> {
    let r = b.replicates as usize;
    let tasks = lists(kept);
    let sums: Vec<Vec<Vec<f64>>> = tasks
        .par_iter()
        .map(|&(k, j, w)| membership_sums(w, levels.len(), stream(k, j, b.seed), r))
        .collect();
    let mut out: BTreeMap<GroupKey, Replicates> = BTreeMap::new();
    for ((k, j, _), per_group) in tasks.into_iter().zip(sums) {
        for (level, s) in levels.iter().zip(per_group) {
            let mut key = k.clone();
            key[attribute] = level.clone();
            let reps = out.entry(key).or_insert_with(|| vec![[0.0; 4]; r]);
            for (rep, x) in reps.iter_mut().zip(s) {
                rep[j] = x;
            }
        }
    }
    out
}

/// `Σ W·w_g` in each replicate for each of the `k` groups, over rows of `k` weights each
/// (sorted here first, lexicographically).
fn membership_sums(flat: &[f64], k: usize, stream: u64, replicates: usize) -> Vec<Vec<f64>> {
    let mut rows: Vec<&[f64]> = flat.chunks_exact(k.max(1)).collect();
    rows.sort_unstable_by(|a, b| {
        a.iter()
            .zip(*b)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let table = PoissonTable::get();
    let mut sums = vec![vec![0.0; replicates]; k];
    let mut draws = vec![0u32; replicates];
    for (i, row) in rows.iter().enumerate() {
        table.weights(stream, i as u64, &mut draws);
        for (s, &w) in sums.iter_mut().zip(*row) {
            if w != 0.0 {
                for (x, &d) in s.iter_mut().zip(&draws) {
                    *x += f64::from(d) * w;
                }
            }
        }
    }
    sums
}

/// Each group's replicates of one attribute set (`set`: the attributes' indices in a cell's
/// key), in the order of `groups` (their keys).
pub(crate) fn group_replicates(
    cells: &BTreeMap<GroupKey, Replicates>,
    set: &[usize],
    groups: &[&GroupKey],
    replicates: usize,
) -> Vec<Replicates> {
    let index: BTreeMap<&GroupKey, usize> =
        groups.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let mut out = vec![vec![[0.0; 4]; replicates]; groups.len()];
    for (key, reps) in cells {
        let sub: GroupKey = set.iter().map(|&i| key[i].clone()).collect();
        if let Some(&g) = index.get(&sub) {
            for (acc, r) in out[g].iter_mut().zip(reps) {
                for j in 0..4 {
                    acc[j] += r[j];
                }
            }
        }
    }
    out
}

/// The percentile intervals of the parity summaries over the `eligible` groups, from each
/// group's replicates. Summaries defined in fewer than two replicates get no interval.
pub(crate) fn weighted_summary_intervals(
    groups: &[Replicates],
    eligible: &[usize],
    with_prediction: bool,
    min_group_size: u64,
    confidence: f64,
) -> BTreeMap<String, BootstrapInterval> {
    let replicates = groups.first().map_or(0, Vec::len);
    let amounts = (0..replicates).map(|b| eligible.iter().map(|&g| groups[g][b]).collect());
    parity_intervals(amounts, with_prediction, min_group_size, confidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replicate_is_the_weighted_sum_of_its_poisson_draws() {
        let key: GroupKey = vec![Some("f".into())];
        let mut kept = BTreeMap::new();
        kept.insert(
            key.clone(),
            [vec![2.0, 0.5], vec![1.5], vec![], vec![3.0, 1.0, 0.25]],
        );
        let b = Bootstrap {
            replicates: 5,
            seed: 9,
        };
        let reps = cell_replicates(&kept, &b);
        let table = PoissonTable::get();
        for (j, w) in kept[&key].iter().enumerate() {
            let mut sorted = w.clone();
            sorted.sort_by(f64::total_cmp);
            let mut want = [0.0; 5];
            for (i, &x) in sorted.iter().enumerate() {
                let mut d = [0u32; 5];
                table.weights(stream(&key, j, 9), i as u64, &mut d);
                for r in 0..5 {
                    want[r] += f64::from(d[r]) * x;
                }
            }
            for r in 0..5 {
                assert_eq!(reps[&key][r][j], want[r]);
            }
        }
        // The rows' order in the state does not matter.
        let mut shuffled = kept.clone();
        shuffled.get_mut(&key).unwrap()[3].reverse();
        assert_eq!(cell_replicates(&shuffled, &b), reps);
        // Groups add their cells.
        let other: GroupKey = vec![Some("m".into())];
        kept.insert(other.clone(), [vec![1.0], vec![], vec![2.0], vec![]]);
        let cells = cell_replicates(&kept, &b);
        let all: GroupKey = vec![];
        let g = group_replicates(&cells, &[], &[&all], 5);
        for r in 0..5 {
            for j in 0..4 {
                assert_eq!(g[0][r][j], cells[&key][r][j] + cells[&other][r][j]);
            }
        }
    }

    #[test]
    fn a_row_with_probabilities_draws_one_weight_for_all_its_groups() {
        // Attributes (race, sex); race is probabilistic with groups a, b, c.
        let levels = vec![Some("a".to_string()), Some("b".into()), Some("c".into())];
        let base: GroupKey = vec![None, Some("f".into())];
        // Three TP rows (weights in groups a, b, c) and one FN row.
        let rows = [[0.5, 0.5, 0.0], [0.2, 0.3, 0.5], [0.0, 0.0, 2.0]];
        let mut kept = BTreeMap::new();
        kept.insert(
            base.clone(),
            [rows.concat(), vec![], vec![], vec![1.0, 0.0, 0.0]],
        );
        let b = Bootstrap {
            replicates: 7,
            seed: 3,
        };
        let reps = membership_cell_replicates(&kept, 0, &levels, &b);
        // Rows sorted lexicographically: [0,0,2], [0.2,0.3,0.5], [0.5,0.5,0].
        let sorted = [rows[2], rows[1], rows[0]];
        let table = PoissonTable::get();
        for (g, level) in levels.iter().enumerate() {
            let key: GroupKey = vec![level.clone(), Some("f".into())];
            for r in 0..7 {
                let mut want = 0.0;
                for (i, row) in sorted.iter().enumerate() {
                    let mut d = [0u32; 7];
                    table.weights(stream(&base, 0, 3), i as u64, &mut d);
                    want += f64::from(d[r]) * row[g];
                }
                assert_eq!(reps[&key][r][0], want, "group {g} replicate {r}");
                let mut d = [0u32; 7];
                table.weights(stream(&base, 3, 3), 0, &mut d);
                let fn_want = if g == 0 { f64::from(d[r]) } else { 0.0 };
                assert_eq!(reps[&key][r][3], fn_want);
            }
        }
        // The order the rows were counted in does not matter.
        let mut shuffled = kept.clone();
        shuffled.get_mut(&base).unwrap()[0] = [rows[1], rows[2], rows[0]].concat();
        assert_eq!(membership_cell_replicates(&shuffled, 0, &levels, &b), reps);
    }
}
