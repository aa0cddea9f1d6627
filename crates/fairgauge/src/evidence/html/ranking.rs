//! The fairness section of a ranking assessment: per attribute, bars of each group's mean
//! exposure (the position discount `1/log2(1 + rank)` its items get, Singh & Joachims 2018) and
//! of its selection rate into each top k, with NDCG when relevance was given, the between-group
//! summaries (with their bootstrap intervals when there are any), and the attribute's findings.

use std::fmt::Write;

use fairgauge_core::fairness::ranking::{RankBy, RankingGroup, RankingSummary};

use crate::evidence::document::Evidence;
use crate::evidence::html::cells::summary_paragraph;
use crate::evidence::html::charts::{rate_chart, value_chart, Bar};
use crate::evidence::html::escape::esc;
use crate::evidence::html::findings::{
    attribute_findings, findings_table, other_fairness_findings,
};
use crate::fairness::RankingOutput;
use crate::present::{interval, quantity};

fn bars(gs: &[&RankingGroup], metric: &str) -> Vec<Bar> {
    gs.iter()
        .map(|g| Bar {
            group: g.group.clone(),
            value: g.metrics.get(metric).copied().filter(|v| v.is_finite()),
            interval: None,
            reference: g.reference,
            insufficient: g.insufficient_data,
            estimated: false,
        })
        .collect()
}

fn charts(o: &mut String, attr: &str, gs: &[&RankingGroup], k: &[u32], relevance: bool) {
    o.push_str("<div class=\"charts\">");
    o.push_str(&rate_chart(
        &format!("Mean exposure (position discount) by {attr}"),
        &bars(gs, "exposure"),
        None,
    ));
    for k in k {
        o.push_str(&rate_chart(
            &format!("Selection rate into the top {k} by {attr}"),
            &bars(gs, &format!("selection_rate_at_{k}")),
            None,
        ));
    }
    if relevance {
        o.push_str(&value_chart(&format!("NDCG by {attr}"), &bars(gs, "ndcg")));
    }
    o.push_str("</div>");
}

/// One line of the attribute's ratio summaries: `name value [low, high]`, the interval when the
/// bootstrap gave one.
fn summary_line(o: &mut String, s: &RankingSummary) {
    let parts: Vec<String> = s
        .metrics
        .iter()
        .filter(|(k, _)| k.ends_with("_ratio") && !k.ends_with("relevance_ratio"))
        .filter_map(|(k, v)| {
            let interval = interval(s.intervals.get(k), quantity);
            v.map(|v| format!("{} {}{interval}", k.replace('_', " "), quantity(v)))
        })
        .collect();
    summary_paragraph(o, "Between the groups (min / max)", &parts);
}

/// Appends a ranking assessment's fairness content (inside the section).
pub fn ranking_assessed(o: &mut String, e: &Evidence, rk: &RankingOutput) {
    let r = &rk.report;
    let mut intro = format!(
        "Ranking: {} items in {} lists, ordered by {}; the policy judges the between-group summaries it has thresholds for (by default the exposure ratio).",
        r.rows.used,
        r.lists,
        match r.ranked_by {
            RankBy::Rank => "the given ranks",
            RankBy::Score => "score, highest first",
        }
    );
    if let (Some(b), Some(confidence)) = (&r.bootstrap, r.confidence) {
        let _ = write!(
            intro,
            " Intervals in brackets: {:.0}% percentile bootstrap over lists, {} replicates.",
            confidence * 100.0,
            b.replicates
        );
    }
    let _ = write!(o, "<p class=\"muted\">{}</p>", esc(&intro));
    let relevance = rk.roles.relevance.is_some();
    for attr in &r.attributes {
        let _ = write!(o, "<h3>By {}</h3>", esc(attr));
        let gs: Vec<&RankingGroup> = r.groups.iter().filter(|g| g.attribute == *attr).collect();
        charts(o, attr, &gs, &r.k, relevance);
        if let Some(s) = r.summary.get(attr) {
            summary_line(o, s);
        }
        findings_table(o, &attribute_findings(e, attr));
    }
    let other = other_fairness_findings(e, &r.attributes);
    if !other.is_empty() {
        findings_table(o, &other);
    }
}
