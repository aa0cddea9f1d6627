//! Fairness benchmarks.
//!
//! - `group_counts/N`: the core kernel (one pass over encoded rows into the mergeable state,
//!   rayon-parallel), N from 1e4 to 1e7.
//! - `report_10m`: the full `fairgauge fairness` path on 10M synthetic rows in Parquet, sex × race
//!   intersected (2 × 5 groups), against `polars_group_by_10m`: polars reading the same Parquet and
//!   counting the same cells (attributes × label × prediction) with a lazy group_by.
//!
//! - `fairness_10m/multiclass_10`: the multiclass task (`--task multiclass`) on the same rows
//!   with 10 classes (true class `(⌊10·score⌋ + 3·label) mod 10`, predicted class `⌊10·score⌋ mod 10`),
//!   sex × race intersected, beside `report` (the target: ≤ 2× the binary run);
//!   `fairness_10m/regression`: the regression task (`income` against `x1`), the same groups
//!   (target ≤ 1.5×), and `fairness_10m/regression_bootstrap_200` the same with 200 bootstrap
//!   replicates; `fairness_10m/ranking`: the ranking task on the same rows as 1M lists of 10
//!   items (`q` = row / 10), ordered by `score`, relevance `label`, k = 10 (target ≤ 2×).
//!
//! Set `FAIRGAUGE_BENCH_ROWS` to change the 10M (e.g. 1000000 for a quick run).

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fairgauge::fairness::{run_fairness, run_task, FairnessSpec, Task};
use fairgauge::source::{ReadOptions, Table};
use fairgauge::synth::{write_synth, SynthOptions};
use fairgauge_core::fairness::{CodedAttribute, FairnessBatch, FairnessOptions, FairnessState};
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
    let p = dir.join(format!("synth-{n}.parquet"));
    if !p.exists() {
        let o = SynthOptions {
            rows: n,
            ..Default::default()
        };
        write_synth(&o, &p, None).unwrap();
    }
    p
}

/// The synthetic rows with a 10-class truth and prediction (`tier`, `tier_pred`), beside
/// `synth`'s file.
fn multiclass_file(n: usize, synth: &Path) -> PathBuf {
    let p = synth.with_file_name(format!("synth-{n}-classes.parquet"));
    if !p.exists() {
        let predicted = (col("score") * lit(10.0)).cast(DataType::Int64) % lit(10i64);
        let mut df =
            LazyFrame::scan_parquet(PlRefPath::new(synth.to_str().unwrap()), Default::default())
                .unwrap()
                .select([
                    col("sex"),
                    col("race"),
                    ((predicted.clone() + col("label") * lit(3i64)) % lit(10i64)).alias("tier"),
                    predicted.alias("tier_pred"),
                ])
                .collect()
                .unwrap();
        let file = std::fs::File::create(&p).unwrap();
        ParquetWriter::new(file).finish(&mut df).unwrap();
    }
    p
}

/// The synthetic rows as lists of 10 items (`q` = row / 10) with the score, the label as
/// relevance and the sensitive attributes, beside `synth`'s file.
fn ranking_file(n: usize, synth: &Path) -> PathBuf {
    let p = synth.with_file_name(format!("synth-{n}-lists.parquet"));
    if !p.exists() {
        let mut df =
            LazyFrame::scan_parquet(PlRefPath::new(synth.to_str().unwrap()), Default::default())
                .unwrap()
                .with_row_index("row", None)
                .select([
                    (col("row") / lit(10u32)).alias("q"),
                    col("sex"),
                    col("race"),
                    col("score"),
                    col("label").cast(DataType::Float64).alias("relevance"),
                ])
                .collect()
                .unwrap();
        let file = std::fs::File::create(&p).unwrap();
        ParquetWriter::new(file).finish(&mut df).unwrap();
    }
    p
}

fn group_counts(c: &mut Criterion) {
    let mut g = c.benchmark_group("group_counts");
    g.sample_size(10);
    let sex = vec![Some("Female".to_string()), Some("Male".to_string())];
    let race: Vec<Option<String>> = (0..5).map(|i| Some(format!("r{i}"))).collect();
    for n in [10_000usize, 100_000, 1_000_000, 10_000_000] {
        // A fixed pseudo-random pattern (xorshift), the same for every run.
        let mut x = 0x2545F4914F6CDD1Du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let label: Vec<Option<bool>> = (0..n).map(|_| Some(next() % 10 < 3)).collect();
        let pred: Vec<Option<bool>> = (0..n).map(|_| Some(next() % 10 < 3)).collect();
        let s: Vec<u32> = (0..n).map(|_| (next() % 2) as u32).collect();
        let r: Vec<u32> = (0..n).map(|_| (next() % 5) as u32).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                let mut st = FairnessState::new(vec!["sex".into(), "race".into()], true, false);
                st.update_parallel(&FairnessBatch {
                    label: &label,
                    prediction: Some(&pred),
                    score: None,
                    attributes: vec![
                        CodedAttribute {
                            name: "sex",
                            codes: &s,
                            levels: &sex,
                        },
                        CodedAttribute {
                            name: "race",
                            codes: &r,
                            levels: &race,
                        },
                    ],
                    weights: None,
                    membership: None,
                    row_offset: 0,
                })
                .unwrap();
                st
            })
        });
    }
    g.finish();
}

fn report_vs_polars(c: &mut Criterion) {
    let n = rows();
    let path = data_file(n);
    let mut g = c.benchmark_group("fairness_10m");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    let table = Table::open(&path, &ReadOptions::default()).unwrap();
    let spec = FairnessSpec {
        label: "label".into(),
        prediction: Some("prediction".into()),
        score: None,
        threshold: 0.5,
        sensitive: vec!["sex".into(), "race".into()],
        positive_label: Some("1".into()),
        weight: None,
        above_threshold: None,
        keep_labels: false,
        ranking: None,
        task: fairgauge::fairness::Task::Binary,
        probabilistic: vec![],
    };
    let opts = FairnessOptions {
        intersect: true,
        ..Default::default()
    };
    g.bench_function("report", |b| {
        b.iter(|| run_fairness(&table, &spec, &opts, None).unwrap())
    });
    // The same report with the score column as sample weights, and with 200 bootstrap replicates.
    let weighted = FairnessSpec {
        weight: Some("score".into()),
        ..spec.clone()
    };
    g.bench_function("report_weighted", |b| {
        b.iter(|| run_fairness(&table, &weighted, &opts, None).unwrap())
    });
    let boot = FairnessOptions {
        bootstrap: Some(fairgauge_core::fairness::Bootstrap {
            replicates: 200,
            seed: 0,
        }),
        ..opts.clone()
    };
    g.bench_function("report_bootstrap_200", |b| {
        b.iter(|| run_fairness(&table, &spec, &boot, None).unwrap())
    });
    let classes = multiclass_file(n, &path);
    let mc_table = Table::open(&classes, &ReadOptions::default()).unwrap();
    let mc = FairnessSpec {
        label: "tier".into(),
        prediction: Some("tier_pred".into()),
        positive_label: None,
        task: Task::Multiclass,
        ..spec.clone()
    };
    g.bench_function("multiclass_10", |b| {
        b.iter(|| run_task(&mc_table, &mc, &opts, None).unwrap())
    });
    // Regression: the synthetic income against the score as a stand-in prediction (the timing,
    // not the model, is measured), with every group's predictions kept for the KS tests.
    let reg = FairnessSpec {
        label: "income".into(),
        prediction: Some("x1".into()),
        positive_label: None,
        task: Task::Regression,
        ..spec.clone()
    };
    g.bench_function("regression", |b| {
        b.iter(|| run_task(&table, &reg, &opts, None).unwrap())
    });
    // The same with 200 Poisson-bootstrap replicates of every summary.
    let booted = FairnessOptions {
        bootstrap: Some(fairgauge_core::fairness::Bootstrap {
            replicates: 200,
            seed: 0,
        }),
        ..opts.clone()
    };
    g.bench_function("regression_bootstrap_200", |b| {
        b.iter(|| run_task(&table, &reg, &booted, None).unwrap())
    });
    let lists = ranking_file(n, &path);
    let rk_table = Table::open(&lists, &ReadOptions::default()).unwrap();
    let rk = FairnessSpec {
        label: String::new(),
        prediction: None,
        score: Some("score".into()),
        positive_label: None,
        task: Task::Ranking,
        ranking: Some(fairgauge::fairness::RankingSpec {
            query: "q".into(),
            rank: None,
            relevance: Some("relevance".into()),
            k: vec![10],
        }),
        ..spec.clone()
    };
    g.bench_function("ranking", |b| {
        b.iter(|| run_task(&rk_table, &rk, &opts, None).unwrap())
    });
    let p = path.to_str().unwrap().to_string();
    g.bench_function("polars_group_by", |b| {
        b.iter(|| {
            LazyFrame::scan_parquet(PlRefPath::new(p.as_str()), Default::default())
                .unwrap()
                .group_by([col("sex"), col("race"), col("label"), col("prediction")])
                .agg([len()])
                .collect()
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, group_counts, report_vs_polars);
criterion_main!(benches);
