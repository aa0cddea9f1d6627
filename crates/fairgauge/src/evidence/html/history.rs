//! The trends over runs (`assess --history`): for each check that warned or failed in this run
//! or in one of the last runs of the system's history, or that an anomaly was found for, a small
//! chart of its value over the runs with its interval band, the runs where it warned or failed
//! (and this run, when an anomaly was found) ringed in red.

use crate::evidence::document::{Evidence, FindingStatus};
use crate::evidence::html::charts::{trend_chart, TrendPoint};
use crate::evidence::html::escape::esc;
use crate::evidence::html::results::HistoryView;

/// Appends the section; nothing for a run without a history.
pub fn history_section(o: &mut String, e: &Evidence, h: Option<Result<&HistoryView, &str>>) {
    let h = match h {
        None => return,
        Some(Err(m)) => {
            o.push_str(&format!(
                "<section id=\"history\"><h2>Trends over runs</h2><p class=\"muted\">The history's results could not be read: {}</p></section>",
                esc(m)
            ));
            return;
        }
        Some(Ok(h)) => h,
    };
    o.push_str("<section id=\"history\"><h2>Trends over runs</h2>");
    if h.series.is_empty() {
        o.push_str(&format!(
            "<p class=\"muted\">{} earlier run(s) in the history; no check warned or failed in them or in this run, and no anomaly was found.</p></section>",
            h.earlier_runs
        ));
        return;
    }
    o.push_str(&format!(
        "<p class=\"muted\">The checks that warned or failed in this run or in one of the last runs of the history ({} earlier run(s)), or that an anomaly was found for: each value per run with its interval, the last point this run; red rings the runs where the check warned or failed, and this run when an anomaly was found.</p><div class=\"charts\">",
        h.earlier_runs
    ));
    for s in &h.series {
        let Some(now) = e.findings.iter().find(|f| f.id == s.finding) else {
            continue;
        };
        let mut points: Vec<TrendPoint> = s
            .points
            .iter()
            .map(|p| TrendPoint {
                label: p
                    .finished_at
                    .get(..16)
                    .unwrap_or(&p.finished_at)
                    .replace('T', " "),
                value: p.value,
                interval: p.interval,
                baseline: false,
                alert: FindingStatus::is_breach(&p.status),
            })
            .collect();
        points.push(TrendPoint {
            label: "this run".into(),
            value: now.value,
            interval: now.interval,
            baseline: false,
            alert: FindingStatus::is_breach(now.status.as_str())
                || h.anomalies.iter().any(|a| a.of == s.finding),
        });
        o.push_str(&trend_chart(
            &format!("{}, {}", s.metric, s.subject),
            &points,
        ));
    }
    o.push_str("</div></section>");
}
