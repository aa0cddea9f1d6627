//! Between-group summaries of estimated rates: the largest minus the smallest group estimate
//! ([`crate::fairness::summary::spread`], Fairlearn's `difference(method="between_groups")`),
//! with the two groups that give it and an interval `difference ± z √(se_high² + se_low²)` — the
//! groups' rows are disjoint, so their estimates' errors are taken as independent (a shared
//! population calibrator makes them correlated, which this leaves out); the lower end is
//! clipped at 0, as a largest-minus-smallest difference is.

use super::cbpe::EstimatedValue;
use crate::fairness::summary::spread;

/// A between-group difference of an estimated rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimatedDifference {
    /// Largest minus smallest estimate.
    pub value: f64,
    /// The interval's lower end.
    pub lower: f64,
    /// The interval's upper end.
    pub upper: f64,
    /// Index of the group with the largest estimate (the first, on ties).
    pub highest: usize,
    /// Index of the group with the smallest estimate (the first, on ties).
    pub lowest: usize,
}

/// The difference over the groups' estimates (those eligible, in a fixed order); `None` for
/// fewer than two.
pub fn difference(values: &[EstimatedValue], z: f64) -> Option<EstimatedDifference> {
    let v: Vec<f64> = values.iter().map(|e| e.value).collect();
    let (lo, hi) = spread("", &v, 0).ok()?;
    let highest = v.iter().position(|&x| x == hi)?;
    let lowest = v.iter().position(|&x| x == lo)?;
    let (a, b) = (values[highest].std_error, values[lowest].std_error);
    let d = hi - lo;
    let half = z * (a * a + b * b).sqrt();
    Some(EstimatedDifference {
        value: d,
        lower: (d - half).max(0.0),
        upper: (d + half).min(1.0),
        highest,
        lowest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(value: f64, std_error: f64) -> EstimatedValue {
        EstimatedValue {
            value,
            lower: 0.0,
            upper: 1.0,
            std_error,
            sampling_error: None,
        }
    }

    #[test]
    fn largest_minus_smallest_with_its_interval() {
        // .7 − .4 = .3 ± 1.96 √(.03² + .04²) = .3 ± .098.
        let d = difference(&[v(0.4, 0.04), v(0.7, 0.03), v(0.7, 0.01)], 1.96).unwrap();
        assert!((d.value - 0.3).abs() < 1e-15);
        assert_eq!((d.highest, d.lowest), (1, 0));
        assert!((d.upper - d.value - 0.098).abs() < 1e-12);
        assert!(difference(&[v(0.4, 0.04)], 1.96).is_none());
        let clipped = difference(&[v(0.5, 0.1), v(0.51, 0.1)], 1.96).unwrap();
        assert_eq!(clipped.lower, 0.0);
    }
}
