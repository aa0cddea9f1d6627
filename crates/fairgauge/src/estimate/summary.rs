//! The fairness summaries of an attribute's estimated rates, over the groups with enough data:
//! TPR's between-group difference (equal opportunity), PPV's (predictive parity), and the larger
//! of the TPR and FPR differences (equalized odds, as Fairlearn's `equalized_odds_difference`).
//! Each difference and its interval come from [`fairgauge_core::estimate::summary`].

use super::spec::{GroupEntry, SummaryEntry};
use fairgauge_core::estimate::summary::difference;

fn summary(groups: &[GroupEntry], metric: &str, name: &str, z: f64) -> Option<SummaryEntry> {
    let (names, values): (Vec<&str>, Vec<_>) = groups
        .iter()
        .filter(|g| g.status == "ok")
        .filter_map(|g| Some((g.group.as_str(), g.estimated.get(metric)?)))
        .unzip();
    let d = difference(&values, z)?;
    Some(SummaryEntry {
        summary: name.to_string(),
        value: d.value,
        lower: d.lower,
        upper: d.upper,
        metric: metric.to_string(),
        highest: names[d.highest].to_string(),
        lowest: names[d.lowest].to_string(),
    })
}

/// The summaries of an attribute's groups (those that cannot be formed are left out).
pub(crate) fn summaries(groups: &[GroupEntry], z: f64) -> Vec<SummaryEntry> {
    let odds = "equalized_odds_difference";
    let tpr = summary(groups, "tpr", odds, z);
    let fpr = summary(groups, "fpr", odds, z);
    let odds = match (tpr, fpr) {
        (Some(t), Some(f)) => Some(if f.value > t.value { f } else { t }),
        (t, f) => t.or(f),
    };
    [
        summary(groups, "tpr", "equal_opportunity_difference", z),
        odds,
        summary(groups, "ppv", "predictive_parity_difference", z),
    ]
    .into_iter()
    .flatten()
    .collect()
}
