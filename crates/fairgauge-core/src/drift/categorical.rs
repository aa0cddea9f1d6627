//! Drift between two count vectors over the same categories or histogram bins.
//!
//! Inputs are `reference: &[u64]` and `current: &[u64]` of equal length (category `i` of one
//! is category `i` of the other). Tests of homogeneity treat them as the two rows of a 2×k
//! contingency table; distances compare the two share vectors `p = reference / Σreference`,
//! `q = current / Σcurrent`. For exactly two categories the two-proportion tests of
//! [`crate::stats`] also apply ([`crate::stats::two_proportion_z_test`],
//! [`crate::stats::fisher_exact_two_sided`]).
//!
//! Numeric columns are binned for PSI and the share distances with [`quantile_bin_edges`]
//! (edges from reference quantiles) and [`bin_counts`].

use super::sample::{check_sorted, TestOutcome};
use crate::error::{Error, Result};
use crate::stats::chi_square_sf;

/// Share that replaces an empty bin in [`psi`] and [`kl_divergence`] (Evidently's rule:
/// a zero percentage becomes 0.0001, without renormalising the other shares).
pub const SHARE_FLOOR: f64 = 1e-4;

/// Number of reference-quantile bins for PSI when the caller does not choose (10, deciles).
pub const DEFAULT_PSI_BINS: usize = 10;

fn check_lengths(reference: &[u64], current: &[u64]) -> Result<()> {
    if reference.len() != current.len() {
        return Err(Error::LengthMismatch {
            column: "current counts".into(),
            got: current.len(),
            expected: reference.len(),
        });
    }
    if reference.is_empty() {
        return Err(Error::NoData("no categories".into()));
    }
    Ok(())
}

/// Shares of both count vectors; errors when a vector sums to zero.
fn shares(reference: &[u64], current: &[u64]) -> Result<(Vec<f64>, Vec<f64>)> {
    check_lengths(reference, current)?;
    let total = |v: &[u64], name: &str| -> Result<f64> {
        let t: u64 = v.iter().sum();
        if t == 0 {
            Err(Error::NoData(format!("{name} counts sum to zero")))
        } else {
            Ok(t as f64)
        }
    };
    let (tr, tc) = (total(reference, "reference")?, total(current, "current")?);
    Ok((
        reference.iter().map(|&c| c as f64 / tr).collect(),
        current.iter().map(|&c| c as f64 / tc).collect(),
    ))
}

/// The 2×k table without categories that are empty in both rows, and its expected counts
/// `E_rj = R_r C_j / N`. `None` when fewer than two categories remain or a row is empty.
#[allow(clippy::type_complexity)]
fn table_2xk(
    reference: &[u64],
    current: &[u64],
) -> Result<Option<(Vec<[f64; 2]>, Vec<[f64; 2]>, f64)>> {
    check_lengths(reference, current)?;
    let observed: Vec<[f64; 2]> = reference
        .iter()
        .zip(current)
        .filter(|(&r, &c)| r > 0 || c > 0)
        .map(|(&r, &c)| [r as f64, c as f64])
        .collect();
    if observed.len() < 2 {
        return Ok(None);
    }
    let r0: u64 = reference.iter().sum();
    let r1: u64 = current.iter().sum();
    if r0 == 0 || r1 == 0 {
        return Ok(None);
    }
    let n = (r0 + r1) as f64;
    let rows = [r0 as f64, r1 as f64];
    let expected = observed
        .iter()
        .map(|o| {
            let col = o[0] + o[1];
            [rows[0] * col / n, rows[1] * col / n]
        })
        .collect();
    Ok(Some((observed, expected, n)))
}

/// Pearson chi-square test of homogeneity on the 2×k table `[reference, current]`, as
/// `scipy.stats.chi2_contingency([reference, current], correction=False)`:
/// `X² = Σ (O − E)²/E`, `df = k − 1`, `p = P(χ²_df ≥ X²)`.
///
/// Categories empty in both rows are dropped first (scipy rejects zero expected counts);
/// `None` when fewer than two categories remain or either row is empty.
pub fn chi_square_2xk(reference: &[u64], current: &[u64]) -> Result<Option<TestOutcome>> {
    let Some((observed, expected, _)) = table_2xk(reference, current)? else {
        return Ok(None);
    };
    let stat: f64 = observed
        .iter()
        .zip(&expected)
        .flat_map(|(o, e)| (0..2).map(move |r| (o[r] - e[r]).powi(2) / e[r]))
        .sum();
    let df = observed.len() as u64 - 1;
    Ok(Some(TestOutcome {
        statistic: stat,
        p_value: Some(chi_square_sf(stat, df)),
    }))
}

/// G-test (log-likelihood ratio) of homogeneity on the 2×k table, as
/// `scipy.stats.chi2_contingency([reference, current], correction=False,
/// lambda_="log-likelihood")`: `G = 2 Σ O ln(O/E)` (terms with `O = 0` are 0), `df = k − 1`.
/// Same dropping rule and `None` cases as [`chi_square_2xk`].
pub fn g_test_2xk(reference: &[u64], current: &[u64]) -> Result<Option<TestOutcome>> {
    let Some((observed, expected, _)) = table_2xk(reference, current)? else {
        return Ok(None);
    };
    let stat: f64 = observed
        .iter()
        .zip(&expected)
        .flat_map(|(o, e)| {
            (0..2).map(move |r| {
                if o[r] > 0.0 {
                    2.0 * o[r] * (o[r] / e[r]).ln()
                } else {
                    0.0
                }
            })
        })
        .sum();
    let df = observed.len() as u64 - 1;
    Ok(Some(TestOutcome {
        statistic: stat,
        p_value: Some(chi_square_sf(stat, df)),
    }))
}

/// Cramér's V of the 2×k table, `√(X² / (N · (min(2, k) − 1)))` = `√(X²/N)`, without bias
/// correction, as `scipy.stats.contingency.association([reference, current], method="cramer")`.
/// Same dropping rule and `None` cases as [`chi_square_2xk`].
pub fn cramers_v(reference: &[u64], current: &[u64]) -> Result<Option<f64>> {
    let Some(t) = chi_square_2xk(reference, current)? else {
        return Ok(None);
    };
    let n: u64 = reference.iter().chain(current).sum();
    Ok(Some((t.statistic / n as f64).sqrt()))
}

/// Population Stability Index `Σ (qᵢ − pᵢ) · ln(qᵢ / pᵢ)` between reference shares `p` and
/// current shares `q`. A zero share (in either vector) is replaced by [`SHARE_FLOOR`] = 0.0001
/// before the sum, without renormalising, as Evidently does; so an empty bin contributes a
/// large but finite term. Errors when either vector sums to zero.
pub fn psi(reference: &[u64], current: &[u64]) -> Result<f64> {
    let (p, q) = shares(reference, current)?;
    Ok(p.iter()
        .zip(&q)
        .map(|(&p, &q)| {
            let (p, q) = (floor_share(p), floor_share(q));
            (q - p) * (q / p).ln()
        })
        .sum())
}

fn floor_share(s: f64) -> f64 {
    if s == 0.0 {
        SHARE_FLOOR
    } else {
        s
    }
}

/// Kullback–Leibler divergence **of current from reference**, `KL(q ‖ p) = Σ qᵢ ln(qᵢ / pᵢ)`
/// (nats), with zero shares replaced by [`SHARE_FLOOR`] as in [`psi`]. Note the direction:
/// Evidently's `kl_div` computes `scipy.stats.entropy(reference, current)` = `KL(p ‖ q)`
/// (after renormalising the floored shares). Errors when either vector sums to zero.
pub fn kl_divergence(reference: &[u64], current: &[u64]) -> Result<f64> {
    let (p, q) = shares(reference, current)?;
    Ok(p.iter()
        .zip(&q)
        .map(|(&p, &q)| {
            let (p, q) = (floor_share(p), floor_share(q));
            q * (q / p).ln()
        })
        .sum())
}

/// Jensen–Shannon **distance** with base-2 logarithms (in `[0, 1]`), as
/// `scipy.spatial.distance.jensenshannon(reference, current, base=2)`:
/// `√((KL(p ‖ m) + KL(q ‖ m)) / 2 / ln 2)`, `m = (p + q)/2`, `0 ln 0 = 0`. No smoothing is
/// needed. Errors when either vector sums to zero. (Rounding can make the divergence a tiny
/// negative number for identical inputs; it is clamped to 0 where scipy would return NaN.)
pub fn jensen_shannon(reference: &[u64], current: &[u64]) -> Result<f64> {
    let (p, q) = shares(reference, current)?;
    let rel_entr = |x: f64, y: f64| if x > 0.0 { x * (x / y).ln() } else { 0.0 };
    let mut left = 0.0;
    let mut right = 0.0;
    for (&pi, &qi) in p.iter().zip(&q) {
        let m = (pi + qi) / 2.0;
        left += rel_entr(pi, m);
        right += rel_entr(qi, m);
    }
    let js = (left + right) / std::f64::consts::LN_2;
    Ok((js / 2.0).max(0.0).sqrt())
}

/// Hellinger distance in the convention bounded by 1: `√(1 − Σ √(pᵢ qᵢ))`
/// (= `(1/√2) ‖√p − √q‖₂`). Errors when either vector sums to zero.
pub fn hellinger(reference: &[u64], current: &[u64]) -> Result<f64> {
    let (p, q) = shares(reference, current)?;
    let bc: f64 = p.iter().zip(&q).map(|(a, b)| (a * b).sqrt()).sum();
    Ok((1.0 - bc).max(0.0).sqrt())
}

/// Total variation distance `½ Σ |pᵢ − qᵢ|`. Errors when either vector sums to zero.
pub fn total_variation(reference: &[u64], current: &[u64]) -> Result<f64> {
    let (p, q) = shares(reference, current)?;
    Ok(0.5 * p.iter().zip(&q).map(|(a, b)| (a - b).abs()).sum::<f64>())
}

/// L∞ distance `maxᵢ |pᵢ − qᵢ|`, TensorFlow Data Validation's categorical drift measure.
/// Errors when either vector sums to zero.
pub fn l_infinity(reference: &[u64], current: &[u64]) -> Result<f64> {
    let (p, q) = shares(reference, current)?;
    Ok(p.iter()
        .zip(&q)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max))
}

/// Interior bin edges at the reference quantiles `k/bins`, `k = 1 … bins − 1`, with numpy's
/// default `'linear'` interpolation (`numpy.quantile(reference, k/bins)`: position
/// `(n − 1)·k/bins` between order statistics, numpy's two-sided lerp), then deduplicated, so
/// tied quantiles collapse into one edge and heavily tied columns get fewer bins. The bins
/// are `(−∞, e₁], (e₁, e₂], …, (e_last, +∞)`: at most `bins` of them, and the outer ones are
/// open so current values outside the reference range still land in a bin (see
/// [`bin_counts`]).
///
/// Errors when `sorted_reference` is not sorted, finite and non-empty, or `bins == 0`.
pub fn quantile_bin_edges(sorted_reference: &[f64], bins: usize) -> Result<Vec<f64>> {
    check_sorted("reference", sorted_reference)?;
    quantile_bin_edges_presorted(sorted_reference, bins)
}

/// [`quantile_bin_edges`] for a reference the caller has already sorted with
/// [`super::sort_finite`] (ascending, finite, non-empty), without reading it again to check: the
/// drift runner's hot path. Errors only when `bins == 0`; on unsorted input the edges are
/// meaningless (nothing panics unless the sample is empty, which the caller rules out).
pub fn quantile_bin_edges_presorted(sorted_reference: &[f64], bins: usize) -> Result<Vec<f64>> {
    if bins == 0 {
        return Err(Error::InvalidArgument("bins must be at least 1".into()));
    }
    if sorted_reference.is_empty() {
        return Err(Error::NoData("sample `reference` is empty".into()));
    }
    let n = sorted_reference.len();
    let mut edges: Vec<f64> = Vec::with_capacity(bins.saturating_sub(1));
    for k in 1..bins {
        let q = k as f64 / bins as f64;
        let virtual_index = (n - 1) as f64 * q;
        let value = if virtual_index >= (n - 1) as f64 {
            sorted_reference[n - 1]
        } else {
            let lo = virtual_index.floor();
            let gamma = virtual_index - lo;
            let lo = lo as usize;
            let (a, b) = (sorted_reference[lo], sorted_reference[lo + 1]);
            let diff = b - a;
            if gamma >= 0.5 {
                b - diff * (1.0 - gamma)
            } else {
                a + diff * gamma
            }
        };
        if edges.last().is_none_or(|&last| value > last) {
            edges.push(value);
        }
    }
    Ok(edges)
}

/// Counts of `sorted` values in the bins `(−∞, e₁], (e₁, e₂], …, (e_k, +∞)` defined by the
/// strictly increasing finite `edges` (so `edges.len() + 1` counts; a value equal to an edge
/// belongs to the bin that edge closes). `sorted` may be empty.
///
/// Errors when `sorted` is unsorted or non-finite, or `edges` is not strictly increasing and
/// finite.
pub fn bin_counts(sorted: &[f64], edges: &[f64]) -> Result<Vec<u64>> {
    if !sorted.is_empty() {
        check_sorted("values", sorted)?;
    }
    bin_counts_presorted(sorted, edges)
}

/// [`bin_counts`] for values the caller has already sorted with [`super::sort_finite`], without
/// reading them again to check: each bin's count is the difference of two binary searches
/// (`#{x ≤ e_k} − #{x ≤ e_(k−1)}`), `O(bins · log n)`. Errors when `edges` is not strictly
/// increasing and finite.
pub fn bin_counts_presorted(sorted: &[f64], edges: &[f64]) -> Result<Vec<u64>> {
    if edges.iter().any(|e| !e.is_finite()) || edges.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::InvalidArgument(
            "bin edges must be finite and strictly increasing".into(),
        ));
    }
    let mut counts = Vec::with_capacity(edges.len() + 1);
    let mut below = 0usize; // values ≤ the previous edge
    for &e in edges {
        let upto = sorted.partition_point(|&x| x <= e);
        counts.push((upto - below) as u64);
        below = upto;
    }
    counts.push((sorted.len() - below) as u64);
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!(
            (a - b).abs() <= tol * b.abs().max(1e-300),
            "{a} != {b} (rel tol {tol})"
        );
    }

    #[test]
    fn psi_by_hand() {
        // p = (0.5, 0.3, 0.2, 0), q = (0.4, 0.4, 0.1, 0.1); the empty reference bin becomes 1e-4:
        // (0.4-0.5)ln(0.8) + (0.4-0.3)ln(4/3) + (0.1-0.2)ln(0.5) + (0.1-1e-4)ln(0.1/1e-4)
        let expected = -0.1 * 0.8f64.ln() + 0.1 * (4.0f64 / 3.0).ln() - 0.1 * 0.5f64.ln()
            + (0.1 - 1e-4) * (0.1f64 / 1e-4).ln();
        close(
            psi(&[50, 30, 20, 0], &[40, 40, 10, 10]).unwrap(),
            expected,
            1e-14,
        );
        close(expected, 0.8104820328029091, 1e-12);
        assert_eq!(psi(&[1, 2], &[2, 4]).unwrap(), 0.0);
        assert!(psi(&[0, 0], &[1, 1]).is_err());
        assert!(psi(&[1], &[1, 1]).is_err());
    }

    #[test]
    fn kl_by_hand() {
        // KL(current ‖ reference), q = (0.25, 0.75), p = (0.5, 0.5):
        // 0.25 ln 0.5 + 0.75 ln 1.5 = 0.13081203594113697
        close(
            kl_divergence(&[5, 5], &[1, 3]).unwrap(),
            0.13081203594113697,
            1e-14,
        );
        // A zero current share is floored: q = (1e-4, 1), p = (0.5, 0.5)
        let expected = 1e-4 * (1e-4f64 / 0.5).ln() + 1.0 * 2.0f64.ln();
        close(kl_divergence(&[1, 1], &[0, 7]).unwrap(), expected, 1e-14);
    }

    #[test]
    fn hellinger_tv_linf_by_hand() {
        // p = (0.5, 0.5, 0), q = (0.25, 0.25, 0.5): Σ√(pq) = 2 √0.125 = 0.7071067811865476
        close(
            hellinger(&[1, 1, 0], &[1, 1, 2]).unwrap(),
            (1.0 - 2.0 * 0.125f64.sqrt()).sqrt(),
            1e-14,
        );
        close(total_variation(&[1, 1, 0], &[1, 1, 2]).unwrap(), 0.5, 1e-15);
        close(l_infinity(&[1, 1, 0], &[1, 1, 2]).unwrap(), 0.5, 1e-15);
        // Disjoint supports: maximal distances.
        assert_eq!(hellinger(&[3, 0], &[0, 4]).unwrap(), 1.0);
        assert_eq!(total_variation(&[3, 0], &[0, 4]).unwrap(), 1.0);
        assert_eq!(hellinger(&[2, 6], &[1, 3]).unwrap(), 0.0);
    }

    #[test]
    fn degenerate_tables() {
        assert_eq!(chi_square_2xk(&[5, 0], &[3, 0]).unwrap(), None);
        assert_eq!(chi_square_2xk(&[0, 0], &[3, 4]).unwrap(), None);
        assert_eq!(g_test_2xk(&[5], &[3]).unwrap(), None);
        assert_eq!(cramers_v(&[0, 0, 1], &[0, 0, 2]).unwrap(), None);
        assert!(chi_square_2xk(&[1, 2], &[1]).is_err());
        // Identical shares: statistic 0, p 1.
        let t = chi_square_2xk(&[10, 20, 0], &[20, 40, 0]).unwrap().unwrap();
        assert_eq!(t.statistic, 0.0);
        assert_eq!(t.p_value, Some(1.0));
    }

    #[test]
    fn quantile_edges_and_counts() {
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        // numpy.quantile(arange(1, 11), [0.25, 0.5, 0.75]) = [3.25, 5.5, 7.75]
        assert_eq!(quantile_bin_edges(&x, 4).unwrap(), vec![3.25, 5.5, 7.75]);
        assert_eq!(quantile_bin_edges(&x, 1).unwrap(), Vec::<f64>::new());
        // Ties collapse: 80 % of the values are 0.
        let mut tied = vec![0.0; 8];
        tied.extend([1.0, 2.0]);
        // numpy.quantile(tied, [0.2, 0.4, 0.6, 0.8]) = [0, 0, 0, 0.2]
        let e = quantile_bin_edges(&tied, 5).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0], 0.0);
        close(e[1], 0.2, 1e-14);
        // Bins (−∞, 0], (0, 0.2], (0.2, ∞): a value equal to an edge goes left.
        assert_eq!(bin_counts(&tied, &e).unwrap(), vec![8, 0, 2]);
        assert_eq!(
            bin_counts(&[-5.0, 0.2, 0.2000001, 9.0], &e).unwrap(),
            vec![1, 1, 2]
        );
        assert_eq!(bin_counts(&[], &e).unwrap(), vec![0, 0, 0]);
        assert_eq!(bin_counts(&[1.0, 2.0], &[]).unwrap(), vec![2]);
        assert!(bin_counts(&[1.0], &[1.0, 1.0]).is_err());
        assert!(quantile_bin_edges(&x, 0).is_err());
        assert!(quantile_bin_edges(&[], 10).is_err());
        // The reference itself spreads evenly over decile bins.
        let r: Vec<f64> = (0..1000).map(f64::from).collect();
        let edges = quantile_bin_edges(&r, DEFAULT_PSI_BINS).unwrap();
        assert_eq!(edges.len(), 9);
        let counts = bin_counts(&r, &edges).unwrap();
        assert_eq!(counts.iter().sum::<u64>(), 1000);
        assert!(counts.iter().all(|&c| c == 100), "{counts:?}");
    }

    #[test]
    fn bin_counts_by_search_equal_a_sweep_of_every_value() {
        // Heavily tied values, edges on and between them: each value counted in the first bin
        // whose edge is ≥ it, by a plain sweep.
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut v: Vec<f64> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x % 40) as f64 - 20.0) / 4.0
            })
            .collect();
        v.sort_by(f64::total_cmp);
        for edges in [
            vec![-3.0, -0.1, 0.0, 2.25, 4.9],
            vec![-100.0],
            vec![100.0],
            vec![],
        ] {
            let mut want = vec![0u64; edges.len() + 1];
            for &y in &v {
                want[edges.iter().position(|&e| y <= e).unwrap_or(edges.len())] += 1;
            }
            assert_eq!(bin_counts_presorted(&v, &edges).unwrap(), want);
            assert_eq!(bin_counts(&v, &edges).unwrap(), want);
        }
        assert_eq!(
            quantile_bin_edges_presorted(&v, 10).unwrap(),
            quantile_bin_edges(&v, 10).unwrap()
        );
        assert!(quantile_bin_edges_presorted(&[], 10).is_err());
    }
}
