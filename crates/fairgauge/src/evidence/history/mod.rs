//! The metric history: every assessment run (`assess --history FILE.db`) and monitoring run
//! (`monitor --history`) with its measurements in an embedded SQLite database (or the same
//! schema on a PostgreSQL server, `--history postgresql://…`: `db`), so a metric can
//! be followed across runs and windows; what a new run is judged against (anomalies, each risk's
//! life: `past`); and the decisions people record on risks (`decide`). ISO/IEC 42001 clause
//! 9.1 (monitoring), 6.1.3 and 8.3 (risk treatment). docs/history.md documents it for users.
//!
//! # Schema (version 2, SQLite's `PRAGMA user_version`; PostgreSQL's `fairgauge_schema`)
//!
//! - `runs`: one row per run — `run_id` (primary key), `system_id`, `system_name`,
//!   `started_at`, `finished_at` (RFC 3339), `tool_version`, `policy_sha256`,
//!   `evidence_sha256` (of the evidence's bytes as written; of the report's JSON for a monitor
//!   run), `ledger_seq` and `ledger_head` (when the evidence was filed in a ledger, else `NULL`),
//!   `overall` (`pass`/`warn`/`fail`).
//! - `metrics`: one row per finding of a run (and window) — `run_id` (→ `runs`), `finding_id`
//!   (stable across runs: the series key), `family` (`fairness`, `drift`, `quality`,
//!   `provenance`: the finding kind's first part), `kind`, `metric`, `subject` (the words the
//!   exports use: `sex = Female vs Male`, a column), `attribute`, `group_name`,
//!   `reference_group`, `column_name`, `window_start` (`NULL` for a whole-table run), `value`,
//!   `lower`, `upper` (its interval), `n` (a window's rows; `NULL` for a whole-table run),
//!   `status`, `threshold_warn`, `threshold_fail`, `direction`, `risk_id`. Unique on (`run_id`,
//!   `finding_id`, `window_start`); indexed by `finding_id` (a series' trend).
//! - `risks` (version 2): each run's risks — `run_id`, `risk_id`, `title`, `category`, `score`,
//!   `rating`, `status`, `life_status`, the driving `metric` and `value`, `risk_json`.
//! - `decisions` (version 2): `decision_id`, `risk_id`, `system_id`, `decision`, `decided_by`,
//!   `reason`, `decided_at`, `review_date`; the latest on a risk counts.
//!
//! Version 1 (no `risks` or `decisions`; `metrics` keyed by run and finding only) is migrated in
//! the first writing transaction, every row kept.
//!
//! # Safety
//!
//! A database written by a newer fairgauge (a higher `user_version`) is refused, as is a file
//! that is not a SQLite database or a database with other tables: neither is ever recreated or
//! changed. The database is in WAL mode and each run is written in one immediate transaction
//! (waiting up to a minute for another writer; on PostgreSQL, holding an advisory lock), so
//! concurrent writers — two pipelines — queue and lose nothing; a failed write leaves no part of
//! the run behind.

mod db;
mod decide;
mod past;
mod read;
mod store;
mod tls;

pub use db::is_postgres_url;
pub use decide::{record_decision, Decision, DecisionKind};
pub use past::{load_past, Past, PastRisk, PastRun, PastSeries, TREND_RUNS};
pub use read::{
    export_metrics, metrics, register, runs, trend, MetricRow, RegisterRow, RunRow, METRIC_COLUMNS,
};
pub use store::{record_run, record_windows, WindowedRun, HISTORY_SCHEMA_VERSION};
