//! The chain of records: their canonical digest, appending under a lock, and verifying.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::Path;

use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use fairgauge_core::fingerprint::hex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::checkpoint::signed_checkpoint;
use super::fs::{io_err, is_sha256, ledger_err, replace, sidecar};
use super::keys::{key_id, parse_signature, read_signing_key, read_verifying_key};
use crate::error::{Error, Result};
use crate::evidence::document::{evidence_json, json_sha256, Evidence, LedgerLink};
use crate::evidence::ids::now_rfc3339;

/// The domain tag hashed before the canonical JSON of a record.
pub const DOMAIN_TAG: &str = "fairgauge-ledger-v1\n";

/// The `prev_sha256` of the first record: `sha256:` and 64 zeros.
pub const GENESIS: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// One line of the ledger: one assessment run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerRecord {
    /// 1-based position in the ledger.
    pub seq: u64,
    /// Time of the run, RFC 3339 UTC.
    pub timestamp: String,
    /// The run's id.
    pub run_id: String,
    /// The assessed AI system's id.
    pub system_id: String,
    /// `sha256:<hex>` of the evidence file's bytes.
    pub evidence_sha256: String,
    /// `record_sha256` of the previous record; [`GENESIS`] for the first.
    pub prev_sha256: String,
    /// `sha256:<hex>` over the canonical content (see [`record_digest`]).
    pub record_sha256: String,
    /// `ed25519:<16 hex>`: the signer's key id, when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// Hex Ed25519 signature over the bytes of the `record_sha256` string, when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// What the caller supplies for a new record; the ledger adds the sequence number and digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// The run's id.
    pub run_id: String,
    /// The assessed AI system's id.
    pub system_id: String,
    /// `sha256:<64 hex>` of the evidence file's bytes.
    pub evidence_sha256: String,
    /// Time of the run, RFC 3339 UTC; empty means now.
    pub timestamp: String,
}

/// The outcome of a successful [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Number of records.
    pub records: u64,
    /// `record_sha256` of the last record; `None` for an empty ledger.
    pub head_sha256: Option<String>,
    /// Number of signed records (with a public key: signatures checked; without: only present).
    pub signed: u64,
}

/// The canonical digest of a record: `sha256:<hex>` of [`DOMAIN_TAG`] followed by the compact,
/// key-sorted JSON object of every field except `record_sha256` and `signature`.
#[must_use]
pub fn record_digest(r: &LedgerRecord) -> String {
    let value = serde_json::to_value(r).expect("a LedgerRecord serialises");
    let mut canon: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            if k != "record_sha256" && k != "signature" {
                canon.insert(k, v);
            }
        }
    }
    let json = serde_json::to_string(&canon).expect("a JSON map serialises");
    let mut h = Sha256::new();
    h.update(DOMAIN_TAG.as_bytes());
    h.update(json.as_bytes());
    format!("sha256:{}", hex(&h.finalize()))
}

/// Appends a record for `entry` to the ledger at `path` (created if missing), signed with the
/// private key file `sign_key` if given, and returns it. See [`append_with`].
pub fn append(path: &Path, entry: &NewEntry, sign_key: Option<&Path>) -> Result<LedgerRecord> {
    append_with(path, sign_key, |_| Ok(entry.clone()))
}

/// Where a new record goes: its position and the head it extends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The new record's `seq`.
    pub seq: u64,
    /// Its `prev_sha256`: the current head, or [`GENESIS`].
    pub prev_sha256: String,
    /// The key id it will carry, when signed.
    pub key_id: Option<String>,
}

impl Position {
    /// The position as an evidence document records it.
    pub fn link(&self) -> LedgerLink {
        LedgerLink {
            seq: self.seq,
            prev_sha256: self.prev_sha256.clone(),
            key_id: self.key_id.clone(),
        }
    }
}

/// Appends a record to the ledger at `path` (created if missing): `make` is called under the
/// ledger's lock with the new record's [`Position`] and returns its entry (so a document can
/// record where it is filed, and be written, before its digest goes into the record). Signed
/// with the private key file `sign_key` if given; a signed append also replaces the signed
/// checkpoint `<path>.checkpoint` (see [`checkpoint`](super::checkpoint)).
///
/// Holds an exclusive lock on `<path>.lock` throughout; refuses to extend a ledger that does
/// not verify (with [`verify`]'s error); replaces the file atomically (temporary file, fsync,
/// rename, directory fsync) and leaves it with mode 0644.
pub fn append_with<F>(path: &Path, sign_key: Option<&Path>, make: F) -> Result<LedgerRecord>
where
    F: FnOnce(&Position) -> Result<NewEntry>,
{
    // Load the key before taking the lock, so a bad key file fails fast.
    let signer = sign_key.map(read_signing_key).transpose()?;

    // Write through a symlink rather than replacing it.
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).map_err(|e| io_err(path, "cannot resolve symlink", &e))?
        }
        _ => path.to_path_buf(),
    };

    let lock_path = sidecar(&target, ".lock");
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|e| io_err(&lock_path, "cannot open the ledger lock file", &e))?;
    lock.lock()
        .map_err(|e| io_err(&lock_path, "cannot lock the ledger lock file", &e))?;

    let result = append_locked(path, &target, signer.as_ref(), make);
    // The lock is released when `lock` is dropped; unlock explicitly for clarity.
    let _ = lock.unlock();
    result
}

fn append_locked<F>(
    path: &Path,
    target: &Path,
    signer: Option<&SigningKey>,
    make: F,
) -> Result<LedgerRecord>
where
    F: FnOnce(&Position) -> Result<NewEntry>,
{
    let mut bytes = match std::fs::read(target) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(io_err(path, "cannot read the ledger", &e)),
    };
    let existing = check(path, &bytes, None, &mut Vec::new()).map_err(|e| match e {
        Error::Ledger { path, message } => Error::Ledger {
            path,
            message: format!("{message}; refusing to append to a broken ledger"),
        },
        other => other,
    })?;
    let position = Position {
        seq: existing.records + 1,
        prev_sha256: existing.head_sha256.unwrap_or_else(|| GENESIS.to_string()),
        key_id: signer.map(|k| key_id(&k.verifying_key())),
    };
    let entry = make(&position)?;
    if !is_sha256(&entry.evidence_sha256) {
        return Err(ledger_err(
            path,
            format!(
                "evidence_sha256 `{}` is not `sha256:` followed by 64 lower-case hex digits",
                entry.evidence_sha256
            ),
        ));
    }
    let timestamp = if entry.timestamp.is_empty() {
        now_rfc3339()
    } else {
        entry.timestamp
    };
    let mut record = LedgerRecord {
        seq: position.seq,
        timestamp,
        run_id: entry.run_id,
        system_id: entry.system_id,
        evidence_sha256: entry.evidence_sha256,
        prev_sha256: position.prev_sha256,
        record_sha256: String::new(),
        key_id: position.key_id,
        signature: None,
    };
    record.record_sha256 = record_digest(&record);
    if let Some(k) = signer {
        record.signature = Some(hex(&k.sign(record.record_sha256.as_bytes()).to_bytes()));
    }
    let line = serde_json::to_string(&record).map_err(|e| ledger_err(path, e.to_string()))?;
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    replace(path, target, &bytes, 0o644, "the ledger")?;
    if let Some(k) = signer {
        let note = signed_checkpoint(target, record.seq, &record.record_sha256, k);
        let cp = sidecar(target, ".checkpoint");
        replace(
            &sidecar(path, ".checkpoint"),
            &cp,
            note.as_bytes(),
            0o644,
            "the checkpoint",
        )?;
    }
    Ok(record)
}

/// The head of the ledger right after `e`'s record was appended (its `seq` and
/// `record_sha256`), computed from the evidence alone: the record's fields are the run id, its
/// end time, the system id, the SHA-256 of [`evidence_json`]`(e)` and the position in
/// `e.run.ledger`. `None` when the evidence was not filed in a ledger.
pub fn filed_head(e: &Evidence) -> Option<(u64, String)> {
    let link = e.run.ledger.as_ref()?;
    let evidence_sha256 = json_sha256(&evidence_json(e));
    let record = LedgerRecord {
        seq: link.seq,
        timestamp: e.run.finished_at.clone(),
        run_id: e.run.id.clone(),
        system_id: e.system.id.clone(),
        evidence_sha256,
        prev_sha256: link.prev_sha256.clone(),
        record_sha256: String::new(),
        key_id: link.key_id.clone(),
        signature: None,
    };
    Some((link.seq, record_digest(&record)))
}

/// How a ledger head is written in every export and report: `record <seq> sha256:<hex>`
/// (`ledger verify --evidence` finds it there).
pub fn head_text(seq: u64, record_sha256: &str) -> String {
    format!("record {seq} {record_sha256}")
}

/// Verifies the ledger at `path`: every line a whole record, `seq` 1, 2, 3, …, each
/// `prev_sha256` the previous `record_sha256`, each `record_sha256` its canonical digest and,
/// with `public_key` (a public key file), every record signed by that key.
///
/// The first bad record is named in an [`Error::Ledger`]; an empty file verifies with 0
/// records; a missing or unreadable file is an [`Error::Io`].
pub fn verify(path: &Path, public_key: Option<&Path>) -> Result<Verified> {
    let key = public_key.map(read_verifying_key).transpose()?;
    let bytes = std::fs::read(path).map_err(|e| io_err(path, "cannot read the ledger", &e))?;
    check(path, &bytes, key.as_ref(), &mut Vec::new())
}

/// What [`check`] keeps of each record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The evidence's digest.
    pub evidence_sha256: String,
    /// The record's position.
    pub seq: u64,
    /// The record's digest.
    pub record_sha256: String,
}

/// Checks the chain in `bytes` (the ledger `path`); `recorded` receives each record.
pub fn check(
    path: &Path,
    bytes: &[u8],
    key: Option<&VerifyingKey>,
    recorded: &mut Vec<Recorded>,
) -> Result<Verified> {
    let bad = |message: String| ledger_err(path, message);
    let expected_id = key.map(key_id);
    let mut prev = GENESIS.to_string();
    let mut out = Verified {
        records: 0,
        head_sha256: None,
        signed: 0,
    };
    let mut rest = bytes;
    let mut n: u64 = 0;
    while !rest.is_empty() {
        n += 1;
        let (line, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let l = &rest[..i];
                rest = &rest[i + 1..];
                (l, true)
            }
            None => {
                let l = rest;
                rest = &[];
                (l, false)
            }
        };
        if !complete {
            return Err(bad(format!(
                "record {n} (line {n}) is torn or not valid JSON: the last line has no \
                 trailing newline (an interrupted write?)"
            )));
        }
        let value: serde_json::Value = serde_json::from_slice(line).map_err(|e| {
            bad(format!(
                "record {n} (line {n}) is torn or not valid JSON: {e}"
            ))
        })?;
        let r: LedgerRecord = serde_json::from_value(value).map_err(|e| {
            bad(format!(
                "record {n} (line {n}) is not a valid ledger record: {e}"
            ))
        })?;
        if r.seq != n {
            return Err(bad(format!(
                "record {n}: out of order (seq {}), a record was deleted, inserted or reordered",
                r.seq
            )));
        }
        if r.prev_sha256 != prev {
            return Err(bad(format!(
                "record {n}: prev_sha256 does not match record {}: the chain is broken (a \
                 record was edited, deleted or reordered)",
                n - 1
            )));
        }
        if r.record_sha256 != record_digest(&r) {
            return Err(bad(format!(
                "record {n}: its content was edited (record_sha256 does not match)"
            )));
        }
        if !is_sha256(&r.evidence_sha256) {
            return Err(bad(format!(
                "record {n}: evidence_sha256 `{}` is not `sha256:` followed by 64 lower-case \
                 hex digits",
                r.evidence_sha256
            )));
        }
        match (key, expected_id.as_deref()) {
            (Some(key), Some(want)) => {
                let Some(sig) = r.signature.as_deref() else {
                    return Err(bad(format!("record {n} is not signed")));
                };
                let ok = r.key_id.as_deref() == Some(want)
                    && parse_signature(sig)
                        .is_some_and(|s| key.verify(r.record_sha256.as_bytes(), &s).is_ok());
                if !ok {
                    return Err(bad(format!(
                        "record {n}: signature does not verify with {want}"
                    )));
                }
                out.signed += 1;
            }
            _ => match (&r.key_id, &r.signature) {
                (Some(id), None) => {
                    return Err(bad(format!(
                        "record {n}: has key_id {id} but no signature (the signature was removed)"
                    )))
                }
                (None, Some(_)) => {
                    return Err(bad(format!("record {n}: has a signature but no key_id")))
                }
                (Some(_), Some(sig)) => {
                    if parse_signature(sig).is_none() {
                        return Err(bad(format!(
                            "record {n}: signature is not 128 hex digits (64 bytes)"
                        )));
                    }
                    out.signed += 1;
                }
                (None, None) => {}
            },
        }
        recorded.push(Recorded {
            evidence_sha256: r.evidence_sha256.clone(),
            seq: n,
            record_sha256: r.record_sha256.clone(),
        });
        prev = r.record_sha256;
        out.records = n;
    }
    if n > 0 {
        out.head_sha256 = Some(prev);
    }
    Ok(out)
}
