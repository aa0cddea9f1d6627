//! Fairness findings: per group, impact ratios and rate gaps against the reference group; per
//! attribute, Fairlearn's between-group summaries; groups too small to judge.

use super::builder::*;
use crate::evidence::document::{Category, FindingStatus, Subject};
use crate::evidence::policy::Threshold;
use crate::present::percent;
use fairgauge_core::fairness::{Disparity, FairnessReport, Metric};
use std::collections::BTreeSet;

pub(crate) fn fairness_findings(b: &mut Builder<'_>, r: &FairnessReport, has_prediction: bool) {
    let policy = b.policy;
    let th = |name: &str| policy.fairness.thresholds.get(name).copied();
    // Per group: impact ratios and rate differences against the reference.
    let per_group: Vec<(Metric, &str, bool)> = if has_prediction {
        vec![
            (Metric::SelectionRate, "selection_rate_ratio", true),
            (Metric::Tpr, "equal_opportunity_difference", false),
            (Metric::Fpr, "false_positive_rate_difference", false),
        ]
    } else {
        vec![(Metric::BaseRate, "base_rate_ratio", true)]
    };
    let mut insufficient: BTreeSet<(String, String)> = BTreeSet::new();
    for d in &r.disparities {
        let Some(&(metric, name, is_ratio)) = per_group.iter().find(|p| p.0 == d.metric) else {
            continue;
        };
        let Some(t) = th(name) else { continue };
        if d.insufficient_data {
            insufficient.insert((d.attribute.clone(), d.group.clone()));
            continue;
        }
        disparity_finding(b, d, (metric, name, is_ratio), t);
    }
    insufficient_findings(b, r, insufficient);
    // Per attribute: Fairlearn's between-group summaries.
    if has_prediction {
        summary_findings(b, r);
    }
}

/// A group's impact ratio (`min(r, 1/r)`) or absolute rate gap against the reference group,
/// judged; a fail whose test is not significant is a warn when the policy asks for
/// significance. `rule` is (metric, policy threshold name, whether it is a ratio).
fn disparity_finding(b: &mut Builder<'_>, d: &Disparity, rule: (Metric, &str, bool), t: Threshold) {
    let (metric, name, is_ratio) = rule;
    let fp = &b.policy.fairness;
    let subject = Subject {
        column: None,
        attribute: Some(d.attribute.clone()),
        group: Some(d.group.clone()),
        reference_group: Some(d.reference.clone()),
    };
    let risk = |attr: &str| {
        let (key, title) = match metric {
            Metric::SelectionRate => (
                "selection_rate",
                format!("Disparate selection rates by {attr}"),
            ),
            Metric::Tpr => ("tpr", format!("Disparate true positive rates by {attr}")),
            Metric::Fpr => ("fpr", format!("Disparate false positive rates by {attr}")),
            _ => ("base_rate", format!("Label bias by {attr} in the data")),
        };
        (format!("bias/{key}/{attr}"), title)
    };
    let value = if is_ratio {
        d.ratio.map(|r| if r > 1.0 { 1.0 / r } else { r })
    } else {
        d.difference.map(f64::abs)
    };
    let Some(v) = value.filter(|v| v.is_finite()) else {
        b.add(Judged {
            threshold: Some(judged(&t)),
            subject,
            risk: Some(risk(&d.attribute)),
            ..Judged::new(
                &format!("fairness.{name}"),
                Category::Bias,
                FindingStatus::InsufficientData,
                name,
                format!(
                    "the {} of `{}` = {} cannot be compared with {}: {}",
                    metric_name(metric),
                    d.attribute,
                    d.group,
                    d.reference,
                    d.undefined
                        .clone()
                        .unwrap_or_else(|| "a rate is undefined".into())
                ),
            )
        });
        return;
    };
    let mut status = judge(v, &t);
    let mut note = String::new();
    if status == FindingStatus::Fail && fp.require_significance {
        if let Some(p) = d.p_value {
            if p >= fp.alpha {
                status = FindingStatus::Warn;
                note = format!(
                    " (past the fail threshold, but not significant: p = {p:.3} ≥ {})",
                    fp.alpha
                );
            }
        }
    }
    let (gv, rv) = (
        d.value.unwrap_or(f64::NAN),
        d.reference_value.unwrap_or(f64::NAN),
    );
    let message = if is_ratio {
        format!(
            "{} = {} has a {} of {} against {} for {} (ratio {}; the four-fifths rule asks for at least {}){note}",
            d.attribute,
            d.group,
            metric_name(metric),
            percent(gv),
            percent(rv),
            d.reference,
            fmt(v),
            t.fail
        )
    } else {
        format!(
            "{} = {} has a {} of {} against {} for {}: a gap of {:.1} points (fail above {}){note}",
            d.attribute,
            d.group,
            metric_name(metric),
            percent(gv),
            percent(rv),
            d.reference,
            v * 100.0,
            t.fail * 100.0
        )
    };
    // The interval of the gap's size: the difference's, mirrored when it is negative.
    let interval = if is_ratio {
        None
    } else {
        d.difference_ci.map(|[lo, hi]| {
            if d.difference.unwrap_or(0.0) < 0.0 {
                [-hi, -lo]
            } else {
                [lo, hi]
            }
        })
    };
    b.add(Judged {
        value: Some(v),
        interval,
        p_value: d.p_value,
        threshold: Some(judged(&t)),
        subject,
        risk: Some(risk(&d.attribute)),
        ..Judged::new(
            &format!("fairness.{name}"),
            Category::Bias,
            status,
            name,
            message,
        )
    });
}

/// Groups too small to judge: one `insufficient_data` finding each.
fn insufficient_findings(
    b: &mut Builder<'_>,
    r: &FairnessReport,
    insufficient: BTreeSet<(String, String)>,
) {
    for (attr, group) in insufficient {
        let n = r
            .groups
            .iter()
            .find(|g| g.attribute == attr && g.group == group)
            .map(|g| g.count)
            .unwrap_or(0);
        b.add(Judged { value: Some(n as f64), subject: Subject {
                column: None,
                attribute: Some(attr.clone()),
                group: Some(group.clone()),
                reference_group: None,
            }, risk: Some((format!("bias/insufficient/{attr}"), format!("Groups of {attr} too small to assess"))), ..Judged::new("fairness.insufficient_data", Category::Bias, FindingStatus::InsufficientData, "group_size", format!(
                "{attr} = {group} has {n} rows, fewer than the {} needed to judge it: its fairness is not assessed",
                r.min_group_size
            )) });
    }
}

/// Fairlearn's demographic parity and equalized odds differences between the groups of each
/// attribute, judged.
fn summary_findings(b: &mut Builder<'_>, r: &FairnessReport) {
    let policy = b.policy;
    let th = |name: &str| policy.fairness.thresholds.get(name).copied();
    for (attr, s) in &r.summary {
        for name in ["demographic_parity_difference", "equalized_odds_difference"] {
            let Some(t) = th(name) else { continue };
            let Some(Some(v)) = s.metrics.get(name) else {
                continue;
            };
            let status = judge(*v, &t);
            let (key, title) = if name == "demographic_parity_difference" {
                (
                    "selection_rate",
                    format!("Disparate selection rates by {attr}"),
                )
            } else {
                (
                    "equalized_odds",
                    format!("Unequal error rates (equalized odds) by {attr}"),
                )
            };
            // With the policy's bootstrap, the finding carries the summary's percentile interval.
            let interval = s.intervals.get(name).map(|i| [i.low, i.high]);
            let shown = match interval {
                Some([lo, hi]) => format!(
                    " ({:.0}% bootstrap interval [{}, {}], {} replicates)",
                    r.confidence * 100.0,
                    fmt(lo),
                    fmt(hi),
                    r.bootstrap.map_or(0, |b| b.replicates)
                ),
                None => String::new(),
            };
            b.add(Judged { value: Some(*v), threshold: Some(judged(&t)), interval, subject: Subject {
                    column: None,
                    attribute: Some(attr.clone()),
                    group: None,
                    reference_group: None,
                }, risk: Some((format!("bias/{key}/{attr}"), title)), ..Judged::new(&format!("fairness.{name}"), Category::Bias, status, name, format!(
                    "the {} across the groups of {attr} is {}{shown} (fail above {}; Fairlearn's between-groups definition)",
                    name.replace('_', " "),
                    fmt(*v),
                    t.fail
                )) });
        }
    }
}
