//! Data quality and integrity: a profile of every column, declared rules, dataset-level checks
//! (duplicates, keys, conflicting labels, label balance, train/test leakage, missingness by
//! sensitive group, proxies for sensitive attributes), fingerprints for provenance, and a 0–100
//! score. Every check is judged `pass`, `warn` or `fail` against documented thresholds.
//!
//! Conventions (each tested):
//! - **Missing** = nulls + NaN + empty strings + configured null tokens (the table's
//!   `null_values`, counted per token) + suspected placeholders. Each part is reported apart.
//! - **Suspected placeholders** are found without configuration: a text value that is one of
//!   [`PLACEHOLDER_TOKENS`] (compared trimmed and case-insensitively); in a column of numbers
//!   (numeric, or text of which at least 95 % are numbers), a non-numeric text repeated at least
//!   twice; and a numeric sentinel from [`NUMERIC_SENTINELS`] that is the column's minimum or
//!   maximum and stands out: negative in an otherwise non-negative column, or beyond the outer
//!   Tukey fences (Q1 − 3·IQR, Q3 + 3·IQR).
//! - A text column with at least 95 % numeric values (UCI files store numbers as text) is profiled
//!   as numbers; its other values are reported as mixed types.
//! - A row whose every field is null is an **empty row**: counted, reported, and left out of the
//!   column profiles; blank CSV lines (which polars reads as such rows) are not rows at all.
//! - **Duplicates** are rows equal in every column (128-bit row hashes, see
//!   [`fairgauge_core::fingerprint`]); the duplicate share counts the extra copies
//!   (rows − distinct rows) over rows.
//! - **Conflicting labels**: rows equal in every column but the label, with different labels; the
//!   share counts every row of such a group.
//! - **Leakage**: current rows equal (over the columns both tables have) to some reference row.
//! - **Missingness by group**: per sensitive attribute and column, the missing share per group
//!   (groups under 30 rows left out); the spread (max − min) is judged when Pearson's chi-square
//!   test of independence gives p < 0.05.
//! - **Proxies**: Cramér's V (no bias correction) between a text feature and each sensitive
//!   attribute; the correlation ratio η for numeric features (reported with the mutual
//!   information of the feature's decile bins and the attribute, in nats, and Theil's U, the
//!   share of the attribute's entropy it explains). Text features with more than
//!   [`MAX_PROXY_CATEGORIES`] values are skipped (identifiers).
//! - **Score**: each check scores 1 (pass), ½ (warn) or 0 (fail), weighted (see [`weight`]); a
//!   column's score is 100 × the weighted mean of its checks; the table's is the mean of the
//!   column scores and the dataset checks' score, half each.
//!
//! **Bounded memory** ([`QualitySpec::sketch`]). The exact mode holds each numeric column's values
//! (8 bytes a value), every row's 128-bit hashes (16 bytes per check) and the sensitive groups' and
//! label's codes (2 bytes each a row). With `sketch = Some(k)` none of these is kept:
//! - numbers (numeric columns, and text columns of numbers) go into a
//!   [`NumericSketch`] per slice, merged in row order: the profile is exact while a column has at
//!   most [`fairgauge_core::quality::EXACT_VALUE_LIMIT`] distinct values, otherwise read off a KLL
//!   sketch of parameter `k` within its stated rank error (each column's
//!   [`ColumnReport::numeric_sketch`]); numeric sentinels are counted exactly, so suspected
//!   placeholders are the exact mode's (their rule reads the quartiles, which are then
//!   approximate);
//! - the groups' statistics that the proxies and missingness by group need are counted per slice
//!   (moments per group and sentinel counts per group), so η is exact up to rounding; the mutual
//!   information and Theil's U of numeric features need each row's bin and are not computed;
//! - text columns beyond [`MAX_TRACKED_VALUES`] values report HyperLogLog's distinct count;
//! - row hashes are written to temporary files ([`crate::spill`]) and compared a file at a time:
//!   duplicates, duplicate keys, conflicting labels, leakage, their example rows and the
//!   fingerprints equal the exact mode's;
//! - outliers are counted but their example rows are not kept; columns named by a rules file stay
//!   exact (rules judge each row); the positions of empty rows are kept (8 bytes each: the
//!   failing-rows pass skips them).

use std::collections::BTreeMap;
use std::path::PathBuf;

use fairgauge_core::fingerprint::{
    column_seed, finish_row, hash_null, hash_number, hash_text, numeric_text, schema_fingerprint,
    sha256_reader, ContentFingerprint,
};
use fairgauge_core::quality::association::{correlation_ratio, Contingency, Moments};
use fairgauge_core::quality::hll::HyperLogLog;
use fairgauge_core::quality::numeric::{quantile_sorted, NumericProfile};
use fairgauge_core::quality::stream::NumericSketch;
use fairgauge_core::stats::hypothesis::chi_square_independence;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};
use crate::frame::{column_kinds, for_each_batch, Batch, ColumnKind, Visit};
use crate::rules::{Cell, ColumnFacts, RuleSet};
use crate::source::Table;
use crate::spill::{self, HashSpill, Rec, SpillReader};
use crate::text::{canonical_number, TextRules};

/// Values taken as suspected missing-value placeholders in text, compared trimmed and
/// case-insensitively.
pub const PLACEHOLDER_TOKENS: [&str; 30] = [
    "?",
    "??",
    "???",
    "-",
    "--",
    "---",
    ".",
    "n/a",
    "na",
    "n.a.",
    "nan",
    "null",
    "nil",
    "none",
    "missing",
    "unknown",
    "undefined",
    "not available",
    "not applicable",
    "#n/a",
    "(null)",
    "(blank)",
    "blank",
    "empty",
    "tbd",
    "-999",
    "-9999",
    "999",
    "9999",
    "99999",
];

/// Why a value from [`PLACEHOLDER_TOKENS`] is suspected (such values are left out of distinct
/// counts when they are found; sentinels found among numbers are subtracted afterwards).
const PLACEHOLDER_REASON: &str = "a common missing-value placeholder";

/// Numbers taken as suspected sentinels when they stand out (see the module documentation).
pub const NUMERIC_SENTINELS: [f64; 12] = [
    -1.0, -9.0, -99.0, -999.0, -9999.0, -99999.0, 99.0, 999.0, 9999.0, 99999.0, 999999.0, 9999999.0,
];

/// Text features with more distinct values than this are not tested as proxies.
pub const MAX_PROXY_CATEGORIES: usize = 1000;
/// Most groups a sensitive attribute may have.
pub const MAX_GROUPS: usize = 1000;
/// Distinct values of a text column kept with their counts (beyond, distinct values are counted
/// through 64-bit hashes and top values come from the tracked ones).
pub const MAX_TRACKED_VALUES: usize = 100_000;
/// Groups smaller than this are left out of missingness-by-group comparisons.
pub const MIN_GROUP_ROWS: u64 = 30;
/// Share of numeric values from which a text column is profiled as numbers.
pub const NUMERIC_TEXT_SHARE: f64 = 0.95;

const NULL_CODE: u32 = u32::MAX;
const NULL_GROUP: u16 = u16::MAX;
const EXAMPLE_ROWS_PER_VALUE: usize = 3;
// A null in a row-order vector of numbers: a NaN with a payload no arithmetic produces.
const NULL_BITS: u64 = 0x7ff8_dead_beef_0001;

fn null_f64() -> f64 {
    f64::from_bits(NULL_BITS)
}

fn is_null_f64(x: f64) -> bool {
    x.to_bits() == NULL_BITS
}

/// Warn and fail thresholds of the checks (documented defaults; issue 5's policy overrides them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thresholds {
    /// Missing share: warn above, fail above.
    pub missing: (f64, f64),
    /// Duplicate-row share (extra copies over rows).
    pub duplicates: (f64, f64),
    /// Share of rows in groups with conflicting labels.
    pub conflicting_labels: (f64, f64),
    /// Share of current rows found in the reference.
    pub leakage: (f64, f64),
    /// Minority label share: warn below, fail below.
    pub label_minority: (f64, f64),
    /// Spread of missing shares across groups (max − min), when significant.
    pub missing_by_group: (f64, f64),
    /// Proxy strength (Cramér's V or η): warn at or above, fail at or above.
    pub proxy: (f64, f64),
    /// Share of IQR outliers above which a column warns.
    pub outliers_iqr: f64,
    /// Share of robust-z outliers above which a column warns.
    pub outliers_robust_z: f64,
    /// Top value share from which a column is near-constant (warn).
    pub near_constant: f64,
    /// Distinct text values above which a column has high cardinality (warn).
    pub high_cardinality: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            missing: (0.05, 0.20),
            duplicates: (0.01, 0.05),
            conflicting_labels: (0.0, 0.01),
            leakage: (0.0, 0.01),
            label_minority: (0.10, 0.01),
            missing_by_group: (0.05, 0.20),
            proxy: (0.30, 0.50),
            outliers_iqr: 0.05,
            outliers_robust_z: 0.01,
            near_constant: 0.99,
            high_cardinality: 1000,
        }
    }
}

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct QualitySpec {
    /// The label column (label balance, conflicting labels; left out of proxies).
    pub label: Option<String>,
    /// Sensitive attributes (missingness by group, proxies).
    pub sensitive: Vec<String>,
    /// Columns that together identify a row.
    pub key: Vec<String>,
    /// Declared rules.
    pub rules: Option<RuleSet>,
    /// Thresholds.
    pub thresholds: Thresholds,
    /// Examples kept per check.
    pub examples: usize,
    /// Bounded memory: numeric columns are summarised by a [`NumericSketch`] with a KLL
    /// sketch of this `k` (exact while a column has at most
    /// [`fairgauge_core::quality::EXACT_VALUE_LIMIT`] distinct values), text columns beyond
    /// [`MAX_TRACKED_VALUES`] values are counted by HyperLogLog, and row hashes go to
    /// temporary files ([`crate::spill`]), so memory no longer grows with the rows. See the
    /// module documentation for what changes. `None`: exact, in memory.
    pub sketch: Option<u16>,
}

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
    fn score(self) -> f64 {
        match self {
            Status::Pass => 1.0,
            Status::Warn => 0.5,
            Status::Fail => 0.0,
        }
    }
}

/// The weight of a check in the scores: completeness (and a table without rows) 3; duplicates,
/// keys and leakage 3;
/// validity (placeholders, infinite values, mixed types, rules, conflicting labels) 2; the rest
/// (consistency and shape: constant, outliers, hygiene, cardinality, balance, group missingness,
/// proxies, empty rows) 1.
pub fn weight(check: &str) -> f64 {
    match check {
        "missing" | "duplicates" | "duplicate_keys" | "leakage" | "no_rows" => 3.0,
        "placeholders" | "infinite" | "mixed_types" | "conflicting_labels" => 2.0,
        c if c.starts_with("rule.") => 2.0,
        _ => 1.0,
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

/// The result of [`run_quality`].
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
    facts: Vec<ColumnFacts>,
    /// 0-based positions of empty rows (blank CSV lines included).
    #[serde(skip)]
    empty_positions: Vec<u64>,
    /// The reference's fingerprints, when the leakage pass computed them.
    #[serde(skip)]
    reference_facts: Option<DatasetFacts>,
}

impl QualityReport {
    /// The reference table's rows, columns and fingerprints, when the leakage pass read all of
    /// its columns (so that callers need not read it again).
    pub fn reference_facts(&self) -> Option<&DatasetFacts> {
        self.reference_facts.as_ref()
    }

    /// Rules suggested from this table (TOML), see [`crate::rules::infer_rules`].
    pub fn infer_rules(&self) -> String {
        crate::rules::infer_rules(&self.facts, &self.dataset.path.display().to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Reading: one slice of rows at a time, every column materialised, then folded into `Agg`.

struct ColPlan {
    name: String,
    kind: ColumnKind,
    dtype: String,
    seed: u64,
    rules: TextRules,
}

struct Ctx<'a> {
    table: &'a Table,
    cols: Vec<ColPlan>,
    sens: Vec<usize>,
    label: Option<usize>,
    key: Vec<usize>,
    /// Columns hashed for leakage when they are not all of them.
    leak_mask: Option<Vec<bool>>,
    /// Columns whose every distinct value must be tracked (rules).
    track_all: Vec<bool>,
    /// The bounded mode's KLL `k` ([`QualitySpec::sketch`]).
    sketch: Option<u16>,
    /// Columns whose numbers are summarised by a [`NumericSketch`] (bounded mode, no rule).
    sketch_col: Vec<bool>,
    /// Set once a sketched column is known to have more than
    /// [`fairgauge_core::quality::EXACT_VALUE_LIMIT`] distinct numbers: slices stop counting.
    many_values: Vec<AtomicBool>,
}

enum Cells {
    Num(Vec<f64>),
    Text {
        dict: Vec<String>,
        codes: Vec<u32>,
        /// (row, token) of each configured null token met (counted later, empty rows aside).
        conf_at: Vec<(u32, u16)>,
    },
}

struct NumVisitor {
    vals: Vec<f64>,
}

impl Visit for NumVisitor {
    fn text(&mut self, _row: usize, v: Option<&str>) {
        self.vals
            .push(v.and_then(|s| s.trim().parse().ok()).unwrap_or(null_f64()));
    }
    fn number(&mut self, _row: usize, v: Option<f64>) {
        self.vals.push(v.unwrap_or(null_f64()));
    }
    fn boolean(&mut self, _row: usize, v: Option<bool>) {
        self.vals
            .push(v.map(|b| if b { 1.0 } else { 0.0 }).unwrap_or(null_f64()));
    }
    fn numbers(&mut self, _first_row: usize, values: &[f64]) {
        self.vals.extend_from_slice(values);
    }
}

struct TextVisitor<'a> {
    rules: &'a TextRules,
    index: FxHashMap<String, u32>,
    dict: Vec<String>,
    codes: Vec<u32>,
    conf_at: Vec<(u32, u16)>,
}

impl TextVisitor<'_> {
    fn push(&mut self, raw: Option<&str>) {
        let Some(raw) = raw else {
            self.codes.push(NULL_CODE);
            return;
        };
        let v = if self.rules.trim { raw.trim() } else { raw };
        if let Some(i) = self.rules.null_values.iter().position(|n| n == v) {
            self.conf_at.push((self.codes.len() as u32, i as u16));
            self.codes.push(NULL_CODE);
            return;
        }
        let v = self.rules.replace.get(v).map(|s| s.as_str()).unwrap_or(v);
        let code = match self.index.get(v) {
            Some(&c) => c,
            None => {
                let c = self.dict.len() as u32;
                self.dict.push(v.to_string());
                self.index.insert(v.to_string(), c);
                c
            }
        };
        self.codes.push(code);
    }
}

impl Visit for TextVisitor<'_> {
    fn text(&mut self, _row: usize, v: Option<&str>) {
        self.push(v);
    }
    fn number(&mut self, _row: usize, v: Option<f64>) {
        let s = v.map(|x| canonical_number(x).unwrap_or_else(|| "NaN".into()));
        self.push(s.as_deref());
    }
    fn boolean(&mut self, _row: usize, v: Option<bool>) {
        self.push(v.map(|b| if b { "true" } else { "false" }));
    }
}

/// A categorical view of a column within a slice (sensitive attributes and the label).
#[derive(Serialize, Deserialize)]
struct CatView {
    dict: Vec<String>,
    codes: Vec<u32>,
}

fn cat_view(cells: &Cells) -> CatView {
    match cells {
        Cells::Text { dict, codes, .. } => CatView {
            dict: dict.clone(),
            codes: codes.clone(),
        },
        Cells::Num(vals) => {
            let mut index: FxHashMap<u64, u32> = FxHashMap::default();
            let mut dict = vec![];
            let codes = vals
                .iter()
                .map(|&x| {
                    if is_null_f64(x) || x.is_nan() {
                        return NULL_CODE;
                    }
                    let key = if x == 0.0 { 0 } else { x.to_bits() };
                    *index.entry(key).or_insert_with(|| {
                        dict.push(canonical_number(x).unwrap_or_default());
                        (dict.len() - 1) as u32
                    })
                })
                .collect();
            CatView { dict, codes }
        }
    }
}

/// Value-level facts of a text column in a slice.
#[derive(Default, Serialize, Deserialize)]
struct TextSlice {
    dict: Vec<String>,
    counts: Vec<u64>,
    rows: Vec<Vec<u64>>,
    configured: Vec<u64>,
    /// Row-order numbers when some values are numbers (non-numbers and nulls as the null NaN).
    numbers: Option<Vec<f64>>,
}

#[derive(Serialize, Deserialize)]
struct ColSlice {
    hll: HyperLogLog,
    nulls: u64,
    null_rows: Vec<u64>,
    num: Option<Vec<f64>>,
    text: Option<TextSlice>,
    /// [attr] → (rows per group, missing per group), local group codes.
    by_group: Vec<(Vec<u64>, Vec<u64>)>,
    /// [attr] → dense dict × groups counts (text columns with few values).
    contingency: Vec<Option<Vec<u64>>>,
    /// Bounded mode: the column's numbers summarised instead of `num` / the text numbers.
    #[serde(default)]
    sketch: Option<SketchedNumbers>,
}

/// A sketched column's numbers in a slice or a whole table (bounded mode).
#[derive(Clone, Serialize, Deserialize)]
struct SketchedNumbers {
    sketch: NumericSketch,
    nan: u64,
    pos_inf: u64,
    neg_inf: u64,
    /// First rows (0-based) holding ±∞.
    inf_rows: Vec<u64>,
    /// [attr] → [group] → moments of the finite numbers that are not numeric sentinels, and
    /// the count of each sentinel ([`NUMERIC_SENTINELS`]).
    groups: Vec<Vec<GroupNum>>,
}

#[derive(Clone, Default, Serialize, Deserialize)]
struct GroupNum {
    moments: Moments,
    watched: Vec<u64>,
}

impl SketchedNumbers {
    /// Merges `o`, whose groups of attribute `a` map to `remaps[a]`.
    fn merge(&mut self, o: SketchedNumbers, remaps: &[Vec<u16>], examples: usize) -> Result<()> {
        self.sketch.merge(&o.sketch)?;
        self.nan += o.nan;
        self.pos_inf += o.pos_inf;
        self.neg_inf += o.neg_inf;
        for r in o.inf_rows {
            if self.inf_rows.len() < examples {
                self.inf_rows.push(r);
            }
        }
        for (a, gs) in o.groups.into_iter().enumerate() {
            let mine = &mut self.groups[a];
            for (g, gn) in gs.into_iter().enumerate() {
                let gg = remaps[a][g] as usize;
                if mine.len() <= gg {
                    mine.resize(gg + 1, GroupNum::default());
                }
                let m = &mut mine[gg];
                m.moments.merge(&gn.moments);
                if m.watched.is_empty() {
                    m.watched = gn.watched;
                } else {
                    for (x, y) in m.watched.iter_mut().zip(&gn.watched) {
                        *x += y;
                    }
                }
            }
        }
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct SlicePart {
    n: usize,
    empty: Vec<u64>,
    row_hashes: Vec<u128>,
    key_hashes: Vec<u128>,
    feat_hashes: Vec<u128>,
    leak_hashes: Vec<u128>,
    cols: Vec<ColSlice>,
    views: Vec<CatView>,
    label_view: Option<CatView>,
}

impl<'a> Ctx<'a> {
    /// A context that only reads and hashes `columns` (no roles, no rules).
    fn plain(
        table: &'a Table,
        kinds: &[(String, ColumnKind, String)],
        columns: &[String],
    ) -> Ctx<'a> {
        Ctx {
            table,
            cols: columns
                .iter()
                .map(|c| {
                    let (kind, dtype) = kinds
                        .iter()
                        .find(|k| &k.0 == c)
                        .map(|k| (k.1, k.2.clone()))
                        .unwrap_or((ColumnKind::Text, String::new()));
                    ColPlan {
                        name: c.clone(),
                        kind,
                        dtype,
                        seed: column_seed(c),
                        rules: table.text_rules(c),
                    }
                })
                .collect(),
            sens: vec![],
            label: None,
            key: vec![],
            leak_mask: None,
            track_all: vec![],
            sketch: None,
            sketch_col: vec![],
            many_values: vec![],
        }
    }

    /// Each row's wrapping sum of cell hashes and its count of non-null cells.
    fn row_sums(&self, batch: &Batch) -> Result<(Vec<u128>, Vec<u32>)> {
        let mut sum = vec![0u128; batch.len()];
        let mut nonnull = vec![0u32; batch.len()];
        for i in 0..self.cols.len() {
            let cells = self.materialise(batch, i)?;
            for (s, x) in sum
                .iter_mut()
                .zip(self.cell_hashes(i, &cells, &mut nonnull))
            {
                *s = s.wrapping_add(x);
            }
        }
        Ok((sum, nonnull))
    }
}

impl Ctx<'_> {
    fn bad(&self, column: &str, message: String) -> Error {
        Error::BadColumn {
            path: self.table.path.clone(),
            column: column.to_string(),
            message,
        }
    }

    fn materialise(&self, batch: &Batch, i: usize) -> Result<Cells> {
        let c = &self.cols[i];
        let n = batch.len();
        let r = match c.kind {
            ColumnKind::Numeric => {
                let mut v = NumVisitor {
                    vals: Vec::with_capacity(n),
                };
                batch.visit(&c.name, &mut v).map(|_| Cells::Num(v.vals))
            }
            _ => {
                let mut v = TextVisitor {
                    rules: &c.rules,
                    index: FxHashMap::default(),
                    dict: vec![],
                    codes: Vec::with_capacity(n),
                    conf_at: vec![],
                };
                batch.visit(&c.name, &mut v).map(|_| Cells::Text {
                    dict: v.dict,
                    codes: v.codes,
                    conf_at: v.conf_at,
                })
            }
        };
        r.map_err(|m| self.bad(&c.name, format!("cannot read values: {m}")))
    }

    fn cell_hashes(&self, i: usize, cells: &Cells, nonnull: &mut [u32]) -> Vec<u128> {
        let seed = self.cols[i].seed;
        let hn = hash_null(seed);
        match cells {
            Cells::Num(vals) => vals
                .iter()
                .zip(nonnull.iter_mut())
                .map(|(&x, nn)| {
                    if is_null_f64(x) {
                        hn
                    } else {
                        *nn += 1;
                        hash_number(seed, x)
                    }
                })
                .collect(),
            Cells::Text { dict, codes, .. } => {
                let hs: Vec<u128> = dict.iter().map(|s| hash_text(seed, s)).collect();
                codes
                    .iter()
                    .zip(nonnull.iter_mut())
                    .map(|(&c, nn)| {
                        if c == NULL_CODE {
                            hn
                        } else {
                            *nn += 1;
                            hs[c as usize]
                        }
                    })
                    .collect()
            }
        }
    }

    /// The bounded mode's summary of a slice's numbers (`vals` in row order, nulls as the
    /// null NaN; empty rows hold nulls).
    fn sketch_numbers(
        &self,
        i: usize,
        vals: &[f64],
        views: &[CatView],
        first_row: usize,
        examples: usize,
    ) -> Result<SketchedNumbers> {
        let mut sketch = NumericSketch::new(self.sketch.unwrap_or(200), &NUMERIC_SENTINELS)?;
        if self.many_values[i].load(Ordering::Relaxed) {
            sketch.drop_counts();
        }
        sketch.add(vals)?;
        let (mut nan, mut pos_inf, mut neg_inf) = (0, 0, 0);
        let mut inf_rows = vec![];
        for (r, &x) in vals.iter().enumerate() {
            if x.is_finite() {
                continue;
            }
            if x.is_nan() {
                if !is_null_f64(x) {
                    nan += 1;
                }
                continue;
            }
            if x > 0.0 {
                pos_inf += 1;
            } else {
                neg_inf += 1;
            }
            if inf_rows.len() < examples {
                inf_rows.push((first_row + r) as u64);
            }
        }
        let groups = views
            .iter()
            .map(|v| {
                let mut gs = vec![
                    GroupNum {
                        moments: Moments::default(),
                        watched: vec![0; NUMERIC_SENTINELS.len()],
                    };
                    v.dict.len()
                ];
                for (&x, &g) in vals.iter().zip(&v.codes) {
                    if g == NULL_CODE || !x.is_finite() {
                        continue;
                    }
                    let gn = &mut gs[g as usize];
                    let watched = if x.fract() == 0.0 {
                        NUMERIC_SENTINELS.iter().position(|&w| w == x)
                    } else {
                        None
                    };
                    match watched {
                        Some(k) => gn.watched[k] += 1,
                        None => gn.moments.push(x),
                    }
                }
                gs
            })
            .collect();
        Ok(SketchedNumbers {
            sketch,
            nan,
            pos_inf,
            neg_inf,
            inf_rows,
            groups,
        })
    }

    fn process_slice(&self, batch: &Batch, first_row: usize, examples: usize) -> Result<SlicePart> {
        let n = batch.len();
        let cells: Vec<Cells> = (0..self.cols.len())
            .map(|i| self.materialise(batch, i))
            .collect::<Result<_>>()?;
        let mut sum = vec![0u128; n];
        let mut nonnull = vec![0u32; n];
        let mut key = if self.key.is_empty() {
            vec![]
        } else {
            vec![0u128; n]
        };
        let mut label_cell = vec![];
        let mut leak = if self.leak_mask.is_some() {
            vec![0u128; n]
        } else {
            vec![]
        };
        let mut hlls = Vec::with_capacity(cells.len());
        for (i, c) in cells.iter().enumerate() {
            let h = self.cell_hashes(i, c, &mut nonnull);
            let mut hll = HyperLogLog::new(HyperLogLog::DEFAULT_PRECISION)?;
            match c {
                Cells::Num(vals) => {
                    for (x, hh) in vals.iter().zip(&h) {
                        if !is_null_f64(*x) {
                            hll.insert_hash(fold(*hh));
                        }
                    }
                }
                Cells::Text { dict, .. } => {
                    let seed = self.cols[i].seed;
                    for s in dict {
                        hll.insert_hash(fold(hash_text(seed, s)));
                    }
                }
            }
            hlls.push(hll);
            for (s, x) in sum.iter_mut().zip(&h) {
                *s = s.wrapping_add(*x);
            }
            if self.key.contains(&i) {
                for (s, x) in key.iter_mut().zip(&h) {
                    *s = s.wrapping_add(*x);
                }
            }
            if let Some(m) = &self.leak_mask {
                if m[i] {
                    for (s, x) in leak.iter_mut().zip(&h) {
                        *s = s.wrapping_add(*x);
                    }
                }
            }
            if Some(i) == self.label {
                label_cell = h;
            }
        }
        let empty: Vec<bool> = nonnull.iter().map(|&c| c == 0).collect();
        let fin = |v: &[u128]| -> Vec<u128> {
            v.iter()
                .zip(&empty)
                .map(|(&s, &e)| if e { 0 } else { finish_row(s) })
                .collect()
        };
        let row_hashes = fin(&sum);
        let key_hashes = fin(&key);
        let leak_hashes = fin(&leak);
        let feat_hashes = if label_cell.is_empty() {
            vec![]
        } else {
            let f: Vec<u128> = sum
                .iter()
                .zip(&label_cell)
                .map(|(s, l)| s.wrapping_sub(*l))
                .collect();
            fin(&f)
        };
        let views: Vec<CatView> = self.sens.iter().map(|&i| cat_view(&cells[i])).collect();
        for (v, &i) in views.iter().zip(&self.sens) {
            if v.dict.len() > MAX_GROUPS {
                return Err(self.bad(
                    &self.cols[i].name,
                    format!("more than {MAX_GROUPS} distinct values; a sensitive attribute should have few groups (is this an identifier or a continuous column? bin it first)"),
                ));
            }
        }
        let label_view = self.label.map(|i| cat_view(&cells[i]));
        let mut cols = Vec::with_capacity(cells.len());
        for ((i, c), hll) in cells.into_iter().enumerate().zip(hlls) {
            let mut cs = ColSlice {
                hll,
                nulls: 0,
                null_rows: vec![],
                num: None,
                text: None,
                by_group: views
                    .iter()
                    .map(|v| (vec![0; v.dict.len()], vec![0; v.dict.len()]))
                    .collect(),
                contingency: vec![None; views.len()],
                sketch: None,
            };
            let missing_at: Vec<bool> = match &c {
                Cells::Num(vals) => vals.iter().map(|x| x.is_nan()).collect(),
                Cells::Text { dict, codes, .. } => codes
                    .iter()
                    .map(|&k| k == NULL_CODE || dict[k as usize].trim().is_empty())
                    .collect(),
            };
            for (a, v) in views.iter().enumerate() {
                let (rows, miss) = &mut cs.by_group[a];
                for r in 0..n {
                    let g = v.codes[r];
                    if empty[r] || g == NULL_CODE {
                        continue;
                    }
                    rows[g as usize] += 1;
                    if missing_at[r] {
                        miss[g as usize] += 1;
                    }
                }
            }
            match c {
                Cells::Num(vals) => {
                    for (r, &x) in vals.iter().enumerate() {
                        if is_null_f64(x) && !empty[r] {
                            cs.nulls += 1;
                            if cs.null_rows.len() < examples {
                                cs.null_rows.push((first_row + r) as u64);
                            }
                        }
                    }
                    cs.num = Some(vals);
                }
                Cells::Text {
                    dict,
                    codes,
                    conf_at,
                } => {
                    // Configured tokens of rows that are not empty.
                    let mut configured = vec![0u64; self.cols[i].rules.null_values.len()];
                    for &(r, tok) in &conf_at {
                        if !empty[r as usize] {
                            configured[tok as usize] += 1;
                        }
                    }
                    let mut counts = vec![0u64; dict.len()];
                    let mut rows: Vec<Vec<u64>> = vec![vec![]; dict.len()];
                    for (r, &k) in codes.iter().enumerate() {
                        if empty[r] {
                            continue;
                        }
                        if k == NULL_CODE {
                            cs.nulls += 1;
                            if cs.null_rows.len() < examples {
                                cs.null_rows.push((first_row + r) as u64);
                            }
                            continue;
                        }
                        counts[k as usize] += 1;
                        let rr = &mut rows[k as usize];
                        if rr.len() < EXAMPLE_ROWS_PER_VALUE {
                            rr.push((first_row + r) as u64);
                        }
                    }
                    // Configured tokens were counted as nulls: take them out of the null count.
                    let conf_total: u64 = configured.iter().sum();
                    cs.nulls = cs.nulls.saturating_sub(conf_total);
                    let parsed: Vec<Option<f64>> = dict.iter().map(|s| numeric_text(s)).collect();
                    let numbers = parsed.iter().any(Option::is_some).then(|| {
                        codes
                            .iter()
                            .map(|&k| {
                                if k == NULL_CODE {
                                    null_f64()
                                } else {
                                    parsed[k as usize].unwrap_or(null_f64())
                                }
                            })
                            .collect()
                    });
                    for (a, v) in views.iter().enumerate() {
                        if dict.len() > MAX_PROXY_CATEGORIES || Some(i) == self.label {
                            continue;
                        }
                        let g = v.dict.len();
                        let mut t = vec![0u64; dict.len() * g];
                        for r in 0..n {
                            let (k, gc) = (codes[r], v.codes[r]);
                            if empty[r] || k == NULL_CODE || gc == NULL_CODE {
                                continue;
                            }
                            t[k as usize * g + gc as usize] += 1;
                        }
                        cs.contingency[a] = Some(t);
                    }
                    cs.text = Some(TextSlice {
                        dict,
                        counts,
                        rows,
                        configured,
                        numbers,
                    });
                }
            }
            if self.sketch_col.get(i).copied().unwrap_or(false) {
                let vals = match cs.num.take() {
                    Some(v) => Some(v),
                    None => cs.text.as_mut().and_then(|t| t.numbers.take()),
                };
                if let Some(vals) = vals {
                    cs.sketch = Some(self.sketch_numbers(i, &vals, &views, first_row, examples)?);
                }
            }
            cols.push(cs);
        }
        let empty_rows = empty
            .iter()
            .enumerate()
            .filter(|(_, &e)| e)
            .map(|(r, _)| (first_row + r) as u64)
            .collect();
        Ok(SlicePart {
            n,
            empty: empty_rows,
            row_hashes,
            key_hashes,
            feat_hashes,
            leak_hashes,
            cols,
            views,
            label_view,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Aggregation across slices (in row order).

#[derive(Default)]
struct ValueStat {
    count: u64,
    rows: Vec<u64>,
}

#[derive(Default)]
struct TextAgg {
    keys: Vec<String>,
    index: FxHashMap<String, u32>,
    stats: Vec<ValueStat>,
    /// Distinct-value hashes once more than MAX_TRACKED_VALUES values were seen.
    overflow: Option<FxHashSet<u64>>,
    configured: Vec<u64>,
    numbers: Option<Vec<f64>>,
    numbers_dropped: bool,
    /// [attr] → (value index, group) → count.
    contingency: Vec<Option<FxHashMap<(u32, u16), u64>>>,
}

struct ColAgg {
    hll: Option<HyperLogLog>,
    nulls: u64,
    null_rows: Vec<u64>,
    num: Option<Vec<f64>>,
    text: Option<TextAgg>,
    /// [attr] → per global group (rows, missing).
    by_group: Vec<Vec<(u64, u64)>>,
    /// Bounded mode: the numbers' summary (numeric columns and numbers stored as text).
    sketch: Option<SketchedNumbers>,
}

struct GroupAgg {
    keys: Vec<String>,
    index: FxHashMap<String, u16>,
    codes: Vec<u16>,
}

impl GroupAgg {
    fn new() -> Self {
        GroupAgg {
            keys: vec![],
            index: FxHashMap::default(),
            codes: vec![],
        }
    }

    fn remap(&mut self, v: &CatView) -> Vec<u16> {
        v.dict
            .iter()
            .map(|s| match self.index.get(s) {
                Some(&g) => g,
                None => {
                    let g = self.keys.len() as u16;
                    self.keys.push(s.clone());
                    self.index.insert(s.clone(), g);
                    g
                }
            })
            .collect()
    }
}

/// The bounded mode's row-level state: hashes on disk, counts in memory.
struct Bounded {
    rows: HashSpill,
    keys: Option<HashSpill>,
    /// Feature hashes tagged with the row's global label code.
    feats: Option<HashSpill>,
    leaks: Option<HashSpill>,
    content: ContentFingerprint,
    /// Non-empty rows by global label code.
    label_counts: Vec<u64>,
}

struct Agg {
    rows: u64,
    /// Empty rows (8 bytes each in either mode: the failing-rows pass needs them all).
    empty_rows: Vec<u64>,
    bounded: Option<Bounded>,
    row_hashes: Vec<u128>,
    key_hashes: Vec<u128>,
    feat_hashes: Vec<u128>,
    leak_hashes: Vec<u128>,
    cols: Vec<ColAgg>,
    groups: Vec<GroupAgg>,
    label: Option<GroupAgg>,
}

/// A 128-bit cell hash folded to 64 bits (for HyperLogLog).
fn fold(h: u128) -> u64 {
    (h as u64) ^ ((h >> 64) as u64)
}

/// A 64-bit value hash for distinct counting beyond the tracked values.
fn value_hash(s: &str) -> u64 {
    let h = hash_text(0x9e37_79b9_7f4a_7c15, s);
    (h as u64) ^ ((h >> 64) as u64)
}

impl Agg {
    fn new(ctx: &Ctx<'_>) -> Result<Agg> {
        let bounded = match ctx.sketch {
            None => None,
            Some(_) => Some(Bounded {
                rows: HashSpill::new()?,
                keys: (!ctx.key.is_empty()).then(HashSpill::new).transpose()?,
                feats: ctx.label.map(|_| HashSpill::new()).transpose()?,
                leaks: ctx
                    .leak_mask
                    .as_ref()
                    .map(|_| HashSpill::new())
                    .transpose()?,
                content: ContentFingerprint::default(),
                label_counts: vec![],
            }),
        };
        Ok(Agg {
            rows: 0,
            empty_rows: vec![],
            bounded,
            row_hashes: vec![],
            key_hashes: vec![],
            feat_hashes: vec![],
            leak_hashes: vec![],
            cols: ctx
                .cols
                .iter()
                .map(|_| ColAgg {
                    hll: None,
                    nulls: 0,
                    null_rows: vec![],
                    num: None,
                    text: None,
                    by_group: vec![vec![]; ctx.sens.len()],
                    sketch: None,
                })
                .collect(),
            groups: ctx.sens.iter().map(|_| GroupAgg::new()).collect(),
            label: ctx.label.map(|_| GroupAgg::new()),
        })
    }

    fn merge(&mut self, ctx: &Ctx<'_>, mut p: SlicePart, examples: usize) -> Result<()> {
        let first = self.rows;
        self.rows += p.n as u64;
        self.empty_rows.append(&mut p.empty);
        match &mut self.bounded {
            None => {
                self.row_hashes.append(&mut p.row_hashes);
                self.key_hashes.append(&mut p.key_hashes);
                self.feat_hashes.append(&mut p.feat_hashes);
                self.leak_hashes.append(&mut p.leak_hashes);
            }
            Some(b) => {
                for (r, &h) in p.row_hashes.iter().enumerate() {
                    if h != 0 {
                        b.content.add(h);
                        b.rows.push(h, first + r as u64, 0)?;
                    }
                }
                if let Some(s) = &mut b.keys {
                    for (r, &h) in p.key_hashes.iter().enumerate() {
                        if h != 0 {
                            s.push(h, first + r as u64, 0)?;
                        }
                    }
                }
                if let Some(s) = &mut b.leaks {
                    for (r, &h) in p.leak_hashes.iter().enumerate() {
                        if h != 0 {
                            s.push(h, first + r as u64, 0)?;
                        }
                    }
                }
            }
        }
        let mut remaps = vec![];
        for (a, v) in p.views.iter().enumerate() {
            let m = self.groups[a].remap(v);
            if self.groups[a].keys.len() > MAX_GROUPS {
                let i = ctx.sens[a];
                return Err(ctx.bad(
                    &ctx.cols[i].name,
                    format!("more than {MAX_GROUPS} distinct values; a sensitive attribute should have few groups"),
                ));
            }
            if self.bounded.is_none() {
                self.groups[a].codes.extend(v.codes.iter().map(|&c| {
                    if c == NULL_CODE {
                        NULL_GROUP
                    } else {
                        m[c as usize]
                    }
                }));
            }
            remaps.push(m);
        }
        if let (Some(l), Some(v)) = (&mut self.label, &p.label_view) {
            let m = l.remap(v);
            if l.keys.len() > MAX_GROUPS * 10 {
                return Err(ctx.bad(
                    &ctx.cols[ctx.label.unwrap_or(0)].name,
                    format!(
                        "more than {} distinct label values; is this the label?",
                        MAX_GROUPS * 10
                    ),
                ));
            }
            let global = v.codes.iter().map(|&c| {
                if c == NULL_CODE {
                    NULL_GROUP
                } else {
                    m[c as usize]
                }
            });
            match &mut self.bounded {
                None => l.codes.extend(global),
                Some(b) => {
                    b.label_counts.resize(l.keys.len(), 0);
                    for (r, g) in global.enumerate() {
                        if g != NULL_GROUP && p.row_hashes[r] != 0 {
                            b.label_counts[g as usize] += 1;
                        }
                        let h = p.feat_hashes[r];
                        if let (Some(s), true) = (&mut b.feats, h != 0) {
                            s.push(h, first + r as u64, g)?;
                        }
                    }
                }
            }
        }
        for (ci, (agg, cs)) in self.cols.iter_mut().zip(p.cols).enumerate() {
            match &mut agg.hll {
                Some(h) => h.merge(&cs.hll)?,
                None => agg.hll = Some(cs.hll),
            }
            agg.nulls += cs.nulls;
            for r in cs.null_rows {
                if agg.null_rows.len() < examples {
                    agg.null_rows.push(r);
                }
            }
            for (a, (rows, miss)) in cs.by_group.iter().enumerate() {
                let bg = &mut agg.by_group[a];
                bg.resize(self.groups[a].keys.len(), (0, 0));
                for (g, (&r, &m)) in rows.iter().zip(miss).enumerate() {
                    let gg = remaps[a][g] as usize;
                    bg[gg].0 += r;
                    bg[gg].1 += m;
                }
            }
            if let Some(v) = cs.num {
                agg.num.get_or_insert_with(Vec::new).extend(v);
            }
            let dropped = agg.text.as_ref().is_some_and(|t| t.numbers_dropped);
            if let (Some(sn), false) = (cs.sketch, dropped) {
                match &mut agg.sketch {
                    Some(a) => a.merge(sn, &remaps, examples)?,
                    None => {
                        let mut a = SketchedNumbers {
                            sketch: NumericSketch::new(
                                ctx.sketch.unwrap_or(200),
                                &NUMERIC_SENTINELS,
                            )?,
                            nan: 0,
                            pos_inf: 0,
                            neg_inf: 0,
                            inf_rows: vec![],
                            groups: vec![vec![]; ctx.sens.len()],
                        };
                        a.merge(sn, &remaps, examples)?;
                        agg.sketch = Some(a);
                    }
                }
                if let Some(a) = &agg.sketch {
                    if !a.sketch.counts_exact() {
                        ctx.many_values[ci].store(true, Ordering::Relaxed);
                    }
                }
            }
            if let Some(ts) = cs.text {
                let ta = agg.text.get_or_insert_with(|| TextAgg {
                    configured: vec![0; ts.configured.len()],
                    contingency: (0..ctx.sens.len())
                        .map(|_| Some(FxHashMap::default()))
                        .collect(),
                    ..TextAgg::default()
                });
                for (a, b) in ta.configured.iter_mut().zip(&ts.configured) {
                    *a += b;
                }
                let track_all = ctx.track_all[ci];
                let mut global = Vec::with_capacity(ts.dict.len());
                for ((v, &c), rows) in ts.dict.iter().zip(&ts.counts).zip(ts.rows) {
                    let idx = match ta.index.get(v.as_str()) {
                        Some(&g) => Some(g),
                        None if track_all || ta.keys.len() < MAX_TRACKED_VALUES => {
                            let g = ta.keys.len() as u32;
                            ta.keys.push(v.clone());
                            ta.index.insert(v.clone(), g);
                            ta.stats.push(ValueStat::default());
                            Some(g)
                        }
                        None => None,
                    };
                    if c > 0 {
                        if let (Some(_), Some(_)) = (&ta.overflow, ctx.sketch) {
                            // Bounded mode: beyond the tracked values, HyperLogLog counts.
                        } else if let Some(set) = &mut ta.overflow {
                            set.insert(value_hash(v));
                        } else if let (None, Some(_)) = (idx, ctx.sketch) {
                            ta.overflow = Some(FxHashSet::default());
                        } else if idx.is_none() {
                            let mut set: FxHashSet<u64> =
                                ta.keys.iter().map(|k| value_hash(k)).collect();
                            set.insert(value_hash(v));
                            ta.overflow = Some(set);
                        }
                    }
                    if let Some(g) = idx {
                        let st = &mut ta.stats[g as usize];
                        st.count += c;
                        for r in rows {
                            if st.rows.len() < EXAMPLE_ROWS_PER_VALUE {
                                st.rows.push(r);
                            }
                        }
                    }
                    global.push(idx);
                }
                for (a, t) in cs.contingency.into_iter().enumerate() {
                    let Some(t) = t else {
                        ta.contingency[a] = None;
                        continue;
                    };
                    let g = p.views[a].dict.len();
                    let mut ok = ta.keys.len() <= MAX_PROXY_CATEGORIES;
                    if let (true, Some(map)) = (ok, &mut ta.contingency[a]) {
                        for (k, &c) in t.iter().enumerate() {
                            if c == 0 {
                                continue;
                            }
                            match global[k / g] {
                                Some(v) => *map.entry((v, remaps[a][k % g])).or_default() += c,
                                None => {
                                    ok = false;
                                    break;
                                }
                            }
                        }
                    }
                    if !ok {
                        ta.contingency[a] = None;
                    }
                }
                // Row-order numbers for columns mostly of numbers.
                if !ta.numbers_dropped {
                    let numeric: u64 = ts
                        .dict
                        .iter()
                        .zip(&ts.counts)
                        .filter(|(s, _)| numeric_text(s).is_some())
                        .map(|(_, c)| c)
                        .sum();
                    let present: u64 = ts.counts.iter().sum();
                    if (numeric as f64) < 0.5 * present as f64 {
                        ta.numbers_dropped = true;
                        ta.numbers = None;
                        agg.sketch = None;
                    } else if ctx.sketch_col.get(ci).copied().unwrap_or(false) {
                        // Bounded mode: the numbers are in `agg.sketch`.
                    } else {
                        let v = ta.numbers.get_or_insert_with(Vec::new);
                        match ts.numbers {
                            Some(nums) => v.extend(nums),
                            None => v.extend(std::iter::repeat_n(null_f64(), p.n)),
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Profiles and checks a table. `reference` enables the leakage check.
///
/// A CSV column whose values stop fitting the type polars inferred from the first rows (a text
/// among numbers after row 100) is not an error here, it is a finding: the table is read again
/// with every column as text, and the column is reported with mixed types.
pub fn run_quality(
    table: &Table,
    reference: Option<&Table>,
    spec: &QualitySpec,
    progress: Option<crate::fairness::Progress>,
) -> Result<QualityReport> {
    match run_quality_once(table, reference, spec, progress.clone()) {
        Err(Error::Read { message, .. })
            if message.contains("could not parse")
                && table.format() == crate::source::InputFormat::Csv =>
        {
            let r = reference.map(Table::with_text_columns);
            run_quality_once(&table.with_text_columns(), r.as_ref(), spec, progress)
        }
        other => other,
    }
}

fn run_quality_once(
    table: &Table,
    reference: Option<&Table>,
    spec: &QualitySpec,
    progress: Option<crate::fairness::Progress>,
) -> Result<QualityReport> {
    let table = &table.with_countable_nulls();
    let reference = reference.map(Table::with_countable_nulls);
    let plan = plan_quality(table, reference.as_ref(), spec)?;
    let ctx = plan.ctx(table);
    let names = plan.names();
    let examples = spec.examples.max(1);
    // The file's SHA-256 is computed beside the scan.
    let (file_sha, read) = std::thread::scope(|scope| {
        let sha = scope.spawn(|| file_digest(table));
        let read = read_all(&ctx, &names, examples, progress.as_ref());
        (sha.join(), read)
    });
    let (agg, blank) = read?;
    let file_sha256 = digest_or_error(table, file_sha)?;
    // One pass over the reference gives its fingerprints and the leakage set (over the columns
    // both tables have).
    let (reference_facts, leak) = match (&reference, &plan.reference) {
        (Some(r), Some(rp)) => {
            let (facts, set) = reference_facts_and_rows(r, rp, plan.sketch.is_some())?;
            (
                Some(facts),
                Some((r.path.clone(), rp.leak_cols.clone(), set)),
            )
        }
        _ => (None, None),
    };
    let mut report = finish(&ctx, spec, agg, blank, file_sha256, leak)?;
    report.reference_facts = reference_facts;
    Ok(report)
}

/// What a quality run reads and how, from the schemas alone: the columns with their kinds, the
/// role columns, the rules' needs, and the reference's columns compared for leakage. Planned
/// once, so that every part of a table is read alike ([`quality_part`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QualityPlan {
    kinds: Vec<(String, ColumnKind, String)>,
    sens: Vec<usize>,
    label: Option<usize>,
    key: Vec<usize>,
    track_all: Vec<bool>,
    leak_mask: Option<Vec<bool>>,
    reference: Option<ReferencePlan>,
    examples: usize,
    #[serde(default)]
    sketch: Option<u16>,
    /// Columns named by a rule (kept exact in the bounded mode: rules judge each row).
    #[serde(default)]
    ruled: Vec<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ReferencePlan {
    kinds: Vec<(String, ColumnKind, String)>,
    leak_cols: Vec<String>,
}

impl QualityPlan {
    fn names(&self) -> Vec<String> {
        self.kinds.iter().map(|k| k.0.clone()).collect()
    }

    fn ctx<'a>(&self, table: &'a Table) -> Ctx<'a> {
        Ctx {
            table,
            cols: self
                .kinds
                .iter()
                .map(|(name, kind, dtype)| ColPlan {
                    name: name.clone(),
                    kind: *kind,
                    dtype: dtype.clone(),
                    seed: column_seed(name),
                    rules: table.text_rules(name),
                })
                .collect(),
            sens: self.sens.clone(),
            label: self.label,
            key: self.key.clone(),
            leak_mask: self.leak_mask.clone(),
            track_all: self.track_all.clone(),
            sketch: self.sketch,
            sketch_col: self
                .kinds
                .iter()
                .enumerate()
                .map(|(i, _)| self.sketch.is_some() && !self.ruled.get(i).copied().unwrap_or(false))
                .collect(),
            many_values: self.kinds.iter().map(|_| AtomicBool::new(false)).collect(),
        }
    }
}

/// Plans a quality run of `table` (and leakage against `reference`) from the schemas.
pub fn plan_quality(
    table: &Table,
    reference: Option<&Table>,
    spec: &QualitySpec,
) -> Result<QualityPlan> {
    let kinds = column_kinds(table)?;
    if kinds.is_empty() {
        return Err(Error::Format {
            path: table.path.clone(),
            message: "the table has no columns".into(),
        });
    }
    let names: Vec<String> = kinds.iter().map(|k| k.0.clone()).collect();
    let find = |c: &str| -> Result<usize> {
        names
            .iter()
            .position(|n| n == c)
            .ok_or_else(|| Error::ColumnNotFound {
                path: table.path.clone(),
                column: c.to_string(),
                available: names.join(", "),
            })
    };
    let sens: Vec<usize> = spec
        .sensitive
        .iter()
        .map(|c| find(c))
        .collect::<Result<_>>()?;
    let label = spec.label.as_deref().map(find).transpose()?;
    let key: Vec<usize> = spec.key.iter().map(|c| find(c)).collect::<Result<_>>()?;
    if let (Some(l), true) = (label, sens.contains(&label.unwrap_or(usize::MAX))) {
        return Err(Error::InvalidOption(format!(
            "column `{}` is both the label and a sensitive attribute",
            names[l]
        )));
    }
    let mut track_all = vec![false; names.len()];
    let mut ruled = vec![false; names.len()];
    if let Some(rs) = &spec.rules {
        for (c, r) in &rs.columns {
            let i = names
                .iter()
                .position(|n| n == c)
                .ok_or_else(|| Error::Rules {
                    path: rs.path.clone(),
                    message: format!(
                        "a rule names column `{c}`, which {} does not have; columns are: {}",
                        table.path.display(),
                        names.join(", ")
                    ),
                })?;
            track_all[i] = r.needs_values();
            ruled[i] = true;
        }
    }
    // Leakage compares the columns both tables have.
    let (ref_table, leak_cols) = match reference {
        Some(r) => {
            let rk = column_kinds(r)?;
            let common: Vec<String> = names
                .iter()
                .filter(|n| rk.iter().any(|k| &k.0 == *n))
                .cloned()
                .collect();
            if common.is_empty() {
                return Err(Error::InvalidOption(format!(
                    "the reference {} has no column in common with {}",
                    r.path.display(),
                    table.path.display()
                )));
            }
            (Some(rk), common)
        }
        None => (None, vec![]),
    };
    let leak_mask = (ref_table.is_some() && leak_cols.len() != names.len())
        .then(|| names.iter().map(|n| leak_cols.contains(n)).collect());
    Ok(QualityPlan {
        kinds,
        sens,
        label,
        key,
        track_all,
        leak_mask,
        reference: ref_table.map(|rk| ReferencePlan {
            kinds: rk,
            leak_cols,
        }),
        examples: spec.examples.max(1),
        sketch: spec.sketch,
        ruled,
    })
}

/// One part of a table (a Spark partition, a shard), read as a quality run reads it: the
/// per-slice facts that a single pass merges in row order. Exact, and so sized by the part's
/// rows: 128-bit row hashes, group codes and the numeric values travel (tens of bytes a row);
/// counts of values are by distinct value. Parts are merged in row order by
/// [`finish_quality`].
#[derive(Serialize, Deserialize)]
pub struct QualityPart {
    slices: Vec<SlicePart>,
}

impl std::fmt::Debug for QualityPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows: usize = self.slices.iter().map(|s| s.n).sum();
        write!(f, "QualityPart({} slices, {rows} rows)", self.slices.len())
    }
}

impl QualityPart {
    /// The compact binary form ([`fairgauge_core::state_codec`], kind `QualityPart`).
    pub fn encode(&self) -> Result<Vec<u8>> {
        crate::part_codec::encode(fairgauge_core::state_codec::StateKind::QualityPart, self)
    }

    /// Reads an encoded part.
    pub fn decode(bytes: &[u8]) -> Result<QualityPart> {
        crate::part_codec::decode(
            fairgauge_core::state_codec::StateKind::QualityPart,
            bytes,
            "a quality part",
        )
    }
}

/// Reads `table`, one part of a larger table whose first row is row `first_row` (0-based) of
/// the whole, so that example row numbers are the whole table's.
pub fn quality_part(table: &Table, plan: &QualityPlan, first_row: u64) -> Result<QualityPart> {
    let table = &table.with_countable_nulls();
    let ctx = plan.ctx(table);
    let mut slices = vec![];
    read_slices(
        &ctx,
        &plan.names(),
        first_row as usize,
        plan.examples,
        |parts| {
            slices.extend(parts);
            Ok(())
        },
    )?;
    Ok(QualityPart { slices })
}

/// One part of the reference table: its content fingerprint and empty rows, and the hashes of
/// its rows over the columns compared for leakage.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReferencePart {
    content: ContentFingerprint,
    empty: u64,
    hashes: Vec<u128>,
}

impl ReferencePart {
    /// The compact binary form (kind `ReferencePart`).
    pub fn encode(&self) -> Result<Vec<u8>> {
        crate::part_codec::encode(fairgauge_core::state_codec::StateKind::ReferencePart, self)
    }

    /// Reads an encoded part.
    pub fn decode(bytes: &[u8]) -> Result<ReferencePart> {
        crate::part_codec::decode(
            fairgauge_core::state_codec::StateKind::ReferencePart,
            bytes,
            "a reference part",
        )
    }
}

/// Reads one part of the reference table of a planned run.
pub fn reference_part(table: &Table, plan: &QualityPlan) -> Result<ReferencePart> {
    let Some(rp) = &plan.reference else {
        return Err(Error::InvalidOption(
            "the quality plan has no reference table".into(),
        ));
    };
    Ok(hash_rows(
        &table.with_countable_nulls(),
        &rp.kinds,
        Some(&rp.leak_cols),
        None,
    )?
    .0)
}

/// One pass over a table's rows (slices hashed in parallel): the content fingerprint and the
/// empty rows over all its columns (`kinds`) and, with `keep`, each non-empty row's hash over
/// those columns (the leakage set). Also returns the blank CSV lines (already taken out of
/// `empty`).
fn hash_rows(
    table: &Table,
    kinds: &[(String, ColumnKind, String)],
    keep: Option<&[String]>,
    mut spill: Option<&mut HashSpill>,
) -> Result<(ReferencePart, u64)> {
    let names: Vec<String> = kinds.iter().map(|k| k.0.clone()).collect();
    let all = Ctx::plain(table, kinds, &names);
    let keep = keep.map(|cols| (cols.len() == names.len(), Ctx::plain(table, kinds, cols)));
    let mut part = ReferencePart {
        content: ContentFingerprint::default(),
        empty: 0,
        hashes: vec![],
    };
    let blank = for_each_batch(table, &names, |batch, _| {
        let starts: Vec<usize> = (0..batch.len()).step_by(SLICE_ROWS).collect();
        let pieces: Vec<(ContentFingerprint, u64, Vec<u128>)> = starts
            .par_iter()
            .map(|&s| {
                let slice = batch.slice(s, SLICE_ROWS.min(batch.len() - s));
                let (sum, nonnull) = all.row_sums(&slice)?;
                let mut f = ContentFingerprint::default();
                let mut e = 0u64;
                let mut hashes = vec![];
                for (s, nn) in sum.iter().zip(&nonnull) {
                    if *nn == 0 {
                        e += 1;
                    } else {
                        let h = finish_row(*s);
                        f.add(h);
                        if let Some((true, _)) = keep {
                            hashes.push(h);
                        }
                    }
                }
                if let Some((false, ctx)) = &keep {
                    let (sum, nonnull) = ctx.row_sums(&slice)?;
                    hashes.extend(
                        sum.iter()
                            .zip(&nonnull)
                            .filter(|(_, &nn)| nn > 0)
                            .map(|(&s, _)| finish_row(s)),
                    );
                }
                Ok((f, e, hashes))
            })
            .collect::<Result<_>>()?;
        for (f, e, h) in pieces {
            part.content.merge(&f);
            part.empty += e;
            match spill.as_deref_mut() {
                Some(sp) => {
                    for x in h {
                        sp.push(x, 0, 0)?;
                    }
                }
                None => part.hashes.extend(h),
            }
        }
        Ok(())
    })?;
    part.empty = part.empty.saturating_sub(blank);
    Ok((part, blank))
}

/// A table's facts from its row-hash parts: rows (empty ones included), columns, fingerprints.
fn facts_of(
    table: &Table,
    kinds: &[(String, ColumnKind, String)],
    parts: &[ReferencePart],
    file_sha256: Option<String>,
) -> DatasetFacts {
    let mut content = ContentFingerprint::default();
    let mut empty = 0u64;
    for p in parts {
        content.merge(&p.content);
        empty += p.empty;
    }
    let empty_hash = finish_row(
        kinds
            .iter()
            .map(|k| hash_null(column_seed(&k.0)))
            .fold(0u128, u128::wrapping_add),
    );
    for _ in 0..empty {
        content.add(empty_hash);
    }
    DatasetFacts {
        rows: content.rows,
        columns: kinds.len() as u64,
        fingerprints: Fingerprints {
            file_sha256,
            content: content.finish(),
            schema: schema_fingerprint(kinds.iter().map(|k| (k.0.as_str(), k.2.as_str()))),
        },
        format: table.format_name(),
    }
}

/// The reference's facts and leakage set, in one pass (its file hashed beside it).
fn reference_facts_and_rows(
    r: &Table,
    rp: &ReferencePlan,
    bounded: bool,
) -> Result<(DatasetFacts, LeakSet)> {
    let mut spill = bounded.then(HashSpill::new).transpose()?;
    let (read, sha) = std::thread::scope(|scope| {
        let sha = scope.spawn(|| file_digest(r));
        let read = hash_rows(r, &rp.kinds, Some(&rp.leak_cols), spill.as_mut());
        (read, sha.join())
    });
    let (mut part, _) = read?;
    let sha = digest_or_error(r, sha)?;
    let hashes = std::mem::take(&mut part.hashes);
    let facts = facts_of(r, &rp.kinds, std::slice::from_ref(&part), sha);
    let set = match spill {
        Some(sp) => LeakSet::Spill(sp.finish()?),
        None => LeakSet::Memory(hashes.into_iter().collect()),
    };
    Ok((facts, set))
}

/// Merges the parts of a table read elsewhere (in row order) and, with a reference, its
/// parts, and finishes the report as [`run_quality`] does. `table` and `reference` name the
/// tables (no rows are read); no file digest is known.
pub fn finish_quality(
    table: &Table,
    reference: Option<&Table>,
    plan: &QualityPlan,
    spec: &QualitySpec,
    parts: Vec<QualityPart>,
    reference_parts: Vec<ReferencePart>,
) -> Result<QualityReport> {
    let ctx = plan.ctx(table);
    let mut agg = Agg::new(&ctx)?;
    for part in parts {
        for slice in part.slices {
            agg.merge(&ctx, slice, plan.examples)?;
        }
    }
    let mut leak = None;
    let mut reference_facts = None;
    if let (Some(r), Some(rp)) = (reference, &plan.reference) {
        reference_facts = Some(facts_of(r, &rp.kinds, &reference_parts, None));
        let set = if plan.sketch.is_some() {
            let mut sp = HashSpill::new()?;
            for p in reference_parts {
                for h in p.hashes {
                    sp.push(h, 0, 0)?;
                }
            }
            LeakSet::Spill(sp.finish()?)
        } else {
            LeakSet::Memory(reference_parts.into_iter().flat_map(|p| p.hashes).collect())
        };
        leak = Some((r.path.clone(), rp.leak_cols.clone(), set));
    }
    let mut report = finish(&ctx, spec, agg, 0, None, leak)?;
    report.reference_facts = reference_facts;
    Ok(report)
}

fn read_all(
    ctx: &Ctx<'_>,
    names: &[String],
    examples: usize,
    progress: Option<&crate::fairness::Progress>,
) -> Result<(Agg, u64)> {
    let mut agg = Agg::new(ctx)?;
    let blank = read_slices(ctx, names, 0, examples, |parts| {
        for p in parts {
            agg.merge(ctx, p, examples)?;
        }
        if let Some(p) = progress {
            p(agg.rows);
        }
        Ok(())
    })?;
    Ok((agg, blank))
}

/// Streams `ctx.table`, processes each batch's slices in parallel (rows numbered from
/// `first_row`) and hands them to `each` in row order. Returns the blank CSV lines.
fn read_slices(
    ctx: &Ctx<'_>,
    names: &[String],
    first_row: usize,
    examples: usize,
    mut each: impl FnMut(Vec<SlicePart>) -> Result<()>,
) -> Result<u64> {
    for_each_batch(ctx.table, names, |batch, offset| {
        let starts: Vec<usize> = (0..batch.len()).step_by(SLICE_ROWS).collect();
        let parts: Vec<SlicePart> = starts
            .par_iter()
            .map(|&s| {
                let len = SLICE_ROWS.min(batch.len() - s);
                ctx.process_slice(&batch.slice(s, len), first_row + offset + s, examples)
            })
            .collect::<Result<_>>()?;
        each(parts)
    })
}

/// Rows per parallel slice of a batch.
const SLICE_ROWS: usize = 1 << 16;

/// Every row that breaks a rule of `spec.rules`, as CSV (`rule,column,row,value`; rows 1-based,
/// in file order, then by column and rule). A second pass over the table: values are judged as
/// in the report (`report` is the first pass's result), uniqueness from value counts of a
/// counting pass.
pub fn failing_rows_csv(
    table: &Table,
    spec: &QualitySpec,
    report: &QualityReport,
) -> Result<String> {
    let Some(rules) = &spec.rules else {
        return Ok(String::new());
    };
    let table = &table.with_countable_nulls();
    let kinds = column_kinds(table)?;
    let ruled: Vec<(String, &crate::rules::CompiledRules, bool)> = rules
        .columns
        .iter()
        .map(|(c, r)| {
            let numeric_text = report
                .columns
                .iter()
                .any(|col| &col.name == c && col.kind == "numeric_text");
            (c.clone(), r, numeric_text)
        })
        .collect();
    let names: Vec<String> = ruled.iter().map(|r| r.0.clone()).collect();
    let ctx = Ctx::plain(table, &kinds, &names);
    let empty: FxHashSet<u64> = report.empty_positions.iter().copied().collect();
    let unique_cols: Vec<usize> = (0..ruled.len())
        .filter(|&i| ruled[i].1.declared.unique == Some(true))
        .collect();
    let mut counts: Vec<FxHashMap<u128, u64>> = vec![FxHashMap::default(); ruled.len()];
    if !unique_cols.is_empty() {
        for_each_batch(table, &names, |batch, offset| {
            for &i in &unique_cols {
                let cells = ctx.materialise(&batch, i)?;
                let mut nn = vec![0u32; batch.len()];
                let h = ctx.cell_hashes(i, &cells, &mut nn);
                for (r, (h, nn)) in h.iter().zip(&nn).enumerate() {
                    if *nn > 0
                        && !empty.contains(&((offset + r) as u64))
                        && !matches!(
                            rule_cell(&cells, r, ruled[i].1, ruled[i].2).0,
                            Cell::Missing
                        )
                    {
                        *counts[i].entry(*h).or_default() += 1;
                    }
                }
            }
            Ok(())
        })?;
    }
    let mut out = String::from("rule,column,row,value\n");
    for_each_batch(table, &names, |batch, offset| {
        let cells: Vec<Cells> = (0..ruled.len())
            .map(|i| ctx.materialise(&batch, i))
            .collect::<Result<_>>()?;
        let hashes: Vec<Vec<u128>> = unique_cols
            .iter()
            .map(|&i| {
                let mut nn = vec![0u32; batch.len()];
                ctx.cell_hashes(i, &cells[i], &mut nn)
            })
            .collect();
        #[allow(clippy::needless_range_loop)]
        for r in 0..batch.len() {
            let row = (offset + r) as u64;
            if empty.contains(&row) {
                continue;
            }
            for (i, (name, rr, numeric_text_col)) in ruled.iter().enumerate() {
                let (cell, value) = rule_cell(&cells[i], r, rr, *numeric_text_col);
                let mut kinds = rr.failures(cell);
                if let Some(u) = unique_cols.iter().position(|&c| c == i) {
                    if !matches!(cell, Cell::Missing)
                        && counts[i].get(&hashes[u][r]).is_some_and(|&c| c > 1)
                    {
                        kinds.push("unique");
                    }
                }
                for k in kinds {
                    out.push_str(&format!(
                        "{k},{},{},{}\n",
                        crate::export::csv_field(name),
                        row + 1,
                        value
                            .as_deref()
                            .map(crate::export::csv_field)
                            .unwrap_or_default()
                    ));
                }
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// A cell as the rules see it (as in the first pass).
fn rule_cell<'c>(
    cells: &'c Cells,
    r: usize,
    rules: &crate::rules::CompiledRules,
    numeric_text_col: bool,
) -> (Cell<'c>, Option<String>) {
    match cells {
        Cells::Num(v) => {
            let x = v[r];
            if x.is_nan() {
                (Cell::Missing, None)
            } else {
                (Cell::Number(x), canonical_number(x))
            }
        }
        Cells::Text { dict, codes, .. } => {
            if codes[r] == NULL_CODE {
                return (Cell::Missing, None);
            }
            let s = dict[codes[r] as usize].as_str();
            if s.trim().is_empty() {
                return (Cell::Missing, Some(s.to_string()));
            }
            let numeric_rule = rules.compares_numbers();
            match numeric_text(s) {
                Some(x) if numeric_text_col || numeric_rule => {
                    (Cell::Number(x), Some(s.to_string()))
                }
                _ => (Cell::Text(s), Some(s.to_string())),
            }
        }
    }
}

/// Rows, columns, format and fingerprints of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetFacts {
    /// Data rows (blank CSV lines excluded).
    pub rows: u64,
    /// Columns.
    pub columns: u64,
    /// Fingerprints, as [`run_quality`] computes them.
    pub fingerprints: Fingerprints,
    /// The format.
    pub format: String,
}

/// The fingerprints of a table in one pass, without profiling it (same definitions as
/// [`run_quality`]).
pub fn dataset_fingerprints(table: &Table) -> Result<DatasetFacts> {
    let table = &table.with_countable_nulls();
    let kinds = column_kinds(table)?;
    let (read, sha) = std::thread::scope(|scope| {
        let sha = scope.spawn(|| file_digest(table));
        let read = hash_rows(table, &kinds, None, None);
        (read, sha.join())
    });
    let (part, _) = read?;
    let sha = digest_or_error(table, sha)?;
    Ok(facts_of(table, &kinds, std::slice::from_ref(&part), sha))
}

fn digest_or_error(
    table: &Table,
    r: std::thread::Result<std::io::Result<Option<String>>>,
) -> Result<Option<String>> {
    match r {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => Err(Error::Io {
            path: table.path.clone(),
            message: format!("cannot read to hash: {e}"),
        }),
        Err(_) => Err(Error::InvalidOption("the hashing thread panicked".into())),
    }
}

// ---------------------------------------------------------------------------------------------
// Finishing: profiles, checks, scores.

fn share(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn judge_above(v: f64, (warn, fail): (f64, f64)) -> Status {
    if v > fail {
        Status::Fail
    } else if v > warn {
        Status::Warn
    } else {
        Status::Pass
    }
}

fn above(t: (f64, f64)) -> Option<Threshold> {
    Some(Threshold {
        warn: t.0,
        fail: t.1,
        direction: "above",
    })
}

fn pct(x: f64) -> String {
    let p = x * 100.0;
    if p == 0.0 || p >= 1.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.3}%")
    }
}

/// Groups of equal hashes (0 = no row): (extra copies, groups, largest groups).
fn duplicate_groups(hashes: &[u128], examples: usize) -> (u64, u64, Vec<RowGroup>) {
    let mut sorted: Vec<u128> = hashes.iter().copied().filter(|&h| h != 0).collect();
    sorted.par_sort_unstable();
    let mut extra = 0u64;
    let mut groups: Vec<(u64, u128)> = vec![];
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        if j - i > 1 {
            extra += (j - i - 1) as u64;
            groups.push(((j - i) as u64, sorted[i]));
        }
        i = j;
    }
    let n_groups = groups.len() as u64;
    let ex = group_examples(hashes, groups, examples);
    (extra, n_groups, ex)
}

/// The largest groups (ties: earliest first row) with their first rows.
fn group_examples(hashes: &[u128], groups: Vec<(u64, u128)>, examples: usize) -> Vec<RowGroup> {
    if groups.is_empty() {
        return vec![];
    }
    let wanted: FxHashMap<u128, u64> = groups.iter().map(|&(c, h)| (h, c)).collect();
    let mut rows: FxHashMap<u128, Vec<u64>> = FxHashMap::default();
    let mut order: Vec<u128> = vec![];
    for (r, h) in hashes.iter().enumerate() {
        if wanted.contains_key(h) {
            let e = rows.entry(*h).or_insert_with(|| {
                order.push(*h);
                vec![]
            });
            if e.len() < examples {
                e.push(r as u64 + 1);
            }
        }
    }
    let mut out: Vec<(u64, usize, u128)> = order
        .iter()
        .enumerate()
        .map(|(i, h)| (wanted[h], i, *h))
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    out.into_iter()
        .take(examples)
        .map(|(c, _, h)| RowGroup {
            count: c,
            rows: rows.remove(&h).unwrap_or_default(),
        })
        .collect()
}

/// Conflicting labels from the in-memory feature hashes and label codes: (rows, groups,
/// largest groups, example rows with their labels).
fn exact_conflicts(
    feat_hashes: &[u128],
    l: &GroupAgg,
    examples: usize,
) -> (u64, u64, Vec<RowGroup>, Vec<Example>) {
    let mut pairs: Vec<(u128, u16)> = feat_hashes
        .iter()
        .zip(&l.codes)
        .filter(|(&h, &g)| h != 0 && g != NULL_GROUP)
        .map(|(&h, &g)| (h, g))
        .collect();
    pairs.par_sort_unstable();
    let mut conflict_groups: Vec<(u64, u128)> = vec![];
    let mut conflict_rows = 0u64;
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i + 1;
        while j < pairs.len() && pairs[j].0 == pairs[i].0 {
            j += 1;
        }
        if pairs[j - 1].1 != pairs[i].1 {
            conflict_rows += (j - i) as u64;
            conflict_groups.push(((j - i) as u64, pairs[i].0));
        }
        i = j;
    }
    let ng = conflict_groups.len() as u64;
    let ex = group_examples(feat_hashes, conflict_groups, examples);
    let ex_rows = ex
        .iter()
        .flat_map(|g| {
            g.rows.iter().map(|&r| Example {
                row: r,
                value: l
                    .codes
                    .get(r as usize - 1)
                    .filter(|&&c| c != NULL_GROUP)
                    .map(|&c| l.keys[c as usize].clone()),
            })
        })
        .take(examples * 2)
        .collect();
    (conflict_rows, ng, ex, ex_rows)
}

/// The bounded mode's row-level state once read: spills ready to be read back.
struct FinishedBounded {
    rows: SpillReader,
    keys: Option<SpillReader>,
    feats: Option<SpillReader>,
    leaks: Option<SpillReader>,
    content: ContentFingerprint,
    label_counts: Vec<u64>,
}

/// A group of equal hashes found in a spill: its size, first row and first rows (1-based).
struct SpillGroup {
    count: u64,
    first: u64,
    rows: Vec<(u64, u16)>,
}

/// Keeps the `examples` largest groups (ties: earliest first row), as [`group_examples`].
fn top_groups(mut gs: Vec<SpillGroup>, examples: usize) -> Vec<SpillGroup> {
    gs.sort_by(|a, b| b.count.cmp(&a.count).then(a.first.cmp(&b.first)));
    gs.truncate(examples);
    gs
}

/// Walks the groups of equal hashes of every bucket of a spill (bucket by bucket, in
/// parallel: one bucket of records in memory per thread). `judge` gets a group's records,
/// sorted by row, and returns the group's size to report (0: not a group of interest) and its
/// extra rows. Returns (Σ extra, groups, largest groups).
fn spill_groups(
    spill: &SpillReader,
    examples: usize,
    judge: impl Fn(&[Rec]) -> (u64, u64) + Sync,
) -> Result<(u64, u64, Vec<SpillGroup>)> {
    let per: Vec<(u64, u64, Vec<SpillGroup>)> = (0..spill::BUCKETS)
        .into_par_iter()
        .map(|b| {
            let mut recs = spill.bucket(b)?;
            recs.sort_unstable_by(|x, y| x.h.cmp(&y.h).then(x.row.cmp(&y.row)));
            let (mut extra, mut n) = (0u64, 0u64);
            let mut gs = vec![];
            let mut i = 0;
            while i < recs.len() {
                let mut j = i + 1;
                while j < recs.len() && recs[j].h == recs[i].h {
                    j += 1;
                }
                if j - i > 1 {
                    let (size, e) = judge(&recs[i..j]);
                    if size > 0 {
                        extra += e;
                        n += 1;
                        gs.push(SpillGroup {
                            count: size,
                            first: recs[i].row,
                            rows: recs[i..j]
                                .iter()
                                .take(examples)
                                .map(|r| (r.row + 1, r.tag))
                                .collect(),
                        });
                        if gs.len() > 4 * examples {
                            gs = top_groups(gs, examples);
                        }
                    }
                }
                i = j;
            }
            Ok((extra, n, top_groups(gs, examples)))
        })
        .collect::<Result<_>>()?;
    let (mut extra, mut n, mut all) = (0, 0, vec![]);
    for (e, g, gs) in per {
        extra += e;
        n += g;
        all.extend(gs);
    }
    Ok((extra, n, top_groups(all, examples)))
}

/// Duplicate groups of a spill of row hashes, as [`duplicate_groups`].
fn spill_duplicates(spill: &SpillReader, examples: usize) -> Result<(u64, u64, Vec<RowGroup>)> {
    let (extra, n, gs) = spill_groups(spill, examples, |g| (g.len() as u64, g.len() as u64 - 1))?;
    Ok((
        extra,
        n,
        gs.into_iter()
            .map(|g| RowGroup {
                count: g.count,
                rows: g.rows.into_iter().map(|r| r.0).collect(),
            })
            .collect(),
    ))
}

/// Rows of `current` whose hash is in `reference` (bucket by bucket): count and first rows
/// (1-based).
fn spill_overlap(
    current: &SpillReader,
    reference: &SpillReader,
    examples: usize,
) -> Result<(u64, Vec<u64>)> {
    let per: Vec<(u64, Vec<u64>)> = (0..spill::BUCKETS)
        .into_par_iter()
        .map(|b| {
            let mut set: Vec<u128> = reference.bucket(b)?.into_iter().map(|r| r.h).collect();
            set.sort_unstable();
            set.dedup();
            let mut n = 0u64;
            let mut rows = vec![];
            for r in current.bucket(b)? {
                if set.binary_search(&r.h).is_ok() {
                    n += 1;
                    rows.push(r.row + 1);
                }
            }
            rows.sort_unstable();
            rows.truncate(examples);
            Ok((n, rows))
        })
        .collect::<Result<_>>()?;
    let mut n = 0;
    let mut rows = vec![];
    for (c, r) in per {
        n += c;
        rows.extend(r);
    }
    rows.sort_unstable();
    rows.truncate(examples);
    Ok((n, rows))
}

/// The reference rows compared for leakage: in memory (exact mode) or on disk (bounded).
enum LeakSet {
    Memory(FxHashSet<u128>),
    Spill(SpillReader),
}

fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    // YYYY-MM-DD or YYYY/MM/DD, optionally followed by a time.
    let iso = b.len() >= 10
        && digits(0..4)
        && matches!(b[4], b'-' | b'/')
        && digits(5..7)
        && b[7] == b[4]
        && digits(8..10)
        && (b.len() == 10 || matches!(b[10], b'T' | b' '));
    // DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY, DD-MM-YYYY.
    let dmy = b.len() >= 10
        && digits(0..2)
        && matches!(b[2], b'/' | b'.' | b'-')
        && digits(3..5)
        && b[5] == b[2]
        && digits(6..10)
        && (b.len() == 10 || b[10] == b' ');
    iso || dmy
}

fn is_placeholder_token(s: &str) -> bool {
    let t = s.trim();
    PLACEHOLDER_TOKENS.iter().any(|p| p.eq_ignore_ascii_case(t))
}

/// The SHA-256 of a table's file; `None` for an in-memory table, which has no bytes of its own.
fn file_digest(table: &Table) -> std::io::Result<Option<String>> {
    if table.is_in_memory() {
        return Ok(None);
    }
    std::fs::File::open(&table.path)
        .and_then(|f| sha256_reader(std::io::BufReader::new(f)))
        .map(Some)
}

fn finish(
    ctx: &Ctx<'_>,
    spec: &QualitySpec,
    mut agg: Agg,
    blank: u64,
    file_sha256: Option<String>,
    leak: Option<(PathBuf, Vec<String>, LeakSet)>,
) -> Result<QualityReport> {
    let th = &spec.thresholds;
    let examples = spec.examples.max(1);
    let bounded = match agg.bounded.take() {
        None => None,
        Some(b) => Some(FinishedBounded {
            rows: b.rows.finish()?,
            keys: b.keys.map(HashSpill::finish).transpose()?,
            feats: b.feats.map(HashSpill::finish).transpose()?,
            leaks: b.leaks.map(HashSpill::finish).transpose()?,
            content: b.content,
            label_counts: b.label_counts,
        }),
    };
    // Blank CSV lines came in as empty rows at their place in the file: drop them.
    let empty_rows_all = agg.empty_rows.len() as u64;
    let empty_rows = empty_rows_all.saturating_sub(blank);
    let rows = agg.rows.saturating_sub(blank);
    let mut checks: Vec<Check> = vec![];
    let mut skipped: Vec<String> = vec![];

    // Content fingerprint: non-empty rows plus the empty data rows (all alike).
    let mut content = ContentFingerprint::default();
    match &bounded {
        Some(b) => content = b.content,
        None => {
            for &h in &agg.row_hashes {
                if h != 0 {
                    content.add(h);
                }
            }
        }
    }
    if empty_rows > 0 {
        let empty_hash = finish_row(
            ctx.cols
                .iter()
                .map(|c| hash_null(c.seed))
                .fold(0u128, u128::wrapping_add),
        );
        for _ in 0..empty_rows {
            content.add(empty_hash);
        }
    }
    let fingerprints = Fingerprints {
        file_sha256,
        content: content.finish(),
        schema: schema_fingerprint(ctx.cols.iter().map(|c| (c.name.as_str(), c.dtype.as_str()))),
    };

    // Empty rows.
    if empty_rows > 0 {
        checks.push(Check {
            id: "dataset.empty_rows".into(),
            check: "empty_rows".into(),
            column: None,
            attribute: None,
            status: Status::Warn,
            value: Some(empty_rows as f64),
            threshold: None,
            count: Some(empty_rows),
            message: format!("{empty_rows} rows have every field empty; they are left out of the column profiles"),
            examples: agg
                .empty_rows
                .iter()
                .take(examples)
                .map(|&r| Example { row: r + 1, value: None })
                .collect(),
        });
    }

    // A table without a row to profile cannot be of good quality.
    if rows == empty_rows {
        checks.push(Check {
            id: "dataset.no_rows".into(),
            check: "no_rows".into(),
            column: None,
            attribute: None,
            status: Status::Fail,
            value: Some(0.0),
            threshold: None,
            count: Some(0),
            message: if rows == 0 {
                "the table has no rows".into()
            } else {
                format!("every one of the {rows} rows is empty")
            },
            examples: vec![],
        });
    }

    // Duplicates.
    let all_names: Vec<String> = ctx.cols.iter().map(|c| c.name.clone()).collect();
    let (extra, groups, ex) = match &bounded {
        Some(b) => spill_duplicates(&b.rows, examples)?,
        None => duplicate_groups(&agg.row_hashes, examples),
    };
    let dup_share = share(extra, rows);
    let duplicates = Duplicates {
        columns: all_names.clone(),
        extra_rows: extra,
        groups,
        share: dup_share,
        examples: ex.clone(),
    };
    let v = dup_share.unwrap_or(0.0);
    checks.push(Check {
        id: "dataset.duplicates".into(),
        check: "duplicates".into(),
        column: None,
        attribute: None,
        status: judge_above(v, th.duplicates),
        value: Some(v),
        threshold: above(th.duplicates),
        count: Some(extra),
        message: if extra == 0 {
            "no two rows are identical".into()
        } else {
            format!(
                "{extra} rows ({}) repeat another row exactly, in {groups} groups of identical rows",
                pct(v)
            )
        },
        examples: ex
            .iter()
            .flat_map(|g| g.rows.iter().map(|&r| Example { row: r, value: None }))
            .take(examples)
            .collect(),
    });

    // Duplicate keys.
    let duplicate_keys = if ctx.key.is_empty() {
        None
    } else {
        let (extra, groups, ex) = match bounded.as_ref().and_then(|b| b.keys.as_ref()) {
            Some(k) => spill_duplicates(k, examples)?,
            None => duplicate_groups(&agg.key_hashes, examples),
        };
        let names: Vec<String> = ctx.key.iter().map(|&i| ctx.cols[i].name.clone()).collect();
        checks.push(Check {
            id: "dataset.duplicate_keys".into(),
            check: "duplicate_keys".into(),
            column: Some(names.join(",")),
            attribute: None,
            status: if extra > 0 {
                Status::Fail
            } else {
                Status::Pass
            },
            value: Some(extra as f64),
            threshold: Some(Threshold {
                warn: 0.0,
                fail: 0.0,
                direction: "above",
            }),
            count: Some(extra),
            message: if extra == 0 {
                format!("the key ({}) is unique", names.join(", "))
            } else {
                format!(
                    "{extra} rows repeat a key ({}) of another row, in {groups} groups",
                    names.join(", ")
                )
            },
            examples: ex
                .iter()
                .flat_map(|g| {
                    g.rows.iter().map(|&r| Example {
                        row: r,
                        value: None,
                    })
                })
                .take(examples)
                .collect(),
        });
        Some(Duplicates {
            columns: names,
            extra_rows: extra,
            groups,
            share: share(extra, rows),
            examples: ex,
        })
    };

    // Label balance and conflicting labels.
    let (label_balance, conflicts) = match (&agg.label, ctx.label) {
        (Some(l), Some(li)) => {
            let name = ctx.cols[li].name.clone();
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            let mut per = vec![0u64; l.keys.len()];
            match &bounded {
                Some(b) => {
                    for (p, c) in per.iter_mut().zip(&b.label_counts) {
                        *p = *c;
                    }
                }
                None => {
                    for (r, &g) in l.codes.iter().enumerate() {
                        if g != NULL_GROUP && agg.row_hashes[r] != 0 {
                            per[g as usize] += 1;
                        }
                    }
                }
            }
            for (k, c) in l.keys.iter().zip(&per) {
                if *c > 0 {
                    counts.insert(k.clone(), *c);
                }
            }
            let labelled: u64 = per.iter().sum();
            let min = counts.values().min().copied();
            let max = counts.values().max().copied();
            let minority_share = min.and_then(|m| share(m, labelled));
            let imbalance_ratio = match (min, max) {
                (Some(a), Some(b)) if a > 0 => Some(b as f64 / a as f64),
                _ => None,
            };
            if counts.len() >= 2 {
                let m = minority_share.unwrap_or(0.0);
                let (w, f) = th.label_minority;
                let status = if m < f {
                    Status::Fail
                } else if m < w {
                    Status::Warn
                } else {
                    Status::Pass
                };
                checks.push(Check {
                    id: "dataset.label_balance".into(),
                    check: "label_balance".into(),
                    column: Some(name.clone()),
                    attribute: None,
                    status,
                    value: Some(m),
                    threshold: Some(Threshold {
                        warn: w,
                        fail: f,
                        direction: "below",
                    }),
                    count: min,
                    message: format!(
                        "the rarest label of `{name}` is {} of labelled rows ({} label values; largest over smallest {:.2})",
                        pct(m),
                        counts.len(),
                        imbalance_ratio.unwrap_or(f64::NAN)
                    ),
                    examples: vec![],
                });
            } else {
                checks.push(Check {
                    id: "dataset.label_balance".into(),
                    check: "label_balance".into(),
                    column: Some(name.clone()),
                    attribute: None,
                    status: Status::Fail,
                    value: None,
                    threshold: None,
                    count: Some(labelled),
                    message: format!(
                        "the label `{name}` has {} distinct value(s); a classifier needs at least two",
                        counts.len()
                    ),
                    examples: vec![],
                });
            }
            // Conflicts: same features, different labels.
            let (conflict_rows, ng, ex, ex_rows) =
                match bounded.as_ref().and_then(|b| b.feats.as_ref()) {
                    Some(f) => {
                        let (rows, ng, gs) = spill_groups(f, examples, |g| {
                            let mut tags = g.iter().map(|r| r.tag).filter(|&t| t != NULL_GROUP);
                            let Some(first) = tags.next() else {
                                return (0, 0);
                            };
                            let mut labelled = 1u64;
                            let mut differ = false;
                            for t in tags {
                                labelled += 1;
                                differ |= t != first;
                            }
                            if differ {
                                (labelled, labelled)
                            } else {
                                (0, 0)
                            }
                        })?;
                        let ex_rows: Vec<Example> = gs
                            .iter()
                            .flat_map(|g| {
                                g.rows.iter().map(|&(r, t)| Example {
                                    row: r,
                                    value: (t != NULL_GROUP).then(|| l.keys[t as usize].clone()),
                                })
                            })
                            .take(examples * 2)
                            .collect();
                        let ex: Vec<RowGroup> = gs
                            .into_iter()
                            .map(|g| RowGroup {
                                count: g.count,
                                rows: g.rows.into_iter().map(|r| r.0).collect(),
                            })
                            .collect();
                        (rows, ng, ex, ex_rows)
                    }
                    None => exact_conflicts(&agg.feat_hashes, l, examples),
                };
            let s = share(conflict_rows, labelled);
            let v = s.unwrap_or(0.0);
            checks.push(Check {
                id: "dataset.conflicting_labels".into(),
                check: "conflicting_labels".into(),
                column: Some(name.clone()),
                attribute: None,
                status: judge_above(v, th.conflicting_labels),
                value: Some(v),
                threshold: above(th.conflicting_labels),
                count: Some(conflict_rows),
                message: if ng == 0 {
                    "no two rows with the same features have different labels".into()
                } else {
                    format!("{conflict_rows} rows ({}) in {ng} groups share every feature but disagree on `{name}`", pct(v))
                },
                examples: ex_rows,
            });
            (
                Some(LabelBalance {
                    column: name,
                    counts,
                    minority_share,
                    imbalance_ratio,
                }),
                Some(Conflicts {
                    groups: ng,
                    rows: conflict_rows,
                    share: s,
                    examples: ex,
                }),
            )
        }
        _ => (None, None),
    };

    // Leakage.
    let leakage = leak
        .map(|(path, columns, set)| -> Result<Leakage> {
        let (n, ex) = match (&set, &bounded) {
            (LeakSet::Spill(r), Some(b)) => {
                spill_overlap(b.leaks.as_ref().unwrap_or(&b.rows), r, examples)?
            }
            (LeakSet::Spill(_), None) => {
                return Err(Error::InvalidOption(
                    "a bounded-memory reference with an in-memory run".into(),
                ))
            }
            (LeakSet::Memory(set), _) => {
                let hashes = if agg.leak_hashes.is_empty() {
                    &agg.row_hashes
                } else {
                    &agg.leak_hashes
                };
                let mut n = 0u64;
                let mut ex = vec![];
                for (r, h) in hashes.iter().enumerate() {
                    if *h != 0 && set.contains(h) {
                        n += 1;
                        if ex.len() < examples {
                            ex.push(r as u64 + 1);
                        }
                    }
                }
                (n, ex)
            }
        };
        let s = share(n, rows);
        let v = s.unwrap_or(0.0);
        checks.push(Check {
            id: "dataset.leakage".into(),
            check: "leakage".into(),
            column: None,
            attribute: None,
            status: judge_above(v, th.leakage),
            value: Some(v),
            threshold: above(th.leakage),
            count: Some(n),
            message: if n == 0 {
                format!("no row is also in the reference {}", path.display())
            } else {
                format!(
                    "{n} rows ({}) are also in the reference {} (compared on {} columns): train/test overlap",
                    pct(v),
                    path.display(),
                    columns.len()
                )
            },
            examples: ex.iter().map(|&r| Example { row: r, value: None }).collect(),
        });
        Ok(Leakage {
            reference: path,
            columns,
            rows: n,
            share: s,
            examples: ex,
        })
    })
    .transpose()?;

    // Group tables, before the columns are taken apart.
    let by_group_all: Vec<Vec<Vec<(u64, u64)>>> =
        (0..ctx.sens.len()).map(|a| agg_by_group(&agg, a)).collect();
    let mut contingencies: Vec<Vec<Option<Contingency>>> = (0..ctx.cols.len())
        .map(|ci| {
            (0..ctx.sens.len())
                .map(|a| agg.cols_text_contingency(ci, a))
                .collect()
        })
        .collect();

    // Keys of text columns with a contingency table (to find suspected values in it).
    let cont_keys: Vec<Option<Vec<String>>> = agg
        .cols
        .iter()
        .map(|c| {
            c.text
                .as_ref()
                .filter(|ta| ta.contingency.iter().any(Option::is_some))
                .map(|ta| ta.keys.clone())
        })
        .collect();

    // Columns, in parallel.
    let n_profiled = rows - empty_rows;
    let col_aggs = std::mem::take(&mut agg.cols);
    let row_hashes = &agg.row_hashes;
    let outs: Vec<ColumnOut> = col_aggs
        .into_par_iter()
        .zip(ctx.cols.par_iter())
        .map(|(ca, plan)| finish_column(spec, plan, ca, n_profiled, row_hashes))
        .collect::<Result<_>>()?;
    let mut columns = vec![];
    let mut facts = vec![];
    let mut numeric_rows: Vec<Option<Vec<f64>>> = vec![];
    let mut edges = vec![];
    let mut suspected: Vec<(Vec<String>, Vec<f64>)> = vec![];
    let mut sketched: Vec<Option<Vec<Vec<GroupNum>>>> = vec![];
    for o in outs {
        checks.extend(o.checks);
        columns.push(o.report);
        facts.push(o.facts);
        numeric_rows.push(o.numbers);
        sketched.push(o.sketched);
        edges.push(o.edges);
        suspected.push((o.suspected_text, o.suspected_numbers));
    }
    // Suspected placeholders are missing values in the group comparisons too, and not
    // categories of a proxy.
    let mut by_group_all = by_group_all;
    for (ci, (texts, nums)) in suspected.iter().enumerate() {
        for a in 0..ctx.sens.len() {
            let bg = &mut by_group_all[a][ci];
            if let (Some(keys), Some(t)) = (&cont_keys[ci], &mut contingencies[ci][a]) {
                for v in texts {
                    if let Some(k) = keys.iter().position(|x| x == v) {
                        for g in 0..t.cols {
                            let c = std::mem::take(&mut t.counts[k * t.cols + g]);
                            if let Some(e) = bg.get_mut(g) {
                                e.1 += c;
                            }
                        }
                    }
                }
            }
            if let (false, Some(vals)) = (nums.is_empty(), &numeric_rows[ci]) {
                for (x, &g) in vals.iter().zip(&agg.groups[a].codes) {
                    if g != NULL_GROUP && nums.contains(x) {
                        if let Some(e) = bg.get_mut(g as usize) {
                            e.1 += 1;
                        }
                    }
                }
            }
            if let (false, Some(gs)) = (nums.is_empty(), &sketched[ci]) {
                for (g, gn) in gs[a].iter().enumerate() {
                    for (k, c) in gn.watched.iter().enumerate() {
                        if nums.contains(&NUMERIC_SENTINELS[k]) {
                            if let Some(e) = bg.get_mut(g) {
                                e.1 += c;
                            }
                        }
                    }
                }
            }
        }
    }

    // Missingness by group and proxies.
    let mut missingness = vec![];
    let mut proxies = vec![];
    for (a, &si) in ctx.sens.iter().enumerate() {
        let attr = ctx.cols[si].name.clone();
        let g = &agg.groups[a];
        let mut worst = Status::Pass;
        let mut worst_msg = String::new();
        let mut worst_value = 0.0;
        for (ci, bg) in by_group_all[a].iter().enumerate() {
            if ci == si {
                continue;
            }
            let eligible: Vec<(usize, (u64, u64))> = bg
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, (r, _))| *r >= MIN_GROUP_ROWS)
                .collect();
            if eligible.len() < 2 || eligible.iter().all(|(_, (_, m))| *m == 0) {
                continue;
            }
            let shares: BTreeMap<String, f64> = eligible
                .iter()
                .map(|(gi, (r, m))| (g.keys[*gi].clone(), *m as f64 / *r as f64))
                .collect();
            let hi = shares.values().cloned().fold(f64::MIN, f64::max);
            let lo = shares.values().cloned().fold(f64::MAX, f64::min);
            let test = chi_square_independence(
                &eligible
                    .iter()
                    .map(|(_, (r, m))| (*m, *r))
                    .collect::<Vec<_>>(),
            );
            let p = test.map(|t| t.p_value);
            let spread = hi - lo;
            let status = if p.is_some_and(|p| p < 0.05) {
                judge_above(spread, th.missing_by_group)
            } else {
                Status::Pass
            };
            let column = ctx.cols[ci].name.clone();
            if status > worst || (status == worst && spread > worst_value) {
                worst = status;
                worst_value = spread;
                let (gmax, _) = shares.iter().fold(("", f64::MIN), |acc, (k, v)| {
                    if *v > acc.1 {
                        (k.as_str(), *v)
                    } else {
                        acc
                    }
                });
                let (gmin, _) = shares.iter().fold(("", f64::MAX), |acc, (k, v)| {
                    if *v < acc.1 {
                        (k.as_str(), *v)
                    } else {
                        acc
                    }
                });
                worst_msg = format!(
                    "`{column}` is missing in {} of `{attr}` = {gmax} rows but {} of {gmin} rows (p = {})",
                    pct(hi),
                    pct(lo),
                    p.map(fmt_p).unwrap_or_else(|| "n/a".into())
                );
            }
            missingness.push(GroupMissingness {
                attribute: attr.clone(),
                column,
                shares,
                spread,
                p_value: p,
            });
        }
        checks.push(Check {
            id: format!("dataset.missingness_by_group.{attr}"),
            check: "missingness_by_group".into(),
            column: None,
            attribute: Some(attr.clone()),
            status: worst,
            value: Some(worst_value),
            threshold: above(th.missing_by_group),
            count: None,
            message: if worst_msg.is_empty() {
                format!("no column's missing share differs across the groups of `{attr}`")
            } else {
                worst_msg
            },
            examples: vec![],
        });
        // Proxies (numeric ones computed in parallel: a pass over each column's rows).
        let numeric_proxies: Vec<Option<Association>> = (0..ctx.cols.len())
            .into_par_iter()
            .map(|ci| {
                if ci == si || Some(ci) == ctx.label || ctx.key.contains(&ci) {
                    return None;
                }
                if let Some(gs) = &sketched[ci] {
                    return sketched_proxy(&gs[a], &suspected[ci].1);
                }
                let vals = numeric_rows[ci].as_ref()?;
                numeric_proxy(vals, &g.codes, g.keys.len(), &edges[ci], &suspected[ci].1)
            })
            .collect();
        for (ci, plan) in ctx.cols.iter().enumerate() {
            if ci == si || Some(ci) == ctx.label || ctx.key.contains(&ci) {
                continue;
            }
            let name = &plan.name;
            let proxy = if numeric_rows[ci].is_some() || sketched[ci].is_some() {
                numeric_proxies[ci].map(|(eta, mi, u)| ("correlation_ratio", eta, mi, u))
            } else {
                match contingencies[ci][a].take() {
                    Some(t) => t.cramers_v().map(|v| {
                        (
                            "cramers_v",
                            v,
                            t.mutual_information(),
                            t.uncertainty_coefficient(),
                        )
                    }),
                    None => {
                        skipped.push(format!(
                            "proxy test of `{name}` for `{attr}`: more than {MAX_PROXY_CATEGORIES} distinct values (an identifier or free text)"
                        ));
                        None
                    }
                }
            };
            let Some((measure, value, mi, u)) = proxy else {
                continue;
            };
            let (w, f) = th.proxy;
            let status = if value >= f {
                Status::Fail
            } else if value >= w {
                Status::Warn
            } else {
                Status::Pass
            };
            checks.push(Check {
                id: format!("dataset.proxy.{attr}.{name}"),
                check: "proxy".into(),
                column: Some(name.clone()),
                attribute: Some(attr.clone()),
                status,
                value: Some(value),
                threshold: Some(Threshold {
                    warn: w,
                    fail: f,
                    direction: "above",
                }),
                count: None,
                message: format!(
                    "`{name}` {} `{attr}`: {} = {value:.3}{}",
                    match status {
                        Status::Pass => "is weakly associated with",
                        Status::Warn => "is associated with",
                        Status::Fail => "is a strong proxy for",
                    },
                    if measure == "cramers_v" {
                        "Cramér's V"
                    } else {
                        "correlation ratio η"
                    },
                    u.map(|u| format!(", it explains {} of the attribute's entropy", pct(u)))
                        .unwrap_or_default()
                ),
                examples: vec![],
            });
            proxies.push(Proxy {
                feature: name.clone(),
                attribute: attr.clone(),
                measure: measure.into(),
                value,
                mutual_information: mi,
                uncertainty_coefficient: u,
            });
        }
    }

    // Scores.
    let dataset_checks: Vec<&Check> = checks
        .iter()
        .filter(|c| c.id.starts_with("dataset."))
        .collect();
    let dataset_score = weighted_score(&dataset_checks);
    let col_mean = if columns.is_empty() {
        100.0
    } else {
        columns.iter().map(|c| c.score).sum::<f64>() / columns.len() as f64
    };
    let score = round1(0.5 * dataset_score + 0.5 * col_mean);
    let mut summary = Summary {
        pass: 0,
        warn: 0,
        fail: 0,
    };
    for c in &checks {
        match c.status {
            Status::Pass => summary.pass += 1,
            Status::Warn => summary.warn += 1,
            Status::Fail => summary.fail += 1,
        }
    }
    let status = checks
        .iter()
        .map(|c| c.status)
        .max()
        .unwrap_or(Status::Pass);
    // Dataset checks first, then columns in file order (already in that order).
    checks.sort_by_key(|c| !c.id.starts_with("dataset."));
    Ok(QualityReport {
        dataset: DatasetReport {
            path: ctx.table.path.clone(),
            format: ctx.table.format_name(),
            rows,
            columns: ctx.cols.len(),
            empty_rows,
            duplicates,
            duplicate_keys,
            label: label_balance,
            conflicting_labels: conflicts,
            leakage,
            missingness_by_group: missingness,
            proxies,
            fingerprints,
            score,
            status,
        },
        columns,
        checks,
        summary,
        thresholds: th.clone(),
        rules: spec.rules.as_ref().map(|r| r.path.clone()),
        skipped,
        facts,
        empty_positions: agg.empty_rows,
        reference_facts: None,
    })
}

fn agg_by_group(agg: &Agg, a: usize) -> Vec<Vec<(u64, u64)>> {
    agg.cols
        .iter()
        .map(|c| c.by_group.get(a).cloned().unwrap_or_default())
        .collect()
}

impl Agg {
    fn cols_text_contingency(&self, ci: usize, a: usize) -> Option<Contingency> {
        let ta = self.cols[ci].text.as_ref()?;
        let map = ta.contingency.get(a)?.as_ref()?;
        let groups = self.groups[a].keys.len();
        let mut t = Contingency::new(ta.keys.len(), groups);
        for (&(v, g), &c) in map {
            t.add(v as usize, g as usize, c);
        }
        Some(t)
    }
}

/// η, MI over decile bins, and Theil's U of the attribute given the bins.
/// A strength (η or V), the mutual information and Theil's U.
type Association = (f64, Option<f64>, Option<f64>);

/// η, and the mutual information and Theil's U of the attribute given the feature's decile bin
/// (`edges`: the column's deciles, bins right-closed), over finite values that are not suspected
/// placeholders (`skip`), in rows with a group.
fn numeric_proxy(
    vals: &[f64],
    groups: &[u16],
    n_groups: usize,
    edges: &[f64],
    skip: &[f64],
) -> Option<Association> {
    let mut moments = vec![Moments::default(); n_groups];
    let mut t = Contingency::new(edges.len() + 1, n_groups);
    for (&x, &g) in vals.iter().zip(groups) {
        if g != NULL_GROUP && x.is_finite() && !skip.contains(&x) {
            moments[g as usize].push(x);
            t.add(edges.partition_point(|&e| e < x), g as usize, 1);
        }
    }
    let eta = correlation_ratio(&moments)?;
    Some((eta, t.mutual_information(), t.uncertainty_coefficient()))
}

/// The bounded mode's numeric proxy: η from the groups' moments (the sentinels that are not
/// suspected placeholders added back, the suspected ones left out, as [`numeric_proxy`]
/// leaves them out). The mutual information over decile bins needs each row's bin and group,
/// which the bounded mode does not keep: `None`.
fn sketched_proxy(groups: &[GroupNum], skip: &[f64]) -> Option<Association> {
    let moments: Vec<Moments> = groups
        .iter()
        .map(|gn| {
            let mut m = gn.moments;
            for (k, &c) in gn.watched.iter().enumerate() {
                let x = NUMERIC_SENTINELS[k];
                if c > 0 && !skip.contains(&x) {
                    m.merge(&Moments {
                        n: c,
                        mean: x,
                        m2: 0.0,
                    });
                }
            }
            m
        })
        .collect();
    let eta = correlation_ratio(&moments)?;
    Some((eta, None, None))
}

/// A p-value for a sentence: 3 decimals, or scientific below 0.001.
pub(crate) fn fmt_p(p: f64) -> String {
    if p < 0.001 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn weighted_score(checks: &[&Check]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for c in checks {
        let w = weight(if c.id.starts_with("rule.") {
            &c.id
        } else {
            &c.check
        });
        num += w * c.status.score();
        den += w;
    }
    if den == 0.0 {
        100.0
    } else {
        100.0 * num / den
    }
}

#[allow(clippy::type_complexity)]
/// What [`finish_column`] hands back for the dataset-level checks.
struct ColumnOut {
    report: ColumnReport,
    checks: Vec<Check>,
    facts: ColumnFacts,
    /// Row-order numbers (numeric columns and numbers stored as text).
    numbers: Option<Vec<f64>>,
    /// Decile edges of the finite numbers (deduplicated).
    edges: Vec<f64>,
    /// Suspected placeholders: text values and numbers.
    suspected_text: Vec<String>,
    suspected_numbers: Vec<f64>,
    /// Bounded mode: per attribute and group, the moments of the numbers that are not
    /// sentinels and the sentinels' counts.
    sketched: Option<Vec<Vec<GroupNum>>>,
}

fn finish_column(
    spec: &QualitySpec,
    plan: &ColPlan,
    ca: ColAgg,
    rows: u64,
    row_hashes: &[u128],
) -> Result<ColumnOut> {
    let th = &spec.thresholds;
    let examples = spec.examples.max(1);
    let name = &plan.name;
    let mut checks: Vec<Check> = vec![];
    let mk = |check: &str,
              status: Status,
              value: Option<f64>,
              threshold: Option<Threshold>,
              count: Option<u64>,
              message: String,
              examples: Vec<Example>| Check {
        id: format!("column.{name}.{check}"),
        check: check.into(),
        column: Some(name.clone()),
        attribute: None,
        status,
        value,
        threshold,
        count,
        message,
        examples,
    };
    let mut configured: BTreeMap<String, u64> = BTreeMap::new();
    let mut suspected: Vec<Placeholder> = vec![];
    let mut empty_strings = 0u64;
    let mut nan = 0u64;
    let mut infinite = None;
    let mut top = vec![];
    let mut distinct = 0u64;
    let mut distinct_exact = true;
    let mut text_facts = None;
    let mut numbers: Option<Vec<f64>> = None;
    let mut kind = match plan.kind {
        ColumnKind::Numeric => "numeric",
        ColumnKind::Boolean => "boolean",
        ColumnKind::Text => "text",
        ColumnKind::Other => "other",
    }
    .to_string();
    let mut mixed: Option<(u64, Vec<Example>, String)> = None;
    let mut padded_rows = 0u64;
    let mut variants: Vec<Vec<TopValue>> = vec![];
    // Values (text) for rules: (value, count, rows).
    let mut text_values: Vec<(String, u64, Vec<u64>)> = vec![];
    let mut all_values: Option<Vec<String>> = None;
    let mut max_length = None;
    if let Some(v) = ca.num {
        for &x in &v {
            if !is_null_f64(x) && x.is_nan() {
                nan += 1;
            }
        }
        let pos = v.iter().filter(|&&x| x == f64::INFINITY).count() as u64;
        let neg = v.iter().filter(|&&x| x == f64::NEG_INFINITY).count() as u64;
        infinite = Some((pos, neg));
        numbers = Some(v);
    }
    // Bounded mode: the numbers' summary (of a numeric column, or of a text column's numbers).
    let mut sk: Option<SketchedNumbers> = ca.sketch;
    if let (Some(sn), None) = (&sk, &ca.text) {
        nan = sn.nan;
        infinite = Some((sn.pos_inf, sn.neg_inf));
    }
    if let Some(ta) = ca.text {
        for (tok, c) in plan.rules.null_values.iter().zip(&ta.configured) {
            if *c > 0 {
                configured.insert(tok.clone(), *c);
            }
        }
        let present: u64 = ta.stats.iter().map(|s| s.count).sum();
        let mut numeric_count = 0u64;
        let mut date_count = 0u64;
        let mut other_count = 0u64;
        let mut placeholder_count = 0u64;
        let mut non_numeric: Vec<(String, u64, Vec<u64>)> = vec![];
        let mut numeric_tokens: Vec<(String, u64)> = vec![];
        for (k, st) in ta.keys.iter().zip(&ta.stats) {
            if st.count == 0 {
                continue;
            }
            if k.trim().is_empty() {
                empty_strings += st.count;
                continue;
            }
            if k.trim() != k {
                padded_rows += st.count;
            }
            if is_placeholder_token(k) && numeric_text(k).is_none() {
                placeholder_count += st.count;
                suspected.push(Placeholder {
                    value: k.clone(),
                    count: st.count,
                    reason: PLACEHOLDER_REASON.into(),
                });
                continue;
            }
            if numeric_text(k).is_some() {
                if is_placeholder_token(k) {
                    numeric_tokens.push((k.clone(), st.count));
                }
                numeric_count += st.count;
            } else if looks_like_date(k) {
                date_count += st.count;
                non_numeric.push((k.clone(), st.count, st.rows.clone()));
            } else {
                other_count += st.count;
                non_numeric.push((k.clone(), st.count, st.rows.clone()));
            }
        }
        let valued = numeric_count + date_count + other_count;
        let numeric_text_col = valued > 0
            && numeric_count as f64 >= NUMERIC_TEXT_SHARE * valued as f64
            && (ta.numbers.is_some() || sk.is_some());
        if !numeric_text_col {
            sk = None;
        }
        // Numeric placeholder tokens (`-999`, `9999`, …) in a text column that is not one of
        // numbers are placeholders; in a column of numbers they are judged as sentinels below.
        if !numeric_text_col {
            for (k, c) in numeric_tokens {
                numeric_count -= c;
                placeholder_count += c;
                suspected.push(Placeholder {
                    value: k,
                    count: c,
                    reason: PLACEHOLDER_REASON.into(),
                });
            }
        }
        // A placeholder token counted as missing in this column.
        let missing_token =
            |k: &str| is_placeholder_token(k) && (numeric_text(k).is_none() || !numeric_text_col);
        if numeric_text_col {
            kind = "numeric_text".into();
            numbers = ta.numbers.clone();
            for (k, c, _) in &non_numeric {
                if *c >= 2 {
                    suspected.push(Placeholder {
                        value: k.clone(),
                        count: *c,
                        reason: "a repeated non-numeric value in a column of numbers".into(),
                    });
                }
            }
        }
        let kinds_present = [numeric_count, date_count, other_count]
            .iter()
            .filter(|&&c| c > 0)
            .count();
        if kinds_present > 1 {
            let minority: Vec<&(String, u64, Vec<u64>)> = if numeric_text_col {
                non_numeric.iter().collect()
            } else {
                vec![]
            };
            let count = if numeric_text_col {
                date_count + other_count
            } else {
                valued - numeric_count.max(date_count).max(other_count)
            };
            let ex: Vec<Example> = if numeric_text_col {
                minority
                    .iter()
                    .flat_map(|(k, _, rows)| {
                        rows.iter().map(move |&r| Example {
                            row: r + 1,
                            value: Some(k.clone()),
                        })
                    })
                    .take(examples)
                    .collect()
            } else {
                // The minority kind's values.
                let minority_kind =
                    if numeric_count > 0 && numeric_count <= date_count.max(other_count) {
                        0
                    } else if date_count > 0 && date_count <= other_count {
                        1
                    } else {
                        2
                    };
                ta.keys
                    .iter()
                    .zip(&ta.stats)
                    .filter(|(k, st)| {
                        st.count > 0
                            && !missing_token(k)
                            && match minority_kind {
                                0 => numeric_text(k).is_some(),
                                1 => looks_like_date(k),
                                _ => numeric_text(k).is_none() && !looks_like_date(k),
                            }
                    })
                    .flat_map(|(k, st)| {
                        st.rows.iter().map(move |&r| Example {
                            row: r + 1,
                            value: Some(k.clone()),
                        })
                    })
                    .take(examples)
                    .collect()
            };
            mixed = Some((
                count,
                ex,
                format!(
                    "{numeric_count} values are numbers, {date_count} dates and {other_count} other text"
                ),
            ));
        }
        // Case and spacing variants.
        let mut norm: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, (k, st)) in ta.keys.iter().zip(&ta.stats).enumerate() {
            if st.count > 0 && !k.trim().is_empty() {
                let n: String = k
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase();
                norm.entry(n).or_default().push(i);
            }
        }
        for idx in norm.values().filter(|v| v.len() > 1) {
            let mut vs: Vec<TopValue> = idx
                .iter()
                .map(|&i| TopValue {
                    value: ta.keys[i].clone(),
                    count: ta.stats[i].count,
                    share: ta.stats[i].count as f64 / present.max(1) as f64,
                })
                .collect();
            vs.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            variants.push(vs);
        }
        variants.sort_by(|a, b| {
            b.iter()
                .map(|v| v.count)
                .sum::<u64>()
                .cmp(&a.iter().map(|v| v.count).sum::<u64>())
        });
        // Distinct and top values (text).
        let missing_text = empty_strings + placeholder_count;
        let non_missing = present.saturating_sub(missing_text);
        distinct = match &ta.overflow {
            // Bounded mode: beyond the tracked values, HyperLogLog's estimate.
            Some(_) if spec.sketch.is_some() => {
                distinct_exact = false;
                ca.hll.as_ref().map_or(0, |h| h.estimate().round() as u64)
            }
            Some(set) => {
                distinct_exact = false;
                set.len() as u64
            }
            None => ta
                .keys
                .iter()
                .zip(&ta.stats)
                .filter(|(k, st)| st.count > 0 && !k.trim().is_empty() && !missing_token(k))
                .count() as u64,
        };
        if !numeric_text_col {
            let mut order: Vec<usize> = (0..ta.keys.len())
                .filter(|&i| {
                    ta.stats[i].count > 0
                        && !ta.keys[i].trim().is_empty()
                        && !missing_token(&ta.keys[i])
                })
                .collect();
            order.sort_by(|&a, &b| {
                ta.stats[b]
                    .count
                    .cmp(&ta.stats[a].count)
                    .then(ta.keys[a].cmp(&ta.keys[b]))
            });
            top = order
                .iter()
                .take(5)
                .map(|&i| TopValue {
                    value: ta.keys[i].clone(),
                    count: ta.stats[i].count,
                    share: ta.stats[i].count as f64 / non_missing.max(1) as f64,
                })
                .collect();
            if ta.overflow.is_none()
                && (distinct as usize) <= crate::rules::INFER_MAX_ALLOWED as usize
            {
                let mut vals: Vec<String> = order.iter().map(|&i| ta.keys[i].clone()).collect();
                vals.sort();
                all_values = Some(vals);
            }
        }
        let ml = ta
            .keys
            .iter()
            .zip(&ta.stats)
            .filter(|(_, st)| st.count > 0)
            .map(|(k, _)| k.chars().count() as u64)
            .max()
            .unwrap_or(0);
        max_length = Some(ml);
        let mut kinds = BTreeMap::new();
        kinds.insert("number".to_string(), numeric_count);
        kinds.insert("date".to_string(), date_count);
        kinds.insert("text".to_string(), other_count);
        text_facts = Some(TextFacts {
            max_length: ml,
            padded: padded_rows,
            variants: variants.iter().take(10).cloned().collect(),
            kinds,
        });
        for (k, st) in ta.keys.iter().zip(ta.stats) {
            if st.count > 0 {
                text_values.push((k.clone(), st.count, st.rows));
            }
        }
    }
    // Numeric profile (numeric columns and numbers stored as text).
    let mut profile = None;
    let mut integral = None;
    let mut sorted: Vec<f64> = vec![];
    if let (Some(sn), None) = (&sk, &numbers) {
        let s = &sn.sketch;
        integral = s.integral();
        profile = s.profile();
        if let Some(p) = &profile {
            if kind == "numeric" {
                if s.counts_exact() {
                    distinct = p.distinct;
                } else {
                    distinct = ca.hll.as_ref().map_or(0, |h| h.estimate().round() as u64);
                    distinct_exact = false;
                }
            }
            top = mode_top(p);
            let quartile = |q: f64| {
                p.quantiles
                    .iter()
                    .find(|(at, _)| *at == q)
                    .map_or(f64::NAN, |(_, v)| *v)
            };
            let (q1, q3) = (quartile(0.25), quartile(0.75));
            let iqr = p.iqr;
            for (k, &sv) in NUMERIC_SENTINELS.iter().enumerate() {
                let count = s.watched()[k];
                if (sv != p.min && sv != p.max) || count == 0 || p.min == p.max {
                    continue;
                }
                let next_above = if sv == p.min {
                    s.second_smallest()
                } else {
                    None
                };
                suspected.extend(judge_sentinel(sv, count, next_above, (q1, q3, iqr)));
            }
        }
    }
    if let Some(v) = &numbers {
        sorted = v.iter().copied().filter(|x| x.is_finite()).collect();
        integral = Some(sorted.iter().all(|x| x.fract() == 0.0));
        fairgauge_core::drift::sort_finite(&mut sorted);
        profile = NumericProfile::from_sorted(&sorted);
        if let Some(p) = &profile {
            if kind == "numeric" {
                distinct = p.distinct;
            }
            top = mode_top(p);
            // Numeric sentinels.
            // The profile's quartiles, not computed again.
            let quartile = |q: f64| {
                p.quantiles
                    .iter()
                    .find(|(at, _)| *at == q)
                    .map(|(_, v)| *v)
                    .unwrap_or_else(|| quantile_sorted(&sorted, q))
            };
            let (q1, q3) = (quartile(0.25), quartile(0.75));
            let iqr = p.iqr;
            for &s in &NUMERIC_SENTINELS {
                if s != p.min && s != p.max {
                    continue;
                }
                let lo = sorted.partition_point(|&x| x < s);
                let hi = sorted.partition_point(|&x| x <= s);
                let count = (hi - lo) as u64;
                if count == 0 || p.distinct < 2 {
                    continue;
                }
                suspected.extend(judge_sentinel(
                    s,
                    count,
                    sorted.get(hi).copied(),
                    (q1, q3, iqr),
                ));
            }
        }
    }
    let distinct_sketch = match &ca.hll {
        Some(h) => DistinctSketch {
            estimate: h.estimate().round(),
            relative_standard_error: h.relative_standard_error(),
            precision: h.precision(),
        },
        None => DistinctSketch {
            estimate: 0.0,
            relative_standard_error: 0.0,
            precision: 0,
        },
    };
    let suspected_total: u64 = suspected.iter().map(|p| p.count).sum();
    // Suspected values that were counted as distinct values (numeric sentinels, repeated
    // non-numbers in a column of numbers) are missing, not values.
    let counted = suspected
        .iter()
        .filter(|p| p.reason != PLACEHOLDER_REASON)
        .count() as u64;
    distinct = distinct.saturating_sub(counted);
    let configured_total: u64 = configured.values().sum();
    let missing_total = ca.nulls + nan + empty_strings + configured_total + suspected_total;
    let missing_share = share(missing_total, rows);
    let missing = Missing {
        nulls: ca.nulls,
        nan,
        empty_strings,
        configured,
        suspected: suspected.clone(),
        total: missing_total,
        share: missing_share,
    };
    // Checks.
    let ms = missing_share.unwrap_or(0.0);
    checks.push(mk(
        "missing",
        judge_above(ms, th.missing),
        Some(ms),
        above(th.missing),
        Some(missing_total),
        if missing_total == 0 {
            "no value is missing".into()
        } else {
            format!(
                "{} of values are missing ({} null, {} NaN, {} empty, {} configured tokens, {} suspected placeholders)",
                pct(ms),
                ca.nulls,
                nan,
                empty_strings,
                configured_total,
                suspected_total
            )
        },
        ca.null_rows.iter().take(examples).map(|&r| Example { row: r + 1, value: None }).collect(),
    ));
    if !suspected.is_empty() {
        let list: Vec<String> = suspected
            .iter()
            .map(|p| format!("`{}` ({} rows)", p.value, p.count))
            .collect();
        let ex: Vec<Example> = suspected
            .iter()
            .flat_map(|p| {
                text_values
                    .iter()
                    .filter(move |(k, _, _)| k == &p.value)
                    .flat_map(|(k, _, rows)| {
                        rows.iter().map(move |&r| Example {
                            row: r + 1,
                            value: Some(k.clone()),
                        })
                    })
            })
            .take(examples)
            .collect();
        checks.push(mk(
            "placeholders",
            Status::Warn,
            Some(suspected_total as f64),
            None,
            Some(suspected_total),
            format!(
                "suspected missing-value placeholders, not configured as null: {}",
                list.join(", ")
            ),
            ex,
        ));
    }
    if let Some((pos, neg)) = infinite {
        if pos + neg > 0 {
            let mut ex: Vec<Example> = numbers
                .iter()
                .flatten()
                .enumerate()
                .filter(|(r, x)| x.is_infinite() && row_hashes.get(*r).is_some_and(|&h| h != 0))
                .take(examples)
                .map(|(r, x)| Example {
                    row: r as u64 + 1,
                    value: Some(format!("{x}")),
                })
                .collect();
            if let Some(sn) = &sk {
                ex = sn
                    .inf_rows
                    .iter()
                    .map(|&r| Example {
                        row: r + 1,
                        value: None,
                    })
                    .collect();
            }
            checks.push(mk(
                "infinite",
                Status::Warn,
                Some((pos + neg) as f64),
                None,
                Some(pos + neg),
                format!("{pos} values are +inf and {neg} are -inf; they are left out of the numeric summary"),
                ex,
            ));
        }
    }
    if let Some((count, ex, detail)) = mixed {
        checks.push(mk(
            "mixed_types",
            Status::Warn,
            Some(count as f64),
            None,
            Some(count),
            format!("values of different kinds in one text column: {detail}"),
            ex,
        ));
    }
    let present_values = rows.saturating_sub(missing_total);
    if distinct == 1 && present_values > 1 {
        checks.push(mk(
            "constant",
            Status::Warn,
            Some(1.0),
            None,
            None,
            "every non-missing value is the same: the column carries no information".into(),
            vec![],
        ));
    } else if let Some(t) = top.first() {
        if distinct > 1 && t.share >= th.near_constant {
            checks.push(mk(
                "near_constant",
                Status::Warn,
                Some(t.share),
                Some(Threshold {
                    warn: th.near_constant,
                    fail: 1.0,
                    direction: "above",
                }),
                Some(t.count),
                format!("`{}` makes up {} of values", t.value, pct(t.share)),
                vec![],
            ));
        }
    }
    if let Some(p) = &profile {
        let s = p.iqr_outliers as f64 / p.count.max(1) as f64;
        checks.push(mk(
            "outliers_iqr",
            if s > th.outliers_iqr {
                Status::Warn
            } else {
                Status::Pass
            },
            Some(s),
            Some(Threshold {
                warn: th.outliers_iqr,
                fail: f64::INFINITY,
                direction: "above",
            }),
            Some(p.iqr_outliers),
            format!(
                "{} values ({}) lie outside Tukey's fences [{}, {}]",
                p.iqr_outliers,
                pct(s),
                num_text(p.iqr_fences.0),
                num_text(p.iqr_fences.1)
            ),
            outlier_examples(
                numbers.as_deref().unwrap_or(&[]),
                |x| x < p.iqr_fences.0 || x > p.iqr_fences.1,
                examples,
            ),
        ));
        if let Some(k) = p.robust_z_outliers {
            let s = k as f64 / p.count.max(1) as f64;
            let (med, mad) = (p.median, p.mad);
            checks.push(mk(
                "outliers_robust_z",
                if s > th.outliers_robust_z {
                    Status::Warn
                } else {
                    Status::Pass
                },
                Some(s),
                Some(Threshold {
                    warn: th.outliers_robust_z,
                    fail: f64::INFINITY,
                    direction: "above",
                }),
                Some(k),
                format!(
                    "{k} values ({}) have a robust z-score |0.6745 (x − median) / MAD| above 3.5",
                    pct(s)
                ),
                outlier_examples(
                    numbers.as_deref().unwrap_or(&[]),
                    |x| (0.6745 * (x - med) / mad).abs() > 3.5,
                    examples,
                ),
            ));
        }
    }
    if padded_rows > 0 {
        checks.push(mk(
            "padded_text",
            Status::Warn,
            Some(padded_rows as f64),
            None,
            Some(padded_rows),
            format!("{padded_rows} values have leading or trailing white space"),
            text_values
                .iter()
                .filter(|(k, _, _)| k.trim() != k && !k.trim().is_empty())
                .flat_map(|(k, _, rows)| {
                    rows.iter().map(move |&r| Example {
                        row: r + 1,
                        value: Some(k.clone()),
                    })
                })
                .take(examples)
                .collect(),
        ));
    }
    if !variants.is_empty() {
        let list: Vec<String> = variants
            .iter()
            .take(3)
            .map(|v| {
                v.iter()
                    .map(|t| format!("`{}`", t.value))
                    .collect::<Vec<_>>()
                    .join(" / ")
            })
            .collect();
        let n: u64 = variants
            .iter()
            .map(|v| v.iter().skip(1).map(|t| t.count).sum::<u64>())
            .sum();
        checks.push(mk(
            "case_variants",
            Status::Warn,
            Some(variants.len() as f64),
            None,
            Some(n),
            format!(
                "{} categories are spelt in more than one way (case or spacing): {}",
                variants.len(),
                list.join("; ")
            ),
            vec![],
        ));
    }
    if kind == "text" && distinct > th.high_cardinality {
        checks.push(mk(
            "high_cardinality",
            Status::Warn,
            Some(distinct as f64),
            Some(Threshold {
                warn: th.high_cardinality as f64,
                fail: f64::INFINITY,
                direction: "above",
            }),
            None,
            format!(
                "{distinct} distinct values{}: an identifier or free text rather than a category?",
                if distinct == present_values {
                    ", all different"
                } else {
                    ""
                }
            ),
            vec![],
        ));
    }
    // Rules.
    if let Some(rules) = spec.rules.as_ref().and_then(|r| r.columns.get(name)) {
        let mut fails: BTreeMap<&'static str, (u64, Vec<Example>)> = BTreeMap::new();
        let mut add = |kind: &'static str, count: u64, rows: &[u64], value: Option<String>| {
            let e = fails.entry(kind).or_insert((0, vec![]));
            e.0 += count;
            for &r in rows {
                if e.1.len() < examples {
                    e.1.push(Example {
                        row: r + 1,
                        value: value.clone(),
                    });
                }
            }
        };
        // Missing values.
        let missing_rows: Vec<u64> = ca.null_rows.clone();
        let null_like = ca.nulls + nan + configured_total;
        if null_like > 0 {
            for k in rules.failures(Cell::Missing) {
                add(k, null_like, &missing_rows, None);
            }
        }
        match (&numbers, kind.as_str()) {
            (Some(v), "numeric") => {
                for (r, &x) in v.iter().enumerate() {
                    if is_null_f64(x) || x.is_nan() || row_hashes.get(r).is_some_and(|&h| h == 0) {
                        continue;
                    }
                    for k in rules.failures(Cell::Number(x)) {
                        add(
                            k,
                            1,
                            &[r as u64],
                            canonical_number(x).or(Some(format!("{x}"))),
                        );
                    }
                }
            }
            _ => {
                for (k, c, rows) in &text_values {
                    let cell = if k.trim().is_empty() {
                        Cell::Missing
                    } else {
                        match numeric_text(k) {
                            Some(x) if kind == "numeric_text" || rules.compares_numbers() => {
                                Cell::Number(x)
                            }
                            _ => Cell::Text(k),
                        }
                    };
                    for f in rules.failures(cell) {
                        add(f, *c, rows, Some(k.clone()));
                    }
                }
            }
        }
        if rules.declared.unique == Some(true) {
            match (&numbers, kind.as_str()) {
                (Some(v), "numeric") => {
                    let mut idx: Vec<(f64, u64)> = v
                        .iter()
                        .enumerate()
                        .filter(|(_, x)| x.is_finite())
                        .map(|(r, &x)| (if x == 0.0 { 0.0 } else { x }, r as u64))
                        .collect();
                    idx.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                    let mut i = 0;
                    while i < idx.len() {
                        let mut j = i + 1;
                        while j < idx.len() && idx[j].0 == idx[i].0 {
                            j += 1;
                        }
                        if j - i > 1 {
                            let rows: Vec<u64> = idx[i..j].iter().map(|p| p.1).collect();
                            add("unique", (j - i) as u64, &rows, canonical_number(idx[i].0));
                        }
                        i = j;
                    }
                }
                _ => {
                    for (k, c, rows) in &text_values {
                        if *c > 1 {
                            add("unique", *c, rows, Some(k.clone()));
                        }
                    }
                }
            }
        }
        for kind_name in crate::rules::RULE_KINDS {
            let declared = match kind_name {
                "type" => rules.declared.ty.is_some(),
                "not_null" => rules.declared.not_null == Some(true),
                "unique" => rules.declared.unique == Some(true),
                "min" => rules.declared.min.is_some(),
                "max" => rules.declared.max.is_some(),
                "allowed" => rules.declared.allowed.is_some(),
                "regex" => rules.declared.regex.is_some(),
                _ => rules.declared.max_length.is_some(),
            };
            if !declared {
                continue;
            }
            let (count, mut ex) = fails.remove(kind_name).unwrap_or((0, vec![]));
            ex.sort_by_key(|e| e.row);
            let s = share(count, rows).unwrap_or(0.0);
            checks.push(Check {
                id: format!("rule.{name}.{kind_name}"),
                check: format!("rule.{kind_name}"),
                column: Some(name.clone()),
                attribute: None,
                status: if count > 0 {
                    Status::Fail
                } else {
                    Status::Pass
                },
                value: Some(s),
                threshold: Some(Threshold {
                    warn: 0.0,
                    fail: 0.0,
                    direction: "above",
                }),
                count: Some(count),
                message: if count == 0 {
                    format!("rule holds: {}", rules.describe(kind_name))
                } else {
                    format!(
                        "{count} rows ({}) break the rule: {}",
                        pct(s),
                        rules.describe(kind_name)
                    )
                },
                examples: ex,
            });
        }
    }
    let refs: Vec<&Check> = checks.iter().collect();
    let score = round1(weighted_score(&refs));
    let facts = ColumnFacts {
        name: name.clone(),
        rows,
        missing: missing_total,
        range: profile.as_ref().map(|p| (p.min, p.max)),
        integral: integral.unwrap_or(false),
        boolean: plan.kind == ColumnKind::Boolean,
        distinct,
        values: all_values,
        max_length,
    };
    let report = ColumnReport {
        name: name.clone(),
        dtype: plan.dtype.clone(),
        kind,
        rows,
        missing,
        distinct,
        distinct_exact,
        distinct_sketch,
        top,
        numeric_sketch: sk.as_ref().map(|sn| NumericSketchInfo {
            exact: sn.sketch.counts_exact(),
            k: sn.sketch.k(),
            rank_error: sn.sketch.rank_error(),
        }),
        numeric: profile,
        integral,
        infinite,
        text: text_facts,
        score,
        checks: checks.iter().map(|c| c.id.clone()).collect(),
    };
    let (mut suspected_text, mut suspected_numbers) = (vec![], vec![]);
    for p in &suspected {
        match (numeric_text(&p.value), numbers.is_some() || sk.is_some()) {
            (Some(x), true) => suspected_numbers.push(x),
            _ => suspected_text.push(p.value.clone()),
        }
    }
    // Decile edges of the non-missing finite numbers (suspected sentinels left out).
    if !suspected_numbers.is_empty() {
        sorted.retain(|x| !suspected_numbers.contains(x));
    }
    let mut edges: Vec<f64> = if sorted.is_empty() {
        vec![]
    } else {
        (1..10)
            .map(|i| quantile_sorted(&sorted, i as f64 / 10.0))
            .collect()
    };
    edges.dedup();
    Ok(ColumnOut {
        report,
        checks,
        facts,
        numbers,
        edges,
        suspected_text,
        suspected_numbers,
        sketched: sk.map(|sn| sn.groups),
    })
}

/// A numeric column's top value: its mode (none when the bounded mode's sketch could not tell).
fn mode_top(p: &NumericProfile) -> Vec<TopValue> {
    if p.mode.is_nan() {
        return vec![];
    }
    vec![TopValue {
        value: canonical_number(p.mode).unwrap_or_default(),
        count: p.mode_count,
        share: p.mode_count as f64 / p.count.max(1) as f64,
    }]
}

/// A numeric sentinel `s` (the column's minimum or maximum, `count` times) is a suspected
/// placeholder when it is negative and the next value above it is not (`next_above`), or when it
/// lies beyond the outer fences of the quartiles `(q1, q3, iqr)`.
fn judge_sentinel(
    s: f64,
    count: u64,
    next_above: Option<f64>,
    (q1, q3, iqr): (f64, f64, f64),
) -> Option<Placeholder> {
    let others_non_negative = s < 0.0 && next_above.is_some_and(|x| x >= 0.0);
    let beyond = iqr > 0.0 && (s < q1 - 3.0 * iqr || s > q3 + 3.0 * iqr);
    (others_non_negative || beyond).then(|| Placeholder {
        value: canonical_number(s).unwrap_or_default(),
        count,
        reason: if others_non_negative {
            "a negative sentinel in a column of non-negative numbers".into()
        } else {
            "a sentinel beyond the outer fences (3 × IQR) of the other values".into()
        },
    })
}

fn num_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.4}")
    }
}

fn outlier_examples(vals: &[f64], is_out: impl Fn(f64) -> bool, examples: usize) -> Vec<Example> {
    vals.iter()
        .enumerate()
        .filter(|(_, &x)| x.is_finite() && is_out(x))
        .take(examples)
        .map(|(r, &x)| Example {
            row: r as u64 + 1,
            value: canonical_number(x),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_placeholders_are_recognised() {
        assert!(looks_like_date("2024-01-31"));
        assert!(looks_like_date("2024-01-31T10:00:00"));
        assert!(looks_like_date("31/01/2024"));
        assert!(!looks_like_date("2024-1-31"));
        assert!(!looks_like_date("hello world"));
        assert!(is_placeholder_token(" N/A "));
        assert!(is_placeholder_token("?"));
        assert!(!is_placeholder_token("Male"));
    }

    #[test]
    fn weights_and_scores() {
        let c = |id: &str, check: &str, status| Check {
            id: id.into(),
            check: check.into(),
            column: None,
            attribute: None,
            status,
            value: None,
            threshold: None,
            count: None,
            message: String::new(),
            examples: vec![],
        };
        let a = c("column.x.missing", "missing", Status::Fail);
        let b = c("column.x.constant", "constant", Status::Warn);
        // (3 * 0 + 1 * 0.5) / 4 = 12.5
        assert_eq!(weighted_score(&[&a, &b]), 12.5);
        assert_eq!(weighted_score(&[]), 100.0);
        assert_eq!(judge_above(0.05, (0.05, 0.2)), Status::Pass);
        assert_eq!(judge_above(0.051, (0.05, 0.2)), Status::Warn);
        assert_eq!(judge_above(0.21, (0.05, 0.2)), Status::Fail);
    }
}
