//! The bounded-memory quality mode (`QualitySpec::sketch`) against the exact one on a table
//! with everything planted: duplicates, duplicate keys, conflicting labels, leakage, empty
//! rows, nulls, NaN and ±∞, a numeric sentinel, numbers stored as text, a continuous column
//! with more distinct values than the exact-count limit and an identifier with more than the
//! tracked text values. What the bounded mode keeps exact must equal the exact report; what
//! it approximates must be within the bound it states.

use std::fmt::Write as _;

use fairgauge::quality::{run_quality, ColumnReport, QualityReport, QualitySpec};
use fairgauge::source::{ReadOptions, Table};
use serde_json::Value;

const N: usize = 150_000;

fn lcg(s: &mut u64) -> u64 {
    *s = s
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *s >> 33
}

/// One row of the planted table (without the line end).
fn row(i: usize, s: &mut u64) -> String {
    let r = lcg(s);
    let age = if i % 1000 == 7 {
        "-999".to_string()
    } else {
        (18 + r % 70).to_string()
    };
    let u = (lcg(s) as f64 + 0.5) / (1u64 << 31) as f64;
    let income = match i % 5003 {
        11 => "inf".to_string(),
        12 => "NaN".to_string(),
        _ => format!("{:.3}", 20_000.0 * (-u.ln()) + (r % 7) as f64),
    };
    let sex = match r % 50 {
        0 => "",
        x if x % 2 == 0 => "Female",
        _ => "Male",
    };
    let race = ["White", "Black", "Asian", "Hispanic", "Other"][(lcg(s) % 5) as usize];
    // Numbers stored as text (the first rows make the column text).
    let zip = if i < 3 || i.is_multiple_of(4001) {
        "unknown".to_string()
    } else {
        format!("{:05}", 10_000 + lcg(s) % 900)
    };
    // Income depends on sex a little (a weak proxy), the label on age.
    let label = u64::from(lcg(s) % 100 < 30);
    format!("id{i},{age},{income},{sex},{race},{zip},{label}")
}

fn write(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut s = 42u64;
    let mut cur = String::from("id,age,income,sex,race,zip,label\n");
    let mut rows: Vec<String> = vec![];
    for i in 0..N {
        let mut line = row(i, &mut s);
        if i % 500 == 499 {
            // An exact duplicate of the previous row.
            line = rows[i - 1].clone();
        } else if i % 700 == 1 {
            // The same features as the previous row, the other label: a conflict (and a
            // duplicate key).
            let prev = &rows[i - 1];
            let (head, last) = prev.rsplit_once(',').unwrap();
            line = format!("{head},{}", if last == "1" { "0" } else { "1" });
        } else if i % 900 == 3 {
            // A duplicate key only.
            let id = rows[i - 1].split(',').next().unwrap().to_string();
            let rest = line.split_once(',').unwrap().1.to_string();
            line = format!("{id},{rest}");
        }
        if i == 1000 || i == 77_777 {
            rows.push(",,,,,,".into());
        }
        rows.push(line);
    }
    for l in &rows {
        writeln!(cur, "{l}").unwrap();
    }
    let mut r = String::from("id,age,income,sex,race,zip,label\n");
    let mut s2 = 7u64;
    for i in 0..20_000 {
        if i % 20 == 0 {
            writeln!(r, "{}", rows[i * 7]).unwrap();
        } else {
            writeln!(r, "{}", row(N + i, &mut s2)).unwrap();
        }
    }
    let (c, rf) = (dir.join("current.csv"), dir.join("reference.csv"));
    std::fs::write(&c, cur).unwrap();
    std::fs::write(&rf, r).unwrap();
    (c, rf)
}

fn report(c: &std::path::Path, r: &std::path::Path, sketch: Option<u16>) -> QualityReport {
    let t = Table::open(c, &ReadOptions::default()).unwrap();
    let rt = Table::open(r, &ReadOptions::default()).unwrap();
    let spec = QualitySpec {
        label: Some("label".into()),
        sensitive: vec!["sex".into(), "race".into()],
        key: vec!["id".into()],
        examples: 5,
        sketch,
        ..Default::default()
    };
    run_quality(&t, Some(&rt), &spec, None).unwrap()
}

/// The bounded run's distinct count (HyperLogLog's) within 4 of its standard errors of the exact.
fn assert_within_hll(exact: &ColumnReport, bounded: &ColumnReport) {
    let de = exact.distinct as f64;
    let se = bounded.distinct_sketch.relative_standard_error;
    assert!(
        (bounded.distinct as f64 - de).abs() <= 4.0 * se * de,
        "{}: {} vs {de} (se {se})",
        exact.name,
        bounded.distinct
    );
}

fn close(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => a == b,
    }
}

#[test]
fn bounded_mode_equals_exact_where_exact_and_keeps_its_bounds() {
    let d = tempfile::tempdir().unwrap();
    let (c, r) = write(d.path());
    let exact = report(&c, &r, None);
    let bounded = report(&c, &r, Some(1000));
    let e = serde_json::to_value(&exact).unwrap();
    let b = serde_json::to_value(&bounded).unwrap();

    // Dataset facts: identical (duplicates, keys, conflicts, leakage, label balance,
    // missingness by group, fingerprints), proxies apart.
    let (mut ed, mut bd) = (e["dataset"].clone(), b["dataset"].clone());
    let (ep, bp) = (ed["proxies"].take(), bd["proxies"].take());
    ed["score"] = Value::Null;
    bd["score"] = Value::Null;
    assert_eq!(ed, bd);
    assert!(exact.dataset.duplicates.extra_rows > 200);
    assert!(exact.dataset.conflicting_labels.as_ref().unwrap().rows > 200);
    assert!(exact.dataset.leakage.as_ref().unwrap().rows > 900);
    assert!(exact.dataset.duplicate_keys.as_ref().unwrap().extra_rows > 300);
    assert_eq!(exact.dataset.empty_rows, 2);
    // Proxies: the same measures; η equal up to rounding, no mutual information for numbers.
    let (ep, bp) = (ep.as_array().unwrap(), bp.as_array().unwrap());
    assert_eq!(ep.len(), bp.len());
    for (x, y) in ep.iter().zip(bp) {
        assert_eq!(
            (&x["feature"], &x["attribute"], &x["measure"]),
            (&y["feature"], &y["attribute"], &y["measure"])
        );
        assert!(close(&x["value"], &y["value"]), "{x} {y}");
        if x["measure"] == "correlation_ratio" {
            assert!(y["mutual_information"].is_null());
        } else {
            assert_eq!(x["mutual_information"], y["mutual_information"]);
        }
    }

    // Columns.
    for (ec, bc) in exact.columns.iter().zip(&bounded.columns) {
        let name = ec.name.as_str();
        let (mut x, mut y) = (
            serde_json::to_value(ec).unwrap(),
            serde_json::to_value(bc).unwrap(),
        );
        let info = y
            .as_object_mut()
            .unwrap()
            .remove("numeric_sketch")
            .unwrap_or(Value::Null);
        let (xn, yn) = (x["numeric"].take(), y["numeric"].take());
        match name {
            "income" => {
                // More distinct values than the exact limit: sketched.
                assert_eq!(info["exact"], false, "{info}");
                let eps = info["rank_error"].as_f64().unwrap();
                assert!(eps > 0.0 && eps < 0.005, "{eps}");
                let p = bc.numeric.as_ref().unwrap();
                let q = ec.numeric.as_ref().unwrap();
                assert_eq!((p.count, p.min, p.max), (q.count, q.min, q.max));
                assert!((p.mean - q.mean).abs() <= 1e-9 * q.mean.abs());
                let n = q.count as f64;
                let slack = 2.0 * eps * n + 1.0;
                assert!((p.iqr_outliers as f64 - q.iqr_outliers as f64).abs() <= slack);
                assert!(
                    (p.robust_z_outliers.unwrap() as f64 - q.robust_z_outliers.unwrap() as f64)
                        .abs()
                        <= slack
                );
                for ((_, a), (_, z)) in p.quantiles.iter().zip(&q.quantiles) {
                    // Within the values ε n ranks away.
                    assert!((a - z).abs() <= 0.05 * z.abs() + 1.0, "{a} {z}");
                }
                // The distinct count is HyperLogLog's.
                assert_eq!(y["distinct_exact"], false);
                assert_within_hll(ec, bc);
                for k in ["distinct", "distinct_exact", "top", "checks", "score"] {
                    x[k] = Value::Null;
                    y[k] = Value::Null;
                }
            }
            "id" => {
                // Beyond the tracked text values: HyperLogLog.
                assert!(info.is_null());
                assert_eq!(y["distinct_exact"], false);
                assert_within_hll(ec, bc);
                x["distinct"] = Value::Null;
                y["distinct"] = Value::Null;
            }
            "age" | "zip" | "label" => {
                // Few distinct values: counted exactly, so the profile equals the exact one
                // (mean and standard deviation up to rounding).
                assert_eq!(info["exact"], true, "{name}: {info}");
                for (k, v) in xn.as_object().unwrap() {
                    assert!(close(v, &yn[k]), "{name}.{k}: {v} vs {}", yn[k]);
                }
            }
            _ => assert!(info.is_null(), "{name}"),
        }
        assert_eq!(x, y, "column {name}");
    }
    // The sentinel is found in both.
    let age = &bounded.columns[1];
    assert_eq!(age.missing.suspected.len(), 1);
    assert_eq!(age.missing.suspected[0].value, "-999");

    // Checks: the same, with the same verdicts and values, except the sketched column's
    // outlier checks (values within the bound) and example rows of outliers (none kept).
    assert_eq!(exact.checks.len(), bounded.checks.len());
    for (x, y) in exact.checks.iter().zip(&bounded.checks) {
        assert_eq!(x.id, y.id);
        if x.id.starts_with("column.income.") {
            continue;
        }
        if x.id.contains("outliers") {
            assert_eq!((x.status, x.count), (y.status, y.count), "{}", x.id);
            assert!(y.examples.is_empty());
            continue;
        }
        if x.check == "proxy" || x.id == "column.id.high_cardinality" {
            assert_eq!(x.status, y.status, "{}", x.id);
            continue;
        }
        assert_eq!(
            serde_json::to_value(x).unwrap(),
            serde_json::to_value(y).unwrap(),
            "{}",
            x.id
        );
    }
}

#[test]
fn bounded_mode_rejects_nothing_the_exact_mode_reads() {
    // Header only, and one all-null column: the same reports.
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("h.csv");
    std::fs::write(&p, "a,b\n").unwrap();
    let q = d.path().join("n.csv");
    std::fs::write(&q, "a,b\n1,\n2,\n").unwrap();
    for f in [&p, &q] {
        let t = Table::open(f, &ReadOptions::default()).unwrap();
        let run = |sketch| {
            let spec = QualitySpec {
                examples: 5,
                sketch,
                ..Default::default()
            };
            serde_json::to_value(run_quality(&t, None, &spec, None).unwrap()).unwrap()
        };
        let (mut a, mut b) = (run(None), run(Some(200)));
        for c in b["columns"].as_array_mut().unwrap() {
            c.as_object_mut().unwrap().remove("numeric_sketch");
        }
        a["dataset"]["score"] = Value::Null;
        b["dataset"]["score"] = Value::Null;
        assert_eq!(a, b, "{}", f.display());
    }
}

#[test]
fn synth_written_in_chunks_equals_the_whole_table() {
    use fairgauge::source::InputFormat;
    use fairgauge::synth::{generate, write_synth, SynthOptions};
    // More rows than one written chunk (16 blocks of 65,536 rows).
    let o = SynthOptions {
        rows: 1_100_000,
        features: 1,
        ..Default::default()
    };
    let d = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        d.path().join("a.parquet"),
        d.path().join("b.parquet"),
        d.path().join("c.csv"),
    );
    write_synth(&o, &a, None).unwrap();
    fairgauge::write_table(&b, InputFormat::Parquet, generate(&o).unwrap()).unwrap();
    write_synth(&o, &c, None).unwrap();
    let fp = |p: &std::path::Path| {
        let t = Table::open(p, &ReadOptions::default()).unwrap();
        fairgauge::quality::dataset_fingerprints(&t).unwrap()
    };
    let (fa, fb, fc) = (fp(&a), fp(&b), fp(&c));
    assert_eq!(fa.rows, 1_100_000);
    assert_eq!(fa.fingerprints.content, fb.fingerprints.content);
    assert_eq!(fa.fingerprints.content, fc.fingerprints.content);
}

#[test]
fn failing_rows_skip_every_empty_row_in_the_bounded_mode_too() {
    use fairgauge::quality::write_failing_rows;
    use fairgauge::rules::RuleSet;
    // Eight empty rows (more than the five examples kept per check) and a not_null rule.
    let d = tempfile::tempdir().unwrap();
    let mut csv = String::from("a,b\n");
    for i in 0..40 {
        if i % 4 == 0 {
            csv.push_str(",\n");
        } else if i % 7 == 0 {
            csv.push_str(&format!("{i},\n"));
        } else {
            csv.push_str(&format!("{i},x{i}\n"));
        }
    }
    let data = d.path().join("t.csv");
    std::fs::write(&data, csv).unwrap();
    let rules = d.path().join("rules.toml");
    std::fs::write(&rules, "version = 1\n[columns.b]\nnot_null = true\n").unwrap();
    let t = Table::open(&data, &ReadOptions::default()).unwrap();
    let rows = |sketch| {
        let spec = QualitySpec {
            rules: Some(RuleSet::load(&rules).unwrap()),
            examples: 5,
            sketch,
            ..Default::default()
        };
        let r = run_quality(&t, None, &spec, None).unwrap();
        assert_eq!(r.dataset.empty_rows, 10);
        let out = d.path().join(format!("failing-{sketch:?}.csv"));
        let n = write_failing_rows(&t, &spec, &r, &out).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().count() as u64, 1 + n);
        text
    };
    let exact = rows(None);
    assert_eq!(exact.lines().count(), 1 + 4, "{exact}");
    assert_eq!(rows(Some(200)), exact);
}
