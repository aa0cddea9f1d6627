//! `assess --history` judges a run against the system's earlier runs: anomaly findings by the
//! policy's rules (checked by hand), each risk's life across runs, decisions recorded with
//! `fairgauge risk …` carried by later evidence; a schema-1 history is migrated and its runs
//! still count.

mod common;

use common::*;
use rusqlite::Connection;
use serde_json::Value;

/// `assess` of `data` recording into `db`, writing the evidence `out` (and the register
/// `out.csv`); returns the exit code and the evidence.
fn assess(d: &tempfile::TempDir, data: &str, db: &str, policy: Option<&str>) -> (i32, Value) {
    let out = d.path().join("e.json").to_string_lossy().into_owned();
    let register = d.path().join("e.csv").to_string_lossy().into_owned();
    let mut args = vec![
        "assess",
        "--current",
        data,
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
        "--history",
        db,
        "--output",
        &out,
        "--register",
        &register,
    ];
    if let Some(p) = policy {
        args.extend(["--policy", p]);
    }
    let o = run(&args);
    let code = o.status.code().unwrap();
    assert!(code < 2, "{}", stderr(&o));
    (
        code,
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap(),
    )
}

/// The entry of the list `list` whose `key` is `id`.
fn entry<'a>(list: &'a Value, key: &str, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|r| r[key] == id)
        .unwrap_or_else(|| panic!("no {key} {id} in {list}"))
}

fn findings_of<'a>(e: &'a Value, kind: &str) -> Vec<&'a Value> {
    e["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .collect()
}

/// The evidence carries the earlier values of the findings that warned, failed or changed
/// unusually (`results.history.series`), and the HTML report draws them over the runs.
#[test]
fn trends_over_runs_reach_the_evidence_and_the_report() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("h.db").to_string_lossy().into_owned();
    let policy = write(&d, "p.toml", MISSING_ANOMALY_POLICY);
    let html = d.path().join("r.html").to_string_lossy().into_owned();
    // Missing shares 2 %, 5 %, then 20 %: an anomaly against the run before.
    let mut e = Value::Null;
    for missing in [4, 10, 40] {
        let file = write(&d, "d.csv", &data(missing));
        let (_, got) = assess(&d, &file, &db, Some(&policy));
        e = got;
    }
    assert_eq!(findings_of(&e, "quality.anomaly").len(), 1);
    let history = &e["results"]["history"];
    let series = history["series"].as_array().unwrap();
    let missing = entry(&history["anomalies"], "rule", "absolute_change")["of"].clone();
    let s = series
        .iter()
        .find(|s| s["finding"] == missing)
        .unwrap_or_else(|| panic!("no series for {missing} in {series:?}"));
    let values: Vec<f64> = s["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, [4.0 / 200.0, 10.0 / 200.0], "{s}");
    assert_eq!(s["metric"], "missing");
    // Every series is of a finding of this run that warned or failed, now or before, or that
    // an anomaly was found for; a check that always passed has none.
    for s in series {
        let f = entry(&e["findings"], "id", s["finding"].as_str().unwrap());
        let statuses: Vec<&Value> = s["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| &p["status"])
            .chain([&f["status"]])
            .collect();
        assert!(
            s["finding"] == missing || statuses.iter().any(|x| *x == "warn" || *x == "fail"),
            "{s}"
        );
    }
    // The report: one chart per series, the anomalous run ringed.
    let o = run(&[
        "report",
        &d.path().join("e.json").to_string_lossy(),
        "--html",
        &html,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(&html).unwrap();
    let section = &page[page.find("id=\"history\"").expect("a trends section")..];
    let section = &section[..section.find("</section>").unwrap()];
    assert_eq!(
        section.matches("<figure>").count(),
        series.len(),
        "{section}"
    );
    assert!(section.contains("missing, x") && section.contains("this run: 20.0% (alert)"));
    // The risk table: each risk seen in more than one run has its score's sparkline.
    assert!(page.contains("class=\"spark\"") && page.contains("score over the runs: "));
}

#[test]
fn absolute_change_anomalies_by_hand() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("h.db").to_string_lossy().into_owned();
    let policy = write(&d, "p.toml", MISSING_ANOMALY_POLICY);
    let mut anomaly_ids = vec![];
    // Missing shares 2 %, 5 % (a change of 0.03: none), 20 % (0.15: one), 20 % (none).
    for (i, missing) in [4, 10, 40, 40].into_iter().enumerate() {
        let file = write(&d, &format!("d{i}.csv"), &data(missing));
        let (_, e) = assess(&d, &file, &db, Some(&policy));
        let anomalies = findings_of(&e, "quality.anomaly");
        let history = &e["results"]["history"];
        assert_eq!(history["earlier_runs"], i);
        if i != 2 {
            assert!(anomalies.is_empty(), "run {i}: {anomalies:?}");
            continue;
        }
        assert_eq!(anomalies.len(), 1, "{anomalies:?}");
        let a = anomalies[0];
        assert_eq!(a["status"], "fail");
        assert_eq!(a["metric"], "missing");
        assert_eq!(a["subject"]["column"], "x");
        assert_eq!(a["value"], 0.2);
        let judged = &history["anomalies"][0];
        assert_eq!(judged["rule"], "absolute_change");
        assert_eq!(judged["finding"], a["id"]);
        // Expected: the previous 0.05 ± 0.05.
        let lo = judged["expected"][0].as_f64().unwrap();
        let hi = judged["expected"][1].as_f64().unwrap();
        assert!(lo.abs() < 1e-15 && (hi - 0.1).abs() < 1e-15, "{judged}");
        let controls: Vec<&str> = a["controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        for c in [
            "ISO42001:9.1",
            "ISO42001:A.6.2.6",
            "NIST-AI-RMF:MEASURE-3.1",
            "NIST-AI-RMF:MANAGE-4.1",
        ] {
            assert!(controls.contains(&c), "{controls:?}");
        }
        // It feeds the risk of the finding it judges.
        let of = findings_of(&e, "quality.missing")
            .into_iter()
            .find(|f| f["id"] == judged["of"])
            .unwrap();
        assert_eq!(a["risk_id"], of["risk_id"]);
        assert!(a["risk_id"].is_string());
        anomaly_ids.push(a["id"].clone());
    }
    // The id is stable: the same anomaly in a fresh history has the same id.
    let d2 = tempfile::tempdir().unwrap();
    let db2 = d2.path().join("h.db").to_string_lossy().into_owned();
    for missing in [10, 40] {
        let file = write(&d2, "d.csv", &data(missing));
        let (_, e) = assess(&d2, &file, &db2, Some(&policy));
        if missing == 40 {
            assert_eq!(findings_of(&e, "quality.anomaly")[0]["id"], anomaly_ids[0]);
        }
    }
}

#[test]
fn risks_live_across_runs_and_decisions_reach_later_evidence() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("h.db").to_string_lossy().into_owned();
    let file = write(&d, "d.csv", &data(0));
    let (_, e1) = assess(&d, &file, &db, None);
    let risk = e1["risks"][0].clone();
    let id = risk["id"].as_str().unwrap().to_string();
    assert_eq!(risk["life"]["status"], "new");
    assert_eq!(risk["life"]["runs_seen"], 1);
    let (_, e2) = assess(&d, &file, &db, None);
    let r2 = entry(&e2["risks"], "id", &id);
    assert_eq!(r2["life"]["status"], "open", "same score");
    assert_eq!(r2["life"]["runs_seen"], 2);
    assert_eq!(r2["life"]["first_seen"], e1["run"]["finished_at"]);
    assert_eq!(r2["life"]["trend"].as_array().unwrap().len(), 2);

    // A decision: accepted until a review date.
    let o = run(&[
        "risk",
        "accept",
        &id,
        "--history",
        &db,
        "--by",
        "Ana",
        "--reason",
        "known",
        "--until",
        "2999-12-31",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (_, e3) = assess(&d, &file, &db, None);
    let r3 = entry(&e3["risks"], "id", &id);
    assert_eq!(r3["status"], "accepted");
    assert_eq!(r3["treatment"], "accept");
    let dec = &r3["life"]["decision"];
    assert_eq!(dec["decided_by"], "Ana");
    assert_eq!(dec["review_date"], "2999-12-31");
    assert_eq!(dec["in_force"], true);
    let register = std::fs::read_to_string(d.path().join("e.csv")).unwrap();
    let row = register.lines().find(|l| l.starts_with(&id)).unwrap();
    assert!(
        row.ends_with(",accept,Ana,") || row.contains(",accept,Ana,"),
        "{row}"
    );
    assert!(row.ends_with(",known,2999-12-31,true,"), "{row}");

    // An acceptance past its review date reopens the risk.
    Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO decisions (risk_id, system_id, decision, decided_by, reason, decided_at, \
             review_date) VALUES (?1, 'unnamed-system', 'accept', 'Bo', 'old', \
             '2020-01-01T00:00:00Z', '2020-06-30')",
            [&id],
        )
        .unwrap();
    let (_, e4) = assess(&d, &file, &db, None);
    let r4 = entry(&e4["risks"], "id", &id);
    assert_eq!(r4["status"], "open");
    assert_eq!(r4["treatment"], risk["treatment"]);
    assert_eq!(r4["life"]["decision"]["in_force"], false);

    // Bad decisions exit 2 and record nothing.
    let count = || -> i64 {
        Connection::open(&db)
            .unwrap()
            .query_row("SELECT count(*) FROM decisions", [], |r| r.get(0))
            .unwrap()
    };
    let before = count();
    for (args, needle) in [
        (vec!["R-000000000000"], "has no risk `R-000000000000`"),
        (vec![&id, "--until", "2001-01-01"], "before today"),
        (vec![&id, "--until", "soon"], "YYYY-MM-DD"),
    ] {
        let mut full = vec!["risk", "close"];
        full.extend(args.iter().copied());
        full.extend(["--history", &db, "--by", "x", "--reason", "y"]);
        fails_with(&full, &[needle]);
    }
    fails_with(
        &[
            "risk",
            "close",
            &id,
            "--history",
            &db,
            "--by",
            " ",
            "--reason",
            "y",
        ],
        &["--by"],
    );
    assert_eq!(count(), before);

    // Data without the disparity: the risk is resolved, listed as last seen.
    let fair = write(&d, "fair.csv", &data(0).replace(",0,b,", ",1,b,"));
    let mut fixed = String::from("y,p,g,x\n");
    for line in data(0).lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        fixed.push_str(&format!("{},{},{},{}\n", f[0], f[0], f[2], f[3]));
    }
    std::fs::write(&fair, fixed).unwrap();
    let (_, e5) = assess(&d, &fair, &db, None);
    let gone = entry(&e5["resolved_risks"], "id", &id);
    assert_eq!(gone["life"]["status"], "resolved");
    assert_eq!(gone["life"]["runs_seen"], 4);
    assert_eq!(gone["life"]["last_seen"], e4["run"]["finished_at"]);
    let list = run(&["risk", "list", "--history", &db, "--format", "json"]);
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    let row = entry(&list, "risk_id", &id);
    assert_eq!(row["state"], "resolved");
    assert_eq!(row["runs_seen"], 4);
    assert_eq!(row["decision"]["decided_by"], "Bo");
}

/// Turns a schema-2 history back into what fairgauge wrote under schema 1: `metrics` keyed by
/// run and finding only, no `risks` or `decisions`.
const SCHEMA_1_AGAIN: &str = "
CREATE TABLE m1 (
    run_id TEXT NOT NULL REFERENCES runs (run_id), finding_id TEXT NOT NULL,
    family TEXT NOT NULL, kind TEXT NOT NULL, metric TEXT NOT NULL, subject TEXT NOT NULL,
    attribute TEXT, group_name TEXT, reference_group TEXT, column_name TEXT, window_start TEXT,
    value REAL, lower REAL, upper REAL, n INTEGER, status TEXT NOT NULL, threshold_warn REAL,
    threshold_fail REAL, direction TEXT, risk_id TEXT, PRIMARY KEY (run_id, finding_id)
);
INSERT INTO m1 SELECT * FROM metrics;
DROP TABLE metrics;
ALTER TABLE m1 RENAME TO metrics;
CREATE INDEX metrics_by_series ON metrics (family, metric, subject);
DROP TABLE risks;
DROP TABLE decisions;
PRAGMA user_version = 1;
";

#[test]
fn a_schema_1_history_is_migrated_and_its_runs_count() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("h.db").to_string_lossy().into_owned();
    let file = write(&d, "d.csv", &data(0));
    let (_, e1) = assess(&d, &file, &db, None);
    // Make it what fairgauge wrote before schema 2.
    Connection::open(&db)
        .unwrap()
        .execute_batch(SCHEMA_1_AGAIN)
        .unwrap();
    let (_, e2) = assess(&d, &file, &db, None);
    let conn = Connection::open(&db).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2);
    // The rebuilt metrics table is keyed by window too, and indexed by finding.
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'metrics'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for i in ["metrics_key", "metrics_by_finding", "metrics_by_series"] {
        assert!(indexes.iter().any(|x| x == i), "{indexes:?}");
    }
    let kept: i64 = conn
        .query_row(
            "SELECT count(*) FROM metrics WHERE run_id = ?1",
            [e1["run"]["id"].as_str().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept as usize, e1["findings"].as_array().unwrap().len());
    let runs: i64 = conn
        .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 2);
    let risk = &e2["risks"][0];
    assert_eq!(risk["life"]["runs_seen"], 2);
    assert_eq!(risk["life"]["first_seen"], e1["run"]["finished_at"]);
    // The schema-1 run kept no score: the status cannot say worse or better.
    assert_eq!(risk["life"]["status"], "open");
    assert!(risk["life"]["trend"][0]["score"].is_null());
}

#[test]
fn bad_anomaly_rules_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let file = write(&d, "d.csv", &data(0));
    for (rule, needle) in [
        ("rule = \"absolute_change\"", "needs `limit`"),
        ("rule = \"median\"", "unknown rule `median`"),
        ("rule = \"mean_sd\"\nruns = 1", "at least 2"),
        ("rule = \"interval\"\nseverity = \"info\"", "severity"),
    ] {
        let policy = write(
            &d,
            "p.toml",
            &format!("version = 1\n[[history.anomaly]]\nmetric = \"*\"\n{rule}\n"),
        );
        fails_with(
            &["assess", "--current", &file, "--policy", &policy],
            &["history.anomaly[0]", needle],
        );
    }
}

#[test]
fn monitor_records_every_window_and_a_trend_reads_one_series() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("m.db").to_string_lossy().into_owned();
    let out = d.path().join("m.json").to_string_lossy().into_owned();
    // Six weeks of 200 rows each (Mondays from 2026-01-05).
    let mut csv = String::from("date,y,p,g,x\n");
    for week in 0..6 {
        for line in data(week * 3).lines().skip(1) {
            csv.push_str(&format!(
                "2026-{:02}-{:02},{line}\n",
                1 + (5 + 7 * week) / 31,
                (5 + 7 * week - 1) % 31 + 1
            ));
        }
    }
    let file = write(&d, "dated.csv", &csv);
    let o = run(&[
        "monitor",
        &file,
        "--time",
        "date",
        "--every",
        "week",
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
        "--history",
        &db,
        "--format",
        "json",
        "--output",
        &out,
    ]);
    assert!(o.status.code().unwrap() < 2, "{}", stderr(&o));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let windows = report["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 6);
    let conn = Connection::open(&db).unwrap();
    let (runs, with_window): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM runs), \
             (SELECT count(*) FROM metrics WHERE window_start IS NOT NULL)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(runs, 1);
    let findings: usize = windows
        .iter()
        .map(|w| w["findings"].as_array().unwrap().len())
        .sum();
    assert_eq!(with_window as usize, findings);
    // Each window's rows are the `n` of its measurements; the same check has the same id in
    // every window, so its trend has one row per window, in time order.
    let id = windows[0]["findings"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = run(&["history", "trend", &db, &id, "--format", "json"]);
    assert_eq!(t.status.code(), Some(0), "{}", stderr(&t));
    let trend: Value = serde_json::from_slice(&t.stdout).unwrap();
    let trend = trend.as_array().unwrap();
    assert_eq!(trend.len(), 6);
    for (row, w) in trend.iter().zip(windows) {
        assert_eq!(row["window_start"], w["start"]);
        assert_eq!(row["n"], w["rows"]);
        let f = w["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id.as_str())
            .unwrap();
        assert_eq!(row["value"], f["value"]);
    }
    fails_with(
        &["history", "trend", &db, "F-000000000000"],
        &["no measurement of finding `F-000000000000`"],
    );
    // Windows never feed an assess run's anomalies: only whole-table runs are its series.
    let plain = write(&d, "plain.csv", &data(30));
    let (_, e) = assess(&d, &plain, &db, None);
    assert_eq!(e["results"]["history"]["earlier_runs"], 1);
    assert_eq!(e["results"]["history"]["judged"], 0);
}
