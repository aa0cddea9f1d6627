//! The page: the head (a Content-Security-Policy that forbids scripts, the inline stylesheet),
//! then the sections in order: summary, fairness, drift, data quality, provenance.

use crate::evidence::document::Evidence;
use crate::evidence::html::drift::drift_section;
use crate::evidence::html::escape::esc;
use crate::evidence::html::estimate::estimate_section;
use crate::evidence::html::fairness::fairness_section;
use crate::evidence::html::history::history_section;
use crate::evidence::html::provenance::{provenance_section, LedgerPosition};
use crate::evidence::html::quality::quality_section;
use crate::evidence::html::results;
use crate::evidence::html::summary::{header, summary_section};

const STYLE: &str = r#"
:root { --pass:#1a7f37; --warn:#9a6700; --fail:#cf222e; --info:#57606a; --ink:#1f2328; --line:#d0d7de; --ref:#0969da; --cur:#bf3989; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1400px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 32px; } h3 { font-size: 15px; margin: 18px 0 6px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
td { overflow-wrap: break-word; }
th { background: #f6f8fa; overflow-wrap: normal; word-break: keep-all; hyphens: none; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } td.num .iv { white-space: nowrap; display: inline-block; }
.status { display: inline-block; padding: 0 6px; border-radius: 10px; font-weight: 600; font-size: 12px; color: #fff; text-align: center; }
.status.pass { background: var(--pass); } .status.warn { background: var(--warn); } .status.fail, .status.error, .status.critical { background: var(--fail); }
.status.insufficient_data, .status.low { background: var(--info); } .status.medium { background: var(--warn); } .status.high { background: #bc4c00; }
.status.new, .status.worsening { background: var(--fail); } .status.open { background: var(--warn); } .status.improving, .status.resolved { background: var(--pass); }
.muted { color: var(--info); } code { font-size: 12px; overflow-wrap: break-word; } code.id { white-space: nowrap; overflow-wrap: normal; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; } .card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 110px; }
.card b { display: block; font-size: 20px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px 24px; } figure { margin: 0; max-width: 100%; } figcaption { font-size: 13px; color: var(--info); }
figure svg, td svg { max-width: 100%; height: auto; }
.bar { display: inline-block; height: 10px; background: var(--fail); vertical-align: middle; } .barbox { display: inline-block; width: 80px; height: 10px; background: #eaeef2; vertical-align: middle; margin-right: 4px; }
section { break-inside: auto; } figure, tr { break-inside: avoid; }
@media (max-width: 900px) { body { padding: 12px; } th, td { padding: 3px 4px; } table { font-size: 12px; } }
@page { margin: 14mm 12mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h1 { font-size: 18pt; } h2 { font-size: 14pt; margin-top: 18pt; } h3 { font-size: 11pt; }
  h2, h3 { break-after: avoid; } thead { display: table-header-group; }
  table { font-size: 8.5pt; } th, td { padding: 2px 4px; } code { font-size: 8pt; }
  tr, figure, .card { break-inside: avoid; } .charts { gap: 8pt 14pt; }
}
"#;

/// The start of a self-contained page titled `title`: the head (the Content-Security-Policy
/// that forbids scripts, the stylesheet) and the opening `<body>`.
pub fn page_start(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><title>{}</title><style>{STYLE}</style></head><body>",
        esc(title)
    )
}

/// Renders the evidence as one self-contained HTML page.
pub fn render_html(e: &Evidence, ledger: Option<&LedgerPosition>) -> String {
    let mut o = page_start(&format!("fairgauge report: {}", e.system.name));
    header(&mut o, e);
    summary_section(&mut o, e);
    let history = results::history(e);
    history_section(
        &mut o,
        e,
        history.as_ref().map(|r| r.as_ref().map_err(String::as_str)),
    );
    match results::estimate(e) {
        Some(Ok(est)) => estimate_section(&mut o, e, &est),
        _ => {
            let fairness = results::fairness(e);
            fairness_section(
                &mut o,
                e,
                fairness
                    .as_ref()
                    .map(|r| r.as_ref().map_err(String::as_str)),
            );
        }
    }
    let drift = results::drift(e);
    drift_section(
        &mut o,
        e,
        drift.as_ref().map(|r| r.as_ref().map_err(String::as_str)),
    );
    quality_section(&mut o, results::quality(e).as_ref());
    provenance_section(&mut o, e, ledger);
    o.push_str("</body></html>\n");
    o
}
