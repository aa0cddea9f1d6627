//! `assess --history` judges a run against the system's earlier runs: anomaly findings by the
//! policy's rules (checked by hand), each risk's life across runs, decisions recorded with
//! `fairgauge risk …` carried by later evidence; a schema-1 history is migrated and its runs
//! still count.

mod common;

use common::*;
use rusqlite::Connection;
use serde_json::Value;

/// 200 rows: `y`, `p` (group `b` selected less often), `g`, and `x` with `missing` empty cells.
fn data(missing: usize) -> String {
    let mut s = String::from("y,p,g,x\n");
    for i in 0..200 {
        let (y, g) = (i % 2, if i % 4 < 2 { "a" } else { "b" });
        let p = if g == "a" { y } else { i32::from(i % 8 < 2) };
        let x = if (i as usize) < missing {
            String::new()
        } else {
            format!("{}", i % 7)
        };
        s.push_str(&format!("{y},{p},{g},{x}\n"));
    }
    s
}

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

fn findings_of<'a>(e: &'a Value, kind: &str) -> Vec<&'a Value> {
    e["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .collect()
}

#[test]
fn absolute_change_anomalies_by_hand() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("h.db").to_string_lossy().into_owned();
    let policy = write(
        &d,
        "p.toml",
        "version = 1\n[[history.anomaly]]\nmetric = \"quality.missing\"\nrule = \"absolute_change\"\n\
         limit = 0.05\nseverity = \"fail\"\n",
    );
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
    let r2 = e2["risks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
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
    let r3 = e3["risks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
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
    assert!(row.ends_with(",known,2999-12-31,true"), "{row}");

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
    let r4 = e4["risks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
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
    let resolved = e5["resolved_risks"].as_array().unwrap();
    let gone = resolved.iter().find(|r| r["id"] == id.as_str()).unwrap();
    assert_eq!(gone["life"]["status"], "resolved");
    assert_eq!(gone["life"]["runs_seen"], 4);
    assert_eq!(gone["life"]["last_seen"], e4["run"]["finished_at"]);
    let list = run(&["risk", "list", "--history", &db, "--format", "json"]);
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["risk_id"] == id.as_str())
        .unwrap();
    assert_eq!(row["state"], "resolved");
    assert_eq!(row["runs_seen"], 4);
    assert_eq!(row["decision"]["decided_by"], "Bo");
}

#[test]
fn a_schema_1_history_is_migrated_and_its_runs_count() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("h.db").to_string_lossy().into_owned();
    let file = write(&d, "d.csv", &data(0));
    let (_, e1) = assess(&d, &file, &db, None);
    // Make it what fairgauge wrote before schema 2.
    Connection::open(&db)
        .unwrap()
        .execute_batch(
            "DROP TABLE risks; DROP TABLE decisions; DROP INDEX metrics_by_run; \
             PRAGMA user_version = 1;",
        )
        .unwrap();
    let (_, e2) = assess(&d, &file, &db, None);
    let conn = Connection::open(&db).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2);
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
