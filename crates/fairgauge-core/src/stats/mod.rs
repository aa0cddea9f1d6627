//! Statistical building blocks: intervals for proportions and tests that compare them.
//!
//! Each function states its definition and the reference implementation it is checked
//! against (statsmodels / scipy, values pasted in the tests with their provenance).

pub mod hypothesis;
pub mod moments;
pub mod proportion;
pub mod sum;

pub use hypothesis::{
    chi_square_gof, chi_square_independence, chi_square_sf, compare_proportions,
    fisher_exact_two_sided, gap_change_z_test, normal_two_sided_p, two_proportion_z_test,
    ChiSquareTest, ProportionTest, TestKind,
};
pub use proportion::{newcombe_interval, wilson_interval, z_critical};
