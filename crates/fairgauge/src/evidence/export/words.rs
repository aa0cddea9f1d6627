//! How findings are named and summed up in every export: subjects, values, thresholds,
//! verdict meanings and counts, the worst findings of a risk.

use crate::evidence::document::{
    Category, Evidence, Finding, FindingStatus, JudgedThreshold, Risk, Subject,
};
use crate::evidence::policy::Direction;

/// Whitespace runs (line breaks included) as one space, control characters dropped, trimmed.
pub(crate) fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else if !c.is_control() {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

pub(crate) fn status_meaning(s: FindingStatus) -> &'static str {
    match s {
        FindingStatus::Pass => "within thresholds",
        FindingStatus::InsufficientData => "too little data to judge",
        FindingStatus::Warn => "past the warning threshold",
        FindingStatus::Fail => "past the failure threshold",
        FindingStatus::Error => "the check could not run",
    }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

pub(crate) fn system_name(e: &Evidence) -> &str {
    if e.system.name.trim().is_empty() {
        &e.system.id
    } else {
        &e.system.name
    }
}

pub(crate) fn direction_str(d: Direction) -> &'static str {
    match d {
        Direction::Above => "above",
        Direction::Below => "below",
    }
}

/// The subject in words: `sex=Female vs Male`, `age`, `age by sex=Female`.
pub(crate) fn subject_text(s: &Subject) -> String {
    let mut out = s.column.clone().unwrap_or_default();
    let who = match (&s.attribute, &s.group) {
        (Some(a), Some(g)) => format!("{a}={g}"),
        (Some(a), None) => a.clone(),
        (None, Some(g)) => g.clone(),
        (None, None) => String::new(),
    };
    if !who.is_empty() {
        if !out.is_empty() {
            out.push_str(" by ");
        }
        out.push_str(&who);
    }
    if let Some(r) = &s.reference_group {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str("vs ");
        out.push_str(r);
    }
    out
}

/// `<kind> <subject>`.
pub(crate) fn test_name(f: &Finding) -> String {
    let subject = subject_text(&f.subject);
    if subject.is_empty() {
        f.kind.clone()
    } else {
        format!("{} {subject}", f.kind)
    }
}

/// A number as Rust writes it (the shortest text that reads back the same).
pub(crate) fn num(v: f64) -> String {
    v.to_string()
}

pub(crate) fn value_text(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}

/// `fail below 0.8; warn below 0.9`.
pub(crate) fn threshold_text(t: &JudgedThreshold) -> String {
    let d = direction_str(t.direction);
    format!("fail {d} {}; warn {d} {}", num(t.fail), num(t.warn))
}

/// `sha256:abc…` → `abc…`.
pub(crate) fn strip_sha256(s: &str) -> &str {
    s.strip_prefix("sha256:").unwrap_or(s)
}

pub(crate) fn file_name(p: &std::path::Path) -> String {
    match p.file_name() {
        Some(n) => n.to_string_lossy().into_owned(),
        None => p.display().to_string(),
    }
}

/// Counts of findings in the order of [`STATUSES`].
pub(crate) fn status_counts(e: &Evidence) -> [usize; 5] {
    STATUSES.map(|s| e.findings.iter().filter(|f| f.status == s).count())
}

/// The findings behind a risk (listed by it or pointing at it), in evidence order.
pub(crate) fn findings_of<'a>(e: &'a Evidence, r: &Risk) -> Vec<&'a Finding> {
    e.findings
        .iter()
        .filter(|f| r.findings.contains(&f.id) || f.risk_id.as_deref() == Some(r.id.as_str()))
        .collect()
}

/// How bad a status is for the register: a measured failure before an error (which has no
/// value), then warn, too little data, pass.
pub(crate) fn rank(s: FindingStatus) -> u8 {
    match s {
        FindingStatus::Fail => 4,
        FindingStatus::Error => 3,
        FindingStatus::Warn => 2,
        FindingStatus::InsufficientData => 1,
        FindingStatus::Pass => 0,
    }
}

/// How far past its failure threshold a value is (larger is worse).
pub(crate) fn excess(f: &Finding) -> f64 {
    let x = match (f.value, &f.threshold) {
        (Some(v), Some(t)) => match t.direction {
            Direction::Above => v - t.fail,
            Direction::Below => t.fail - v,
        },
        _ => f64::NEG_INFINITY,
    };
    if x.is_nan() {
        f64::NEG_INFINITY
    } else {
        x
    }
}

/// The worst finding: highest [`rank`], then largest [`excess`], then first.
pub(crate) fn worst<'a>(fs: &[&'a Finding]) -> Option<&'a Finding> {
    let mut best: Option<&'a Finding> = None;
    for &f in fs {
        best = match best {
            Some(b) if (rank(b.status), excess(b)) >= (rank(f.status), excess(f)) => Some(b),
            _ => Some(f),
        };
    }
    best
}

/// The finding that drives a risk: the worst ([`worst`]) of those behind it in `findings`.
pub(crate) fn driving<'a>(findings: &'a [Finding], r: &Risk) -> Option<&'a Finding> {
    let fs: Vec<&Finding> = findings
        .iter()
        .filter(|f| r.findings.contains(&f.id) || f.risk_id.as_deref() == Some(r.id.as_str()))
        .collect();
    worst(&fs)
}

/// Distinct items joined, in first-seen order.
pub(crate) fn join_unique<'a>(items: impl Iterator<Item = &'a str>, sep: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for i in items {
        if !seen.contains(&i) {
            seen.push(i);
        }
    }
    seen.join(sep)
}

pub(crate) const CATEGORIES: [Category; 4] = [
    Category::Bias,
    Category::DataQuality,
    Category::Drift,
    Category::Provenance,
];

/// Statuses from the worst down, as the Markdown summary counts them.
pub(crate) const STATUSES: [FindingStatus; 5] = [
    FindingStatus::Fail,
    FindingStatus::Error,
    FindingStatus::Warn,
    FindingStatus::InsufficientData,
    FindingStatus::Pass,
];

/// Backslash-escapes the ASCII punctuation Markdown (GFM) gives a meaning inline, writes line
/// breaks as `newline` and other control characters as spaces.
pub(crate) fn md_escape(s: &str, newline: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str(newline);
            }
            '\n' => out.push_str(newline),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '#' | '~' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The ledger's head after the evidence was filed, as `record <seq> sha256:<hex>`, when it was
/// filed in one (see [`filed_head`](crate::evidence::ledger::filed_head)).
pub fn ledger_head(e: &Evidence) -> Option<String> {
    crate::evidence::ledger::filed_head(e)
        .map(|(seq, head)| crate::evidence::ledger::head_text(seq, &head))
}
