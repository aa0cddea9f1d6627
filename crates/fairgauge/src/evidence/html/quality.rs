//! The data-quality section: the dataset's score and counts, one row per column (missing share
//! as a bar, distinct values, placeholders, score), then the checks that did not pass.

use std::fmt::Write;

use crate::evidence::html::cells::{num, status_badge};
use crate::evidence::html::escape::{esc, esc_ident, esc_text};
use crate::evidence::html::results::{QualityCheck, QualityColumn, QualityView};
use crate::present::percent;

fn column_row(o: &mut String, c: &QualityColumn) {
    let share = c.missing_share;
    let ph = c.suspected.iter().map(|(v, n)| format!("{v} ×{n}"));
    let conf = c
        .configured
        .iter()
        .map(|(k, v)| format!("{k} ×{v} (configured)"));
    let _ = write!(
        o,
        "<tr><td>{}</td><td>{}</td><td class=\"num\"><span class=\"barbox\" role=\"img\" aria-label=\"{} missing\"><span class=\"bar\" style=\"width:{:.0}%\"></span></span>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
        esc_ident(&c.name), esc(&c.kind), esc(&percent(share)), (share * 100.0).clamp(0.0, 100.0), esc(&percent(share)), c.distinct, esc(&conf.chain(ph).collect::<Vec<_>>().join(", ")), num(c.score, 1)
    );
}

fn failing_checks(o: &mut String, bad: &[QualityCheck]) {
    if bad.is_empty() {
        o.push_str("<p class=\"muted\">Every quality check passes.</p>");
        return;
    }
    o.push_str("<table><thead><tr><th>Status</th><th>Check</th><th>Finding</th><th>Example rows</th></tr></thead><tbody>");
    for c in bad {
        let ex: Vec<String> = c
            .examples
            .iter()
            .map(|(row, value)| match value {
                Some(v) => format!("row {row}: {v}"),
                None => format!("row {row}"),
            })
            .collect();
        let _ = write!(
            o,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            status_badge(&c.status),
            esc_ident(&c.id),
            esc_text(&c.message),
            esc_text(&ex.join("; "))
        );
    }
    o.push_str("</tbody></table>");
}

/// Appends the data-quality section.
pub fn quality_section(o: &mut String, quality: Option<&QualityView>) {
    o.push_str("<section id=\"quality\"><h2>Data quality</h2>");
    match quality {
        Some(q) => {
            let _ = write!(
                o,
                "<p>Quality score <b>{}</b>/100 · {} rows · {} duplicate rows in {} groups{}{}</p>",
                num(q.score, 1),
                q.rows,
                q.duplicate_rows,
                q.duplicate_groups,
                q.leakage_rows
                    .as_ref()
                    .map(|n| format!(" · {n} rows also in the reference"))
                    .unwrap_or_default(),
                q.conflicting_label_rows
                    .as_ref()
                    .map(|n| format!(" · {n} rows with conflicting labels"))
                    .unwrap_or_default()
            );
            o.push_str("<table><thead><tr><th>Column</th><th>Kind</th><th>Missing</th><th>Distinct</th><th>Placeholders</th><th>Score</th></tr></thead><tbody>");
            for c in &q.columns {
                column_row(o, c);
            }
            o.push_str("</tbody></table><h3>Checks that did not pass</h3>");
            failing_checks(o, &q.failing_checks);
        }
        None => o.push_str("<p class=\"muted\">Data quality was not assessed.</p>"),
    }
    o.push_str("</section>");
}
