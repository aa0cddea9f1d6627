//! The fairness report for a terminal: the input and rows, then per attribute (in the order
//! given, then intersections) a table of its groups, the summary metrics, the test of
//! independence and the significant gaps; last, inequality of benefit and representation.

use std::fmt::Write;

use fairgauge::fairness::FairnessOutput;
use fairgauge::present::{interval, membership, p_value, percent, weighting};
use fairgauge_core::fairness::{AttributeSummary, FairnessReport, GroupMetrics, Metric};
use fairgauge_core::stats::TestKind;

use crate::render::text::{finish, num4, shown};

fn rate(g: &GroupMetrics, m: Metric) -> String {
    match g.metrics.get(&m) {
        Some(Some(v)) => format!("{v:.3}"),
        Some(None) => "undef".into(),
        None => "".into(),
    }
}

fn rate_ci(g: &GroupMetrics, m: Metric) -> String {
    match (g.metrics.get(&m), g.ci.get(&m)) {
        (Some(Some(v)), Some([lo, hi])) => format!("{v:.3} [{lo:.3}, {hi:.3}]"),
        _ => rate(g, m),
    }
}

/// The first two lines: what was read, the label, the decisions and the rows used.
fn header(s: &mut String, out: &FairnessOutput) {
    let r = &out.report;
    let roles = &out.roles;
    let _ = writeln!(
        s,
        "fairgauge fairness  {} ({}{})",
        out.input.path.display(),
        out.input.format,
        out.input
            .schema_file
            .as_ref()
            .map(|p| format!(", schema {}", p.display()))
            .unwrap_or_default()
    );
    let mode = if r.mode == "classification" {
        match (&roles.prediction, &roles.score, roles.threshold) {
            (Some(p), _, _) => format!("decisions in `{p}`"),
            (None, Some(sc), Some(t)) => format!("decisions: `{sc}` >= {t}"),
            _ => "decisions".into(),
        }
    } else {
        "dataset bias (labels only)".into()
    };
    let rows = &r.rows;
    let excluded =
        rows.excluded_null_label + rows.excluded_null_prediction + rows.excluded_null_score;
    let _ = writeln!(
        s,
        "label `{}` (positive `{}`), {mode}; {} rows read, {} used{}",
        roles.label,
        roles.positive_label,
        rows.seen,
        rows.used,
        if excluded > 0 {
            format!(
                " ({} left out for a null label, {} prediction, {} score)",
                rows.excluded_null_label, rows.excluded_null_prediction, rows.excluded_null_score
            )
        } else {
            String::new()
        }
    );
    if let (Some(col), Some(w)) = (&roles.weight, &r.weights) {
        let line = weighting("Rates", &shown(col), w.total, w.effective_n, rows.used);
        let _ = writeln!(s, "{line} (n is rows)");
    }
    for m in &out.membership {
        let _ = writeln!(s, "{}", shown(&membership(m)));
        let _ = writeln!(s, "note: {}", shown(&m.caveat));
        if let Some(b) = &m.bounds {
            let lines = fairgauge::present::membership_bounds(b);
            let _ = writeln!(s, "{}", shown(&lines[0]));
            for line in &lines[1..] {
                let _ = writeln!(s, "  {}", shown(line));
            }
        }
    }
}

/// One attribute's groups: a header line, then a line per group (with the decisions' rates in
/// classification, the labels' base rate otherwise).
fn group_table(s: &mut String, r: &FairnessReport, groups: &[&GroupMetrics]) {
    let pct = (r.confidence * 100.0).round();
    let classification = r.mode == "classification";
    let w = groups
        .iter()
        .map(|g| shown(&g.group).chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    if classification {
        let _ = writeln!(
            s,
            "  {:<w$}  {:>8}  {:>6}  {:>9}  {:<24}  {:>6}  {:>6}  {:>6}  {:>8}  note",
            "group",
            "n",
            "share",
            "base rate",
            format!("selection rate [{pct}% CI]"),
            "TPR",
            "FPR",
            "PPV",
            "accuracy"
        );
    } else {
        let _ = writeln!(
            s,
            "  {:<w$}  {:>8}  {:>6}  {:<24}  note",
            "group",
            "n",
            "share",
            format!("base rate [{pct}% CI]")
        );
    }
    for g in groups {
        let note = match (g.reference, g.insufficient_data) {
            (true, _) => "reference".to_string(),
            (_, true) => format!("insufficient data (< {})", r.min_group_size),
            _ => String::new(),
        };
        if classification {
            let _ = writeln!(
                s,
                "  {:<w$}  {:>8}  {:>6}  {:>9}  {:<24}  {:>6}  {:>6}  {:>6}  {:>8}  {note}",
                shown(&g.group),
                g.count,
                percent(g.share),
                rate(g, Metric::BaseRate),
                rate_ci(g, Metric::SelectionRate),
                rate(g, Metric::Tpr),
                rate(g, Metric::Fpr),
                rate(g, Metric::Ppv),
                rate(g, Metric::Accuracy),
            );
        } else {
            let _ = writeln!(
                s,
                "  {:<w$}  {:>8}  {:>6}  {:<24}  {note}",
                shown(&g.group),
                g.count,
                percent(g.share),
                rate_ci(g, Metric::BaseRate),
            );
        }
    }
}

/// The attribute's summary metrics, two per line, its test of independence and the groups left
/// out of the summary.
fn summary_lines(s: &mut String, r: &FairnessReport, summary: &AttributeSummary) {
    let classification = r.mode == "classification";
    let keys: &[&str] = if classification {
        &[
            "demographic_parity_difference",
            "demographic_parity_ratio",
            "equalized_odds_difference",
            "equalized_odds_ratio",
            "equal_opportunity_difference",
            "average_odds_difference",
        ]
    } else {
        &["base_rate_difference", "base_rate_ratio"]
    };
    let parts: Vec<String> = keys
        .iter()
        .map(
            |k| match (summary.metrics.get(*k), summary.intervals.get(*k)) {
                (Some(Some(v)), i) => format!("{k} {v:.4}{}", interval(i, |x| num4(Some(x)))),
                _ => format!("{k} undefined"),
            },
        )
        .collect();
    for chunk in parts.chunks(2) {
        let _ = writeln!(s, "  {}", chunk.join("   "));
    }
    if let (Some(b), false) = (&r.bootstrap, summary.intervals.is_empty()) {
        let _ = writeln!(
            s,
            "  [..]: {:.0}% percentile bootstrap intervals, {} replicates, seed {}",
            r.confidence * 100.0,
            b.replicates,
            b.seed
        );
    }
    let lead = if classification {
        Metric::SelectionRate
    } else {
        Metric::BaseRate
    };
    if let Some(t) = summary.independence.get(&lead) {
        let _ = writeln!(
            s,
            "  {} independent of group? chi-square {:.2}, df {}, p {}",
            lead.name(),
            t.statistic,
            t.df,
            p_value(t.p_value)
        );
    }
    if !summary.insufficient_groups.is_empty() {
        let _ = writeln!(
            s,
            "  left out of the summary (fewer than {} rows): {}",
            r.min_group_size,
            summary.insufficient_groups.join(", ")
        );
    }
}

/// The attribute's significant gaps in the selection, base, true and false positive rates,
/// largest first, six at most.
fn significant_gaps(s: &mut String, r: &FairnessReport, attr: &str) {
    let mut sig: Vec<_> = r
        .disparities
        .iter()
        .filter(|d| d.attribute == attr && !d.insufficient_data)
        .filter(|d| d.p_value.is_some_and(|p| p < 1.0 - r.confidence))
        .filter(|d| {
            [
                Metric::SelectionRate,
                Metric::BaseRate,
                Metric::Tpr,
                Metric::Fpr,
            ]
            .contains(&d.metric)
        })
        .collect();
    sig.sort_by(|a, b| {
        let da = a.difference.unwrap_or(0.0).abs();
        let db = b.difference.unwrap_or(0.0).abs();
        db.total_cmp(&da)
    });
    if !sig.is_empty() {
        let _ = writeln!(s, "  significant gaps (p < {:.2}):", 1.0 - r.confidence);
    }
    for d in sig.iter().take(6) {
        let _ = writeln!(
            s,
            "    {:<14} {} vs {}: difference {:+.3} [{:+.3}, {:+.3}], ratio {}, p {} ({})",
            d.metric.name(),
            shown(&d.group),
            shown(&d.reference),
            d.difference.unwrap_or(f64::NAN),
            d.difference_ci.map(|c| c[0]).unwrap_or(f64::NAN),
            d.difference_ci.map(|c| c[1]).unwrap_or(f64::NAN),
            d.ratio
                .map(|x| format!("{x:.3}"))
                .unwrap_or_else(|| "undefined".into()),
            d.p_value.map(p_value).unwrap_or_default(),
            match d.test {
                Some(TestKind::FisherExact) => "Fisher",
                _ => "z-test",
            }
        );
    }
}

/// One attribute: its reference, its groups, its summary and its significant gaps.
fn attribute(s: &mut String, r: &FairnessReport, attr: &str, summary: &AttributeSummary) {
    let _ = writeln!(s);
    let reference = match &summary.reference_group {
        Some(g) => format!("reference {g} ({})", summary.reference_rule),
        None => format!("reference: the {} group per metric", summary.reference_rule),
    };
    let _ = writeln!(
        s,
        "{}  ({} groups, {})",
        shown(attr),
        summary.groups,
        shown(&reference)
    );
    let groups: Vec<&GroupMetrics> = r.groups.iter().filter(|g| g.attribute == attr).collect();
    group_table(s, r, &groups);
    summary_lines(s, r, summary);
    significant_gaps(s, r, attr);
}

/// The fairness report as a terminal table.
pub fn fairness_text(out: &FairnessOutput) -> String {
    let r = &out.report;
    let mut s = String::new();
    header(&mut s, out);
    // Attributes in the order they were given, then intersections.
    let mut order: Vec<&String> = vec![];
    for g in &r.groups {
        if !order.contains(&&g.attribute) {
            order.push(&g.attribute);
        }
    }
    for attr in order {
        if let Some(summary) = r.summary.get(attr) {
            attribute(&mut s, r, attr, summary);
        }
    }
    if let Some(ineq) = &r.inequality {
        let _ = writeln!(
            s,
            "\ninequality of benefit: generalized entropy index (alpha {}) {}, Theil index {}",
            ineq.alpha,
            num4(ineq.generalized_entropy_index),
            num4(ineq.theil_index)
        );
    }
    for rep in &r.representation {
        let _ = writeln!(
            s,
            "representation {} {}: share {:.3} vs expected {:.3} (ratio {:.3})",
            shown(&rep.attribute),
            shown(&rep.group),
            rep.share,
            rep.expected_share,
            rep.ratio
        );
    }
    finish(s)
}
