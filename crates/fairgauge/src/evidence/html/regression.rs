//! The fairness section of a regression assessment: per attribute, bars of each group's mean
//! absolute error and root mean squared error (the reference group outlined), the between-group
//! summaries the policy judges with their bootstrap intervals when there are any, and the
//! attribute's findings.

use std::fmt::Write;

use fairgauge_core::fairness::regression::{RegressionGroup, RegressionSummary};

use crate::evidence::document::Evidence;
use crate::evidence::html::cells::summary_paragraph;
use crate::evidence::html::charts::{value_chart, Bar};
use crate::evidence::html::escape::esc;
use crate::evidence::html::findings::{
    attribute_findings, findings_table, other_fairness_findings,
};
use crate::fairness::RegressionOutput;
use crate::present::{interval, quantity, weighting};

/// The error charted, with its title.
const ERRORS: [(&str, &str); 2] = [
    ("mae", "Mean absolute error"),
    ("rmse", "Root mean squared error"),
];

/// The summaries written under the charts, with their names in words.
const SUMMARIES: [(&str, &str); 5] = [
    ("mae_ratio", "MAE ratio (min / max)"),
    ("rmse_ratio", "RMSE ratio"),
    ("mae_difference", "MAE difference (max − min)"),
    ("mean_error_difference", "mean error (bias) difference"),
    ("bounded_group_loss_mae", "bounded group loss (largest MAE)"),
];

fn charts(o: &mut String, attr: &str, gs: &[&RegressionGroup]) {
    o.push_str("<div class=\"charts\">");
    for (metric, title) in ERRORS {
        let bars: Vec<Bar> = gs
            .iter()
            .map(|g| Bar {
                group: g.group.clone(),
                value: g.metrics.get(metric).copied().filter(|v| v.is_finite()),
                interval: None,
                reference: g.reference,
                insufficient: g.insufficient_data,
                estimated: false,
            })
            .collect();
        o.push_str(&value_chart(&format!("{title} by {attr}"), &bars));
    }
    o.push_str("</div>");
}

/// One line of the attribute's summaries: `name value [low, high]`.
fn summary_line(o: &mut String, s: &RegressionSummary) {
    let parts: Vec<String> = SUMMARIES
        .iter()
        .filter_map(|(key, words)| {
            let v = s.metrics.get(*key).copied().flatten()?;
            let interval = interval(s.intervals.get(*key), quantity);
            Some(format!("{words} {}{interval}", quantity(v)))
        })
        .collect();
    summary_paragraph(o, "Between the groups", &parts);
}

/// Appends a regression assessment's fairness content (inside the section).
pub fn regression_assessed(o: &mut String, e: &Evidence, rr: &RegressionOutput) {
    let r = &rr.report;
    let mut intro = String::from("Regression: error and bias per group; the policy judges the between-group summaries it has thresholds for (error ratios; differences in the label's units when the policy sets them).");
    if let Some(b) = &r.bootstrap {
        let _ = write!(
            intro,
            " Intervals in brackets: {:.0}% percentile bootstrap, {} replicates.",
            r.confidence * 100.0,
            b.replicates
        );
    }
    let _ = write!(o, "<p class=\"muted\">{}</p>", esc(&intro));
    if let (Some(col), Some(w)) = (&rr.roles.weight, &r.weights) {
        let line = weighting("Metrics", col, w.total, w.effective_n, r.rows.used);
        let _ = write!(o, "<p class=\"muted weighting\">{}</p>", esc(&line));
    }
    for attr in &r.attributes {
        let _ = write!(o, "<h3>By {}</h3>", esc(attr));
        let gs: Vec<&RegressionGroup> = r.groups.iter().filter(|g| g.attribute == *attr).collect();
        charts(o, attr, &gs);
        if let Some(s) = r.summary.get(attr) {
            summary_line(o, s);
        }
        findings_table(o, &attribute_findings(e, attr));
    }
    let other = other_fairness_findings(e, &r.attributes);
    if !other.is_empty() {
        findings_table(o, &other);
    }
}
