//! Assessments: fairness, drift and quality run against a policy, judged into findings, grouped
//! into risks, and written as evidence.

/// Fairness metrics a policy can set thresholds for.
pub const FAIRNESS_METRICS: [&str; 6] = [
    "selection_rate_ratio",
    "demographic_parity_difference",
    "equalized_odds_difference",
    "equal_opportunity_difference",
    "false_positive_rate_difference",
    "base_rate_ratio",
];
