//! Percentile bootstrap intervals of the ranking summaries, resampling whole lists.
//!
//! The items of one list are not independent draws (their positions are shared out among them),
//! so the unit resampled is the list, the cluster bootstrap (Davison & Hinkley 1997, *Bootstrap
//! Methods and their Application*, §3.8; Field & Welsh 2007, "Bootstrapping clustered data",
//! JRSS B): each replicate gives every list a weight `W ~ Poisson(1)`, independently (the
//! Poisson bootstrap of Hanley & MacGibbon 2006 and Chamandy et al. 2012, as the regression
//! task's rows; see [`crate::fairness::regression`]), and every sum of the report becomes `Σ W ×`
//! what the list adds: a group's weight, discount, relevance and top-k shares, and its NDCG's
//! sum and count of lists. A group's metrics in a replicate are its metrics from those sums,
//! the summaries are recomputed over the groups eligible in the data, and the interval is the
//! `(1 − c)/2` and `(1 + c)/2` quantiles of the replicates where the summary is defined (numpy's
//! linear interpolation). A replicate in which an eligible group drew no item of weight leaves
//! the summaries undefined, as for the regression task.
//!
//! Same bytes whatever the chunking, partitioning or engine: a list's weights depend only on
//! its value and the seed (its stream is XXH3 of the value's bytes with the seed, read as
//! SplitMix64 outputs, two replicates each), lists are visited in the order of their values,
//! and chunks of lists are added in order.

use std::collections::BTreeMap;

use super::sums::{entry_len, group_metrics, Acc, SetGroups};
use crate::fairness::bootstrap::{percentile_interval, Bootstrap, BootstrapInterval, PoissonTable};
use crate::fairness::summary::{difference, ratio};

/// Where each group's sums sit among a replicate's sums: slot 0 is every item's weighted
/// discount (for exposure shares), then [`entry_len`] slots per group, set after set.
pub(super) struct Plan {
    /// Replicates.
    reps: usize,
    /// The seed.
    seed: u64,
    /// Cut-offs.
    nk: usize,
    /// The first slot of each set's first group.
    offsets: Vec<usize>,
    /// Slots in all.
    slots: usize,
}

impl Plan {
    pub(super) fn new(sets: &[SetGroups], nk: usize, b: &Bootstrap) -> Plan {
        let mut offsets = Vec::with_capacity(sets.len());
        let mut next = 1;
        for s in sets {
            offsets.push(next);
            next += s.keys.len() * entry_len(nk);
        }
        Plan {
            reps: b.replicates as usize,
            seed: b.seed,
            nk,
            offsets,
            slots: next,
        }
    }

    /// Each replicate's weight of the list whose value is `query`.
    pub(super) fn list_weights(&self, query: &str, scratch: &mut Vec<u32>, out: &mut Vec<f64>) {
        scratch.resize(self.reps, 0);
        let stream = xxhash_rust::xxh3::xxh3_64_with_seed(query.as_bytes(), self.seed);
        PoissonTable::get().weights(stream, 0, scratch);
        out.clear();
        out.extend(scratch.iter().map(|&w| f64::from(w)));
    }

    /// Empty sums for every replicate.
    pub(super) fn zeroed(&self) -> Replicates {
        Replicates {
            sums: vec![0.0; self.slots * self.reps],
        }
    }
}

/// Every replicate's sums, slot by slot (`sums[slot · R + r]`).
pub(super) struct Replicates {
    sums: Vec<f64>,
}

impl Replicates {
    /// Adds what one list adds (`total_discount`, and per set the groups and their stats from
    /// [`SetGroups::add_list`]) with the list's weight in each replicate, `w`.
    pub(super) fn add_list(
        &mut self,
        plan: &Plan,
        total_discount: f64,
        sets: &[(Vec<usize>, Vec<f64>)],
        w: &[f64],
    ) {
        let r = plan.reps;
        let mut axpy = |slot: usize, v: f64| {
            if v != 0.0 {
                for (s, &x) in self.sums[slot * r..(slot + 1) * r].iter_mut().zip(w) {
                    *s += x * v;
                }
            }
        };
        axpy(0, total_discount);
        let len = entry_len(plan.nk);
        for ((groups, stats), &offset) in sets.iter().zip(&plan.offsets) {
            for (g, st) in groups.iter().zip(stats.chunks_exact(len)) {
                let base = offset + g * len;
                for (j, &v) in st.iter().enumerate() {
                    axpy(base + j, v);
                }
            }
        }
    }

    /// Adds another chunk's sums.
    pub(super) fn add(&mut self, o: &Replicates) {
        for (s, x) in self.sums.iter_mut().zip(&o.sums) {
            *s += x;
        }
    }

    /// Group `g` of set `set`'s sums in replicate `r`.
    fn acc(&self, plan: &Plan, set: usize, g: usize, r: usize) -> Acc {
        let (nk, reps) = (plan.nk, plan.reps);
        let base = plan.offsets[set] + g * entry_len(nk);
        let at = |j: usize| self.sums[(base + j) * reps + r];
        // List counts are sums of whole Poisson weights: whole numbers, exactly.
        let count = |x: f64| x.max(0.0).round() as u64;
        Acc {
            n: 0,
            lists: 0,
            weight: at(0),
            weight_sq: 0.0,
            discount: at(1),
            relevance: at(2),
            top: (0..nk).map(|j| at(3 + j)).collect(),
            ndcg: at(3 + nk),
            ndcg_lists: count(at(4 + nk)),
            ndcg_at: (0..nk).map(|j| at(5 + nk + j)).collect(),
            ndcg_at_lists: (0..nk).map(|j| count(at(5 + 2 * nk + j))).collect(),
        }
    }

    /// The intervals of set `set`'s summaries: `eligible` its groups the summaries range over,
    /// `compared` the metrics, `k` the cut-offs.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn intervals(
        &self,
        plan: &Plan,
        set: usize,
        eligible: &[bool],
        compared: &[String],
        (k, has_relevance): (&[u32], bool),
        min_group_size: u64,
        confidence: f64,
    ) -> BTreeMap<String, BootstrapInterval> {
        let mut draws: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for r in 0..plan.reps {
            let total = self.sums[r];
            let groups: Vec<Acc> = (0..eligible.len())
                .filter(|&g| eligible[g])
                .map(|g| self.acc(plan, set, g, r))
                .collect();
            if groups.iter().any(|a| a.weight <= 0.0) {
                continue;
            }
            let metrics: Vec<BTreeMap<String, f64>> = groups
                .iter()
                .map(|a| group_metrics(a, k, has_relevance, total).0)
                .collect();
            for metric in compared {
                let values: Vec<f64> = metrics
                    .iter()
                    .filter_map(|m| m.get(metric).copied())
                    .collect();
                for (key, v) in [
                    (
                        format!("{metric}_difference"),
                        difference(metric, &values, min_group_size),
                    ),
                    (
                        format!("{metric}_ratio"),
                        ratio(metric, &values, min_group_size),
                    ),
                ] {
                    let slot = draws.entry(key).or_default();
                    if let Ok(x) = v {
                        slot.push(x);
                    }
                }
            }
        }
        draws
            .into_iter()
            .filter_map(|(name, v)| Some((name, percentile_interval(v, confidence)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fairness::bootstrap::quantile;
    use crate::fairness::ranking::{RankBy, RankingBatch, RankingState};
    use crate::fairness::report::FairnessOptions;
    use crate::fairness::CodedAttribute;

    /// Lists of items (group, rank, relevance), each list repeated as often as `times` says
    /// (copies named apart), counted into one state.
    fn state(lists: &[Vec<(u32, f64, f64)>], times: &[u32]) -> RankingState {
        let levels = vec![Some("A".to_string()), Some("B".to_string())];
        let mut st = RankingState::new(vec!["g".into()], RankBy::Rank, true, &[2]).unwrap();
        for (l, items) in lists.iter().enumerate() {
            for copy in 0..times[l] {
                let names = vec![format!("list{l}#{copy}")];
                let n = items.len();
                let codes: Vec<u32> = items.iter().map(|x| x.0).collect();
                let position: Vec<Option<f64>> = items.iter().map(|x| Some(x.1)).collect();
                let rel: Vec<Option<f64>> = items.iter().map(|x| Some(x.2)).collect();
                st.update(&RankingBatch {
                    query: &vec![Some(0); n],
                    query_levels: &names,
                    position: &position,
                    relevance: Some(&rel),
                    weight: None,
                    attributes: vec![CodedAttribute {
                        name: "g",
                        codes: &codes,
                        levels: &levels,
                    }],
                    row_offset: 0,
                })
                .unwrap();
            }
        }
        st
    }

    /// A replicate is the report of its resample: each list counted as often as its Poisson
    /// weight. With two replicates the interval's ends are the two resamples' summaries,
    /// interpolated as numpy does.
    #[test]
    fn each_replicate_is_the_report_of_the_lists_resampled() {
        let lists: Vec<Vec<(u32, f64, f64)>> = (0..30u32)
            .map(|l| {
                (0..5u32)
                    .map(|i| {
                        let h = (l * 5 + i).wrapping_mul(2_654_435_761) >> 9;
                        (u32::from(h % 3 == 0), f64::from(i + 1), f64::from(h % 4))
                    })
                    .collect()
            })
            .collect();
        let b = Bootstrap {
            replicates: 2,
            seed: 11,
        };
        let opts = FairnessOptions {
            min_group_size: 1,
            bootstrap: Some(b),
            ..Default::default()
        };
        let ones = vec![1; lists.len()];
        let report = state(&lists, &ones).finish(&opts).unwrap();
        // Each list's weights in the two replicates, by its value in the state.
        let plan = Plan::new(&[], 1, &b);
        let (mut scratch, mut w) = (vec![], vec![]);
        let draws: Vec<Vec<f64>> = (0..lists.len())
            .map(|l| {
                plan.list_weights(&format!("list{l}#0"), &mut scratch, &mut w);
                w.clone()
            })
            .collect();
        let plain = FairnessOptions {
            bootstrap: None,
            ..opts.clone()
        };
        let resampled: Vec<_> = (0..2)
            .map(|r| {
                let times: Vec<u32> = draws.iter().map(|d| d[r] as u32).collect();
                state(&lists, &times).finish(&plain).unwrap().summary["g"].clone()
            })
            .collect();
        let s = &report.summary["g"];
        assert!(!s.intervals.is_empty());
        for (name, ci) in &s.intervals {
            let mut v = [
                resampled[0].metrics[name].unwrap(),
                resampled[1].metrics[name].unwrap(),
            ];
            v.sort_by(f64::total_cmp);
            let (low, high) = (quantile(&v, 0.025), quantile(&v, 0.975));
            let tol = 1e-12 * low.abs().max(high.abs()).max(1.0);
            assert!((ci.low - low).abs() < tol, "{name}: {} vs {low}", ci.low);
            assert!(
                (ci.high - high).abs() < tol,
                "{name}: {} vs {high}",
                ci.high
            );
        }
    }
}
