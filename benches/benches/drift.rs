//! Drift kernels: sorting (radix), KS (exact and asymptotic), normed Wasserstein, quantile bins
//! with PSI, and KLL sketch updates, with `Throughput::Elements` over sizes from 1e4 to 1e7.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fairgauge_core::drift::{
    bin_counts, ks_2samp, psi, quantile_bin_edges, sort_finite, wasserstein_normed, KllSketch,
};

/// A fixed pseudo-random normal sample (xorshift + Box–Muller), the same on every run.
fn sample(n: usize, seed: u64, shift: f64) -> Vec<f64> {
    let mut x = seed | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let (u1, u2) = (next().max(f64::MIN_POSITIVE), next());
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos() + shift
        })
        .collect()
}

fn kernels(c: &mut Criterion) {
    let mut g = c.benchmark_group("drift");
    g.sample_size(10);
    for n in [10_000usize, 100_000, 1_000_000, 10_000_000] {
        let a = sample(n, 1, 0.0);
        let b = sample(n, 2, 0.05);
        let mut sa = a.clone();
        let mut sb = b.clone();
        sort_finite(&mut sa);
        sort_finite(&mut sb);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("sort_finite", n), &n, |bench, _| {
            bench.iter(|| {
                let mut v = a.clone();
                sort_finite(&mut v);
                v
            })
        });
        g.bench_with_input(BenchmarkId::new("ks_2samp_sorted", n), &n, |bench, _| {
            bench.iter(|| ks_2samp(&sa, &sb).unwrap())
        });
        g.bench_with_input(
            BenchmarkId::new("wasserstein_normed_sorted", n),
            &n,
            |bench, _| bench.iter(|| wasserstein_normed(&sa, &sb).unwrap()),
        );
        g.bench_with_input(BenchmarkId::new("psi_decile_bins", n), &n, |bench, _| {
            bench.iter(|| {
                let edges = quantile_bin_edges(&sa, 10).unwrap();
                let r = bin_counts(&sa, &edges).unwrap();
                let c = bin_counts(&sb, &edges).unwrap();
                psi(&r, &c).unwrap()
            })
        });
        if n <= 1_000_000 {
            g.bench_with_input(BenchmarkId::new("kll_update_k200", n), &n, |bench, _| {
                bench.iter(|| {
                    let mut k = KllSketch::new(200).unwrap();
                    k.extend(&a).unwrap();
                    k
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
