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
//!   [`NumericSketch`](fairgauge_core::quality::stream::NumericSketch) per slice, merged in row order: the profile is exact while a column has at
//!   most [`fairgauge_core::quality::EXACT_VALUE_LIMIT`] distinct values, otherwise read off a KLL
//!   sketch of parameter `k` within its stated rank error (each column's
//!   [`ColumnReport::numeric_sketch`]); numeric sentinels are counted exactly, so suspected
//!   placeholders are the exact mode's (their rule reads the quartiles, which are then
//!   approximate);
//! - the groups' statistics that the proxies and missingness by group need are counted per slice
//!   (moments per group and sentinel counts per group), so η is exact up to rounding; the mutual
//!   information and Theil's U of numeric features need each row's bin and are not computed;
//! - text columns beyond [`MAX_TRACKED_VALUES`] values report HyperLogLog's distinct count;
//! - row hashes are written to temporary files ([`crate::io::spill`]) and compared a file at a time:
//!   duplicates, duplicate keys, conflicting labels, leakage, their example rows and the
//!   fingerprints equal the exact mode's;
//! - outliers are counted but their example rows are not kept; columns named by a rules file stay
//!   exact (rules judge each row); the positions of empty rows are kept (8 bytes each: the
//!   failing-rows pass skips them).

pub mod aggregate;
pub mod column;
pub mod dataset;
pub mod failing_rows;
pub mod read;
pub mod report;
pub mod rules;
pub mod run;
pub mod score;
pub mod spec;

pub use failing_rows::write_failing_rows;
pub use report::*;
pub use run::{
    dataset_fingerprints, finish_quality, plan_quality, quality_part, reference_part, run_quality,
    QualityPart, QualityPlan, ReferencePart,
};
pub use score::weight;
pub use spec::*;
