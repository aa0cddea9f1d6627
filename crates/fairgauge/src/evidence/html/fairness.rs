//! The fairness section: per attribute, charts of the rates per group (selection rate with the
//! policy's impact-ratio line, TPR, FPR, or the labels' base rate) and the attribute's findings.

use std::fmt::Write;

use fairgauge_core::fairness::{GroupMetrics, Metric};

use crate::evidence::document::{Evidence, Finding};
use crate::evidence::html::charts::{rate_chart, Band, Bar};
use crate::evidence::html::escape::esc;
use crate::evidence::html::findings::findings_table;
use crate::evidence::html::multiclass::multiclass_assessed;
use crate::evidence::html::ranking::ranking_assessed;
use crate::evidence::html::regression::regression_assessed;
use crate::fairness::{FairnessOutput, TaskOutput};
use crate::present::{membership, percent, weighting};

/// The rates charted, in order, with their titles.
const RATES: [(Metric, &str); 4] = [
    (Metric::SelectionRate, "Selection rate"),
    (Metric::Tpr, "True positive rate"),
    (Metric::Fpr, "False positive rate"),
    (Metric::BaseRate, "Base rate (labels)"),
];

/// The four-fifths rule's impact ratio, for evidence that judged none.
const FOUR_FIFTHS: f64 = 0.8;

/// The impact ratio selection rates were judged against: the `fail` threshold carried by the
/// evidence's `fairness.selection_rate_ratio` findings (the policy's; four fifths by default),
/// or four fifths when no finding carries one.
fn impact_ratio_floor(e: &Evidence) -> f64 {
    e.findings
        .iter()
        .filter(|f| f.kind == "fairness.selection_rate_ratio")
        .find_map(|f| f.threshold)
        .map(|t| t.fail)
        .unwrap_or(FOUR_FIFTHS)
}

/// The label of the impact-ratio line: `4/5 of reference`, or the ratio as a percentage.
fn floor_label(floor: f64) -> String {
    if floor == FOUR_FIFTHS {
        "4/5 of reference".into()
    } else {
        format!("{} of reference", percent(floor))
    }
}

fn rate(g: &GroupMetrics, m: Metric) -> Option<f64> {
    g.metrics.get(&m).copied().flatten()
}

/// Appends the charts of one attribute's groups; the selection rate's carries a line at
/// `floor` times the reference group's rate.
fn attribute_charts(o: &mut String, attr: &str, gs: &[&GroupMetrics], floor: f64, estimated: bool) {
    let reference_sel = gs
        .iter()
        .find(|g| g.reference)
        .and_then(|g| rate(g, Metric::SelectionRate));
    let label = floor_label(floor);
    for (metric, title) in RATES {
        if gs.iter().all(|g| rate(g, metric).is_none()) {
            continue;
        }
        if metric == Metric::BaseRate && gs.iter().any(|g| rate(g, Metric::SelectionRate).is_some())
        {
            continue;
        }
        let bars: Vec<Bar> = gs
            .iter()
            .map(|g| Bar {
                group: g.group.clone(),
                value: rate(g, metric),
                interval: g.ci.get(&metric).copied(),
                reference: g.reference,
                insufficient: g.insufficient_data,
                estimated,
            })
            .collect();
        let band = (metric == Metric::SelectionRate)
            .then(|| {
                reference_sel.map(|r| Band {
                    level: floor * r,
                    label: &label,
                })
            })
            .flatten();
        let title = match estimated {
            true => format!("{title} by {attr} (estimated)"),
            false => format!("{title} by {attr}"),
        };
        o.push_str(&rate_chart(&title, &bars, band));
    }
}

fn fairness_findings(e: &Evidence, keep: impl Fn(&Finding) -> bool) -> Vec<&Finding> {
    e.findings
        .iter()
        .filter(|x| x.kind.starts_with("fairness.") && keep(x))
        .collect()
}

fn assessed(o: &mut String, e: &Evidence, fr: &FairnessOutput) {
    let floor = impact_ratio_floor(e);
    if let (Some(col), Some(w)) = (&fr.roles.weight, &fr.report.weights) {
        let line = weighting("Rates", col, w.total, w.effective_n, fr.report.rows.used);
        let _ = write!(o, "<p class=\"muted weighting\">{}</p>", esc(&line));
    }
    for m in &fr.membership {
        let _ = write!(
            o,
            "<p class=\"muted estimated\">{} Estimated rates are drawn hollow. {}</p>",
            esc(&membership(m)),
            esc(&m.caveat)
        );
        if let Some(b) = &m.bounds {
            let lines = crate::present::membership_bounds(b);
            let _ = write!(
                o,
                "<p class=\"muted bounds\">{}</p><ul class=\"bounds\">",
                esc(&lines[0])
            );
            for line in &lines[1..] {
                let _ = write!(o, "<li>{}</li>", esc(line));
            }
            o.push_str("</ul>");
        }
    }
    for attr in &fr.report.attributes {
        let estimated = fr
            .membership
            .iter()
            .any(|m| *attr == m.attribute || *attr == m.assigned_attribute);
        let _ = write!(o, "<h3>By {}</h3><div class=\"charts\">", esc(attr));
        let gs: Vec<&GroupMetrics> = fr
            .report
            .groups
            .iter()
            .filter(|g| g.attribute == *attr)
            .collect();
        attribute_charts(o, attr, &gs, floor, estimated);
        o.push_str("</div>");
        let fs = fairness_findings(e, |x| x.subject.attribute.as_deref() == Some(attr.as_str()));
        findings_table(o, &fs);
    }
    let other = fairness_findings(e, |x| x.subject.attribute.is_none());
    if !other.is_empty() {
        findings_table(o, &other);
    }
}

/// Appends the fairness section.
pub fn fairness_section(o: &mut String, e: &Evidence, fairness: Option<Result<&TaskOutput, &str>>) {
    o.push_str("<section id=\"fairness\"><h2>Fairness</h2>");
    match fairness {
        Some(Ok(TaskOutput::Binary(fr))) => assessed(o, e, fr),
        Some(Ok(TaskOutput::Multiclass(mr))) => {
            multiclass_assessed(o, e, mr, impact_ratio_floor(e));
        }
        Some(Ok(TaskOutput::Regression(rr))) => regression_assessed(o, e, rr),
        Some(Ok(TaskOutput::Ranking(rk))) => ranking_assessed(o, e, rk),
        Some(Err(err)) => {
            let _ = write!(
                o,
                "<p class=\"muted\">The fairness results could not be read: {}.</p>",
                esc(err)
            );
            findings_table(o, &fairness_findings(e, |_| true));
        }
        None => {
            o.push_str("<p class=\"muted\">Fairness was not assessed.</p>");
            findings_table(o, &fairness_findings(e, |_| true));
        }
    }
    o.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_labelled_by_the_policy_s_impact_ratio() {
        assert_eq!(floor_label(0.8), "4/5 of reference");
        assert_eq!(floor_label(0.7), "70.0% of reference");
    }
}
