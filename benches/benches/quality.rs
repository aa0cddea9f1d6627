//! Quality profiling against polars computing a simpler profile of the same file.
//!
//! - `quality_10m/report`: `run_quality` (every column profiled, all checks, fingerprints, label
//!   and two sensitive attributes) on 10M rows × 27 columns of `fairgauge synth` Parquet;
//! - `quality_10m/polars_profile`: polars reading the same Parquet and computing, for every
//!   column, the null count and `n_unique`, and min/max of the numeric ones (the issue's
//!   baseline; target: the report within 3× of it).
//!
//! - kernels, 1e4 to 1e7 elements with `Throughput::Elements`: `row_hash` (a numeric cell's
//!   XXH3-128 hash and the row mix, as duplicates, leakage and the content fingerprint use them),
//!   `hll_insert` (distinct counting), `numeric_profile` (quantiles, MAD, outliers from a sorted
//!   column).
//!
//! Set `FAIRGAUGE_BENCH_ROWS` to change the 10M (e.g. 1000000 for a quick run).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fairgauge::quality::{run_quality, QualitySpec};
use fairgauge::source::{ReadOptions, Table};
use fairgauge::synth::{write_synth, SynthOptions};
use fairgauge_core::fingerprint::{column_seed, finish_row, hash_number};
use fairgauge_core::quality::hll::HyperLogLog;
use fairgauge_core::quality::numeric::NumericProfile;
use polars::prelude::*;

fn rows() -> usize {
    std::env::var("FAIRGAUGE_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000)
}

fn data_file(n: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("synth-{n}-27.parquet"));
    if !p.exists() {
        let o = SynthOptions {
            rows: n,
            features: 16,
            ..Default::default()
        };
        write_synth(&o, &p, None).unwrap();
    }
    p
}

/// polars' profile: null count and n_unique of every column, min and max of numeric ones.
pub fn polars_profile(path: &str) -> DataFrame {
    let mut lf = LazyFrame::scan_parquet(PlRefPath::new(path), Default::default()).unwrap();
    let schema = lf.collect_schema().unwrap();
    let mut exprs = vec![];
    for (name, dt) in schema.iter() {
        let c = || col(name.clone());
        exprs.push(c().null_count().alias(format!("{name}_nulls")));
        exprs.push(c().n_unique().alias(format!("{name}_unique")));
        if dt.is_primitive_numeric() {
            exprs.push(c().min().alias(format!("{name}_min")));
            exprs.push(c().max().alias(format!("{name}_max")));
        }
    }
    lf.select(exprs).collect().unwrap()
}

fn report_vs_polars(c: &mut Criterion) {
    let n = rows();
    let path = data_file(n);
    let p = path.to_string_lossy().into_owned();
    let mut g = c.benchmark_group(format!("quality_{}m", n / 1_000_000));
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    let table = Table::open(&path, &ReadOptions::default()).unwrap();
    let spec = QualitySpec {
        label: Some("label".into()),
        sensitive: vec!["sex".into(), "race".into()],
        examples: 5,
        ..Default::default()
    };
    g.bench_function("report", |b| {
        b.iter(|| run_quality(&table, None, &spec, None).unwrap())
    });
    g.bench_function("polars_profile", |b| b.iter(|| polars_profile(&p)));
    g.finish();
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn kernels(c: &mut Criterion) {
    let sizes = [10_000usize, 100_000, 1_000_000, 10_000_000];
    let mut g = c.benchmark_group("row_hash");
    g.sample_size(10);
    for n in sizes {
        let v: Vec<f64> = (0..n as u64)
            .map(|i| (splitmix(i) % 100_000) as f64 / 7.0)
            .collect();
        let seed = column_seed("x");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &v, |b, v| {
            b.iter(|| {
                v.iter().fold(0u128, |acc, &x| {
                    acc.wrapping_add(finish_row(hash_number(seed, x)))
                })
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("hll_insert");
    g.sample_size(10);
    for n in sizes {
        let h: Vec<u64> = (0..n as u64).map(splitmix).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &h, |b, h| {
            b.iter(|| {
                let mut s = HyperLogLog::new(HyperLogLog::DEFAULT_PRECISION).unwrap();
                for &x in h {
                    s.insert_hash(x);
                }
                s.estimate()
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("numeric_profile");
    g.sample_size(10);
    for n in sizes {
        let mut v: Vec<f64> = (0..n as u64)
            .map(|i| (splitmix(i) % 1_000_000) as f64 / 3.0)
            .collect();
        v.sort_by(f64::total_cmp);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &v, |b, v| {
            b.iter(|| NumericProfile::from_sorted(v))
        });
    }
    g.finish();
}

criterion_group!(benches, kernels, report_vs_polars);
criterion_main!(benches);
