//! Reading the history back: the runs, the measurements, and the long table BI tools read.

use std::path::Path;

use crate::error::Result;

use super::db::{Conn, DbError, DbResult, Row, Value};
use super::decide::{decision_of, Decision, DECISION_COLUMNS};
use super::store::{db_err, history_err, open_read};

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

/// The runs in the history at `path`, oldest first (runs that end in the same second in the
/// order they were recorded).
pub fn runs(path: &Path) -> Result<Vec<RunRow>> {
    let mut conn = open_read(path)?;
    let rows = conn
        .rows(
            "SELECT r.run_id, r.system_id, r.system_name, r.started_at, r.finished_at, \
             r.tool_version, r.evidence_sha256, r.ledger_seq, r.ledger_head, r.overall, \
             (SELECT count(*) FROM metrics m WHERE m.run_id = r.run_id) \
             FROM runs r ORDER BY r.finished_at, r.rowid",
            &[],
        )
        .and_then(|rows| rows.iter().map(run_row).collect())
        .map_err(|x| db_err(path, "cannot read the runs", x))?;
    Ok(rows)
}

fn run_row(r: &Row) -> DbResult<RunRow> {
    Ok(RunRow {
        run_id: r.text(0)?,
        system_id: r.text(1)?,
        system_name: r.text(2)?,
        started_at: r.text(3)?,
        finished_at: r.text(4)?,
        tool_version: r.text(5)?,
        evidence_sha256: r.text(6)?,
        ledger_seq: r.opt_int(7)?,
        ledger_head: r.opt_text(8)?,
        overall: r.text(9)?,
        metrics: r.int(10)?,
    })
}

/// The measurements in the history at `path` — of one run (an unknown run id is an error), or
/// of all — in run order (as [`runs`]), then by finding id.
pub fn metrics(path: &Path, run: Option<&str>) -> Result<Vec<MetricRow>> {
    let mut conn = open_read(path)?;
    let read = |x: DbError| db_err(path, "cannot read the metrics", x);
    if let Some(id) = run {
        let known = conn
            .row("SELECT count(*) FROM runs WHERE run_id = ?1", &[id.into()])
            .and_then(|r| r.map_or(Ok(0), |r| r.int(0)))
            .map_err(read)?;
        if known == 0 {
            return Err(history_err(
                path,
                format!("has no run `{id}` (`fairgauge history list` shows the runs)"),
            ));
        }
    }
    select_metrics(&mut conn, "CAST(?1 AS TEXT) IS NULL OR m.run_id = ?1", run).map_err(read)
}

/// One finding's series: its measurements in every run and window, in run order (as [`runs`])
/// then by window. A finding id no run recorded is an error. The `metrics_by_finding` index
/// answers it without reading the other series.
pub fn trend(path: &Path, finding_id: &str) -> Result<Vec<MetricRow>> {
    let mut conn = open_read(path)?;
    let rows = select_metrics(&mut conn, "m.finding_id = ?1", Some(finding_id))
        .map_err(|x| db_err(path, "cannot read the metrics", x))?;
    if rows.is_empty() {
        return Err(history_err(
            path,
            format!(
                "has no measurement of finding `{finding_id}` (`fairgauge history show` lists a \
                 run's findings)"
            ),
        ));
    }
    Ok(rows)
}

/// The measurements `filter` (SQL over `m`, with `?1` bound to `arg`) selects, in run order, then
/// by window and finding id.
fn select_metrics(conn: &mut Conn, filter: &str, arg: Option<&str>) -> DbResult<Vec<MetricRow>> {
    let rows = conn.rows(
        &format!(
            "SELECT m.run_id, r.finished_at, m.finding_id, m.family, m.kind, m.metric, \
             m.subject, m.window_start, m.value, m.lower, m.upper, m.n, m.status \
             FROM metrics m JOIN runs r USING (run_id) WHERE {filter} \
             ORDER BY r.finished_at, r.rowid, m.window_start, m.finding_id"
        ),
        &[arg.into()],
    )?;
    rows.iter()
        .map(|r| {
            Ok(MetricRow {
                run_id: r.text(0)?,
                finished_at: r.text(1)?,
                finding_id: r.text(2)?,
                family: r.text(3)?,
                kind: r.text(4)?,
                metric: r.text(5)?,
                subject: r.text(6)?,
                window_start: r.opt_text(7)?,
                value: r.opt_real(8)?,
                lower: r.opt_real(9)?,
                upper: r.opt_real(10)?,
                n: r.opt_int(11)?,
                status: r.text(12)?,
            })
        })
        .collect()
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

/// A risk as the history knows it: its appearances, its latest entry and the decision on it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RegisterRow {
    /// The risk's id.
    pub risk_id: String,
    /// Its system.
    pub system_id: String,
    /// Its title in the latest run that saw it (`None` when only runs recorded before history
    /// schema 2 saw it).
    pub title: Option<String>,
    /// Its score then.
    pub score: Option<i64>,
    /// Its rating then.
    pub rating: Option<String>,
    /// The end of the first run that saw it.
    pub first_seen: String,
    /// The end of the last run that saw it.
    pub last_seen: String,
    /// Runs that saw it.
    pub runs_seen: i64,
    /// `open` when the system's latest run (in the order recorded) saw it, else `resolved`.
    pub state: String,
    /// The latest decision on it.
    pub decision: Option<Decision>,
}

/// Every risk the runs in the history at `path` saw, by system and id.
pub fn register(path: &Path) -> Result<Vec<RegisterRow>> {
    let mut conn = open_read(path)?;
    let read = |x: DbError| db_err(path, "cannot read the risks", x);
    let version = conn.version().map_err(read)?;
    let found = conn
        .rows(
            "SELECT m.risk_id, r.system_id, min(r.finished_at), max(r.finished_at), \
             count(DISTINCT m.run_id), \
             max(CASE WHEN m.run_id = (SELECT r2.run_id FROM runs r2 \
             WHERE r2.system_id = r.system_id ORDER BY r2.finished_at DESC, r2.rowid DESC \
             LIMIT 1) THEN 1 ELSE 0 END) \
             FROM metrics m JOIN runs r USING (run_id) WHERE m.risk_id IS NOT NULL \
             GROUP BY m.risk_id, r.system_id ORDER BY r.system_id, m.risk_id",
            &[],
        )
        .map_err(read)?;
    let mut rows = found
        .iter()
        .map(|r| {
            // Seen by the system's latest run (runs in the order recorded, as everywhere).
            let latest = r.int(5)? != 0;
            Ok(RegisterRow {
                risk_id: r.text(0)?,
                system_id: r.text(1)?,
                title: None,
                score: None,
                rating: None,
                first_seen: r.text(2)?,
                state: if latest { "open" } else { "resolved" }.into(),
                last_seen: r.text(3)?,
                runs_seen: r.int(4)?,
                decision: None,
            })
        })
        .collect::<DbResult<Vec<_>>>()
        .map_err(read)?;
    if version >= 2 {
        for row in &mut rows {
            latest_entry(&mut conn, row).map_err(read)?;
        }
    }
    Ok(rows)
}

/// The risk's latest entry (title, score, rating) and the latest decision on it.
fn latest_entry(conn: &mut Conn, row: &mut RegisterRow) -> DbResult<()> {
    let key: [Value; 2] = [(&row.risk_id).into(), (&row.system_id).into()];
    let entry = conn.row(
        "SELECT k.title, k.score, k.rating FROM risks k JOIN runs r USING (run_id) \
         WHERE k.risk_id = ?1 ORDER BY r.finished_at DESC, r.rowid DESC LIMIT 1",
        &key[..1],
    )?;
    if let Some(r) = entry {
        (row.title, row.score, row.rating) = (Some(r.text(0)?), Some(r.int(1)?), Some(r.text(2)?));
    }
    row.decision = match conn.row(
        &format!(
            "SELECT {DECISION_COLUMNS} FROM decisions WHERE risk_id = ?1 AND system_id = ?2 \
             ORDER BY decision_id DESC LIMIT 1"
        ),
        &key,
    )? {
        Some(r) => decision_of(&r)?,
        None => None,
    };
    Ok(())
}
