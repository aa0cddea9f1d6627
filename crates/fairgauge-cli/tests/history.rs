//! `assess --history FILE.db`: each run and every finding's measurement in SQLite, equal to the
//! evidence; concurrent writers lose nothing; a newer schema, a file that is not a database and a
//! database of other tables are refused and left as they are.

mod common;

use common::*;
use rusqlite::Connection;
use serde_json::Value;

/// 400 rows, two groups with different selection rates.
fn data_csv() -> String {
    let mut s = String::from("y,p,g\n");
    for i in 0..400 {
        let (y, g) = (i % 2, if i % 4 < 2 { "a" } else { "b" });
        let p = if g == "a" {
            y
        } else {
            u8::from(i % 8 < 2) as i32
        };
        s.push_str(&format!("{y},{p},{g}\n"));
    }
    s
}

/// `assess` of `data` writing `evidence` and recording into the history `db`.
fn assess_args(data: &str, db: &str, evidence: &str) -> Vec<String> {
    [
        "assess",
        "--current",
        data,
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
        "--output",
        evidence,
        "--history",
        db,
    ]
    .map(String::from)
    .to_vec()
}

fn assess(data: &str, db: &str, evidence: &str) -> std::process::Output {
    bin()
        .args(assess_args(data, db, evidence))
        .output()
        .unwrap()
}

#[test]
fn each_run_and_its_findings_are_recorded() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_string_lossy().into_owned();
    let data = write(&d, "d.csv", &data_csv());
    for i in 1..=2 {
        let o = assess(&data, &p("h.db"), &p(&format!("e{i}.json")));
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    }
    let db = Connection::open(p("h.db")).unwrap();
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, fairgauge::history::HISTORY_SCHEMA_VERSION);
    let mode: String = db
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    for i in 1..=2 {
        let text = std::fs::read_to_string(p(&format!("e{i}.json"))).unwrap();
        let e: Value = serde_json::from_str(&text).unwrap();
        let run_id = e["run"]["id"].as_str().unwrap();
        let (digest, overall): (String, String) = db
            .query_row(
                "SELECT evidence_sha256, overall FROM runs WHERE run_id = ?1",
                [run_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let want = fairgauge::core::fingerprint::sha256_reader(text.as_bytes()).unwrap();
        assert_eq!(digest, want, "the digest of the evidence as written");
        assert_eq!(overall, e["summary"]["overall"].as_str().unwrap());
        let findings = e["findings"].as_array().unwrap();
        let n: i64 = db
            .query_row(
                "SELECT count(*) FROM metrics WHERE run_id = ?1",
                [run_id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n as usize, findings.len());
        // Every finding's value, interval and status, as in the evidence.
        for f in findings {
            let (family, value, lower, status): (String, Option<f64>, Option<f64>, String) = db
                .query_row(
                    "SELECT family, value, lower, status FROM metrics \
                     WHERE run_id = ?1 AND finding_id = ?2",
                    [run_id, f["id"].as_str().unwrap()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .unwrap();
            assert!(f["kind"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{family}.")));
            assert_eq!(value, f["value"].as_f64(), "{f}");
            assert_eq!(lower, f["interval"][0].as_f64(), "{f}");
            assert_eq!(status, f["status"].as_str().unwrap());
        }
    }
    // One series across the two runs: the same finding id, two values.
    let series: i64 = db
        .query_row(
            "SELECT count(*) FROM metrics WHERE metric = 'selection_rate_ratio' \
             GROUP BY finding_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(series, 2);
}

#[test]
fn concurrent_writers_lose_nothing() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_string_lossy().into_owned();
    let data = write(&d, "d.csv", &data_csv());
    let children: Vec<_> = (0..4)
        .map(|i| {
            bin()
                .args(assess_args(&data, &p("h.db"), &p(&format!("e{i}.json"))))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    }
    let db = Connection::open(p("h.db")).unwrap();
    let runs: i64 = db
        .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 4);
    let per_run: Vec<i64> = db
        .prepare("SELECT count(*) FROM metrics GROUP BY run_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(per_run.len(), 4);
    assert!(
        per_run.iter().all(|&n| n == per_run[0] && n > 0),
        "{per_run:?}"
    );
}

#[test]
fn newer_foreign_and_corrupt_databases_are_refused_untouched() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_string_lossy().into_owned();
    let data = write(&d, "d.csv", &data_csv());
    let newer = p("newer.db");
    Connection::open(&newer)
        .unwrap()
        .execute_batch("CREATE TABLE runs (x); PRAGMA user_version = 3;")
        .unwrap();
    let foreign = p("foreign.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE customers (name TEXT);")
        .unwrap();
    let corrupt = write(&d, "corrupt.db", &"not a database ".repeat(300));
    for (db, needle) in [
        (newer, "newer fairgauge (history schema 3"),
        (foreign, "not a fairgauge history"),
        (corrupt, "left as it is"),
    ] {
        let before = std::fs::read(&db).unwrap();
        let o = assess(&data, &db, &p("e.json"));
        assert_eq!(o.status.code(), Some(2), "{db}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{db}: {}", stderr(&o));
        assert!(stderr(&o).contains(&db), "names the file: {}", stderr(&o));
        assert_eq!(std::fs::read(&db).unwrap(), before, "{db} was changed");
    }
}

#[test]
fn history_list_show_and_export() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_string_lossy().into_owned();
    let data = write(&d, "d.csv", &data_csv());
    for i in 1..=2 {
        let o = assess(&data, &p("h.db"), &p(&format!("e{i}.json")));
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    }
    let e2: Value = serde_json::from_str(&std::fs::read_to_string(p("e2.json")).unwrap()).unwrap();
    let run2 = e2["run"]["id"].as_str().unwrap();
    // list: both runs, oldest first, with their metric counts.
    let runs = json(&["history", "list", &p("h.db"), "--format", "json"]);
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1]["run_id"], run2);
    assert_eq!(runs[1]["metrics"], e2["findings"].as_array().unwrap().len());
    let o = run(&["history", "list", &p("h.db")]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains(run2), "{text}");
    // show: the run's measurements, as in the evidence.
    let shown = json(&["history", "show", &p("h.db"), run2, "--format", "json"]);
    let shown = shown.as_array().unwrap();
    assert_eq!(shown.len(), e2["findings"].as_array().unwrap().len());
    for f in e2["findings"].as_array().unwrap() {
        let m = shown.iter().find(|m| m["finding_id"] == f["id"]).unwrap();
        assert_eq!(m["value"], f["value"], "{f}");
        assert_eq!(m["status"], f["status"]);
    }
    fails_with(
        &["history", "show", &p("h.db"), "nope"],
        &["has no run `nope`"],
    );
    // export: CSV with every measurement of both runs.
    let o = run(&[
        "history",
        "export",
        &p("h.db"),
        "--format",
        "csv",
        "-o",
        &p("m.csv"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = std::fs::read_to_string(p("m.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        fairgauge::history::METRIC_COLUMNS.join(",")
    );
    let total: usize = runs
        .iter()
        .map(|r| r["metrics"].as_u64().unwrap() as usize)
        .sum();
    assert_eq!(lines.count(), total);
    let o = run(&[
        "history",
        "export",
        &p("h.db"),
        "--format",
        "parquet",
        "-o",
        &p("m.parquet"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The Parquet file reads back (through fairgauge's own reader) with every row.
    let q = json(&["quality", &p("m.parquet"), "--format", "json"]);
    assert_eq!(q["dataset"]["rows"].as_u64().unwrap() as usize, total);
    // A missing history, and a directory, are errors naming them.
    fails_with(
        &["history", "list", &p("none.db")],
        &["none.db", "cannot open"],
    );
    fails_with(
        &["history", "list", d.path().to_str().unwrap()],
        &["is a directory"],
    );
}
