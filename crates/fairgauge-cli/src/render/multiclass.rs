//! The multiclass fairness report for a terminal: the input, classes and rows; then per attribute
//! (in the order given, then intersections) its groups (rows, share, accuracy, macro F1), each
//! class's parity summaries, and each summary's worst class; last, the warnings.

use std::fmt::Write;

use fairgauge::fairness::MulticlassOutput;
use fairgauge::present::{interval, percent, weighting};
use fairgauge_core::fairness::multiclass::{MulticlassGroup, MulticlassSummary};

use crate::render::text::{finish, name_width, num4, shown};

/// The summaries shown per class, with their column titles.
const CLASS_COLUMNS: [(&str, &str); 4] = [
    ("demographic_parity_difference", "DP diff"),
    ("demographic_parity_ratio", "DP ratio"),
    ("equalized_odds_difference", "EO diff"),
    ("equal_opportunity_difference", "EOpp diff"),
];

fn header(s: &mut String, out: &MulticlassOutput) {
    let r = &out.report;
    let _ = writeln!(
        s,
        "fairgauge fairness  {} ({}), task multiclass",
        out.input.path.display(),
        out.input.format
    );
    let rows = &r.rows;
    let excluded = rows.excluded_null_label + rows.excluded_null_prediction;
    let _ = writeln!(
        s,
        "label `{}`, predicted class `{}`; {} classes ({}); {} rows read, {} used{}",
        shown(&out.roles.label),
        shown(&out.roles.prediction),
        r.classes.len(),
        r.classes
            .iter()
            .map(|c| shown(c).into_owned())
            .collect::<Vec<_>>()
            .join(", "),
        rows.seen,
        rows.used,
        if excluded > 0 {
            format!(
                " ({} left out for a null label, {} for a null prediction)",
                rows.excluded_null_label, rows.excluded_null_prediction
            )
        } else {
            String::new()
        }
    );
    if let (Some(col), Some(w)) = (&out.roles.weight, &r.weights) {
        let line = weighting("Rates", &shown(col), w.total, w.effective_n, rows.used);
        let _ = writeln!(s, "{line} (n is rows)");
    }
}

fn groups_table(s: &mut String, groups: &[&MulticlassGroup], min_group_size: u64) {
    let w = name_width(groups.iter().map(|g| g.group.as_str()));
    let _ = writeln!(
        s,
        "  {:<w$}  {:>8}  {:>6}  {:>8}  {:>8}  note",
        "group", "n", "share", "accuracy", "macro F1"
    );
    for g in groups {
        let note = match (g.reference, g.insufficient_data) {
            (true, _) => "reference".to_string(),
            (_, true) => format!("insufficient data (< {min_group_size})"),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "  {:<w$}  {:>8}  {:>6}  {:>8}  {:>8}  {note}",
            shown(&g.group),
            g.count,
            percent(g.share),
            num4(g.accuracy),
            num4(g.macro_avg.f1),
        );
    }
}

fn classes_table(s: &mut String, classes: &[String], summary: &MulticlassSummary) {
    let w = name_width(classes.iter().map(String::as_str));
    let mut line = format!("  {:<w$}", "class");
    for (_, title) in CLASS_COLUMNS {
        let _ = write!(line, "  {title:>9}");
    }
    let _ = writeln!(s, "{line}");
    for c in classes {
        let Some(cs) = summary.classes.get(c) else {
            continue;
        };
        let mut line = format!("  {:<w$}", shown(c));
        for (key, _) in CLASS_COLUMNS {
            let v = cs.metrics.get(key).copied().flatten();
            let _ = write!(line, "  {:>9}", num4(v));
        }
        let _ = writeln!(s, "{line}");
    }
    let worst: Vec<String> = CLASS_COLUMNS
        .iter()
        .filter_map(|(key, _)| {
            summary.worst_class.get(*key).map(|wc| {
                let interval = interval(wc.interval.as_ref(), |x| num4(Some(x)));
                format!(
                    "{} {:.4}{interval} (class {})",
                    key.replace('_', " "),
                    wc.value,
                    shown(&wc.class)
                )
            })
        })
        .collect();
    if !worst.is_empty() {
        let _ = writeln!(s, "  worst class: {}", worst.join("; "));
    }
}

/// The whole report as text.
pub fn multiclass_text(out: &MulticlassOutput) -> String {
    let mut s = String::new();
    header(&mut s, out);
    let r = &out.report;
    for (name, summary) in r
        .attributes
        .iter()
        .filter_map(|a| r.summary.get(a).map(|s| (a, s)))
        .chain(r.summary.iter().filter(|(k, _)| !r.attributes.contains(k)))
    {
        let groups: Vec<&MulticlassGroup> =
            r.groups.iter().filter(|g| &g.attribute == name).collect();
        let reference = summary
            .reference_group
            .as_deref()
            .map(|g| format!("reference {}", shown(g)))
            .unwrap_or_else(|| format!("reference {} per metric", summary.reference_rule));
        let _ = writeln!(s, "\n{} ({reference})", shown(name));
        groups_table(&mut s, &groups, r.min_group_size);
        let acc = summary
            .metrics
            .get("accuracy_difference")
            .copied()
            .flatten();
        let _ = writeln!(s, "  accuracy difference {}", num4(acc));
        classes_table(&mut s, &r.classes, summary);
    }
    for w in &r.warnings {
        let _ = writeln!(s, "\nwarning: {w}");
    }
    finish(s)
}
