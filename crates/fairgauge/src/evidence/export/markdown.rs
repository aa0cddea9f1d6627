//! The Markdown summary (for a pull request or a CI job summary): verdict, risks, findings.

use super::words::*;
use crate::evidence::document::{Evidence, FindingStatus, Risk};
use std::fmt::Write as _;

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

/// A Markdown summary (GitHub-flavoured): the system's name as the title, the overall status
/// with counts, the run and the policy, a datasets table with the fingerprints, the counts by
/// status, the risks by score (id, title, rating, score, treatment, controls), then the failing
/// findings (fail and error), the warnings and the findings with too little data, with their
/// messages. Text from the data is backslash-escaped (so `|` cannot split a table cell, nor `<`
/// open HTML) and line breaks in it become `<br>`.
pub fn markdown_summary(e: &Evidence) -> String {
    let mut o = String::new();
    let counts = status_counts(e);
    header(&mut o, e, counts);
    datasets(&mut o, e);
    o.push_str("## Findings by status\n\n");
    let mut rows: Vec<Vec<String>> = STATUSES
        .iter()
        .zip(counts)
        .map(|(s, n)| vec![s.as_str().to_string(), n.to_string()])
        .collect();
    rows.push(vec!["total".into(), e.findings.len().to_string()]);
    md_table(&mut o, &[("status", false), ("count", true)], &rows, "");
    risks(&mut o, e);
    findings(&mut o, e);
    o
}

/// The title, the verdict with its counts, the system, the run and the policy.
fn header(o: &mut String, e: &Evidence, counts: [usize; 5]) {
    let _ = writeln!(*o, "# fairgauge evidence: {}\n", md_text(system_name(e)));
    let overall = e.summary.overall.as_str().to_uppercase();
    let _ = writeln!(
        *o,
        "**Overall: {overall}** — {} findings: {} fail, {} error, {} warn, {} insufficient data, {} pass.\n",
        e.findings.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4],
    );
    let _ = writeln!(
        *o,
        "- **System:** {} ({})",
        md_text(system_name(e)),
        md_code_or_text(&e.system.id)
    );
    if !e.system.owner.trim().is_empty() {
        let _ = writeln!(*o, "- **Owner:** {}", md_text(&e.system.owner));
    }
    if !e.system.intended_use.trim().is_empty() {
        let _ = writeln!(
            *o,
            "- **Intended use:** {}",
            md_text(&e.system.intended_use)
        );
    }
    let _ = writeln!(
        *o,
        "- **Run:** {} by {} {}, {} to {}",
        md_code_or_text(&e.run.id),
        md_text(&e.run.tool),
        md_text(&e.run.tool_version),
        md_text(&e.run.started_at),
        md_text(&e.run.finished_at),
    );
    let policy = match &e.run.policy_path {
        Some(p) => md_text(&p.display().to_string()),
        None => "built-in".to_string(),
    };
    let _ = writeln!(
        *o,
        "- **Policy:** {policy}, {}",
        md_code_or_text(&e.run.policy_sha256)
    );
    if let Some(head) = ledger_head(e) {
        // Our own text (digits and hex): safe in a code span.
        let _ = writeln!(*o, "- **Ledger head:** `{head}`");
    }
    o.push('\n');
}

/// The datasets read, with their digests and fingerprints.
fn datasets(o: &mut String, e: &Evidence) {
    o.push_str("## Datasets\n\n");
    let rows: Vec<Vec<String>> = e
        .datasets
        .iter()
        .map(|d| {
            vec![
                md_text(&d.role),
                md_text(&d.path.display().to_string()),
                md_text(&d.format),
                d.rows.to_string(),
                d.columns.to_string(),
                md_code_or_text(d.file_sha256.as_deref().unwrap_or("in memory")),
                md_code_or_text(&d.content_fingerprint),
                md_code_or_text(&d.schema_fingerprint),
            ]
        })
        .collect();
    md_table(
        o,
        &[
            ("role", false),
            ("file", false),
            ("format", false),
            ("rows", true),
            ("columns", true),
            ("file sha256", false),
            ("content fingerprint", false),
            ("schema fingerprint", false),
        ],
        &rows,
        "No dataset was read.",
    );
}

/// The risks, highest score first.
fn risks(o: &mut String, e: &Evidence) {
    o.push_str("## Risks\n\n");
    let mut risks: Vec<&Risk> = e.risks.iter().collect();
    risks.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    let rows: Vec<Vec<String>> = risks
        .iter()
        .map(|r| {
            let controls: Vec<String> = r.controls.iter().map(|c| md_text(&c.id)).collect();
            vec![
                md_code_or_text(&r.id),
                md_text(&r.title),
                r.rating.as_str().to_string(),
                r.score.to_string(),
                r.treatment.as_str().to_string(),
                controls.join(", "),
            ]
        })
        .collect();
    md_table(
        o,
        &[
            ("id", false),
            ("title", false),
            ("rating", false),
            ("score", true),
            ("treatment", false),
            ("controls", false),
        ],
        &rows,
        "No risk.",
    );
}

/// The findings that did not pass, by verdict: failing, warnings, too little data.
fn findings(o: &mut String, e: &Evidence) {
    for (title, statuses) in [
        (
            "Failing findings",
            &[FindingStatus::Fail, FindingStatus::Error][..],
        ),
        ("Warnings", &[FindingStatus::Warn][..]),
        ("Too little data", &[FindingStatus::InsufficientData][..]),
    ] {
        let _ = writeln!(*o, "## {title}\n");
        let mut any = false;
        for f in e.findings.iter().filter(|f| statuses.contains(&f.status)) {
            any = true;
            let subject = subject_text(&f.subject);
            let _ = write!(
                *o,
                "- **{}** {} {}",
                md_text(f.status.as_str()),
                md_code_or_text(&f.id),
                md_text(&f.kind)
            );
            if !subject.is_empty() {
                let _ = write!(*o, " ({})", md_text(&subject));
            }
            let _ = write!(*o, ": {}", md_text(&f.message));
            let mut facts = Vec::new();
            if let Some(v) = f.value {
                facts.push(format!("{} = {}", md_text(&f.metric), num(v)));
            }
            if let Some(t) = &f.threshold {
                facts.push(md_text(&threshold_text(t)));
            }
            if let Some(r) = &f.risk_id {
                facts.push(format!("risk {}", md_code_or_text(r)));
            }
            if !facts.is_empty() {
                let _ = write!(*o, " ({})", facts.join("; "));
            }
            o.push('\n');
        }
        o.push_str(if any { "\n" } else { "None.\n\n" });
    }
}

/// A GFM table (columns: header, right-aligned); `empty` (a paragraph) when there are no rows.
pub(crate) fn md_table(
    o: &mut String,
    columns: &[(&str, bool)],
    rows: &[Vec<String>],
    empty: &str,
) {
    if rows.is_empty() && !empty.is_empty() {
        let _ = writeln!(o, "{empty}\n");
        return;
    }
    let header: Vec<&str> = columns.iter().map(|c| c.0).collect();
    let align: Vec<&str> = columns
        .iter()
        .map(|c| if c.1 { "---:" } else { "---" })
        .collect();
    let _ = writeln!(o, "| {} |", header.join(" | "));
    let _ = writeln!(o, "|{}|", align.join("|"));
    for r in rows {
        let _ = writeln!(o, "| {} |", r.join(" | "));
    }
    o.push('\n');
}

/// Text from the data for Markdown: line breaks as `<br>`.
pub(crate) fn md_text(s: &str) -> String {
    md_escape(s, "<br>")
}

/// A code span for ids and digests (letters, digits and `:._-/+=`), escaped text otherwise.
pub(crate) fn md_code_or_text(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":._-/+=".contains(&b));
    if plain {
        format!("`{s}`")
    } else {
        md_text(s)
    }
}
