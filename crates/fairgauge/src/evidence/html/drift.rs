//! The drift section: how many columns drifted, then one row per column, the most severe first
//! (by the status of its PSI finding, then by PSI), with its test, PSI and histogram.

use std::fmt::Write;

use crate::drift::{ColumnDrift, DriftReport};
use crate::evidence::document::{Evidence, FindingStatus};
use crate::evidence::html::cells::{num, status_badge};
use crate::evidence::html::charts::histogram_chart;
use crate::evidence::html::escape::{esc, esc_ident};

/// The status of a column's PSI finding (pass when it has none).
fn status_of(e: &Evidence, name: &str) -> FindingStatus {
    e.findings
        .iter()
        .find(|x| x.kind == "drift.psi" && x.subject.column.as_deref() == Some(name))
        .map(|x| x.status)
        .unwrap_or(FindingStatus::Pass)
}

fn psi(c: &ColumnDrift) -> Option<f64> {
    c.effects.get("psi").copied()
}

fn columns_table(o: &mut String, e: &Evidence, dr: &DriftReport) {
    let mut cols: Vec<&ColumnDrift> = dr.columns.iter().collect();
    cols.sort_by(|a, b| {
        status_of(e, &b.name)
            .cmp(&status_of(e, &a.name))
            .then(psi(b).unwrap_or(0.0).total_cmp(&psi(a).unwrap_or(0.0)))
    });
    o.push_str("<table><thead><tr><th>Column</th><th>Status</th><th>Method</th><th>Statistic</th><th>p (adj.)</th><th>Threshold</th><th>PSI</th><th>Reference (blue) vs current (pink)</th></tr></thead><tbody>");
    for c in cols {
        let name = c.name.as_str();
        let chart = c
            .histogram
            .as_ref()
            .map(|h| histogram_chart(name, h, c.kind == "numeric"))
            .unwrap_or_default();
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{chart}</td></tr>",
            esc_ident(name), status_badge(status_of(e, name).as_str()), esc(c.method.name()), num(c.statistic, 4), num(c.p_value_adjusted, 4), num(Some(c.threshold), 3), num(psi(c), 4)
        );
    }
    o.push_str("</tbody></table>");
}

/// Appends the drift section.
pub fn drift_section(o: &mut String, e: &Evidence, drift: Option<Result<&DriftReport, &str>>) {
    o.push_str("<section id=\"drift\"><h2>Drift</h2>");
    match drift {
        Some(Ok(dr)) => {
            let ds = &dr.dataset;
            let _ = write!(o, "<p>{} of {} columns drifted by the method's own test (share {}, threshold {}).</p>", ds.drifted_columns, ds.columns, num(Some(ds.share), 3), num(Some(ds.threshold), 2));
            columns_table(o, e, dr);
        }
        Some(Err(err)) => {
            let _ = write!(
                o,
                "<p class=\"muted\">The drift results could not be read: {}.</p>",
                esc(err)
            );
        }
        None => o.push_str("<p class=\"muted\">Drift was not assessed (no reference data).</p>"),
    }
    o.push_str("</section>");
}
