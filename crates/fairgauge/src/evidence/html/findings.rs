//! The findings table of a section: status, check, subject, value with its interval, the
//! thresholds it was judged against, the message and the controls it maps to.

use std::fmt::Write;

use crate::evidence::document::{Evidence, Finding};
use crate::evidence::html::cells::{num, status_badge};
use crate::evidence::html::escape::{esc, esc_ident, esc_text};
use crate::evidence::policy::Direction;

/// The fairness findings about attribute `attr`.
pub fn attribute_findings<'a>(e: &'a Evidence, attr: &str) -> Vec<&'a Finding> {
    e.findings
        .iter()
        .filter(|x| x.kind.starts_with("fairness.") && x.subject.attribute.as_deref() == Some(attr))
        .collect()
}

/// The fairness findings about none of `attributes` (groups too small, errors).
pub fn other_fairness_findings<'a>(e: &'a Evidence, attributes: &[String]) -> Vec<&'a Finding> {
    e.findings
        .iter()
        .filter(|x| {
            x.kind.starts_with("fairness.")
                && !attributes
                    .iter()
                    .any(|a| x.subject.attribute.as_deref() == Some(a.as_str()))
        })
        .collect()
}

/// The subject in words: `attribute = group column vs reference`, leaving out what is absent.
fn subject_text(f: &Finding) -> String {
    [
        f.subject.attribute.as_deref().map(|a| {
            format!(
                "{a}{}",
                f.subject
                    .group
                    .as_deref()
                    .map(|g| format!(" = {g}"))
                    .unwrap_or_default()
            )
        }),
        f.subject.column.clone(),
        f.subject
            .reference_group
            .as_deref()
            .map(|r| format!("vs {r}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// The judged thresholds in words: `warn W / fail F (above|below)`, or nothing.
fn threshold_text(f: &Finding) -> String {
    f.threshold
        .map(|t| {
            format!(
                "warn {} / fail {} ({})",
                t.warn,
                t.fail,
                if t.direction == Direction::Above {
                    "above"
                } else {
                    "below"
                }
            )
        })
        .unwrap_or_default()
}

/// Appends the findings as a table (or a line saying there are none).
pub fn findings_table(out: &mut String, findings: &[&Finding]) {
    if findings.is_empty() {
        out.push_str("<p class=\"muted\">No findings.</p>");
        return;
    }
    out.push_str("<table><thead><tr><th>Status</th><th>Check</th><th>Subject</th><th>Value</th><th>Threshold</th><th>Finding</th><th>Controls</th></tr></thead><tbody>");
    for f in findings {
        let controls: Vec<String> = f
            .controls
            .iter()
            .map(|c| {
                format!(
                    "<span title=\"{}\">{}</span>",
                    esc(&c.title),
                    esc_ident(&c.id)
                )
            })
            .collect();
        let _ = write!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"num\">{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            status_badge(f.status.as_str()),
            esc_ident(&f.kind),
            esc_text(&subject_text(f)),
            num(f.value, 3),
            f.interval.map(|i| format!(" <span class=\"iv\">[{}, {}]</span>", num(Some(i[0]), 3), num(Some(i[1]), 3))).unwrap_or_default(),
            esc_text(&threshold_text(f)),
            esc_text(&f.message),
            controls.join(", ")
        );
    }
    out.push_str("</tbody></table>");
}
