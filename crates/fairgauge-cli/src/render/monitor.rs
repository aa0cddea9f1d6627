//! `monitor` as text: a line per window, each group rate's trend as a sparkline, and the alerts.

use std::collections::BTreeMap;
use std::fmt::Write;

use fairgauge::monitor::MonitorReport;

use super::text::{finish, name_width, shown};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A sparkline of values (`·` where there is none), scaled from their least to their largest.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let known: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let lo = known.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| match v {
            Some(x) if x.is_finite() && hi > lo => {
                let i = ((x - lo) / (hi - lo) * 7.0).round() as usize;
                BARS[i.min(7)]
            }
            Some(x) if x.is_finite() => BARS[3],
            _ => '·',
        })
        .collect()
}

/// The report as text.
pub fn monitor_text(r: &MonitorReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "monitor {} by `{}`, every {}: {} windows, {} rows",
        shown(&r.input.to_string_lossy()),
        shown(&r.time),
        r.every,
        r.windows.len(),
        r.rows
    );
    if r.untimed_rows > 0 {
        let first = r
            .first_unreadable
            .as_ref()
            .map(|u| {
                format!(
                    "; the first unreadable is row {}: `{}`",
                    u.row,
                    shown(&u.value)
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "{} rows without a readable time are in no window{first}",
            r.untimed_rows
        );
    }
    let _ = match &r.baseline.path {
        Some(p) => writeln!(
            o,
            "baseline: {} ({} rows)",
            shown(&p.to_string_lossy()),
            r.baseline.rows
        ),
        None => writeln!(
            o,
            "baseline: the first {} windows ({} rows)",
            r.baseline.windows, r.baseline.rows
        ),
    };
    windows_table(&mut o, r);
    trends(&mut o, r);
    alerts(&mut o, r);
    for n in &r.notes {
        let _ = writeln!(o, "note: {n}");
    }
    finish(o)
}

fn windows_table(o: &mut String, r: &MonitorReport) {
    let _ = writeln!(
        o,
        "\nwindow      {:>10}  status  quality  breaches  alerts",
        "rows"
    );
    for w in &r.windows {
        let breaches = w
            .findings
            .iter()
            .filter(|f| f.status == "warn" || f.status == "fail")
            .count();
        let alerts = r.alerts.iter().filter(|a| a.window == w.start).count();
        let _ = writeln!(
            o,
            "{:<10}  {:>10}  {:<6}  {:>7}  {:>8}  {}",
            w.start,
            w.rows,
            w.status,
            w.quality_score
                .map(|q| format!("{q:.1}"))
                .unwrap_or_else(|| "—".into()),
            breaches,
            if w.baseline {
                "baseline".to_string()
            } else {
                alerts.to_string()
            }
        );
    }
}

fn trends(o: &mut String, r: &MonitorReport) {
    let mut series: BTreeMap<(String, String), Vec<Option<f64>>> = BTreeMap::new();
    let n = r.windows.len();
    for (i, w) in r.windows.iter().enumerate() {
        for g in &w.fairness {
            for rate in &g.rates {
                let key = (rate.metric.clone(), format!("{}={}", g.attribute, g.group));
                series.entry(key).or_insert_with(|| vec![None; n])[i] = rate.value;
            }
        }
    }
    if series.is_empty() {
        return;
    }
    let width = name_width(series.keys().map(|(_, s)| s.as_str()));
    let _ = writeln!(o, "\ntrends, one mark per window (first to last)");
    for ((metric, subject), values) in &series {
        let known: Vec<f64> = values.iter().flatten().copied().collect();
        let (first, last) = (known.first(), known.last());
        let _ = writeln!(
            o,
            "{:<15} {:<width$}  {}  {} → {}",
            metric,
            shown(subject),
            sparkline(values),
            first.map(|v| format!("{v:.3}")).unwrap_or_default(),
            last.map(|v| format!("{v:.3}")).unwrap_or_default()
        );
    }
}

fn alerts(o: &mut String, r: &MonitorReport) {
    if r.alerts.is_empty() {
        let _ = writeln!(o, "\nno alerts");
        return;
    }
    let _ = writeln!(o, "\n{} alerts", r.alerts.len());
    for a in &r.alerts {
        let _ = writeln!(
            o,
            "{}  {:<6}  {:<8}  {}",
            a.window,
            a.rule,
            a.family,
            shown(&a.message)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_and_mark_gaps() {
        assert_eq!(sparkline(&[Some(0.0), Some(0.5), Some(1.0), None]), "▁▅█·");
        assert_eq!(sparkline(&[Some(2.0), Some(2.0)]), "▄▄");
        assert_eq!(sparkline(&[None, Some(f64::NAN)]), "··");
    }
}
