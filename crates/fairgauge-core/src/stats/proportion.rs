//! Confidence intervals for a binomial proportion and for a difference of two.

use crate::error::{Error, Result};

/// Two-sided critical value of the standard normal for `confidence` (e.g. 1.959963984540054 for 0.95):
/// `z = Φ⁻¹((1 + confidence) / 2) = √2 · erf⁻¹(confidence)`.
pub fn z_critical(confidence: f64) -> Result<f64> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(Error::InvalidArgument(format!(
            "confidence must be strictly between 0 and 1, given {confidence}"
        )));
    }
    Ok(std::f64::consts::SQRT_2 * statrs::function::erf::erf_inv(confidence))
}

/// Wilson score interval for `successes / n` at critical value `z`
/// (Wilson 1927; as `statsmodels.stats.proportion.proportion_confint(method="wilson")`):
///
/// `centre = (p + z²/2n) / (1 + z²/n)`, `half = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²)`.
///
/// Returns `None` when `n = 0`.
pub fn wilson_interval(successes: u64, n: u64, z: f64) -> Option<[f64; 2]> {
    if n == 0 {
        return None;
    }
    wilson_interval_effective(successes as f64 / n as f64, n as f64, z)
}

/// The Wilson interval of a proportion `p` estimated from a weighted sample, at Kish's
/// effective sample size `n` (`(Σw)² / Σw²`; Kish 1965, *Survey Sampling*, §11.7): the formula
/// of [`wilson_interval`] with `n` real. With unit weights `n` is the row count and the interval
/// is [`wilson_interval`]'s to the bit. Returns `None` unless `n > 0` and `p ∈ [0, 1]`.
pub fn wilson_interval_effective(p: f64, n: f64, z: f64) -> Option<[f64; 2]> {
    if !(n > 0.0 && (0.0..=1.0).contains(&p)) {
        return None;
    }
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // At 0 and n the bound is exactly 0 (resp. 1); rounding would leave 1e-17 off it.
    let lo = if p == 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if p == 1.0 {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some([lo, hi])
}

/// Newcombe's hybrid score interval for `p1 − p2` (Newcombe 1998, method 10), built from the two
/// Wilson intervals `(l1, u1)` and `(l2, u2)`:
///
/// `[d − √((p1−l1)² + (u2−p2)²), d + √((u1−p1)² + (p2−l2)²)]`, `d = p1 − p2`;
/// as `statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb")`.
///
/// Returns `None` when either sample is empty.
pub fn newcombe_interval(x1: u64, n1: u64, x2: u64, n2: u64, z: f64) -> Option<[f64; 2]> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    newcombe_interval_effective(
        x1 as f64 / n1 as f64,
        n1 as f64,
        x2 as f64 / n2 as f64,
        n2 as f64,
        z,
    )
}

/// Newcombe's interval for `p1 − p2` from weighted samples: the Wilson intervals at the
/// effective sample sizes ([`wilson_interval_effective`]) combined as in
/// [`newcombe_interval`], to which it is equal bit for bit with unit weights.
pub fn newcombe_interval_effective(p1: f64, n1: f64, p2: f64, n2: f64, z: f64) -> Option<[f64; 2]> {
    let [l1, u1] = wilson_interval_effective(p1, n1, z)?;
    let [l2, u2] = wilson_interval_effective(p2, n2, z)?;
    let d = p1 - p2;
    let lo = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let hi = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    Some([lo.max(-1.0), hi.min(1.0)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} != {b} (tol {tol})");
    }

    #[test]
    fn z_critical_matches_scipy() {
        // scipy 1.17.1 scipy.stats.norm.ppf(0.975) = 1.959963984540054; norm.ppf(0.995) = 2.5758293035489004
        close(z_critical(0.95).unwrap(), 1.959963984540054, 1e-12);
        close(z_critical(0.99).unwrap(), 2.5758293035489004, 1e-12);
        assert!(z_critical(1.0).is_err());
        assert!(z_critical(f64::NAN).is_err());
    }

    #[test]
    fn wilson_matches_statsmodels() {
        // statsmodels 0.15.0 proportion_confint(7, 50, alpha=0.05, method="wilson")
        //   = (0.06950833427016288, 0.26186193710585537)
        let z = z_critical(0.95).unwrap();
        let [lo, hi] = wilson_interval(7, 50, z).unwrap();
        close(lo, 0.06950833427016288, 1e-12);
        close(hi, 0.26186193710585537, 1e-12);
        // proportion_confint(0, 10, method="wilson") = (0.0, 0.27753279986288926)
        let [lo, hi] = wilson_interval(0, 10, z).unwrap();
        close(lo, 0.0, 1e-15);
        close(hi, 0.27753279986288926, 1e-12);
        assert!(wilson_interval(0, 0, z).is_none());
        // At n the upper bound is exactly 1 (statsmodels gives 1.0); 0/40 gives exactly 0.
        assert_eq!(wilson_interval(35, 35, z).unwrap()[1], 1.0);
        assert_eq!(wilson_interval(0, 40, z).unwrap()[0], 0.0);
        let [_, hi] = newcombe_interval(35, 35, 0, 40, z).unwrap();
        assert!(hi <= 1.0);
    }

    #[test]
    fn newcombe_matches_statsmodels() {
        // statsmodels 0.15.0 confint_proportions_2indep(30, 100, 45, 110, method="newcomb", compare="diff")
        //   = (-0.23278267762770347, 0.020556446255100835)
        let z = z_critical(0.95).unwrap();
        let [lo, hi] = newcombe_interval(30, 100, 45, 110, z).unwrap();
        close(lo, -0.23278267762770347, 1e-12);
        close(hi, 0.020556446255100835, 1e-12);
    }
}
