//! The regression fairness report for a terminal: the input and rows; then per attribute (in the
//! order given, then intersections) its groups' error and bias with the predictions' distance
//! from the reference group's, and the between-group summaries with the bounded group loss.

use std::fmt::Write;

use fairgauge::fairness::RegressionOutput;
use fairgauge::present::{interval, p_value, percent, weighting};
use fairgauge_core::fairness::regression::{RegressionGroup, RegressionReport, RegressionSummary};

use crate::render::text::{finish, name_width, num4, shown};

fn header(s: &mut String, out: &RegressionOutput) {
    let r = &out.report;
    let _ = writeln!(
        s,
        "fairgauge fairness  {} ({}), task regression",
        out.input.path.display(),
        out.input.format
    );
    let rows = &r.rows;
    let excluded = rows.excluded_null_label + rows.excluded_null_prediction;
    let _ = writeln!(
        s,
        "label `{}`, prediction `{}`; {} rows read, {} used{}{}",
        shown(&out.roles.label),
        shown(&out.roles.prediction),
        rows.seen,
        rows.used,
        if excluded > 0 {
            format!(
                " ({} left out for a null label, {} for a null prediction)",
                rows.excluded_null_label, rows.excluded_null_prediction
            )
        } else {
            String::new()
        },
        r.threshold
            .map(|t| format!("; selected: at or above {t}"))
            .unwrap_or_default()
    );
    if let (Some(col), Some(w)) = (&out.roles.weight, &r.weights) {
        let line = weighting("Metrics", &shown(col), w.total, w.effective_n, rows.used);
        let _ = writeln!(s, "{line}");
    }
}

fn groups_table(s: &mut String, groups: &[&RegressionGroup], min_group_size: u64) {
    let w = name_width(groups.iter().map(|g| g.group.as_str()));
    let _ = writeln!(
        s,
        "  {:<w$}  {:>8}  {:>6}  {:>10}  {:>10}  {:>10}  {:>10}  {:>10}  {:>7}  {:>6}  {:>9}  note",
        "group",
        "n",
        "share",
        "mean label",
        "mean pred",
        "mean error",
        "MAE",
        "RMSE",
        "R²",
        "KS",
        "KS p"
    );
    for g in groups {
        let note = match (g.reference, g.insufficient_data) {
            (true, _) => "reference".to_string(),
            (_, true) => format!("insufficient data (< {min_group_size})"),
            _ => String::new(),
        };
        let m = |k: &str| num4(g.metrics.get(k).copied());
        let _ = writeln!(
            s,
            "  {:<w$}  {:>8}  {:>6}  {:>10}  {:>10}  {:>10}  {:>10}  {:>10}  {:>7}  {:>6}  {:>9}  {note}",
            shown(&g.group),
            g.count,
            percent(g.share),
            m("mean_label"),
            m("mean_prediction"),
            m("mean_error"),
            m("mae"),
            m("rmse"),
            m("r2"),
            g.ks_statistic.map_or(String::new(), |x| format!("{x:.3}")),
            g.ks_p_value.map_or(String::new(), p_value),
        );
    }
}

fn summary_lines(s: &mut String, summary: &RegressionSummary, r: &RegressionReport) {
    // A summary's value, with its bootstrap interval when there is one.
    let v = |k: &str| {
        let value = num4(summary.metrics.get(k).copied().flatten());
        value + &interval(summary.intervals.get(k), |x| num4(Some(x)))
    };
    let _ = writeln!(
        s,
        "  bounded group loss: MAE {}, RMSE {}; between groups: MAE difference {} (ratio {}), RMSE difference {} (ratio {}), mean error difference {}",
        v("bounded_group_loss_mae"),
        v("bounded_group_loss_rmse"),
        v("mae_difference"),
        v("mae_ratio"),
        v("rmse_difference"),
        v("rmse_ratio"),
        v("mean_error_difference"),
    );
    if let (Some(b), false) = (&r.bootstrap, summary.intervals.is_empty()) {
        let _ = writeln!(
            s,
            "  [..]: {:.0}% percentile bootstrap intervals, {} replicates, seed {}",
            r.confidence * 100.0,
            b.replicates,
            b.seed
        );
    }
}

/// The whole report as text.
pub fn regression_text(out: &RegressionOutput) -> String {
    let mut s = String::new();
    header(&mut s, out);
    let r = &out.report;
    let ordered = r
        .attributes
        .iter()
        .filter_map(|a| r.summary.get(a).map(|s| (a, s)))
        .chain(r.summary.iter().filter(|(k, _)| !r.attributes.contains(k)));
    for (name, summary) in ordered {
        let groups: Vec<&RegressionGroup> =
            r.groups.iter().filter(|g| &g.attribute == name).collect();
        let _ = writeln!(
            s,
            "\n{} (reference {})",
            shown(name),
            shown(&summary.reference_group)
        );
        groups_table(&mut s, &groups, r.min_group_size);
        summary_lines(&mut s, summary, r);
        if let Some(b) = &r.above_threshold {
            if let Some(bs) = b.summary.get(name) {
                let dp = bs
                    .metrics
                    .get("demographic_parity_difference")
                    .copied()
                    .flatten();
                let _ = writeln!(
                    s,
                    "  at or above the threshold: demographic parity difference {}",
                    num4(dp)
                );
            }
        }
    }
    finish(s)
}
