//! Assessments: fairness, drift and quality run against a policy, each result judged into a
//! finding (`pass`, `warn`, `fail`, `insufficient_data`, `error`) with its controls, findings
//! grouped into risks scored on a 5 × 5 matrix, all written as one [`Evidence`] document.
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

use crate::present::percent;
use std::collections::{BTreeMap, BTreeSet};

use fairgauge_core::fairness::{FairnessOptions, Metric, ReferenceSpec};

use crate::drift::{run_drift, DriftReport, DriftSpec};
use crate::error::{Error, Result};
use crate::evidence::controls;
use crate::evidence::document::{
    Category, ControlRef, Dataset, Evidence, Finding, FindingStatus, JudgedThreshold, Rating, Risk,
    Run, Subject, Summary, SCHEMA_VERSION,
};
use crate::evidence::ids::{now_rfc3339, stable_id, uuid_v4};
use crate::evidence::policy::{Direction, Policy, PolicySource, Roles, Threshold, Treatment};
use crate::fairness::{run_fairness, FairnessOutput, FairnessSpec};
use crate::io::source::Table;
use crate::quality::rules::RuleSet;
use crate::quality::{self, dataset_fingerprints, run_quality, QualityReport, QualitySpec};

pub use crate::evidence::policy::FAIRNESS_METRICS;

/// Quality checks that describe a column's shape rather than a defect: their warnings are
/// findings but do not open risks.
pub const SHAPE_CHECKS: [&str; 7] = [
    "outliers_iqr",
    "outliers_robust_z",
    "near_constant",
    "constant",
    "padded_text",
    "case_variants",
    "high_cardinality",
];

/// What to assess.
#[derive(Debug)]
pub struct AssessInput<'a> {
    /// The data assessed (e.g. this month's production inputs with the model's decisions).
    pub current: &'a Table,
    /// The reference (e.g. the training data), for drift and leakage.
    pub reference: Option<&'a Table>,
    /// The policy.
    pub policy: &'a Policy,
    /// Where it came from.
    pub policy_source: &'a PolicySource,
    /// Roles: the policy's, overridden by the command line.
    pub roles: Roles,
    /// Rules for the quality checks.
    pub rules: Option<RuleSet>,
    /// The command line, for the record.
    pub command_line: Vec<String>,
}

fn judge(value: f64, t: &Threshold) -> FindingStatus {
    match t.direction {
        Direction::Above if value > t.fail => FindingStatus::Fail,
        Direction::Above if value > t.warn => FindingStatus::Warn,
        Direction::Below if value < t.fail => FindingStatus::Fail,
        Direction::Below if value < t.warn => FindingStatus::Warn,
        _ => FindingStatus::Pass,
    }
}

fn judged(t: &Threshold) -> JudgedThreshold {
    JudgedThreshold {
        warn: t.warn,
        fail: t.fail,
        direction: t.direction,
    }
}

/// Whether a fail is at least twice past its threshold.
fn far_past(value: f64, t: &JudgedThreshold) -> bool {
    match t.direction {
        Direction::Above => t.fail > 0.0 && value >= 2.0 * t.fail,
        Direction::Below => value <= t.fail / 2.0,
    }
}

fn fmt(x: f64) -> String {
    format!("{x:.3}")
}

struct Builder<'a> {
    policy: &'a Policy,
    findings: Vec<Finding>,
    /// finding id → (risk key, risk title, description stem)
    risk_keys: BTreeMap<String, (String, String)>,
}

impl Builder<'_> {
    /// A check that could not run: an `error` finding feeding a "not assessed" risk.
    fn error(
        &mut self,
        kind: &str,
        category: Category,
        message: String,
        risk_key: &str,
        title: &str,
    ) {
        let metric = kind.split('.').next().unwrap_or(kind).to_string();
        self.add(
            &format!("{metric}.error"),
            category,
            FindingStatus::Error,
            &metric,
            None,
            None,
            None,
            None,
            Subject::default(),
            message,
            Some((risk_key.into(), title.into())),
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        kind: &str,
        category: Category,
        status: FindingStatus,
        metric: &str,
        value: Option<f64>,
        interval: Option<[f64; 2]>,
        p_value: Option<f64>,
        threshold: Option<JudgedThreshold>,
        subject: Subject,
        message: String,
        risk: Option<(String, String)>,
    ) {
        let subj = [
            subject.column.as_deref().unwrap_or(""),
            subject.attribute.as_deref().unwrap_or(""),
            subject.group.as_deref().unwrap_or(""),
            subject.reference_group.as_deref().unwrap_or(""),
        ];
        let id = stable_id("F-", &[kind, subj[0], subj[1], subj[2], subj[3]]);
        let mut ids: Vec<String> = match self.policy.controls.get(kind) {
            Some(v) => v.clone(),
            None => controls::builtin(kind)
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        if status == FindingStatus::Fail {
            // A failed threshold is a nonconformity (ISO/IEC 42001 10.2).
            ids.push("ISO42001:10.2".into());
        }
        let mut seen = BTreeSet::new();
        let controls = ids
            .iter()
            .filter(|i| seen.insert(i.to_string()))
            .filter_map(|i| controls::lookup(i))
            .map(|c| ControlRef {
                id: c.id.into(),
                framework: c.framework.into(),
                reference: c.reference.into(),
                title: c.title.into(),
            })
            .collect();
        // Shape remarks (outliers, spelling, cardinality) are findings, and risks only when they
        // fail; everything else that does not pass feeds a risk.
        let remark = SHAPE_CHECKS.iter().any(|c| kind == format!("quality.{c}"));
        let feeds_risk = match status {
            FindingStatus::Pass => false,
            FindingStatus::Fail => true,
            _ => !remark,
        };
        if let (Some(r), true) = (risk, feeds_risk) {
            self.risk_keys.insert(id.clone(), r);
        }
        self.findings.push(Finding {
            id,
            kind: kind.into(),
            category,
            status,
            metric: metric.into(),
            value,
            interval,
            p_value,
            threshold,
            subject,
            message,
            controls,
            risk_id: None,
        });
    }
}

/// Where an assessment's measurements come from: the tables themselves ([`assess`]), or parts
/// of them computed elsewhere and merged (Spark).
pub trait Measure {
    /// Quality of the current table, with leakage against the reference (whose facts the
    /// report carries when it read them).
    fn quality(&self, spec: &QualitySpec) -> Result<QualityReport>;
    /// Fingerprints of the current table, or of the reference.
    fn facts(&self, reference: bool) -> Result<quality::DatasetFacts>;
    /// Fairness of the current table.
    fn fairness(&self, spec: &FairnessSpec, opts: &FairnessOptions) -> Result<FairnessOutput>;
    /// Drift of the current table from the reference.
    fn drift(&self, spec: &DriftSpec) -> Result<DriftReport>;
}

/// Measurements read from the tables, in this process.
struct Local<'a> {
    current: &'a Table,
    reference: Option<&'a Table>,
}

impl Measure for Local<'_> {
    fn quality(&self, spec: &QualitySpec) -> Result<QualityReport> {
        run_quality(self.current, self.reference, spec, None)
    }
    fn facts(&self, reference: bool) -> Result<quality::DatasetFacts> {
        match (reference, self.reference) {
            (true, Some(r)) => dataset_fingerprints(r),
            _ => dataset_fingerprints(self.current),
        }
    }
    fn fairness(&self, spec: &FairnessSpec, opts: &FairnessOptions) -> Result<FairnessOutput> {
        run_fairness(self.current, spec, opts, None)
    }
    fn drift(&self, spec: &DriftSpec) -> Result<DriftReport> {
        match self.reference {
            Some(r) => run_drift(r, self.current, spec),
            None => Err(Error::InvalidOption("drift needs a reference table".into())),
        }
    }
}

/// The quality run an assessment asks for: the roles, the rules and the policy's thresholds.
pub fn quality_spec(policy: &Policy, roles: &Roles, rules: Option<RuleSet>) -> QualitySpec {
    let q = &policy.quality;
    QualitySpec {
        label: roles.label.clone(),
        sensitive: roles.sensitive.clone(),
        key: roles.key.clone(),
        rules,
        thresholds: quality::Thresholds {
            missing: (q.missing[0], q.missing[1]),
            duplicates: (q.duplicates[0], q.duplicates[1]),
            conflicting_labels: (q.conflicting_labels[0], q.conflicting_labels[1]),
            leakage: (q.leakage[0], q.leakage[1]),
            label_minority: (q.label_minority[0], q.label_minority[1]),
            missing_by_group: (q.missing_by_group[0], q.missing_by_group[1]),
            proxy: (q.proxy[0], q.proxy[1]),
            ..Default::default()
        },
        examples: 5,
        sketch: q.sketch,
    }
}

/// The fairness run an assessment asks for; `None` when the roles name no label or no
/// sensitive attribute.
pub fn fairness_spec(
    policy: &Policy,
    roles: &Roles,
    policy_source: &PolicySource,
) -> Result<Option<(FairnessSpec, FairnessOptions)>> {
    let (Some(label), false) = (&roles.label, roles.sensitive.is_empty()) else {
        return Ok(None);
    };
    let spec = FairnessSpec {
        label: label.clone(),
        prediction: roles.prediction.clone(),
        score: roles.score.clone(),
        threshold: roles.threshold,
        sensitive: roles.sensitive.clone(),
        positive_label: roles.positive_label.clone(),
    };
    let opts = FairnessOptions {
        confidence: policy.fairness.confidence,
        min_group_size: policy.fairness.min_group_size,
        reference: ReferenceSpec::parse(&roles.reference_group).map_err(|e| Error::Policy {
            path: policy_source.path.clone().unwrap_or_default(),
            message: format!("data.reference_group: {e}"),
        })?,
        ..Default::default()
    };
    Ok(Some((spec, opts)))
}

/// The drift run an assessment asks for.
pub fn drift_spec(policy: &Policy) -> DriftSpec {
    DriftSpec {
        dataset_threshold: Some(policy.drift.dataset_share),
        sketch: policy.drift.sketch,
        ..Default::default()
    }
}

/// Runs an assessment of the tables.
pub fn assess(input: &AssessInput<'_>) -> Result<Evidence> {
    assess_with(
        input,
        &Local {
            current: input.current,
            reference: input.reference,
        },
    )
}

/// Runs an assessment with measurements from `m`; `input`'s tables name the data (and their
/// columns are checked against the roles) but are read only through `m`.
pub fn assess_with(input: &AssessInput<'_>, m: &dyn Measure) -> Result<Evidence> {
    let started = now_rfc3339();
    let policy = input.policy;
    let roles = &input.roles;
    let mut b = Builder {
        policy,
        findings: vec![],
        risk_keys: BTreeMap::new(),
    };
    let mut results: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    let mut datasets = vec![];
    let to_json = |v: &dyn erased::Ser| v.to_value();
    // A role naming a missing column is an error of the request, not a finding.
    let mut wanted: Vec<&str> = vec![];
    wanted.extend(roles.label.as_deref());
    wanted.extend(roles.prediction.as_deref());
    wanted.extend(roles.score.as_deref());
    wanted.extend(roles.sensitive.iter().map(String::as_str));
    wanted.extend(roles.key.iter().map(String::as_str));
    input.current.require_columns(&wanted)?;

    // Quality (its pass also fingerprints the current table, and the reference's leakage pass
    // the reference).
    let mut reference_facts: Option<quality::DatasetFacts> = None;
    let current_fp = if policy.checks.quality {
        let spec = quality_spec(policy, roles, input.rules.clone());
        let report = m.quality(&spec)?;
        reference_facts = report.reference_facts().cloned();
        quality_findings(&mut b, &report);
        let fp = quality::DatasetFacts {
            rows: report.dataset.rows,
            columns: report.dataset.columns as u64,
            fingerprints: report.dataset.fingerprints.clone(),
            format: report.dataset.format.clone(),
        };
        results.insert("quality".into(), to_json(&report));
        fp
    } else {
        m.facts(false)?
    };
    datasets.push(dataset("current", input.current, &current_fp));
    if let Some(r) = input.reference {
        let fp = match reference_facts.take() {
            Some(f) => f,
            None => m.facts(true)?,
        };
        datasets.push(dataset("reference", r, &fp));
    }
    for d in &datasets {
        b.add(
            "provenance.fingerprints",
            Category::Provenance,
            FindingStatus::Pass,
            "content_fingerprint",
            None,
            None,
            None,
            None,
            Subject {
                column: None,
                attribute: None,
                group: Some(d.role.clone()),
                reference_group: None,
            },
            format!(
                "the {} data {} ({} rows × {} columns) is identified by {} and content {}",
                d.role,
                d.path.display(),
                d.rows,
                d.columns,
                match &d.file_sha256 {
                    Some(sha) => format!("file {sha}"),
                    None => "no file (an in-memory table)".into(),
                },
                d.content_fingerprint
            ),
            None,
        );
    }

    // Fairness.
    if policy.checks.fairness {
        match fairness_spec(policy, roles, input.policy_source)? {
            Some((spec, opts)) => {
                // Data that cannot be assessed for fairness (one group, a label that is not
                // binary, …) is an `error` finding; the other checks go on.
                match m.fairness(&spec, &opts) {
                    Ok(out) => {
                        fairness_findings(&mut b, &out.report, spec.prediction.is_some() || spec.score.is_some());
                        results.insert("fairness".into(), to_json(&out));
                    }
                    Err(e) => b.error(
                        "fairness",
                        Category::Bias,
                        format!("fairness could not be assessed: {e}"),
                        "fairness-error",
                        "Fairness not assessed",
                    ),
                }
            }
            None => b.error(
                "fairness",
                Category::Bias,
                "fairness was not assessed: the policy or command line names no label or no sensitive attribute (data.label, data.sensitive)".into(),
                "fairness-error",
                "Fairness not assessed",
            ),
        }
    }

    // Drift.
    if policy.checks.drift && input.reference.is_some() {
        let spec = drift_spec(policy);
        match m.drift(&spec) {
            Ok(report) => {
                drift_findings(&mut b, &report, roles);
                results.insert("drift".into(), to_json(&report));
            }
            Err(e) => b.error(
                "drift",
                Category::Drift,
                format!("drift could not be assessed: {e}"),
                "drift/error",
                "Drift not assessed",
            ),
        }
    }

    // Risks.
    let mut findings = b.findings;
    findings.sort_by(|x, y| {
        (
            x.category,
            &x.kind,
            &x.subject.column,
            &x.subject.attribute,
            &x.subject.group,
        )
            .cmp(&(
                y.category,
                &y.kind,
                &y.subject.column,
                &y.subject.attribute,
                &y.subject.group,
            ))
            .then(x.id.cmp(&y.id))
    });
    let risks = build_risks(policy, &input.policy.system.id, &mut findings, &b.risk_keys);
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for s in [
        FindingStatus::Pass,
        FindingStatus::Warn,
        FindingStatus::Fail,
        FindingStatus::InsufficientData,
        FindingStatus::Error,
    ] {
        counts.insert(s.as_str().into(), 0);
    }
    for f in &findings {
        *counts.entry(f.status.as_str().into()).or_default() += 1;
    }
    let mut by_rating: BTreeMap<String, u64> = ["low", "medium", "high", "critical"]
        .iter()
        .map(|r| (r.to_string(), 0))
        .collect();
    for r in &risks {
        *by_rating.entry(r.rating.as_str().into()).or_default() += 1;
    }
    let any = |s: FindingStatus| findings.iter().any(|f| f.status == s);
    let overall = if any(FindingStatus::Fail) || any(FindingStatus::Error) {
        FindingStatus::Fail
    } else if any(FindingStatus::Warn) {
        FindingStatus::Warn
    } else {
        FindingStatus::Pass
    };
    Ok(Evidence {
        schema_version: SCHEMA_VERSION.into(),
        run: Run {
            id: uuid_v4(),
            started_at: started,
            finished_at: now_rfc3339(),
            tool: "fairgauge".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            command_line: input.command_line.clone(),
            policy_sha256: input.policy_source.sha256.clone(),
            policy_path: input.policy_source.path.clone(),
            engine: None,
        },
        system: policy.system.clone(),
        roles: roles.clone(),
        datasets,
        findings,
        risks,
        summary: Summary {
            findings: counts,
            risks: by_rating,
            overall,
            passed: overall != FindingStatus::Fail,
        },
        results,
    })
}

mod erased {
    /// Serialises anything to a JSON value (a report that cannot be is recorded as null).
    pub trait Ser {
        fn to_value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

fn dataset(role: &str, t: &Table, f: &quality::DatasetFacts) -> Dataset {
    Dataset {
        role: role.into(),
        path: t.path.clone(),
        format: f.format.clone(),
        rows: f.rows,
        columns: f.columns,
        file_sha256: f.fingerprints.file_sha256.clone(),
        content_fingerprint: f.fingerprints.content.clone(),
        schema_fingerprint: f.fingerprints.schema.clone(),
    }
}

fn metric_name(m: Metric) -> &'static str {
    match m {
        Metric::SelectionRate => "selection rate",
        Metric::Tpr => "true positive rate",
        Metric::Fpr => "false positive rate",
        Metric::BaseRate => "base rate",
        _ => "rate",
    }
}

fn fairness_findings(
    b: &mut Builder<'_>,
    r: &fairgauge_core::fairness::FairnessReport,
    has_prediction: bool,
) {
    let fp = &b.policy.fairness;
    let th = |name: &str| fp.thresholds.get(name).copied();
    // Per group: impact ratios and rate differences against the reference.
    let per_group: Vec<(Metric, &str, bool)> = if has_prediction {
        vec![
            (Metric::SelectionRate, "selection_rate_ratio", true),
            (Metric::Tpr, "equal_opportunity_difference", false),
            (Metric::Fpr, "false_positive_rate_difference", false),
        ]
    } else {
        vec![(Metric::BaseRate, "base_rate_ratio", true)]
    };
    let mut insufficient: BTreeSet<(String, String)> = BTreeSet::new();
    for d in &r.disparities {
        let Some(&(metric, name, is_ratio)) = per_group.iter().find(|p| p.0 == d.metric) else {
            continue;
        };
        let Some(t) = th(name) else { continue };
        let subject = Subject {
            column: None,
            attribute: Some(d.attribute.clone()),
            group: Some(d.group.clone()),
            reference_group: Some(d.reference.clone()),
        };
        let risk = |attr: &str| {
            let (key, title) = match metric {
                Metric::SelectionRate => (
                    "selection_rate",
                    format!("Disparate selection rates by {attr}"),
                ),
                Metric::Tpr => ("tpr", format!("Disparate true positive rates by {attr}")),
                Metric::Fpr => ("fpr", format!("Disparate false positive rates by {attr}")),
                _ => ("base_rate", format!("Label bias by {attr} in the data")),
            };
            (format!("bias/{key}/{attr}"), title)
        };
        if d.insufficient_data {
            insufficient.insert((d.attribute.clone(), d.group.clone()));
            continue;
        }
        let value = if is_ratio {
            d.ratio.map(|r| if r > 1.0 { 1.0 / r } else { r })
        } else {
            d.difference.map(f64::abs)
        };
        let Some(v) = value.filter(|v| v.is_finite()) else {
            b.add(
                &format!("fairness.{name}"),
                Category::Bias,
                FindingStatus::InsufficientData,
                name,
                None,
                None,
                None,
                Some(judged(&t)),
                subject,
                format!(
                    "the {} of `{}` = {} cannot be compared with {}: {}",
                    metric_name(metric),
                    d.attribute,
                    d.group,
                    d.reference,
                    d.undefined
                        .clone()
                        .unwrap_or_else(|| "a rate is undefined".into())
                ),
                Some(risk(&d.attribute)),
            );
            continue;
        };
        let mut status = judge(v, &t);
        let mut note = String::new();
        if status == FindingStatus::Fail && fp.require_significance {
            if let Some(p) = d.p_value {
                if p >= fp.alpha {
                    status = FindingStatus::Warn;
                    note = format!(
                        " (past the fail threshold, but not significant: p = {p:.3} ≥ {})",
                        fp.alpha
                    );
                }
            }
        }
        let (gv, rv) = (
            d.value.unwrap_or(f64::NAN),
            d.reference_value.unwrap_or(f64::NAN),
        );
        let message = if is_ratio {
            format!(
                "{} = {} has a {} of {} against {} for {} (ratio {}; the four-fifths rule asks for at least {}){note}",
                d.attribute,
                d.group,
                metric_name(metric),
                percent(gv),
                percent(rv),
                d.reference,
                fmt(v),
                t.fail
            )
        } else {
            format!(
                "{} = {} has a {} of {} against {} for {}: a gap of {:.1} points (fail above {}){note}",
                d.attribute,
                d.group,
                metric_name(metric),
                percent(gv),
                percent(rv),
                d.reference,
                v * 100.0,
                t.fail * 100.0
            )
        };
        b.add(
            &format!("fairness.{name}"),
            Category::Bias,
            status,
            name,
            Some(v),
            // The interval of the gap's size: the difference's, mirrored when it is negative.
            if is_ratio {
                None
            } else {
                d.difference_ci.map(|[lo, hi]| {
                    if d.difference.unwrap_or(0.0) < 0.0 {
                        [-hi, -lo]
                    } else {
                        [lo, hi]
                    }
                })
            },
            d.p_value,
            Some(judged(&t)),
            subject,
            message,
            Some(risk(&d.attribute)),
        );
    }
    for (attr, group) in insufficient {
        let n = r
            .groups
            .iter()
            .find(|g| g.attribute == attr && g.group == group)
            .map(|g| g.count)
            .unwrap_or(0);
        b.add(
            "fairness.insufficient_data",
            Category::Bias,
            FindingStatus::InsufficientData,
            "group_size",
            Some(n as f64),
            None,
            None,
            None,
            Subject {
                column: None,
                attribute: Some(attr.clone()),
                group: Some(group.clone()),
                reference_group: None,
            },
            format!(
                "{attr} = {group} has {n} rows, fewer than the {} needed to judge it: its fairness is not assessed",
                r.min_group_size
            ),
            Some((format!("bias/insufficient/{attr}"), format!("Groups of {attr} too small to assess"))),
        );
    }
    // Per attribute: Fairlearn's between-group summaries.
    if has_prediction {
        for (attr, s) in &r.summary {
            for name in ["demographic_parity_difference", "equalized_odds_difference"] {
                let Some(t) = th(name) else { continue };
                let Some(Some(v)) = s.metrics.get(name) else {
                    continue;
                };
                let status = judge(*v, &t);
                let (key, title) = if name == "demographic_parity_difference" {
                    (
                        "selection_rate",
                        format!("Disparate selection rates by {attr}"),
                    )
                } else {
                    (
                        "equalized_odds",
                        format!("Unequal error rates (equalized odds) by {attr}"),
                    )
                };
                b.add(
                    &format!("fairness.{name}"),
                    Category::Bias,
                    status,
                    name,
                    Some(*v),
                    None,
                    None,
                    Some(judged(&t)),
                    Subject {
                        column: None,
                        attribute: Some(attr.clone()),
                        group: None,
                        reference_group: None,
                    },
                    format!(
                        "the {} across the groups of {attr} is {} (fail above {}; Fairlearn's between-groups definition)",
                        name.replace('_', " "),
                        fmt(*v),
                        t.fail
                    ),
                    Some((format!("bias/{key}/{attr}"), title)),
                );
            }
        }
    }
}

fn drift_findings(b: &mut Builder<'_>, r: &crate::drift::DriftReport, roles: &Roles) {
    let dp = &b.policy.drift;
    let t = JudgedThreshold {
        warn: dp.psi_warn,
        fail: dp.psi_fail,
        direction: Direction::Above,
    };
    let mut drifted = 0usize;
    let mut assessed = 0usize;
    for c in &r.columns {
        let role = if Some(&c.name) == roles.label.as_ref() {
            "Label drift"
        } else if Some(&c.name) == roles.prediction.as_ref()
            || Some(&c.name) == roles.score.as_ref()
        {
            "Prediction drift"
        } else {
            "Covariate drift"
        };
        let risk = Some((format!("drift/{}", c.name), format!("{role} in {}", c.name)));
        let subject = Subject {
            column: Some(c.name.clone()),
            ..Default::default()
        };
        let Some(psi) = c.effects.get("psi").copied().filter(|v| v.is_finite()) else {
            b.add(
                "drift.psi",
                Category::Drift,
                FindingStatus::Error,
                "psi",
                None,
                None,
                None,
                Some(t),
                subject,
                format!(
                    "drift of `{}` could not be measured: {}",
                    c.name,
                    if c.warnings.is_empty() {
                        "no PSI".to_string()
                    } else {
                        c.warnings.join("; ")
                    }
                ),
                risk,
            );
            continue;
        };
        assessed += 1;
        let status = judge(
            psi,
            &Threshold {
                warn: t.warn,
                fail: t.fail,
                direction: Direction::Above,
            },
        );
        if status != FindingStatus::Pass {
            drifted += 1;
        }
        b.add(
            "drift.psi",
            Category::Drift,
            status,
            "psi",
            Some(psi),
            None,
            c.p_value_adjusted,
            Some(t),
            subject,
            format!(
                "`{}` moved from the reference by PSI {} (warn above {}, fail above {}); {} statistic {}{}",
                c.name,
                fmt(psi),
                t.warn,
                t.fail,
                serde_json::to_value(c.method)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                c.statistic.map(fmt).unwrap_or_else(|| "n/a".into()),
                c.p_value_adjusted
                    .map(|p| format!(", adjusted p {}", crate::present::p_value_short(p)))
                    .unwrap_or_default()
            ),
            risk,
        );
    }
    if assessed > 0 {
        let share = drifted as f64 / assessed as f64;
        let status = if share >= dp.dataset_share {
            FindingStatus::Fail
        } else if drifted > 0 {
            FindingStatus::Warn
        } else {
            FindingStatus::Pass
        };
        b.add(
            "drift.dataset",
            Category::Drift,
            status,
            "drifted_column_share",
            Some(share),
            None,
            None,
            Some(JudgedThreshold {
                warn: 0.0,
                fail: dp.dataset_share,
                direction: Direction::Above,
            }),
            Subject::default(),
            format!(
                "{drifted} of {assessed} columns drifted (PSI above {}); the dataset drifts from a share of {}",
                dp.psi_warn, dp.dataset_share
            ),
            Some(("drift/dataset".into(), "Dataset drift".into())),
        );
    }
}

fn quality_findings(b: &mut Builder<'_>, r: &quality::QualityReport) {
    for c in &r.checks {
        let (kind, risk): (String, (String, String)) = if c.id.starts_with("rule.") {
            let col = c.column.clone().unwrap_or_default();
            (
                format!("quality.rule_{}", c.check.trim_start_matches("rule.")),
                (
                    format!("quality/rule/{col}"),
                    format!("Rule violations in {col}"),
                ),
            )
        } else {
            let col = c.column.clone().unwrap_or_default();
            let attr = c.attribute.clone().unwrap_or_default();
            let title = match c.check.as_str() {
                "missing" | "placeholders" => format!("Missing values in {col}"),
                "duplicates" => "Duplicate rows".into(),
                "duplicate_keys" => format!("Duplicate keys ({col})"),
                "leakage" => "Train/test leakage".into(),
                "conflicting_labels" => "Conflicting labels".into(),
                "label_balance" => format!("Imbalanced label {col}"),
                "proxy" => format!("Proxy for {attr}: {col}"),
                "missingness_by_group" => format!("Missingness differs by {attr}"),
                "empty_rows" => "Empty rows".into(),
                other => format!("{} in {col}", other.replace('_', " ")),
            };
            let key_check = if c.check == "placeholders" {
                "missing"
            } else {
                c.check.as_str()
            };
            (
                format!("quality.{}", c.check),
                (format!("quality/{key_check}/{col}/{attr}"), title),
            )
        };
        let status = match c.status {
            quality::Status::Pass => FindingStatus::Pass,
            quality::Status::Warn => FindingStatus::Warn,
            quality::Status::Fail => FindingStatus::Fail,
        };
        let threshold = c
            .threshold
            .as_ref()
            .filter(|t| t.fail.is_finite())
            .map(|t| JudgedThreshold {
                warn: t.warn,
                fail: t.fail,
                direction: if t.direction == "below" {
                    Direction::Below
                } else {
                    Direction::Above
                },
            });
        b.add(
            &kind,
            Category::DataQuality,
            status,
            &c.check,
            c.value,
            None,
            None,
            threshold,
            Subject {
                column: c.column.clone(),
                attribute: c.attribute.clone(),
                group: None,
                reference_group: None,
            },
            match &c.column {
                Some(col)
                    if !c.message.contains(&format!("`{col}`"))
                        && !c.id.starts_with("dataset.") =>
                {
                    format!("`{col}`: {}", c.message)
                }
                _ => c.message.clone(),
            },
            Some(risk),
        );
    }
}

fn impact_of(policy: &Policy, c: Category) -> u8 {
    let r = &policy.risk;
    match c {
        Category::Bias => r.impact_bias,
        Category::DataQuality => r.impact_data_quality,
        Category::Drift => r.impact_drift,
        Category::Provenance => r.impact_provenance,
    }
}

fn build_risks(
    policy: &Policy,
    system_id: &str,
    findings: &mut [Finding],
    keys: &BTreeMap<String, (String, String)>,
) -> Vec<Risk> {
    let mut groups: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        if let Some((key, title)) = keys.get(&f.id) {
            groups
                .entry(key.clone())
                .or_insert_with(|| (title.clone(), vec![]))
                .1
                .push(i);
        }
    }
    let alpha = policy.fairness.alpha;
    let mut risks = vec![];
    for (key, (title, idx)) in groups {
        let category = findings[idx[0]].category;
        let id = stable_id("R-", &[system_id, category.as_str(), &key]);
        let mut likelihood = 1u8;
        let mut impact = impact_of(policy, category);
        let mut bump = false;
        let mut worst: Option<&Finding> = None;
        let mut controls: Vec<ControlRef> = vec![];
        for &i in &idx {
            let f = &findings[i];
            let l = match f.status {
                FindingStatus::Fail if f.p_value.is_some_and(|p| p < alpha) => 4,
                FindingStatus::Fail | FindingStatus::Error => 3,
                FindingStatus::Warn | FindingStatus::InsufficientData => 2,
                FindingStatus::Pass => 1,
            };
            likelihood = likelihood.max(l);
            if f.status == FindingStatus::Fail {
                if let (Some(v), Some(t)) = (f.value, &f.threshold) {
                    bump |= far_past(v, t);
                }
            }
            if worst.is_none_or(|w| f.status > w.status) {
                worst = Some(f);
            }
            for c in &f.controls {
                if !controls.iter().any(|x| x.id == c.id) {
                    controls.push(c.clone());
                }
            }
        }
        if bump {
            impact = (impact + 1).min(5);
        }
        let score = likelihood * impact;
        let rating = Rating::of(score);
        let t = &policy.risk.treatment;
        let treatment: Treatment = match rating {
            Rating::Critical => t.critical,
            Rating::High => t.high,
            Rating::Medium => t.medium,
            Rating::Low => t.low,
        };
        let n_fail = idx
            .iter()
            .filter(|&&i| findings[i].status == FindingStatus::Fail)
            .count();
        let description = format!(
            "{} finding(s), {n_fail} failing. {}",
            idx.len(),
            worst.map(|w| w.message.clone()).unwrap_or_default()
        );
        for &i in &idx {
            findings[i].risk_id = Some(id.clone());
        }
        controls.sort_by(|a, b| a.id.cmp(&b.id));
        risks.push(Risk {
            id,
            title,
            description,
            category,
            likelihood,
            impact,
            score,
            rating,
            treatment,
            status: "open".into(),
            findings: idx.iter().map(|&i| findings[i].id.clone()).collect(),
            controls,
        });
    }
    risks.sort_by(|a, b| b.score.cmp(&a.score).then(a.id.cmp(&b.id)));
    risks
}
