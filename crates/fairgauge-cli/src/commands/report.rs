//! `fairgauge report`: the self-contained HTML report of an evidence document.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use fairgauge::evidence::Evidence;

use crate::status::ExitStatus;

/// Arguments of `fairgauge report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The evidence document (from `fairgauge assess --output`).
    pub evidence: PathBuf,
    /// Where to write the HTML report.
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,
    /// The ledger the evidence was recorded in (its position is shown).
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
}

/// Runs the subcommand.
pub fn run(a: ReportArgs) -> Result<ExitStatus> {
    let bytes = std::fs::read(&a.evidence)
        .with_context(|| format!("cannot read {}", a.evidence.display()))?;
    let e: Evidence = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not a fairgauge evidence document",
            a.evidence.display()
        )
    })?;
    let position = match &a.ledger {
        Some(l) => {
            let digest = fairgauge::core::fingerprint::sha256_reader(&bytes[..])?;
            let text = std::fs::read_to_string(l)
                .with_context(|| format!("cannot read the ledger {}", l.display()))?;
            let found = text.lines().find_map(|line| {
                let r: fairgauge::ledger::LedgerRecord = serde_json::from_str(line).ok()?;
                (r.evidence_sha256 == digest).then(|| fairgauge::report::LedgerPosition {
                    path: l.display().to_string(),
                    seq: r.seq,
                    record_sha256: r.record_sha256,
                })
            });
            if found.is_none() {
                anyhow::bail!(
                    "{}: no record of {} (evidence {digest}); was it written with --ledger?",
                    l.display(),
                    a.evidence.display()
                );
            }
            found
        }
        None => None,
    };
    crate::output::emit(
        &fairgauge::report::render_html(&e, position.as_ref()),
        Some(&a.html),
    )?;
    Ok(ExitStatus::Success)
}
