//! A run judged against the system's history (`assess --history`): anomalies of each finding's
//! value against its earlier runs (the policy's `[[history.anomaly]]` rules), and each risk's
//! life — first and last seen, runs seen, its trend, its status, and the decision people recorded
//! on it.
//!
//! - An **anomaly** is a finding of kind `<family>.anomaly` about the same subject and metric as
//!   the finding it judges, with the rule's severity (`warn` or `fail`), the controls of
//!   monitoring (ISO/IEC 42001 9.1 and A.6.2.6, NIST AI RMF MEASURE 3.1 and MANAGE 4.1), feeding
//!   the same risk as that finding (or a risk of its own when the finding feeds none). Its id is
//!   stable: the kind, the subject, the metric and the rule.
//! - A risk's **status** in its life: `new` (no earlier run saw it), `worsening` / `improving`
//!   (its score rose / fell since the last run that saw it), `open` (same score, or an earlier
//!   run recorded before history schema 2 that kept no score), `resolved` (an earlier run saw it,
//!   this one does not: listed in the evidence's `resolved_risks`).
//! - A **decision** holds until its review date (the day after it, the risk reopens: its status
//!   is `open` again and its treatment the policy's); a `close` holds while the risk stays away
//!   (a closed risk that comes back is open). While it holds, the risk's `status` says it
//!   (accept → `accepted`, mitigate → `remediating`, transfer → `transferred`, avoid → `avoided`,
//!   close → `closed`) and its `treatment` is the decided one.

use std::collections::BTreeSet;

use fairgauge_core::monitor::anomaly::judge;
use serde_json::json;

use super::builder::{fmt, Builder, Judged};
use super::risks::treatment_of;
use crate::evidence::document::{
    DecisionState, Finding, FindingStatus, Risk, RiskLife, TrendPoint,
};
use crate::evidence::export::words::{driving, subject_text};
use crate::evidence::history::{Decision, DecisionKind, Past, PastRisk, PastSeries, TREND_RUNS};
use crate::evidence::policy::{Policy, Treatment};

/// Judges every finding so far against its earlier values by each anomaly rule of the policy;
/// an anomaly becomes a finding. Returns the summary for the evidence's `results.history`.
pub(crate) fn anomaly_findings(b: &mut Builder<'_>, past: &Past) -> serde_json::Value {
    let rules: Vec<_> = b
        .policy
        .history
        .anomaly
        .iter()
        .filter_map(|a| a.to_rule().ok().map(|r| (a.clone(), r)))
        .collect();
    let current: Vec<Finding> = b.findings.clone();
    let (mut judged, mut anomalies, mut trends) = (0usize, vec![], vec![]);
    for f in &current {
        let (Some(value), Some(series)) = (f.value, past.series.get(&f.id)) else {
            continue;
        };
        let before = series.since(past.judged_from);
        let mut anomalous = false;
        for (a, rule) in &rules {
            if !a.applies_to(&f.kind, &f.metric) {
                continue;
            }
            let Some(j) = judge(rule, &before, value, f.interval) else {
                continue;
            };
            judged += 1;
            if !j.anomaly {
                continue;
            }
            anomalous = true;
            let subject = subject_text(&f.subject);
            let risk = b.series_keys.get(&f.id).cloned().unwrap_or_else(|| {
                (
                    format!("anomaly/{}", f.id),
                    format!("Unusual change in {} ({subject})", f.metric),
                )
            });
            let message = format!(
                "{subject}: {} is {}, outside [{}, {}] that its last {} run(s) lead to expect \
                 (history rule {})",
                f.metric,
                fmt(value),
                fmt(j.expected[0]),
                fmt(j.expected[1]),
                j.runs_used,
                rule.name()
            );
            let status = match a.severity.as_str() {
                "fail" => FindingStatus::Fail,
                _ => FindingStatus::Warn,
            };
            let id = b.add(Judged {
                value: Some(value),
                interval: f.interval,
                subject: f.subject.clone(),
                risk: Some(risk),
                id_extra: Some(format!("{}/{}", f.metric, rule.name())),
                ..Judged::new(
                    &format!("{}.anomaly", f.family()),
                    f.category,
                    status,
                    &f.metric,
                    message,
                )
            });
            anomalies.push(json!({
                "finding": id,
                "of": f.id,
                "rule": rule.name(),
                "value": value,
                "expected": j.expected,
                "runs_used": j.runs_used,
            }));
        }
        let breach = FindingStatus::is_breach;
        if anomalous || breach(f.status.as_str()) || series.statuses.iter().any(|s| breach(s)) {
            trends.push(series_json(f, series, past));
        }
    }
    json!({
        "earlier_runs": past.runs.len(),
        "judged": judged,
        "anomalies": anomalies,
        "series": trends,
    })
}

/// A finding's earlier values (the last [`TREND_RUNS`] − 1 runs) for the evidence's
/// `results.history.series`: the run's end, the value, its interval and the finding's status
/// then. This run's point is the finding itself.
fn series_json(f: &Finding, series: &PastSeries, past: &Past) -> serde_json::Value {
    let skip = series.runs.len().saturating_sub(TREND_RUNS - 1);
    let points: Vec<serde_json::Value> = series
        .runs
        .iter()
        .zip(&series.values)
        .zip(&series.statuses)
        .skip(skip)
        .map(|((&run, v), status)| {
            let mut p = json!({
                "finished_at": past.runs[run].finished_at,
                "value": v.value,
                "status": status,
            });
            if let Some(i) = v.interval {
                p["interval"] = json!(i);
            }
            p
        })
        .collect();
    json!({
        "finding": f.id,
        "metric": f.metric,
        "subject": subject_text(&f.subject),
        "points": points,
    })
}

/// Gives each risk of this run its life, and applies the decision in force on it; returns the
/// risks earlier runs saw that this one does not (as last seen, with a `resolved` life), by id.
/// `now` is this run's end (RFC 3339).
pub(crate) fn risk_lives(
    policy: &Policy,
    risks: &mut [Risk],
    findings: &[Finding],
    (past, now): (&Past, &str),
) -> Vec<Risk> {
    let today = now.get(..10).unwrap_or(now);
    let at = |p: &PastRisk| past.runs[p.run].finished_at.clone();
    for r in risks.iter_mut() {
        let before: &[PastRisk] = past.risks.get(&r.id).map_or(&[], Vec::as_slice);
        let driver = driving(findings, r);
        let mut trend = trend_of(before, past);
        trend.push(TrendPoint {
            finished_at: now.to_string(),
            score: Some(r.score),
            metric: driver.map(|f| f.metric.clone()),
            value: driver.and_then(|f| f.value),
        });
        let status = match before.last().and_then(|p| p.score) {
            _ if before.is_empty() => "new",
            Some(prev) if r.score > prev => "worsening",
            Some(prev) if r.score < prev => "improving",
            _ => "open",
        };
        let decision = past.decisions.get(&r.id).map(|d| state(d, true, today));
        apply(r, decision.as_ref());
        r.life = Some(RiskLife {
            status: status.into(),
            first_seen: before.first().map_or_else(|| now.to_string(), at),
            last_seen: now.to_string(),
            runs_seen: before.len() as u64 + 1,
            trend: last(trend),
            decision,
        });
    }
    let present: BTreeSet<&str> = risks.iter().map(|r| r.id.as_str()).collect();
    let mut resolved = vec![];
    for (id, before) in &past.risks {
        if present.contains(id.as_str()) {
            continue;
        }
        // Runs recorded before history schema 2 kept no risk entries to list.
        let Some(mut r) = past.latest.get(id).cloned() else {
            continue;
        };
        // As the policy would treat it now, unless a decision in force says otherwise.
        r.status = "open".into();
        r.treatment = treatment_of(policy, r.rating);
        let decision = past.decisions.get(id).map(|d| state(d, false, today));
        apply(&mut r, decision.as_ref());
        r.life = Some(RiskLife {
            status: "resolved".into(),
            first_seen: before.first().map(at).unwrap_or_default(),
            last_seen: before.last().map(at).unwrap_or_default(),
            runs_seen: before.len() as u64,
            trend: last(trend_of(before, past)),
            decision,
        });
        resolved.push(r);
    }
    resolved
}

fn trend_of(before: &[PastRisk], past: &Past) -> Vec<TrendPoint> {
    before
        .iter()
        .map(|p| TrendPoint {
            finished_at: past.runs[p.run].finished_at.clone(),
            score: p.score,
            metric: p.metric.clone(),
            value: p.value,
        })
        .collect()
}

fn last(mut trend: Vec<TrendPoint>) -> Vec<TrendPoint> {
    let cut = trend.len().saturating_sub(TREND_RUNS);
    trend.drain(..cut);
    trend
}

/// The decision `d` as of `today` (`YYYY-MM-DD`) on a risk this run sees (`present`) or not.
fn state(d: &Decision, present: bool, today: &str) -> DecisionState {
    let expired = d.review_date.as_deref().is_some_and(|r| r < today);
    let came_back = d.decision == DecisionKind::Close && present;
    DecisionState {
        decision: d.decision.as_str().into(),
        decided_by: d.decided_by.clone(),
        reason: d.reason.clone(),
        decided_at: d.decided_at.clone(),
        review_date: d.review_date.clone(),
        in_force: !expired && !came_back,
    }
}

/// A decision in force sets the risk's status and treatment.
fn apply(r: &mut Risk, d: Option<&DecisionState>) {
    let Some(d) = d.filter(|d| d.in_force) else {
        return;
    };
    let Some(kind) = DecisionKind::parse(&d.decision) else {
        return;
    };
    r.status = kind.risk_status().into();
    r.treatment = match kind {
        DecisionKind::Accept => Treatment::Accept,
        DecisionKind::Mitigate => Treatment::Mitigate,
        DecisionKind::Transfer => Treatment::Transfer,
        DecisionKind::Avoid => Treatment::Avoid,
        DecisionKind::Close => r.treatment,
    };
}
