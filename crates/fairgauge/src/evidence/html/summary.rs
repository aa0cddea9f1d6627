//! The page's header and summary section: the system and run, the overall verdict with the count
//! of findings per status, the datasets with their fingerprints, and the risks by score.

use std::fmt::Write;

use crate::evidence::document::{Evidence, Risk};
use crate::evidence::html::cells::status_badge;
use crate::evidence::html::charts::sparkline;
use crate::evidence::html::escape::{esc, esc_ident, esc_text};

/// Appends the header: the system's name, id, owner and intended use, the run and its time.
pub fn header(o: &mut String, e: &Evidence) {
    let _ = write!(
        o,
        "<header><h1>{}</h1><p class=\"muted\">System <code>{}</code>{}{} · run <code>{}</code> · {}</p></header>",
        esc(&e.system.name),
        esc(&e.system.id),
        if e.system.owner.is_empty() { String::new() } else { format!(" · owner {}", esc(&e.system.owner)) },
        if e.system.intended_use.is_empty() { String::new() } else { format!(" · {}", esc(&e.system.intended_use)) },
        esc(&e.run.id),
        esc(&e.run.finished_at)
    );
}

fn datasets_table(o: &mut String, e: &Evidence) {
    o.push_str("<h3>Datasets</h3><table><thead><tr><th>Role</th><th>File</th><th>Format</th><th>Rows</th><th>Columns</th><th>Fingerprints</th></tr></thead><tbody>");
    for d in &e.datasets {
        let _ = write!(
            o,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>file <code>{}</code><br>content <code>{}</code><br>schema <code>{}</code></td></tr>",
            esc(&d.role), esc_ident(&d.path.display().to_string()), esc(&d.format), d.rows, d.columns,
            esc_text(d.file_sha256.as_deref().unwrap_or("in memory (no file)")), esc_text(&d.content_fingerprint), esc_text(&d.schema_fingerprint)
        );
    }
    o.push_str("</tbody></table>");
}

fn risks_table(o: &mut String, e: &Evidence) {
    o.push_str("<h3>Risks, by score</h3>");
    if e.risks.is_empty() {
        o.push_str("<p class=\"muted\">No risks: every finding passes.</p>");
    } else {
        risk_rows(o, &e.risks);
    }
    if !e.resolved_risks.is_empty() {
        o.push_str("<h3>Resolved risks</h3><p class=\"muted\">Seen by earlier runs of the history, not by this one (as last seen).</p>");
        risk_rows(o, &e.resolved_risks);
    }
}

fn risk_rows(o: &mut String, risks: &[Risk]) {
    let history = risks.iter().any(|r| r.life.is_some());
    let _ = write!(
        o,
        "<table><thead><tr><th>Id</th><th>Risk</th><th>Category</th><th>Rating</th><th>Score (L×I)</th><th>Treatment</th><th>Controls</th>{}</tr></thead><tbody>",
        if history { "<th>History</th>" } else { "" }
    );
    for r in risks {
        let controls: Vec<String> = r
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
            o,
            "<tr><td><code class=\"id\">{}</code></td><td>{}<br><span class=\"muted\">{}</span></td><td>{}</td><td>{}</td><td class=\"num\">{} = {}×{}</td><td>{}{}</td><td>{}</td>{}</tr>",
            esc(&r.id), esc_text(&r.title), esc_text(&r.description), esc(r.category.as_str()), status_badge(r.rating.as_str()),
            r.score, r.likelihood, r.impact,
            esc(r.treatment.as_str()),
            if r.status == "open" { String::new() } else { format!("<br><span class=\"muted\">{}</span>", esc(&r.status)) },
            controls.join(", "),
            if history { format!("<td>{}</td>", life_cell(r)) } else { String::new() }
        );
    }
    o.push_str("</tbody></table>");
}

/// A risk's life in a cell: its status, when it was seen, its score over the runs and the
/// decision on it.
fn life_cell(r: &Risk) -> String {
    let Some(l) = &r.life else {
        return String::new();
    };
    let scores: Vec<String> = l
        .trend
        .iter()
        .rev()
        .take(8)
        .rev()
        .map(|t| t.score.map_or("—".into(), |s| s.to_string()))
        .collect();
    let series: Vec<Option<f64>> = l.trend.iter().map(|t| t.score.map(f64::from)).collect();
    let mut cell = format!(
        "{} · {} run(s), first {}, last {}{}<br><span class=\"muted\">score {}</span>",
        status_badge(&l.status),
        l.runs_seen,
        esc(&l.first_seen),
        esc(&l.last_seen),
        if series.len() > 1 {
            format!(
                "<br>{}",
                sparkline("score over the runs", &series, [1.0, 25.0])
            )
        } else {
            String::new()
        },
        esc(&scores.join(" → "))
    );
    if let Some(d) = &l.decision {
        let _ = write!(
            cell,
            "<br>{} by {}{}: {}{}",
            esc(&d.decision),
            esc_text(&d.decided_by),
            d.review_date
                .as_deref()
                .map(|u| format!(" until {}", esc(u)))
                .unwrap_or_default(),
            esc_text(&d.reason),
            if d.in_force {
                ""
            } else {
                " <b>(no longer in force)</b>"
            }
        );
    }
    cell
}

/// Appends the summary section.
pub fn summary_section(o: &mut String, e: &Evidence) {
    o.push_str("<section id=\"summary\"><h2>Summary</h2>");
    let _ = write!(
        o,
        "<p>Overall: {} — {}</p>",
        status_badge(e.summary.overall.as_str()),
        if e.summary.passed {
            "no finding fails the policy."
        } else {
            "at least one finding fails the policy."
        }
    );
    o.push_str("<div class=\"cards\">");
    for k in ["pass", "warn", "fail", "insufficient_data", "error"] {
        let _ = write!(
            o,
            "<div class=\"card\">{}<b>{}</b></div>",
            status_badge(k),
            e.summary.findings.get(k).copied().unwrap_or(0)
        );
    }
    o.push_str("</div>");
    datasets_table(o, e);
    risks_table(o, e);
    o.push_str("</section>");
}
