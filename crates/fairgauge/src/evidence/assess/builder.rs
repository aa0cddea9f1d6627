//! How a measurement becomes a finding: judged against its threshold, with a stable id, the
//! policy's controls and the risk it belongs to.

use crate::evidence::controls;
use crate::evidence::document::{
    Category, ControlRef, Finding, FindingStatus, JudgedThreshold, Subject,
};
use crate::evidence::ids::stable_id;
use crate::evidence::policy::{Direction, Policy, Threshold};
use fairgauge_core::fairness::Metric;
use std::collections::{BTreeMap, BTreeSet};

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

pub(crate) fn judge(value: f64, t: &Threshold) -> FindingStatus {
    match t.direction {
        Direction::Above if value > t.fail => FindingStatus::Fail,
        Direction::Above if value > t.warn => FindingStatus::Warn,
        Direction::Below if value < t.fail => FindingStatus::Fail,
        Direction::Below if value < t.warn => FindingStatus::Warn,
        _ => FindingStatus::Pass,
    }
}

pub(crate) fn judged(t: &Threshold) -> JudgedThreshold {
    JudgedThreshold {
        warn: t.warn,
        fail: t.fail,
        direction: t.direction,
    }
}

/// Whether a fail is at least twice past its threshold.
pub(crate) fn far_past(value: f64, t: &JudgedThreshold) -> bool {
    match t.direction {
        Direction::Above => t.fail > 0.0 && value >= 2.0 * t.fail,
        Direction::Below => value <= t.fail / 2.0,
    }
}

pub(crate) fn fmt(x: f64) -> String {
    format!("{x:.3}")
}

pub(crate) fn metric_name(m: Metric) -> &'static str {
    match m {
        Metric::SelectionRate => "selection rate",
        Metric::Tpr => "true positive rate",
        Metric::Fpr => "false positive rate",
        Metric::BaseRate => "base rate",
        _ => "rate",
    }
}

/// A measurement judged, before it becomes a finding: set the fields by name,
/// `Judged { value: Some(v), ..Judged::new(kind, category, status, metric, message) }`.
pub(crate) struct Judged {
    /// What was checked (`fairness.selection_rate_ratio`, `quality.missing`, …).
    pub(crate) kind: String,
    pub(crate) category: Category,
    pub(crate) status: FindingStatus,
    /// The metric measured.
    pub(crate) metric: String,
    pub(crate) value: Option<f64>,
    pub(crate) interval: Option<[f64; 2]>,
    pub(crate) p_value: Option<f64>,
    pub(crate) threshold: Option<JudgedThreshold>,
    pub(crate) subject: Subject,
    /// What was found, in a sentence.
    pub(crate) message: String,
    /// The risk it feeds: (key, title).
    pub(crate) risk: Option<(String, String)>,
    /// A further part of its id, when kind and subject do not tell it from another finding
    /// (an anomaly: the metric and the rule).
    pub(crate) id_extra: Option<String>,
}

impl Judged {
    /// A judgement with nothing measured, about nothing in particular, feeding no risk.
    pub(crate) fn new(
        kind: &str,
        category: Category,
        status: FindingStatus,
        metric: &str,
        message: String,
    ) -> Judged {
        Judged {
            kind: kind.to_string(),
            category,
            status,
            metric: metric.to_string(),
            value: None,
            interval: None,
            p_value: None,
            threshold: None,
            subject: Subject::default(),
            message,
            risk: None,
            id_extra: None,
        }
    }
}

pub(crate) struct Builder<'a> {
    pub(crate) policy: &'a Policy,
    pub(crate) findings: Vec<Finding>,
    /// finding id → (risk key, risk title), for the findings that feed a risk
    pub(crate) risk_keys: BTreeMap<String, (String, String)>,
    /// finding id → (risk key, risk title), for every finding given one, passing or not (an
    /// anomaly on a passing finding feeds the risk the finding would)
    pub(crate) series_keys: BTreeMap<String, (String, String)>,
}

impl Builder<'_> {
    /// A check that could not run: an `error` finding feeding a "not assessed" risk.
    pub(crate) fn error(
        &mut self,
        kind: &str,
        category: Category,
        message: String,
        risk_key: &str,
        title: &str,
    ) {
        let metric = kind.split('.').next().unwrap_or(kind).to_string();
        self.add(Judged {
            risk: Some((risk_key.into(), title.into())),
            ..Judged::new(
                &format!("{metric}.error"),
                category,
                FindingStatus::Error,
                &metric,
                message,
            )
        });
    }

    /// Adds a judged measurement as a finding: its stable id (a digest of the kind and the
    /// subject), the controls the policy (or the built-in map) gives its kind, ISO/IEC 42001 10.2
    /// when it fails, and the risk it feeds unless it passes or is a shape remark. Returns its
    /// id.
    pub(crate) fn add(&mut self, j: Judged) -> String {
        let Judged {
            kind,
            category,
            status,
            metric,
            value,
            interval,
            p_value,
            threshold,
            subject,
            message,
            risk,
            id_extra,
        } = j;
        let kind = kind.as_str();
        let subj = [
            subject.column.as_deref().unwrap_or(""),
            subject.attribute.as_deref().unwrap_or(""),
            subject.group.as_deref().unwrap_or(""),
            subject.reference_group.as_deref().unwrap_or(""),
        ];
        // A class (multiclass) is a sixth part; without one the ids are as before.
        let mut parts = vec![kind, subj[0], subj[1], subj[2], subj[3]];
        parts.extend(subject.class.as_deref());
        parts.extend(id_extra.as_deref());
        let id = stable_id("F-", &parts);
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
        if let Some(r) = risk {
            if feeds_risk {
                self.risk_keys.insert(id.clone(), r.clone());
            }
            self.series_keys.insert(id.clone(), r);
        }
        self.findings.push(Finding {
            id: id.clone(),
            kind: kind.into(),
            category,
            status,
            metric,
            value,
            interval,
            p_value,
            threshold,
            subject,
            message,
            controls,
            risk_id: None,
            estimated: None,
        });
        id
    }
}
