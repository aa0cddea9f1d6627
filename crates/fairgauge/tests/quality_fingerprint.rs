//! Content fingerprints do not depend on row order, column order, file format or batch size;
//! one changed cell changes them. Schema fingerprints follow names and types.

use fairgauge::quality::{run_quality, QualityReport, QualitySpec};
use fairgauge::source::{InputFormat, ReadOptions, Table};
use fairgauge::{write_table, OwnedColumn};
use rand::seq::SliceRandom;
use rand::SeedableRng;

const N: usize = 300_000; // more than one streamed batch (256K rows)

fn columns(order: &[usize], change_one: bool, reverse_cols: bool) -> Vec<(String, OwnedColumn)> {
    let mut age: Vec<i64> = order.iter().map(|&i| 18 + (i % 70) as i64).collect();
    if change_one {
        age[N / 2] += 1;
    }
    let x: Vec<f64> = order
        .iter()
        .map(|&i| {
            if i % 97 == 0 {
                f64::NAN
            } else {
                i as f64 / 7.0
            }
        })
        .collect();
    let sex: Vec<String> = order
        .iter()
        .map(|&i| if i % 3 == 0 { "Female" } else { "Male" }.to_string())
        .collect();
    let flag: Vec<bool> = order.iter().map(|&i| i % 5 == 0).collect();
    let mut cols = vec![
        ("age".to_string(), OwnedColumn::I64(age)),
        ("x".to_string(), OwnedColumn::F64(x)),
        ("sex".to_string(), OwnedColumn::Str(sex)),
        ("flag".to_string(), OwnedColumn::Bool(flag)),
    ];
    if reverse_cols {
        cols.reverse();
    }
    cols
}

fn report(path: &std::path::Path) -> QualityReport {
    let t = Table::open(path, &ReadOptions::default()).unwrap();
    let spec = QualitySpec {
        examples: 5,
        sketch: None,
        ..Default::default()
    };
    run_quality(&t, None, &spec, None).unwrap()
}

#[test]
fn content_fingerprint_ignores_order_format_and_chunking() {
    let d = tempfile::tempdir().unwrap();
    let ordered: Vec<usize> = (0..N).collect();
    let mut shuffled = ordered.clone();
    shuffled.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(7));

    let csv = d.path().join("a.csv");
    write_table(&csv, InputFormat::Csv, columns(&ordered, false, false)).unwrap();
    let pq = d.path().join("b.parquet");
    write_table(&pq, InputFormat::Parquet, columns(&shuffled, false, true)).unwrap();
    let ipc = d.path().join("c.arrow");
    write_table(&ipc, InputFormat::Ipc, columns(&shuffled, false, false)).unwrap();
    let changed = d.path().join("d.parquet");
    write_table(
        &changed,
        InputFormat::Parquet,
        columns(&shuffled, true, false),
    )
    .unwrap();

    let a = report(&csv);
    let b = report(&pq);
    let c = report(&ipc);
    let e = report(&changed);
    let fa = &a.dataset.fingerprints;
    assert_eq!(a.dataset.rows, N as u64);
    assert_eq!(fa.content, b.dataset.fingerprints.content);
    assert_eq!(fa.content, c.dataset.fingerprints.content);
    assert_ne!(fa.content, e.dataset.fingerprints.content);
    assert!(fa.content.starts_with("sha256:") && fa.content.len() == 7 + 64);
    // The files differ byte for byte; their SHA-256 says so.
    assert_ne!(fa.file_sha256, b.dataset.fingerprints.file_sha256);
    // Same names and types in the same order: same schema fingerprint (IPC and Parquet keep the
    // types); reordered columns give another.
    assert_eq!(c.dataset.fingerprints.schema, e.dataset.fingerprints.schema);
    assert_ne!(b.dataset.fingerprints.schema, c.dataset.fingerprints.schema);
    // Profiles agree whatever the order and format.
    for col in ["age", "x", "sex"] {
        let pa = a.columns.iter().find(|c| c.name == col).unwrap();
        let pb = b.columns.iter().find(|c| c.name == col).unwrap();
        assert_eq!(pa.distinct, pb.distinct, "{col}");
        assert_eq!(pa.missing.total, pb.missing.total, "{col}");
        assert_eq!(pa.numeric, pb.numeric, "{col}");
    }
    let xa = a.columns.iter().find(|c| c.name == "x").unwrap();
    // 0, 97, 194, … below N are NaN in Parquet/IPC; in the CSV polars writes NaN as `NaN`,
    // which reads back as a float NaN too.
    assert_eq!(xa.missing.nan, N.div_ceil(97) as u64);
}
