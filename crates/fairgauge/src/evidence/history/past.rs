//! What the history knows about one system before a run: its earlier runs, each finding's
//! series of values, each risk's appearances and the decisions on it. `assess --history` reads
//! it to judge anomalies and tell each risk's life.

use std::collections::BTreeMap;
use std::path::Path;

use fairgauge_core::monitor::anomaly::PastValue;

use crate::error::Result;
use crate::evidence::document::Risk;
use crate::evidence::policy::Policy;

use super::db::{Conn, DbError, DbResult, Location};
use super::decide::{decision_of, Decision, DECISION_COLUMNS};
use super::store::{db_err, open_checked};

/// An earlier run of the system.
#[derive(Debug, Clone, PartialEq)]
pub struct PastRun {
    /// Its id.
    pub run_id: String,
    /// Its end, RFC 3339.
    pub finished_at: String,
}

/// The most earlier runs a finding's series is read over, for the trends the evidence carries
/// (a risk's, a finding's): with this run, [`TREND_RUNS`] points.
pub const TREND_RUNS: usize = 20;

/// A finding's earlier values, oldest first, with the runs they came from (indices into
/// [`Past::runs`]) and the finding's status in each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PastSeries {
    /// Run index of each value.
    pub runs: Vec<usize>,
    /// The values with their intervals.
    pub values: Vec<PastValue>,
    /// The finding's status in each run (`pass`, `warn`, `fail`, …).
    pub statuses: Vec<String>,
}

impl PastSeries {
    /// The values of the runs from index `first` on (those an anomaly rule looks back over).
    pub fn since(&self, first: usize) -> Vec<PastValue> {
        self.runs
            .iter()
            .zip(&self.values)
            .filter(|(&run, _)| run >= first)
            .map(|(_, v)| *v)
            .collect()
    }
}

/// A risk in one earlier run.
#[derive(Debug, Clone, PartialEq)]
pub struct PastRisk {
    /// Index into [`Past::runs`].
    pub run: usize,
    /// Its score then (runs recorded in history schema 2 and later).
    pub score: Option<u8>,
    /// Its driving metric then.
    pub metric: Option<String>,
    /// Its driving metric's value then.
    pub value: Option<f64>,
}

/// The history of one system (empty when there is no history yet).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Past {
    /// The system's earlier runs, oldest first.
    pub runs: Vec<PastRun>,
    /// Each finding's whole-table values (not monitoring windows) in the last runs (as many as
    /// the anomaly rules look back over, and at least [`TREND_RUNS`] − 1), by finding id.
    pub series: BTreeMap<String, PastSeries>,
    /// The first run (index into `runs`) the anomaly rules look back to.
    pub judged_from: usize,
    /// Each risk's appearances, oldest first, by risk id.
    pub risks: BTreeMap<String, Vec<PastRisk>>,
    /// Each risk's entry as the latest run that saw it had it (schema 2 and later), by risk id.
    pub latest: BTreeMap<String, Risk>,
    /// The latest decision on each risk, by risk id.
    pub decisions: BTreeMap<String, Decision>,
}

/// Reads what the history at `path` knows of the policy's system: every run, each risk's
/// appearances, and the findings' values in the last runs — those the policy's anomaly rules
/// look back over ([`HistoryPolicy::depth`](crate::evidence::policy::HistoryPolicy::depth)),
/// and at least the last [`TREND_RUNS`] − 1 for the trends. A missing file
/// is an empty history (the run will create it); a file that is not a fairgauge history, or one
/// from a newer fairgauge, is an error.
pub fn load_past(path: &Path, policy: &Policy) -> Result<Past> {
    let (system_id, depth) = (policy.system.id.as_str(), policy.history.depth());
    if matches!(Location::of(path), Location::File(f) if !f.exists()) {
        return Ok(Past::default());
    }
    let (mut conn, version) = open_checked(path, false)?;
    if version == 0 {
        return Ok(Past::default());
    }
    let read = |x: DbError| db_err(path, "cannot read the history", x);
    let mut past = Past {
        runs: past_runs(&mut conn, system_id).map_err(read)?,
        ..Past::default()
    };
    let index: BTreeMap<String, usize> = past
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| (r.run_id.clone(), i))
        .collect();
    past.judged_from = past.runs.len().saturating_sub(depth);
    let first = past.runs.len().saturating_sub(depth.max(TREND_RUNS - 1));
    read_series(&mut conn, system_id, (&index, first), &mut past).map_err(read)?;
    if version >= 2 {
        read_risks(&mut conn, system_id, &index, &mut past).map_err(read)?;
        past.decisions = latest_decisions(&mut conn, system_id).map_err(read)?;
    }
    Ok(past)
}

fn past_runs(conn: &mut Conn, system_id: &str) -> DbResult<Vec<PastRun>> {
    let rows = conn.rows(
        "SELECT run_id, finished_at FROM runs WHERE system_id = ?1 ORDER BY finished_at, rowid",
        &[system_id.into()],
    )?;
    rows.iter()
        .map(|r| {
            Ok(PastRun {
                run_id: r.text(0)?,
                finished_at: r.text(1)?,
            })
        })
        .collect()
}

/// The findings' values in the runs from index `first` on, and the risks each run's findings
/// fed (all of a run's appearances: runs recorded before schema 2 have no `risks` table).
fn read_series(
    conn: &mut Conn,
    system_id: &str,
    (index, first): (&BTreeMap<String, usize>, usize),
    past: &mut Past,
) -> DbResult<()> {
    let mut seen: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let rows = conn.rows(
        "SELECT DISTINCT m.run_id, m.risk_id FROM metrics m JOIN runs r USING (run_id) \
         WHERE r.system_id = ?1 AND m.risk_id IS NOT NULL AND m.window_start IS NULL",
        &[system_id.into()],
    )?;
    for r in &rows {
        if let Some(&run) = index.get(&r.text(0)?) {
            seen.entry(r.text(1)?).or_default().push(run);
        }
    }
    let mut points: BTreeMap<String, Vec<(usize, PastValue, String)>> = BTreeMap::new();
    for (run, r) in past.runs.iter().enumerate().skip(first) {
        let rows = conn.rows(
            "SELECT m.run_id, m.finding_id, m.value, m.lower, m.upper, m.status FROM metrics m \
             WHERE m.run_id = ?1 AND m.window_start IS NULL AND m.value IS NOT NULL",
            &[(&r.run_id).into()],
        )?;
        for row in &rows {
            let (lower, upper) = (row.opt_real(3)?, row.opt_real(4)?);
            let Some(value) = row.opt_real(2)? else {
                continue;
            };
            points.entry(row.text(1)?).or_default().push((
                run,
                PastValue {
                    value,
                    interval: lower.zip(upper).map(|(l, u)| [l, u]),
                },
                row.text(5)?,
            ));
        }
    }
    for (id, p) in points {
        let mut series = PastSeries::default();
        for (run, value, status) in p {
            series.runs.push(run);
            series.values.push(value);
            series.statuses.push(status);
        }
        past.series.insert(id, series);
    }
    for (id, mut runs) in seen {
        runs.sort_unstable();
        runs.dedup();
        let appearances = runs
            .into_iter()
            .map(|run| PastRisk {
                run,
                score: None,
                metric: None,
                value: None,
            })
            .collect();
        past.risks.insert(id, appearances);
    }
    Ok(())
}

/// The risks table (schema 2): each appearance's score and driving metric, over the ones the
/// metrics gave, and each risk's latest entry.
fn read_risks(
    conn: &mut Conn,
    system_id: &str,
    index: &BTreeMap<String, usize>,
    past: &mut Past,
) -> DbResult<()> {
    let rows = conn.rows(
        "SELECT k.run_id, k.risk_id, k.score, k.metric, k.value \
         FROM risks k JOIN runs r USING (run_id) WHERE r.system_id = ?1",
        &[system_id.into()],
    )?;
    for r in &rows {
        let Some(&run) = index.get(&r.text(0)?) else {
            continue;
        };
        let entry = PastRisk {
            run,
            score: r.opt_int(2)?.and_then(|s| u8::try_from(s).ok()),
            metric: r.opt_text(3)?,
            value: r.opt_real(4)?,
        };
        let list = past.risks.entry(r.text(1)?).or_default();
        match list.binary_search_by_key(&run, |p| p.run) {
            Ok(i) => list[i] = entry,
            Err(i) => list.insert(i, entry),
        }
    }
    // Only each risk's latest entry is read whole.
    for (id, list) in &past.risks {
        let Some(last) = list.last() else { continue };
        let json = conn
            .row(
                "SELECT risk_json FROM risks WHERE run_id = ?1 AND risk_id = ?2",
                &[(&past.runs[last.run].run_id).into(), id.into()],
            )?
            .map(|r| r.text(0))
            .transpose()?;
        if let Some(risk) = json.and_then(|j| serde_json::from_str(&j).ok()) {
            past.latest.insert(id.clone(), risk);
        }
    }
    Ok(())
}

/// The latest decision on each of the system's risks (the last one recorded wins).
fn latest_decisions(conn: &mut Conn, system_id: &str) -> DbResult<BTreeMap<String, Decision>> {
    let rows = conn.rows(
        &format!(
            "SELECT {DECISION_COLUMNS} FROM decisions WHERE system_id = ?1 ORDER BY decision_id"
        ),
        &[system_id.into()],
    )?;
    let mut out = BTreeMap::new();
    for r in &rows {
        if let Some(d) = decision_of(r)? {
            out.insert(d.risk_id.clone(), d);
        }
    }
    Ok(out)
}
