//! Proofs that the ledger still holds what was filed in it. The chain alone cannot show that its
//! last records were deleted (or rewritten with fresh digests); these can:
//!
//! - an **evidence document** (or an in-toto statement of it, or a DSSE envelope of that
//!   statement): the ledger must hold a record of its SHA-256 — at the position the document
//!   records in `run.ledger`, after the head it names there;
//! - an **export or report** (register CSV, OSCAL, JUnit, Markdown, HTML): the ledger head it
//!   records (`record <seq> sha256:<hex>`, see [`head_text`](super::chain::head_text)) must
//!   still be record `seq`'s digest;
//! - a **signed checkpoint** (see [`checkpoint`](super::checkpoint)): its signature (with a
//!   public key), and record `size` must still have its head.

use std::path::{Path, PathBuf};

use super::chain::{check, Recorded, Verified, GENESIS};
use super::checkpoint::read_checkpoint;
use super::files::{read_proof, Filed, Proof};
use super::fs::{io_err, ledger_err, sidecar};
use super::keys::read_verifying_key;
use crate::error::Result;

/// What to check besides the chain.
#[derive(Debug, Clone, Copy, Default)]
pub struct Proofs<'a> {
    /// Every record (and checkpoint) must be signed by this public key file.
    pub public_key: Option<&'a Path>,
    /// Evidence documents, statements, envelopes, exports and reports filed in the ledger.
    pub evidence: &'a [PathBuf],
    /// Signed checkpoints; when empty, `<ledger>.checkpoint` is checked if it exists.
    pub checkpoints: &'a [PathBuf],
}

/// A file whose record or head the ledger still holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRecord {
    /// The file.
    pub evidence: PathBuf,
    /// The record's position (1-based).
    pub seq: u64,
    /// The record's digest.
    pub record_sha256: String,
}

/// A checkpoint the ledger is consistent with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointMatch {
    /// The checkpoint file.
    pub file: PathBuf,
    /// Its size (records) and head.
    pub size: u64,
    /// Record `size`'s digest.
    pub head_sha256: String,
    /// Whether its signature was verified (only with a public key).
    pub signature_verified: bool,
}

/// The outcome of a successful [`verify_proofs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proven {
    /// The chain.
    pub verified: Verified,
    /// Each evidence file or export, with its record.
    pub files: Vec<EvidenceRecord>,
    /// Each checkpoint checked.
    pub checkpoints: Vec<CheckpointMatch>,
}

/// Verifies the ledger at `path` as [`verify`](super::chain::verify) does, then each proof: a
/// missing record or head, a checkpoint the ledger no longer matches or whose signature fails is
/// an [`Error::Ledger`]; a file that cannot be read is an [`Error::Io`], one that records nothing
/// to check an [`Error::Format`].
pub fn verify_proofs(path: &Path, proofs: &Proofs<'_>) -> Result<Proven> {
    let key = proofs.public_key.map(read_verifying_key).transpose()?;
    let bytes = std::fs::read(path).map_err(|e| io_err(path, "cannot read the ledger", &e))?;
    let mut recorded = Vec::new();
    let verified = check(path, &bytes, key.as_ref(), &mut recorded)?;
    let mut files = Vec::with_capacity(proofs.evidence.len());
    for file in proofs.evidence {
        let b =
            std::fs::read(file).map_err(|e| io_err(file, "cannot read the evidence file", &e))?;
        match read_proof(file, &b)? {
            Proof::Evidence(evidence, link) => {
                files.push(evidence_proof(path, file, &evidence, link, &recorded)?);
            }
            Proof::Heads(heads) => files.extend(head_proofs(path, file, heads, &recorded)?),
        }
    }
    // Appends write the checkpoint beside the ledger's real file (through a symlink).
    let real = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    };
    let default = sidecar(&real, ".checkpoint");
    let checkpoint_files: Vec<PathBuf> = if proofs.checkpoints.is_empty() {
        default.exists().then_some(default).into_iter().collect()
    } else {
        proofs.checkpoints.to_vec()
    };
    let mut checkpoints = Vec::new();
    for file in checkpoint_files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| io_err(&file, "cannot read the checkpoint", &e))?;
        let cp = read_checkpoint(&file, &text, key.as_ref())?;
        let at = (cp.size as usize)
            .checked_sub(1)
            .and_then(|i| recorded.get(i));
        if at.is_none_or(|r| r.record_sha256 != cp.head_sha256) {
            return Err(ledger_err(
                path,
                format!(
                    "does not match the checkpoint {}: {}",
                    file.display(),
                    mismatch(verified.records, cp.size, "the checkpoint")
                ),
            ));
        }
        checkpoints.push(CheckpointMatch {
            file,
            size: cp.size,
            head_sha256: cp.head_sha256,
            signature_verified: cp.verified,
        });
    }
    Ok(Proven {
        verified,
        files,
        checkpoints,
    })
}

/// Verifies the ledger and that it still holds the record of each evidence file (see
/// [`verify_proofs`]; the default checkpoint is checked too when it exists).
pub fn verify_with_evidence(
    path: &Path,
    public_key: Option<&Path>,
    evidence: &[PathBuf],
) -> Result<(Verified, Vec<EvidenceRecord>)> {
    let p = verify_proofs(
        path,
        &Proofs {
            public_key,
            evidence,
            checkpoints: &[],
        },
    )?;
    Ok((p.verified, p.files))
}

/// Why a ledger of `records` records no longer holds the head at `seq` that `what` names.
fn mismatch(records: u64, seq: u64, what: &str) -> String {
    if seq > records {
        format!(
            "{what} names record {seq}, but the ledger has {records}: its last records were \
             deleted"
        )
    } else {
        format!(
            "record {seq} is not the one {what} names: the ledger was rewritten from record \
             {seq} on (or {what} belongs to another ledger)"
        )
    }
}

fn evidence_proof(
    path: &Path,
    file: &Path,
    evidence: &[u8],
    link: Option<Filed>,
    recorded: &[Recorded],
) -> Result<EvidenceRecord> {
    let digest = fairgauge_core::fingerprint::sha256_reader(evidence)
        .map_err(|e| io_err(file, "cannot hash the evidence", &e))?;
    let records = recorded.len() as u64;
    let Some(r) = recorded.iter().find(|r| r.evidence_sha256 == digest) else {
        let why = match &link {
            Some((seq, _)) if *seq > records => format!(
                "it was filed as record {seq}, but the ledger has {records}: its last records \
                 were deleted"
            ),
            _ => "its record was deleted (the ledger's last records can be removed without \
                  breaking the chain), or the evidence file was edited, or it was never appended \
                  to this ledger"
                .to_string(),
        };
        return Err(ledger_err(
            path,
            format!(
                "holds no record of the evidence {} ({digest}): {why}",
                file.display()
            ),
        ));
    };
    if let Some((seq, prev)) = link {
        let before = match r.seq {
            1 => GENESIS,
            n => recorded[n as usize - 2].record_sha256.as_str(),
        };
        if r.seq != seq || before != prev {
            return Err(ledger_err(
                path,
                format!(
                    "record {} holds the evidence {}, which says it was filed as record {seq} \
                     after head {prev}: the ledger was rewritten",
                    r.seq,
                    file.display()
                ),
            ));
        }
    }
    Ok(EvidenceRecord {
        evidence: file.to_path_buf(),
        seq: r.seq,
        record_sha256: r.record_sha256.clone(),
    })
}

/// Each ledger head an export or report records, checked against the ledger.
fn head_proofs(
    path: &Path,
    file: &Path,
    heads: Vec<(u64, String)>,
    recorded: &[Recorded],
) -> Result<Vec<EvidenceRecord>> {
    let records = recorded.len() as u64;
    heads
        .into_iter()
        .map(|(seq, head)| {
            let at = (seq as usize).checked_sub(1).and_then(|i| recorded.get(i));
            match at {
                Some(r) if r.record_sha256 == head => Ok(EvidenceRecord {
                    evidence: file.to_path_buf(),
                    seq,
                    record_sha256: head,
                }),
                _ => Err(ledger_err(
                    path,
                    format!(
                        "no longer holds the head {} records: {}",
                        file.display(),
                        mismatch(records, seq, &file.display().to_string())
                    ),
                )),
            }
        })
        .collect()
}
