//! Fairness findings: per group, impact ratios and rate gaps against the reference group; per
//! attribute, Fairlearn's between-group summaries; groups too small to judge. The multiclass
//! task gets the same findings for every class judged one-vs-rest, each naming its class (in the
//! subject, the message and the risk: "Disparate selection of class High by sex"). Regression
//! and ranking reports are judged on the between-group summaries the policy has thresholds for.

use super::builder::*;
use crate::estimate::EstimateOutput;
use crate::evidence::document::{Category, Estimated, FindingStatus, Subject};
use crate::evidence::policy::{is_ranking_threshold, Direction, Threshold, REGRESSION_THRESHOLDS};
use crate::fairness::MembershipInfo;
use crate::present::percent;
use fairgauge_core::fairness::multiclass::MulticlassReport;
use fairgauge_core::fairness::ranking::RankingReport;
use fairgauge_core::fairness::regression::RegressionReport;
use fairgauge_core::fairness::{Disparity, FairnessReport, Metric};
use std::collections::BTreeSet;

/// The per-group rules: (metric, policy threshold name, whether it is a ratio).
fn per_group_rules(has_prediction: bool) -> Vec<(Metric, &'static str, bool)> {
    if has_prediction {
        vec![
            (Metric::SelectionRate, "selection_rate_ratio", true),
            (Metric::Tpr, "equal_opportunity_difference", false),
            (Metric::Fpr, "false_positive_rate_difference", false),
        ]
    } else {
        vec![(Metric::BaseRate, "base_rate_ratio", true)]
    }
}

/// Judges one disparity (of `class`, for the multiclass task) against its per-group rule;
/// a group too small to judge is added to `insufficient` instead.
fn judge_disparity(
    b: &mut Builder<'_>,
    d: &Disparity,
    class: Option<&str>,
    rules: &[(Metric, &'static str, bool)],
    insufficient: &mut BTreeSet<(String, String, u64)>,
    count: u64,
) {
    let Some(&rule) = rules.iter().find(|p| p.0 == d.metric) else {
        return;
    };
    let Some(t) = b.policy.fairness.thresholds.get(rule.1).copied() else {
        return;
    };
    if d.insufficient_data {
        insufficient.insert((d.attribute.clone(), d.group.clone(), count));
        return;
    }
    disparity_finding(b, d, rule, t, class);
}

pub(crate) fn fairness_findings(b: &mut Builder<'_>, r: &FairnessReport, has_prediction: bool) {
    // Per group: impact ratios and rate differences against the reference.
    let rules = per_group_rules(has_prediction);
    let count = |attr: &str, group: &str| {
        r.groups
            .iter()
            .find(|g| g.attribute == attr && g.group == group)
            .map_or(0, |g| g.count)
    };
    let mut insufficient = BTreeSet::new();
    for d in &r.disparities {
        let n = count(&d.attribute, &d.group);
        judge_disparity(b, d, None, &rules, &mut insufficient, n);
    }
    insufficient_findings(b, r.min_group_size, insufficient);
    // Per attribute: Fairlearn's between-group summaries.
    if has_prediction {
        for (attr, s) in &r.summary {
            for name in SUMMARIES {
                let Some(Some(v)) = s.metrics.get(name) else {
                    continue;
                };
                let interval = s.intervals.get(name).map(|i| [i.low, i.high]);
                let boot = (r.confidence, r.bootstrap.map_or(0, |b| b.replicates));
                summary_finding(b, (attr, None), name, *v, interval, boot);
            }
        }
    }
}

/// Marks the findings on attributes known as probabilities as estimated: the weighted groups
/// and their intersections (`weighted`), and the threshold estimator's (`threshold`); each
/// message says so.
pub(crate) fn mark_estimated(b: &mut Builder<'_>, membership: &[MembershipInfo]) {
    for f in &mut b.findings {
        let Some(attr) = f.subject.attribute.as_deref() else {
            continue;
        };
        let Some((m, estimator)) = membership.iter().find_map(|m| {
            if attr == m.assigned_attribute {
                Some((m, "threshold"))
            } else if attr.split('&').any(|a| a == m.attribute) {
                Some((m, "weighted"))
            } else {
                None
            }
        }) else {
            continue;
        };
        f.message.push_str(&format!(
            " Estimated ({estimator} estimator): `{}` is known only as probabilities.",
            m.attribute
        ));
        // The weighted attribute's summaries with `[data] bounds_by`: what the data allow.
        let bounds = m
            .bounds
            .as_ref()
            .filter(|_| estimator == "weighted" && attr == m.attribute)
            .and_then(|b| {
                b.report
                    .summaries
                    .get(&f.metric)
                    .copied()
                    .flatten()
                    .map(|x| (b, x))
            });
        if let Some((b, x)) = bounds {
            f.message.push_str(&format!(
                " Without assuming the outcome independent of membership given {}, the data allow {} to {}.",
                b.by.join(" × "),
                fmt(x.lower),
                fmt(x.upper)
            ));
        }
        f.estimated = Some(Estimated {
            estimator: estimator.into(),
            attribute: m.attribute.clone(),
            caveat: m.caveat.clone(),
            bounds: bounds.map(|(_, x)| [x.lower, x.upper]),
        });
    }
}

/// What a label-free estimate cannot tell, on each of its findings.
pub(crate) const CBPE_CAVEAT: &str = "Estimated without labels from the model's scores, calibrated per group on the labelled reference (confidence-based performance estimation); it holds only while the scores stay as calibrated as on the reference, and a change in how labels follow the features (concept drift) cannot be seen without labels.";

/// The findings of a label-free estimate: each attribute's summaries (equal opportunity,
/// equalized odds, predictive parity differences) that the policy has thresholds for, judged
/// on the estimate, with its interval, and marked estimated (`cbpe`).
pub(crate) fn estimate_findings(b: &mut Builder<'_>, out: &EstimateOutput) {
    let first = b.findings.len();
    for a in &out.attributes {
        for s in &a.summaries {
            let Some(t) = b.policy.fairness.thresholds.get(&s.summary).copied() else {
                continue;
            };
            let key = match s.summary.as_str() {
                "predictive_parity_difference" => "predictive_parity",
                _ => "equalized_odds",
            };
            let message = format!(
                "the {} across the groups of {} is estimated at {} ({:.0}% interval [{}, {}]; {} {} against {}) (fail above {}). Estimated without labels (CBPE).",
                s.summary.replace('_', " "),
                a.attribute,
                fmt(s.value),
                out.confidence * 100.0,
                fmt(s.lower),
                fmt(s.upper),
                s.metric.to_uppercase(),
                s.highest,
                s.lowest,
                t.fail
            );
            b.add(Judged {
                value: Some(s.value),
                threshold: Some(judged(&t)),
                interval: Some([s.lower, s.upper]),
                subject: Subject {
                    attribute: Some(a.attribute.clone()),
                    ..Default::default()
                },
                risk: Some(fairness_risk(key, &a.attribute, None)),
                ..Judged::new(
                    &format!("fairness.{}", s.summary),
                    Category::Bias,
                    judge(s.value, &t),
                    &s.summary,
                    message,
                )
            });
        }
    }
    for f in &mut b.findings[first..] {
        f.estimated = Some(Estimated {
            estimator: "cbpe".into(),
            attribute: f.subject.attribute.clone().unwrap_or_default(),
            caveat: CBPE_CAVEAT.into(),
            bounds: None,
        });
    }
}

/// The multiclass task's findings: every class's disparities and parity summaries, judged as
/// the binary task's, and the groups too small to judge.
pub(crate) fn multiclass_findings(b: &mut Builder<'_>, r: &MulticlassReport) {
    let rules = per_group_rules(true);
    let count = |attr: &str, group: &str| {
        r.groups
            .iter()
            .find(|g| g.attribute == attr && g.group == group)
            .map_or(0, |g| g.count)
    };
    let mut insufficient = BTreeSet::new();
    for d in &r.disparities {
        let n = count(&d.disparity.attribute, &d.disparity.group);
        judge_disparity(
            b,
            &d.disparity,
            Some(&d.class),
            &rules,
            &mut insufficient,
            n,
        );
    }
    insufficient_findings(b, r.min_group_size, insufficient);
    for (attr, s) in &r.summary {
        for (class, cs) in &s.classes {
            for name in SUMMARIES {
                let Some(Some(v)) = cs.metrics.get(name) else {
                    continue;
                };
                let interval = cs.intervals.get(name).map(|i| [i.low, i.high]);
                let boot = (r.confidence, r.bootstrap.map_or(0, |b| b.replicates));
                summary_finding(b, (attr, Some(class)), name, *v, interval, boot);
            }
        }
    }
}

/// The between-group summaries judged per attribute (and per class).
const SUMMARIES: [&str; 2] = ["demographic_parity_difference", "equalized_odds_difference"];

/// The regression task's findings: each attribute's between-group summaries that the policy
/// has thresholds for (Fairlearn's `MetricFrame(...).difference()` / `.ratio()` of scikit-learn's
/// regression metrics, and the bounded group loss), feeding the risk "Unequal error by A"; and
/// the groups too small to judge.
pub(crate) fn regression_findings(b: &mut Builder<'_>, r: &RegressionReport) {
    let small = r.groups.iter().filter(|g| g.insufficient_data);
    let small = small.map(|g| (g.attribute.clone(), g.group.clone(), g.count));
    insufficient_findings(b, r.min_group_size, small.collect());
    for (attr, s) in &r.summary {
        for name in REGRESSION_THRESHOLDS {
            let Some(Some(v)) = s.metrics.get(name) else {
                continue;
            };
            // With the policy's bootstrap, the finding carries the summary's interval.
            let interval = s.intervals.get(name).map(|i| [i.low, i.high]);
            let boot = r.bootstrap.map(|b| (r.confidence, b.replicates));
            threshold_finding(
                b,
                (attr, name, *v),
                interval.zip(boot),
                "error",
                "Fairlearn's between-groups definition with scikit-learn's regression metrics",
            );
        }
    }
}

/// The ranking task's findings: each attribute's between-group summaries that the policy has
/// thresholds for (by default `exposure_ratio`, the smallest group's mean exposure over the
/// largest's), feeding "Unequal exposure in rankings by A" (exposure, top-k selection,
/// exposure per relevance) or "Unequal ranking quality by A" (NDCG); and the groups too small to
/// judge.
pub(crate) fn ranking_findings(b: &mut Builder<'_>, r: &RankingReport) {
    let small = r.groups.iter().filter(|g| g.insufficient_data);
    let small = small.map(|g| (g.attribute.clone(), g.group.clone(), g.count));
    insufficient_findings(b, r.min_group_size, small.collect());
    for (attr, s) in &r.summary {
        for (name, v) in &s.metrics {
            let Some(v) = v else { continue };
            if !is_ranking_threshold(name) {
                continue;
            }
            let risk = if name.starts_with("ndcg") {
                "ranking_quality"
            } else {
                "exposure"
            };
            let interval = s.intervals.get(name).map(|i| [i.low, i.high]);
            let boot = r
                .bootstrap
                .zip(r.confidence)
                .map(|(b, c)| (c, b.replicates));
            threshold_finding(
                b,
                (attr, name, *v),
                interval.zip(boot),
                risk,
                "max − min or min / max over the groups; exposure is the mean position discount 1/log2(1 + rank), Singh & Joachims 2018",
            );
        }
    }
}

/// One between-group summary `(attribute, name, value)` judged against the policy's threshold
/// of that name (nothing when the policy has none), feeding the attribute's risk `risk`; with
/// `(interval, (confidence, replicates))` the finding carries the summary's bootstrap interval.
fn threshold_finding(
    b: &mut Builder<'_>,
    (attr, name, v): (&str, &str, f64),
    boot: Option<([f64; 2], (f64, u32))>,
    risk: &str,
    definition: &str,
) {
    let Some(t) = b.policy.fairness.thresholds.get(name).copied() else {
        return;
    };
    let side = match t.direction {
        Direction::Above => "above",
        Direction::Below => "below",
    };
    let shown = match boot {
        Some(([lo, hi], (confidence, replicates))) => format!(
            " ({:.0}% bootstrap interval [{}, {}], {replicates} replicates)",
            confidence * 100.0,
            fmt(lo),
            fmt(hi),
        ),
        None => String::new(),
    };
    b.add(Judged {
        value: Some(v),
        threshold: Some(judged(&t)),
        interval: boot.map(|(i, _)| i),
        subject: Subject {
            attribute: Some(attr.to_string()),
            ..Default::default()
        },
        risk: Some(fairness_risk(risk, attr, None)),
        ..Judged::new(
            &format!("fairness.{name}"),
            Category::Bias,
            judge(v, &t),
            name,
            format!(
                "the {} across the groups of {attr} is {}{shown} (fail {side} {}; {definition})",
                name.replace('_', " "),
                fmt(v),
                t.fail
            ),
        )
    });
}

/// The risk a fairness finding feeds: its key and title, per class for the multiclass task.
fn fairness_risk(key: &str, attr: &str, class: Option<&str>) -> (String, String) {
    let title = match (key, class) {
        ("selection_rate", None) => format!("Disparate selection rates by {attr}"),
        ("selection_rate", Some(c)) => format!("Disparate selection of class {c} by {attr}"),
        ("tpr", None) => format!("Disparate true positive rates by {attr}"),
        ("tpr", Some(c)) => format!("Disparate true positive rates of class {c} by {attr}"),
        ("fpr", None) => format!("Disparate false positive rates by {attr}"),
        ("fpr", Some(c)) => format!("Disparate false positive rates of class {c} by {attr}"),
        ("equalized_odds", None) => format!("Unequal error rates (equalized odds) by {attr}"),
        ("equalized_odds", Some(c)) => {
            format!("Unequal error rates (equalized odds) of class {c} by {attr}")
        }
        ("predictive_parity", _) => format!("Unequal precision (predictive parity) by {attr}"),
        ("error", _) => format!("Unequal error by {attr}"),
        ("exposure", _) => format!("Unequal exposure in rankings by {attr}"),
        ("ranking_quality", _) => format!("Unequal ranking quality by {attr}"),
        _ => format!("Label bias by {attr} in the data"),
    };
    let id = match class {
        Some(c) => format!("bias/{key}/{attr}/class={c}"),
        None => format!("bias/{key}/{attr}"),
    };
    (id, title)
}

/// A group's impact ratio (`min(r, 1/r)`) or absolute rate gap against the reference group,
/// judged; a fail whose test is not significant is a warn when the policy asks for
/// significance. `rule` is (metric, policy threshold name, whether it is a ratio).
fn disparity_finding(
    b: &mut Builder<'_>,
    d: &Disparity,
    rule: (Metric, &str, bool),
    t: Threshold,
    class: Option<&str>,
) {
    let (metric, name, is_ratio) = rule;
    let fp = &b.policy.fairness;
    let subject = Subject {
        column: None,
        attribute: Some(d.attribute.clone()),
        group: Some(d.group.clone()),
        reference_group: Some(d.reference.clone()),
        class: class.map(str::to_string),
    };
    let risk = |attr: &str| {
        let key = match metric {
            Metric::SelectionRate => "selection_rate",
            Metric::Tpr => "tpr",
            Metric::Fpr => "fpr",
            _ => "base_rate",
        };
        fairness_risk(key, attr, class)
    };
    // The rate's name, with its class for the multiclass task.
    let rate_name = match class {
        Some(c) => format!("{} of class {c}", metric_name(metric)),
        None => metric_name(metric).to_string(),
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
                    rate_name,
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
            rate_name,
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
            rate_name,
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

/// Groups too small to judge (attribute, group, rows): one `insufficient_data` finding each.
fn insufficient_findings(
    b: &mut Builder<'_>,
    min_group_size: u64,
    insufficient: BTreeSet<(String, String, u64)>,
) {
    for (attr, group, n) in insufficient {
        b.add(Judged {
            value: Some(n as f64),
            subject: Subject {
                attribute: Some(attr.clone()),
                group: Some(group.clone()),
                ..Default::default()
            },
            risk: Some((
                format!("bias/insufficient/{attr}"),
                format!("Groups of {attr} too small to assess"),
            )),
            ..Judged::new(
                "fairness.insufficient_data",
                Category::Bias,
                FindingStatus::InsufficientData,
                "group_size",
                format!(
                    "{attr} = {group} has {n} rows, fewer than the {min_group_size} needed to judge it: its fairness is not assessed"
                ),
            )
        });
    }
}

/// A between-group summary (Fairlearn's demographic parity or equalized odds difference) of an
/// attribute (and, multiclass, a class), judged; `boot` is the confidence and the bootstrap's
/// replicates, for the interval when there is one.
fn summary_finding(
    b: &mut Builder<'_>,
    (attr, class): (&str, Option<&str>),
    name: &str,
    v: f64,
    interval: Option<[f64; 2]>,
    boot: (f64, u32),
) {
    let Some(t) = b.policy.fairness.thresholds.get(name).copied() else {
        return;
    };
    let status = judge(v, &t);
    let key = if name == "demographic_parity_difference" {
        "selection_rate"
    } else {
        "equalized_odds"
    };
    // With the policy's bootstrap, the finding carries the summary's percentile interval.
    let shown = match interval {
        Some([lo, hi]) => format!(
            " ({:.0}% bootstrap interval [{}, {}], {} replicates)",
            boot.0 * 100.0,
            fmt(lo),
            fmt(hi),
            boot.1
        ),
        None => String::new(),
    };
    let of_class = class.map(|c| format!(" of class {c}")).unwrap_or_default();
    b.add(Judged {
        value: Some(v),
        threshold: Some(judged(&t)),
        interval,
        subject: Subject {
            attribute: Some(attr.to_string()),
            class: class.map(str::to_string),
            ..Default::default()
        },
        risk: Some(fairness_risk(key, attr, class)),
        ..Judged::new(
            &format!("fairness.{name}"),
            Category::Bias,
            status,
            name,
            format!(
                "the {}{of_class} across the groups of {attr} is {}{shown} (fail above {}; Fairlearn's between-groups definition)",
                name.replace('_', " "),
                fmt(v),
                t.fail
            ),
        )
    });
}
