//! Two-sample drift statistics: does the `current` sample look like the `reference` one?
//!
//! * [`numeric`]: tests and distances on two numeric samples (Kolmogorov–Smirnov,
//!   Mann–Whitney U, Welch's t, Wasserstein, energy distance, Cramér–von Mises,
//!   Anderson–Darling k-sample). Inputs are slices **already sorted ascending**, finite and
//!   non-empty; [`sort_finite`] prepares a column. Each function checks its input in O(n)
//!   and returns [`Error::InvalidSample`](crate::Error::InvalidSample) rather than a wrong
//!   answer when a slice is unsorted or holds NaN / ±∞.
//! * [`categorical`]: tests and distances on two count vectors over the same categories or
//!   histogram bins (chi-square and G-test of homogeneity, PSI, Jensen–Shannon, Hellinger,
//!   Kullback–Leibler, total variation, L∞, Cramér's V), plus PSI bins from reference
//!   quantiles. For exactly two categories, the two-proportion tests of
//!   [`crate::stats`] apply unchanged: [`crate::stats::two_proportion_z_test`] and
//!   [`crate::stats::fisher_exact_two_sided`] on `(current₁, n_current, reference₁, n_reference)`.
//! * [`correction`]: multiple-testing adjustments of the per-column p-values
//!   (Benjamini–Hochberg, Bonferroni).
//! * [`kolmogorov`]: the distributions behind the KS test (exact two-sample lattice-path
//!   probabilities and the one-sample two-sided Kolmogorov distribution `kstwo`).
//!
//! Every function names the reference implementation it reproduces (scipy 1.17.1 unless
//! stated) and the tests paste the reference values with the exact call that produced them
//! (`tests/reference/drift_reference.py` regenerates them all).

pub mod categorical;
pub mod correction;
pub mod kolmogorov;
pub mod numeric;
pub(crate) mod radix;
pub mod sample;
pub mod sketch;
mod special;
pub mod weighted;

pub use categorical::{
    bin_counts, chi_square_2xk, cramers_v, g_test_2xk, hellinger, jensen_shannon, kl_divergence,
    l_infinity, psi, quantile_bin_edges, total_variation, DEFAULT_PSI_BINS, SHARE_FLOOR,
};
pub use correction::{benjamini_hochberg, bonferroni};
pub use kolmogorov::kstwo_sf;
pub use numeric::{
    anderson_ksamp, cramervonmises_2samp, energy_distance, ks_2samp, mann_whitney_u, wasserstein,
    wasserstein_normed, wasserstein_presorted, welch_t_test, AndersonOutcome,
};
pub use sketch::{
    ks_from_sketches, normalized_pmf_error, normalized_rank_error, wasserstein_from_sketches,
    ApproxKs, KllSketch,
};

pub use sample::{sort_finite, TestOutcome};
