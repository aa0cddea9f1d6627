//! The quality report: what each check found (`Check`, judged `pass`, `warn` or `fail`), each
//! column's profile, the dataset-level findings, fingerprints and the score. Serialised as the
//! `quality` command's JSON and as `results.quality` in the evidence.

use super::spec::*;
use crate::quality::rules::ColumnFacts;
use fairgauge_core::quality::numeric::NumericProfile;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Within thresholds.
    Pass,
    /// Past the warning threshold.
    Warn,
    /// Past the failure threshold.
    Fail,
}

impl Status {
    pub(crate) fn score(self) -> f64 {
        match self {
            Status::Pass => 1.0,
            Status::Warn => 0.5,
            Status::Fail => 0.0,
        }
    }
}

/// A row and its value, as an example of a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    /// 1-based data row (header excluded).
    pub row: u64,
    /// The value (`null` for a missing one).
    pub value: Option<String>,
}

/// A group of equal rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowGroup {
    /// Rows in the group.
    pub count: u64,
    /// The first rows (1-based).
    pub rows: Vec<u64>,
}

/// The judged thresholds of a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    /// Warning threshold.
    pub warn: f64,
    /// Failure threshold.
    pub fail: f64,
    /// `above` (bad when the value exceeds) or `below`.
    pub direction: &'static str,
}

/// One judged check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable id: `column.<name>.<check>`, `dataset.<check>` or `rule.<column>.<rule>`.
    pub id: String,
    /// The check's kind.
    pub check: String,
    /// The column, when the check is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The sensitive attribute, when the check is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    /// Verdict.
    pub status: Status,
    /// The measured value (a share, a count or a statistic, as the message says).
    pub value: Option<f64>,
    /// Thresholds applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Threshold>,
    /// Rows concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// What was found, in a sentence.
    pub message: String,
    /// A few rows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
}

impl Check {
    /// A check named `check` of `column` (id `column.<column>.<check>`): passing, nothing
    /// measured yet. Set the rest by name:
    /// `Check { status, value, message, ..Check::of_column(name, "missing") }`.
    pub fn of_column(column: &str, check: &str) -> Check {
        Check {
            id: format!("column.{column}.{check}"),
            column: Some(column.to_string()),
            ..Check::of_dataset(check)
        }
    }

    /// A dataset-level check named `check` (id `dataset.<check>`), as [`Check::of_column`].
    pub fn of_dataset(check: &str) -> Check {
        Check {
            id: format!("dataset.{check}"),
            check: check.to_string(),
            column: None,
            attribute: None,
            status: Status::Pass,
            value: None,
            threshold: None,
            count: None,
            message: String::new(),
            examples: vec![],
        }
    }
}

impl Threshold {
    /// Bad above `warn` (a warning) and above `fail` (a failure).
    pub fn above(warn: f64, fail: f64) -> Threshold {
        Threshold {
            warn,
            fail,
            direction: "above",
        }
    }

    /// Bad below `warn` (a warning) and below `fail` (a failure).
    pub fn below(warn: f64, fail: f64) -> Threshold {
        Threshold {
            warn,
            fail,
            direction: "below",
        }
    }
}

/// A suspected placeholder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placeholder {
    /// The value.
    pub value: String,
    /// Rows holding it.
    pub count: u64,
    /// Why it is suspected.
    pub reason: String,
}

/// Missing values of a column, by kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missing {
    /// Nulls.
    pub nulls: u64,
    /// NaN.
    pub nan: u64,
    /// Empty (or all-blank) strings.
    pub empty_strings: u64,
    /// Configured null tokens, by token.
    pub configured: BTreeMap<String, u64>,
    /// Suspected placeholders (not configured).
    pub suspected: Vec<Placeholder>,
    /// All of the above.
    pub total: u64,
    /// `total` over rows.
    pub share: Option<f64>,
}

/// A frequent value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopValue {
    /// The value.
    pub value: String,
    /// Rows holding it.
    pub count: u64,
    /// Share of non-missing rows.
    pub share: f64,
}

/// Text-specific facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextFacts {
    /// Longest value, in characters.
    pub max_length: u64,
    /// Values with leading or trailing white space (rows).
    pub padded: u64,
    /// Spellings of one category differing only in case or spacing.
    pub variants: Vec<Vec<TopValue>>,
    /// Values that are numbers, dates and other text (rows, placeholders and missing aside).
    pub kinds: BTreeMap<String, u64>,
}

/// The profile of one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnReport {
    /// Name.
    pub name: String,
    /// The type as read.
    pub dtype: String,
    /// `numeric`, `numeric_text` (numbers stored as text), `text`, `boolean` or `other`.
    pub kind: String,
    /// Rows profiled (empty rows excluded).
    pub rows: u64,
    /// Missing values.
    pub missing: Missing,
    /// Distinct non-missing values.
    pub distinct: u64,
    /// Whether `distinct` is exact (beyond [`MAX_TRACKED_VALUES`] text values it is counted
    /// through 64-bit hashes: exact barring a collision, of probability below 1e-5 under 10M
    /// values).
    pub distinct_exact: bool,
    /// The mergeable HyperLogLog estimate of distinct non-null values (canonical values:
    /// placeholders included, `1` and `1.0` alike), with its relative standard error; what a
    /// distributed or bounded-memory run reports in place of the exact count.
    pub distinct_sketch: DistinctSketch,
    /// Most frequent values.
    pub top: Vec<TopValue>,
    /// Numeric summary (finite values).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numeric: Option<NumericProfile>,
    /// Bounded mode only: how `numeric` was computed (exact from value counts, or from a KLL
    /// sketch with its rank error; see [`QualitySpec::sketch`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numeric_sketch: Option<NumericSketchInfo>,
    /// Whether every number is whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integral: Option<bool>,
    /// +∞ and −∞ values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infinite: Option<(u64, u64)>,
    /// Text facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<TextFacts>,
    /// 0–100.
    pub score: f64,
    /// Ids of this column's checks.
    pub checks: Vec<String>,
}

/// How a column's numeric profile was computed in the bounded mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumericSketchInfo {
    /// `true` while the column had at most
    /// [`fairgauge_core::quality::EXACT_VALUE_LIMIT`] distinct numbers: every figure is then
    /// exact (mean and standard deviation up to rounding).
    pub exact: bool,
    /// The KLL sketch's `k`.
    pub k: u16,
    /// Normalised rank error bound `ε` of the quantiles, fences, median, MAD and outlier
    /// counts (each count within `ε·n` per side, with probability ≥ 99 %); 0 when exact.
    pub rank_error: f64,
}

/// A HyperLogLog distinct-count estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistinctSketch {
    /// The estimate (rounded to a whole number).
    pub estimate: f64,
    /// Relative standard error (1.04 / √m).
    pub relative_standard_error: f64,
    /// Registers: 2^precision.
    pub precision: u8,
}

/// File, content and schema fingerprints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fingerprints {
    /// SHA-256 of the file's bytes; `None` for an in-memory table.
    pub file_sha256: Option<String>,
    /// Order-, format- and chunking-independent content fingerprint (`content-v1`).
    pub content: String,
    /// Names and types (`schema-v1`).
    pub schema: String,
}

/// Dataset-level facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetReport {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: String,
    /// Data rows (blank CSV lines excluded, empty rows included).
    pub rows: u64,
    /// Columns.
    pub columns: usize,
    /// Rows with every field null.
    pub empty_rows: u64,
    /// Extra copies of duplicated rows, and the largest groups.
    pub duplicates: Duplicates,
    /// Duplicated keys, with `--key`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_keys: Option<Duplicates>,
    /// Label counts, with `--label`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<LabelBalance>,
    /// Conflicting labels, with `--label`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicting_labels: Option<Conflicts>,
    /// Rows also in the reference, with `--reference`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leakage: Option<Leakage>,
    /// Missing shares by sensitive group.
    pub missingness_by_group: Vec<GroupMissingness>,
    /// Associations of features with sensitive attributes.
    pub proxies: Vec<Proxy>,
    /// Fingerprints.
    pub fingerprints: Fingerprints,
    /// 0–100.
    pub score: f64,
    /// The worst check status.
    pub status: Status,
}

/// Duplicated rows (or keys).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duplicates {
    /// Columns compared.
    pub columns: Vec<String>,
    /// Extra copies: rows − distinct rows.
    pub extra_rows: u64,
    /// Groups of equal rows with more than one row.
    pub groups: u64,
    /// `extra_rows` over rows.
    pub share: Option<f64>,
    /// The largest groups.
    pub examples: Vec<RowGroup>,
}

/// Label counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelBalance {
    /// The label column.
    pub column: String,
    /// Rows per label value.
    pub counts: BTreeMap<String, u64>,
    /// Share of the rarest label.
    pub minority_share: Option<f64>,
    /// Largest over smallest count.
    pub imbalance_ratio: Option<f64>,
}

/// Conflicting labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflicts {
    /// Groups of rows equal but for the label, with more than one label.
    pub groups: u64,
    /// Rows in those groups.
    pub rows: u64,
    /// `rows` over rows with a label.
    pub share: Option<f64>,
    /// The largest groups.
    pub examples: Vec<RowGroup>,
}

/// Train/test overlap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leakage {
    /// The reference file.
    pub reference: PathBuf,
    /// Columns compared (those both tables have).
    pub columns: Vec<String>,
    /// Current rows equal to some reference row.
    pub rows: u64,
    /// `rows` over current rows.
    pub share: Option<f64>,
    /// A few of them.
    pub examples: Vec<u64>,
}

/// Missing shares of one column across the groups of one attribute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMissingness {
    /// The sensitive attribute.
    pub attribute: String,
    /// The column.
    pub column: String,
    /// Missing share per group (groups of at least [`MIN_GROUP_ROWS`] rows).
    pub shares: BTreeMap<String, f64>,
    /// Largest minus smallest share.
    pub spread: f64,
    /// Pearson chi-square p-value (independence of missingness and group).
    pub p_value: Option<f64>,
}

/// Association of a feature with a sensitive attribute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proxy {
    /// The feature.
    pub feature: String,
    /// The sensitive attribute.
    pub attribute: String,
    /// `cramers_v` or `correlation_ratio`.
    pub measure: String,
    /// Its value (0–1).
    pub value: f64,
    /// Mutual information (nats).
    pub mutual_information: Option<f64>,
    /// Theil's U: the share of the attribute's entropy the feature explains.
    pub uncertainty_coefficient: Option<f64>,
}

/// Summary counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Passed checks.
    pub pass: u64,
    /// Warnings.
    pub warn: u64,
    /// Failures.
    pub fail: u64,
}

/// The result of [`run_quality`](crate::quality::run::run_quality).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityReport {
    /// Dataset-level facts, score and fingerprints.
    pub dataset: DatasetReport,
    /// One profile per column, in file order.
    pub columns: Vec<ColumnReport>,
    /// Every check, dataset checks first.
    pub checks: Vec<Check>,
    /// Counts by status.
    pub summary: Summary,
    /// The thresholds applied.
    pub thresholds: Thresholds,
    /// Rules file applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<PathBuf>,
    /// Sensitive attributes or features not analysed, and why.
    pub skipped: Vec<String>,
    #[serde(skip)]
    pub(crate) facts: Vec<ColumnFacts>,
    /// 0-based positions of empty rows (blank CSV lines included).
    #[serde(skip)]
    pub(crate) empty_positions: Vec<u64>,
    /// The reference's fingerprints, when the leakage pass computed them.
    #[serde(skip)]
    pub(crate) reference_facts: Option<DatasetFacts>,
}

impl QualityReport {
    /// The reference table's rows, columns and fingerprints, when the leakage pass read all of
    /// its columns (so that callers need not read it again).
    pub fn reference_facts(&self) -> Option<&DatasetFacts> {
        self.reference_facts.as_ref()
    }

    /// Rules suggested from this table (TOML), see [`crate::quality::rules::infer_rules`].
    pub fn infer_rules(&self) -> String {
        crate::quality::rules::infer_rules(&self.facts, &self.dataset.path.display().to_string())
    }
}

/// Rows, columns, format and fingerprints of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetFacts {
    /// Data rows (blank CSV lines excluded).
    pub rows: u64,
    /// Columns.
    pub columns: u64,
    /// Fingerprints, as [`run_quality`](crate::quality::run::run_quality) computes them.
    pub fingerprints: Fingerprints,
    /// The format.
    pub format: String,
}
