//! The monitoring report as one self-contained HTML page (`monitor --html`): the windows with
//! their verdicts, a small chart per group rate over the windows (its interval band, the
//! baseline windows shaded, the windows with an alert on it ringed), and the alerts.

use std::fmt::Write;

use crate::evidence::html::{esc, page_start, status_badge, trend_chart, TrendPoint};
use crate::monitor::report::MonitorReport;

/// Renders the report as one HTML page (the evidence report's stylesheet and security policy).
pub fn monitor_html(r: &MonitorReport, system_name: &str) -> String {
    let mut o = page_start(&format!("fairgauge monitor: {system_name}"));
    let _ = write!(
        o,
        "<header><h1>{}</h1><p class=\"muted\">Monitoring <code>{}</code> by <code>{}</code>, every {}: {} rows in {} windows; baseline {}; {} alert(s)</p></header>",
        esc(system_name),
        esc(&r.input.display().to_string()),
        esc(&r.time),
        esc(&r.every),
        r.rows,
        r.windows.len(),
        esc(&match &r.baseline.path {
            Some(p) => format!("the reference {}", p.display()),
            None => format!("the first {} windows", r.baseline.windows),
        }),
        r.alerts.len()
    );
    windows_table(&mut o, r);
    trends(&mut o, r);
    alerts_table(&mut o, r);
    o.push_str("</body></html>\n");
    o
}

fn windows_table(o: &mut String, r: &MonitorReport) {
    o.push_str("<section id=\"windows\"><h2>Windows</h2><table><thead><tr><th>Start</th><th>End</th><th>Rows</th><th>Verdict</th><th>Quality</th><th>Alerts</th></tr></thead><tbody>");
    for w in &r.windows {
        let alerts = r.alerts.iter().filter(|a| a.window == w.start).count();
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{alerts}</td></tr>",
            esc(&w.start),
            esc(&w.end),
            w.rows,
            if w.baseline { "baseline".to_string() } else { status_badge(&w.status) },
            w.quality_score.map(|q| format!("{q:.1}")).unwrap_or_else(|| "—".into()),
        );
    }
    o.push_str("</tbody></table></section>");
}

/// A chart per attribute, group and rate, in the order of the first window that has it.
fn trends(o: &mut String, r: &MonitorReport) {
    let mut series: Vec<(String, String, String)> = vec![];
    for w in &r.windows {
        for g in &w.fairness {
            for rate in &g.rates {
                let key = (g.attribute.clone(), g.group.clone(), rate.metric.clone());
                if !series.contains(&key) {
                    series.push(key);
                }
            }
        }
    }
    o.push_str("<section id=\"trends\"><h2>Trends</h2>");
    if series.is_empty() {
        o.push_str("<p class=\"muted\">No group rates: give --sensitive and a label or decision.</p></section>");
        return;
    }
    o.push_str("<p class=\"muted\">Each group's rate per window with its 95 % Wilson interval; shaded windows are the baseline, red rings the windows with an alert on that rate.</p><div class=\"charts\">");
    for (attr, group, metric) in &series {
        let subject = format!("{attr}={group}");
        let points: Vec<TrendPoint> = r
            .windows
            .iter()
            .map(|w| {
                let rate = w
                    .fairness
                    .iter()
                    .find(|g| &g.attribute == attr && &g.group == group)
                    .and_then(|g| g.rates.iter().find(|x| &x.metric == metric));
                TrendPoint {
                    label: w.start.clone(),
                    value: rate.and_then(|x| x.value),
                    interval: rate.and_then(|x| x.interval),
                    baseline: w.baseline,
                    alert: r.alerts.iter().any(|a| {
                        a.window == w.start
                            && &a.metric == metric
                            && a.subject.starts_with(&subject)
                    }),
                }
            })
            .collect();
        o.push_str(&trend_chart(
            &format!("{metric}, {attr} = {group}"),
            &points,
        ));
    }
    o.push_str("</div></section>");
}

fn alerts_table(o: &mut String, r: &MonitorReport) {
    o.push_str("<section id=\"alerts\"><h2>Alerts</h2>");
    if r.alerts.is_empty() {
        o.push_str("<p class=\"muted\">No alert.</p></section>");
        return;
    }
    o.push_str("<table><thead><tr><th>Window</th><th>Family</th><th>Rule</th><th>Severity</th><th>Alert</th></tr></thead><tbody>");
    for a in &r.alerts {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.window),
            esc(&a.family),
            esc(&a.rule),
            status_badge(&a.severity),
            esc(&a.message)
        );
    }
    o.push_str("</tbody></table></section>");
}
