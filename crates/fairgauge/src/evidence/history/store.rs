//! Opening, checking, migrating and writing the history database.

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::evidence::document::{evidence_json, json_sha256, Evidence, Finding};
use crate::evidence::export::words::driving;
use crate::evidence::export::words::subject_text;
use crate::evidence::ledger::filed_head;
use crate::evidence::policy::Direction;

/// The schema version this fairgauge writes and reads.
pub const HISTORY_SCHEMA_VERSION: i64 = 2;

/// Schema version 1 (see the module documentation).
const SCHEMA_V1: &str = "
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    system_id TEXT NOT NULL,
    system_name TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    policy_sha256 TEXT NOT NULL,
    evidence_sha256 TEXT NOT NULL,
    ledger_seq INTEGER,
    ledger_head TEXT,
    overall TEXT NOT NULL
);
CREATE TABLE metrics (
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    finding_id TEXT NOT NULL,
    family TEXT NOT NULL,
    kind TEXT NOT NULL,
    metric TEXT NOT NULL,
    subject TEXT NOT NULL,
    attribute TEXT,
    group_name TEXT,
    reference_group TEXT,
    column_name TEXT,
    window_start TEXT,
    value REAL,
    lower REAL,
    upper REAL,
    n INTEGER,
    status TEXT NOT NULL,
    threshold_warn REAL,
    threshold_fail REAL,
    direction TEXT,
    risk_id TEXT,
    PRIMARY KEY (run_id, finding_id)
);
CREATE INDEX metrics_by_series ON metrics (family, metric, subject);
CREATE INDEX runs_by_time ON runs (system_id, finished_at);
";

/// Schema version 2: each run's risks (so a risk's life — first and last seen, trend, status —
/// can be told), the decisions people record on them (`fairgauge risk …`), and `metrics` keyed by
/// run, finding *and window* (a `monitor` run records each window's measurements; version 1's
/// primary key had no window), indexed by finding for a series' trend. The `metrics` table is
/// rebuilt with every row kept.
const SCHEMA_V2: &str = "
CREATE TABLE metrics_v2 (
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    finding_id TEXT NOT NULL,
    family TEXT NOT NULL,
    kind TEXT NOT NULL,
    metric TEXT NOT NULL,
    subject TEXT NOT NULL,
    attribute TEXT,
    group_name TEXT,
    reference_group TEXT,
    column_name TEXT,
    window_start TEXT,
    value REAL,
    lower REAL,
    upper REAL,
    n INTEGER,
    status TEXT NOT NULL,
    threshold_warn REAL,
    threshold_fail REAL,
    direction TEXT,
    risk_id TEXT
);
INSERT INTO metrics_v2 SELECT run_id, finding_id, family, kind, metric, subject, attribute,
    group_name, reference_group, column_name, window_start, value, lower, upper, n, status,
    threshold_warn, threshold_fail, direction, risk_id FROM metrics;
DROP TABLE metrics;
ALTER TABLE metrics_v2 RENAME TO metrics;
CREATE UNIQUE INDEX metrics_key ON metrics (run_id, finding_id, ifnull(window_start, ''));
CREATE INDEX metrics_by_series ON metrics (family, metric, subject);
CREATE INDEX metrics_by_finding ON metrics (finding_id);
CREATE TABLE risks (
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    risk_id TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    score INTEGER NOT NULL,
    rating TEXT NOT NULL,
    status TEXT NOT NULL,
    life_status TEXT,
    metric TEXT,
    value REAL,
    risk_json TEXT NOT NULL,
    PRIMARY KEY (run_id, risk_id)
);
CREATE TABLE decisions (
    decision_id INTEGER PRIMARY KEY AUTOINCREMENT,
    risk_id TEXT NOT NULL,
    system_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    review_date TEXT
);
CREATE INDEX decisions_by_risk ON decisions (risk_id);
";

/// Records the run of the evidence `e` (as written: its digest is taken over
/// [`evidence_json`]`(e)`) and every finding's measurement in the history database at `path`,
/// creating it when missing. Returns the number of metrics written.
pub fn record_run(path: &Path, e: &Evidence) -> Result<usize> {
    write_run(path, &e.run.id, |tx| insert_run(tx, e))
}

/// A monitoring run (`monitor --history`): its record and each window's findings.
#[derive(Debug, Clone)]
pub struct WindowedRun {
    /// The run's id.
    pub run_id: String,
    /// The system, as in the policy.
    pub system: crate::evidence::document::System,
    /// Start and end, RFC 3339.
    pub started_at: String,
    /// End, RFC 3339.
    pub finished_at: String,
    /// The policy's digest.
    pub policy_sha256: String,
    /// `sha256:` of the monitoring report as JSON.
    pub report_sha256: String,
    /// The worst status of the monitored windows.
    pub overall: String,
    /// Each window's findings: the window's start, its rows, the finding.
    pub windows: Vec<(String, u64, Vec<Finding>)>,
}

/// Records a monitoring run: one run, and each window's findings with the window's start and
/// its rows as `n`. Returns the number of metrics written.
pub fn record_windows(path: &Path, run: &WindowedRun) -> Result<usize> {
    write_run(path, &run.run_id, |tx| {
        tx.execute(
            "INSERT INTO runs (run_id, system_id, system_name, started_at, finished_at, \
             tool_version, policy_sha256, evidence_sha256, ledger_seq, ledger_head, overall) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL, ?9)",
            params![
                run.run_id,
                run.system.id,
                run.system.name,
                run.started_at,
                run.finished_at,
                env!("CARGO_PKG_VERSION"),
                run.policy_sha256,
                run.report_sha256,
                run.overall,
            ],
        )?;
        let mut n = 0;
        for (start, rows, findings) in &run.windows {
            n += insert_metrics(tx, &run.run_id, findings, Some((start, *rows)))?;
        }
        Ok(n)
    })
}

/// Writes one run with `insert` in one immediate transaction, creating and migrating the
/// database as needed.
fn write_run(
    path: &Path,
    run_id: &str,
    insert: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<usize>,
) -> Result<usize> {
    let err = |message: String| history_err(path, message);
    let db = |what: &str, x: rusqlite::Error| sqlite_err(path, what, x);
    let (mut conn, _) = open_checked(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    )?;
    switch_to_wal(&conn).map_err(|x| db("cannot switch to WAL mode", x))?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|x| db("cannot start a transaction", x))?;
    migrate(&tx).map_err(|x| db("cannot create the schema", x))?;
    let n = insert(&tx).map_err(|x| match x {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            err(format!("run {run_id} is already recorded"))
        }
        x => db("cannot write the run", x),
    })?;
    tx.commit().map_err(|x| db("cannot commit the run", x))?;
    Ok(n)
}

/// Refuses a newer schema, and a database of someone else's tables.
fn check_version(version: i64, tables: i64) -> std::result::Result<(), String> {
    if version > HISTORY_SCHEMA_VERSION {
        return Err(format!(
            "was written by a newer fairgauge (history schema {version}; this version reads up \
             to {HISTORY_SCHEMA_VERSION}): upgrade fairgauge, or give another file"
        ));
    }
    if version == 0 && tables > 0 {
        return Err(
            "is a SQLite database with other tables, not a fairgauge history; it is left as it \
             is"
            .into(),
        );
    }
    Ok(())
}

/// Brings the schema to [`HISTORY_SCHEMA_VERSION`], inside the writing transaction (a
/// concurrent first writer waits, then finds it done). Each future version adds one step here.
pub(super) fn migrate(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version < 1 {
        tx.execute_batch(SCHEMA_V1)?;
        tx.pragma_update(None, "user_version", 1)?;
    }
    if version < 2 {
        tx.execute_batch(SCHEMA_V2)?;
        tx.pragma_update(None, "user_version", 2)?;
    }
    Ok(())
}

fn insert_run(tx: &Transaction<'_>, e: &Evidence) -> rusqlite::Result<usize> {
    let digest = json_sha256(&evidence_json(e));
    let head = filed_head(e);
    tx.execute(
        "INSERT INTO runs (run_id, system_id, system_name, started_at, finished_at, \
         tool_version, policy_sha256, evidence_sha256, ledger_seq, ledger_head, overall) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            e.run.id,
            e.system.id,
            e.system.name,
            e.run.started_at,
            e.run.finished_at,
            e.run.tool_version,
            e.run.policy_sha256,
            digest,
            head.as_ref().map(|h| h.0 as i64),
            head.as_ref().map(|h| h.1.clone()),
            e.summary.overall.as_str(),
        ],
    )?;
    insert_metrics(tx, &e.run.id, &e.findings, None)?;
    insert_risks(tx, e)?;
    Ok(e.findings.len())
}

/// The findings' measurements, of a whole-table run or of one window (its start and rows).
fn insert_metrics(
    tx: &Transaction<'_>,
    run_id: &str,
    findings: &[Finding],
    window: Option<(&String, u64)>,
) -> rusqlite::Result<usize> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO metrics (run_id, finding_id, family, kind, metric, subject, attribute, \
         group_name, reference_group, column_name, window_start, value, lower, upper, n, status, \
         threshold_warn, threshold_fail, direction, risk_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
         ?18, ?19, ?20)",
    )?;
    for f in findings {
        insert.execute(params![
            run_id,
            f.id,
            f.family(),
            f.kind,
            f.metric,
            subject_text(&f.subject),
            f.subject.attribute,
            f.subject.group,
            f.subject.reference_group,
            f.subject.column,
            window.map(|w| w.0),
            finite(f.value),
            finite(f.interval.map(|i| i[0])),
            finite(f.interval.map(|i| i[1])),
            window.map(|w| w.1 as i64),
            f.status.as_str(),
            f.threshold.as_ref().map(|t| t.warn),
            f.threshold.as_ref().map(|t| t.fail),
            f.threshold.as_ref().map(|t| match t.direction {
                Direction::Above => "above",
                Direction::Below => "below",
            }),
            f.risk_id,
        ])?;
    }
    Ok(findings.len())
}

/// The run's risks (not the resolved ones: a risk's runs are the runs that saw it), each with
/// its driving metric and the whole entry as JSON.
fn insert_risks(tx: &Transaction<'_>, e: &Evidence) -> rusqlite::Result<()> {
    let mut insert = tx.prepare(
        "INSERT INTO risks (run_id, risk_id, title, category, score, rating, status, \
         life_status, metric, value, risk_json) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for r in &e.risks {
        let driver = driving(&e.findings, r);
        let json = serde_json::to_string(r).unwrap_or_default();
        insert.execute(params![
            e.run.id,
            r.id,
            r.title,
            r.category.as_str(),
            r.score,
            r.rating.as_str(),
            r.status,
            r.life.as_ref().map(|l| l.status.clone()),
            driver.map(|f| f.metric.clone()),
            finite(driver.and_then(|f| f.value)),
            json,
        ])?;
    }
    Ok(())
}

/// A value SQLite can hold as a REAL: it has no NaN, which is stored as NULL (±∞ are kept).
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| !x.is_nan())
}

/// Puts the database in WAL mode (it stays so). The switch needs an exclusive lock, and SQLite
/// answers "busy" at once, without the busy timeout, when two new writers ask for it together
/// (each holds a shared lock and would wait for the other's); so a busy answer is retried for up
/// to the busy timeout. Once one writer has switched, the others find WAL already set.
pub(super) fn switch_to_wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(f, m))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                if std::time::Instant::now() >= deadline {
                    return Err(rusqlite::Error::SqliteFailure(f, m));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(x) => return Err(x),
        }
    }
}

/// Opens the history at `path` with `flags` and checks that it is fairgauge's: a directory, a
/// file that is not a SQLite database, a database of other tables and one from a newer
/// fairgauge are refused, and left as they are. Returns the connection and the schema version
/// (0: a new, empty database).
pub(super) fn open_checked(path: &Path, flags: OpenFlags) -> Result<(Connection, i64)> {
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(history_err(
            path,
            "is a directory, expected a history database".into(),
        ));
    }
    let db = |what: &str, x: rusqlite::Error| sqlite_err(path, what, x);
    let conn = Connection::open_with_flags(path, flags).map_err(|x| db("cannot open", x))?;
    conn.busy_timeout(Duration::from_secs(60))
        .map_err(|x| db("cannot set a busy timeout", x))?;
    // Reading the schema first: a file that is not a database fails here, unchanged.
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|x| db("cannot read the database", x))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|x| db("cannot read the schema version", x))?;
    check_version(version, tables).map_err(|m| history_err(path, m))?;
    Ok((conn, version))
}

/// Opens an existing history read-only (see [`open_checked`]); a missing or empty one is an
/// error.
pub(super) fn open_read(path: &Path) -> Result<Connection> {
    if let Err(e) = std::fs::metadata(path) {
        return Err(history_err(path, format!("cannot open: {e}")));
    }
    let (conn, version) = open_checked(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    if version == 0 {
        return Err(history_err(
            path,
            "is empty: no run has been recorded in it".into(),
        ));
    }
    Ok(conn)
}

pub(super) fn history_err(path: &Path, message: String) -> Error {
    Error::History {
        path: path.to_path_buf(),
        message,
    }
}

/// A SQLite error while doing `what`, saying the file was not changed.
pub(super) fn sqlite_err(path: &Path, what: &str, x: rusqlite::Error) -> Error {
    history_err(
        path,
        format!("{what}: {x} (the file is left as it is; is it a fairgauge history database?)"),
    )
}
