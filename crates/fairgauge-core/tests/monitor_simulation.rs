//! The change alerts' false-alarm rate and detection delay, by simulation (issue 18, item 2).
//!
//! Each run monitors 20 series — rates between 0.05 and 0.5, windows of 200 to 5,000 rows — over
//! 4 baseline windows and 48 monitored ones, with binomial counts. Stationary runs count the runs
//! with any change alert (the budget is α = 5 %); runs with one series shifted from its 11th
//! monitored window by δ standard deviations of a window's rate measure how many windows each rule
//! takes to alert on it. `cargo test --release -p fairgauge-core --test monitor_simulation --
//! --nocapture` prints the table that docs/monitoring.md shows.

use chacha20::rand_core::SeedableRng;
use chacha20::ChaCha8Rng;
use fairgauge_core::monitor::{detect, Count, DetectConfig, Point, Series, WeightedCount};
use rand_distr::{Binomial, Distribution, LogNormal, Uniform};

const SERIES: usize = 20;
const BASELINE: usize = 4;
const WINDOWS: usize = 48;
const SHIFT_AT: usize = 10;
/// The series shifted: a rate of 0.358 in windows of 2,000 rows.
const SHIFTED: usize = 13;

fn draw(rng: &mut ChaCha8Rng, n: u64, p: f64) -> Count {
    Count::new(Binomial::new(n, p).unwrap().sample(rng), n)
}

/// `n` rows with sample weights from a log-normal (σ = 0.75: Kish's design effect
/// `1 + CV² = e^{σ²} ≈ 1.76`), each a success with probability `p` whatever its weight.
fn draw_weighted(rng: &mut ChaCha8Rng, n: u64, p: f64) -> Count {
    let weight = LogNormal::new(0.0, 0.75).unwrap();
    let u = Uniform::new(0.0, 1.0).unwrap();
    let (mut x, mut s) = (0u64, WeightedCount::default());
    for _ in 0..n {
        let w: f64 = weight.sample(rng);
        let hit = u.sample(rng) < p;
        x += u64::from(hit);
        s.total += w;
        s.total_sq += w * w;
        if hit {
            s.success += w;
        }
    }
    Count {
        weights: Some(s),
        ..Count::new(x, n)
    }
}

/// The series' true rate and window size.
fn design(i: usize) -> (f64, u64) {
    let p = 0.05 + 0.45 * (i as f64) / (SERIES - 1) as f64;
    let n = [200u64, 500, 1000, 2000, 5000][i % 5];
    (p, n)
}

/// One run; series `SHIFTED` moves by `delta` window standard deviations from `SHIFT_AT` on.
fn run(rng: &mut ChaCha8Rng, delta: f64) -> Vec<Series> {
    run_with(rng, delta, draw, 1.0)
}

/// One run drawing each window with `draw`, whose rate's variance is `deff` times the
/// binomial's (the design effect of the weights).
fn run_with(
    rng: &mut ChaCha8Rng,
    delta: f64,
    draw: fn(&mut ChaCha8Rng, u64, f64) -> Count,
    deff: f64,
) -> Vec<Series> {
    (0..SERIES)
        .map(|i| {
            let (p, n) = design(i);
            let mut baseline = Count::default();
            for _ in 0..BASELINE {
                baseline = baseline.plus(draw(rng, n, p));
            }
            let sd = (deff * p * (1.0 - p) / n as f64).sqrt();
            let windows = (0..WINDOWS)
                .map(|w| {
                    let q = if i == SHIFTED && w >= SHIFT_AT {
                        (p + delta * sd).clamp(0.0, 1.0)
                    } else {
                        p
                    };
                    Some(Point::Rate(draw(rng, n, q)))
                })
                .collect();
            Series {
                baseline: Point::Rate(baseline),
                windows,
            }
        })
        .collect()
}

#[test]
fn stationary_runs_alert_at_most_at_the_budget() {
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    let runs = 1000;
    let cfg = DetectConfig::default();
    let (mut any, mut shift, mut cusum, mut points) = (0, 0, 0, 0usize);
    for _ in 0..runs {
        let d = detect(&run(&mut rng, 0.0), &cfg).unwrap();
        let v = d.verdicts.iter().flatten();
        let s = v.clone().filter(|v| v.shift).count();
        let c = v.clone().filter(|v| v.cusum_alarm.is_some()).count();
        points += s + c;
        shift += usize::from(s > 0);
        cusum += usize::from(c > 0);
        any += usize::from(s + c > 0);
    }
    let share = |k: usize| k as f64 / runs as f64;
    println!(
        "stationary, {runs} runs of {SERIES} series x {WINDOWS} windows: runs with any alert {:.1} % \
         (shift rule {:.1} %, CUSUM {:.1} %); false alerts per run {:.3}",
        100.0 * share(any),
        100.0 * share(shift),
        100.0 * share(cusum),
        points as f64 / runs as f64
    );
    // α = 5 %; three standard errors of a share of 1,000 runs is 2 points.
    assert!(share(any) <= 0.07, "{}", share(any));
}

#[test]
fn planted_shifts_are_found_and_how_fast() {
    let cfg = DetectConfig::default();
    println!(
        "shift (sd of a window's rate) | found | median delay | shift rule first | CUSUM first"
    );
    for (delta, seed, max_median) in [
        (1.0, 1u64, usize::MAX),
        (2.0, 2, 12),
        (3.0, 3, 4),
        (5.0, 5, 0),
    ] {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let runs = 500;
        let mut delays = vec![];
        let (mut by_shift, mut by_cusum) = (0, 0);
        for _ in 0..runs {
            let d = detect(&run(&mut rng, delta), &cfg).unwrap();
            let hit = d.verdicts[SHIFTED][SHIFT_AT..]
                .iter()
                .position(|v| v.shift || v.cusum_alarm.is_some());
            if let Some(k) = hit {
                delays.push(k);
                let v = d.verdicts[SHIFTED][SHIFT_AT + k];
                by_shift += usize::from(v.shift);
                by_cusum += usize::from(v.cusum_alarm.is_some() && !v.shift);
            }
        }
        delays.sort_unstable();
        let median = delays.get(delays.len() / 2).copied();
        println!(
            "{delta} | {:.1} % | {} | {by_shift} | {by_cusum}",
            100.0 * delays.len() as f64 / runs as f64,
            median.map_or("—".into(), |m| format!("{m} windows"))
        );
        if max_median < usize::MAX {
            assert!(
                delays.len() * 10 >= runs * 9,
                "δ = {delta}: found {}",
                delays.len()
            );
            assert!(
                median.unwrap() <= max_median,
                "δ = {delta}: median {median:?}"
            );
        }
    }
}

#[test]
fn weighted_runs_alert_at_most_at_the_budget_and_find_shifts() {
    // Weighted windows: rates and sizes from the weighted sums (Kish's effective size). Fewer
    // runs than the unweighted study: every row is drawn.
    let cfg = DetectConfig::default();
    let deff = (0.75f64 * 0.75).exp();
    let mut rng = ChaCha8Rng::seed_from_u64(1818);
    let runs = 300;
    let mut any = 0;
    for _ in 0..runs {
        let d = detect(&run_with(&mut rng, 0.0, draw_weighted, deff), &cfg).unwrap();
        any += usize::from(
            d.verdicts
                .iter()
                .flatten()
                .any(|v| v.shift || v.cusum_alarm.is_some()),
        );
    }
    let share = any as f64 / runs as f64;
    let mut delays = vec![];
    for _ in 0..100 {
        let d = detect(&run_with(&mut rng, 3.0, draw_weighted, deff), &cfg).unwrap();
        if let Some(k) = d.verdicts[SHIFTED][SHIFT_AT..]
            .iter()
            .position(|v| v.shift || v.cusum_alarm.is_some())
        {
            delays.push(k);
        }
    }
    delays.sort_unstable();
    let median = delays.get(delays.len() / 2).copied();
    println!(
        "weighted (log-normal weights, design effect {deff:.2}), {runs} stationary runs: runs \
         with any alert {:.1} %; a 3-sd shift found in {} of 100 runs, median delay {median:?} \
         windows",
        100.0 * share,
        delays.len()
    );
    // α = 5 %; three standard errors of a share of 300 runs is 3.8 points.
    assert!(share <= 0.088, "{share}");
    assert!(delays.len() >= 90, "{}", delays.len());
    assert!(median.unwrap() <= 4, "{median:?}");
}
