//! Quality profiling against polars computing a simpler profile of the same file.
//!
//! - `quality_10m/report`: `run_quality` (every column profiled, all checks, fingerprints, label
//!   and two sensitive attributes) on 10M rows × 27 columns of `fairgauge synth` Parquet;
//! - `quality_10m/polars_profile`: polars reading the same Parquet and computing, for every
//!   column, the null count and `n_unique`, and min/max of the numeric ones (the issue's
//!   baseline; target: the report within 3× of it).
//!
//! Set `FAIRGAUGE_BENCH_ROWS` to change the 10M (e.g. 1000000 for a quick run).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fairgauge::quality::{run_quality, QualitySpec};
use fairgauge::source::{ReadOptions, Table};
use fairgauge::synth::{write_synth, SynthOptions};
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

criterion_group!(benches, report_vs_polars);
criterion_main!(benches);
