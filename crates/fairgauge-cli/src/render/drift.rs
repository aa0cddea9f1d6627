//! The drift report for a terminal: the dataset's verdict, one line per column (most severe
//! first) with its new and vanished categories, skipped columns, and the fairness drift.

use std::fmt::Write;

use fairgauge::drift::{ColumnDrift, DriftReport, FairnessDrift};
use fairgauge::present::{p_value, percent};

use crate::render::text::{finish, name_width, num4, shown};

/// How far past its threshold a column is: one minus its adjusted p-value for a test, its
/// statistic over its threshold for a distance.
fn severity(c: &ColumnDrift) -> f64 {
    if c.method.is_test() {
        1.0 - c.p_value_adjusted.unwrap_or(1.0)
    } else {
        c.statistic.unwrap_or(0.0) / c.threshold.max(1e-12)
    }
}

fn status(c: &ColumnDrift) -> &'static str {
    if !c.assessed {
        "not assessed"
    } else if c.drifted {
        if c.exact {
            "DRIFT"
        } else {
            "DRIFT (approx.)"
        }
    } else if c.exact {
        "ok"
    } else {
        "ok (approx.)"
    }
}

/// The column's new and vanished categories, five of each at most.
fn categories(s: &mut String, c: &ColumnDrift) {
    for (what, list) in [
        ("new", &c.new_categories),
        ("vanished", &c.vanished_categories),
    ] {
        if !list.is_empty() {
            let shown: Vec<String> = list
                .iter()
                .take(5)
                .map(|x| format!("{} ({:.2}%)", shown(&x.value), x.share * 100.0))
                .collect();
            let more = if list.len() > 5 {
                format!(" and {} more", list.len() - 5)
            } else {
                String::new()
            };
            let _ = writeln!(s, "      {what} categories: {}{more}", shown.join(", "));
        }
    }
}

fn columns(s: &mut String, r: &DriftReport) {
    let mut cols: Vec<&ColumnDrift> = r.columns.iter().collect();
    cols.sort_by(|a, b| {
        b.drifted
            .cmp(&a.drifted)
            .then_with(|| severity(b).total_cmp(&severity(a)))
    });
    let w = name_width(cols.iter().map(|c| c.name.as_str()));
    let _ = writeln!(
        s,
        "  {:<w$}  {:<11}  {:<16}  {:>10}  {:>10}  {:>9}  {:>8}  {:>8}  status",
        "column", "kind", "method", "statistic", "p (adj.)", "threshold", "null ref", "null cur"
    );
    for c in cols {
        let p = c
            .p_value_adjusted
            .map(p_value)
            .unwrap_or_else(|| "-".into());
        let stat = c
            .statistic
            .map(|x| format!("{x:.4}"))
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            s,
            "  {:<w$}  {:<11}  {:<16}  {:>10}  {:>10}  {:>9}  {:>8}  {:>8}  {}",
            shown(&c.name),
            c.kind,
            c.method.name(),
            stat,
            p,
            c.threshold,
            percent(c.reference_null_share),
            percent(c.current_null_share),
            status(c)
        );
        categories(s, c);
    }
}

fn fairness_drift(s: &mut String, f: &FairnessDrift) {
    let _ = writeln!(s, "\nfairness drift (reference -> current):");
    for c in &f.summaries {
        let _ = writeln!(
            s,
            "  {:<14} {:<31} {} -> {} (change {}{}){}",
            shown(&c.attribute),
            c.metric,
            num4(c.reference),
            num4(c.current),
            c.change
                .map(|x| format!("{x:+.4}"))
                .unwrap_or_else(|| "undefined".into()),
            c.p_value
                .map(|p| format!(", p {}", p_value(p)))
                .unwrap_or_default(),
            if c.significant { "  SIGNIFICANT" } else { "" }
        );
    }
}

/// The drift report as a terminal table, most severe first.
pub fn drift_text(r: &DriftReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "fairgauge drift  reference {} ({} rows)  current {} ({} rows)",
        r.reference.path.display(),
        r.reference.rows,
        r.current.path.display(),
        r.current.rows
    );
    let d = &r.dataset;
    let _ = writeln!(
        s,
        "dataset drift: {} ({} of {} columns drifted, share {:.3}, threshold {}; p-values corrected: {:?})\n",
        if d.drift { "YES" } else { "no" },
        d.drifted_columns,
        d.columns,
        d.share,
        d.threshold,
        d.correction
    );
    columns(&mut s, r);
    for (c, why) in &r.skipped {
        let _ = writeln!(s, "  skipped {c}: {why}");
    }
    if let Some(f) = &r.fairness {
        fairness_drift(&mut s, f);
    }
    finish(s)
}
