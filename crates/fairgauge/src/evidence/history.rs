//! The metric history: every assessment run and its measurements in an embedded SQLite
//! database (`assess --history FILE.db`), so a metric can be followed across runs — the first
//! part of monitoring a system through its life (ISO/IEC 42001 clause 9.1).
//!
//! # Schema (version 1, SQLite's `PRAGMA user_version`)
//!
//! - `runs`: one row per run — `run_id` (primary key), `system_id`, `system_name`,
//!   `started_at`, `finished_at` (RFC 3339), `tool_version`, `policy_sha256`,
//!   `evidence_sha256` (of the evidence's bytes as written), `ledger_seq` and `ledger_head`
//!   (when the evidence was filed in a ledger, else `NULL`), `overall` (`pass`/`warn`/`fail`).
//! - `metrics`: one row per finding of a run — `run_id` (→ `runs`), `finding_id` (stable across
//!   runs: the series key), `family` (`fairness`, `drift`, `quality`, `provenance`: the finding
//!   kind's first part), `kind`, `metric`, `subject` (the words the exports use: `sex = Female vs
//!   Male`, a column), `attribute`, `group_name`, `reference_group`, `column_name`,
//!   `window_start` (`NULL` for a whole-table run), `value`, `lower`, `upper` (its interval),
//!   `n` (`NULL` until findings carry their row count), `status`, `threshold_warn`,
//!   `threshold_fail`, `direction`, `risk_id`. Primary key (`run_id`, `finding_id`).
//!
//! # Safety
//!
//! A database written by a newer fairgauge (a higher `user_version`) is refused, as is a file
//! that is not a SQLite database or a database with other tables: neither is ever recreated or
//! changed. The database is in WAL mode and each run is written in one immediate transaction
//! (waiting up to a minute for another writer), so concurrent writers — two pipelines — queue
//! and lose nothing; a failed write leaves no part of the run behind.

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::evidence::document::{evidence_json, json_sha256, Evidence};
use crate::evidence::export::words::subject_text;
use crate::evidence::ledger::filed_head;
use crate::evidence::policy::Direction;

/// The schema version this fairgauge writes and reads.
pub const HISTORY_SCHEMA_VERSION: i64 = 1;

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

/// Records the run of the evidence `e` (as written: its digest is taken over
/// [`evidence_json`]`(e)`) and every finding's measurement in the history database at `path`,
/// creating it when missing. Returns the number of metrics written.
pub fn record_run(path: &Path, e: &Evidence) -> Result<usize> {
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
    let n = insert_run(&tx, e).map_err(|x| match x {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            err(format!("run {} is already recorded", e.run.id))
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
fn migrate(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version < 1 {
        tx.execute_batch(SCHEMA_V1)?;
        tx.pragma_update(None, "user_version", 1)?;
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
    let mut insert = tx.prepare(
        "INSERT INTO metrics (run_id, finding_id, family, kind, metric, subject, attribute, \
         group_name, reference_group, column_name, window_start, value, lower, upper, n, status, \
         threshold_warn, threshold_fail, direction, risk_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL, ?11, ?12, ?13, NULL, ?14, ?15, \
         ?16, ?17, ?18)",
    )?;
    for f in &e.findings {
        insert.execute(params![
            e.run.id,
            f.id,
            f.family(),
            f.kind,
            f.metric,
            subject_text(&f.subject),
            f.subject.attribute,
            f.subject.group,
            f.subject.reference_group,
            f.subject.column,
            finite(f.value),
            finite(f.interval.map(|i| i[0])),
            finite(f.interval.map(|i| i[1])),
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
    Ok(e.findings.len())
}

/// A value SQLite can hold as a REAL: it has no NaN, which is stored as NULL (±∞ are kept).
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| !x.is_nan())
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// A run as the history holds it, with its number of metrics.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunRow {
    /// The run's id.
    pub run_id: String,
    /// The system's id.
    pub system_id: String,
    /// The system's name.
    pub system_name: String,
    /// Start, RFC 3339.
    pub started_at: String,
    /// End, RFC 3339.
    pub finished_at: String,
    /// fairgauge's version.
    pub tool_version: String,
    /// `sha256:` of the evidence's bytes.
    pub evidence_sha256: String,
    /// The ledger record's position, when filed in one.
    pub ledger_seq: Option<i64>,
    /// The ledger's head after the run's record, when filed in one.
    pub ledger_head: Option<String>,
    /// `pass`, `warn` or `fail`.
    pub overall: String,
    /// Metrics recorded for the run.
    pub metrics: i64,
}

/// A measurement as the history holds it, with its run's end time.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MetricRow {
    /// The run's id.
    pub run_id: String,
    /// The run's end, RFC 3339.
    pub finished_at: String,
    /// The finding's id (the series key).
    pub finding_id: String,
    /// `fairness`, `drift`, `quality` or `provenance`.
    pub family: String,
    /// The finding's kind.
    pub kind: String,
    /// The metric.
    pub metric: String,
    /// The subject in words.
    pub subject: String,
    /// The window's start (`None` for a whole-table run).
    pub window_start: Option<String>,
    /// The value.
    pub value: Option<f64>,
    /// The interval's lower end.
    pub lower: Option<f64>,
    /// The interval's upper end.
    pub upper: Option<f64>,
    /// Rows behind the value, when known.
    pub n: Option<i64>,
    /// The finding's status.
    pub status: String,
}

/// Puts the database in WAL mode (it stays so). The switch needs an exclusive lock, and SQLite
/// answers "busy" at once, without the busy timeout, when two new writers ask for it together
/// (each holds a shared lock and would wait for the other's); so a busy answer is retried for up
/// to the busy timeout. Once one writer has switched, the others find WAL already set.
fn switch_to_wal(conn: &Connection) -> rusqlite::Result<()> {
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
fn open_checked(path: &Path, flags: OpenFlags) -> Result<(Connection, i64)> {
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
fn open_read(path: &Path) -> Result<Connection> {
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

fn history_err(path: &Path, message: String) -> Error {
    Error::History {
        path: path.to_path_buf(),
        message,
    }
}

/// A SQLite error while doing `what`, saying the file was not changed.
fn sqlite_err(path: &Path, what: &str, x: rusqlite::Error) -> Error {
    history_err(
        path,
        format!("{what}: {x} (the file is left as it is; is it a fairgauge history database?)"),
    )
}

/// The runs in the history at `path`, oldest first (runs that end in the same second in the
/// order they were recorded).
pub fn runs(path: &Path) -> Result<Vec<RunRow>> {
    let conn = open_read(path)?;
    let read = |x: rusqlite::Error| history_err(path, format!("cannot read the runs: {x}"));
    let mut q = conn
        .prepare(
            "SELECT r.run_id, r.system_id, r.system_name, r.started_at, r.finished_at, \
             r.tool_version, r.evidence_sha256, r.ledger_seq, r.ledger_head, r.overall, \
             (SELECT count(*) FROM metrics m WHERE m.run_id = r.run_id) \
             FROM runs r ORDER BY r.finished_at, r.rowid",
        )
        .map_err(read)?;
    let rows = q
        .query_map([], |r| {
            Ok(RunRow {
                run_id: r.get(0)?,
                system_id: r.get(1)?,
                system_name: r.get(2)?,
                started_at: r.get(3)?,
                finished_at: r.get(4)?,
                tool_version: r.get(5)?,
                evidence_sha256: r.get(6)?,
                ledger_seq: r.get(7)?,
                ledger_head: r.get(8)?,
                overall: r.get(9)?,
                metrics: r.get(10)?,
            })
        })
        .map_err(read)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(read)
}

/// The measurements in the history at `path` — of one run (an unknown run id is an error), or
/// of all — in run order (as [`runs`]), then by finding id.
pub fn metrics(path: &Path, run: Option<&str>) -> Result<Vec<MetricRow>> {
    let conn = open_read(path)?;
    let read = |x: rusqlite::Error| history_err(path, format!("cannot read the metrics: {x}"));
    if let Some(id) = run {
        let known: i64 = conn
            .query_row("SELECT count(*) FROM runs WHERE run_id = ?1", [id], |r| {
                r.get(0)
            })
            .map_err(read)?;
        if known == 0 {
            return Err(history_err(
                path,
                format!("has no run `{id}` (`fairgauge history list` shows the runs)"),
            ));
        }
    }
    let mut q = conn
        .prepare(
            "SELECT m.run_id, r.finished_at, m.finding_id, m.family, m.kind, m.metric, \
             m.subject, m.window_start, m.value, m.lower, m.upper, m.n, m.status \
             FROM metrics m JOIN runs r USING (run_id) \
             WHERE ?1 IS NULL OR m.run_id = ?1 \
             ORDER BY r.finished_at, r.rowid, m.finding_id",
        )
        .map_err(read)?;
    let rows = q
        .query_map([run], |r| {
            Ok(MetricRow {
                run_id: r.get(0)?,
                finished_at: r.get(1)?,
                finding_id: r.get(2)?,
                family: r.get(3)?,
                kind: r.get(4)?,
                metric: r.get(5)?,
                subject: r.get(6)?,
                window_start: r.get(7)?,
                value: r.get(8)?,
                lower: r.get(9)?,
                upper: r.get(10)?,
                n: r.get(11)?,
                status: r.get(12)?,
            })
        })
        .map_err(read)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(read)
}

/// The columns of [`export_metrics`], in order.
pub const METRIC_COLUMNS: [&str; 13] = [
    "run_id",
    "finished_at",
    "finding_id",
    "family",
    "kind",
    "metric",
    "subject",
    "window_start",
    "value",
    "lower",
    "upper",
    "n",
    "status",
];

/// Writes `rows` to `path` atomically as a long table ([`METRIC_COLUMNS`]) that BI tools read:
/// CSV (the one CSV writer: RFC 4180, text a spreadsheet would run as a formula defused, numbers
/// in their shortest exact form, empty for none) or Parquet (typed columns with nulls).
pub fn export_metrics(rows: &[MetricRow], path: &Path, parquet: bool) -> Result<()> {
    if parquet {
        return export_parquet(rows, path);
    }
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    crate::io::write::write_csv_atomic(path, false, |w| {
        let e = |x| crate::io::write::csv_error(path, x);
        w.write_record(METRIC_COLUMNS).map_err(e)?;
        for r in rows {
            let d = crate::io::write::defused;
            let record = [
                d(&r.run_id).into_owned(),
                d(&r.finished_at).into_owned(),
                d(&r.finding_id).into_owned(),
                d(&r.family).into_owned(),
                d(&r.kind).into_owned(),
                d(&r.metric).into_owned(),
                d(&r.subject).into_owned(),
                r.window_start
                    .as_deref()
                    .map(|s| d(s).into_owned())
                    .unwrap_or_default(),
                num(r.value),
                num(r.lower),
                num(r.upper),
                r.n.map(|n| n.to_string()).unwrap_or_default(),
                d(&r.status).into_owned(),
            ];
            w.write_record(&record).map_err(e)?;
        }
        Ok(())
    })
}

fn export_parquet(rows: &[MetricRow], path: &Path) -> Result<()> {
    use crate::io::frame::{write_table, OwnedColumn as C};
    let text = |f: fn(&MetricRow) -> &String| C::Str(rows.iter().map(|r| f(r).clone()).collect());
    let real = |f: fn(&MetricRow) -> Option<f64>| C::OptF64(rows.iter().map(f).collect());
    let columns = vec![
        text(|r| &r.run_id),
        text(|r| &r.finished_at),
        text(|r| &r.finding_id),
        text(|r| &r.family),
        text(|r| &r.kind),
        text(|r| &r.metric),
        text(|r| &r.subject),
        C::OptStr(rows.iter().map(|r| r.window_start.clone()).collect()),
        real(|r| r.value),
        real(|r| r.lower),
        real(|r| r.upper),
        C::OptI64(rows.iter().map(|r| r.n).collect()),
        text(|r| &r.status),
    ];
    let named = METRIC_COLUMNS
        .iter()
        .map(|n| n.to_string())
        .zip(columns)
        .collect();
    write_table(path, crate::io::source::InputFormat::Parquet, named)
}
