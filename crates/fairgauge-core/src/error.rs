//! The error type of the core crate: each variant names the column, group or value at fault.

/// Errors raised by the statistics.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// No row could be used (all excluded or the input was empty).
    #[error("no usable rows: {0}")]
    NoData(String),
    /// A sensitive attribute has fewer than two groups.
    #[error("sensitive attribute `{attribute}` has only one group ({group}); disparities need at least two")]
    OneGroup { attribute: String, group: String },
    /// A score is outside `[0, 1]` or not finite.
    #[error("score {value} at row {row} is outside [0, 1] (scores must be probabilities)")]
    InvalidScore { row: usize, value: f64 },
    /// A sample weight that is negative, NaN or infinite.
    #[error("sample weight {value} at row {row} is not a finite number ≥ 0")]
    InvalidWeight { row: usize, value: f64 },
    /// Two states built with different roles or attributes were merged.
    #[error("cannot merge states: {0}")]
    IncompatibleStates(String),
    /// An argument is out of its domain.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The named reference group does not exist.
    #[error(
        "reference group `{group}` not found in attribute `{attribute}`; groups are: {available}"
    )]
    UnknownReference {
        attribute: String,
        group: String,
        available: String,
    },
    /// Batch columns have different lengths.
    #[error("column `{column}` has {got} rows, expected {expected}")]
    LengthMismatch {
        column: String,
        got: usize,
        expected: usize,
    },
    /// A numeric sample is unsorted or holds a non-finite value (drift tests want sorted,
    /// finite slices; see `drift::sort_finite`).
    #[error("sample `{sample}` is invalid: {reason}")]
    InvalidSample { sample: String, reason: String },
}

/// Result with the core [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
