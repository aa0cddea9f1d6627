//! A label-free estimate for a terminal: the calibration chosen, then per group the estimated
//! rates with their intervals, the summaries, and the method.

use std::fmt::Write;

use fairgauge::estimate::{EstimateOutput, GroupEntry};

use crate::render::text::{finish, name_width, num3, num4, shown};

const SHOWN: [(&str, &str); 6] = [
    ("tpr", "TPR"),
    ("fpr", "FPR"),
    ("ppv", "PPV"),
    ("accuracy", "accuracy"),
    ("f1", "F1"),
    ("roc_auc", "ROC AUC"),
];

fn row(s: &mut String, g: &GroupEntry, width: usize) {
    let _ = write!(
        s,
        "  {:<width$} {:>8} {:>8}  {:<10}",
        shown(&g.group),
        g.rows,
        g.reference_rows,
        g.calibration.applied.name()
    );
    for (key, _) in SHOWN {
        match g.estimated.get(key) {
            Some(v) => {
                let _ = write!(s, "  {:.3} [{:.3}, {:.3}]", v.value, v.lower, v.upper);
            }
            None => {
                let _ = write!(s, "  {:<20}", "undefined");
            }
        }
    }
    if g.status != "ok" {
        let _ = write!(s, "  ({})", g.status);
    }
    s.push('\n');
}

/// The estimate as text.
pub fn estimate_text(out: &EstimateOutput) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "ESTIMATED (no labels): {} rows of {}, calibrated on {} labelled rows of {}",
        out.rows.analysis - out.rows.analysis_excluded,
        shown(&out.input.path.display().to_string()),
        out.rows.reference - out.rows.reference_excluded,
        shown(&out.reference.path.display().to_string()),
    );
    let names = std::iter::once(out.overall.group.as_str()).chain(
        out.attributes
            .iter()
            .flat_map(|a| a.groups.iter().map(|g| g.group.as_str())),
    );
    let width = name_width(names);
    let mut head = format!(
        "  {:<width$} {:>8} {:>8}  {:<10}",
        "group", "rows", "ref rows", "calibrated"
    );
    for (_, name) in SHOWN {
        let _ = write!(head, "  {name:<20}");
    }
    let _ = writeln!(s, "{head}");
    row(&mut s, &out.overall, width);
    for a in &out.attributes {
        let _ = writeln!(s, "{}:", shown(&a.attribute));
        for g in &a.groups {
            row(&mut s, g, width);
        }
        for m in &a.summaries {
            let _ = writeln!(
                s,
                "  {} {} [{}, {}] ({} {} − {})",
                m.summary,
                num4(Some(m.value)),
                num4(Some(m.lower)),
                num4(Some(m.upper)),
                m.metric,
                shown(&m.highest),
                shown(&m.lowest)
            );
        }
        if a.rows_without_group > 0 {
            let _ = writeln!(
                s,
                "  note: {} rows without a value of {} are left out of its groups",
                a.rows_without_group,
                shown(&a.attribute)
            );
        }
    }
    if !out.windows.is_empty() {
        let _ = writeln!(
            s,
            "by window of {} ({}):",
            out.roles.every.as_deref().unwrap_or(""),
            shown(out.roles.time.as_deref().unwrap_or(""))
        );
        for w in &out.windows {
            let _ = write!(s, "  {} .. {} {:>8} rows", w.start, w.end, w.rows);
            for key in ["accuracy", "tpr", "fpr", "roc_auc"] {
                let v = w.overall.estimated.get(key);
                let _ = write!(s, "  {key} {}", num3(v.map(|v| v.value)));
            }
            for a in &w.attributes {
                for m in a
                    .summaries
                    .iter()
                    .filter(|m| m.summary == "equalized_odds_difference")
                {
                    let _ = write!(
                        s,
                        "  {} equalized odds {}",
                        shown(&a.attribute),
                        num3(Some(m.value))
                    );
                }
            }
            s.push('\n');
        }
    }
    let _ = writeln!(s, "method: {}", out.method);
    finish(s)
}
