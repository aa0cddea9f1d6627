//! Between-group summaries of one rate, as Fairlearn 0.15 defines them
//! (`MetricFrame(...).difference()` / `.ratio()` with `method="between_groups"`): over the groups
//! with at least `min_group_size` rows, the largest value minus the smallest, and the smallest
//! divided by the largest; and the parity summaries built on them (demographic parity,
//! equalized odds — the worse of TPR and FPR —, equal opportunity, and without a prediction the
//! base rate's). Defined once here for the report and for each bootstrap replicate.

use super::metric::Metric;

/// A summary's value, or why it is undefined.
pub type SummaryValue = std::result::Result<f64, String>;

/// The smallest and largest of `values` (the defined values of `m` over the eligible groups),
/// or why there is no spread.
pub fn spread(
    name: &str,
    values: &[f64],
    min_group_size: u64,
) -> std::result::Result<(f64, f64), String> {
    if values.len() < 2 {
        return Err(format!(
            "{name} is defined for fewer than two groups with at least {min_group_size} rows"
        ));
    }
    let max = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
    Ok((min, max))
}

/// `max − min` of `values` (of the metric called `name`, for the message).
pub fn difference(name: &str, values: &[f64], min_group_size: u64) -> SummaryValue {
    spread(name, values, min_group_size).map(|(lo, hi)| hi - lo)
}

/// `min / max` of `values`; undefined when the largest value is not above 0.
pub fn ratio(name: &str, values: &[f64], min_group_size: u64) -> SummaryValue {
    spread(name, values, min_group_size).and_then(|(lo, hi)| {
        if hi > 0.0 {
            Ok(lo / hi)
        } else {
            Err(format!("{name} is 0 in every group (0/0)"))
        }
    })
}

/// The parity summaries of the eligible groups, from each group's `[TP, FP, TN, FN]` (counts or
/// sums of weights): `base_rate_*` always, and with a prediction `demographic_parity_*`,
/// `equalized_odds_*` and `equal_opportunity_*` (differences and ratios).
pub fn parity_summaries(
    groups: &[[f64; 4]],
    with_prediction: bool,
    min_group_size: u64,
) -> Vec<(&'static str, SummaryValue)> {
    let values =
        |m: Metric| -> Vec<f64> { groups.iter().filter_map(|&g| m.value_of(g).ok()).collect() };
    let diff = |m: Metric| difference(m.name(), &values(m), min_group_size);
    let rat = |m: Metric| ratio(m.name(), &values(m), min_group_size);
    let mut out = vec![
        ("base_rate_difference", diff(Metric::BaseRate)),
        ("base_rate_ratio", rat(Metric::BaseRate)),
    ];
    if with_prediction {
        out.extend([
            ("demographic_parity_difference", diff(Metric::SelectionRate)),
            ("demographic_parity_ratio", rat(Metric::SelectionRate)),
            (
                "equalized_odds_difference",
                diff(Metric::Tpr).and_then(|a| diff(Metric::Fpr).map(|b| a.max(b))),
            ),
            (
                "equalized_odds_ratio",
                rat(Metric::Tpr).and_then(|a| rat(Metric::Fpr).map(|b| a.min(b))),
            ),
            ("equal_opportunity_difference", diff(Metric::Tpr)),
            ("equal_opportunity_ratio", rat(Metric::Tpr)),
        ]);
    }
    out
}
