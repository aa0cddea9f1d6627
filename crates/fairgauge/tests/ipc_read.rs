//! Arrow IPC files are read a window of record batches at a time: several batches, names given
//! in the read options, and a file without rows all read as the same rows in CSV do.

use fairgauge::quality::{dataset_fingerprints, run_quality, QualitySpec};
use fairgauge::source::{InputFormat, ReadOptions, Table};
use fairgauge::{write_table, OwnedColumn};

fn cols(n: usize, names: [&str; 2]) -> Vec<(String, OwnedColumn)> {
    vec![
        (
            names[0].to_string(),
            OwnedColumn::I64((0..n as i64).map(|i| i % 1000).collect()),
        ),
        (
            names[1].to_string(),
            OwnedColumn::Str((0..n).map(|i| format!("v{}", i % 7)).collect()),
        ),
    ]
}

#[test]
fn ipc_batches_and_given_names_read_as_csv_does() {
    let d = tempfile::tempdir().unwrap();
    // 600,000 rows: three record batches of at most 262,144 rows, two read windows.
    let n = 600_000;
    let ipc = d.path().join("t.arrow");
    write_table(&ipc, InputFormat::Ipc, cols(n, ["a", "b"])).unwrap();
    let csv = d.path().join("t.csv");
    write_table(&csv, InputFormat::Csv, cols(n, ["x", "y"])).unwrap();
    let renamed = ReadOptions {
        columns: Some(vec!["x".into(), "y".into()]),
        ..Default::default()
    };
    let from_ipc = dataset_fingerprints(&Table::open(&ipc, &renamed).unwrap()).unwrap();
    let from_csv =
        dataset_fingerprints(&Table::open(&csv, &ReadOptions::default()).unwrap()).unwrap();
    assert_eq!(from_ipc.rows, n as u64);
    assert_eq!(from_ipc.fingerprints.content, from_csv.fingerprints.content);
    // A wrong number of names is refused, naming the file.
    let bad = ReadOptions {
        columns: Some(vec!["x".into()]),
        ..Default::default()
    };
    let e = Table::open(&ipc, &bad)
        .and_then(|t| dataset_fingerprints(&t))
        .unwrap_err()
        .to_string();
    assert!(e.contains("t.arrow") && e.contains("column"), "{e}");
}

#[test]
fn an_ipc_file_without_rows_is_an_empty_table() {
    let d = tempfile::tempdir().unwrap();
    let ipc = d.path().join("e.arrow");
    write_table(&ipc, InputFormat::Ipc, cols(0, ["a", "b"])).unwrap();
    let t = Table::open(&ipc, &ReadOptions::default()).unwrap();
    assert_eq!(dataset_fingerprints(&t).unwrap().rows, 0);
    let r = run_quality(&t, None, &QualitySpec::default(), None).unwrap();
    assert_eq!(r.dataset.rows, 0);
    assert_eq!(r.columns.len(), 2);
}
