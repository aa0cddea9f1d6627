//! One analysis judged on its own, as `assess` would judge it: the findings a fairness, drift or
//! quality report gives under a policy, for `--fail-on` on the analysis subcommands (a pipeline
//! gate without an evidence document).

use super::builder::*;
use super::drift::*;
use super::fairness::*;
use super::quality::*;
use super::run::sort_findings;
use crate::drift::DriftReport;
use crate::evidence::document::{Finding, FindingStatus};
use crate::evidence::policy::{Policy, Roles};
use crate::quality::QualityReport;
use fairgauge_core::fairness::multiclass::MulticlassReport;
use fairgauge_core::fairness::ranking::RankingReport;
use fairgauge_core::fairness::regression::RegressionReport;
use fairgauge_core::fairness::FairnessReport;
use std::collections::BTreeMap;

fn findings_of(policy: &Policy, add: impl FnOnce(&mut Builder<'_>)) -> Vec<Finding> {
    let mut b = Builder {
        policy,
        findings: vec![],
        risk_keys: BTreeMap::new(),
        series_keys: BTreeMap::new(),
    };
    add(&mut b);
    let mut findings = b.findings;
    sort_findings(&mut findings);
    findings
}

/// The fairness findings `assess` makes of `report` under `policy`; `has_decisions` when the
/// report measured a model's decisions (a prediction or a score), not only the labels.
pub fn judge_fairness(
    policy: &Policy,
    report: &FairnessReport,
    has_decisions: bool,
) -> Vec<Finding> {
    findings_of(policy, |b| fairness_findings(b, report, has_decisions))
}

/// The fairness findings `assess` makes of a multiclass report under `policy`: every class's,
/// judged one-vs-rest.
pub fn judge_multiclass(policy: &Policy, report: &MulticlassReport) -> Vec<Finding> {
    findings_of(policy, |b| multiclass_findings(b, report))
}

/// The fairness findings `assess` makes of a regression report under `policy`: the
/// between-group summaries it has thresholds for.
pub fn judge_regression(policy: &Policy, report: &RegressionReport) -> Vec<Finding> {
    findings_of(policy, |b| regression_findings(b, report))
}

/// The fairness findings `assess` makes of a ranking report under `policy`: the between-group
/// summaries it has thresholds for.
pub fn judge_ranking(policy: &Policy, report: &RankingReport) -> Vec<Finding> {
    findings_of(policy, |b| ranking_findings(b, report))
}

/// The drift findings `assess` makes of `report` under `policy` (`roles` name the label and
/// prediction columns, whose drift is label or prediction drift).
pub fn judge_drift(policy: &Policy, report: &DriftReport, roles: &Roles) -> Vec<Finding> {
    findings_of(policy, |b| drift_findings(b, report, roles))
}

/// The quality findings `assess` makes of `report` (its checks were judged with the thresholds
/// of the spec it ran with: see [`super::quality_spec`]).
pub fn judge_quality(policy: &Policy, report: &QualityReport) -> Vec<Finding> {
    findings_of(policy, |b| quality_findings(b, report))
}

/// Whether a finding stops a pipeline that fails on `level`: `fail` and `error` always,
/// `warn` too when `level` is [`FindingStatus::Warn`].
pub fn fails_at(f: &Finding, level: FindingStatus) -> bool {
    match f.status {
        FindingStatus::Fail | FindingStatus::Error => true,
        FindingStatus::Warn => level == FindingStatus::Warn,
        _ => false,
    }
}
