//! A column of numbers (numeric, or numbers stored as text): its profile (exact from the sorted
//! values, or read off the bounded mode's sketch), its mode, and numeric sentinels that are
//! suspected placeholders.

use fairgauge_core::quality::hll::HyperLogLog;
use fairgauge_core::quality::numeric::{quantile_sorted, NumericProfile};

use super::state::ColumnState;
use super::values::{judge_sentinel, mode_top};
use crate::quality::spec::NUMERIC_SENTINELS;

/// Profiles the column's numbers, if it has any.
pub(crate) fn profile_numbers(s: &mut ColumnState, hll: Option<&HyperLogLog>) {
    if s.numbers.is_none() && s.sketch.is_some() {
        from_sketch(s, hll);
    }
    if s.numbers.is_some() {
        exact(s);
    }
}

/// The bounded mode: the profile read off the sketch (exact while it counts every value).
fn from_sketch(s: &mut ColumnState, hll: Option<&HyperLogLog>) {
    let Some(sn) = &s.sketch else { return };
    let sk = &sn.sketch;
    s.integral = sk.integral();
    s.profile = sk.profile();
    let Some(p) = &s.profile else { return };
    if s.kind == "numeric" {
        if sk.counts_exact() {
            s.distinct = p.distinct;
        } else {
            s.distinct = hll.map_or(0, |h| h.estimate().round() as u64);
            s.distinct_exact = false;
        }
    }
    s.top = mode_top(p);
    let quartile = |q: f64| {
        p.quantiles
            .iter()
            .find(|(at, _)| *at == q)
            .map_or(f64::NAN, |(_, v)| *v)
    };
    let (q1, q3) = (quartile(0.25), quartile(0.75));
    let iqr = p.iqr;
    for (k, &sv) in NUMERIC_SENTINELS.iter().enumerate() {
        let count = sk.watched()[k];
        if (sv != p.min && sv != p.max) || count == 0 || p.min == p.max {
            continue;
        }
        let next_above = if sv == p.min {
            sk.second_smallest()
        } else {
            None
        };
        s.suspected
            .extend(judge_sentinel(sv, count, next_above, (q1, q3, iqr)));
    }
}

/// The exact profile, from the sorted finite values.
fn exact(s: &mut ColumnState) {
    let Some(v) = &s.numbers else { return };
    let mut sorted: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    s.integral = Some(sorted.iter().all(|x| x.fract() == 0.0));
    fairgauge_core::drift::sort_finite(&mut sorted);
    s.profile = NumericProfile::from_sorted(&sorted);
    if let Some(p) = &s.profile {
        if s.kind == "numeric" {
            s.distinct = p.distinct;
        }
        s.top = mode_top(p);
        // Numeric sentinels, judged with the profile's quartiles (not computed again).
        let quartile = |q: f64| {
            p.quantiles
                .iter()
                .find(|(at, _)| *at == q)
                .map(|(_, v)| *v)
                .unwrap_or_else(|| quantile_sorted(&sorted, q))
        };
        let (q1, q3) = (quartile(0.25), quartile(0.75));
        let iqr = p.iqr;
        for &sv in &NUMERIC_SENTINELS {
            if sv != p.min && sv != p.max {
                continue;
            }
            let lo = sorted.partition_point(|&x| x < sv);
            let hi = sorted.partition_point(|&x| x <= sv);
            let count = (hi - lo) as u64;
            if count == 0 || p.distinct < 2 {
                continue;
            }
            s.suspected.extend(judge_sentinel(
                sv,
                count,
                sorted.get(hi).copied(),
                (q1, q3, iqr),
            ));
        }
    }
    s.sorted = sorted;
}

/// Decile edges of the non-missing finite numbers (suspected sentinels left out), deduplicated.
pub(crate) fn decile_edges(sorted: &mut Vec<f64>, suspected_numbers: &[f64]) -> Vec<f64> {
    if !suspected_numbers.is_empty() {
        sorted.retain(|x| !suspected_numbers.contains(x));
    }
    let mut edges: Vec<f64> = if sorted.is_empty() {
        vec![]
    } else {
        (1..10)
            .map(|i| quantile_sorted(sorted, i as f64 / 10.0))
            .collect()
    };
    edges.dedup();
    edges
}
