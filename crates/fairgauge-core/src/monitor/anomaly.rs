//! Anomalies on a metric's history across runs: is this run's value unusual for the series of
//! earlier runs? Four rules, as Deequ's anomaly-detection strategies and one that reads
//! intervals:
//!
//! - [`Rule::AbsoluteChange`] (Deequ's `AbsoluteChangeStrategy`, first order): the change from
//!   the previous run `|x − x₋₁|` exceeds `limit`; expected `[x₋₁ − limit, x₋₁ + limit]`.
//! - [`Rule::RelativeChange`] (Deequ's `RelativeRateOfChangeStrategy`, symmetric): the change
//!   exceeds `limit · |x₋₁|` (`limit = 0.1`: more than 10 % of the previous value); expected
//!   `x₋₁ ± limit·|x₋₁|`. A previous value of 0 expects 0 again.
//! - [`Rule::MeanSd`] (as Deequ's `OnlineNormalStrategy`, over a moving window): outside
//!   `mean ± k·sd` of the last `runs` values, `sd` the sample standard deviation (`ddof = 1`,
//!   Welford's update); needs at least two earlier values. A constant history (sd 0) expects that
//!   value exactly.
//! - [`Rule::Interval`] (fairgauge's, interval-aware): the new value's interval does not overlap
//!   the history's — the envelope `[min lower, max upper]` of the last `runs` runs' intervals.
//!   Two overlapping 95 % intervals do not show a change; disjoint ones do (a conservative test,
//!   Schenker & Gentleman 2001, *The American Statistician* 55, 182–186). Values without an
//!   interval are not judged by it.
//!
//! A value outside the expected range by rounding only (relative 1e-12) is not an anomaly.

use serde::{Deserialize, Serialize};

use crate::stats::moments::Moments;

/// How a series is judged against its history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// The change from the previous run exceeds `limit`.
    AbsoluteChange {
        /// The largest change allowed.
        limit: f64,
    },
    /// The change from the previous run exceeds `limit` times the previous value's magnitude.
    RelativeChange {
        /// The largest relative change allowed (0.1 = 10 %).
        limit: f64,
    },
    /// Outside the mean ± `k` sample standard deviations of the last `runs` values.
    MeanSd {
        /// The width in standard deviations.
        k: f64,
        /// How many earlier runs (at least 2).
        runs: usize,
    },
    /// The value's interval does not overlap the envelope of the last `runs` runs' intervals.
    Interval {
        /// How many earlier runs (at least 1).
        runs: usize,
    },
}

impl Rule {
    /// The rule's name, as the policy spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Rule::AbsoluteChange { .. } => "absolute_change",
            Rule::RelativeChange { .. } => "relative_change",
            Rule::MeanSd { .. } => "mean_sd",
            Rule::Interval { .. } => "interval",
        }
    }

    /// Earlier values the rule needs.
    pub fn needs(&self) -> usize {
        match self {
            Rule::AbsoluteChange { .. } | Rule::RelativeChange { .. } => 1,
            Rule::MeanSd { .. } => 2,
            Rule::Interval { .. } => 1,
        }
    }
}

/// One earlier run's value of the series, with its interval when it has one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PastValue {
    /// The value.
    pub value: f64,
    /// Its interval.
    pub interval: Option<[f64; 2]>,
}

/// A value judged against its history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    /// Whether the value is outside the expected range.
    pub anomaly: bool,
    /// The expected range (for the interval rule, the history's envelope).
    pub expected: [f64; 2],
    /// Earlier runs the judgement used.
    pub runs_used: usize,
}

/// Judges `value` (with its `interval`) against `past` (oldest first; non-finite values are
/// skipped) by `rule`. `None` when the history is too short for the rule, or the rule needs an
/// interval the value or the history lacks.
pub fn judge(
    rule: &Rule,
    past: &[PastValue],
    value: f64,
    interval: Option<[f64; 2]>,
) -> Option<Judgement> {
    if !value.is_finite() {
        return None;
    }
    let usable: Vec<&PastValue> = past.iter().filter(|p| p.value.is_finite()).collect();
    let outside = |[lo, hi]: [f64; 2], x: f64| {
        let slack = 1e-12 * x.abs().max(lo.abs()).max(hi.abs());
        x < lo - slack || x > hi + slack
    };
    match *rule {
        Rule::AbsoluteChange { limit } => {
            let prev = usable.last()?.value;
            let expected = [prev - limit, prev + limit];
            Some(Judgement {
                anomaly: outside(expected, value),
                expected,
                runs_used: 1,
            })
        }
        Rule::RelativeChange { limit } => {
            let prev = usable.last()?.value;
            let half = limit * prev.abs();
            let expected = [prev - half, prev + half];
            Some(Judgement {
                anomaly: outside(expected, value),
                expected,
                runs_used: 1,
            })
        }
        Rule::MeanSd { k, runs } => {
            let last = &usable[usable.len().saturating_sub(runs)..];
            let mut m = Moments::default();
            last.iter().for_each(|p| m.push(p.value));
            let sd = m.variance()?.sqrt();
            let expected = [m.mean - k * sd, m.mean + k * sd];
            Some(Judgement {
                anomaly: outside(expected, value),
                expected,
                runs_used: last.len(),
            })
        }
        Rule::Interval { runs } => {
            let [lo, hi] = interval.filter(|[l, u]| l.is_finite() && u.is_finite())?;
            let with: Vec<[f64; 2]> = past
                .iter()
                .filter_map(|p| p.interval)
                .filter(|[l, u]| l.is_finite() && u.is_finite())
                .collect();
            let last = &with[with.len().saturating_sub(runs)..];
            let envelope = last.iter().fold(None, |acc: Option<[f64; 2]>, &[l, u]| {
                Some(acc.map_or([l, u], |[a, b]| [a.min(l), b.max(u)]))
            })?;
            Some(Judgement {
                anomaly: hi < envelope[0] || lo > envelope[1],
                expected: envelope,
                runs_used: last.len(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(xs: &[f64]) -> Vec<PastValue> {
        xs.iter()
            .map(|&value| PastValue {
                value,
                interval: None,
            })
            .collect()
    }

    #[test]
    fn absolute_and_relative_change_against_the_previous_run() {
        let past = vals(&[0.5, 0.8]);
        let abs = Rule::AbsoluteChange { limit: 0.1 };
        let j = judge(&abs, &past, 0.95, None).unwrap();
        assert!(j.anomaly);
        assert!((j.expected[0] - 0.7).abs() < 1e-15 && (j.expected[1] - 0.9).abs() < 1e-15);
        assert!(!judge(&abs, &past, 0.85, None).unwrap().anomaly);
        // Exactly at the limit (up to rounding: 0.8 + 0.1 is 0.9000000000000001) is no anomaly.
        assert!(!judge(&abs, &past, 0.9, None).unwrap().anomaly);
        let rel = Rule::RelativeChange { limit: 0.25 };
        // 0.8 ± 0.2.
        assert!(judge(&rel, &past, 0.59, None).unwrap().anomaly);
        assert!(!judge(&rel, &past, 0.61, None).unwrap().anomaly);
        // A previous 0 expects 0.
        let zero = vals(&[0.0]);
        assert!(judge(&rel, &zero, 0.001, None).unwrap().anomaly);
        assert!(!judge(&rel, &zero, 0.0, None).unwrap().anomaly);
        // No history, no judgement; NaN in the history is skipped.
        assert_eq!(judge(&abs, &[], 1.0, None), None);
        let with_nan = vals(&[0.5, f64::NAN]);
        assert_eq!(judge(&abs, &with_nan, 0.5, None).unwrap().expected[0], 0.4);
    }

    #[test]
    fn mean_and_sample_sd_of_the_last_runs() {
        // Last 4 of [9, 1, 2, 3, 6]: mean 3, sample variance (4 + 1 + 0 + 9) / 3 = 14/3.
        let past = vals(&[9.0, 1.0, 2.0, 3.0, 6.0]);
        let rule = Rule::MeanSd { k: 2.0, runs: 4 };
        let sd = (14.0f64 / 3.0).sqrt();
        let j = judge(&rule, &past, 3.0 + 2.0 * sd + 1e-9, None).unwrap();
        assert!(j.anomaly);
        assert_eq!(j.runs_used, 4);
        assert!((j.expected[0] - (3.0 - 2.0 * sd)).abs() < 1e-12);
        assert!(
            !judge(&rule, &past, 3.0 + 2.0 * sd - 1e-9, None)
                .unwrap()
                .anomaly
        );
        // One earlier value has no sample sd; a constant history expects its value.
        assert_eq!(judge(&rule, &vals(&[1.0]), 1.0, None), None);
        let flat = judge(&rule, &vals(&[2.0, 2.0, 2.0]), 2.0 + 1e-6, None).unwrap();
        assert!(flat.anomaly && flat.expected == [2.0, 2.0]);
    }

    #[test]
    fn interval_rule_needs_disjoint_intervals() {
        let past = vec![
            PastValue {
                value: 0.5,
                interval: Some([0.45, 0.55]),
            },
            PastValue {
                value: 0.52,
                interval: Some([0.47, 0.57]),
            },
        ];
        let one = Rule::Interval { runs: 1 };
        let two = Rule::Interval { runs: 2 };
        // [0.56, 0.66] overlaps the last run's [0.47, 0.57] …
        assert!(
            !judge(&one, &past, 0.61, Some([0.56, 0.66]))
                .unwrap()
                .anomaly
        );
        // … [0.58, 0.68] does not.
        let j = judge(&one, &past, 0.63, Some([0.58, 0.68])).unwrap();
        assert!(j.anomaly && j.expected == [0.47, 0.57]);
        // Below: the envelope of two runs is [0.45, 0.57].
        let j = judge(&two, &past, 0.4, Some([0.35, 0.449])).unwrap();
        assert!(j.anomaly && j.expected == [0.45, 0.57] && j.runs_used == 2);
        assert!(
            !judge(&two, &past, 0.42, Some([0.37, 0.46]))
                .unwrap()
                .anomaly
        );
        // No interval: not judged.
        assert_eq!(judge(&one, &past, 0.9, None), None);
        assert_eq!(judge(&one, &vals(&[0.5]), 0.9, Some([0.8, 1.0])), None);
    }
}
