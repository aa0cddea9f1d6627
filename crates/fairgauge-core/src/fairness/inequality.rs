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

use super::metric::Confusion;

/// `GE(α)` of a distribution given as `(benefit value, count)` pairs. `None` when there are no rows
/// or the mean benefit is 0 (every decision a false negative).
pub fn generalized_entropy(values: &[(f64, u64)], alpha: f64) -> Option<f64> {
    let n: u64 = values.iter().map(|v| v.1).sum();
    if n == 0 || !alpha.is_finite() {
        return None;
    }
    let nf = n as f64;
    let mu = values.iter().map(|&(b, c)| b * c as f64).sum::<f64>() / nf;
    if mu <= 0.0 {
        return None;
    }
    let sum: f64 = if alpha == 1.0 {
        values
            .iter()
            .filter(|&&(b, c)| b > 0.0 && c > 0)
            .map(|&(b, c)| c as f64 * (b / mu) * (b / mu).ln())
            .sum::<f64>()
            / nf
    } else if alpha == 0.0 {
        -values
            .iter()
            .filter(|&&(_, c)| c > 0)
            .map(|&(b, c)| c as f64 * (b / mu).ln())
            .sum::<f64>()
            / nf
    } else {
        values
            .iter()
            .filter(|&&(_, c)| c > 0)
            .map(|&(b, c)| c as f64 * ((b / mu).powf(alpha) - 1.0))
            .sum::<f64>()
            / (nf * alpha * (alpha - 1.0))
    };
    Some(sum)
}

/// The benefit distribution of one group's confusion counts: `b = 0` for FN, `1` for TP and TN,
/// `2` for FP.
pub fn benefits(c: &Confusion) -> [(f64, u64); 3] {
    [(0.0, c.fn_), (1.0, c.tp + c.tn), (2.0, c.fp)]
}

/// `GE(α)` over all rows of the given groups.
pub fn generalized_entropy_index(groups: &[Confusion], alpha: f64) -> Option<f64> {
    let mut all = Confusion::default();
    for g in groups {
        all.add(g);
    }
    generalized_entropy(&benefits(&all), alpha)
}

/// Between-group `GE(α)`: every row's benefit replaced by its group's mean benefit.
pub fn between_group_generalized_entropy_index(groups: &[Confusion], alpha: f64) -> Option<f64> {
    let values: Vec<(f64, u64)> = groups
        .iter()
        .filter(|g| g.n() > 0)
        .map(|g| {
            let mean = (g.tp + g.tn + 2 * g.fp) as f64 / g.n() as f64;
            (mean, g.n())
        })
        .collect();
    generalized_entropy(&values, alpha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // b = [0, 1, 1, 2]: μ = 1; GE(2) = [(0-1) + 0 + 0 + (4-1)] / (4·2) = 2/8 = 0.25
        let c = Confusion {
            tp: 1,
            tn: 1,
            fp: 1,
            fn_: 1,
        };
        assert_eq!(generalized_entropy_index(&[c], 2.0), Some(0.25));
        // Theil: (0 + 0 + 0 + 2 ln 2) / 4 = ln(2)/2
        let t = generalized_entropy_index(&[c], 1.0).unwrap();
        assert!((t - std::f64::consts::LN_2 / 2.0).abs() < 1e-15);
        // GE(0) with a zero benefit is infinite
        assert_eq!(generalized_entropy_index(&[c], 0.0), Some(f64::INFINITY));
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
            between_group_generalized_entropy_index(&[g1, g2], 2.0),
            Some(0.125)
        );
        // all false negatives: μ = 0, undefined
        let bad = Confusion {
            fn_: 3,
            ..Default::default()
        };
        assert_eq!(generalized_entropy_index(&[bad], 2.0), None);
    }
}
