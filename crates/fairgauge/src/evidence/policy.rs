//! The assessment policy (TOML, versioned): the AI system, column roles, which checks run, warn
//! and fail thresholds with their sources, the risk matrix, and control mappings. The embedded
//! default (`default_policy.toml`, written out by `fairgauge init`) applies when none is given;
//! a policy file only needs the keys it changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::evidence::controls;
use fairgauge_core::monitor::anomaly::Rule as AnomalyRule;

/// The built-in policy, every default written out and commented.
pub const DEFAULT_POLICY: &str = include_str!("default_policy.toml");

/// Fairness metrics a policy can set thresholds for.
pub const FAIRNESS_METRICS: [&str; 6] = [
    "selection_rate_ratio",
    "demographic_parity_difference",
    "equalized_odds_difference",
    "equal_opportunity_difference",
    "false_positive_rate_difference",
    "base_rate_ratio",
];

/// The regression task's between-group summaries a policy may set thresholds for (the default
/// policy has the unit-free ratios; differences and the bounded group loss are in the label's
/// units, so a policy sets them for its own system).
pub const REGRESSION_THRESHOLDS: [&str; 7] = [
    "mae_ratio",
    "rmse_ratio",
    "mean_prediction_ratio",
    "mean_error_difference",
    "mae_difference",
    "bounded_group_loss_mae",
    "bounded_group_loss_rmse",
];

/// The ranking task's between-group summaries a policy may set thresholds for (beside these,
/// `selection_rate_at_<k>_ratio` / `_difference` and `ndcg_at_<k>_ratio` / `_difference` for any
/// cut-off `k`; see [`is_ranking_threshold`]). The default policy judges `exposure_ratio`.
pub const RANKING_THRESHOLDS: [&str; 6] = [
    "exposure_ratio",
    "exposure_difference",
    "exposure_relevance_ratio_ratio",
    "exposure_relevance_ratio_difference",
    "ndcg_ratio",
    "ndcg_difference",
];

/// Whether `name` is a ranking summary a policy may set a threshold for: one of
/// [`RANKING_THRESHOLDS`], or `selection_rate_at_<k>_…` / `ndcg_at_<k>_…` (`ratio` or
/// `difference`) for a cut-off `k` of digits.
pub fn is_ranking_threshold(name: &str) -> bool {
    if RANKING_THRESHOLDS.contains(&name) {
        return true;
    }
    let Some(rest) = name
        .strip_prefix("selection_rate_at_")
        .or_else(|| name.strip_prefix("ndcg_at_"))
    else {
        return false;
    };
    let k = rest
        .strip_suffix("_ratio")
        .or_else(|| rest.strip_suffix("_difference"));
    k.is_some_and(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
}

/// The AI system the evidence is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    /// Stable identifier (risk ids derive from it).
    pub id: String,
    /// Name.
    pub name: String,
    /// Accountable owner.
    #[serde(default)]
    pub owner: String,
    /// Intended use.
    #[serde(default)]
    pub intended_use: String,
}

/// Column roles.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    /// True label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Model decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prediction: Option<String>,
    /// Model score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
    /// Sensitive attributes.
    #[serde(default)]
    pub sensitive: Vec<String>,
    /// Positive label value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive_label: Option<String>,
    /// Reference group rule.
    #[serde(default = "default_reference")]
    pub reference_group: String,
    /// Score threshold.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Key columns.
    #[serde(default)]
    pub key: Vec<String>,
    /// Sample-weight column for fairness (`[data] weight`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// The fairness task: `binary` (default), `multiclass`, `regression` or `ranking`
    /// (`[data] task`).
    #[serde(default, skip_serializing_if = "crate::fairness::Task::is_binary")]
    pub task: crate::fairness::Task,
    /// Ranking: the column naming each item's list (`[data] query`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Ranking: the column of 1-based ranks (`[data] rank`; or `score`, highest first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<String>,
    /// Ranking: the column of relevance (`[data] relevance`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevance: Option<String>,
    /// Ranking: the top-k cut-offs (`[data] k`; default 10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub k: Vec<u32>,
    /// Sensitive attributes known only as probabilities (`[data] sensitive_probabilities`),
    /// each `NAME=COL,COL,…` or `NAME=GROUP:COL,…` (BISG's `p_white`, …): findings on them are
    /// marked estimated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive_probabilities: Vec<String>,
    /// The threshold estimator's threshold (`[data] assign_threshold`, default 0.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign_threshold: Option<f64>,
    /// The proxy strata of the bounds on attributes known as probabilities (`[data] bounds_by`,
    /// e.g. `["zip"]`): their findings' summaries then carry the bounds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bounds_by: Vec<String>,
}

fn default_reference() -> String {
    "majority".into()
}

fn default_threshold() -> f64 {
    0.5
}

/// Which checks run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    /// Group fairness.
    pub fairness: bool,
    /// Drift (needs a reference table).
    pub drift: bool,
    /// Data quality.
    pub quality: bool,
}

/// Whether a value breaches when it is above or below the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Bad when above (differences, shares).
    Above,
    /// Bad when below (ratios).
    Below,
}

/// Warn and fail thresholds of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Warning threshold.
    pub warn: f64,
    /// Failure threshold.
    pub fail: f64,
    /// Direction.
    pub direction: Direction,
}

/// Fairness settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairnessPolicy {
    /// Smallest group judged.
    pub min_group_size: u64,
    /// Confidence level of intervals.
    pub confidence: f64,
    /// Significance level.
    pub alpha: f64,
    /// Downgrade non-significant fails to warn.
    pub require_significance: bool,
    /// Thresholds by metric.
    pub thresholds: BTreeMap<String, Threshold>,
    /// Percentile bootstrap intervals of the parity summaries with this many replicates (200 is
    /// typical; absent: none). The findings on those summaries then carry the interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<u32>,
    /// Seed of the bootstrap.
    #[serde(default)]
    pub seed: u64,
    /// When the current data has no label column, estimate its fairness from the scores
    /// calibrated on the labelled reference (`fairgauge estimate`, CBPE) instead of reporting
    /// an error; the findings are marked estimated. Needs `data.score` and a reference.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub estimate_without_labels: bool,
}

/// Drift settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriftPolicy {
    /// PSI warning threshold.
    pub psi_warn: f64,
    /// PSI failure threshold.
    pub psi_fail: f64,
    /// Share of drifted columns from which the dataset drifts.
    pub dataset_share: f64,
    /// Summarise numeric columns by KLL sketches of this `k` instead of sorting every value
    /// (bounded memory and faster on large tables; results say `exact: false` with their error
    /// bound). Absent: exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sketch: Option<u16>,
}

/// Monitoring settings: the baseline and the change alerts' budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorPolicy {
    /// Windows that form the baseline when no reference table is given.
    pub baseline: usize,
    /// The chance that a run over a system that did not change raises any change alert
    /// (half to the shift rule, half to the CUSUMs).
    pub false_alarm_rate: f64,
    /// The CUSUM's reference value, in standard deviations of a window's change.
    pub cusum_k: f64,
}

impl MonitorPolicy {
    fn validate(&self, path: &Path) -> Result<()> {
        let bad = |message: String| Error::Policy {
            path: path.to_path_buf(),
            message,
        };
        let m = self;
        if !(m.false_alarm_rate > 0.0 && m.false_alarm_rate < 1.0) {
            return Err(bad(format!(
                "monitor.false_alarm_rate must be strictly between 0 and 1, given {}",
                m.false_alarm_rate
            )));
        }
        if !(m.cusum_k.is_finite() && m.cusum_k > 0.0) {
            return Err(bad(format!(
                "monitor.cusum_k must be a number > 0, given {}",
                m.cusum_k
            )));
        }
        if m.baseline == 0 {
            return Err(bad(
                "monitor.baseline must be at least 1 window (or give monitor --reference)".into(),
            ));
        }
        Ok(())
    }
}

/// The metric history: where runs are recorded, and the anomaly rules judged against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryPolicy {
    /// The history database every `assess` run records into (as `--history`), relative to the
    /// policy file.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// Anomaly rules: each judges the metrics it names against their earlier runs.
    #[serde(default)]
    pub anomaly: Vec<AnomalyPolicy>,
}

/// One anomaly rule of the policy (`[[history.anomaly]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnomalyPolicy {
    /// The findings judged: `*` (every one), a family (`fairness.*`), a kind
    /// (`fairness.selection_rate_ratio`) or a metric (`selection_rate_ratio`).
    pub metric: String,
    /// `absolute_change`, `relative_change`, `mean_sd` or `interval`.
    pub rule: String,
    /// The largest change allowed (`absolute_change`; `relative_change` as a fraction).
    #[serde(default)]
    pub limit: Option<f64>,
    /// Standard deviations (`mean_sd`; default 3).
    #[serde(default)]
    pub k: Option<f64>,
    /// Earlier runs used (`mean_sd`: default 10, at least 2; `interval`: default 1).
    #[serde(default)]
    pub runs: Option<usize>,
    /// The status of an anomaly: `warn` (default) or `fail`.
    #[serde(default = "default_severity")]
    pub severity: String,
}

fn default_severity() -> String {
    "warn".into()
}

impl AnomalyPolicy {
    /// The rule, checked: a message naming what is wrong otherwise.
    pub fn to_rule(&self) -> std::result::Result<AnomalyRule, String> {
        let positive = |name: &str, v: Option<f64>| match v {
            Some(x) if x.is_finite() && x > 0.0 => Ok(x),
            Some(x) => Err(format!("`{name}` must be a number > 0, given {x}")),
            None => Err(format!("rule `{}` needs `{name}`", self.rule)),
        };
        let rule = match self.rule.as_str() {
            "absolute_change" => AnomalyRule::AbsoluteChange {
                limit: positive("limit", self.limit)?,
            },
            "relative_change" => AnomalyRule::RelativeChange {
                limit: positive("limit", self.limit)?,
            },
            "mean_sd" => AnomalyRule::MeanSd {
                k: positive("k", Some(self.k.unwrap_or(3.0)))?,
                runs: self.runs.unwrap_or(10),
            },
            "interval" => AnomalyRule::Interval {
                runs: self.runs.unwrap_or(1),
            },
            other => {
                return Err(format!(
                    "unknown rule `{other}` (expected absolute_change, relative_change, mean_sd \
                     or interval)"
                ))
            }
        };
        if let Some(r) = self.runs {
            if r < rule.needs().max(1) {
                return Err(format!(
                    "`runs` must be at least {} for rule `{}`, given {r}",
                    rule.needs(),
                    self.rule
                ));
            }
        }
        if !["warn", "fail"].contains(&self.severity.as_str()) {
            return Err(format!(
                "`severity` must be \"warn\" or \"fail\", given {:?}",
                self.severity
            ));
        }
        if self.metric.trim().is_empty() {
            return Err("`metric` must name a metric, a kind, `family.*` or `*`".into());
        }
        Ok(rule)
    }

    /// Whether the rule judges a finding of `kind` measuring `metric` (anomaly findings
    /// themselves never are).
    pub fn applies_to(&self, kind: &str, metric: &str) -> bool {
        if kind.ends_with(".anomaly") {
            return false;
        }
        let family = kind.split('.').next().unwrap_or(kind);
        match self.metric.strip_suffix(".*") {
            _ if self.metric == "*" => true,
            Some(f) => f == family,
            None => self.metric == kind || self.metric == metric,
        }
    }
}

impl HistoryPolicy {
    /// How many of the latest runs the anomaly rules look back over (at least 1).
    pub fn depth(&self) -> usize {
        self.anomaly
            .iter()
            .filter_map(|a| a.to_rule().ok())
            .map(|r| match r {
                AnomalyRule::MeanSd { runs, .. } | AnomalyRule::Interval { runs } => runs,
                AnomalyRule::AbsoluteChange { .. } | AnomalyRule::RelativeChange { .. } => 1,
            })
            .max()
            .unwrap_or(1)
            .max(1)
    }

    fn validate(&self, path: &Path) -> Result<()> {
        for (i, a) in self.anomaly.iter().enumerate() {
            a.to_rule().map_err(|m| Error::Policy {
                path: path.to_path_buf(),
                message: format!("history.anomaly[{i}] (metric {:?}): {m}", a.metric),
            })?;
        }
        Ok(())
    }
}

/// Quality thresholds (pairs: warn, fail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityPolicy {
    /// Missing share.
    pub missing: [f64; 2],
    /// Duplicate share.
    pub duplicates: [f64; 2],
    /// Conflicting-label share.
    pub conflicting_labels: [f64; 2],
    /// Leakage share.
    pub leakage: [f64; 2],
    /// Minority label share (below).
    pub label_minority: [f64; 2],
    /// Spread of missing shares across groups.
    pub missing_by_group: [f64; 2],
    /// Proxy strength.
    pub proxy: [f64; 2],
    /// Rules file (relative to the policy file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<PathBuf>,
    /// Bounded memory: profile numeric columns by KLL sketches of this `k` (exact while a
    /// column has few distinct values) and keep row hashes on disk
    /// ([`crate::quality::QualitySpec::sketch`]). Absent: exact, in memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sketch: Option<u16>,
}

/// Treatment per rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Treatments {
    /// For critical risks.
    pub critical: Treatment,
    /// For high risks.
    pub high: Treatment,
    /// For medium risks.
    pub medium: Treatment,
    /// For low risks.
    pub low: Treatment,
}

/// A risk treatment (ISO/IEC 42001 6.1.3; NIST AI RMF MANAGE 1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Treatment {
    /// Reduce the risk.
    Mitigate,
    /// Accept it.
    Accept,
    /// Stop the activity.
    Avoid,
    /// Share it (insurance, contract).
    Transfer,
}

impl Treatment {
    /// The treatment's word, as the policy, the evidence and every export spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Treatment::Mitigate => "mitigate",
            Treatment::Accept => "accept",
            Treatment::Avoid => "avoid",
            Treatment::Transfer => "transfer",
        }
    }
}

/// Risk scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskPolicy {
    /// Impact of a bias finding (1–5).
    pub impact_bias: u8,
    /// Impact of a data-quality finding.
    pub impact_data_quality: u8,
    /// Impact of a drift finding.
    pub impact_drift: u8,
    /// Impact of a provenance finding.
    pub impact_provenance: u8,
    /// Suggested treatment per rating.
    pub treatment: Treatments,
}

/// A policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Format version (1).
    pub version: u32,
    /// The system.
    pub system: System,
    /// Roles.
    pub data: Roles,
    /// Checks to run.
    pub checks: Checks,
    /// Fairness.
    pub fairness: FairnessPolicy,
    /// Drift.
    pub drift: DriftPolicy,
    /// Quality.
    pub quality: QualityPolicy,
    /// Risk scoring.
    pub risk: RiskPolicy,
    /// Monitoring over time windows (`fairgauge monitor`).
    pub monitor: MonitorPolicy,
    /// The metric history and its anomaly rules.
    pub history: HistoryPolicy,
    /// Control overrides by finding kind.
    #[serde(default)]
    pub controls: BTreeMap<String, Vec<String>>,
}

/// Where a policy came from and its digest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicySource {
    /// The file, or `null` for the built-in default.
    pub path: Option<PathBuf>,
    /// SHA-256 of the policy text (the file's bytes, or the built-in text).
    pub sha256: String,
}

impl PolicySource {
    /// A path the policy names, relative to the policy file (as given for the built-in policy).
    pub fn resolve(&self, path: &Path) -> PathBuf {
        match &self.path {
            Some(p) => p.parent().unwrap_or(Path::new(".")).join(path),
            None => path.to_path_buf(),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line of a dotted key (`drift.psi_fail`) in TOML text: the key's line after its table
/// header, or anywhere.
fn find_key_line(text: &str, dotted: &str) -> Option<usize> {
    let mut parts: Vec<&str> = dotted.split('.').collect();
    let leaf = parts.pop()?;
    let table = parts.join(".");
    let mut in_table = table.is_empty();
    let mut fallback = None;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.starts_with('[') {
            let name = l.trim_matches(|c| c == '[' || c == ']').trim();
            in_table = name == table;
            continue;
        }
        let is_key = l
            .strip_prefix(leaf)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if is_key {
            if in_table {
                return Some(i + 1);
            }
            fallback.get_or_insert(i + 1);
        }
    }
    fallback
}

/// Deep-merges `over` into `base` (tables key by key; other values replaced).
fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

impl Policy {
    /// The built-in default policy.
    pub fn default_policy() -> Policy {
        // The embedded text is tested to parse.
        Self::parse(DEFAULT_POLICY, Path::new("<built-in policy>"))
            .unwrap_or_else(|e| unreachable!("the built-in policy does not parse: {e}"))
    }

    /// Reads a policy file: its keys override the built-in defaults. Errors name the file, the
    /// line, the key and the expected type; thresholds out of range and unknown control ids are
    /// refused.
    pub fn load(path: &Path) -> Result<(Policy, PolicySource)> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            message: format!("cannot read the policy: {e}"),
        })?;
        let policy = Self::parse(&text, path)?;
        let sha =
            fairgauge_core::fingerprint::sha256_reader(text.as_bytes()).map_err(|e| Error::Io {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        Ok((
            policy,
            PolicySource {
                path: Some(path.to_path_buf()),
                sha256: sha,
            },
        ))
    }

    /// The built-in policy with its source.
    pub fn builtin() -> (Policy, PolicySource) {
        let sha = fairgauge_core::fingerprint::sha256_reader(DEFAULT_POLICY.as_bytes())
            .unwrap_or_default();
        (
            Self::default_policy(),
            PolicySource {
                path: None,
                sha256: sha,
            },
        )
    }

    /// The policy file at `path` ([`Policy::load`]), or the built-in policy when there is none.
    pub fn load_or_builtin(path: Option<&Path>) -> Result<(Policy, PolicySource)> {
        match path {
            Some(p) => Self::load(p),
            None => Ok(Self::builtin()),
        }
    }

    /// Parses policy text over the defaults (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Policy> {
        let bad = |message: String| Error::Policy {
            path: path.to_path_buf(),
            message,
        };
        let toml_err = |e: toml::de::Error| {
            let msg = e.message().trim().to_string();
            match e.span().map(|s| line_of(text, s.start)) {
                Some(l) => bad(format!("line {l}: {msg}")),
                None => bad(msg),
            }
        };
        // Check the user's text on its own first, so that errors point at its lines.
        let user: toml::Value = toml::from_str(text).map_err(toml_err)?;
        let mut value: toml::Value =
            toml::from_str(DEFAULT_POLICY).map_err(|e| bad(format!("built-in policy: {e}")))?;
        merge(&mut value, user);
        let merged = toml::to_string(&value).map_err(|e| bad(e.to_string()))?;
        let policy: Policy = serde_path_to_error::deserialize(toml::Deserializer::new(&merged))
            .map_err(|e| {
                // The merged text's lines are not the user's: find the key in the user's text.
                let key = e.path().to_string();
                let msg = e.inner().message().trim().to_string();
                match find_key_line(text, &key) {
                    Some(l) => bad(format!("line {l}: key `{key}`: {msg}")),
                    None => bad(format!("key `{key}`: {msg}")),
                }
            })?;
        policy.validate(path)?;
        Ok(policy)
    }

    fn validate(&self, path: &Path) -> Result<()> {
        let bad = |message: String| Error::Policy {
            path: path.to_path_buf(),
            message,
        };
        if self.version != 1 {
            return Err(bad(format!(
                "version {} is not supported (expected `version = 1`)",
                self.version
            )));
        }
        self.monitor.validate(path)?;
        self.history.validate(path)?;
        let f = &self.fairness;
        if !(f.confidence > 0.0 && f.confidence < 1.0) {
            return Err(bad(format!(
                "fairness.confidence must be strictly between 0 and 1, given {}",
                f.confidence
            )));
        }
        if !(f.alpha > 0.0 && f.alpha < 1.0) {
            return Err(bad(format!(
                "fairness.alpha must be strictly between 0 and 1, given {}",
                f.alpha
            )));
        }
        for (name, t) in &f.thresholds {
            if !FAIRNESS_METRICS.contains(&name.as_str())
                && !REGRESSION_THRESHOLDS.contains(&name.as_str())
                && !is_ranking_threshold(name)
            {
                return Err(bad(format!(
                    "fairness.thresholds.{name}: unknown metric (expected one of: {}; for regression: {}; for ranking: {}, selection_rate_at_<k>_ratio|_difference, ndcg_at_<k>_ratio|_difference)",
                    FAIRNESS_METRICS.join(", "),
                    REGRESSION_THRESHOLDS.join(", "),
                    RANKING_THRESHOLDS.join(", ")
                )));
            }
            if !(t.warn.is_finite() && t.fail.is_finite() && t.warn >= 0.0 && t.fail >= 0.0) {
                return Err(bad(format!(
                    "fairness.thresholds.{name}: thresholds must be finite and non-negative"
                )));
            }
            let ordered = match t.direction {
                Direction::Above => t.warn <= t.fail,
                Direction::Below => t.warn >= t.fail,
            };
            if !ordered {
                return Err(bad(format!(
                    "fairness.thresholds.{name}: warn {} must come before fail {} (direction {:?})",
                    t.warn, t.fail, t.direction
                )));
            }
            if name.ends_with("_ratio") && (t.fail > 1.0 || t.warn > 1.0) {
                return Err(bad(format!(
                    "fairness.thresholds.{name}: a ratio threshold must be at most 1, given warn {} fail {}",
                    t.warn, t.fail
                )));
            }
        }
        let d = &self.drift;
        if !(d.psi_warn >= 0.0 && d.psi_warn <= d.psi_fail && d.psi_fail.is_finite()) {
            return Err(bad(format!(
                "drift: need 0 <= psi_warn <= psi_fail, given {} and {}",
                d.psi_warn, d.psi_fail
            )));
        }
        if !(d.dataset_share > 0.0 && d.dataset_share <= 1.0) {
            return Err(bad(format!(
                "drift.dataset_share must be in (0, 1], given {}",
                d.dataset_share
            )));
        }
        if let Some(k) = d.sketch {
            if k < 8 {
                return Err(bad(format!(
                    "drift.sketch is a KLL sketch's k, at least 8 (200 is typical), given {k}"
                )));
            }
        }
        if let Some(k) = self.quality.sketch {
            if k < 8 {
                return Err(bad(format!(
                    "quality.sketch is a KLL sketch's k, at least 8 (1000 is typical), given {k}"
                )));
            }
        }
        let q = &self.quality;
        for (name, [w, fl]) in [
            ("missing", q.missing),
            ("duplicates", q.duplicates),
            ("conflicting_labels", q.conflicting_labels),
            ("leakage", q.leakage),
            ("missing_by_group", q.missing_by_group),
            ("proxy", q.proxy),
        ] {
            if !((0.0..=1.0).contains(&w) && (0.0..=1.0).contains(&fl) && w <= fl) {
                return Err(bad(format!(
                    "quality.{name}: need 0 <= warn <= fail <= 1, given [{w}, {fl}]"
                )));
            }
        }
        let [w, fl] = q.label_minority;
        if !((0.0..=1.0).contains(&w) && (0.0..=1.0).contains(&fl) && w >= fl) {
            return Err(bad(format!(
                "quality.label_minority: need 1 >= warn >= fail >= 0 (a share below which it breaches), given [{w}, {fl}]"
            )));
        }
        let r = &self.risk;
        for (name, v) in [
            ("impact_bias", r.impact_bias),
            ("impact_data_quality", r.impact_data_quality),
            ("impact_drift", r.impact_drift),
            ("impact_provenance", r.impact_provenance),
        ] {
            if !(1..=5).contains(&v) {
                return Err(bad(format!(
                    "risk.{name} must be between 1 and 5, given {v}"
                )));
            }
        }
        for (kind, ids) in &self.controls {
            for id in ids {
                if controls::lookup(id).is_none() {
                    return Err(bad(format!(
                        "controls.\"{kind}\": unknown control id `{id}` (expected FRAMEWORK:ID such as ISO42001:A.5.4, NIST-AI-RMF:MEASURE-2.11 or EU-AI-Act:Art.10(2)(f))"
                    )));
                }
            }
        }
        if self.system.id.trim().is_empty() {
            return Err(bad("system.id must not be empty".into()));
        }
        Ok(())
    }

    /// The policy's rules file (`quality.rules`), relative to the policy file's directory.
    pub fn rules_path(&self, source: &PolicySource) -> Option<PathBuf> {
        self.quality.rules.as_ref().map(|r| source.resolve(r))
    }

    /// The history database a run records into: `given` (a `--history` flag, a `history=`
    /// argument), else the one the policy names (`[history] path`: a file relative to the policy
    /// file, or a `postgresql://` URL, kept as it is).
    pub fn history_path(&self, source: &PolicySource, given: Option<&Path>) -> Option<PathBuf> {
        given.map(Path::to_path_buf).or_else(|| {
            self.history.path.as_ref().map(|h| match h.to_str() {
                Some(url) if crate::io::source::is_postgres_url(url) => h.clone(),
                _ => source.resolve(h),
            })
        })
    }

    /// The default policy text with the roles and system filled in (for `fairgauge init`).
    pub fn starter(system_id: &str, roles: &Roles) -> String {
        let mut out = String::new();
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let list = |v: &[String]| {
            format!(
                "[{}]",
                v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
            )
        };
        for line in DEFAULT_POLICY.lines() {
            let l = match line.trim_start() {
                s if s.starts_with("id = ") => format!("id = {}", q(system_id)),
                s if s.starts_with("# label = ") => match &roles.label {
                    Some(v) => format!("label = {}", q(v)),
                    None => line.to_string(),
                },
                s if s.starts_with("# prediction = ") => match &roles.prediction {
                    Some(v) => format!("prediction = {}", q(v)),
                    None => line.to_string(),
                },
                s if s.starts_with("# score = ") => match &roles.score {
                    Some(v) => format!("score = {}", q(v)),
                    None => line.to_string(),
                },
                s if s.starts_with("# positive_label = ") => match &roles.positive_label {
                    Some(v) => format!("positive_label = {}", q(v)),
                    None => line.to_string(),
                },
                s if s.starts_with("sensitive = ") => {
                    format!("sensitive = {}", list(&roles.sensitive))
                }
                s if s.starts_with("key = ") => format!("key = {}", list(&roles.key)),
                _ => line.to_string(),
            };
            out.push_str(&l);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<Policy> {
        Policy::parse(t, Path::new("policy.toml"))
    }

    #[test]
    fn the_default_parses_and_partial_files_override_it() {
        let d = Policy::default_policy();
        assert_eq!(d.fairness.thresholds["selection_rate_ratio"].fail, 0.8);
        assert_eq!(d.drift.psi_fail, 0.25);
        let p = parse("version = 1\n[system]\nid = \"x\"\nname = \"X\"\n[drift]\npsi_fail = 0.3\n")
            .unwrap();
        assert_eq!(p.drift.psi_fail, 0.3);
        assert_eq!(p.drift.psi_warn, 0.1);
        assert_eq!(p.system.id, "x");
        assert_eq!(p.fairness.thresholds.len(), d.fairness.thresholds.len());
    }

    #[test]
    fn errors_name_line_key_and_expectation() {
        let e = parse("version = 1\n[drift]\npsi_fail = \"high\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("policy.toml") && e.contains("line 3") && e.contains("psi_fail"),
            "{e}"
        );
        let e = parse("version = 1\n[checks]\nfairnes = true\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("fairnes"), "{e}");
        let e = parse("version = 1\n[drift]\npsi_warn = 0.5\npsi_fail = 0.2\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("psi_warn <= psi_fail"), "{e}");
        let e = parse("version = 1\n[fairness.thresholds.selection_rate_ratio]\nwarn = 0.7\nfail = 0.8\ndirection = \"below\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("selection_rate_ratio") && e.contains("warn 0.7"),
            "{e}"
        );
        let e = parse(
            "version = 1\n[controls]\n\"fairness.selection_rate_ratio\" = [\"ISO42001:A.99\"]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown control id `ISO42001:A.99`"), "{e}");
        let e = parse("version = 1\n[risk]\nimpact_bias = 7\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("impact_bias must be between 1 and 5"), "{e}");
        let e = parse("version = 2\n").unwrap_err().to_string();
        assert!(e.contains("version 2"), "{e}");
        let e = parse("version = 1\n[drift]\nsketch = 3\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("drift.sketch") && e.contains("given 3"), "{e}");
        assert_eq!(
            parse("version = 1\n[drift]\nsketch = 200\n")
                .unwrap()
                .drift
                .sketch,
            Some(200)
        );
        assert_eq!(Policy::default_policy().drift.sketch, None);
        assert_eq!(Policy::default_policy().quality.sketch, None);
        let e = parse("version = 1\n[quality]\nsketch = 2\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("quality.sketch") && e.contains("given 2"), "{e}");
        assert_eq!(
            parse("version = 1\n[quality]\nsketch = 1000\n")
                .unwrap()
                .quality
                .sketch,
            Some(1000)
        );
    }

    #[test]
    fn starter_policy_parses_with_the_roles() {
        let roles = Roles {
            label: Some("income".into()),
            prediction: Some("pred".into()),
            sensitive: vec!["sex".into(), "race".into()],
            positive_label: Some(">50K".into()),
            ..Default::default()
        };
        let text = Policy::starter("adult-demo", &roles);
        let p = parse(&text).unwrap();
        assert_eq!(p.system.id, "adult-demo");
        assert_eq!(p.data.label.as_deref(), Some("income"));
        assert_eq!(p.data.sensitive, ["sex", "race"]);
        assert_eq!(p.data.positive_label.as_deref(), Some(">50K"));
        assert!(text.contains("four-fifths"));
    }
}
