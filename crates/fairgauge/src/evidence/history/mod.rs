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

mod decide;
mod past;
mod read;
mod store;

pub use decide::{record_decision, Decision, DecisionKind};
pub use past::{load_past, Past, PastRisk, PastRun, PastSeries};
pub use read::{
    export_metrics, metrics, register, runs, trend, MetricRow, RegisterRow, RunRow, METRIC_COLUMNS,
};
pub use store::{record_run, record_windows, WindowedRun, HISTORY_SCHEMA_VERSION};
