//! The fairness section of an assessment whose current data had no labels: the rates estimated
//! per group from calibrated scores (drawn hollow, with their intervals), the calibration each
//! group got, the method and its caveat, and each attribute's findings.

use std::fmt::Write;

use crate::estimate::{EstimateOutput, GroupEntry};
use crate::evidence::document::{Evidence, Finding};
use crate::evidence::html::charts::{rate_chart, Bar};
use crate::evidence::html::escape::esc;
use crate::evidence::html::findings::findings_table;

/// The estimated rates charted, in order, with their titles.
const RATES: [(&str, &str); 3] = [
    ("tpr", "True positive rate"),
    ("fpr", "False positive rate"),
    ("ppv", "Precision (PPV)"),
];

fn bars(groups: &[GroupEntry], metric: &str) -> Vec<Bar> {
    groups
        .iter()
        .map(|g| {
            let v = g.estimated.get(metric);
            Bar {
                group: g.group.clone(),
                value: v.map(|v| v.value),
                interval: v.map(|v| [v.lower, v.upper]),
                reference: false,
                insufficient: g.status != "ok",
                estimated: true,
            }
        })
        .collect()
}

fn findings_of<'a>(e: &'a Evidence, attr: Option<&str>) -> Vec<&'a Finding> {
    e.findings
        .iter()
        .filter(|f| f.kind.starts_with("fairness.") && f.subject.attribute.as_deref() == attr)
        .collect()
}

/// Appends the fairness section of a label-free estimate.
pub fn estimate_section(o: &mut String, e: &Evidence, out: &EstimateOutput) {
    o.push_str("<section id=\"fairness\"><h2>Fairness (estimated without labels)</h2>");
    let _ = write!(
        o,
        "<p class=\"muted estimated\">{} Estimated rates are drawn hollow.</p>",
        esc(&out.method)
    );
    for a in &out.attributes {
        let _ = write!(o, "<h3>By {}</h3><div class=\"charts\">", esc(&a.attribute));
        for (metric, title) in RATES {
            let b = bars(&a.groups, metric);
            if b.iter().all(|b| b.value.is_none()) {
                continue;
            }
            let title = format!("{title} by {} (estimated)", a.attribute);
            o.push_str(&rate_chart(&title, &b, None));
        }
        o.push_str("</div>");
        let calibrations: Vec<String> = a
            .groups
            .iter()
            .map(|g| format!("{}: {}", g.group, g.calibration.applied.name()))
            .collect();
        let _ = write!(
            o,
            "<p class=\"muted\">Calibration per group: {}.</p>",
            esc(&calibrations.join("; "))
        );
        findings_table(o, &findings_of(e, Some(&a.attribute)));
    }
    let other = findings_of(e, None);
    if !other.is_empty() {
        findings_table(o, &other);
    }
    o.push_str("</section>");
}
