//! What a quality run is asked to do: the thresholds of every check, the spec (key, label,
//! sensitive attributes, rules, examples, the bounded mode) and the constants that define
//! placeholders, sentinels and the limits of the analysis.

use crate::quality::rules::RuleSet;
use serde::Serialize;

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
pub(crate) const PLACEHOLDER_REASON: &str = "a common missing-value placeholder";

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
    /// Bounded memory: numeric columns are summarised by a [`NumericSketch`](fairgauge_core::quality::stream::NumericSketch) with a KLL
    /// sketch of this `k` (exact while a column has at most
    /// [`fairgauge_core::quality::EXACT_VALUE_LIMIT`] distinct values), text columns beyond
    /// [`MAX_TRACKED_VALUES`] values are counted by HyperLogLog, and row hashes go to
    /// temporary files ([`crate::io::spill`]), so memory no longer grows with the rows. See the
    /// module documentation for what changes. `None`: exact, in memory.
    pub sketch: Option<u16>,
}
