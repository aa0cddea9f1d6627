//! JUnit XML: one test case per finding, failures and skips as CI systems read them.

use super::words::*;
use crate::evidence::document::{Evidence, Finding, FindingStatus};
use std::fmt::Write as _;

// ---------------------------------------------------------------------------------------------
// JUnit XML
// ---------------------------------------------------------------------------------------------

/// JUnit XML for CI: `<testsuites name="fairgauge">` with one `<testsuite>` per category (`bias`,
/// `data_quality`, `drift`, `provenance`, empty ones included) and one `<testcase
/// classname="fairgauge.<category>" name="<kind> <subject>">` per finding. A failure is a
/// `<failure>`, an error an `<error>`, too little data a `<skipped>`, a warning a pass with
/// `<system-out>warning: …</system-out>`; the details hold the message, the finding and risk ids,
/// the metric, the thresholds and the controls. Counts (`tests`, `failures`, `errors`,
/// `skipped`) are on every suite and on the root. Text is escaped (`&`, `<`, `>`, `"`, `'`; line
/// breaks and tabs in attributes as character references) and characters XML 1.0 does not allow
/// are removed. When the evidence was filed in a ledger, each suite has the property
/// `ledger_head` (`record <seq> sha256:<hex>`).
pub fn junit_xml(e: &Evidence) -> String {
    let count = |fs: &[&Finding], s: FindingStatus| fs.iter().filter(|f| f.status == s).count();
    let all: Vec<&Finding> = e.findings.iter().collect();
    let head = ledger_head(e);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"fairgauge\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        all.len(),
        count(&all, FindingStatus::Fail),
        count(&all, FindingStatus::Error),
        count(&all, FindingStatus::InsufficientData),
    );
    for cat in CATEGORIES {
        let fs: Vec<&Finding> = all.iter().copied().filter(|f| f.category == cat).collect();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            cat.as_str(),
            fs.len(),
            count(&fs, FindingStatus::Fail),
            count(&fs, FindingStatus::Error),
            count(&fs, FindingStatus::InsufficientData),
        );
        if let Some(head) = &head {
            let _ = writeln!(
                out,
                "    <properties>\n      <property name=\"ledger_head\" value=\"{}\"/>\n    </properties>",
                xml_attr(head)
            );
        }
        for f in fs {
            let _ = write!(
                out,
                "    <testcase classname=\"fairgauge.{}\" name=\"{}\"",
                cat.as_str(),
                xml_attr(&test_name(f))
            );
            let message = xml_attr(&f.message);
            match f.status {
                FindingStatus::Pass => out.push_str("/>\n"),
                FindingStatus::Fail | FindingStatus::Error => {
                    let tag = if f.status == FindingStatus::Fail {
                        "failure"
                    } else {
                        "error"
                    };
                    let _ = write!(
                        out,
                        ">\n      <{tag} message=\"{message}\" type=\"{}\">{}</{tag}>\n    </testcase>\n",
                        xml_attr(&f.kind),
                        xml_text(&details(f)),
                    );
                }
                FindingStatus::InsufficientData => {
                    let _ = write!(
                        out,
                        ">\n      <skipped message=\"{message}\"/>\n    </testcase>\n"
                    );
                }
                FindingStatus::Warn => {
                    let _ = write!(
                        out,
                        ">\n      <system-out>{}</system-out>\n    </testcase>\n",
                        xml_text(&format!("warning: {}", details(f))),
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// A finding in a few lines of plain text.
pub(crate) fn details(f: &Finding) -> String {
    let mut d = String::new();
    let _ = writeln!(d, "{}", f.message);
    let _ = writeln!(d, "finding: {} ({})", f.id, f.kind);
    let subject = subject_text(&f.subject);
    if !subject.is_empty() {
        let _ = writeln!(d, "subject: {subject}");
    }
    let value = f.value.map(num).unwrap_or_else(|| "n/a".to_string());
    let _ = writeln!(d, "metric: {} = {value}", f.metric);
    if let Some(t) = &f.threshold {
        let _ = writeln!(d, "threshold: {}", threshold_text(t));
    }
    if let Some([lo, hi]) = f.interval {
        let _ = writeln!(d, "interval: [{}, {}]", num(lo), num(hi));
    }
    if let Some(p) = f.p_value {
        let _ = writeln!(d, "p-value: {}", num(p));
    }
    if let Some(r) = &f.risk_id {
        let _ = writeln!(d, "risk: {r}");
    }
    if !f.controls.is_empty() {
        let ids: Vec<&str> = f.controls.iter().map(|c| c.id.as_str()).collect();
        let _ = writeln!(d, "controls: {}", ids.join(", "));
    }
    d
}

/// Whether XML 1.0 allows the character (§2.2).
pub(crate) fn xml_allowed(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

pub(crate) fn xml_escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Parsers normalise a raw CR (and, in attributes, LF and tab) away.
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c if xml_allowed(c) => out.push(c),
            _ => {}
        }
    }
    out
}

pub(crate) fn xml_attr(s: &str) -> String {
    xml_escape(s, true)
}

pub(crate) fn xml_text(s: &str) -> String {
    xml_escape(s, false)
}
