//! Has a rate moved from its baseline? The test of one window's rate (or gap between two
//! groups' rates) against the baseline windows' pooled rate, and the window's control limits.
//!
//! Under "nothing changed" the window's rate `p̂ = x / n` and the baseline's `p̂₀ = x₀ / n₀`
//! estimate one `p`, and `p̂ − p̂₀` has variance `p (1 − p) (1/n + 1/n₀)`; the baseline, the
//! larger sample, estimates `p`. So
//!
//! `z = (p̂ − p̂₀) / √(p̂₀ (1 − p̂₀) (1/n + 1/n₀))`, two-sided p-value `2 (1 − Φ(|z|))`,
//!
//! and the limits the window's rate stays within at the per-comparison level `α` are
//! `p̂₀ ± z_{1−α/2} · √(p̂₀ (1 − p̂₀) (1/n + 1/n₀))` — they widen as the window's `n` shrinks
//! (the p-chart with variable sample size, Montgomery, *Introduction to Statistical Quality
//! Control*, 8th ed., 2019, §7.3.1, with the baseline's own sampling error added, as in the
//! two-proportion z-test, Agresti, *Categorical Data Analysis*, 3rd ed., §3.1.3).
//!
//! A gap `d = p̂_a − p̂_b` between a group and its reference group is tested the same way
//! against the baseline's gap `d₀`, its variance the sum of the four independent binomial
//! variances, each at its group's baseline rate:
//! `Var = p̂_a₀ (1 − p̂_a₀)(1/n_a + 1/n_a₀) + p̂_b₀ (1 − p̂_b₀)(1/n_b + 1/n_b₀)`.
//!
//! The normal approximation needs expected counts of at least [`MIN_EXPECTED`] on each side
//! (`n p̂₀ ≥ 5` and `n (1 − p̂₀) ≥ 5`, the textbook rule, Montgomery §7.2.1); a window below it
//! is `insufficient_data`, never an alert. Between that and [`EXACT_BELOW`], a rate's p-value is
//! Fisher's exact test of the window's 2×2 table against the baseline's instead.

use serde::{Deserialize, Serialize};

use crate::stats::{fisher_exact_two_sided, normal_two_sided_p};

/// The smallest expected count of successes and of failures in a window for its test.
pub const MIN_EXPECTED: f64 = 5.0;

/// Below this expected count of successes or failures, a rate's p-value is Fisher's exact test
/// of the window against the baseline: the normal tail is too thin for a skewed binomial there
/// (the simulation's windows of 200 rows at a rate of 0.05 alerted twice as often as they should).
pub const EXACT_BELOW: f64 = 20.0;

/// `x` successes in `n` trials; with sample weights, the weighted sums behind the rate too.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Count {
    /// Successes (rows).
    pub x: u64,
    /// Trials (rows).
    pub n: u64,
    /// With sample weights (or probabilities of membership): the rate is `success / total`
    /// and its size Kish's effective `total² / total_sq`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<WeightedCount>,
}

/// The weighted sums behind a rate: `Σw` over the rows that succeed and over all its rows, and
/// `Σw²` over all its rows.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct WeightedCount {
    /// `Σw` of the rows that succeed.
    pub success: f64,
    /// `Σw` of the rows.
    pub total: f64,
    /// `Σw²` of the rows.
    pub total_sq: f64,
}

impl WeightedCount {
    fn plus(self, o: WeightedCount) -> WeightedCount {
        WeightedCount {
            success: self.success + o.success,
            total: self.total + o.total,
            total_sq: self.total_sq + o.total_sq,
        }
    }
}

impl Count {
    /// `x` successes in `n` trials, unweighted.
    pub fn new(x: u64, n: u64) -> Count {
        Count {
            x,
            n,
            weights: None,
        }
    }

    /// `x / n`, or the weighted rate (`None` when there is nothing to divide by).
    pub fn rate(self) -> Option<f64> {
        match self.weights {
            Some(w) => (w.total > 0.0).then(|| w.success / w.total),
            None => (self.n > 0).then(|| self.x as f64 / self.n as f64),
        }
    }

    /// The size the rate's variance divides by: `n`, or Kish's effective size
    /// `(Σw)² / Σw²` with weights (0 when every weight is 0).
    pub fn size(self) -> f64 {
        match self.weights {
            Some(w) if w.total_sq > 0.0 => w.total * (w.total / w.total_sq),
            Some(_) => 0.0,
            None => self.n as f64,
        }
    }

    /// The sum of two counts (pooling windows): rows add, and so do the weighted sums (a count
    /// without weights pools as rows of weight 1).
    pub fn plus(self, o: Count) -> Count {
        let unit = |c: Count| WeightedCount {
            success: c.x as f64,
            total: c.n as f64,
            total_sq: c.n as f64,
        };
        let weights = match (self.weights, o.weights) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(unit(self)).plus(b.unwrap_or(unit(o)))),
        };
        Count {
            x: self.x + o.x,
            n: self.n + o.n,
            weights,
        }
    }
}

/// What a series measures in each window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Point {
    /// One group's rate.
    Rate(Count),
    /// A group's rate minus its reference group's.
    Gap {
        /// The group.
        group: Count,
        /// The reference group.
        reference: Count,
    },
}

impl Point {
    /// The window's value: the rate, or the gap (`None` when a count is empty).
    pub fn value(self) -> Option<f64> {
        match self {
            Point::Rate(c) => c.rate(),
            Point::Gap { group, reference } => Some(group.rate()? - reference.rate()?),
        }
    }

    /// Two points pooled (baseline windows summed); `None` when they are of different kinds.
    pub fn plus(self, o: Point) -> Option<Point> {
        match (self, o) {
            (Point::Rate(a), Point::Rate(b)) => Some(Point::Rate(a.plus(b))),
            (
                Point::Gap {
                    group: a,
                    reference: r,
                },
                Point::Gap {
                    group: b,
                    reference: s,
                },
            ) => Some(Point::Gap {
                group: a.plus(b),
                reference: r.plus(s),
            }),
            _ => None,
        }
    }
}

/// A window's point tested against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChangeTest {
    /// The standardised change `z`.
    pub z: f64,
    /// Its two-sided p-value.
    pub p_value: f64,
    /// The limits the window's value stays within at the per-comparison level.
    pub expected: [f64; 2],
}

/// Why a window's point cannot be tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Untestable {
    /// The window (or a group in it) has too few rows for the normal approximation.
    TooFewRows,
    /// The baseline rate is 0 or 1 (or its groups' are), so nothing varies to compare against.
    NoBaselineVariance,
    /// The point and the baseline measure different things (a programming error upstream).
    Mismatch,
}

/// One count's share of the change's variance under "nothing changed",
/// `p̂₀ (1 − p̂₀)(1/n + 1/n₀)`, and its baseline rate `p̂₀`; an error when the baseline rate is 0
/// or 1, or the window expects fewer than [`MIN_EXPECTED`] successes or failures. With weights,
/// `n` and `n₀` are Kish's effective sizes, and a window expecting fewer than [`EXACT_BELOW`]
/// is not tested: Fisher's exact test, which takes over there, needs whole counts.
fn part(window: Count, baseline: Count) -> Result<(f64, f64), Untestable> {
    let p0 = baseline.rate().ok_or(Untestable::NoBaselineVariance)?;
    let v = p0 * (1.0 - p0);
    if v <= 0.0 {
        return Err(Untestable::NoBaselineVariance);
    }
    let n = window.size();
    let least = if weighted(window, baseline) {
        EXACT_BELOW
    } else {
        MIN_EXPECTED
    };
    if n * p0 < least || n * (1.0 - p0) < least {
        return Err(Untestable::TooFewRows);
    }
    Ok((v * (1.0 / n + 1.0 / baseline.size()), p0))
}

fn weighted(w: Count, b: Count) -> bool {
    w.weights.is_some() || b.weights.is_some()
}

fn small_expected(w: Count, b: Count) -> bool {
    let p0 = b.x as f64 / b.n as f64;
    let n = w.n as f64;
    !weighted(w, b) && (n * p0 < EXACT_BELOW || n * (1.0 - p0) < EXACT_BELOW)
}

/// Tests a window's point against the baseline's pooled point (module documentation), with
/// `z_limit` the critical value of the limits (e.g. 1.96 for a per-comparison level of 5 %).
pub fn test_change(window: Point, baseline: Point, z_limit: f64) -> Result<ChangeTest, Untestable> {
    let (var, centre, value) = match (window, baseline) {
        (Point::Rate(w), Point::Rate(b)) => {
            let (var, p0) = part(w, b)?;
            (var, p0, w.rate().ok_or(Untestable::TooFewRows)?)
        }
        (
            Point::Gap {
                group: g,
                reference: r,
            },
            Point::Gap {
                group: g0,
                reference: r0,
            },
        ) => {
            let (va, pa0) = part(g, g0)?;
            let (vb, pb0) = part(r, r0)?;
            (
                va + vb,
                pa0 - pb0,
                window.value().ok_or(Untestable::TooFewRows)?,
            )
        }
        _ => return Err(Untestable::Mismatch),
    };
    let se = var.sqrt();
    let z = (value - centre) / se;
    let p_value = match (window, baseline) {
        (Point::Rate(w), Point::Rate(b)) if small_expected(w, b) => {
            fisher_exact_two_sided(w.x, w.n - w.x, b.x, b.n - b.x).p_value
        }
        _ => normal_two_sided_p(z),
    };
    let (lo, hi) = (centre - z_limit * se, centre + z_limit * se);
    let expected = match window {
        Point::Rate(_) => [lo.max(0.0), hi.min(1.0)],
        Point::Gap { .. } => [lo.max(-1.0), hi.min(1.0)],
    };
    Ok(ChangeTest {
        z,
        p_value,
        expected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: u64, n: u64) -> Count {
        Count::new(x, n)
    }

    #[test]
    fn rate_change_by_hand() {
        // Baseline 300/1000 = 0.3; window 45/100 = 0.45.
        // se = √(0.21 · (1/100 + 1/1000)) = √0.00231 = 0.0480624…; z = 0.15 / se.
        let t = test_change(Point::Rate(c(45, 100)), Point::Rate(c(300, 1000)), 1.96).unwrap();
        let se = (0.21f64 * 0.011).sqrt();
        assert!((t.z - 0.15 / se).abs() < 1e-12, "{}", t.z);
        assert!((t.z - 3.120_938_919_661_796_3).abs() < 1e-12, "{}", t.z);
        // 2 · scipy.stats.norm.sf(3.1209389196617963) (scipy 1.14)
        assert!(
            (t.p_value - 0.001_802_754_219_635_870_9).abs() < 1e-15,
            "{}",
            t.p_value
        );
        assert!((t.expected[0] - (0.3 - 1.96 * se)).abs() < 1e-15);
        assert!((t.expected[1] - (0.3 + 1.96 * se)).abs() < 1e-15);
    }

    #[test]
    fn limits_widen_as_the_window_shrinks() {
        let b = Point::Rate(c(3000, 10000));
        let wide = test_change(Point::Rate(c(30, 100)), b, 1.96).unwrap();
        let narrow = test_change(Point::Rate(c(300, 1000)), b, 1.96).unwrap();
        assert!(wide.expected[1] - wide.expected[0] > narrow.expected[1] - narrow.expected[0]);
        assert_eq!(narrow.z, 0.0);
    }

    #[test]
    fn gap_change_by_hand() {
        // Baseline: group 200/1000 = 0.2, reference 400/1000 = 0.4, gap −0.2.
        // Window: group 30/100 = 0.3, reference 40/100 = 0.4, gap −0.1.
        // Var = 0.16 · (0.01 + 0.001) + 0.24 · (0.01 + 0.001) = 0.0044.
        let t = test_change(
            Point::Gap {
                group: c(30, 100),
                reference: c(40, 100),
            },
            Point::Gap {
                group: c(200, 1000),
                reference: c(400, 1000),
            },
            2.0,
        )
        .unwrap();
        let se = 0.0044f64.sqrt();
        assert!((t.z - 0.1 / se).abs() < 1e-12);
        assert!((t.expected[0] - (-0.2 - 2.0 * se)).abs() < 1e-12);
        assert!((t.expected[1] - (-0.2 + 2.0 * se)).abs() < 1e-12);
    }

    #[test]
    fn too_few_rows_and_degenerate_baselines_are_not_tested() {
        let b = Point::Rate(c(50, 1000)); // p0 = 0.05: a window needs n ≥ 100
        assert_eq!(
            test_change(Point::Rate(c(2, 99)), b, 1.96),
            Err(Untestable::TooFewRows)
        );
        assert!(test_change(Point::Rate(c(5, 100)), b, 1.96).is_ok());
        assert_eq!(
            test_change(Point::Rate(c(5, 100)), Point::Rate(c(0, 1000)), 1.96),
            Err(Untestable::NoBaselineVariance)
        );
        assert_eq!(
            test_change(Point::Rate(c(5, 100)), Point::Rate(c(0, 0)), 1.96),
            Err(Untestable::NoBaselineVariance)
        );
        let gap = Point::Gap {
            group: c(5, 100),
            reference: c(5, 100),
        };
        assert_eq!(test_change(gap, b, 1.96), Err(Untestable::Mismatch));
    }

    fn w(x: u64, n: u64, success: f64, total: f64, total_sq: f64) -> Count {
        Count {
            weights: Some(WeightedCount {
                success,
                total,
                total_sq,
            }),
            ..c(x, n)
        }
    }

    #[test]
    fn weighted_rate_change_by_hand() {
        // Baseline: Σw = 2000, Σw² = 8000 (n_eff = 500), Σw·y = 600: p̂₀ = 0.3.
        // Window: Σw = 400, Σw² = 1600 (n_eff = 100), Σw·y = 180: p̂ = 0.45.
        // se = √(0.21 · (1/100 + 1/500)) = √0.00252; z = 0.15 / se; normal p-value.
        let t = test_change(
            Point::Rate(w(90, 200, 180.0, 400.0, 1600.0)),
            Point::Rate(w(300, 1000, 600.0, 2000.0, 8000.0)),
            1.96,
        )
        .unwrap();
        let se = (0.21f64 * 0.012).sqrt();
        assert!((t.z - 0.15 / se).abs() < 1e-12, "{}", t.z);
        assert!((t.p_value - normal_two_sided_p(0.15 / se)).abs() < 1e-15);
        assert!((t.expected[0] - (0.3 - 1.96 * se)).abs() < 1e-15);
    }

    #[test]
    fn unit_and_scaled_weights_test_as_the_counts_do() {
        // Weights of 1 are the rows themselves; weights of 2.5 scale Σw and Σw² alike, which
        // leaves rates and effective sizes unchanged.
        let base = c(3000, 10000);
        let win = c(330, 1000);
        let plain = test_change(Point::Rate(win), Point::Rate(base), 2.0).unwrap();
        for k in [1.0, 2.5] {
            let scaled = |x: Count| w(x.x, x.n, k * x.x as f64, k * x.n as f64, k * k * x.n as f64);
            let t = test_change(Point::Rate(scaled(win)), Point::Rate(scaled(base)), 2.0).unwrap();
            assert!((t.z - plain.z).abs() < 1e-12, "{k}: {} vs {}", t.z, plain.z);
            assert!((t.p_value - plain.p_value).abs() < 1e-12);
        }
    }

    #[test]
    fn a_weighted_window_needs_twenty_expected_and_pools_its_sums() {
        // p̂₀ = 0.3: a weighted window needs n_eff · 0.3 ≥ 20, so n_eff ≥ 66.7; the exact test
        // that covers smaller unweighted windows needs whole counts.
        let base = w(300, 1000, 300.0, 1000.0, 1000.0);
        let small = w(20, 60, 20.0, 60.0, 60.0);
        assert_eq!(
            test_change(Point::Rate(small), Point::Rate(base), 1.96),
            Err(Untestable::TooFewRows)
        );
        assert!(test_change(Point::Rate(c(20, 60)), Point::Rate(c(300, 1000)), 1.96).is_ok());
        let pooled = w(1, 2, 1.5, 3.0, 5.0).plus(c(1, 4));
        assert_eq!(pooled, w(2, 6, 2.5, 7.0, 9.0));
        assert_eq!(pooled.rate(), Some(2.5 / 7.0));
        assert!((pooled.size() - 49.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn pooling_adds_counts() {
        let p = Point::Rate(c(1, 10)).plus(Point::Rate(c(2, 5))).unwrap();
        assert_eq!(p, Point::Rate(c(3, 15)));
        assert!(Point::Rate(c(1, 2))
            .plus(Point::Gap {
                group: c(1, 2),
                reference: c(1, 2)
            })
            .is_none());
    }
}
