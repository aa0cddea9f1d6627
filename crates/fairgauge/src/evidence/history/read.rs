//! Reading the history back: the runs, the measurements, and the long table BI tools read.

use std::path::Path;

use crate::error::Result;

use super::decide::{decision_of, Decision, DECISION_COLUMNS};
use super::store::{history_err, open_read};

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
    select_metrics(&conn, "?1 IS NULL OR m.run_id = ?1", run).map_err(read)
}

/// One finding's series: its measurements in every run and window, in run order (as [`runs`])
/// then by window. A finding id no run recorded is an error. The `metrics_by_finding` index
/// answers it without reading the other series.
pub fn trend(path: &Path, finding_id: &str) -> Result<Vec<MetricRow>> {
    let conn = open_read(path)?;
    let read = |x: rusqlite::Error| history_err(path, format!("cannot read the metrics: {x}"));
    let rows = select_metrics(&conn, "m.finding_id = ?1", Some(finding_id)).map_err(read)?;
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
fn select_metrics(
    conn: &rusqlite::Connection,
    filter: &str,
    arg: Option<&str>,
) -> rusqlite::Result<Vec<MetricRow>> {
    let mut q = conn.prepare(&format!(
        "SELECT m.run_id, r.finished_at, m.finding_id, m.family, m.kind, m.metric, \
         m.subject, m.window_start, m.value, m.lower, m.upper, m.n, m.status \
         FROM metrics m JOIN runs r USING (run_id) WHERE {filter} \
         ORDER BY r.finished_at, r.rowid, m.window_start, m.finding_id"
    ))?;
    let rows = q.query_map([arg], |r| {
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
    })?;
    rows.collect()
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
    let conn = open_read(path)?;
    let read = |x: rusqlite::Error| history_err(path, format!("cannot read the risks: {x}"));
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(read)?;
    let mut q = conn
        .prepare(
            "SELECT m.risk_id, r.system_id, min(r.finished_at), max(r.finished_at), \
             count(DISTINCT m.run_id), \
             max(m.run_id = (SELECT r2.run_id FROM runs r2 WHERE r2.system_id = r.system_id \
             ORDER BY r2.finished_at DESC, r2.rowid DESC LIMIT 1)) \
             FROM metrics m JOIN runs r USING (run_id) WHERE m.risk_id IS NOT NULL \
             GROUP BY m.risk_id, r.system_id ORDER BY r.system_id, m.risk_id",
        )
        .map_err(read)?;
    let mut rows = q
        .query_map([], |r| {
            let last: String = r.get(3)?;
            // Seen by the system's latest run (runs in the order recorded, as everywhere).
            let latest: bool = r.get(5)?;
            Ok(RegisterRow {
                risk_id: r.get(0)?,
                system_id: r.get(1)?,
                title: None,
                score: None,
                rating: None,
                first_seen: r.get(2)?,
                state: if latest { "open" } else { "resolved" }.into(),
                last_seen: last,
                runs_seen: r.get(4)?,
                decision: None,
            })
        })
        .map_err(read)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(read)?;
    if version >= 2 {
        for row in &mut rows {
            latest_entry(&conn, row).map_err(read)?;
        }
    }
    Ok(rows)
}

/// The risk's latest entry (title, score, rating) and the latest decision on it.
fn latest_entry(conn: &rusqlite::Connection, row: &mut RegisterRow) -> rusqlite::Result<()> {
    use rusqlite::OptionalExtension;
    let entry = conn
        .query_row(
            "SELECT k.title, k.score, k.rating FROM risks k JOIN runs r USING (run_id) \
             WHERE k.risk_id = ?1 ORDER BY r.finished_at DESC, r.rowid DESC LIMIT 1",
            [&row.risk_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((title, score, rating)) = entry {
        (row.title, row.score, row.rating) = (Some(title), Some(score), Some(rating));
    }
    row.decision = conn
        .query_row(
            &format!(
                "SELECT {DECISION_COLUMNS} FROM decisions WHERE risk_id = ?1 AND system_id = ?2 \
                 ORDER BY decision_id DESC LIMIT 1"
            ),
            [&row.risk_id, &row.system_id],
            decision_of,
        )
        .optional()?
        .flatten();
    Ok(())
}
