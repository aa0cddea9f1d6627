//! Assessments: fairness, drift and quality run against a policy, each result judged into a
//! finding (`pass`, `warn`, `fail`, `insufficient_data`, `error`) with its controls, findings
//! grouped into risks scored on a 5 × 5 matrix, all written as one [`Evidence`](crate::evidence::document::Evidence) document.
//!
//! Conventions (each tested):
//! - **Fairness** (with a prediction or score): per group and reference group, the selection-rate
//!   impact ratio `min(r, 1/r)` where `r` is the group's selection rate over the reference's (the
//!   four-fifths rule compares the less favoured of the two); the absolute TPR and FPR
//!   differences (equal opportunity, false positive rate parity), each with the
//!   two-proportion test behind it; per attribute, Fairlearn's demographic-parity and
//!   equalized-odds differences (between groups). Without a prediction, the labels' base-rate
//!   impact ratio (dataset bias). Groups below `min_group_size` give `insufficient_data`.
//!   With `require_significance`, a fail whose test has p ≥ `alpha` is a warn.
//! - **Drift** (with a reference): every column's population stability index against
//!   `psi_warn` / `psi_fail`, the method's own test reported beside it; the dataset drifts when the
//!   share of columns above `psi_warn` reaches `dataset_share`.
//! - **Quality**: every check of [`crate::quality`] with the policy's thresholds.
//! - **Provenance**: each dataset's file, content and schema fingerprints (a pass that records
//!   them, ISO/IEC 42001 A.7.5).
//! - **Risks**: non-pass findings grouped by what they are about; likelihood is the highest of
//!   its findings' (4 a significant fail, 3 another fail, 2 a warn or insufficient data); impact
//!   the category's (policy), plus 1 when a fail is at least twice past its threshold; rating
//!   from likelihood × impact (1–4 low, 5–9 medium, 10–16 high, 20–25 critical) and treatment
//!   from the rating (policy). Warnings of shape checks ([`SHAPE_CHECKS`]: outliers, spelling,
//!   cardinality) stay findings without opening a risk.
//!
//! One file per step: [`measure`] (what is measured, and where), [`builder`] (a measurement
//! judged into a finding), [`fairness`], [`drift`] and [`quality`] findings, [`risks`],
//! [`run`] (one assessment, start to end), and [`judge`] (one analysis judged on its own, for
//! `--fail-on`).

pub mod builder;
pub mod drift;
pub mod fairness;
pub mod judge;
pub mod life;
pub mod measure;
pub mod quality;
pub mod risks;
pub mod run;

pub use crate::evidence::policy::FAIRNESS_METRICS;
pub use builder::SHAPE_CHECKS;
pub use judge::{
    fails_at, judge_drift, judge_fairness, judge_multiclass, judge_quality, judge_ranking,
    judge_regression,
};
pub use measure::{drift_spec, fairness_spec, quality_spec, AssessInput, Measure};
pub use run::{assess, assess_with};
