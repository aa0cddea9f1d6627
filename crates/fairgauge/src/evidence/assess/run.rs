//! One assessment run: the roles checked, quality, fairness and drift measured and judged,
//! findings sorted, risks built and the evidence document assembled.

use super::builder::*;
use super::drift::*;
use super::fairness::*;
use super::life::*;
use super::measure::*;
use super::quality::*;
use super::risks::*;
use crate::error::Result;
use crate::estimate::EstimateSpec;
use crate::evidence::document::{
    Category, Dataset, Evidence, Finding, FindingStatus, Risk, Run, Subject, Summary,
    SCHEMA_VERSION,
};
use crate::evidence::ids::{now_rfc3339, uuid_v4};
use crate::evidence::policy::Roles;
use crate::fairness::TaskOutput;
use crate::io::source::Table;
use crate::quality::{self};
use std::collections::BTreeMap;

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
    let mut b = Builder {
        policy,
        findings: vec![],
        risk_keys: BTreeMap::new(),
        series_keys: BTreeMap::new(),
    };
    let mut results: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    // A current table without its label column is assessed without labels when the policy
    // allows it (fairness estimated from calibrated scores; quality without label checks).
    let estimate = match estimate_spec(policy, &input.roles) {
        Some(spec) if !m.has_column(&spec.label)? => Some(spec),
        _ => None,
    };
    let present = Roles {
        label: input.roles.label.clone().filter(|_| estimate.is_none()),
        ..input.roles.clone()
    };
    require_roles(input.current, &present)?;
    let datasets = quality_and_provenance(input, &present, m, &mut b, &mut results)?;
    if policy.checks.fairness {
        match &estimate {
            Some(spec) => estimate_part(spec, m, &mut b, &mut results),
            None => fairness_part(input, m, &mut b, &mut results)?,
        }
    }
    if policy.checks.drift && input.reference.is_some() {
        let spec = drift_spec(policy);
        match m.drift(&spec) {
            Ok(report) => {
                drift_findings(&mut b, &report, &input.roles);
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
    if let Some(past) = input.history {
        results.insert("history".into(), anomaly_findings(&mut b, past));
    }
    let mut findings = b.findings;
    sort_findings(&mut findings);
    let mut risks = build_risks(policy, &input.policy.system.id, &mut findings, &b.risk_keys);
    let finished_at = now_rfc3339();
    let resolved_risks = match input.history {
        Some(past) => risk_lives(policy, &mut risks, &findings, (past, &finished_at)),
        None => vec![],
    };
    let summary = summarise(&findings, &risks);
    Ok(Evidence {
        schema_version: SCHEMA_VERSION.into(),
        run: Run {
            id: uuid_v4(),
            started_at: started,
            finished_at,
            tool: "fairgauge".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            command_line: input.command_line.clone(),
            policy_sha256: input.policy_source.sha256.clone(),
            policy_path: input.policy_source.path.clone(),
            engine: None,
            ledger: None,
        },
        system: policy.system.clone(),
        roles: input.roles.clone(),
        datasets,
        findings,
        risks,
        resolved_risks,
        summary,
        results,
    })
}

/// A report as JSON for `results` (a report that cannot be is recorded as null).
fn to_json(v: &dyn erased::Ser) -> serde_json::Value {
    v.to_value()
}

/// A role naming a missing column is an error of the request, not a finding.
fn require_roles(current: &Table, roles: &Roles) -> Result<()> {
    let mut wanted: Vec<&str> = vec![];
    wanted.extend(roles.label.as_deref());
    wanted.extend(roles.prediction.as_deref());
    wanted.extend(roles.score.as_deref());
    wanted.extend(roles.sensitive.iter().map(String::as_str));
    wanted.extend(roles.key.iter().map(String::as_str));
    current.require_columns(&wanted)
}

/// Quality, judged (its pass also fingerprints the current table, and the reference's leakage
/// pass the reference), and one provenance finding per dataset. Returns the datasets.
fn quality_and_provenance(
    input: &AssessInput<'_>,
    roles: &Roles,
    m: &dyn Measure,
    b: &mut Builder<'_>,
    results: &mut BTreeMap<String, serde_json::Value>,
) -> Result<Vec<Dataset>> {
    let policy = input.policy;
    let mut reference_facts: Option<quality::DatasetFacts> = None;
    let current_fp = if policy.checks.quality {
        let spec = quality_spec(policy, roles, input.rules.clone());
        let report = m.quality(&spec)?;
        reference_facts = report.reference_facts().cloned();
        quality_findings(b, &report);
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
    let mut datasets = vec![dataset("current", input.current, &current_fp)];
    if let Some(r) = input.reference {
        let fp = match reference_facts.take() {
            Some(f) => f,
            None => m.facts(true)?,
        };
        datasets.push(dataset("reference", r, &fp));
    }
    for d in &datasets {
        b.add(Judged {
            subject: Subject {
                column: None,
                attribute: None,
                group: Some(d.role.clone()),
                reference_group: None,
                class: None,
            },
            ..Judged::new(
                "provenance.fingerprints",
                Category::Provenance,
                FindingStatus::Pass,
                "content_fingerprint",
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
            )
        });
    }
    Ok(datasets)
}

/// Fairness estimated without labels (the current table has no label column and the policy
/// allows it), judged; an estimate that cannot be made is an `error` finding.
fn estimate_part(
    spec: &EstimateSpec,
    m: &dyn Measure,
    b: &mut Builder<'_>,
    results: &mut BTreeMap<String, serde_json::Value>,
) {
    match m.estimate(spec) {
        Ok(out) => {
            estimate_findings(b, &out);
            results.insert("fairness".into(), to_json(&out));
        }
        Err(e) => b.error(
            "fairness",
            Category::Bias,
            format!(
                "the current data has no label column `{}`, and fairness could not be estimated without it: {e}",
                spec.label
            ),
            "fairness-error",
            "Fairness not assessed",
        ),
    }
}

/// Fairness, judged. Data that cannot be assessed for fairness (one group, a label that is not
/// binary, …) is an `error` finding; the other checks go on.
fn fairness_part(
    input: &AssessInput<'_>,
    m: &dyn Measure,
    b: &mut Builder<'_>,
    results: &mut BTreeMap<String, serde_json::Value>,
) -> Result<()> {
    match fairness_spec(input.policy, &input.roles, input.policy_source)? {
        Some((spec, opts)) => match m.fairness(&spec, &opts) {
            Ok(TaskOutput::Binary(out)) => {
                fairness_findings(b, &out.report, spec.prediction.is_some() || spec.score.is_some());
                mark_estimated(b, &out.membership);
                results.insert("fairness".into(), to_json(&out));
            }
            Ok(TaskOutput::Multiclass(out)) => {
                multiclass_findings(b, &out.report);
                results.insert("fairness".into(), to_json(&out));
            }
            Ok(TaskOutput::Regression(out)) => {
                regression_findings(b, &out.report);
                results.insert("fairness".into(), to_json(&out));
            }
            Ok(TaskOutput::Ranking(out)) => {
                ranking_findings(b, &out.report);
                results.insert("fairness".into(), to_json(&out));
            }
            Err(e) => b.error(
                "fairness",
                Category::Bias,
                format!("fairness could not be assessed: {e}"),
                "fairness-error",
                "Fairness not assessed",
            ),
        },
        None => b.error(
            "fairness",
            Category::Bias,
            "fairness was not assessed: the policy or command line names no label or no sensitive attribute (data.label, data.sensitive)".into(),
            "fairness-error",
            "Fairness not assessed",
        ),
    }
    Ok(())
}

/// Findings in a fixed order: category, kind, subject (column, attribute, group, class), then
/// id.
pub(crate) fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|x, y| {
        (
            x.category,
            &x.kind,
            &x.subject.column,
            &x.subject.attribute,
            &x.subject.group,
            &x.subject.class,
        )
            .cmp(&(
                y.category,
                &y.kind,
                &y.subject.column,
                &y.subject.attribute,
                &y.subject.group,
                &y.subject.class,
            ))
            .then(x.id.cmp(&y.id))
    });
}

/// Findings per verdict, risks per rating, and the overall verdict (fail when any finding fails
/// or errs, warn when any warns).
fn summarise(findings: &[Finding], risks: &[Risk]) -> Summary {
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
    for f in findings {
        *counts.entry(f.status.as_str().into()).or_default() += 1;
    }
    let mut by_rating: BTreeMap<String, u64> = ["low", "medium", "high", "critical"]
        .iter()
        .map(|r| (r.to_string(), 0))
        .collect();
    for r in risks {
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
    Summary {
        findings: counts,
        risks: by_rating,
        overall,
        passed: overall != FindingStatus::Fail,
    }
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

pub(crate) fn dataset(role: &str, t: &Table, f: &quality::DatasetFacts) -> Dataset {
    Dataset {
        role: role.into(),
        path: t.name().to_path_buf(),
        format: f.format.clone(),
        rows: f.rows,
        columns: f.columns,
        file_sha256: f.fingerprints.file_sha256.clone(),
        content_fingerprint: f.fingerprints.content.clone(),
        schema_fingerprint: f.fingerprints.schema.clone(),
    }
}
