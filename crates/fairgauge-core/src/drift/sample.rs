//! Samples as the drift tests take them: finite values sorted ascending (and the check that they
//! are), and the outcome of one two-sample comparison.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Result of one two-sample comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestOutcome {
    /// The test statistic (its definition is stated by the function that returns it).
    pub statistic: f64,
    /// The p-value; `None` for pure distances that have no null distribution.
    pub p_value: Option<f64>,
}

/// Length from which [`sort_finite`] uses the radix sort.
const PARALLEL_SORT_MIN: usize = 1 << 16;

/// Drops NaN and ±∞ from `v`, then sorts it ascending with [`f64::total_cmp`] (so `-0.0`
/// precedes `0.0`, which every statistic here treats as equal). Inputs of 65 536 values or
/// more are sorted with an LSD radix sort in the same order.
pub fn sort_finite(v: &mut Vec<f64>) {
    v.retain(|x| x.is_finite());
    if v.len() >= PARALLEL_SORT_MIN {
        // LSD radix sort: O(n) and the same order as `total_cmp` (callers sort many columns in
        // parallel already, so one thread per column keeps both cores busy).
        super::radix::radix_sort_f64(v);
    } else {
        v.sort_unstable_by(f64::total_cmp);
    }
}

/// Checks that `v` is non-empty, finite and sorted ascending; `name` labels the error.
pub(crate) fn check_sorted(name: &str, v: &[f64]) -> Result<()> {
    if v.is_empty() {
        return Err(Error::NoData(format!("sample `{name}` is empty")));
    }
    if let Some(i) = v.iter().position(|x| !x.is_finite()) {
        return Err(Error::InvalidSample {
            sample: name.to_string(),
            reason: format!("value {} at position {i} is not finite", v[i]),
        });
    }
    if let Some(i) = v.windows(2).position(|w| w[0] > w[1]) {
        return Err(Error::InvalidSample {
            sample: name.to_string(),
            reason: format!(
                "not sorted ascending at position {}: {} > {} (use drift::sort_finite)",
                i + 1,
                v[i],
                v[i + 1]
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_finite_drops_non_finite_and_sorts() {
        let mut v = vec![
            3.0,
            f64::NAN,
            -1.0,
            f64::INFINITY,
            0.0,
            -0.0,
            2.5,
            f64::NEG_INFINITY,
        ];
        sort_finite(&mut v);
        assert_eq!(v, vec![-1.0, -0.0, 0.0, 2.5, 3.0]);
        assert!(v[1].is_sign_negative());
        // The parallel path gives the same order.
        let mut big: Vec<f64> = (0..100_000)
            .map(|i| ((i * 7919) % 100_003) as f64)
            .collect();
        big.push(f64::NAN);
        sort_finite(&mut big);
        assert_eq!(big.len(), 100_000);
        assert!(big.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn check_sorted_rejects_bad_input() {
        assert!(check_sorted("a", &[]).is_err());
        assert!(check_sorted("a", &[1.0, f64::NAN]).is_err());
        assert!(check_sorted("a", &[2.0, 1.0]).is_err());
        assert!(check_sorted("a", &[1.0, 1.0, 2.0]).is_ok());
    }
}
