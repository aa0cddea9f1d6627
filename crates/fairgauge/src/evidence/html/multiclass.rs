//! The fairness section of a multiclass assessment: per attribute, a heat map of each class's
//! selection rate per group, shaded by its impact ratio against the reference group (darker is
//! further from parity, full shade at the policy's floor), each class's parity summaries with
//! their worst class, and the attribute's findings.

use std::fmt::Write;

use fairgauge_core::fairness::multiclass::{MulticlassGroup, MulticlassSummary};
use fairgauge_core::fairness::Metric;

use crate::evidence::document::Evidence;
use crate::evidence::html::escape::esc;
use crate::evidence::html::findings::{attribute_findings, findings_table};
use crate::fairness::MulticlassOutput;
use crate::present::{percent, weighting};

/// The shade of a cell whose impact ratio is `ratio`: none at parity, the strongest at `floor`
/// and below.
fn shade(ratio: Option<f64>, floor: f64) -> String {
    let Some(r) = ratio.filter(|r| r.is_finite() && *r > 0.0) else {
        return String::new();
    };
    let impact = if r > 1.0 { 1.0 / r } else { r };
    let alpha = ((1.0 - impact) / (1.0 - floor).max(1e-9)).clamp(0.0, 1.0) * 0.55;
    format!(" style=\"background:rgba(207,34,46,{alpha:.2})\"")
}

fn selection(g: &MulticlassGroup, class: &str) -> Option<f64> {
    g.classes
        .get(class)
        .and_then(|c| c.metrics.get(&Metric::SelectionRate).copied().flatten())
}

/// The heat map of one attribute: a row per group, a column per class.
fn heat_map(o: &mut String, attr: &str, classes: &[String], gs: &[&MulticlassGroup], floor: f64) {
    let reference = gs.iter().find(|g| g.reference);
    let _ = write!(
        o,
        "<div style=\"overflow-x:auto\"><table class=\"heatmap\"><caption>Selection rate of each class by {} (shade: impact ratio against {}; full at {})</caption><thead><tr><th>group</th><th>rows</th>",
        esc(attr),
        reference.map_or("the reference".to_string(), |r| esc(&r.group)),
        percent(floor)
    );
    for c in classes {
        let _ = write!(o, "<th>{}</th>", esc(c));
    }
    o.push_str("</tr></thead><tbody>");
    for g in gs {
        let note = if g.reference {
            " (reference)"
        } else if g.insufficient_data {
            " (too few rows)"
        } else {
            ""
        };
        let _ = write!(
            o,
            "<tr><td>{}{note}</td><td>{}</td>",
            esc(&g.group),
            g.count
        );
        for c in classes {
            let v = selection(g, c);
            let ratio = match (v, reference.and_then(|r| selection(r, c))) {
                (Some(v), Some(r)) if r > 0.0 && !g.insufficient_data => Some(v / r),
                _ => None,
            };
            let _ = write!(
                o,
                "<td{}>{}</td>",
                shade(ratio, floor),
                v.map_or("—".to_string(), percent)
            );
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div>");
}

/// Each summary's worst class, as a sentence.
fn worst_classes(o: &mut String, s: &MulticlassSummary) {
    let parts: Vec<String> = [
        "demographic_parity_difference",
        "equalized_odds_difference",
        "equal_opportunity_difference",
    ]
    .iter()
    .filter_map(|k| {
        s.worst_class.get(*k).map(|w| {
            format!(
                "{} {:.4} (class {})",
                k.replace('_', " "),
                w.value,
                esc(&w.class)
            )
        })
    })
    .collect();
    if !parts.is_empty() {
        let _ = write!(
            o,
            "<p class=\"muted\">Worst class: {}.</p>",
            parts.join("; ")
        );
    }
}

/// Appends a multiclass assessment's fairness content (inside the section).
pub fn multiclass_assessed(o: &mut String, e: &Evidence, mr: &MulticlassOutput, floor: f64) {
    let r = &mr.report;
    let _ = write!(
        o,
        "<p class=\"muted\">Multiclass: {} classes, each judged one-vs-rest.</p>",
        r.classes.len()
    );
    if let (Some(col), Some(w)) = (&mr.roles.weight, &r.weights) {
        let line = weighting("Rates", col, w.total, w.effective_n, r.rows.used);
        let _ = write!(o, "<p class=\"muted weighting\">{}</p>", esc(&line));
    }
    for attr in &r.attributes {
        let _ = write!(o, "<h3>By {}</h3>", esc(attr));
        let gs: Vec<&MulticlassGroup> = r.groups.iter().filter(|g| g.attribute == *attr).collect();
        heat_map(o, attr, &r.classes, &gs, floor);
        if let Some(s) = r.summary.get(attr) {
            worst_classes(o, s);
        }
        findings_table(o, &attribute_findings(e, attr));
    }
}
