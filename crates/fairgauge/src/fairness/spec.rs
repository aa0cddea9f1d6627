//! What a fairness run is asked (the roles) and what it answers: the input, the resolved roles
//! and the core's report.

use fairgauge_core::fairness::multiclass::MulticlassReport;
use fairgauge_core::fairness::ranking::RankingReport;
use fairgauge_core::fairness::regression::RegressionReport;
use fairgauge_core::fairness::FairnessReport;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What kind of model is judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// A binary classifier (or a binary label, for dataset bias).
    #[default]
    Binary,
    /// A classifier of up to [`fairgauge_core::fairness::multiclass::MAX_CLASSES`] classes:
    /// per-group confusion matrices, every class judged one-vs-rest.
    Multiclass,
    /// A regression model: numeric label and prediction; error, bias and the predictions'
    /// distribution per group.
    Regression,
    /// A ranking: items in lists (`query`), ordered by a rank or a score, optionally with
    /// relevance; exposure, top-k selection and NDCG per group.
    Ranking,
}

impl Task {
    /// Whether this is the binary task (left out of serialised specs, which then read as before).
    pub fn is_binary(&self) -> bool {
        *self == Task::Binary
    }

    /// The task's name as the CLI and the JSON spell it.
    pub fn name(&self) -> &'static str {
        match self {
            Task::Binary => "binary",
            Task::Multiclass => "multiclass",
            Task::Regression => "regression",
            Task::Ranking => "ranking",
        }
    }
}

/// Which columns play which role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessSpec {
    /// The true label.
    pub label: String,
    /// The model's decision (binary); optional when a score is given, absent for dataset bias.
    pub prediction: Option<String>,
    /// The model's probability of the positive label.
    pub score: Option<String>,
    /// A score at or above this is a positive prediction (when no prediction column is given).
    pub threshold: f64,
    /// Sensitive attributes.
    pub sensitive: Vec<String>,
    /// The positive label value; by default one of `1`, `true`, `yes`, `y`, `t`, `positive`.
    pub positive_label: Option<String>,
    /// Sample weights (a numeric column, every value finite and `≥ 0`): rates become ratios of
    /// weighted sums, as Fairlearn's `sample_weight`, with intervals and tests at Kish's
    /// effective size ([`fairgauge_core::fairness::weights`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// The task (default binary).
    #[serde(default, skip_serializing_if = "Task::is_binary")]
    pub task: Task,
    /// Regression: values at or above this count as selected, and the binary rates of
    /// `label ≥ T` against `prediction ≥ T` are reported beside the regression metrics
    /// (`--threshold` with `--task regression`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_threshold: Option<f64>,
    /// Regression: keep every row's label beside its prediction, which the bootstrap resamples
    /// (set when a bootstrap is asked for; without it the labels are not kept, which saves a
    /// quarter of the regression's time at 10M rows). Binary with sample weights: keep every
    /// row's weight, which the bootstrap draws a Poisson weight for.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep_labels: bool,
    /// The ranking task's roles (its lists, ranks, relevance and cut-offs); the order comes
    /// from `ranking.rank` or from `score` (highest first), and `label` is not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranking: Option<RankingSpec>,
    /// Sensitive attributes known only as each row's probability of each group (BISG's
    /// `p_white`, …): each row counts towards every group with its probability (binary task).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probabilistic: Vec<ProbabilisticSpec>,
}

/// A sensitive attribute given as probability columns, one per group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbabilisticSpec {
    /// The attribute's name in the report (`race`).
    pub name: String,
    /// Each group's name and its probability column, in order.
    pub groups: Vec<(String, String)>,
    /// The threshold estimator beside the weighted one: a row is assigned its most likely
    /// group when that probability is at least this (default [`DEFAULT_ASSIGN_THRESHOLD`]).
    #[serde(default = "default_assign_threshold")]
    pub assign_threshold: f64,
    /// The proxy strata for the bounds on rates and disparities (`--bounds-by ZIP`): columns
    /// whose values the probabilities were computed from; none, no bounds
    /// ([`fairgauge_core::membership::bounds`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bounds_by: Vec<String>,
}

/// The threshold estimator's default: a row is assigned a group of probability ≥ 0.8.
pub const DEFAULT_ASSIGN_THRESHOLD: f64 = 0.8;

fn default_assign_threshold() -> f64 {
    DEFAULT_ASSIGN_THRESHOLD
}

impl ProbabilisticSpec {
    /// Parses `NAME=COL,COL,…` or `NAME=GROUP:COL,…`. Without group names, a group is named by
    /// its column without a prefix all the columns share up to `_` (`p_white` → `white`).
    pub fn parse(s: &str, assign_threshold: f64) -> Result<ProbabilisticSpec, String> {
        let (name, cols) = s
            .split_once('=')
            .ok_or_else(|| format!("`{s}`: expected NAME=COL,COL,… (e.g. race=p_white,p_black)"))?;
        let items: Vec<&str> = cols.split(',').map(str::trim).collect();
        if name.trim().is_empty() || items.len() < 2 || items.iter().any(|c| c.is_empty()) {
            return Err(format!(
                "`{s}`: expected a name and at least two probability columns, NAME=COL,COL,…"
            ));
        }
        let named: Vec<Option<(&str, &str)>> = items.iter().map(|i| i.split_once(':')).collect();
        let groups: Vec<(String, String)> = if named.iter().all(Option::is_some) {
            named
                .into_iter()
                .flatten()
                .map(|(g, c)| (g.trim().to_string(), c.trim().to_string()))
                .collect()
        } else {
            let prefix = common_prefix(&items);
            items
                .iter()
                .map(|c| (c[prefix.len()..].to_string(), c.to_string()))
                .collect()
        };
        Ok(ProbabilisticSpec {
            name: name.trim().to_string(),
            groups,
            assign_threshold,
            bounds_by: vec![],
        })
    }

    /// The same attribute with bounds over the strata of `columns` (none: no bounds).
    pub fn with_bounds_by(mut self, columns: &[String]) -> Self {
        self.bounds_by = columns.to_vec();
        self
    }

    /// The probability columns, in group order.
    pub fn columns(&self) -> impl Iterator<Item = &String> {
        self.groups.iter().map(|(_, c)| c)
    }

    /// The groups' names, in order.
    pub fn group_names(&self) -> Vec<String> {
        self.groups.iter().map(|(g, _)| g.clone()).collect()
    }

    /// The threshold estimator's attribute name: `race_assigned`.
    pub fn assigned_name(&self) -> String {
        format!("{}_assigned", self.name)
    }
}

/// The longest prefix ending in `_` that every column has and none is only (`p_` of `p_white`,
/// `p_black`); empty when there is none.
fn common_prefix(columns: &[&str]) -> String {
    let first = columns[0];
    let mut best = "";
    for (i, _) in first.match_indices('_') {
        let p = &first[..=i];
        if columns
            .iter()
            .all(|c| c.starts_with(p) && c.len() > p.len())
        {
            best = p;
        }
    }
    best.to_string()
}

/// The roles of the ranking task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RankingSpec {
    /// The column naming each item's list (a query, a search, a shortlist).
    pub query: String,
    /// The column of 1-based ranks (or none: the spec's `score` orders each list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<String>,
    /// The column of relevance (numbers `≥ 0`), for the exposure-to-relevance ratio and NDCG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevance: Option<String>,
    /// The top-k cut-offs (default [`fairgauge_core::fairness::ranking::DEFAULT_K`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub k: Vec<u32>,
}

/// Most groups one sensitive attribute may have before it is taken for an identifier.
pub const MAX_GROUPS: usize = 1000;

/// What was read, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputInfo {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: String,
    /// The schema file used, if any.
    pub schema_file: Option<PathBuf>,
}

/// The roles as resolved from the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedRoles {
    /// Label column.
    pub label: String,
    /// Prediction column.
    pub prediction: Option<String>,
    /// Score column.
    pub score: Option<String>,
    /// Threshold applied to the score (when the prediction comes from it).
    pub threshold: Option<f64>,
    /// Sensitive attributes.
    pub sensitive: Vec<String>,
    /// Sample-weight column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// The positive label.
    pub positive_label: String,
    /// The label values found.
    pub label_values: Vec<String>,
    /// The prediction values found.
    pub prediction_values: Vec<String>,
}

/// A fairness report with what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessOutput {
    /// fairgauge's version.
    pub tool_version: String,
    /// The input.
    pub input: InputInfo,
    /// The roles.
    pub roles: ResolvedRoles,
    /// The report.
    #[serde(flatten)]
    pub report: FairnessReport,
    /// The attributes known as probabilities: how they were counted and what to keep in mind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub membership: Vec<MembershipInfo>,
}

/// How an attribute known as probabilities entered a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembershipInfo {
    /// The attribute (its weighted groups are the report's `attribute`).
    pub attribute: String,
    /// Each group's probability column.
    pub columns: std::collections::BTreeMap<String, String>,
    /// Rows with probabilities (each counted towards every group with its probability).
    pub rows_with_probabilities: u64,
    /// Rows without (every probability null): left out.
    pub rows_without_probabilities: u64,
    /// The threshold estimator's attribute (`race_assigned`); `assigned_not_reported` says why
    /// when its groups are not in the report.
    pub assigned_attribute: String,
    /// Its threshold: a row is assigned its most likely group when that probability is at
    /// least this.
    pub assign_threshold: f64,
    /// Rows assigned a group.
    pub rows_assigned: u64,
    /// Rows whose largest probability is below the threshold: left out of the threshold
    /// estimator.
    pub rows_unassigned: u64,
    /// Why the threshold estimator is not in the report, when it is not (fewer than two groups
    /// assigned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_not_reported: Option<String>,
    /// How the groups were counted.
    pub method: String,
    /// What the estimate cannot tell.
    pub caveat: String,
    /// Bounds on the rates and their differences that hold without assuming the outcome
    /// independent of membership given the proxies (with `--bounds-by`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<AttributeBounds>,
}

/// The bounds of an attribute known as probabilities over the strata of its proxies
/// ([`fairgauge_core::membership::bounds`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeBounds {
    /// The strata's columns.
    pub by: Vec<String>,
    /// How the bounds were made.
    pub method: String,
    /// The bounds.
    #[serde(flatten)]
    pub report: fairgauge_core::membership::bounds::BoundsReport,
}

/// The roles of a multiclass run as resolved from the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MulticlassRoles {
    /// Label column.
    pub label: String,
    /// Prediction column.
    pub prediction: String,
    /// Sensitive attributes.
    pub sensitive: Vec<String>,
    /// Sample-weight column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
}

/// A multiclass fairness report with what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MulticlassOutput {
    /// fairgauge's version.
    pub tool_version: String,
    /// The input.
    pub input: InputInfo,
    /// The roles.
    pub roles: MulticlassRoles,
    /// The report (its `task` is `multiclass`).
    #[serde(flatten)]
    pub report: MulticlassReport,
}

/// A regression fairness report with what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionOutput {
    /// fairgauge's version.
    pub tool_version: String,
    /// The input.
    pub input: InputInfo,
    /// The roles (the same as the multiclass task's).
    pub roles: MulticlassRoles,
    /// The report (its `task` is `regression`).
    #[serde(flatten)]
    pub report: RegressionReport,
}

/// The roles of a ranking run as resolved from the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingRoles {
    /// The lists' column.
    pub query: String,
    /// The rank column, when lists are ordered by rank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<String>,
    /// The score column, when lists are ordered by score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
    /// The relevance column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevance: Option<String>,
    /// Sensitive attributes.
    pub sensitive: Vec<String>,
}

/// A ranking fairness report with what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingOutput {
    /// fairgauge's version.
    pub tool_version: String,
    /// The input.
    pub input: InputInfo,
    /// The roles.
    pub roles: RankingRoles,
    /// The report (its `task` is `ranking`).
    #[serde(flatten)]
    pub report: RankingReport,
}

/// The report of any task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TaskOutput {
    /// A ranking report (tried first: only it has `ranked_by`).
    Ranking(Box<RankingOutput>),
    /// A regression report (tried first, with the multiclass one: only they have `task`).
    Regression(Box<RegressionOutput>),
    /// A multiclass report.
    Multiclass(Box<MulticlassOutput>),
    /// A binary report.
    Binary(Box<FairnessOutput>),
}
