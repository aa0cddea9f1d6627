//! The provenance section: the tool and run, the policy and its digest, the evidence format, the
//! ledger record (when the evidence was recorded in one) and the command line.

use std::fmt::Write;

use crate::evidence::document::Evidence;
use crate::evidence::html::escape::{esc, esc_text};
use crate::evidence::ledger::{filed_head, head_text};

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

/// Appends the provenance section.
pub fn provenance_section(o: &mut String, e: &Evidence, ledger: Option<&LedgerPosition>) {
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
            match (ledger, filed_head(e)) {
                (Some(l), _) => format!("{} in {}", head_text(l.seq, &l.record_sha256), l.path),
                (None, Some((seq, head))) => head_text(seq, &head),
                (None, None) => "not recorded in a ledger".into(),
            },
        ),
        ("Command line", e.run.command_line.join(" ")),
    ];
    for (k, v) in rows {
        let _ = write!(
            o,
            "<tr><th>{}</th><td><code>{}</code></td></tr>",
            esc(k),
            esc_text(&v)
        );
    }
    o.push_str("</tbody></table></section>");
}
