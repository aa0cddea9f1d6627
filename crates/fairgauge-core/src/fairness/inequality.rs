//! Inequality of benefit (Speicher et al. 2018, "A Unified Approach to Quantifying Algorithmic
//! Unfairness", KDD), as AIF360's `ClassificationMetric` defines it: each row's benefit is
//! `b = ŷ − y + 1` (0 for a false negative, 1 for a correct decision, 2 for a false positive), and
//!
//! `GE(α) = Σ[(b/μ)^α − 1] / (n α(α−1))` for `α ∉ {0, 1}`,
//! `GE(1) = Σ (b/μ) ln(b/μ) / n` (the Theil index, `0 ln 0 = 0`),
//! `GE(0) = −Σ ln(b/μ) / n` (the mean log deviation; infinite when some `b = 0`).
//!
//! Note: AIF360's code for `α = 0` also divides by `μ`, which its own docstring does not; we follow
//! the docstring (the textbook definition). For `α = 1` and `α = 2` (the defaults) both agree.
//!
//! Since `b` takes only the values 0, 1 and 2, the index follows exactly from confusion counts.
//! The between-group part replaces each row's benefit by its group's mean benefit (AIF360's
//! `between_all_groups_generalized_entropy_index` over the groups of one attribute).
//!
//! With sample weights each row counts with its weight (the weighted index of the same formulas,
//! `n` and the sums taken over weights), so the functions take `[TP, FP, TN, FN]` as reals: counts
//! or sums of weights ([`super::state::Cell::amounts`]); whole counts give AIF360's values.

/// `GE(α)` of a distribution given as `(benefit value, count or weight)` pairs. `None` when
/// there are no rows or the mean benefit is 0 (every decision a false negative).
pub fn generalized_entropy(values: &[(f64, f64)], alpha: f64) -> Option<f64> {
    let n: f64 = values.iter().map(|v| v.1).sum();
    if n <= 0.0 || !alpha.is_finite() {
        return None;
    }
    let mu = values.iter().map(|&(b, c)| b * c).sum::<f64>() / n;
    if mu <= 0.0 {
        return None;
    }
    let sum: f64 = if alpha == 1.0 {
        values
            .iter()
            .filter(|&&(b, c)| b > 0.0 && c > 0.0)
            .map(|&(b, c)| c * (b / mu) * (b / mu).ln())
            .sum::<f64>()
            / n
    } else if alpha == 0.0 {
        -values
            .iter()
            .filter(|&&(_, c)| c > 0.0)
            .map(|&(b, c)| c * (b / mu).ln())
            .sum::<f64>()
            / n
    } else {
        values
            .iter()
            .filter(|&&(_, c)| c > 0.0)
            .map(|&(b, c)| c * ((b / mu).powf(alpha) - 1.0))
            .sum::<f64>()
            / (n * alpha * (alpha - 1.0))
    };
    Some(sum)
}

/// The benefit distribution of one group's `[TP, FP, TN, FN]`: `b = 0` for FN, `1` for TP and
/// TN, `2` for FP.
pub fn benefits(c: [f64; 4]) -> [(f64, f64); 3] {
    let [tp, fp, tn, fn_] = c;
    [(0.0, fn_), (1.0, tp + tn), (2.0, fp)]
}

/// `GE(α)` over all rows of the given groups.
pub fn generalized_entropy_index(groups: &[[f64; 4]], alpha: f64) -> Option<f64> {
    let mut all = [0.0; 4];
    for g in groups {
        for j in 0..4 {
            all[j] += g[j];
        }
    }
    generalized_entropy(&benefits(all), alpha)
}

/// Between-group `GE(α)`: every row's benefit replaced by its group's mean benefit.
pub fn between_group_generalized_entropy_index(groups: &[[f64; 4]], alpha: f64) -> Option<f64> {
    let values: Vec<(f64, f64)> = groups
        .iter()
        .map(|&[tp, fp, tn, fn_]| (tp + tn + 2.0 * fp, tp + fp + tn + fn_))
        .filter(|&(_, n)| n > 0.0)
        .map(|(total_benefit, n)| (total_benefit / n, n))
        .collect();
    generalized_entropy(&values, alpha)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fairness::Confusion;

    #[test]
    fn by_hand() {
        // b = [0, 1, 1, 2]: μ = 1; GE(2) = [(0-1) + 0 + 0 + (4-1)] / (4·2) = 2/8 = 0.25
        let c = Confusion {
            tp: 1,
            tn: 1,
            fp: 1,
            fn_: 1,
        };
        assert_eq!(generalized_entropy_index(&[c.counts()], 2.0), Some(0.25));
        // Theil: (0 + 0 + 0 + 2 ln 2) / 4 = ln(2)/2
        let t = generalized_entropy_index(&[c.counts()], 1.0).unwrap();
        assert!((t - std::f64::consts::LN_2 / 2.0).abs() < 1e-15);
        // GE(0) with a zero benefit is infinite
        assert_eq!(
            generalized_entropy_index(&[c.counts()], 0.0),
            Some(f64::INFINITY)
        );
        // Between groups: g1 = {FN, TP} mean 0.5 (n 2), g2 = {TN, FP} mean 1.5 (n 2); μ = 1
        // GE(2) = [2(0.25-1) + 2(2.25-1)] / (4·2) = (−1.5 + 2.5)/8 = 0.125
        let g1 = Confusion {
            tp: 1,
            fn_: 1,
            ..Default::default()
        };
        let g2 = Confusion {
            tn: 1,
            fp: 1,
            ..Default::default()
        };
        assert_eq!(
            between_group_generalized_entropy_index(&[g1.counts(), g2.counts()], 2.0),
            Some(0.125)
        );
        // all false negatives: μ = 0, undefined
        let bad = Confusion {
            fn_: 3,
            ..Default::default()
        };
        assert_eq!(generalized_entropy_index(&[bad.counts()], 2.0), None);
    }
}
