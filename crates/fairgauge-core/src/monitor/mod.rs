//! Monitoring over time windows: which rates changed from their baseline, with the false-alarm
//! rate of a whole run controlled.
//!
//! A *series* is one rate of one subject (a group's selection rate, its gap to the reference
//! group, …) across the monitored windows, with its baseline (the baseline windows' counts,
//! pooled). Each window's point is tested against the baseline ([`change::test_change`]), and two
//! rules raise alerts:
//!
//! - **shift**: the window's p-value is significant after the Benjamini–Hochberg procedure over
//!   every tested point of every series (windows × metrics × subjects) at level `α/2`;
//! - **cusum**: the series' two-sided tabular CUSUM passes `h` ([`cusum`]). It sums
//!   self-starting changes (Hawkins 1987, "Self-starting cusum charts for location and scale",
//!   *The Statistician* 36, 299–316): each window's `z` against the baseline pooled with every
//!   window before it, so the `z`s of a steady series are close to independent (against the fixed
//!   baseline they share its sampling error, which a CUSUM adds up: the simulation raised a false
//!   alarm in 99 % of stationary runs that way). `h` is set so that the whole family's expected number of false CUSUM alarms over the run is `α/2`:
//!   each series' in-control average run length is `S · W / (α/2)` windows, `S` series of `W`
//!   windows.
//!
//! So the chance that a run over a system that did not change raises any change alert is at most
//! about `α` (when nothing changed, BH's false-discovery rate is its family-wise error rate,
//! Benjamini & Hochberg 1995, and the union bound adds the CUSUMs'). `tests/monitor_simulation.rs`
//! measures it, and the detection delay of planted shifts.

pub mod anomaly;
pub mod change;
pub mod cusum;

use serde::{Deserialize, Serialize};

pub use change::{test_change, ChangeTest, Count, Point, Untestable, WeightedCount};
pub use cusum::{decision_interval, Cusum, Side};

use crate::drift::benjamini_hochberg;
use crate::stats::z_critical;

/// How changes are judged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DetectConfig {
    /// The run's false-alarm budget `α` (half to the shift rule, half to the CUSUMs).
    pub alpha: f64,
    /// The CUSUM's reference value `k` (in standard deviations of a window's change).
    pub cusum_k: f64,
    /// Fewer rows than this in a window (in either group of a gap) leave it untested.
    pub min_rows: u64,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            alpha: 0.05,
            cusum_k: cusum::DEFAULT_K,
            min_rows: 30,
        }
    }
}

/// One series: its pooled baseline and its monitored windows (`None`: the subject has no rows in
/// that window).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The baseline windows' counts, pooled.
    pub baseline: Point,
    /// The monitored windows, in time order.
    pub windows: Vec<Option<Point>>,
}

/// A window of a series, judged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The window's value (`None` when the subject has no rows in it).
    pub value: Option<f64>,
    /// The test against the baseline, or why there is none.
    pub test: Result<ChangeTest, Untestable>,
    /// The Benjamini–Hochberg adjusted p-value over the family.
    pub adjusted_p: Option<f64>,
    /// The shift rule fired.
    pub shift: bool,
    /// The CUSUM statistic after this window (before a restart), for tested windows.
    pub cusum: Option<f64>,
    /// The CUSUM rule fired, and which way.
    pub cusum_alarm: Option<Side>,
}

/// Every series judged, and the limits the family used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// Per series, per monitored window.
    pub verdicts: Vec<Vec<Verdict>>,
    /// The CUSUM decision interval `h`.
    pub cusum_h: f64,
    /// Each series' in-control average run length that `h` gives.
    pub cusum_arl: f64,
    /// Points tested (the BH family's size).
    pub tested: usize,
    /// The critical value of each window's limits (per-comparison level `α/2`).
    pub z_limit: f64,
}

/// Judges every series (module documentation).
pub fn detect(series: &[Series], cfg: &DetectConfig) -> crate::Result<Detection> {
    let half = cfg.alpha / 2.0;
    let z_limit = z_critical(1.0 - half)?;
    let mut verdicts: Vec<Vec<Verdict>> = series
        .iter()
        .map(|s| {
            s.windows
                .iter()
                .map(|w| judge_point(*w, s.baseline, cfg.min_rows, z_limit))
                .collect()
        })
        .collect();
    // The shift rule: BH over every tested point.
    let mut ps = vec![];
    for v in verdicts.iter().flatten() {
        if let Ok(t) = v.test {
            ps.push(t.p_value);
        }
    }
    let adjusted = benjamini_hochberg(&ps)?;
    let mut next = adjusted.iter();
    for v in verdicts.iter_mut().flatten() {
        if v.test.is_ok() {
            let a = *next.next().expect("one adjusted p-value per test");
            v.adjusted_p = Some(a);
            v.shift = a <= half;
        }
    }
    // The CUSUM rule: the family's expected false alarms over the run is α/2.
    let active = verdicts
        .iter()
        .filter(|s| s.iter().any(|v| v.test.is_ok()))
        .count()
        .max(1);
    let windows = series
        .iter()
        .map(|s| s.windows.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let arl = (active * windows) as f64 / half;
    let h = decision_interval(cfg.cusum_k, arl);
    for (s, verdicts) in series.iter().zip(&mut verdicts) {
        self_starting_cusum(s, verdicts, cfg, h, z_limit);
    }
    Ok(Detection {
        verdicts,
        cusum_h: h,
        cusum_arl: cusum::in_control_arl(cfg.cusum_k, h),
        tested: ps.len(),
        z_limit,
    })
}

/// The CUSUM of a series on its self-starting changes: each window tested against the baseline
/// pooled with every window before it (Hawkins 1987). Against the fixed baseline alone, the
/// baseline's own sampling error would be in every window's `z` — a bias the CUSUM adds up
/// until it alarms on a series that never changed.
fn self_starting_cusum(s: &Series, verdicts: &mut [Verdict], cfg: &DetectConfig, h: f64, z: f64) {
    let mut c = Cusum::new(cfg.cusum_k, h);
    let mut pooled = s.baseline;
    for (w, v) in s.windows.iter().zip(verdicts) {
        let Some(p) = *w else { continue };
        if v.test.is_ok() {
            if let Ok(t) = test_change(p, pooled, z) {
                let (statistic, alarm) = c.step(t.z);
                v.cusum = Some(statistic);
                v.cusum_alarm = alarm;
            }
        }
        pooled = pooled.plus(p).unwrap_or(pooled);
    }
}

fn judge_point(w: Option<Point>, baseline: Point, min_rows: u64, z_limit: f64) -> Verdict {
    let small = |p: Point| match p {
        Point::Rate(c) => c.size() < min_rows as f64,
        Point::Gap { group, reference } => {
            group.size() < min_rows as f64 || reference.size() < min_rows as f64
        }
    };
    let test = match w {
        None => Err(Untestable::TooFewRows),
        Some(p) if small(p) => Err(Untestable::TooFewRows),
        Some(p) => test_change(p, baseline, z_limit),
    };
    Verdict {
        value: w.and_then(Point::value),
        test,
        adjusted_p: None,
        shift: false,
        cusum: None,
        cusum_alarm: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(x: u64, n: u64) -> Option<Point> {
        Some(Point::Rate(Count::new(x, n)))
    }

    #[test]
    fn a_jump_is_a_shift_and_a_steady_series_is_quiet() {
        let base = Point::Rate(Count::new(3000, 10000));
        let steady = Series {
            baseline: base,
            windows: vec![rate(300, 1000), rate(310, 1000), rate(295, 1000)],
        };
        let jump = Series {
            baseline: base,
            windows: vec![rate(300, 1000), rate(450, 1000), rate(300, 1000)],
        };
        let d = detect(&[steady, jump], &DetectConfig::default()).unwrap();
        assert_eq!(d.tested, 6);
        assert!(d.verdicts[0]
            .iter()
            .all(|v| !v.shift && v.cusum_alarm.is_none()));
        assert!(d.verdicts[1][1].shift);
        assert!(!d.verdicts[1][0].shift && !d.verdicts[1][2].shift);
        // The CUSUM sees the jump too (z ≈ 9.8 passes any h here).
        assert_eq!(d.verdicts[1][1].cusum_alarm, Some(Side::Up));
    }

    #[test]
    fn small_and_empty_windows_are_insufficient() {
        let base = Point::Rate(Count::new(3000, 10000));
        let s = Series {
            baseline: base,
            windows: vec![None, rate(10, 20), rate(300, 1000)],
        };
        let d = detect(&[s], &DetectConfig::default()).unwrap();
        assert_eq!(d.verdicts[0][0].test, Err(Untestable::TooFewRows));
        assert_eq!(d.verdicts[0][1].test, Err(Untestable::TooFewRows));
        assert_eq!(d.verdicts[0][1].value, Some(0.5));
        assert!(d.verdicts[0][2].test.is_ok());
        assert_eq!(d.tested, 1);
    }

    #[test]
    fn a_small_sustained_shift_is_caught_by_the_cusum_not_the_shift_rule() {
        // Baseline p = 0.3 over 40,000 rows; windows of 2,000 at 0.32: z ≈ 1.9 each.
        let base = Point::Rate(Count::new(12000, 40000));
        let s = Series {
            baseline: base,
            windows: (0..20).map(|_| rate(640, 2000)).collect(),
        };
        let d = detect(&[s], &DetectConfig::default()).unwrap();
        assert!(d.verdicts[0].iter().all(|v| !v.shift));
        let first = d.verdicts[0].iter().position(|v| v.cusum_alarm.is_some());
        assert!(
            matches!(first, Some(i) if i < 10),
            "{first:?} h = {}",
            d.cusum_h
        );
    }
}
