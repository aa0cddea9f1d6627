//! Writing the evidence and every export at once, each file atomically, and appending the run
//! to the ledger.

use super::intoto::*;
use super::junit::*;
use super::markdown::*;
use super::oscal::*;
use super::register::*;
use crate::evidence::document::Evidence;
use crate::io::write::write_atomic;
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
    /// Ed25519 key to sign the ledger record with.
    pub sign_key: Option<std::path::PathBuf>,
    /// HTML report.
    pub html: Option<std::path::PathBuf>,
}

/// The evidence as pretty JSON with a final newline (the bytes its digest is taken over).
pub fn evidence_json(e: &Evidence) -> String {
    let mut s = serde_json::to_string_pretty(e).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes the evidence and every export asked for; the ledger record is appended before the
/// HTML report is written, which shows its position. Returns the ledger record, if any.
pub fn write_all(
    e: &Evidence,
    out: &OutputPaths,
) -> crate::error::Result<Option<crate::evidence::ledger::LedgerRecord>> {
    let json = evidence_json(e);
    let digest = fairgauge_core::fingerprint::sha256_reader(json.as_bytes()).map_err(|err| {
        crate::error::Error::InvalidOption(format!("cannot hash the evidence: {err}"))
    })?;
    let pretty = |v: &Value| {
        let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
        s.push('\n');
        s
    };
    if let Some(p) = &out.evidence {
        write_atomic(p, &json)?;
    }
    let link = out
        .evidence
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    if let Some(p) = &out.register {
        write_atomic(p, &register_csv(e, &link, &digest))?;
    }
    if let Some(p) = &out.oscal {
        write_atomic(p, &pretty(&oscal_assessment_results(e)))?;
    }
    if let Some(p) = &out.junit {
        write_atomic(p, &junit_xml(e))?;
    }
    if let Some(p) = &out.markdown {
        write_atomic(p, &markdown_summary(e))?;
    }
    if let Some(p) = &out.attestation {
        write_atomic(p, &pretty(&in_toto_statement(e)))?;
    }
    let mut record = None;
    if let Some(p) = &out.ledger {
        record = Some(crate::evidence::ledger::append(
            p,
            &crate::evidence::ledger::NewEntry {
                run_id: e.run.id.clone(),
                system_id: e.system.id.clone(),
                evidence_sha256: digest.clone(),
                timestamp: e.run.finished_at.clone(),
            },
            out.sign_key.as_deref(),
        )?);
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
        write_atomic(p, &crate::evidence::html::render_html(e, position.as_ref()))?;
    }
    Ok(record)
}
