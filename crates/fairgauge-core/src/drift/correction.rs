//! Multiple-testing corrections for the per-column drift p-values.

use crate::error::{Error, Result};

fn check_p(p: &[f64]) -> Result<()> {
    if let Some(i) = p.iter().position(|x| !(0.0..=1.0).contains(x)) {
        return Err(Error::InvalidArgument(format!(
            "p-value {} at position {i} is not in [0, 1]",
            p[i]
        )));
    }
    Ok(())
}

/// Benjamini–Hochberg adjusted p-values (false discovery rate), in the input order, as
/// `statsmodels.stats.multitest.multipletests(p, method="fdr_bh")[1]`:
/// with `p₍ᵢ₎` sorted ascending and `m` tests, `p̃₍ᵢ₎ = min_{j ≥ i} min(1, p₍ⱼ₎ / (j/m))`.
/// A column is flagged at FDR level α when its adjusted value is `≤ α`.
///
/// Errors when a p-value is NaN or outside `[0, 1]`; an empty input gives an empty output.
pub fn benjamini_hochberg(p: &[f64]) -> Result<Vec<f64>> {
    check_p(p)?;
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0f64; m];
    let mut running = f64::INFINITY;
    for (rank0, &idx) in order.iter().enumerate().rev() {
        let ecdf = (rank0 + 1) as f64 / m as f64;
        running = running.min(p[idx] / ecdf);
        adjusted[idx] = running.min(1.0);
    }
    Ok(adjusted)
}

/// Bonferroni adjusted p-values `min(1, m·pᵢ)`, as
/// `statsmodels.stats.multitest.multipletests(p, method="bonferroni")[1]`.
///
/// Errors when a p-value is NaN or outside `[0, 1]`.
pub fn bonferroni(p: &[f64]) -> Result<Vec<f64>> {
    check_p(p)?;
    let m = p.len() as f64;
    Ok(p.iter().map(|&x| (x * m).min(1.0)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_statsmodels() {
        let adj = benjamini_hochberg(INPUT).unwrap();
        for (a, b) in adj.iter().zip(REFERENCE_BH) {
            assert!((a - b).abs() <= 1e-15 * b.abs(), "{a} != {b}");
        }
        let adj = bonferroni(INPUT).unwrap();
        for (a, b) in adj.iter().zip(REFERENCE_BONFERRONI) {
            assert!((a - b).abs() <= 1e-15 * b.abs(), "{a} != {b}");
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(benjamini_hochberg(&[]).unwrap(), Vec::<f64>::new());
        assert_eq!(benjamini_hochberg(&[0.3]).unwrap(), vec![0.3]);
        assert!(benjamini_hochberg(&[0.1, f64::NAN]).is_err());
        assert!(bonferroni(&[1.5]).is_err());
        assert_eq!(bonferroni(&[0.4, 0.01]).unwrap(), vec![0.8, 0.02]);
    }

    // tests/reference/drift_reference.py, section "correction"
    const INPUT: &[f64] = &[
        0.01, 0.04, 0.03, 0.2, 0.001, 0.04, 0.9, 0.5, 1.0, 0.0, 0.049, 3e-8,
    ];
    // statsmodels 0.15.0: multipletests(INPUT, method="fdr_bh")[1]
    const REFERENCE_BH: &[f64] = &[
        0.030000000000000002,
        0.06857142857142857,
        0.06857142857142857,
        0.26666666666666666,
        0.004,
        0.06857142857142857,
        0.9818181818181819,
        0.6,
        1.0,
        0.0,
        0.07350000000000001,
        1.8e-07,
    ];
    // statsmodels 0.15.0: multipletests(INPUT, method="bonferroni")[1]
    const REFERENCE_BONFERRONI: &[f64] = &[
        0.12,
        0.48,
        0.36,
        1.0,
        0.012,
        0.48,
        1.0,
        1.0,
        1.0,
        0.0,
        0.5880000000000001,
        3.5999999999999994e-07,
    ];
}
