//! KLL sketch (`drift::sketch`): the DataSketches rank-error bound measured against exact ranks
//! for several distributions, input orders and sizes, after merges of serialised partial
//! sketches in shuffled order, and over many seeds; KS and Wasserstein from sketches against the
//! exact `ks_2samp` / `wasserstein`; determinism; bad input.
//!
//! Run with `--nocapture` to see the measured errors and timings.

use std::time::Instant;

use fairgauge_core::drift::{
    ks_2samp, ks_from_sketches, kstwo_sf, normalized_rank_error, wasserstein,
    wasserstein_from_sketches, KllSketch,
};

/// splitmix64 (Steele, Lea & Flood 2014).
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller, one of the pair).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    fn below(&mut self, n: usize) -> usize {
        ((self.uniform() * n as f64) as usize).min(n - 1)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Dist {
    Uniform,
    Normal,
    LogNormal,
    /// Integers 0..=10 (heavy ties).
    Ties,
}

#[derive(Debug, Clone, Copy)]
enum Order {
    Random,
    Sorted,
    Reversed,
}

fn sample(dist: Dist, n: usize, seed: u64) -> Vec<f64> {
    let mut g = SplitMix(seed);
    (0..n)
        .map(|_| match dist {
            Dist::Uniform => g.uniform(),
            Dist::Normal => g.normal(),
            Dist::LogNormal => g.normal().exp(),
            Dist::Ties => g.below(11) as f64,
        })
        .collect()
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_unstable_by(f64::total_cmp);
    s
}

fn arrange(mut v: Vec<f64>, order: Order) -> Vec<f64> {
    match order {
        Order::Random => {}
        Order::Sorted => v.sort_unstable_by(f64::total_cmp),
        Order::Reversed => v.sort_unstable_by(|a, b| b.total_cmp(a)),
    }
    v
}

fn sketch_of(k: u16, xs: &[f64]) -> KllSketch {
    let mut s = KllSketch::new(k).unwrap();
    s.extend(xs).unwrap();
    s
}

/// `sup_x |F̂(x) − F(x)|`: both are step functions that jump only at data values, so the
/// supremum is attained at a distinct data value.
fn sup_rank_error(s: &KllSketch, sorted: &[f64]) -> f64 {
    let n = sorted.len() as f64;
    let mut points = Vec::new();
    let mut truth = Vec::new();
    for (i, &x) in sorted.iter().enumerate() {
        if sorted.get(i + 1) != Some(&x) {
            points.push(x);
            truth.push((i + 1) as f64 / n);
        }
    }
    let est = s.cdf(&points);
    est.iter()
        .zip(&truth)
        .map(|(e, t)| (e - t).abs())
        .fold(0.0, f64::max)
}

/// Max rank error over 200 probe points: the exact quantiles at `i/199`, `i = 0..200`.
fn probe_rank_error(s: &KllSketch, sorted: &[f64]) -> f64 {
    let n = sorted.len();
    (0..200)
        .map(|i| {
            let x = sorted[i * (n - 1) / 199];
            let truth = sorted.partition_point(|&v| v <= x) as f64 / n as f64;
            (s.rank(x) - truth).abs()
        })
        .fold(0.0, f64::max)
}

fn rank_error_case(n: usize) {
    let k = 200;
    let eps = normalized_rank_error(k);
    for (di, dist) in [Dist::Uniform, Dist::Normal, Dist::LogNormal, Dist::Ties]
        .into_iter()
        .enumerate()
    {
        for order in [Order::Random, Order::Sorted, Order::Reversed] {
            let data = arrange(sample(dist, n, 1000 + di as u64), order);
            let s = sketch_of(k, &data);
            let sorted = sorted(&data);
            let sup = sup_rank_error(&s, &sorted);
            let probe = probe_rank_error(&s, &sorted);
            eprintln!(
                "n = {n:>8} {dist:>9?} {order:>8?}: retained {:>4}, max error over 200 probes \
                 {probe:.5}, sup over all x {sup:.5} (eps {eps:.5})",
                s.num_retained()
            );
            assert!(!s.is_exact());
            assert!(sup <= eps, "{dist:?} {order:?} n = {n}: sup {sup} > {eps}");
            assert!(probe <= sup + 1e-15);
            assert_eq!(s.n(), n as u64);
            assert_eq!(s.min(), sorted.first().copied());
            assert_eq!(s.max(), sorted.last().copied());
            // Quantiles: the true rank interval [F(x−), F(x)] of the answer is within eps of q.
            for i in 0..=100 {
                let q = i as f64 / 100.0;
                let x = s.quantile(q).unwrap();
                let below = sorted.partition_point(|&v| v < x) as f64 / n as f64;
                let upto = sorted.partition_point(|&v| v <= x) as f64 / n as f64;
                assert!(
                    below <= q + eps && upto >= q - eps,
                    "{dist:?} {order:?} n = {n}: quantile({q}) = {x} has rank [{below}, {upto}]"
                );
            }
        }
    }
}

#[test]
fn rank_error_within_bound_1e3() {
    rank_error_case(1_000);
}

#[test]
fn rank_error_within_bound_1e5() {
    rank_error_case(100_000);
}

#[test]
fn rank_error_within_bound_1e6() {
    rank_error_case(1_000_000);
}

/// The bound is a 99 % one: over many independent seeds (data and coins), at most about 1 %
/// of sketches may exceed it.
#[test]
fn rank_error_bound_holds_in_99_percent_of_seeds() {
    for (k, n, trials) in [
        (200u16, 20_000usize, 300u64),
        (50, 20_000, 300),
        (200, 200_000, 60),
    ] {
        let eps = normalized_rank_error(k);
        let mut errors: Vec<f64> = (0..trials)
            .map(|t| {
                let data = sample(Dist::Normal, n, 7_000 + t);
                let mut s = KllSketch::with_seed(k, t).unwrap();
                s.extend(&data).unwrap();
                sup_rank_error(&s, &sorted(&data))
            })
            .collect();
        errors.sort_unstable_by(f64::total_cmp);
        let over = errors.iter().filter(|&&e| e > eps).count();
        let p99 = errors[(errors.len() * 99 / 100).min(errors.len() - 1)];
        eprintln!(
            "k = {k}, n = {n}, {trials} seeds: median sup error {:.5}, 99th percentile {p99:.5}, \
             max {:.5}, eps {eps:.5}, {over} over eps",
            errors[errors.len() / 2],
            errors[errors.len() - 1]
        );
        // Binomial(trials, 0.01): P(X > 3 % of trials) < 0.1 % for these sizes.
        assert!(
            over as f64 <= 0.03 * trials as f64 + 1.0,
            "k = {k}: {over} of {trials} over eps"
        );
    }
}

/// Splits `data` at random cut points into `parts` non-empty pieces.
fn split<'a>(data: &'a [f64], parts: usize, g: &mut SplitMix) -> Vec<&'a [f64]> {
    let mut cuts: Vec<usize> = (0..parts - 1)
        .map(|_| 1 + g.below(data.len() - 1))
        .collect();
    cuts.push(0);
    cuts.push(data.len());
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2).map(|w| &data[w[0]..w[1]]).collect()
}

#[test]
fn merged_serialised_partials_keep_the_bound() {
    let k = 200;
    let eps = normalized_rank_error(k);
    let mut g = SplitMix(42);
    for dist in [Dist::Normal, Dist::Ties, Dist::LogNormal] {
        let data = sample(dist, 1_000_000, 77);
        let sorted = sorted(&data);
        for parts in [2usize, 7, 16] {
            let pieces = split(&data, parts, &mut g);
            // Each part is sketched "elsewhere" and shipped as JSON.
            let mut shipped: Vec<String> = pieces
                .iter()
                .map(|p| serde_json::to_string(&sketch_of(k, p)).unwrap())
                .collect();
            for round in 0..2 {
                g.shuffle(&mut shipped);
                let mut merged = KllSketch::new(k).unwrap();
                for js in &shipped {
                    let part: KllSketch = serde_json::from_str(js).unwrap();
                    merged.merge(&part).unwrap();
                }
                let sup = sup_rank_error(&merged, &sorted);
                eprintln!(
                    "{dist:>9?}: {} parts merged (shuffle {round}): retained {}, sup error \
                     {sup:.5} (eps {eps:.5})",
                    pieces.len(),
                    merged.num_retained()
                );
                assert_eq!(merged.n(), data.len() as u64);
                assert_eq!(merged.min(), sorted.first().copied());
                assert_eq!(merged.max(), sorted.last().copied());
                assert!(sup <= eps, "{dist:?}, {parts} parts: {sup} > {eps}");
            }
            // Pairwise (tree) merging with independently seeded parts.
            let mut level: Vec<KllSketch> = pieces
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let mut s = KllSketch::with_seed(k, i as u64).unwrap();
                    s.extend(p).unwrap();
                    s
                })
                .collect();
            while level.len() > 1 {
                let mut next = Vec::new();
                for pair in level.chunks(2) {
                    let mut a = pair[0].clone();
                    if let Some(b) = pair.get(1) {
                        a.merge(b).unwrap();
                    }
                    next.push(a);
                }
                level = next;
            }
            let sup = sup_rank_error(&level[0], &sorted);
            eprintln!(
                "{dist:>9?}: {} seeded parts merged as a tree: sup error {sup:.5}",
                pieces.len()
            );
            assert!(sup <= eps, "{dist:?}, {parts} parts (tree): {sup} > {eps}");
        }
    }
}

#[test]
fn exact_sketches_give_the_exact_ks_statistic() {
    let mut g = SplitMix(5);
    let cases: Vec<(Vec<f64>, Vec<f64>)> = vec![
        (vec![1.0], vec![2.0]),
        (vec![1.0, 2.0, 3.0], vec![1.0, 2.0, 3.0]),
        (sample(Dist::Normal, 50, 1), sample(Dist::Normal, 80, 2)),
        (
            sample(Dist::Normal, 200, 3),
            sample(Dist::Normal, 7, 4).iter().map(|x| x + 0.8).collect(),
        ),
        (sample(Dist::Ties, 100, 5), sample(Dist::Ties, 150, 6)),
        (
            sample(Dist::Ties, 120, 7),
            (0..90).map(|_| g.below(6) as f64).collect(),
        ),
        (
            sample(Dist::Uniform, 33, 8),
            sample(Dist::LogNormal, 199, 9),
        ),
    ];
    for (a, b) in &cases {
        let (sa, sb) = (sketch_of(200, a), sketch_of(200, b));
        assert!(sa.is_exact() && sb.is_exact());
        let approx = ks_from_sketches(&sa, &sb).unwrap();
        let exact = ks_2samp(&sorted(a), &sorted(b)).unwrap();
        assert!(approx.exact);
        assert_eq!(approx.error_bound, 0.0);
        // ks_2samp reports D rounded to the lattice h/lcm(n, m); the difference is rounding.
        assert!(
            (approx.statistic - exact.statistic).abs() < 1e-12,
            "{} vs {}",
            approx.statistic,
            exact.statistic
        );
        assert_eq!(approx.approx_p_value_range[0], approx.approx_p_value);
        assert_eq!(approx.approx_p_value_range[1], approx.approx_p_value);
        // Exact Wasserstein too.
        let w = wasserstein_from_sketches(&sa, &sb).unwrap();
        let we = wasserstein(&sorted(a), &sorted(b)).unwrap();
        assert!(
            (w - we).abs() <= 1e-12 * we.max(1.0),
            "wasserstein {w} vs {we}"
        );
    }
    // Beyond ks_2samp's exact range (max(n, m) > 10 000) scipy's p-value is the asymptotic
    // one, which the sketches reproduce when they are exact (k large enough).
    let (a, b) = (
        sample(Dist::Normal, 12_000, 11),
        sample(Dist::Normal, 15_000, 12)
            .iter()
            .map(|x| x * 1.02 + 0.03)
            .collect::<Vec<_>>(),
    );
    let (sa, sb) = (sketch_of(20_000, &a), sketch_of(20_000, &b));
    assert!(sa.is_exact() && sb.is_exact());
    let approx = ks_from_sketches(&sa, &sb).unwrap();
    let exact = ks_2samp(&sorted(&a), &sorted(&b)).unwrap();
    assert!((approx.statistic - exact.statistic).abs() < 1e-12);
    let p = exact.p_value.unwrap();
    assert!(
        (approx.approx_p_value - p).abs() <= 1e-12 * p.max(1e-300),
        "{} vs {p}",
        approx.approx_p_value
    );
}

#[test]
fn ks_from_sketches_is_within_the_bound_of_the_exact_statistic() {
    let k = 200;
    for (dist, n, m, shift) in [
        (Dist::Normal, 100_000, 100_000, 0.0),
        (Dist::Normal, 100_000, 300_000, 0.05),
        (Dist::Normal, 1_000_000, 200_000, 0.2),
        (Dist::Uniform, 50_000, 1_000_000, 0.01),
        (Dist::LogNormal, 300_000, 300_000, 0.1),
        (Dist::Ties, 200_000, 100_000, 0.0),
        (Dist::Ties, 200_000, 100_000, 1.0),
    ] {
        let a = sample(dist, n, 21);
        let b: Vec<f64> = sample(dist, m, 22).iter().map(|x| x + shift).collect();
        let approx = ks_from_sketches(&sketch_of(k, &a), &sketch_of(k, &b)).unwrap();
        let exact = ks_2samp(&sorted(&a), &sorted(&b)).unwrap();
        let err = (approx.statistic - exact.statistic).abs();
        eprintln!(
            "KS {dist:>9?} n = {n}, m = {m}, shift {shift}: D = {:.5}, D̂ = {:.5}, |error| \
             {err:.5}, bound {:.5}, approx p {:.3e} in [{:.3e}, {:.3e}] (scipy asymp p {:.3e})",
            exact.statistic,
            approx.statistic,
            approx.error_bound,
            approx.approx_p_value,
            approx.approx_p_value_range[0],
            approx.approx_p_value_range[1],
            exact.p_value.unwrap()
        );
        assert!(!approx.exact);
        assert!((approx.error_bound - 2.0 * normalized_rank_error(k)).abs() < 1e-15);
        assert!(err <= approx.error_bound, "{dist:?}: {err}");
        let en = (n as f64 * m as f64 / (n + m) as f64).round_ties_even() as u64;
        assert_eq!(approx.approx_p_value, kstwo_sf(approx.statistic, en));
        let [lo, hi] = approx.approx_p_value_range;
        assert!(lo <= approx.approx_p_value && approx.approx_p_value <= hi);
        // The exact p-value lies in the range whenever |D̂ − D| ≤ bound (kstwo_sf decreases).
        let p = exact.p_value.unwrap();
        assert!(lo <= p * (1.0 + 1e-9) + 1e-300 && p <= hi * (1.0 + 1e-9));
    }
}

/// (name, reference, current, k, relative tolerance; `None`: only the loose range bound)
type WassersteinCase = (&'static str, Vec<f64>, Vec<f64>, u16, Option<f64>);

#[test]
fn wasserstein_from_sketches_against_exact() {
    for n in [100_000usize, 1_000_000] {
        let cases: [WassersteinCase; 5] = [
            (
                "normal vs N(0.5, 1)",
                sample(Dist::Normal, n, 31),
                sample(Dist::Normal, n, 32)
                    .iter()
                    .map(|x| x + 0.5)
                    .collect(),
                200,
                Some(0.05),
            ),
            (
                "normal vs N(0.1, 1.2²)",
                sample(Dist::Normal, n, 33),
                sample(Dist::Normal, n / 2, 34)
                    .iter()
                    .map(|x| 1.2 * x + 0.1)
                    .collect(),
                200,
                Some(0.05),
            ),
            (
                "binomial(10, 0.3) vs binomial(10, 0.4)",
                binomial(10, 0.3, n, 37),
                binomial(10, 0.4, n, 38),
                200,
                Some(0.05),
            ),
            (
                "lognormal(0, 1) vs lognormal(0.2, 1)",
                sample(Dist::LogNormal, n, 35),
                sample(Dist::Normal, n, 36)
                    .iter()
                    .map(|x| (x + 0.2).exp())
                    .collect(),
                200,
                None,
            ),
            (
                "lognormal(0, 1) vs lognormal(0.2, 1)",
                sample(Dist::LogNormal, n, 35),
                sample(Dist::Normal, n, 36)
                    .iter()
                    .map(|x| (x + 0.2).exp())
                    .collect(),
                4000,
                Some(0.10),
            ),
        ];
        for (name, a, b, k, tol) in cases {
            let (sa, sb) = (sketch_of(k, &a), sketch_of(k, &b));
            let w = wasserstein_from_sketches(&sa, &sb).unwrap();
            let (a, b) = (sorted(&a), sorted(&b));
            let we = wasserstein(&a, &b).unwrap();
            let rel = (w - we).abs() / we;
            eprintln!(
                "W n = {n:>8} k = {k:>4} {name:<40}: exact {we:.5}, sketch {w:.5}, rel error \
                 {rel:.4}"
            );
            // The documented loose bound: (ε_ref + ε_cur)·(pooled range).
            let range = a[a.len() - 1].max(b[b.len() - 1]) - a[0].min(b[0]);
            assert!((w - we).abs() <= 2.0 * normalized_rank_error(k) * range);
            if let Some(tol) = tol {
                assert!(rel < tol, "{name}, n = {n}, k = {k}: {w} vs {we}");
            }
        }
    }
}

fn binomial(trials: u32, p: f64, n: usize, seed: u64) -> Vec<f64> {
    let mut g = SplitMix(seed);
    (0..n)
        .map(|_| (0..trials).filter(|_| g.uniform() < p).count() as f64)
        .collect()
}

#[test]
fn same_input_gives_identical_bytes() {
    let data = sample(Dist::Normal, 300_000, 3);
    let a = serde_json::to_string(&sketch_of(200, &data)).unwrap();
    let mut one_by_one = KllSketch::new(200).unwrap();
    for &x in &data {
        one_by_one.update(x).unwrap();
    }
    assert_eq!(a, serde_json::to_string(&one_by_one).unwrap());
    // Same partials merged in the same order.
    let merged = || {
        let mut m = KllSketch::new(200).unwrap();
        for chunk in data.chunks(40_000) {
            m.merge(&sketch_of(200, chunk)).unwrap();
        }
        serde_json::to_string(&m).unwrap()
    };
    assert_eq!(merged(), merged());
    // A JSON round trip restores the state exactly, so a sketch shipped mid-stream continues
    // exactly as the original would.
    let mut original = sketch_of(200, &data[..150_000]);
    let mut restored: KllSketch =
        serde_json::from_str(&serde_json::to_string(&original).unwrap()).unwrap();
    assert_eq!(restored, original);
    original.extend(&data[150_000..]).unwrap();
    restored.extend(&data[150_000..]).unwrap();
    assert_eq!(
        serde_json::to_string(&restored).unwrap(),
        serde_json::to_string(&original).unwrap()
    );
    assert_eq!(serde_json::to_string(&original).unwrap(), a);
}

#[test]
fn exact_until_first_compaction() {
    let mut s = KllSketch::new(200).unwrap();
    assert!(s.is_exact() && s.is_empty());
    let data = sample(Dist::Normal, 201, 9);
    s.extend(&data[..200]).unwrap();
    assert!(s.is_exact());
    assert_eq!(s.rank_error_bound(), 0.0);
    let sorted200 = sorted(&data[..200]);
    assert_eq!(sup_rank_error(&s, &sorted200), 0.0);
    for (i, &x) in sorted200.iter().enumerate() {
        assert_eq!(s.quantile((i + 1) as f64 / 200.0), Some(x));
    }
    s.update(data[200]).unwrap();
    assert!(!s.is_exact());
    assert_eq!(s.rank_error_bound(), normalized_rank_error(200));
    assert_eq!(s.n(), 201);
}

#[test]
fn bad_input_is_an_error() {
    assert!(KllSketch::new(7).is_err());
    assert!(KllSketch::new(0).is_err());
    assert!(KllSketch::new(8).is_ok());
    let mut s = KllSketch::new(200).unwrap();
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(s.update(x).is_err());
    }
    assert!(s.extend(&[1.0, 2.0, 3.0, f64::NAN]).is_err());
    assert!(s.is_empty() && s.num_retained() == 0 && s.min().is_none());

    // Empty sketch: queries have no answer, comparisons are errors.
    assert!(s.rank(0.0).is_nan());
    assert_eq!(s.quantile(0.5), None);
    assert!(s.cdf(&[0.0, 1.0]).iter().all(|r| r.is_nan()));
    let mut full = sketch_of(200, &sample(Dist::Normal, 1000, 1));
    assert!(ks_from_sketches(&s, &full).is_err());
    assert!(ks_from_sketches(&full, &s).is_err());
    assert!(wasserstein_from_sketches(&s, &full).is_err());
    assert!(wasserstein_from_sketches(&full, &s).is_err());

    // Out-of-domain queries.
    for q in [-0.1, 1.1, f64::NAN, f64::INFINITY] {
        assert_eq!(full.quantile(q), None);
    }
    assert!(full.rank(f64::NAN).is_nan());
    assert_eq!(full.rank(f64::NEG_INFINITY), 0.0);
    assert_eq!(full.rank(f64::INFINITY), 1.0);
    assert_eq!(full.quantile(0.0), full.min());
    assert_eq!(full.quantile(1.0), full.max());

    // k mismatch; merging an empty sketch changes nothing.
    let before = full.clone();
    assert!(full.merge(&KllSketch::new(100).unwrap()).is_err());
    assert_eq!(full, before);
    full.merge(&KllSketch::new(200).unwrap()).unwrap();
    assert_eq!(full, before);
    let mut empty = KllSketch::new(200).unwrap();
    empty.merge(&full).unwrap();
    assert_eq!(empty.n(), full.n());
    assert_eq!(empty.cdf(&[-1.0, 0.0, 1.0]), full.cdf(&[-1.0, 0.0, 1.0]));

    // Corrupt serialised states are rejected.
    let good = serde_json::to_value(sketch_of(8, &sample(Dist::Normal, 500, 2))).unwrap();
    let corrupt = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        f(&mut v);
        serde_json::from_value::<KllSketch>(v)
    };
    assert!(corrupt(&|_| {}).is_ok());
    assert!(corrupt(&|v| v["k"] = 4.into()).is_err());
    assert!(corrupt(&|v| v["n"] = 499.into()).is_err());
    assert!(corrupt(&|v| v["min"] = serde_json::Value::Null).is_err());
    assert!(corrupt(&|v| v["max"] = (-100.0).into()).is_err());
    assert!(corrupt(&|v| v["levels"] = serde_json::json!([])).is_err());
    assert!(corrupt(&|v| {
        let levels = v["levels"].as_array_mut().unwrap();
        let level = levels[1..]
            .iter_mut()
            .find(|l| l.as_array().unwrap().len() > 1);
        level.unwrap().as_array_mut().unwrap().reverse();
    })
    .is_err());
    assert!(corrupt(&|v| v["levels"][1][0] = "NaN".into()).is_err());
    assert!(corrupt(&|v| v["min"] = "not a number".into()).is_err());
    // Plain JSON numbers are accepted as well as the exact decimal strings.
    assert!(corrupt(&|v| v["max"] = 1e300.into()).is_ok());
    assert!(serde_json::from_str::<KllSketch>("{\"k\":200}").is_err());
}

#[test]
fn timings_for_report() {
    let data = sample(Dist::Normal, 1_000_000, 99);
    let t = Instant::now();
    let mut s = KllSketch::new(200).unwrap();
    for &x in &data {
        s.update(x).unwrap();
    }
    let update = t.elapsed();
    let t = Instant::now();
    let e = sketch_of(200, &data);
    let extend = t.elapsed();
    assert_eq!(s, e);
    let parts: Vec<KllSketch> = data
        .chunks(1_000_000 / 16)
        .map(|c| sketch_of(200, c))
        .collect();
    let t = Instant::now();
    let mut m = KllSketch::new(200).unwrap();
    for p in &parts {
        m.merge(p).unwrap();
    }
    let merge16 = t.elapsed();
    let t = Instant::now();
    let mut a = e.clone();
    a.merge(&s).unwrap();
    let merge_big = t.elapsed();
    let t = Instant::now();
    let r = ks_from_sketches(&s, &m).unwrap();
    let ks = t.elapsed();
    let en = 1_000_000u64 * 1_000_000 / 2_000_000;
    let t = Instant::now();
    let p = kstwo_sf(r.statistic, en);
    let sf = t.elapsed();
    assert_eq!(p, r.approx_p_value);
    let json = serde_json::to_string(&s).unwrap();
    eprintln!(
        "1e6 values: update {:.1} ms ({:.1} ns/value), extend {:.1} ms, merge of 16 partial \
         sketches {:.3} ms, merge of two 1e6 sketches {:.3} ms, ks_from_sketches {:.3} ms \
         (D̂ = {:.4}; of which kstwo_sf(D̂, 500 000) alone {:.3} ms), {} retained items, {} bytes of JSON",
        update.as_secs_f64() * 1e3,
        update.as_secs_f64() * 1e9 / 1e6,
        extend.as_secs_f64() * 1e3,
        merge16.as_secs_f64() * 1e3,
        merge_big.as_secs_f64() * 1e3,
        ks.as_secs_f64() * 1e3,
        r.statistic,
        sf.as_secs_f64() * 1e3,
        s.num_retained(),
        json.len()
    );
}
