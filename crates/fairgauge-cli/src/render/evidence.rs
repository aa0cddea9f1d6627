//! An assessment for a terminal: the verdict, counts, risks by score and the findings that did
//! not pass.

use std::fmt::Write;

use fairgauge::evidence::{Evidence, Finding, FindingStatus};

use crate::render::text::finish;

fn risks(s: &mut String, e: &Evidence) {
    if e.risks.is_empty() {
        return;
    }
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
            r.treatment.as_str(),
            ids.join(" ")
        );
    }
}

/// An assessment for a terminal: the verdict, counts, risks by score and the findings that did
/// not pass.
pub fn evidence_text(e: &Evidence) -> String {
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
    risks(&mut s, e);
    let bad: Vec<&Finding> = e
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
