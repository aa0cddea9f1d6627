//! Distances between two samples whose values carry non-negative weights (sample weights), on
//! samples sorted by value: the weighted empirical CDF `F(x) = Σ_{xᵢ ≤ x} wᵢ / Σ wᵢ` in place of
//! the plain one.
//!
//! - [`wasserstein_weighted_presorted`]: `∫ |F_ref − F_cur| dx`, as
//!   `scipy.stats.wasserstein_distance(u, v, u_weights, v_weights)`;
//! - [`ks_2samp_weighted_presorted`]: `D = sup |F_ref − F_cur|` (the statistic of Monahan 2011,
//!   §13.3, for weighted samples); its p-value is the asymptotic two-sided Kolmogorov
//!   distribution `kstwo.sf(D, round(n₁n₂/(n₁+n₂)))` at Kish's effective sizes
//!   `nᵢ = (Σw)²/Σw²` — an approximation (scipy's `ks_2samp` takes no weights); with every
//!   weight 1 it is the unweighted asymptotic p-value.

use super::kolmogorov::kstwo_sf;
use super::sample::TestOutcome;
use crate::stats::moments::kish;

/// Walks both weighted samples in value order, calling `step(F_ref − F_cur, width)` for each
/// step between consecutive values (the gap's width, 0 for a tie) after the ECDFs have taken
/// every copy of the value before it. `None` when a side has no weight.
fn walk(
    reference: &[(f64, f64)],
    current: &[(f64, f64)],
    mut step: impl FnMut(f64, f64),
) -> Option<()> {
    let total = |s: &[(f64, f64)]| s.iter().map(|x| x.1).sum::<f64>();
    let (w1, w2) = (total(reference), total(current));
    if !(w1 > 0.0 && w2 > 0.0) {
        return None;
    }
    let (mut i, mut j) = (0usize, 0usize);
    let (mut c1, mut c2) = (0.0f64, 0.0f64);
    let head = |s: &[(f64, f64)], k: usize| s.get(k).map_or(f64::INFINITY, |x| x.0);
    while i < reference.len() || j < current.len() {
        let v = head(reference, i).min(head(current, j));
        while head(reference, i) == v {
            c1 += reference[i].1;
            i += 1;
        }
        while head(current, j) == v {
            c2 += current[j].1;
            j += 1;
        }
        let next = head(reference, i).min(head(current, j));
        let width = if next.is_finite() { next - v } else { 0.0 };
        step(c1 / w1 - c2 / w2, width);
    }
    Some(())
}

/// Wasserstein-1 distance between weighted samples sorted by value (see the module); `None`
/// when a side has no weight.
pub fn wasserstein_weighted_presorted(
    reference: &[(f64, f64)],
    current: &[(f64, f64)],
) -> Option<f64> {
    let mut sum = 0.0;
    walk(reference, current, |d, width| sum += d.abs() * width)?;
    Some(sum)
}

/// The weighted two-sample Kolmogorov–Smirnov statistic and its asymptotic p-value at Kish's
/// effective sizes (see the module); `None` when a side has no weight.
pub fn ks_2samp_weighted_presorted(
    reference: &[(f64, f64)],
    current: &[(f64, f64)],
) -> Option<TestOutcome> {
    let mut d = 0.0f64;
    walk(reference, current, |diff, _| d = d.max(diff.abs()))?;
    let eff = |s: &[(f64, f64)]| {
        let (w, w2) = s
            .iter()
            .fold((0.0, 0.0), |(a, b), x| (a + x.1, b + x.1 * x.1));
        kish(w, w2)
    };
    let (n1, n2) = (eff(reference), eff(current));
    let en = (n1 * n2 / (n1 + n2)).round_ties_even();
    Some(TestOutcome {
        statistic: d,
        p_value: (en >= 1.0).then(|| kstwo_sf(d, en as u64)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::numeric::{ks_2samp_presorted, wasserstein_presorted};

    fn unit(v: &[f64]) -> Vec<(f64, f64)> {
        v.iter().map(|&x| (x, 1.0)).collect()
    }

    #[test]
    fn whole_weights_are_repeated_values() {
        // Weight 2 on a value is that value twice: the same distances as the repeated sample.
        let a = [(1.0, 2.0), (2.5, 1.0), (4.0, 3.0), (4.0, 0.0)];
        let b = [(0.5, 1.0), (2.5, 2.0), (3.0, 1.0), (6.0, 1.0)];
        let ra = [1.0, 1.0, 2.5, 4.0, 4.0, 4.0];
        let rb = [0.5, 2.5, 2.5, 3.0, 6.0];
        let w = wasserstein_weighted_presorted(&a, &b).unwrap();
        assert!((w - wasserstein_presorted(&ra, &rb)).abs() < 1e-15);
        let ks = ks_2samp_weighted_presorted(&a, &b).unwrap();
        assert!((ks.statistic - ks_2samp_presorted(&ra, &rb).statistic).abs() < 1e-15);
        // By hand: F_a = 2/6 from 1, 3/6 from 2.5, 1 from 4; F_b = 1/5 from 0.5, 3/5 from 2.5,
        // 4/5 from 3, 1 from 6. Gaps: 0.2 at 0.5, 0.133 at 1, 0.1 at 2.5, 0.3 at 3, 0.2 at 4.
        assert!((ks.statistic - 0.3).abs() < 1e-15);
        // Kish: a has Σw 6, Σw² 14 → 36/14; b has Σw 5, Σw² 7 → 25/7; en = round(1.4…) = 1.
        let n1: f64 = 36.0 / 14.0;
        let n2: f64 = 25.0 / 7.0;
        let en = (n1 * n2 / (n1 + n2)).round_ties_even() as u64;
        assert_eq!(ks.p_value, Some(kstwo_sf(0.3, en)));
    }

    #[test]
    fn unit_weights_give_the_unweighted_statistics_and_no_weight_gives_none() {
        let a: Vec<f64> = (0..300).map(|i| (i as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = (0..200).map(|i| (i as f64 * 0.11).cos() + 0.1).collect();
        let (mut sa, mut sb) = (a.clone(), b.clone());
        sa.sort_by(f64::total_cmp);
        sb.sort_by(f64::total_cmp);
        let w = wasserstein_weighted_presorted(&unit(&sa), &unit(&sb)).unwrap();
        assert!((w - wasserstein_presorted(&sa, &sb)).abs() < 1e-12);
        let ks = ks_2samp_weighted_presorted(&unit(&sa), &unit(&sb)).unwrap();
        assert!((ks.statistic - ks_2samp_presorted(&sa, &sb).statistic).abs() < 1e-12);
        assert_eq!(ks.p_value, Some(kstwo_sf(ks.statistic, 120)));
        let zero = [(1.0, 0.0), (2.0, 0.0)];
        assert!(wasserstein_weighted_presorted(&unit(&sa), &zero).is_none());
        assert!(ks_2samp_weighted_presorted(&zero, &unit(&sb)).is_none());
    }
}
