//! What an assessment measures, and where: the specs each analysis gets from the policy and the
//! roles, and the [`Measure`] that runs them (on local tables, or on parts computed elsewhere).

use crate::drift::{run_drift, DriftReport, DriftSpec};
use crate::error::{Error, Result};
use crate::estimate::{run_estimate, EstimateOutput, EstimateSpec};
use crate::evidence::policy::{Policy, PolicySource, Roles};
use crate::fairness::{run_task, FairnessSpec, ProbabilisticSpec, RankingSpec, TaskOutput};
use crate::io::source::Table;
use crate::quality::rules::RuleSet;
use crate::quality::{self, dataset_fingerprints, run_quality, QualityReport, QualitySpec};
use fairgauge_core::estimate::calibration::Allowed;
use fairgauge_core::fairness::ranking::DEFAULT_K;
use fairgauge_core::fairness::{Bootstrap, FairnessOptions, ReferenceSpec};

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
    /// The system's history (`--history`): anomalies and each risk's life are judged against it.
    pub history: Option<&'a crate::evidence::history::Past>,
}

/// Where an assessment's measurements come from: the tables themselves ([`assess`](crate::evidence::assess::run::assess)), or parts
/// of them computed elsewhere and merged (Spark).
pub trait Measure {
    /// Quality of the current table, with leakage against the reference (whose facts the
    /// report carries when it read them).
    fn quality(&self, spec: &QualitySpec) -> Result<QualityReport>;
    /// Fingerprints of the current table, or of the reference.
    fn facts(&self, reference: bool) -> Result<quality::DatasetFacts>;
    /// Fairness of the current table, for the spec's task.
    fn fairness(&self, spec: &FairnessSpec, opts: &FairnessOptions) -> Result<TaskOutput>;
    /// Drift of the current table from the reference.
    fn drift(&self, spec: &DriftSpec) -> Result<DriftReport>;
    /// Whether the current table has this column (engines that cannot tell say it has).
    fn has_column(&self, _column: &str) -> Result<bool> {
        Ok(true)
    }
    /// Label-free estimates of the current table from scores calibrated on the reference.
    fn estimate(&self, _spec: &EstimateSpec) -> Result<EstimateOutput> {
        Err(Error::InvalidOption(
            "label-free estimates need the tables themselves; this engine has only their parts"
                .into(),
        ))
    }
}

/// Measurements read from the tables, in this process.
pub(crate) struct Local<'a> {
    pub(crate) current: &'a Table,
    pub(crate) reference: Option<&'a Table>,
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
    fn fairness(&self, spec: &FairnessSpec, opts: &FairnessOptions) -> Result<TaskOutput> {
        run_task(self.current, spec, opts, None)
    }
    fn drift(&self, spec: &DriftSpec) -> Result<DriftReport> {
        match self.reference {
            Some(r) => run_drift(r, self.current, spec),
            None => Err(Error::InvalidOption("drift needs a reference table".into())),
        }
    }
    fn has_column(&self, column: &str) -> Result<bool> {
        Ok(self.current.column_names()?.iter().any(|c| c == column))
    }
    fn estimate(&self, spec: &EstimateSpec) -> Result<EstimateOutput> {
        match self.reference {
            Some(r) => run_estimate(self.current, r, spec),
            None => Err(Error::InvalidOption(
                "label-free estimates need a labelled reference table (--reference)".into(),
            )),
        }
    }
}

/// The label-free estimate an assessment asks for when the current data has no labels and the
/// policy allows it (`fairness.estimate_without_labels`); `None` otherwise.
pub fn estimate_spec(policy: &Policy, roles: &Roles) -> Option<EstimateSpec> {
    if !policy.fairness.estimate_without_labels || roles.sensitive.is_empty() {
        return None;
    }
    Some(EstimateSpec {
        score: roles.score.clone()?,
        prediction: roles.prediction.clone(),
        threshold: roles.threshold,
        label: roles.label.clone()?,
        sensitive: roles.sensitive.clone(),
        positive_label: roles.positive_label.clone(),
        calibration: Allowed::Auto,
        confidence: policy.fairness.confidence,
        min_group_size: policy.fairness.min_group_size,
        time: None,
        every: None,
    })
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
    let ranking = roles.task == crate::fairness::Task::Ranking;
    // A ranking's truth is its relevance: it has lists (`query`) instead of a label.
    let label = match (&roles.label, ranking) {
        (_, _) if roles.sensitive.is_empty() && roles.sensitive_probabilities.is_empty() => {
            return Ok(None)
        }
        (Some(_), true) => {
            return Err(Error::InvalidOption(
                "a ranking's truth is its relevance: set `relevance` (--relevance COL) instead of `label`".into(),
            ))
        }
        (None, true) if roles.query.is_none() => return Ok(None),
        (None, true) => String::new(),
        (Some(l), false) => l.clone(),
        (None, false) => return Ok(None),
    };
    let spec = FairnessSpec {
        label,
        prediction: roles.prediction.clone(),
        score: roles.score.clone(),
        threshold: roles.threshold,
        sensitive: roles.sensitive.clone(),
        positive_label: roles.positive_label.clone(),
        weight: roles.weight.clone(),
        above_threshold: None,
        keep_labels: policy.fairness.bootstrap.is_some(),
        ranking: roles
            .query
            .clone()
            .filter(|_| ranking)
            .map(|query| RankingSpec {
                query,
                rank: roles.rank.clone(),
                relevance: roles.relevance.clone(),
                k: if roles.k.is_empty() {
                    DEFAULT_K.to_vec()
                } else {
                    roles.k.clone()
                },
            }),
        task: roles.task,
        probabilistic: roles
            .sensitive_probabilities
            .iter()
            .map(|p| {
                let t = roles
                    .assign_threshold
                    .unwrap_or(crate::fairness::DEFAULT_ASSIGN_THRESHOLD);
                ProbabilisticSpec::parse(p, t)
                    .map(|p| p.with_bounds_by(&roles.bounds_by))
                    .map_err(|e| Error::InvalidOption(format!("data.sensitive_probabilities {e}")))
            })
            .collect::<Result<_>>()?,
    };
    let opts = FairnessOptions {
        confidence: policy.fairness.confidence,
        min_group_size: policy.fairness.min_group_size,
        bootstrap: policy.fairness.bootstrap.map(|replicates| Bootstrap {
            replicates,
            seed: policy.fairness.seed,
        }),
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
