//! The history on a PostgreSQL server (`--history postgresql://…`): the same runs, anomalies,
//! risks and decisions as the SQLite file, read back the same; concurrent first writers lose
//! nothing; a newer schema and a database of other tables are refused untouched; an unreachable
//! server is a clear error within seconds, its password never shown.
//!
//! The server tests need `FAIRGAUGE_POSTGRES_URL`: a server URL without a database
//! (`postgresql://user:password@host:port`) whose user may create databases; each test makes a
//! database of its own there. Without it they are skipped, unless `FAIRGAUGE_REQUIRE_POSTGRES=1`
//! (CI: `.ci/run` installs and starts a server), which makes a missing server a failure.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// A new, empty database on the test server, as a URL; `None` (the test is skipped) when no
/// server is configured.
fn fresh_database(name: &str) -> Option<String> {
    let Ok(base) = std::env::var("FAIRGAUGE_POSTGRES_URL") else {
        assert!(
            std::env::var("FAIRGAUGE_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "FAIRGAUGE_REQUIRE_POSTGRES=1 but FAIRGAUGE_POSTGRES_URL is not set"
        );
        eprintln!("skipped: FAIRGAUGE_POSTGRES_URL is not set");
        return None;
    };
    let base = base.trim_end_matches('/');
    let db = format!("fg_{name}_{}", std::process::id());
    let mut admin = postgres::Client::connect(&format!("{base}/postgres"), postgres::NoTls)
        .expect("connect to the test server (FAIRGAUGE_POSTGRES_URL)");
    // One statement each: CREATE DATABASE cannot run inside a (multi-statement) transaction.
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    Some(format!("{base}/{db}"))
}

/// `assess` of `data` with the test roles and `policy`, recording into `db`, writing `out`.
fn run_assess(data: &str, db: &str, policy: &str, out: &str) -> std::process::Output {
    let mut args = vec![
        "assess",
        "--current",
        data,
        "--label",
        "y",
        "--prediction",
        "p",
    ];
    args.extend(["--sensitive", "g", "--history", db, "--output", out]);
    if !policy.is_empty() {
        args.extend(["--policy", policy]);
    }
    run(&args)
}

/// [`run_assess`], which must succeed; the evidence.
fn assess(data: &str, db: &str, policy: &str, out: &str) -> Value {
    let o = run_assess(data, db, policy, out);
    assert!(o.status.code().unwrap() < 2, "{}", stderr(&o));
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// The evidence without what differs between two runs of the same data (ids, times, digests).
fn comparable(mut e: Value) -> Value {
    e["run"] = Value::Null;
    if let Some(h) = e["results"].get_mut("history") {
        h["runs"] = Value::Null;
    }
    let text = serde_json::to_string(&e).unwrap();
    let times = regex::Regex::new(r"\d{4}-\d\d-\d\dT[0-9:.]+Z").unwrap();
    serde_json::from_str(&times.replace_all(&text, "T")).unwrap()
}

/// `history export` as CSV without the run id and time columns (the rest is the measurements).
fn export(db: &str, dir: &tempfile::TempDir, name: &str) -> Vec<String> {
    let path = dir.path().join(name).to_string_lossy().into_owned();
    let o = run(&["history", "export", db, "--format", "csv", "-o", &path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| l.split(',').skip(2).collect::<Vec<_>>().join(","))
        .collect()
}

#[test]
fn postgres_keeps_the_same_history_as_sqlite() {
    let Some(url) = fresh_database("same") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("h.db").to_string_lossy().into_owned();
    let policy = write(&d, "p.toml", MISSING_ANOMALY_POLICY);
    // Missing shares 2 %, 20 % (an anomaly against the run before), then a decision, then 20 %.
    for (i, missing) in [4, 40, 40].into_iter().enumerate() {
        if i == 2 {
            for db in [&url, &file] {
                let risks = json(&["risk", "list", "--history", db, "--format", "json"]);
                let id = risks[0]["risk_id"].as_str().unwrap().to_string();
                let o = run(&[
                    "risk",
                    "accept",
                    &id,
                    "--history",
                    db,
                    "--by",
                    "Ana",
                    "--reason",
                    "known",
                    "--until",
                    "2999-12-31",
                ]);
                assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            }
        }
        let csv = write(&d, "d.csv", &data(missing));
        let on_pg = assess(
            &csv,
            &url,
            &policy,
            &d.path().join("pg.json").to_string_lossy(),
        );
        let on_file = assess(
            &csv,
            &file,
            &policy,
            &d.path().join("f.json").to_string_lossy(),
        );
        assert_eq!(on_pg["results"]["history"]["earlier_runs"], i);
        assert_eq!(comparable(on_pg), comparable(on_file), "run {i}");
    }
    // Read back the same: the runs, every measurement, the register with its decision.
    let runs = json(&["history", "list", &url, "--format", "json"]);
    assert_eq!(runs.as_array().unwrap().len(), 3);
    assert_eq!(export(&url, &d, "pg.csv"), export(&file, &d, "f.csv"));
    let register = |db: &str| {
        let mut r = json(&["risk", "list", "--history", db, "--format", "json"]);
        for row in r.as_array_mut().unwrap() {
            for k in ["first_seen", "last_seen"] {
                row[k] = Value::Null;
            }
            row["decision"]["decided_at"] = Value::Null;
        }
        r
    };
    let on_pg = register(&url);
    assert_eq!(on_pg, register(&file));
    assert_eq!(on_pg[0]["decision"]["decision"], "accept", "{on_pg}");
    // A series' trend reads the same values in the same order.
    let finding = runs[2]["run_id"].as_str().unwrap();
    let shown = json(&["history", "show", &url, finding, "--format", "json"]);
    let id = shown[0]["finding_id"].as_str().unwrap();
    let values = |db: &str| {
        json(&["history", "trend", db, id, "--format", "json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["value"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&url), values(&file));
}

#[test]
fn concurrent_first_writers_lose_nothing() {
    let Some(url) = fresh_database("concurrent") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let csv = write(&d, "d.csv", &data(4));
    let policy = write(&d, "p.toml", "version = 1\n");
    // Four writers at once on an empty database: the first creates the schema, the others wait.
    let children: Vec<_> = (0..4)
        .map(|i| {
            let out = d.path().join(format!("e{i}.json"));
            bin()
                .args([
                    "assess",
                    "--current",
                    &csv,
                    "--label",
                    "y",
                    "--prediction",
                    "p",
                ])
                .args(["--sensitive", "g", "--policy", &policy, "--history", &url])
                .arg("--output")
                .arg(out)
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
    let runs = json(&["history", "list", &url, "--format", "json"]);
    let counts: Vec<u64> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["metrics"].as_u64().unwrap())
        .collect();
    assert_eq!(counts.len(), 4, "{runs}");
    assert!(
        counts.iter().all(|&n| n == counts[0] && n > 0),
        "{counts:?}"
    );
}

#[test]
fn newer_and_foreign_databases_are_refused_untouched() {
    let (Some(newer), Some(foreign)) = (fresh_database("newer"), fresh_database("foreign")) else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let csv = write(&d, "d.csv", &data(4));
    let policy = write(&d, "p.toml", "version = 1\n");
    let connect = |url: &str| postgres::Client::connect(url, postgres::NoTls).unwrap();
    connect(&newer)
        .batch_execute(
            "CREATE TABLE fairgauge_schema (version BIGINT NOT NULL); \
             INSERT INTO fairgauge_schema VALUES (3); CREATE TABLE runs (x TEXT)",
        )
        .unwrap();
    connect(&foreign)
        .batch_execute("CREATE TABLE customers (name TEXT)")
        .unwrap();
    let tables = |url: &str| -> Vec<String> {
        connect(url)
            .query(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    for (url, needle) in [
        (&newer, "newer fairgauge (history schema 3"),
        (&foreign, "not a fairgauge history"),
    ] {
        let before = tables(url);
        let out = d.path().join("e.json").to_string_lossy().into_owned();
        let o = run_assess(&csv, url, &policy, &out);
        assert_eq!(o.status.code(), Some(2), "{url}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{url}: {}", stderr(&o));
        assert_eq!(tables(url), before, "{url} was changed");
    }
}

#[test]
fn an_unreachable_server_is_a_clear_error_within_seconds() {
    let d = tempfile::tempdir().unwrap();
    let csv = write(&d, "d.csv", &data(4));
    let out = d.path().join("e.json").to_string_lossy().into_owned();
    // A closed port (refused at once) and an address nothing answers (the 5 s connect timeout).
    for url in [
        "postgresql://ana:s3cret@127.0.0.1:1/fairgauge",
        "postgresql://ana:s3cret@10.255.255.1:5432/fairgauge",
    ] {
        let started = Instant::now();
        let o = run_assess(&csv, url, "", &out);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{url}: {err}");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{url}: {:?}",
            started.elapsed()
        );
        assert!(
            err.contains("cannot connect to the PostgreSQL server"),
            "{err}"
        );
        assert!(err.contains("postgresql://ana:***@"), "{err}");
        assert!(!err.contains("s3cret"), "the password is shown: {err}");
        assert!(!std::path::Path::new(&out).exists(), "nothing written");
    }
    // `history list` of an unreachable server too.
    fails_with(
        &["history", "list", "postgresql://127.0.0.1:1/x"],
        &["cannot connect to the PostgreSQL server"],
    );
}

#[test]
fn monitor_windows_are_recorded_on_postgres_as_in_sqlite() {
    let Some(url) = fresh_database("monitor") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("m.db").to_string_lossy().into_owned();
    // Four weeks of 200 rows each (Mondays from 2026-01-05), more missing cells each week.
    let mut csv = String::from("date,y,p,g,x\n");
    for week in 0..4 {
        for line in data(week * 10).lines().skip(1) {
            csv.push_str(&format!("2026-01-{:02},{line}\n", 5 + 7 * week));
        }
    }
    let dated = write(&d, "dated.csv", &csv);
    for db in [&url, &file] {
        let o = run(&[
            "monitor",
            &dated,
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
            "--baseline",
            "2",
            "--history",
            db,
        ]);
        assert!(o.status.code().unwrap() < 2, "{}", stderr(&o));
    }
    let rows = export(&url, &d, "pg.csv");
    assert_eq!(rows, export(&file, &d, "f.csv"));
    // The header and each window's measurements, four windows in time order.
    let windows: std::collections::BTreeSet<&str> = rows[1..]
        .iter()
        .map(|r| r.split(',').nth(5).unwrap())
        .collect();
    assert_eq!(windows.len(), 4, "{windows:?}");
}

/// TLS as the URL's `sslmode` asks. The test server (`.ci/run`) has TLS on, with a certificate
/// for `localhost` signed by the authority `FAIRGAUGE_POSTGRES_TLS_CA` names, and a role
/// `tls_only` that `pg_hba.conf` admits over TLS only: a run that records as `tls_only` went
/// over TLS. Skipped without `FAIRGAUGE_POSTGRES_TLS_CA` (or required, as the other server tests).
#[test]
fn tls_connections_follow_sslmode_and_verify_the_certificate() {
    let Some(db) = fresh_database("tls") else {
        return;
    };
    let Ok(ca) = std::env::var("FAIRGAUGE_POSTGRES_TLS_CA") else {
        assert!(
            std::env::var("FAIRGAUGE_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "FAIRGAUGE_REQUIRE_POSTGRES=1 but FAIRGAUGE_POSTGRES_TLS_CA is not set"
        );
        eprintln!("skipped: FAIRGAUGE_POSTGRES_TLS_CA is not set");
        return;
    };
    let config: postgres::Config = db.parse().unwrap();
    let (port, name) = (
        config.get_ports()[0],
        config.get_dbname().unwrap().to_string(),
    );
    let mut admin = postgres::Client::connect(&db, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("ALTER DATABASE {name} OWNER TO tls_only"))
        .unwrap();
    let url =
        |host: &str, query: &str| format!("postgresql://tls_only@{host}:{port}/{name}{query}");
    let d = tempfile::tempdir().unwrap();
    let csv = write(&d, "d.csv", &data(4));
    let out = d.path().join("e.json").to_string_lossy().into_owned();
    let records = |u: &str| {
        let o = run_assess(&csv, u, "", &out);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{u}: {}",
            stderr(&o)
        );
    };
    let refused = |u: &str, why: &[&str]| {
        let o = run(&["history", "list", u]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{u} connected: {err}");
        assert!(why.iter().any(|w| err.contains(w)), "{u}: {err}");
    };
    // Without TLS the server turns `tls_only` away; with it (asked for, or preferred by
    // default), the run is recorded.
    refused(
        &url("127.0.0.1", "?sslmode=disable"),
        &["no encryption", "pg_hba.conf"],
    );
    records(&url("127.0.0.1", "?sslmode=require"));
    records(&url("127.0.0.1", ""));
    // The certificate names `localhost`, signed by the test authority.
    let root = format!("&sslrootcert={ca}");
    records(&url("localhost", &format!("?sslmode=verify-full{root}")));
    records(&url("127.0.0.1", &format!("?sslmode=verify-ca{root}")));
    refused(
        &url("127.0.0.1", &format!("?sslmode=verify-full{root}")),
        &["certificate", "NotValidForName"],
    );
    // The system's authorities did not sign it.
    refused(
        &url("localhost", "?sslmode=verify-full&sslrootcert=system"),
        &["certificate", "UnknownIssuer", "no trusted authority"],
    );
    let o = run(&[
        "history",
        "list",
        &url("localhost", &format!("?sslmode=require{root}")),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let runs: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(runs.as_array().map(Vec::len), Some(4), "{runs}");
}
