//! The report a person reads: one self-contained HTML file rendered from an evidence document —
//! no network, no scripts, no external styles or fonts; charts are inline SVG with text
//! alternatives, statuses are words beside colours, and every piece of text that comes from data
//! is escaped. A Content-Security-Policy forbids scripts outright, so even a renderer bug could
//! not run one.

use crate::present::percent;
use std::fmt::Write;

use serde_json::Value;

use crate::evidence::document::{Evidence, Finding, FindingStatus};

/// Where the evidence sits in a ledger, for the provenance section.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerPosition {
    /// The ledger file.
    pub path: String,
    /// 1-based record number.
    pub seq: u64,
    /// The record's SHA-256.
    pub record_sha256: String,
}

/// Escapes text for HTML and SVG content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = r#"
:root { --pass:#1a7f37; --warn:#9a6700; --fail:#cf222e; --info:#57606a; --ink:#1f2328; --line:#d0d7de; --ref:#0969da; --cur:#bf3989; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 32px; } h3 { font-size: 15px; margin: 18px 0 6px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.status { display: inline-block; padding: 0 6px; border-radius: 10px; font-weight: 600; font-size: 12px; color: #fff; white-space: nowrap; }
.status.pass { background: var(--pass); } .status.warn { background: var(--warn); } .status.fail, .status.error, .status.critical { background: var(--fail); }
.status.insufficient_data, .status.low { background: var(--info); } .status.medium { background: var(--warn); } .status.high { background: #bc4c00; }
.muted { color: var(--info); } code { font-size: 12px; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; } .card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 110px; }
.card b { display: block; font-size: 20px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } figure { margin: 0; } figcaption { font-size: 12px; color: var(--info); }
.bar { display: inline-block; height: 10px; background: var(--fail); vertical-align: middle; } .barbox { display: inline-block; width: 80px; height: 10px; background: #eaeef2; vertical-align: middle; margin-right: 4px; }
section { break-inside: auto; } figure, tr { break-inside: avoid; }
@media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; } }
"#;

fn status_badge(s: &str) -> String {
    format!(
        "<span class=\"status {}\">{}</span>",
        esc(s),
        esc(&s.replace('_', " ").to_uppercase())
    )
}

fn num(v: Option<f64>, digits: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.digits$}"),
        Some(_) => "∞".into(),
        None => "—".into(),
    }
}

fn f(v: &Value, k: &str) -> Option<f64> {
    v.get(k).and_then(Value::as_f64)
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// One bar: group, rate, interval, whether it is the reference, whether it has too few rows.
type Bar = (String, Option<f64>, Option<[f64; 2]>, bool, bool);

/// A vertical bar chart of rates in [0, 1] per group, with interval whiskers; the reference
/// group's bar is outlined and labelled; `band` draws a dashed line (and shades below it) at a
/// level such as four fifths of the reference's rate.
fn rate_chart(title: &str, bars: &[Bar], band: Option<f64>) -> String {
    let w = 60 + bars.len().max(1) * 56;
    let h = 220;
    let (top, bottom, left) = (20.0, 60.0, 40.0);
    let plot_h = h as f64 - top - bottom;
    let y = |v: f64| top + plot_h * (1.0 - v.clamp(0.0, 1.0));
    let mut svg = String::new();
    let alt: Vec<String> = bars
        .iter()
        .map(|(g, v, ci, r, ins)| {
            format!(
                "{g}{}: {}{}{}",
                if *r { " (reference)" } else { "" },
                v.map(percent).unwrap_or_else(|| "undefined".into()),
                ci.map(|c| format!(" [{}, {}]", percent(c[0]), percent(c[1])))
                    .unwrap_or_default(),
                if *ins { ", insufficient data" } else { "" }
            )
        })
        .collect();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        esc(&format!("{title}: {}", alt.join("; "))),
        esc(title)
    );
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let yy = y(t);
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{w}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#eaeef2\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#57606a\">{}</text>",
            left - 4.0,
            yy + 3.0,
            percent(t)
        );
    }
    if let Some(b) = band {
        let yy = y(b);
        let _ = write!(
            svg,
            "<rect x=\"{left}\" y=\"{yy:.1}\" width=\"{}\" height=\"{:.1}\" fill=\"#cf222e\" fill-opacity=\"0.06\"/><line x1=\"{left}\" x2=\"{w}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#cf222e\">4/5 of reference</text>",
            w as f64 - left,
            (top + plot_h) - yy,
            w - 2,
            yy - 3.0
        );
    }
    for (i, (g, v, ci, is_ref, insufficient)) in bars.iter().enumerate() {
        let x = left + 8.0 + i as f64 * 56.0;
        let fill = if *insufficient {
            "#afb8c1"
        } else if *is_ref {
            "#0969da"
        } else {
            "#54aeff"
        };
        if let Some(v) = v {
            let _ =
                write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"36\" height=\"{:.1}\" fill=\"{fill}\"{}/>",
                y(*v),
                (top + plot_h) - y(*v),
                if *is_ref { " stroke=\"#1f2328\" stroke-width=\"2\"" } else { "" }
            );
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
                x + 18.0,
                y(*v) - 3.0,
                esc(&percent(*v))
            );
        }
        if let Some([lo, hi]) = ci {
            let cx = x + 18.0;
            let _ = write!(
                svg,
                "<line x1=\"{cx:.1}\" x2=\"{cx:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1f2328\"/><line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1f2328\"/><line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1f2328\"/>",
                y(*lo), y(*hi), cx - 5.0, cx + 5.0, y(*lo), y(*lo), cx - 5.0, cx + 5.0, y(*hi), y(*hi)
            );
        }
        let label: String = g.chars().take(12).collect();
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            x + 18.0,
            top + plot_h + 14.0,
            esc(&label)
        );
        let note = if *insufficient {
            "insufficient"
        } else if *is_ref {
            "reference"
        } else {
            ""
        };
        if !note.is_empty() {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#57606a\">{note}</text>",
                x + 18.0,
                top + plot_h + 26.0
            );
        }
    }
    svg.push_str("</svg>");
    format!(
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        esc(title)
    )
}

/// Reference against current: overlaid bars (numeric bins) or paired bars (categories), as
/// shares of each table.
fn histogram_chart(name: &str, h: &Value, numeric: bool) -> String {
    let labels: Vec<&str> = h["labels"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap_or("")).collect())
        .unwrap_or_default();
    let counts = |k: &str| -> Vec<f64> {
        h[k].as_array()
            .map(|a| a.iter().map(|v| v.as_f64().unwrap_or(0.0)).collect())
            .unwrap_or_default()
    };
    let (r, c) = (counts("reference"), counts("current"));
    let (rt, ct) = (
        r.iter().sum::<f64>().max(1.0),
        c.iter().sum::<f64>().max(1.0),
    );
    let rs: Vec<f64> = r.iter().map(|x| x / rt).collect();
    let cs: Vec<f64> = c.iter().map(|x| x / ct).collect();
    let max = rs
        .iter()
        .chain(&cs)
        .cloned()
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let n = labels.len().max(1);
    let bw = (260.0 / n as f64).clamp(4.0, 24.0);
    let w = (bw * n as f64 + 20.0).max(120.0);
    let hh = 90.0;
    let alt: Vec<String> = labels
        .iter()
        .zip(rs.iter().zip(&cs))
        .map(|(l, (a, b))| format!("{l}: reference {}, current {}", percent(*a), percent(*b)))
        .collect();
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{:.0}\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        hh + 14.0,
        esc(&format!("{name}: {}", alt.join("; "))),
        esc(&format!("{name}: reference (blue) against current (pink)"))
    );
    for (i, (a, b)) in rs.iter().zip(&cs).enumerate() {
        let x = 10.0 + i as f64 * bw;
        let ha = hh * a / max;
        let hb = hh * b / max;
        if numeric {
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{ha:.1}\" fill=\"#0969da\" fill-opacity=\"0.35\"/><rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{hb:.1}\" fill=\"none\" stroke=\"#bf3989\" stroke-width=\"1.5\"/>",
                hh - ha, bw - 1.0, hh - hb, bw - 1.0
            );
        } else {
            let half = (bw - 1.0) / 2.0;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{half:.1}\" height=\"{ha:.1}\" fill=\"#0969da\"/><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{half:.1}\" height=\"{hb:.1}\" fill=\"#bf3989\"/>",
                hh - ha, x + half, hh - hb
            );
        }
    }
    let _ = write!(
        svg,
        "<line x1=\"8\" x2=\"{w:.0}\" y1=\"{hh}\" y2=\"{hh}\" stroke=\"#57606a\"/>"
    );
    svg.push_str("</svg>");
    svg
}

fn findings_table(out: &mut String, findings: &[&Finding]) {
    if findings.is_empty() {
        out.push_str("<p class=\"muted\">No findings.</p>");
        return;
    }
    out.push_str("<table><thead><tr><th>Status</th><th>Check</th><th>Subject</th><th>Value</th><th>Threshold</th><th>Finding</th><th>Controls</th></tr></thead><tbody>");
    for f in findings {
        let subj = [
            f.subject.attribute.as_deref().map(|a| {
                format!(
                    "{a}{}",
                    f.subject
                        .group
                        .as_deref()
                        .map(|g| format!(" = {g}"))
                        .unwrap_or_default()
                )
            }),
            f.subject.column.clone(),
            f.subject
                .reference_group
                .as_deref()
                .map(|r| format!("vs {r}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let th = f
            .threshold
            .map(|t| {
                format!(
                    "warn {} / fail {} ({})",
                    t.warn,
                    t.fail,
                    if t.direction == crate::evidence::policy::Direction::Above {
                        "above"
                    } else {
                        "below"
                    }
                )
            })
            .unwrap_or_default();
        let controls: Vec<String> = f
            .controls
            .iter()
            .map(|c| format!("<span title=\"{}\">{}</span>", esc(&c.title), esc(&c.id)))
            .collect();
        let _ = write!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"num\">{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            status_badge(f.status.as_str()),
            esc(&f.kind),
            esc(&subj),
            num(f.value, 3),
            f.interval.map(|i| format!(" [{}, {}]", num(Some(i[0]), 3), num(Some(i[1]), 3))).unwrap_or_default(),
            esc(&th),
            esc(&f.message),
            controls.join(", ")
        );
    }
    out.push_str("</tbody></table>");
}

/// Renders the evidence as one self-contained HTML page.
pub fn render_html(e: &Evidence, ledger: Option<&LedgerPosition>) -> String {
    let mut o = String::new();
    let title = format!("fairgauge report: {}", e.system.name);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><title>{}</title><style>{STYLE}</style></head><body>",
        esc(&title)
    );
    // 1. Summary.
    let _ = write!(
        o,
        "<header><h1>{}</h1><p class=\"muted\">System <code>{}</code>{}{} · run <code>{}</code> · {}</p></header>",
        esc(&e.system.name),
        esc(&e.system.id),
        if e.system.owner.is_empty() { String::new() } else { format!(" · owner {}", esc(&e.system.owner)) },
        if e.system.intended_use.is_empty() { String::new() } else { format!(" · {}", esc(&e.system.intended_use)) },
        esc(&e.run.id),
        esc(&e.run.finished_at)
    );
    o.push_str("<section id=\"summary\"><h2>Summary</h2>");
    let _ = write!(
        o,
        "<p>Overall: {} — {}</p>",
        status_badge(e.summary.overall.as_str()),
        if e.summary.passed {
            "no finding fails the policy."
        } else {
            "at least one finding fails the policy."
        }
    );
    o.push_str("<div class=\"cards\">");
    for k in ["pass", "warn", "fail", "insufficient_data", "error"] {
        let _ = write!(
            o,
            "<div class=\"card\">{}<b>{}</b></div>",
            status_badge(k),
            e.summary.findings.get(k).copied().unwrap_or(0)
        );
    }
    o.push_str("</div><h3>Datasets</h3><table><thead><tr><th>Role</th><th>File</th><th>Format</th><th>Rows</th><th>Columns</th><th>Fingerprints</th></tr></thead><tbody>");
    for d in &e.datasets {
        let _ = write!(
            o,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>file <code>{}</code><br>content <code>{}</code><br>schema <code>{}</code></td></tr>",
            esc(&d.role), esc(&d.path.display().to_string()), esc(&d.format), d.rows, d.columns,
            esc(d.file_sha256.as_deref().unwrap_or("in memory (no file)")), esc(&d.content_fingerprint), esc(&d.schema_fingerprint)
        );
    }
    o.push_str("</tbody></table><h3>Risks, by score</h3>");
    if e.risks.is_empty() {
        o.push_str("<p class=\"muted\">No risks: every finding passes.</p>");
    } else {
        o.push_str("<table><thead><tr><th>Id</th><th>Risk</th><th>Category</th><th>Rating</th><th>Score (L×I)</th><th>Treatment</th><th>Controls</th></tr></thead><tbody>");
        for r in &e.risks {
            let controls: Vec<String> = r
                .controls
                .iter()
                .map(|c| format!("<span title=\"{}\">{}</span>", esc(&c.title), esc(&c.id)))
                .collect();
            let _ = write!(
                o,
                "<tr><td><code>{}</code></td><td>{}<br><span class=\"muted\">{}</span></td><td>{}</td><td>{}</td><td class=\"num\">{} = {}×{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.id), esc(&r.title), esc(&r.description), esc(r.category.as_str()), status_badge(r.rating.as_str()),
                r.score, r.likelihood, r.impact,
                esc(&serde_json::to_value(r.treatment).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()),
                controls.join(", ")
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str("</section>");

    // 2. Fairness.
    o.push_str("<section id=\"fairness\"><h2>Fairness</h2>");
    match e.results.get("fairness") {
        Some(fr) => {
            let groups = fr["groups"].as_array().cloned().unwrap_or_default();
            let attrs: Vec<String> = fr["attributes"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            for attr in &attrs {
                let _ = write!(o, "<h3>By {}</h3><div class=\"charts\">", esc(attr));
                let gs: Vec<&Value> = groups
                    .iter()
                    .filter(|g| s(g, "attribute") == attr)
                    .collect();
                let reference_sel = gs
                    .iter()
                    .find(|g| g["reference"].as_bool() == Some(true))
                    .and_then(|g| f(g, "selection_rate"));
                for (metric, label) in [
                    ("selection_rate", "Selection rate"),
                    ("tpr", "True positive rate"),
                    ("fpr", "False positive rate"),
                    ("base_rate", "Base rate (labels)"),
                ] {
                    if gs
                        .iter()
                        .all(|g| g.get(metric).map(Value::is_null).unwrap_or(true))
                    {
                        continue;
                    }
                    if metric == "base_rate" && gs.iter().any(|g| f(g, "selection_rate").is_some())
                    {
                        continue;
                    }
                    let bars: Vec<Bar> = gs
                        .iter()
                        .map(|g| {
                            let ci = g["ci"][metric]
                                .as_array()
                                .and_then(|a| Some([a.first()?.as_f64()?, a.get(1)?.as_f64()?]));
                            (
                                s(g, "group").to_string(),
                                f(g, metric),
                                ci,
                                g["reference"].as_bool() == Some(true),
                                g["insufficient_data"].as_bool() == Some(true),
                            )
                        })
                        .collect();
                    let band = (metric == "selection_rate")
                        .then(|| reference_sel.map(|r| 0.8 * r))
                        .flatten();
                    o.push_str(&rate_chart(&format!("{label} by {attr}"), &bars, band));
                }
                o.push_str("</div>");
                let fs: Vec<&Finding> = e
                    .findings
                    .iter()
                    .filter(|x| {
                        x.kind.starts_with("fairness.")
                            && x.subject.attribute.as_deref() == Some(attr.as_str())
                    })
                    .collect();
                findings_table(&mut o, &fs);
            }
            let other: Vec<&Finding> = e
                .findings
                .iter()
                .filter(|x| x.kind.starts_with("fairness.") && x.subject.attribute.is_none())
                .collect();
            if !other.is_empty() {
                findings_table(&mut o, &other);
            }
        }
        None => {
            let fs: Vec<&Finding> = e
                .findings
                .iter()
                .filter(|x| x.kind.starts_with("fairness."))
                .collect();
            o.push_str("<p class=\"muted\">Fairness was not assessed.</p>");
            findings_table(&mut o, &fs);
        }
    }
    o.push_str("</section>");

    // 3. Drift.
    o.push_str("<section id=\"drift\"><h2>Drift</h2>");
    match e.results.get("drift") {
        Some(dr) => {
            let ds = &dr["dataset"];
            let _ = write!(o, "<p>{} of {} columns drifted by the method's own test (share {}, threshold {}).</p>", ds["drifted_columns"], ds["columns"], num(f(ds, "share"), 3), num(f(ds, "threshold"), 2));
            let mut cols: Vec<&Value> = dr["columns"]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let status_of = |name: &str| -> FindingStatus {
                e.findings
                    .iter()
                    .find(|x| x.kind == "drift.psi" && x.subject.column.as_deref() == Some(name))
                    .map(|x| x.status)
                    .unwrap_or(FindingStatus::Pass)
            };
            cols.sort_by(|a, b| {
                status_of(s(b, "name")).cmp(&status_of(s(a, "name"))).then(
                    f(&b["effects"], "psi")
                        .unwrap_or(0.0)
                        .total_cmp(&f(&a["effects"], "psi").unwrap_or(0.0)),
                )
            });
            o.push_str("<table><thead><tr><th>Column</th><th>Status</th><th>Method</th><th>Statistic</th><th>p (adj.)</th><th>Threshold</th><th>PSI</th><th>Reference (blue) vs current (pink)</th></tr></thead><tbody>");
            for c in cols {
                let name = s(c, "name");
                let chart = c
                    .get("histogram")
                    .filter(|h| !h.is_null())
                    .map(|h| histogram_chart(name, h, s(c, "kind") == "numeric"))
                    .unwrap_or_default();
                let _ = write!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{chart}</td></tr>",
                    esc(name), status_badge(status_of(name).as_str()), esc(s(c, "method")), num(f(c, "statistic"), 4), num(f(c, "p_value_adjusted"), 4), num(f(c, "threshold"), 3), num(f(&c["effects"], "psi"), 4)
                );
            }
            o.push_str("</tbody></table>");
        }
        None => o.push_str("<p class=\"muted\">Drift was not assessed (no reference data).</p>"),
    }
    o.push_str("</section>");

    // 4. Quality.
    o.push_str("<section id=\"quality\"><h2>Data quality</h2>");
    match e.results.get("quality") {
        Some(q) => {
            let d = &q["dataset"];
            let _ = write!(
                o,
                "<p>Quality score <b>{}</b>/100 · {} rows · {} duplicate rows in {} groups{}{}</p>",
                num(f(d, "score"), 1),
                d["rows"],
                d["duplicates"]["extra_rows"],
                d["duplicates"]["groups"],
                d.get("leakage")
                    .filter(|l| !l.is_null())
                    .map(|l| format!(" · {} rows also in the reference", l["rows"]))
                    .unwrap_or_default(),
                d.get("conflicting_labels")
                    .filter(|l| !l.is_null())
                    .map(|l| format!(" · {} rows with conflicting labels", l["rows"]))
                    .unwrap_or_default()
            );
            o.push_str("<table><thead><tr><th>Column</th><th>Kind</th><th>Missing</th><th>Distinct</th><th>Placeholders</th><th>Score</th></tr></thead><tbody>");
            for c in q["columns"].as_array().cloned().unwrap_or_default() {
                let share = f(&c["missing"], "share").unwrap_or(0.0);
                let ph: Vec<String> = c["missing"]["suspected"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|p| format!("{} ×{}", s(p, "value"), p["count"]))
                            .collect()
                    })
                    .unwrap_or_default();
                let conf: Vec<String> = c["missing"]["configured"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| format!("{k} ×{v} (configured)"))
                            .collect()
                    })
                    .unwrap_or_default();
                let _ = write!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td class=\"num\"><span class=\"barbox\" role=\"img\" aria-label=\"{} missing\"><span class=\"bar\" style=\"width:{:.0}%\"></span></span>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                    esc(s(&c, "name")), esc(s(&c, "kind")), esc(&percent(share)), (share * 100.0).clamp(0.0, 100.0), esc(&percent(share)), c["distinct"], esc(&conf.into_iter().chain(ph).collect::<Vec<_>>().join(", ")), num(f(&c, "score"), 1)
                );
            }
            o.push_str("</tbody></table><h3>Checks that did not pass</h3>");
            let bad: Vec<&Value> = q["checks"]
                .as_array()
                .map(|a| a.iter().filter(|c| s(c, "status") != "pass").collect())
                .unwrap_or_default();
            if bad.is_empty() {
                o.push_str("<p class=\"muted\">Every quality check passes.</p>");
            } else {
                o.push_str("<table><thead><tr><th>Status</th><th>Check</th><th>Finding</th><th>Example rows</th></tr></thead><tbody>");
                for c in bad {
                    let ex: Vec<String> = c["examples"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|x| match x["value"].as_str() {
                                    Some(v) => format!("row {}: {v}", x["row"]),
                                    None => format!("row {}", x["row"]),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let _ = write!(
                        o,
                        "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                        status_badge(s(c, "status")),
                        esc(s(c, "id")),
                        esc(s(c, "message")),
                        esc(&ex.join("; "))
                    );
                }
                o.push_str("</tbody></table>");
            }
        }
        None => o.push_str("<p class=\"muted\">Data quality was not assessed.</p>"),
    }
    o.push_str("</section>");

    // 5. Provenance.
    o.push_str("<section id=\"provenance\"><h2>Provenance</h2><table><tbody>");
    let rows: Vec<(&str, String)> = vec![
        ("Tool", format!("{} {}", e.run.tool, e.run.tool_version)),
        ("Run id", e.run.id.clone()),
        (
            "Started / finished",
            format!("{} / {}", e.run.started_at, e.run.finished_at),
        ),
        (
            "Policy",
            format!(
                "{} ({})",
                e.run
                    .policy_path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "built-in default".into()),
                e.run.policy_sha256
            ),
        ),
        ("Evidence format", e.schema_version.clone()),
        (
            "Ledger",
            match ledger {
                Some(l) => format!("record {} of {} ({})", l.seq, l.path, l.record_sha256),
                None => "not recorded in a ledger".into(),
            },
        ),
        ("Command line", e.run.command_line.join(" ")),
    ];
    for (k, v) in rows {
        let _ = write!(
            o,
            "<tr><th>{}</th><td><code>{}</code></td></tr>",
            esc(k),
            esc(&v)
        );
    }
    o.push_str("</tbody></table></section></body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            esc("\"><img src=x onerror=alert(2)>"),
            "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
        );
        assert_eq!(esc("a'b&c"), "a&#39;b&amp;c");
        assert_eq!(esc("x\u{1}y"), "x\u{FFFD}y");
    }
}
