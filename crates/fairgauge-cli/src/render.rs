//! Text rendering of reports for a terminal.

use std::fmt::Write;

use fairgauge::fairness::FairnessOutput;
use fairgauge_core::fairness::{GroupMetrics, Metric};

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

/// A value to 4 decimals, or `undefined`.
fn num4(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.4}"))
        .unwrap_or_else(|| "undefined".into())
}

/// The finished text: no trailing blanks when a line's last column is empty.
fn finish(s: String) -> String {
    let mut out: String = s
        .lines()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    out
}

fn p_text(p: f64) -> String {
    if p < 1e-300 {
        "< 1e-300".into()
    } else if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

/// The fairness report as a terminal table.
pub fn fairness_text(out: &FairnessOutput) -> String {
    let r = &out.report;
    let roles = &out.roles;
    let mut s = String::new();
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
    let _ = writeln!(
        s,
        "label `{}` (positive `{}`), {mode}; {} rows read, {} used{}",
        roles.label,
        roles.positive_label,
        r.rows.seen,
        r.rows.used,
        {
            let ex = r.rows.excluded_null_label
                + r.rows.excluded_null_prediction
                + r.rows.excluded_null_score;
            if ex > 0 {
                format!(
                    " ({} left out for a null label, {} prediction, {} score)",
                    r.rows.excluded_null_label,
                    r.rows.excluded_null_prediction,
                    r.rows.excluded_null_score
                )
            } else {
                String::new()
            }
        }
    );
    let pct = (r.confidence * 100.0).round();
    let classification = r.mode == "classification";
    // Attributes in the order they were given, then intersections.
    let mut order: Vec<&String> = vec![];
    for g in &r.groups {
        if !order.contains(&&g.attribute) {
            order.push(&g.attribute);
        }
    }
    for attr in order {
        let Some(summary) = r.summary.get(attr) else {
            continue;
        };
        let _ = writeln!(s);
        let reference = match &summary.reference_group {
            Some(g) => format!("reference {g} ({})", summary.reference_rule),
            None => format!("reference: the {} group per metric", summary.reference_rule),
        };
        let _ = writeln!(s, "{attr}  ({} groups, {reference})", summary.groups);
        let groups: Vec<&GroupMetrics> = r.groups.iter().filter(|g| &g.attribute == attr).collect();
        let w = groups
            .iter()
            .map(|g| g.group.chars().count())
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
        for g in &groups {
            let note = match (g.reference, g.insufficient_data) {
                (true, _) => "reference".to_string(),
                (_, true) => format!("insufficient data (< {})", r.min_group_size),
                _ => String::new(),
            };
            if classification {
                let _ = writeln!(
                    s,
                    "  {:<w$}  {:>8}  {:>5.1}%  {:>9}  {:<24}  {:>6}  {:>6}  {:>6}  {:>8}  {note}",
                    g.group,
                    g.count,
                    g.share * 100.0,
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
                    "  {:<w$}  {:>8}  {:>5.1}%  {:<24}  {note}",
                    g.group,
                    g.count,
                    g.share * 100.0,
                    rate_ci(g, Metric::BaseRate),
                );
            }
        }
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
            .map(|k| match summary.metrics.get(*k) {
                Some(Some(v)) => format!("{k} {v:.4}"),
                _ => format!("{k} undefined"),
            })
            .collect();
        for chunk in parts.chunks(2) {
            let _ = writeln!(s, "  {}", chunk.join("   "));
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
                p_text(t.p_value)
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
        let mut sig: Vec<_> = r
            .disparities
            .iter()
            .filter(|d| &d.attribute == attr && !d.insufficient_data)
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
                d.group,
                d.reference,
                d.difference.unwrap_or(f64::NAN),
                d.difference_ci.map(|c| c[0]).unwrap_or(f64::NAN),
                d.difference_ci.map(|c| c[1]).unwrap_or(f64::NAN),
                d.ratio
                    .map(|x| format!("{x:.3}"))
                    .unwrap_or_else(|| "undefined".into()),
                d.p_value.map(p_text).unwrap_or_default(),
                match d.test {
                    Some(fairgauge_core::stats::TestKind::FisherExact) => "Fisher",
                    _ => "z-test",
                }
            );
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
            rep.attribute, rep.group, rep.share, rep.expected_share, rep.ratio
        );
    }
    finish(s)
}

/// The drift report as a terminal table, most severe first.
pub fn drift_text(r: &fairgauge::drift::DriftReport) -> String {
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
    let mut cols: Vec<&fairgauge::drift::ColumnDrift> = r.columns.iter().collect();
    cols.sort_by(|a, b| {
        b.drifted.cmp(&a.drifted).then_with(|| {
            let sev = |c: &fairgauge::drift::ColumnDrift| {
                if c.method.is_test() {
                    1.0 - c.p_value_adjusted.unwrap_or(1.0)
                } else {
                    c.statistic.unwrap_or(0.0) / c.threshold.max(1e-12)
                }
            };
            sev(b).total_cmp(&sev(a))
        })
    });
    let w = cols
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        s,
        "  {:<w$}  {:<11}  {:<16}  {:>10}  {:>10}  {:>9}  {:>8}  {:>8}  status",
        "column", "kind", "method", "statistic", "p (adj.)", "threshold", "null ref", "null cur"
    );
    for c in cols {
        let p = c.p_value_adjusted.map(p_text).unwrap_or_else(|| "-".into());
        let stat = c
            .statistic
            .map(|x| format!("{x:.4}"))
            .unwrap_or_else(|| "-".into());
        let status = if !c.assessed {
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
        };
        let _ = writeln!(
            s,
            "  {:<w$}  {:<11}  {:<16}  {:>10}  {:>10}  {:>9}  {:>7.1}%  {:>7.1}%  {status}",
            c.name,
            c.kind,
            c.method.name(),
            stat,
            p,
            c.threshold,
            c.reference_null_share * 100.0,
            c.current_null_share * 100.0
        );
        for (what, list) in [
            ("new", &c.new_categories),
            ("vanished", &c.vanished_categories),
        ] {
            if !list.is_empty() {
                let shown: Vec<String> = list
                    .iter()
                    .take(5)
                    .map(|x| format!("{} ({:.2}%)", x.value, x.share * 100.0))
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
    for (c, why) in &r.skipped {
        let _ = writeln!(s, "  skipped {c}: {why}");
    }
    if let Some(f) = &r.fairness {
        let _ = writeln!(s, "\nfairness drift (reference -> current):");
        for c in &f.summaries {
            let _ = writeln!(
                s,
                "  {:<14} {:<31} {} -> {} (change {}{}){}",
                c.attribute,
                c.metric,
                num4(c.reference),
                num4(c.current),
                c.change
                    .map(|x| format!("{x:+.4}"))
                    .unwrap_or_else(|| "undefined".into()),
                c.p_value
                    .map(|p| format!(", p {}", p_text(p)))
                    .unwrap_or_default(),
                if c.significant { "  SIGNIFICANT" } else { "" }
            );
        }
    }
    finish(s)
}

/// The quality report for a terminal: dataset facts, one line per column, then every check
/// that did not pass, with examples.
pub fn quality_text(r: &fairgauge::quality::QualityReport) -> String {
    use fairgauge::quality::Status;
    let mut s = String::new();
    let d = &r.dataset;
    let _ = writeln!(
        s,
        "fairgauge quality  {} ({} rows × {} columns, {})",
        d.path.display(),
        d.rows,
        d.columns,
        d.format
    );
    let _ = writeln!(
        s,
        "score {:.1}/100  status {:?}  checks: {} pass, {} warn, {} fail",
        d.score, d.status, r.summary.pass, r.summary.warn, r.summary.fail
    );
    let _ = writeln!(
        s,
        "duplicates: {} extra rows in {} groups{}",
        d.duplicates.extra_rows,
        d.duplicates.groups,
        if d.empty_rows > 0 {
            format!("; {} empty rows", d.empty_rows)
        } else {
            String::new()
        }
    );
    let sketched: Vec<&fairgauge::quality::ColumnReport> = r
        .columns
        .iter()
        .filter(|c| c.numeric_sketch.as_ref().is_some_and(|n| !n.exact))
        .collect();
    if let Some(info) = sketched.first().and_then(|c| c.numeric_sketch.as_ref()) {
        let names: Vec<&str> = sketched.iter().map(|c| c.name.as_str()).collect();
        let _ = writeln!(
            s,
            "bounded memory: approximate numeric profiles (KLL k = {}, ranks and counts within {:.2}% of the rows) for {}",
            info.k,
            100.0 * info.rank_error,
            names.join(", ")
        );
    }
    let f = &d.fingerprints;
    if let Some(sha) = &f.file_sha256 {
        let _ = writeln!(s, "file    {sha}");
    }
    let _ = writeln!(s, "content {}", f.content);
    let _ = writeln!(s, "schema  {}\n", f.schema);
    let w = r
        .columns
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        s,
        "  {:<w$}  {:<12}  {:>8}  {:>9}  {:>9}  {:>5}  placeholders",
        "column", "kind", "missing", "distinct", "top share", "score"
    );
    for c in &r.columns {
        let ph: Vec<String> = c
            .missing
            .configured
            .iter()
            .map(|(k, v)| format!("{k}×{v} (configured)"))
            .chain(
                c.missing
                    .suspected
                    .iter()
                    .map(|p| format!("{}×{}", p.value, p.count)),
            )
            .collect();
        let _ = writeln!(
            s,
            "  {:<w$}  {:<12}  {:>8}  {:>9}  {:>9}  {:>5.1}  {}",
            c.name,
            c.kind,
            c.missing
                .share
                .map(|x| format!("{:.2}%", x * 100.0))
                .unwrap_or_default(),
            c.distinct,
            c.top
                .first()
                .map(|t| format!("{:.3}", t.share))
                .unwrap_or_default(),
            c.score,
            ph.join(", ")
        );
    }
    let bad: Vec<&fairgauge::quality::Check> = r
        .checks
        .iter()
        .filter(|c| c.status != Status::Pass)
        .collect();
    if !bad.is_empty() {
        let _ = writeln!(s, "\nchecks that did not pass:");
        for c in bad {
            let status = match c.status {
                Status::Fail => "FAIL",
                Status::Warn => "warn",
                Status::Pass => "pass",
            };
            let _ = writeln!(s, "  {status}  {}: {}", c.id, c.message);
            if !c.examples.is_empty() {
                let ex: Vec<String> = c
                    .examples
                    .iter()
                    .map(|e| match &e.value {
                        Some(v) => format!("row {} `{v}`", e.row),
                        None => format!("row {}", e.row),
                    })
                    .collect();
                let _ = writeln!(s, "        e.g. {}", ex.join(", "));
            }
        }
    }
    for k in &r.skipped {
        let _ = writeln!(s, "  skipped: {k}");
    }
    finish(s)
}

/// An assessment for a terminal: the verdict, counts, risks by score and the findings that did
/// not pass.
pub fn evidence_text(e: &fairgauge::evidence::Evidence) -> String {
    use fairgauge::evidence::FindingStatus;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "fairgauge assess  {} ({})  run {}",
        e.system.name, e.system.id, e.run.id
    );
    for d in &e.datasets {
        let _ = writeln!(
            s,
            "  {:<9} {} ({} rows × {} columns) {}",
            d.role,
            d.path.display(),
            d.rows,
            d.columns,
            d.content_fingerprint
        );
    }
    let c = &e.summary.findings;
    let n = |k: &str| c.get(k).copied().unwrap_or(0);
    let _ = writeln!(
        s,
        "overall: {}  findings: {} pass, {} warn, {} fail, {} insufficient data, {} error",
        e.summary.overall.as_str().to_uppercase(),
        n("pass"),
        n("warn"),
        n("fail"),
        n("insufficient_data"),
        n("error")
    );
    if !e.risks.is_empty() {
        let _ = writeln!(s, "\nrisks (by score):");
        let w = e
            .risks
            .iter()
            .map(|r| r.title.chars().count())
            .max()
            .unwrap_or(5);
        for r in &e.risks {
            let ids: Vec<&str> = r.controls.iter().map(|c| c.id.as_str()).collect();
            let _ = writeln!(
                s,
                "  {}  {:<w$}  {:<8}  {:>2} = {}×{}  {:<8}  {}",
                r.id,
                r.title,
                r.rating.as_str(),
                r.score,
                r.likelihood,
                r.impact,
                serde_json::to_value(r.treatment)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                ids.join(" ")
            );
        }
    }
    let bad: Vec<&fairgauge::evidence::Finding> = e
        .findings
        .iter()
        .filter(|f| matches!(f.status, FindingStatus::Fail | FindingStatus::Error))
        .collect();
    if !bad.is_empty() {
        let _ = writeln!(s, "\nfailing findings:");
        for f in bad {
            let _ = writeln!(
                s,
                "  {} {}  {}: {}",
                f.status.as_str().to_uppercase(),
                f.id,
                f.kind,
                f.message
            );
        }
    }
    finish(s)
}
