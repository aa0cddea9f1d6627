//! Opening, checking, migrating and writing the history database.

use std::path::Path;

use rusqlite::OpenFlags;

use crate::error::{Error, Result};
use crate::evidence::document::{evidence_json, json_sha256, Evidence, Finding};
use crate::evidence::export::words::driving;
use crate::evidence::export::words::subject_text;
use crate::evidence::ledger::filed_head;
use crate::evidence::policy::Direction;

use super::db::{shown, step, Conn, DbError, DbResult, Location, Value, WriteError};

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

/// Schema version 2 on PostgreSQL: the same tables and columns in PostgreSQL's types (`BIGINT`,
/// `DOUBLE PRECISION`, `TEXT`), with `runs.rowid` keeping the order runs were recorded in (as
/// SQLite's `rowid` does) and text compared byte by byte (`COLLATE "C"`, as SQLite does, so
/// that runs, windows and findings sort the same on both). The version is kept in
/// `fairgauge_schema`. A PostgreSQL history
/// starts at version 2.
const SCHEMA_PG_V2: &str = r#"
CREATE TABLE runs (
    rowid BIGSERIAL UNIQUE,
    run_id TEXT COLLATE "C" PRIMARY KEY,
    system_id TEXT COLLATE "C" NOT NULL,
    system_name TEXT COLLATE "C" NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL,
    finished_at TEXT COLLATE "C" NOT NULL,
    tool_version TEXT COLLATE "C" NOT NULL,
    policy_sha256 TEXT COLLATE "C" NOT NULL,
    evidence_sha256 TEXT COLLATE "C" NOT NULL,
    ledger_seq BIGINT,
    ledger_head TEXT COLLATE "C",
    overall TEXT COLLATE "C" NOT NULL
);
CREATE INDEX runs_by_time ON runs (system_id, finished_at);
CREATE TABLE metrics (
    run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (run_id),
    finding_id TEXT COLLATE "C" NOT NULL,
    family TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    metric TEXT COLLATE "C" NOT NULL,
    subject TEXT COLLATE "C" NOT NULL,
    attribute TEXT COLLATE "C",
    group_name TEXT COLLATE "C",
    reference_group TEXT COLLATE "C",
    column_name TEXT COLLATE "C",
    window_start TEXT COLLATE "C",
    value DOUBLE PRECISION,
    lower DOUBLE PRECISION,
    upper DOUBLE PRECISION,
    n BIGINT,
    status TEXT COLLATE "C" NOT NULL,
    threshold_warn DOUBLE PRECISION,
    threshold_fail DOUBLE PRECISION,
    direction TEXT COLLATE "C",
    risk_id TEXT COLLATE "C"
);
CREATE UNIQUE INDEX metrics_key ON metrics (run_id, finding_id, coalesce(window_start, ''));
CREATE INDEX metrics_by_series ON metrics (family, metric, subject);
CREATE INDEX metrics_by_finding ON metrics (finding_id);
CREATE TABLE risks (
    run_id TEXT COLLATE "C" NOT NULL REFERENCES runs (run_id),
    risk_id TEXT COLLATE "C" NOT NULL,
    title TEXT COLLATE "C" NOT NULL,
    category TEXT COLLATE "C" NOT NULL,
    score BIGINT NOT NULL,
    rating TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    life_status TEXT COLLATE "C",
    metric TEXT COLLATE "C",
    value DOUBLE PRECISION,
    risk_json TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (run_id, risk_id)
);
CREATE TABLE decisions (
    decision_id BIGSERIAL PRIMARY KEY,
    risk_id TEXT COLLATE "C" NOT NULL,
    system_id TEXT COLLATE "C" NOT NULL,
    decision TEXT COLLATE "C" NOT NULL,
    decided_by TEXT COLLATE "C" NOT NULL,
    reason TEXT COLLATE "C" NOT NULL,
    decided_at TEXT COLLATE "C" NOT NULL,
    review_date TEXT COLLATE "C"
);
CREATE INDEX decisions_by_risk ON decisions (risk_id);
"#;

/// Records the run of the evidence `e` (as written: its digest is taken over
/// [`evidence_json`]`(e)`) and every finding's measurement in the history at `path` (a file,
/// created when missing, or a `postgresql://` URL). Returns the number of metrics written.
pub fn record_run(path: &Path, e: &Evidence) -> Result<usize> {
    write_run(path, &e.run.id, |db| insert_run(db, e))
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
    write_run(path, &run.run_id, |db| {
        db.exec(
            INSERT_RUN,
            &[
                (&run.run_id).into(),
                (&run.system.id).into(),
                (&run.system.name).into(),
                (&run.started_at).into(),
                (&run.finished_at).into(),
                env!("CARGO_PKG_VERSION").into(),
                (&run.policy_sha256).into(),
                (&run.report_sha256).into(),
                Value::Null,
                Value::Null,
                (&run.overall).into(),
            ],
        )?;
        let mut n = 0;
        for (start, rows, findings) in &run.windows {
            n += insert_metrics(db, &run.run_id, findings, Some((start, *rows)))?;
        }
        Ok(n)
    })
}

const INSERT_RUN: &str = "INSERT INTO runs (run_id, system_id, system_name, started_at, \
    finished_at, tool_version, policy_sha256, evidence_sha256, ledger_seq, ledger_head, overall) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

/// Writes one run with `insert` in one writing transaction, creating and migrating the
/// database as needed.
fn write_run(
    path: &Path,
    run_id: &str,
    insert: impl FnOnce(&mut Conn) -> DbResult<usize>,
) -> Result<usize> {
    let (mut conn, _) = open_checked(path, true)?;
    conn.write(|db| {
        migrate(db).map_err(step("cannot create the schema"))?;
        insert(db).map_err(|x| match x {
            DbError::Duplicate => WriteError::Refused(format!("run {run_id} is already recorded")),
            x => WriteError::Step("cannot write the run", x),
        })
    })
    .map_err(|x| write_err(path, x))
}

/// Refuses a newer schema, and a database of someone else's tables.
fn check_version(version: i64, tables: i64) -> std::result::Result<(), String> {
    if version > HISTORY_SCHEMA_VERSION {
        return Err(format!(
            "was written by a newer fairgauge (history schema {version}; this version reads up \
             to {HISTORY_SCHEMA_VERSION}): upgrade fairgauge, or give another file or database"
        ));
    }
    if version == 0 && tables > 0 {
        return Err(
            "is a database with other tables, not a fairgauge history; it is left as it is".into(),
        );
    }
    Ok(())
}

/// Brings the schema to [`HISTORY_SCHEMA_VERSION`], inside the writing transaction (a
/// concurrent first writer waits, then finds it done). Each future version adds one step here,
/// for each database.
pub(super) fn migrate(db: &mut Conn) -> DbResult<()> {
    let version = db.version()?;
    if db.is_postgres() {
        if version < 2 {
            db.batch(SCHEMA_PG_V2)?;
            db.set_version(2)?;
        }
        return Ok(());
    }
    if version < 1 {
        db.batch(SCHEMA_V1)?;
        db.set_version(1)?;
    }
    if version < 2 {
        db.batch(SCHEMA_V2)?;
        db.set_version(2)?;
    }
    Ok(())
}

fn insert_run(db: &mut Conn, e: &Evidence) -> DbResult<usize> {
    let digest = json_sha256(&evidence_json(e));
    let head = filed_head(e);
    db.exec(
        INSERT_RUN,
        &[
            (&e.run.id).into(),
            (&e.system.id).into(),
            (&e.system.name).into(),
            (&e.run.started_at).into(),
            (&e.run.finished_at).into(),
            (&e.run.tool_version).into(),
            (&e.run.policy_sha256).into(),
            digest.into(),
            head.as_ref().map(|h| h.0 as i64).into(),
            head.as_ref().map(|h| h.1.clone()).into(),
            e.summary.overall.as_str().into(),
        ],
    )?;
    insert_metrics(db, &e.run.id, &e.findings, None)?;
    insert_risks(db, e)?;
    Ok(e.findings.len())
}

/// The findings' measurements, of a whole-table run or of one window (its start and rows).
fn insert_metrics(
    db: &mut Conn,
    run_id: &str,
    findings: &[Finding],
    window: Option<(&String, u64)>,
) -> DbResult<usize> {
    const INSERT: &str = "INSERT INTO metrics (run_id, finding_id, family, kind, metric, \
        subject, attribute, group_name, reference_group, column_name, window_start, value, \
        lower, upper, n, status, threshold_warn, threshold_fail, direction, risk_id) \
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
        ?18, ?19, ?20)";
    for f in findings {
        db.exec(
            INSERT,
            &[
                run_id.into(),
                (&f.id).into(),
                f.family().into(),
                (&f.kind).into(),
                (&f.metric).into(),
                subject_text(&f.subject).into(),
                f.subject.attribute.as_ref().into(),
                f.subject.group.as_ref().into(),
                f.subject.reference_group.as_ref().into(),
                f.subject.column.as_ref().into(),
                window.map(|w| w.0).into(),
                finite(f.value).into(),
                finite(f.interval.map(|i| i[0])).into(),
                finite(f.interval.map(|i| i[1])).into(),
                window.map(|w| w.1 as i64).into(),
                f.status.as_str().into(),
                f.threshold.as_ref().map(|t| t.warn).into(),
                f.threshold.as_ref().map(|t| t.fail).into(),
                f.threshold
                    .as_ref()
                    .map(|t| match t.direction {
                        Direction::Above => "above",
                        Direction::Below => "below",
                    })
                    .into(),
                f.risk_id.as_ref().into(),
            ],
        )?;
    }
    Ok(findings.len())
}

/// The run's risks (not the resolved ones: a risk's runs are the runs that saw it), each with
/// its driving metric and the whole entry as JSON.
fn insert_risks(db: &mut Conn, e: &Evidence) -> DbResult<()> {
    const INSERT: &str = "INSERT INTO risks (run_id, risk_id, title, category, score, rating, \
        status, life_status, metric, value, risk_json) \
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    for r in &e.risks {
        let driver = driving(&e.findings, r);
        let json = serde_json::to_string(r).unwrap_or_default();
        db.exec(
            INSERT,
            &[
                (&e.run.id).into(),
                (&r.id).into(),
                (&r.title).into(),
                r.category.as_str().into(),
                i64::from(r.score).into(),
                r.rating.as_str().into(),
                (&r.status).into(),
                r.life.as_ref().map(|l| l.status.clone()).into(),
                driver.map(|f| f.metric.clone()).into(),
                finite(driver.and_then(|f| f.value)).into(),
                json.into(),
            ],
        )?;
    }
    Ok(())
}

/// A value SQLite can hold as a REAL: it has no NaN, which is stored as NULL (±∞ are kept).
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| !x.is_nan())
}

/// Opens the history at `path` — for writing (a missing file is created) or reading — and
/// checks that it is fairgauge's: a directory, a file that is not a SQLite database, a database
/// of other tables and one from a newer fairgauge are refused, and left as they are; an
/// unreachable PostgreSQL server is an error within seconds. Returns the connection and the
/// schema version (0: a new, empty database).
pub(super) fn open_checked(path: &Path, write: bool) -> Result<(Conn, i64)> {
    let db = |what: &str, x: DbError| db_err(path, what, x);
    let mut conn = match Location::of(path) {
        Location::File(file) => {
            if std::fs::metadata(&file).is_ok_and(|m| m.is_dir()) {
                return Err(history_err(
                    path,
                    "is a directory, expected a history database".into(),
                ));
            }
            let flags = if write {
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
            } else {
                OpenFlags::SQLITE_OPEN_READ_ONLY
            };
            Conn::sqlite(&file, flags).map_err(|x| db("cannot open", x))?
        }
        Location::Postgres(url) => Conn::postgres(&url).map_err(|x| {
            history_err(
                path,
                format!("cannot connect to the PostgreSQL server: {x}"),
            )
        })?,
    };
    // Reading the schema first: a file that is not a database fails here, unchanged.
    let tables = conn
        .tables()
        .map_err(|x| db("cannot read the database", x))?;
    let version = conn
        .version()
        .map_err(|x| db("cannot read the schema version", x))?;
    check_version(version, tables).map_err(|m| history_err(path, m))?;
    Ok((conn, version))
}

/// Opens an existing history for reading (see [`open_checked`]); a missing or empty one is an
/// error.
pub(super) fn open_read(path: &Path) -> Result<Conn> {
    if let Location::File(file) = Location::of(path) {
        if let Err(e) = std::fs::metadata(file) {
            return Err(history_err(path, format!("cannot open: {e}")));
        }
    }
    let (conn, version) = open_checked(path, false)?;
    if version == 0 {
        return Err(history_err(
            path,
            "is empty: no run has been recorded in it".into(),
        ));
    }
    Ok(conn)
}

/// An error about the history at `path` (a URL shown without its password).
pub(super) fn history_err(path: &Path, message: String) -> Error {
    Error::History {
        path: shown(path),
        message,
    }
}

/// A database error while doing `what`, saying the history was not changed.
pub(super) fn db_err(path: &Path, what: &str, x: DbError) -> Error {
    let note = match Location::of(path) {
        Location::File(_) => "the file is left as it is; is it a fairgauge history database?",
        Location::Postgres(_) => "nothing was written",
    };
    history_err(path, format!("{what}: {x} ({note})"))
}

/// A failed writing transaction as an error about the history at `path`.
pub(super) fn write_err(path: &Path, x: WriteError) -> Error {
    match x {
        WriteError::Begin(x) => db_err(path, "cannot start a transaction", x),
        WriteError::Step(what, x) => db_err(path, what, x),
        WriteError::Refused(m) => history_err(path, m),
        WriteError::Commit(x) => db_err(path, "cannot commit", x),
    }
}
