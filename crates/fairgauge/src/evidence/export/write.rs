//! Writing the evidence and every export at once, each file atomically, and appending the run
//! to the ledger.

use super::dsse::dsse_envelope;
use super::intoto::*;
use super::junit::*;
use super::markdown::*;
use super::oscal::*;
use super::register::*;
use crate::evidence::document::{json_sha256, Evidence};
use crate::evidence::ledger::{append_with, LedgerRecord, NewEntry};
use crate::io::write::{stage, write_atomic};
use serde_json::Value;

/// Where [`write_all`] writes the evidence and its exports (each optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputPaths {
    /// The evidence document (JSON).
    pub evidence: Option<std::path::PathBuf>,
    /// Risk-register CSV.
    pub register: Option<std::path::PathBuf>,
    /// OSCAL assessment results.
    pub oscal: Option<std::path::PathBuf>,
    /// JUnit XML.
    pub junit: Option<std::path::PathBuf>,
    /// Markdown summary.
    pub markdown: Option<std::path::PathBuf>,
    /// in-toto statement.
    pub attestation: Option<std::path::PathBuf>,
    /// Ledger to append a record to.
    pub ledger: Option<std::path::PathBuf>,
    /// The in-toto statement in a DSSE envelope signed with `sign_key`.
    pub attestation_envelope: Option<std::path::PathBuf>,
    /// Ed25519 key to sign the ledger record (and checkpoint) and the DSSE envelope with.
    pub sign_key: Option<std::path::PathBuf>,
    /// HTML report.
    pub html: Option<std::path::PathBuf>,
}

pub use crate::evidence::document::evidence_json;

/// Writes the evidence and every export asked for. With a ledger, the evidence is filed first:
/// under the ledger's lock its position goes into `run.ledger`, the evidence is written in full
/// to a temporary file and its digest appended ([`append_with`]); once the record is in, the
/// evidence file is put in place. The exports, written after, name the ledger's head (see
/// [`filed_head`](crate::evidence::ledger::filed_head)). Without a ledger, evidence filed before
/// keeps its `run.ledger` (its bytes are then the filed bytes). An empty `finished_at` is set to
/// now (the record's time must be the evidence's). Returns the ledger record, if any, and the
/// evidence as written.
pub fn write_all(
    e: &Evidence,
    out: &OutputPaths,
) -> crate::error::Result<(Option<LedgerRecord>, Evidence)> {
    let mut e = e.clone();
    if e.run.finished_at.is_empty() {
        e.run.finished_at = crate::evidence::ids::now_rfc3339();
    }
    let mut record = None;
    match &out.ledger {
        Some(ledger) => {
            let mut staged = None;
            record = Some(append_with(ledger, out.sign_key.as_deref(), |at| {
                e.run.ledger = Some(at.link());
                let json = evidence_json(&e);
                if let Some(p) = &out.evidence {
                    staged = Some(stage(p, &json)?);
                }
                Ok(NewEntry {
                    run_id: e.run.id.clone(),
                    system_id: e.system.id.clone(),
                    evidence_sha256: json_sha256(&json),
                    timestamp: e.run.finished_at.clone(),
                })
            })?);
            if let Some(s) = staged {
                s.commit()?;
            }
        }
        None => {
            if let Some(p) = &out.evidence {
                write_atomic(p, &evidence_json(&e))?;
            }
        }
    }
    let digest = json_sha256(&evidence_json(&e));
    let pretty = |v: &Value| {
        let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
        s.push('\n');
        s
    };
    let link = out
        .evidence
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    if let Some(p) = &out.register {
        write_atomic(p, &register_csv(&e, &link, &digest))?;
    }
    if let Some(p) = &out.oscal {
        write_atomic(p, &pretty(&oscal_assessment_results(&e)))?;
    }
    if let Some(p) = &out.junit {
        write_atomic(p, &junit_xml(&e))?;
    }
    if let Some(p) = &out.markdown {
        write_atomic(p, &markdown_summary(&e))?;
    }
    if let Some(p) = &out.attestation {
        write_atomic(p, &pretty(&in_toto_statement(&e)))?;
    }
    if let Some(p) = &out.attestation_envelope {
        let key = out.sign_key.as_deref().ok_or_else(|| {
            crate::error::Error::InvalidOption(
                "a DSSE envelope of the attestation needs a signing key (--sign-key)".into(),
            )
        })?;
        write_atomic(p, &pretty(&dsse_envelope(&in_toto_statement(&e), key)?))?;
    }
    if let Some(p) = &out.html {
        let position = record
            .as_ref()
            .map(|r| crate::evidence::html::LedgerPosition {
                path: out
                    .ledger
                    .as_ref()
                    .map(|l| l.display().to_string())
                    .unwrap_or_default(),
                seq: r.seq,
                record_sha256: r.record_sha256.clone(),
            });
        write_atomic(
            p,
            &crate::evidence::html::render_html(&e, position.as_ref()),
        )?;
    }
    Ok((record, e))
}
