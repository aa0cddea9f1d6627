//! The fairness summaries of estimated rates: between the groups with enough data, the largest
//! minus the smallest estimate of TPR (equal opportunity difference), of PPV (predictive parity
//! difference), and the larger of the TPR and FPR differences (equalized odds difference, as
//! Fairlearn's `equalized_odds_difference`). Each interval is
//! `difference ± z √(se_high² + se_low²)`: the two groups' rows are disjoint, so their estimates'
//! errors are taken as independent (a shared population calibrator makes them correlated, which
//! this leaves out); the lower end is clipped at 0, as a largest-minus-smallest difference is.

use super::spec::{GroupEntry, SummaryEntry};

fn difference(groups: &[GroupEntry], metric: &str, z: f64) -> Option<SummaryEntry> {
    let values: Vec<(&str, f64, f64)> = groups
        .iter()
        .filter(|g| g.status == "ok")
        .filter_map(|g| {
            let v = g.estimated.get(metric)?;
            Some((g.group.as_str(), v.value, v.std_error))
        })
        .collect();
    if values.len() < 2 {
        return None;
    }
    // The first group wins ties (groups are in name order), so the choice is deterministic.
    let mut hi = values[0];
    let mut lo = values[0];
    for &v in &values[1..] {
        if v.1 > hi.1 {
            hi = v;
        }
        if v.1 < lo.1 {
            lo = v;
        }
    }
    let d = hi.1 - lo.1;
    let half = z * (hi.2 * hi.2 + lo.2 * lo.2).sqrt();
    Some(SummaryEntry {
        summary: String::new(),
        value: d,
        lower: (d - half).max(0.0),
        upper: (d + half).min(1.0),
        metric: metric.to_string(),
        highest: hi.0.to_string(),
        lowest: lo.0.to_string(),
    })
}

/// The summaries of an attribute's groups (those that cannot be formed are left out).
pub(crate) fn summaries(groups: &[GroupEntry], z: f64) -> Vec<SummaryEntry> {
    let named = |s: Option<SummaryEntry>, name: &str| {
        s.map(|mut s| {
            s.summary = name.to_string();
            s
        })
    };
    let tpr = difference(groups, "tpr", z);
    let fpr = difference(groups, "fpr", z);
    let odds = match (&tpr, &fpr) {
        (Some(t), Some(f)) => Some(if f.value > t.value { f } else { t }.clone()),
        (Some(t), None) => Some(t.clone()),
        (None, f) => f.clone(),
    };
    [
        named(tpr, "equal_opportunity_difference"),
        named(odds, "equalized_odds_difference"),
        named(difference(groups, "ppv", z), "predictive_parity_difference"),
    ]
    .into_iter()
    .flatten()
    .collect()
}
