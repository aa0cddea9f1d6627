//! The ranking fairness report for a terminal: the input, lists and items; then per attribute
//! (in the order given, then intersections) its groups' exposure, top-k selection and NDCG, and
//! the between-group summaries; the warnings last.

use std::fmt::Write;

use fairgauge::fairness::RankingOutput;
use fairgauge::present::{interval, percent};
use fairgauge_core::fairness::ranking::{RankingGroup, RankingReport, RankingSummary};

use crate::render::text::{finish, name_width, num4, shown};

fn header(s: &mut String, out: &RankingOutput) {
    let r = &out.report;
    let roles = &out.roles;
    let order = match (&roles.rank, &roles.score) {
        (Some(c), _) => format!("rank `{}`", shown(c)),
        (_, Some(c)) => format!("score `{}` (highest first)", shown(c)),
        _ => String::new(),
    };
    let _ = writeln!(
        s,
        "fairgauge fairness  {} ({}), task ranking",
        out.input.path.display(),
        out.input.format
    );
    let rows = &r.rows;
    let left_out =
        rows.excluded_null_query + rows.excluded_null_position + rows.excluded_null_relevance;
    let _ = writeln!(
        s,
        "lists `{}` ordered by {order}{}; {} rows read, {} items in {} lists (longest {}){}",
        shown(&roles.query),
        roles
            .relevance
            .as_ref()
            .map(|c| format!(", relevance `{}`", shown(c)))
            .unwrap_or_default(),
        rows.seen,
        rows.used,
        r.lists,
        r.longest_list,
        if left_out > 0 {
            format!(
                " ({} left out for a null list, {} for a null rank or score, {} for a null relevance)",
                rows.excluded_null_query, rows.excluded_null_position, rows.excluded_null_relevance
            )
        } else {
            String::new()
        }
    );
}

/// The columns shown: exposure and its share, selection at each k, and with relevance the
/// exposure-to-relevance ratio and NDCG.
fn columns(k: &[u32], relevance: bool) -> Vec<(String, String)> {
    let mut c = vec![
        ("exposure".to_string(), "exposure".to_string()),
        ("exposure_share".to_string(), "exp share".to_string()),
    ];
    for k in k {
        c.push((format!("selection_rate_at_{k}"), format!("top {k}")));
    }
    if relevance {
        c.push(("exposure_relevance_ratio".into(), "exp/rel".into()));
        c.push(("ndcg".into(), "NDCG".into()));
        for k in k {
            c.push((format!("ndcg_at_{k}"), format!("NDCG@{k}")));
        }
    }
    c
}

fn groups_table(s: &mut String, groups: &[&RankingGroup], cols: &[(String, String)], min: u64) {
    let w = name_width(groups.iter().map(|g| g.group.as_str()));
    let _ = write!(
        s,
        "  {:<w$}  {:>8}  {:>6}  {:>7}",
        "group", "items", "share", "lists"
    );
    for (_, title) in cols {
        let _ = write!(s, "  {title:>9}");
    }
    let _ = writeln!(s, "  note");
    for g in groups {
        let note = match (g.reference, g.insufficient_data) {
            (true, _) => "reference".to_string(),
            (_, true) => format!("insufficient data (< {min})"),
            _ => String::new(),
        };
        let _ = write!(
            s,
            "  {:<w$}  {:>8}  {:>6}  {:>7}",
            shown(&g.group),
            g.count,
            percent(g.share),
            g.lists
        );
        for (key, _) in cols {
            let _ = write!(s, "  {:>9}", num4(g.metrics.get(key).copied()));
        }
        let _ = writeln!(s, "  {note}");
    }
}

fn summary_lines(
    s: &mut String,
    summary: &RankingSummary,
    cols: &[(String, String)],
    r: &RankingReport,
) {
    // A summary's value, with its bootstrap interval when there is one.
    let v = |k: &str| {
        let value = num4(summary.metrics.get(k).copied().flatten());
        value + &interval(summary.intervals.get(k), |x| num4(Some(x)))
    };
    let parts: Vec<String> = cols
        .iter()
        .filter(|(key, _)| key != "exposure_share")
        .map(|(key, title)| {
            format!(
                "{title} ratio {} (difference {})",
                v(&format!("{key}_ratio")),
                v(&format!("{key}_difference"))
            )
        })
        .collect();
    let _ = writeln!(s, "  between groups (min / max): {}", parts.join("; "));
    if let (Some(b), Some(confidence), false) =
        (&r.bootstrap, r.confidence, summary.intervals.is_empty())
    {
        let _ = writeln!(
            s,
            "  [..]: {:.0}% percentile bootstrap intervals over lists, {} replicates, seed {}",
            confidence * 100.0,
            b.replicates,
            b.seed
        );
    }
}

/// The whole report as text.
pub fn ranking_text(out: &RankingOutput) -> String {
    let mut s = String::new();
    header(&mut s, out);
    let r = &out.report;
    let cols = columns(&r.k, out.roles.relevance.is_some());
    let ordered = r
        .attributes
        .iter()
        .filter_map(|a| r.summary.get(a).map(|s| (a, s)))
        .chain(r.summary.iter().filter(|(k, _)| !r.attributes.contains(k)));
    for (name, summary) in ordered {
        let groups: Vec<&RankingGroup> = r.groups.iter().filter(|g| &g.attribute == name).collect();
        let _ = writeln!(
            s,
            "\n{} (reference {})",
            shown(name),
            shown(&summary.reference_group)
        );
        groups_table(&mut s, &groups, &cols, r.min_group_size);
        summary_lines(&mut s, summary, &cols, r);
    }
    for w in &r.warnings {
        let _ = writeln!(s, "\nwarning: {w}");
    }
    finish(s)
}
