//! Monitoring from parts (Spark, Dask): a table split into k parts, each counted by window,
//! read by window, encoded and merged, gives the single-machine `monitor` report exactly —
//! windows, rows, rates, drift, quality, alerts — with the baseline from the first windows or
//! from a reference table split into parts too.

use fairgauge::evidence::policy::{Policy, Roles};
use fairgauge::monitor::parts::{
    count_windows, finish_monitor, monitor_part, plan_monitor, reference_side, Layout, WindowCounts,
};
use fairgauge::monitor::{monitor, Every, MonitorInput, MonitorReport};
use fairgauge::source::Table;
use polars::prelude::*;

/// `n` rows over 10 weeks from 2024-01-01, in no time order; from week 7 the group "b" is
/// selected less often. Some times are missing or unreadable.
fn table(n: usize, seed: u64) -> DataFrame {
    let mut x = seed;
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as f64 / (1u64 << 31) as f64
    };
    let (mut t, mut g, mut y, mut p, mut a, mut c) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for i in 0..n {
        let day = (next() * 70.0) as i64;
        let date = jiff::civil::date(2024, 1, 1)
            .checked_add(jiff::Span::new().days(day))
            .unwrap();
        t.push(match i % 97 {
            5 => None,
            11 => Some("not a date".to_string()),
            _ => Some(date.to_string()),
        });
        let grp = ["a", "b"][(next() * 2.0) as usize % 2];
        g.push(grp);
        y.push((next() < 0.4) as i64);
        let rate = if grp == "b" && day >= 42 { 0.2 } else { 0.5 };
        p.push((next() < rate) as i64);
        a.push((next() * 60.0).floor() + 18.0 + if day >= 42 { 5.0 } else { 0.0 });
        c.push(if i % 13 == 0 {
            None
        } else {
            Some(["x", "y", "z"][i % 3])
        });
    }
    df!("time" => t, "g" => g, "y" => y, "p" => p, "age" => a, "cat" => c).unwrap()
}

fn slices(df: &DataFrame, k: usize) -> Vec<DataFrame> {
    let n = df.height();
    (0..k)
        .map(|i| df.slice((i * n / k) as i64, (i + 1) * n / k - i * n / k))
        .collect()
}

fn roles() -> Roles {
    serde_json::from_str(
        r#"{"label": "y", "prediction": "p", "sensitive": ["g"], "positive_label": "1"}"#,
    )
    .unwrap()
}

fn input<'a>(
    data: &'a Table,
    reference: Option<&'a Table>,
    policy: &'a (Policy, fairgauge::evidence::policy::PolicySource),
) -> MonitorInput<'a> {
    MonitorInput {
        data,
        reference,
        time: "time".into(),
        every: Every::Week,
        baseline: Some(3),
        policy: &policy.0,
        policy_source: &policy.1,
        roles: roles(),
        rules: None,
        command_line: vec!["test".into()],
    }
}

/// The partitioned run over `k` parts of `df` (and `k` parts of the reference).
fn partitioned(
    df: &DataFrame,
    reference: Option<&DataFrame>,
    k: usize,
    policy: &(Policy, fairgauge::evidence::policy::PolicySource),
) -> MonitorReport {
    let schema = Table::from_frame("<data>", df.clear());
    let ref_schema = reference.map(|r| Table::from_frame("<reference>", r.clear()));
    let inp = input(&schema, ref_schema.as_ref(), policy);
    let plan = plan_monitor(&inp).unwrap();
    let parts: Vec<Table> = slices(df, k)
        .into_iter()
        .map(|s| Table::from_frame("<part>", s))
        .collect();
    // Counts travel encoded, as they do from Spark's executors.
    let counts: Vec<WindowCounts> = parts
        .iter()
        .map(|p| WindowCounts::decode(&count_windows(p, &plan).unwrap().encode().unwrap()).unwrap())
        .collect();
    let layout = Layout::of(&inp, &counts).unwrap();
    let encoded: Vec<Vec<u8>> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| monitor_part(p, &plan, &layout, i).unwrap())
        .collect();
    let sides: Vec<Vec<u8>> = reference
        .map(|r| {
            slices(r, k)
                .into_iter()
                .map(|s| reference_side(&Table::from_frame("<part>", s), &plan).unwrap())
                .collect()
        })
        .unwrap_or_default();
    finish_monitor(&inp, &plan, &layout, &encoded, &sides).unwrap()
}

fn json(r: &MonitorReport) -> serde_json::Value {
    serde_json::to_value(r).unwrap()
}

#[test]
fn parts_give_the_single_machine_report_with_baseline_windows() {
    let df = table(20_000, 3);
    let policy = Policy::builtin();
    let whole = Table::from_frame("<data>", df.clone());
    let single = monitor(&input(&whole, None, &policy)).unwrap();
    assert_eq!(single.windows.len(), 10);
    assert!(single.untimed_rows > 0 && single.first_unreadable.is_some());
    assert!(
        single.alerts.iter().any(|a| a.family == "fairness"),
        "the planted shift alerts"
    );
    assert!(single.windows[5]
        .findings
        .iter()
        .any(|f| f.family == "drift"));
    for k in [1, 3, 7] {
        let parts = partitioned(&df, None, k, &policy);
        assert_eq!(json(&parts), json(&single), "{k} parts");
    }
}

#[test]
fn parts_give_the_single_machine_report_with_a_reference_table() {
    let df = table(12_000, 5);
    let reference = table(6_000, 9).drop("time").unwrap();
    let policy = Policy::builtin();
    let whole = Table::from_frame("<data>", df.clone());
    let r = Table::from_frame("<reference>", reference.clone());
    let single = monitor(&input(&whole, Some(&r), &policy)).unwrap();
    assert_eq!(single.baseline.source, "reference");
    for k in [1, 4] {
        let parts = partitioned(&df, Some(&reference), k, &policy);
        assert_eq!(json(&parts), json(&single), "{k} parts");
    }
}

#[test]
fn row_windows_and_one_window_are_refused_with_the_reason() {
    let df = table(2_000, 1);
    let policy = Policy::builtin();
    let schema = Table::from_frame("<data>", df.clear());
    let mut inp = input(&schema, None, &policy);
    inp.every = Every::Rows(500);
    let e = plan_monitor(&inp).unwrap_err().to_string();
    assert!(e.contains("whole table in time order"), "{e}");
    inp.every = Every::Quarter;
    let plan = plan_monitor(&inp).unwrap();
    let counts = vec![count_windows(&Table::from_frame("<part>", df), &plan).unwrap()];
    let e = Layout::of(&inp, &counts).unwrap_err().to_string();
    assert!(e.contains("one window of a quarter"), "{e}");
}

/// The bounded-memory mode (a policy with `[quality] sketch`, data in a file): the rows split by
/// window into files, each assessed in turn, give the report of the same policy on the table in
/// memory — with the baseline from the first windows or from a reference file that has the time
/// column too; a CSV file gives the same windows and rates.
#[test]
fn bounded_mode_gives_the_in_memory_report() {
    use fairgauge::evidence::policy::PolicySource;
    let dir = tempfile::tempdir().unwrap();
    let mut df = table(20_000, 3);
    let mut reference = table(6_000, 9);
    let pq = dir.path().join("d.parquet");
    let rq = dir.path().join("r.parquet");
    let csv = dir.path().join("d.csv");
    ParquetWriter::new(std::fs::File::create(&pq).unwrap())
        .finish(&mut df)
        .unwrap();
    ParquetWriter::new(std::fs::File::create(&rq).unwrap())
        .finish(&mut reference)
        .unwrap();
    CsvWriter::new(std::fs::File::create(&csv).unwrap())
        .finish(&mut df)
        .unwrap();
    let text = "version = 1\n[quality]\nsketch = 1000\n";
    let policy = (
        Policy::parse(text, std::path::Path::new("bounded.toml")).unwrap(),
        PolicySource {
            path: None,
            sha256: "test".into(),
        },
    );
    let opts = fairgauge::source::ReadOptions::default();
    let without = |r: &MonitorReport, keys: &[&str]| {
        let mut v = json(r);
        for k in keys {
            v.as_object_mut().unwrap().remove(*k);
        }
        v.pointer_mut("/baseline")
            .and_then(|b| b.as_object_mut())
            .map(|b| b.remove("path"));
        v
    };
    let memory = Table::from_frame("<data>", df.clone());
    let file = Table::open(&pq, &opts).unwrap();
    let want = monitor(&input(&memory, None, &policy)).unwrap();
    let got = monitor(&input(&file, None, &policy)).unwrap();
    assert!(want.alerts.iter().any(|a| a.family == "fairness"));
    assert_eq!(without(&got, &["input"]), without(&want, &["input"]));
    let r_memory = Table::from_frame("<reference>", reference.clone());
    let r_file = Table::open(&rq, &opts).unwrap();
    let want = monitor(&input(&memory, Some(&r_memory), &policy)).unwrap();
    let got = monitor(&input(&file, Some(&r_file), &policy)).unwrap();
    assert_eq!(got.baseline.rows, 6_000);
    assert_eq!(without(&got, &["input"]), without(&want, &["input"]));
    let from_csv = monitor(&input(&Table::open(&csv, &opts).unwrap(), None, &policy)).unwrap();
    let want = monitor(&input(&memory, None, &policy)).unwrap();
    assert_eq!(from_csv.windows.len(), want.windows.len());
    for (a, b) in from_csv.windows.iter().zip(&want.windows) {
        assert_eq!(
            (&a.start, a.rows, &a.fairness),
            (&b.start, b.rows, &b.fairness)
        );
    }
    let mut rows = input(&file, None, &policy);
    rows.every = Every::Rows(1000);
    let e = monitor(&rows).unwrap_err().to_string();
    assert!(e.contains("whole table in time order"), "{e}");
}
