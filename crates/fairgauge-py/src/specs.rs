//! The options of each analysis, as the Python side sends them (JSON), turned into the Rust
//! specs.

use crate::call::{bad_option, fail, parse, Failure};
use fairgauge::drift::{Correction, DriftSpec, Method};
use fairgauge::fairness::FairnessSpec;
use fairgauge::policy::{Policy, Roles};
use fairgauge::quality::QualitySpec;
use fairgauge::rules::RuleSet;
use fairgauge_core::fairness::{Bootstrap, FairnessOptions, ReferenceSpec};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FairnessArgs {
    pub(crate) label: String,
    pub(crate) prediction: Option<String>,
    pub(crate) score: Option<String>,
    pub(crate) threshold: f64,
    pub(crate) sensitive: Vec<String>,
    pub(crate) positive_label: Option<String>,
    pub(crate) reference_group: String,
    pub(crate) intersect: bool,
    pub(crate) min_group_size: u64,
    pub(crate) confidence: f64,
    pub(crate) gei_alpha: f64,
    #[serde(default)]
    pub(crate) weight: Option<String>,
    #[serde(default)]
    pub(crate) bootstrap: Option<u32>,
    #[serde(default)]
    pub(crate) seed: u64,
    #[serde(default)]
    pub(crate) task: fairgauge::fairness::Task,
    #[serde(default)]
    pub(crate) above_threshold: Option<f64>,
    #[serde(default)]
    pub(crate) ranking: Option<fairgauge::fairness::RankingSpec>,
    /// `NAME=COL,COL,…` or `NAME=GROUP:COL,…`, as the CLI's `--sensitive-probabilities`.
    #[serde(default)]
    pub(crate) sensitive_probabilities: Vec<String>,
    #[serde(default = "assign_threshold")]
    pub(crate) assign_threshold: f64,
    /// The strata of the bounds, as the CLI's `--bounds-by`.
    #[serde(default)]
    pub(crate) bounds_by: Vec<String>,
}

fn assign_threshold() -> f64 {
    fairgauge::fairness::DEFAULT_ASSIGN_THRESHOLD
}

/// The fairness roles and options from their JSON.
pub(crate) fn fairness_inputs(args: &str) -> Result<(FairnessSpec, FairnessOptions), Failure> {
    let a: FairnessArgs = parse("fairness options", args)?;
    if !(a.confidence > 0.0 && a.confidence < 1.0) {
        return Err(bad_option(format!(
            "confidence must be strictly between 0 and 1, given {}",
            a.confidence
        )));
    }
    let opts = FairnessOptions {
        confidence: a.confidence,
        min_group_size: a.min_group_size,
        reference: ReferenceSpec::parse(&a.reference_group)
            .map_err(|e| bad_option(format!("reference_group: {e}")))?,
        intersect: a.intersect,
        gei_alpha: a.gei_alpha,
        bootstrap: a.bootstrap.map(|replicates| Bootstrap {
            replicates,
            seed: a.seed,
        }),
        ..Default::default()
    };
    let spec = FairnessSpec {
        label: a.label,
        prediction: a.prediction,
        score: a.score,
        threshold: a.threshold,
        sensitive: a.sensitive,
        positive_label: a.positive_label,
        weight: a.weight,
        above_threshold: a.above_threshold,
        keep_labels: a.bootstrap.is_some(),
        ranking: a.ranking,
        task: a.task,
        probabilistic: a
            .sensitive_probabilities
            .iter()
            .map(|p| {
                fairgauge::fairness::ProbabilisticSpec::parse(p, a.assign_threshold)
                    .map(|p| p.with_bounds_by(&a.bounds_by))
            })
            .collect::<Result<_, _>>()
            .map_err(|e| bad_option(format!("sensitive_probabilities: {e}")))?,
    };
    if !a.bounds_by.is_empty() && spec.probabilistic.is_empty() {
        return Err(bad_option(
            "bounds_by bounds attributes known as probabilities: give sensitive_probabilities too"
                .into(),
        ));
    }
    Ok((spec, opts))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DriftArgs {
    pub(crate) columns: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) exclude: Vec<String>,
    pub(crate) method: String,
    pub(crate) numeric_method: Option<String>,
    pub(crate) categorical_method: Option<String>,
    pub(crate) threshold: Option<f64>,
    pub(crate) correction: String,
    pub(crate) dataset_threshold: f64,
    pub(crate) bins: usize,
    pub(crate) sketch: Option<u16>,
}

pub(crate) fn method(s: &str, what: &str) -> Result<Method, Failure> {
    Method::parse(s).ok_or_else(|| {
        bad_option(format!(
            "{what} `{s}`: unknown method; expected one of {}",
            Method::ALL
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// The drift options from their JSON.
pub(crate) fn drift_spec(args: &str) -> Result<DriftSpec, Failure> {
    let a: DriftArgs = parse("drift options", args)?;
    Ok(DriftSpec {
        columns: a.columns,
        exclude: a.exclude,
        method: match a.method.as_str() {
            "auto" => None,
            m => Some(method(m, "method")?),
        },
        numeric_method: a
            .numeric_method
            .as_deref()
            .map(|m| method(m, "numeric_method"))
            .transpose()?,
        categorical_method: a
            .categorical_method
            .as_deref()
            .map(|m| method(m, "categorical_method"))
            .transpose()?,
        column_methods: BTreeMap::new(),
        threshold: a.threshold,
        correction: match a.correction.as_str() {
            "bh" => Correction::Bh,
            "bonferroni" => Correction::Bonferroni,
            "none" => Correction::None,
            c => {
                return Err(bad_option(format!(
                    "correction `{c}`: expected bh, bonferroni or none"
                )))
            }
        },
        dataset_threshold: Some(a.dataset_threshold),
        bins: Some(a.bins),
        sketch: a.sketch,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QualityArgs {
    pub(crate) label: Option<String>,
    #[serde(default)]
    pub(crate) sensitive: Vec<String>,
    #[serde(default)]
    pub(crate) key: Vec<String>,
    pub(crate) rules: Option<String>,
    pub(crate) examples: usize,
    #[serde(default)]
    pub(crate) sketch: Option<u16>,
}

/// The quality run from its JSON options (the rules file is read here).
pub(crate) fn quality_spec_of(args: &str) -> Result<QualitySpec, Failure> {
    let a: QualityArgs = parse("quality options", args)?;
    let rules = a
        .rules
        .as_deref()
        .map(|r| RuleSet::load(Path::new(r)))
        .transpose()
        .map_err(fail)?;
    Ok(QualitySpec {
        label: a.label,
        sensitive: a.sensitive,
        key: a.key,
        rules,
        thresholds: Default::default(),
        examples: a.examples,
        sketch: a.sketch,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleOverrides {
    pub(crate) label: Option<String>,
    pub(crate) prediction: Option<String>,
    pub(crate) score: Option<String>,
    pub(crate) sensitive: Option<Vec<String>>,
    pub(crate) positive_label: Option<String>,
    pub(crate) reference_group: Option<String>,
    pub(crate) key: Option<Vec<String>>,
    pub(crate) weight: Option<String>,
    pub(crate) task: Option<fairgauge::fairness::Task>,
    #[serde(default)]
    pub(crate) query: Option<String>,
    #[serde(default)]
    pub(crate) rank: Option<String>,
    #[serde(default)]
    pub(crate) relevance: Option<String>,
    #[serde(default)]
    pub(crate) k: Option<Vec<u32>>,
    #[serde(default)]
    pub(crate) sensitive_probabilities: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) assign_threshold: Option<f64>,
    #[serde(default)]
    pub(crate) bounds_by: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Outputs {
    pub(crate) evidence: Option<PathBuf>,
    pub(crate) register: Option<PathBuf>,
    pub(crate) oscal: Option<PathBuf>,
    pub(crate) junit: Option<PathBuf>,
    pub(crate) markdown: Option<PathBuf>,
    pub(crate) attestation: Option<PathBuf>,
    #[serde(default)]
    pub(crate) attestation_envelope: Option<PathBuf>,
    pub(crate) ledger: Option<PathBuf>,
    pub(crate) sign_key: Option<PathBuf>,
    pub(crate) html: Option<PathBuf>,
    #[serde(default)]
    pub(crate) history: Option<PathBuf>,
}

/// The policy (given or built in), the roles it names overridden by `roles` (JSON), and the
/// rules given or the policy's.
pub(crate) fn assess_setup(
    policy: Option<String>,
    roles: &str,
    rules: Option<String>,
) -> Result<
    (
        Policy,
        fairgauge::policy::PolicySource,
        Roles,
        Option<RuleSet>,
    ),
    Failure,
> {
    let o: RoleOverrides = parse("roles", roles)?;
    let (policy, source) =
        Policy::load_or_builtin(policy.as_deref().map(Path::new)).map_err(fail)?;
    let mut r: Roles = policy.data.clone();
    if o.label.is_some() {
        r.label = o.label;
    }
    if o.prediction.is_some() {
        r.prediction = o.prediction;
    }
    if o.score.is_some() {
        r.score = o.score;
    }
    if let Some(s) = o.sensitive {
        r.sensitive = s;
    }
    if o.positive_label.is_some() {
        r.positive_label = o.positive_label;
    }
    if let Some(g) = o.reference_group {
        r.reference_group = g;
    }
    if let Some(k) = o.key {
        r.key = k;
    }
    if o.weight.is_some() {
        r.weight = o.weight;
    }
    if let Some(t) = o.task {
        r.task = t;
    }
    for (given, role) in [
        (o.query, &mut r.query),
        (o.rank, &mut r.rank),
        (o.relevance, &mut r.relevance),
    ] {
        if given.is_some() {
            *role = given;
        }
    }
    if let Some(k) = o.k {
        r.k = k;
    }
    if let Some(p) = o.sensitive_probabilities {
        r.sensitive_probabilities = p;
    }
    if o.assign_threshold.is_some() {
        r.assign_threshold = o.assign_threshold;
    }
    if let Some(b) = o.bounds_by {
        r.bounds_by = b;
    }
    // The rules given, else the policy's (relative to the policy file), as the CLI does.
    let rules_path = rules
        .map(PathBuf::from)
        .or_else(|| policy.rules_path(&source));
    let rules = rules_path
        .as_deref()
        .map(RuleSet::load)
        .transpose()
        .map_err(fail)?;
    Ok((policy, source, r, rules))
}

pub(crate) fn side(s: &str) -> Result<fairgauge::drift::Side, Failure> {
    match s {
        "reference" => Ok(fairgauge::drift::Side::Reference),
        "current" => Ok(fairgauge::drift::Side::Current),
        _ => Err(bad_option(format!(
            "side `{s}`: expected reference or current"
        ))),
    }
}
