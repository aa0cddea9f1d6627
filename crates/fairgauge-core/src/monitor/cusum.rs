//! The tabular CUSUM on a series' standardised changes, for small shifts that last: each window
//! adds its `z` (from [`test_change`](super::change::test_change)) less a reference value `k`,
//! and an alarm sounds when the running sum passes the decision interval `h` (Page 1954;
//! Montgomery, *Introduction to Statistical Quality Control*, 8th ed., §9.1):
//!
//! `C⁺ᵢ = max(0, C⁺ᵢ₋₁ + zᵢ − k)`, `C⁻ᵢ = max(0, C⁻ᵢ₋₁ − zᵢ − k)`, alarm when `C⁺ᵢ > h` or
//! `C⁻ᵢ > h`; both sums restart at 0 after an alarm.
//!
//! `h` is set from the in-control average run length wanted, by Siegmund's approximation for
//! normal increments (Siegmund, *Sequential Analysis*, 1985, §X.2; Montgomery §9.1.5): one side's
//! ARL at mean shift `μ` is `(e^{−2Δb} + 2Δb − 1) / (2Δ²)` with `Δ = μ − k`, `b = h + 1.166`,
//! and the two-sided scheme's `1/ARL = 1/ARL⁺ + 1/ARL⁻`. (`k = 0.5`, `h = 5` gives 469 against
//! the 465 of Montgomery's Table 9.3.)

use serde::{Deserialize, Serialize};

/// The reference value most tables use: tuned to detect a shift of one standard deviation.
pub const DEFAULT_K: f64 = 0.5;

/// Which way a CUSUM alarm points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The value rose.
    Up,
    /// The value fell.
    Down,
}

/// One side's average run length by Siegmund's approximation, for increments `N(mu, 1)`.
pub fn one_sided_arl(mu: f64, k: f64, h: f64) -> f64 {
    let delta = mu - k;
    let b = h + 1.166;
    if delta.abs() < 1e-12 {
        return b * b;
    }
    ((-2.0 * delta * b).exp() + 2.0 * delta * b - 1.0) / (2.0 * delta * delta)
}

/// The two-sided scheme's in-control average run length (`μ = 0`).
pub fn in_control_arl(k: f64, h: f64) -> f64 {
    one_sided_arl(0.0, k, h) / 2.0
}

/// The decision interval `h ≥ 0` whose two-sided in-control ARL is `arl` (by bisection on the
/// increasing [`in_control_arl`]); 0 when even `h = 0` runs that long.
pub fn decision_interval(k: f64, arl: f64) -> f64 {
    if in_control_arl(k, 0.0) >= arl {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while in_control_arl(k, hi) < arl {
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if in_control_arl(k, mid) < arl {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// A two-sided tabular CUSUM.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cusum {
    /// Reference value.
    pub k: f64,
    /// Decision interval.
    pub h: f64,
    /// `C⁺`.
    pub upper: f64,
    /// `C⁻`.
    pub lower: f64,
}

impl Cusum {
    /// A CUSUM at 0.
    pub fn new(k: f64, h: f64) -> Cusum {
        Cusum {
            k,
            h,
            upper: 0.0,
            lower: 0.0,
        }
    }

    /// Adds a window's `z`; returns the larger sum after it (before any restart) and the alarm,
    /// if any (both sums restart at 0 after one).
    pub fn step(&mut self, z: f64) -> (f64, Option<Side>) {
        self.upper = (self.upper + z - self.k).max(0.0);
        self.lower = (self.lower - z - self.k).max(0.0);
        let statistic = self.statistic();
        let side = if self.upper > self.h {
            Some(Side::Up)
        } else if self.lower > self.h {
            Some(Side::Down)
        } else {
            None
        };
        if side.is_some() {
            self.upper = 0.0;
            self.lower = 0.0;
        }
        (statistic, side)
    }

    /// The larger of the two sums.
    pub fn statistic(&self) -> f64 {
        self.upper.max(self.lower)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siegmund_matches_montgomery_table() {
        // Montgomery (2019) Table 9.3 (two-sided, k = 0.5): h = 4 → 168, h = 5 → 465.
        // Siegmund's approximation is within 2 % of both.
        let a4 = in_control_arl(0.5, 4.0);
        let a5 = in_control_arl(0.5, 5.0);
        assert!((a4 / 168.0 - 1.0).abs() < 0.02, "{a4}");
        assert!((a5 / 465.0 - 1.0).abs() < 0.02, "{a5}");
        // Out of control, one side, shift 1σ, h = 5: Table 9.3 gives 10.4.
        let a1 = one_sided_arl(1.0, 0.5, 5.0);
        assert!((a1 / 10.4 - 1.0).abs() < 0.02, "{a1}");
    }

    #[test]
    fn decision_interval_inverts_the_arl() {
        for arl in [50.0, 465.0, 10_000.0, 1e6] {
            let h = decision_interval(0.5, arl);
            assert!(
                (in_control_arl(0.5, h) / arl - 1.0).abs() < 1e-9,
                "{arl} {h}"
            );
        }
        assert_eq!(decision_interval(0.5, 1.0), 0.0);
    }

    #[test]
    fn cusum_by_hand() {
        let mut c = Cusum::new(0.5, 2.0);
        assert_eq!(c.step(1.5), (1.0, None)); // C+ = 1.0
        assert_eq!(c.step(1.0), (1.5, None)); // C+ = 1.5
        let (s, side) = c.step(1.1); // C+ = 2.1 > 2
        assert!((s - 2.1).abs() < 1e-12 && side == Some(Side::Up));
        assert_eq!(c.statistic(), 0.0);
        assert_eq!(c.step(-3.0), (2.5, Some(Side::Down))); // C- = 2.5
        assert_eq!(c.step(0.2).1, None);
        assert_eq!((c.upper, c.lower), (0.0, 0.0));
    }
}
