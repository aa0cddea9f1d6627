//! Data-quality profiling kernels: what a column holds and how columns relate.
//!
//! * [`numeric`]: [`NumericProfile`] of a numeric column from its sorted finite values —
//!   count, range, mean, standard deviation, linear quantiles, exact distinct count, mode,
//!   Tukey IQR fences and outliers, median, MAD and modified-z (Iglewicz & Hoaglin) outliers.
//! * [`hll`]: [`HyperLogLog`], a fixed-size mergeable distinct counter for columns too large
//!   or too distributed for an exact count.
//! * [`association`]: association between two columns — a [`Contingency`] table with
//!   chi-square, Cramér's V, mutual information, entropies and Theil's U for two categorical
//!   columns; mergeable per-group [`Moments`] and the [`correlation_ratio`] η for a numeric
//!   column across the groups of a categorical one.
//! * [`stream`]: [`NumericSketch`], a numeric column's profile in bounded memory (exact while
//!   the column has few distinct values, a KLL sketch within a stated rank error beyond).
//!
//! Like the rest of the crate, inputs are plain slices and counts; every quantity states its
//! definition and the numpy / scipy / sklearn call it reproduces, and the tests
//! (`tests/quality_*.rs`) paste the reference values with the exact call that produced them.

pub mod association;
pub mod hll;
pub mod numeric;
pub mod stream;

pub use association::{correlation_ratio, Contingency, Moments};
pub use hll::HyperLogLog;
pub use numeric::{
    count_outside, quantile_sorted, NumericProfile, IQR_K, QUANTILES, ROBUST_Z_CUTOFF,
};
pub use stream::{NumericSketch, EXACT_VALUE_LIMIT};
