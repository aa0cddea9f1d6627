//! The quality report for a terminal: dataset facts, one line per column, then every check that
//! did not pass, with examples.

use std::fmt::Write;

use fairgauge::quality::{Check, ColumnReport, QualityReport, Status};

use crate::render::text::{finish, name_width, shown};

/// The dataset's lines: size, score, checks, duplicates, approximate profiles, fingerprints.
fn dataset(s: &mut String, r: &QualityReport) {
    let d = &r.dataset;
    let _ = writeln!(
        s,
        "fairgauge quality  {} ({} rows × {} columns, {})",
        d.path.display(),
        d.rows,
        d.columns,
        d.format
    );
    let _ = writeln!(
        s,
        "score {:.1}/100  status {:?}  checks: {} pass, {} warn, {} fail",
        d.score, d.status, r.summary.pass, r.summary.warn, r.summary.fail
    );
    let _ = writeln!(
        s,
        "duplicates: {} extra rows in {} groups{}",
        d.duplicates.extra_rows,
        d.duplicates.groups,
        if d.empty_rows > 0 {
            format!("; {} empty rows", d.empty_rows)
        } else {
            String::new()
        }
    );
    let sketched: Vec<&ColumnReport> = r
        .columns
        .iter()
        .filter(|c| c.numeric_sketch.as_ref().is_some_and(|n| !n.exact))
        .collect();
    if let Some(info) = sketched.first().and_then(|c| c.numeric_sketch.as_ref()) {
        let names: Vec<&str> = sketched.iter().map(|c| c.name.as_str()).collect();
        let _ = writeln!(
            s,
            "bounded memory: approximate numeric profiles (KLL k = {}, ranks and counts within {:.2}% of the rows) for {}",
            info.k,
            100.0 * info.rank_error,
            names.join(", ")
        );
    }
    let f = &d.fingerprints;
    if let Some(sha) = &f.file_sha256 {
        let _ = writeln!(s, "file    {sha}");
    }
    let _ = writeln!(s, "content {}", f.content);
    let _ = writeln!(s, "schema  {}\n", f.schema);
}

fn columns(s: &mut String, r: &QualityReport) {
    let w = name_width(r.columns.iter().map(|c| c.name.as_str()));
    let _ = writeln!(
        s,
        "  {:<w$}  {:<12}  {:>8}  {:>9}  {:>9}  {:>5}  placeholders",
        "column", "kind", "missing", "distinct", "top share", "score"
    );
    for c in &r.columns {
        let ph: Vec<String> = c
            .missing
            .configured
            .iter()
            .map(|(k, v)| format!("{}×{v} (configured)", shown(k)))
            .chain(
                c.missing
                    .suspected
                    .iter()
                    .map(|p| format!("{}×{}", shown(&p.value), p.count)),
            )
            .collect();
        let _ = writeln!(
            s,
            "  {:<w$}  {:<12}  {:>8}  {:>9}  {:>9}  {:>5.1}  {}",
            shown(&c.name),
            c.kind,
            c.missing
                .share
                .map(|x| format!("{:.2}%", x * 100.0))
                .unwrap_or_default(),
            c.distinct,
            c.top
                .first()
                .map(|t| format!("{:.3}", t.share))
                .unwrap_or_default(),
            c.score,
            ph.join(", ")
        );
    }
}

fn failing_checks(s: &mut String, r: &QualityReport) {
    let bad: Vec<&Check> = r
        .checks
        .iter()
        .filter(|c| c.status != Status::Pass)
        .collect();
    if bad.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nchecks that did not pass:");
    for c in bad {
        let status = match c.status {
            Status::Fail => "FAIL",
            Status::Warn => "warn",
            Status::Pass => "pass",
        };
        let _ = writeln!(s, "  {status}  {}: {}", shown(&c.id), shown(&c.message));
        if !c.examples.is_empty() {
            let ex: Vec<String> = c
                .examples
                .iter()
                .map(|e| match &e.value {
                    Some(v) => format!("row {} `{}`", e.row, shown(v)),
                    None => format!("row {}", e.row),
                })
                .collect();
            let _ = writeln!(s, "        e.g. {}", ex.join(", "));
        }
    }
}

/// The quality report for a terminal: dataset facts, one line per column, then every check
/// that did not pass, with examples.
pub fn quality_text(r: &QualityReport) -> String {
    let mut s = String::new();
    dataset(&mut s, r);
    columns(&mut s, r);
    failing_checks(&mut s, r);
    for k in &r.skipped {
        let _ = writeln!(s, "  skipped: {k}");
    }
    finish(s)
}
