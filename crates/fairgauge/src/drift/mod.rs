//! Drift between a reference and a current table: per-column two-sample tests and distances,
//! the method chosen per column as Evidently does unless overridden, multiple-testing correction
//! across the p-value methods, null shares, new and vanished categories, and dataset drift (the
//! share of drifted columns against a threshold).
//!
//! Conventions (each tested):
//! - nulls (and NaN) are left out of every distribution test; each table's null share and its
//!   change are reported; infinite values are left out too, with a warning;
//! - a text column whose every value parses as a number is numeric (UCI files store numbers as
//!   text);
//! - histogram methods on a numeric column use bins at the reference's deciles
//!   ([`fairgauge_core::drift::categorical::quantile_bin_edges`], `--bins`), or the distinct values
//!   themselves when there are no more of them than bins;
//! - `auto` follows Evidently's rule: with at most 1000 reference values, KS for numeric columns
//!   with more than 5 distinct values, else chi-square (z-test for two values); with more,
//!   normed Wasserstein for numeric columns with more than 5 distinct values, else Jensen–Shannon;
//! - a p-value method flags drift when its corrected p-value is below its threshold
//!   (default 0.05); a distance flags drift when it is at or above its threshold (default 0.1);
//! - the dataset drifts when the share of drifted columns is at or above `--dataset-threshold`
//!   (default 0.5), as Evidently's `DatasetDriftMetric`.
//!
//! One file per step: [`spec`] and [`report`] (what is asked and answered), [`read`] (a column
//! read into its samples), [`compute`] (one column compared), [`run`] (in one process or in
//! parts), [`fairness_drift`](mod@fairness_drift).

pub mod compute;
pub mod fairness_drift;
pub mod read;
pub mod report;
pub mod run;
pub mod spec;

pub use fairness_drift::fairness_drift;
pub use report::*;
pub use run::{drift_part, finish_drift, plan_drift, run_drift, DriftPart, DriftPlan, Side};
pub use spec::{Correction, DriftSpec, Method};
