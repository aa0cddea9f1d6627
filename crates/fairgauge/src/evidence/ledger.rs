//! The tamper-evident ledger: an append-only JSON-lines log with one [`LedgerRecord`] per
//! assessment run (`--ledger FILE`), checked by `fairgauge ledger verify FILE`.
//!
//! # Format
//!
//! Each line of the file is the compact JSON of one record, terminated by `'\n'`. Record `n`
//! (1-based) is on line `n` and has:
//!
//! - `seq`: its position `n`;
//! - `timestamp`: RFC 3339 UTC time of the run;
//! - `run_id`, `system_id`: the run and the AI system it assessed;
//! - `evidence_sha256`: `sha256:<hex>` of the evidence file's bytes;
//! - `prev_sha256`: the `record_sha256` of record `n - 1`, or `sha256:` and 64 zeros for the
//!   first record ([`GENESIS`]);
//! - `record_sha256`: the digest of its canonical content (see [`record_digest`]);
//! - `key_id` (optional): `ed25519:` and the first 16 hex digits of the SHA-256 of the signer's
//!   32-byte public key;
//! - `signature` (optional): hex Ed25519 signature over the bytes of the `record_sha256` string.
//!
//! The canonical content is the JSON object of every field except `record_sha256` and
//! `signature` (an absent `key_id` is left out), keys sorted, no whitespace; the digest is
//! `sha256("fairgauge-ledger-v1\n" + canonical_json)`. Because every record carries its own
//! digest and the digest of its predecessor, an edit to any record (the last one included), a
//! deleted, inserted or reordered record and a torn line are all caught by [`verify`], which
//! names the first bad record. `key_id` is part of the digest, so a signature cannot be stripped
//! without the edit showing. A rewrite of the last record *with* a recomputed `record_sha256`
//! can only be caught by a signature or by comparing the head digest ([`Verified::head_sha256`])
//! with one kept elsewhere.
//!
//! # Keys
//!
//! [`keygen`] writes the private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, RFC 8410;
//! mode 0600 on Unix) and the public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`): the files
//! `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` write, and openssl reads.
//! Key files are read in that form, or as the hex of the 32-byte seed or public key (what
//! fairgauge wrote before) and a newline.
//!
//! # Appending
//!
//! [`append`] holds an exclusive lock on the sidecar file `<FILE>.lock` for the whole operation
//! (so concurrent appenders, threads or processes, queue up), verifies the existing chain,
//! writes the whole new ledger to a temporary file in the same directory, fsyncs it, renames it
//! over `FILE` and fsyncs the directory: a crash leaves the old or the new ledger, never a torn
//! record.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use fairgauge_core::fingerprint::hex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
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
/// private key file `sign_key` if given, and returns it.
///
/// Holds an exclusive lock on `<path>.lock` throughout; refuses to extend a ledger that does
/// not verify (with [`verify`]'s error); replaces the file atomically (temporary file, fsync,
/// rename, directory fsync) and leaves it with mode 0644.
pub fn append(path: &Path, entry: &NewEntry, sign_key: Option<&Path>) -> Result<LedgerRecord> {
    if !is_sha256(&entry.evidence_sha256) {
        return Err(ledger_err(
            path,
            format!(
                "evidence_sha256 `{}` is not `sha256:` followed by 64 lower-case hex digits",
                entry.evidence_sha256
            ),
        ));
    }
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
    let lock = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|e| io_err(&lock_path, "cannot open the ledger lock file", &e))?;
    lock.lock()
        .map_err(|e| io_err(&lock_path, "cannot lock the ledger lock file", &e))?;

    let result = append_locked(path, &target, entry, signer.as_ref());
    // The lock is released when `lock` is dropped; unlock explicitly for clarity.
    let _ = lock.unlock();
    result
}

fn append_locked(
    path: &Path,
    target: &Path,
    entry: &NewEntry,
    signer: Option<&SigningKey>,
) -> Result<LedgerRecord> {
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

    let timestamp = if entry.timestamp.is_empty() {
        now_rfc3339()
    } else {
        entry.timestamp.clone()
    };
    let mut record = LedgerRecord {
        seq: existing.records + 1,
        timestamp,
        run_id: entry.run_id.clone(),
        system_id: entry.system_id.clone(),
        evidence_sha256: entry.evidence_sha256.clone(),
        prev_sha256: existing.head_sha256.unwrap_or_else(|| GENESIS.to_string()),
        record_sha256: String::new(),
        key_id: signer.map(|k| key_id(&k.verifying_key())),
        signature: None,
    };
    record.record_sha256 = record_digest(&record);
    if let Some(k) = signer {
        record.signature = Some(hex(&k.sign(record.record_sha256.as_bytes()).to_bytes()));
    }
    let line = serde_json::to_string(&record).map_err(|e| ledger_err(path, e.to_string()))?;
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');

    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let write_err = |e: std::io::Error| io_err(path, "cannot write the ledger", &e);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(write_err)?;
    tmp.write_all(&bytes).map_err(write_err)?;
    set_mode(tmp.as_file(), 0o644).map_err(write_err)?;
    tmp.as_file().sync_all().map_err(write_err)?;
    tmp.persist(target).map_err(|e| write_err(e.error))?;
    sync_dir(dir).map_err(|e| io_err(dir, "cannot sync the ledger's directory", &e))?;
    Ok(record)
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

/// An evidence file's record in a verified ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRecord {
    /// The evidence file.
    pub evidence: PathBuf,
    /// The record's position (1-based).
    pub seq: u64,
    /// The record's digest.
    pub record_sha256: String,
}

/// Verifies the ledger as [`verify`] does, and that it still holds a record of each evidence
/// file (by the SHA-256 of the file's bytes, as `assess --ledger` recorded it). The chain alone
/// cannot show that its last records were deleted; the evidence files they recorded can: an
/// evidence file without its record is an [`Error::Ledger`] naming the file and its digest. An
/// evidence file that cannot be read is an [`Error::Io`].
pub fn verify_with_evidence(
    path: &Path,
    public_key: Option<&Path>,
    evidence: &[PathBuf],
) -> Result<(Verified, Vec<EvidenceRecord>)> {
    let key = public_key.map(read_verifying_key).transpose()?;
    let bytes = std::fs::read(path).map_err(|e| io_err(path, "cannot read the ledger", &e))?;
    let mut recorded = Vec::new();
    let verified = check(path, &bytes, key.as_ref(), &mut recorded)?;
    let mut found = Vec::with_capacity(evidence.len());
    for e in evidence {
        let digest = File::open(e)
            .and_then(fairgauge_core::fingerprint::sha256_reader)
            .map_err(|err| io_err(e, "cannot read the evidence file", &err))?;
        let Some((seq, record_sha256)) = recorded
            .iter()
            .find(|(d, _, _)| *d == digest)
            .map(|(_, s, r)| (*s, r.clone()))
        else {
            return Err(ledger_err(
                path,
                format!(
                    "holds no record of the evidence {} ({digest}): its record was deleted (the \
                     ledger's last records can be removed without breaking the chain), or the \
                     evidence file was edited, or it was never appended to this ledger",
                    e.display()
                ),
            ));
        };
        found.push(EvidenceRecord {
            evidence: e.clone(),
            seq,
            record_sha256,
        });
    }
    Ok((verified, found))
}

/// Checks the chain in `bytes`; `recorded` receives each record's (evidence digest, seq, record
/// digest).
fn check(
    path: &Path,
    bytes: &[u8],
    key: Option<&VerifyingKey>,
    recorded: &mut Vec<(String, u64, String)>,
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
        recorded.push((r.evidence_sha256.clone(), n, r.record_sha256.clone()));
        prev = r.record_sha256;
        out.records = n;
    }
    if n > 0 {
        out.head_sha256 = Some(prev);
    }
    Ok(out)
}

/// Generates an Ed25519 key pair, writes the private key (PKCS#8 PEM, mode 0600) to
/// `private_out` and the public key (SPKI PEM) to `public_out`, and returns its key id
/// (`ed25519:` and 16 hex digits). Refuses to overwrite an existing file.
pub fn keygen(private_out: &Path, public_out: &Path) -> Result<String> {
    for p in [private_out, public_out] {
        if std::fs::symlink_metadata(p).is_ok() {
            return Err(Error::Io {
                path: p.to_path_buf(),
                message: "already exists; refusing to overwrite a key file".into(),
            });
        }
    }
    let signing = SigningKey::generate(&mut rand::rngs::OsRng);
    let verifying = signing.verifying_key();
    let pem_err = |p: &Path, e: String| Error::Key {
        path: p.to_path_buf(),
        message: format!("{}: cannot encode the key as PEM: {e}", p.display()),
    };
    // PKCS#8 v1 as RFC 8410 §7 shows it (the seed only): OpenSSL 3.0 refuses the v2 form with
    // the public key inside that `SigningKey::to_pkcs8_pem` writes.
    let private = ed25519_dalek::pkcs8::KeypairBytes {
        secret_key: signing.to_bytes(),
        public_key: None,
    }
    .to_pkcs8_pem(LineEnding::LF)
    .map_err(|e| pem_err(private_out, e.to_string()))?;
    let public = verifying
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| pem_err(public_out, e.to_string()))?;
    write_new(private_out, &private, 0o600)?;
    write_new(public_out, &public, 0o644)?;
    Ok(key_id(&verifying))
}

fn write_new(path: &Path, content: &str, mode: u32) -> Result<()> {
    let err = |e: std::io::Error| io_err(path, "cannot write the key file", &e);
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    let mut f = opts.open(path).map_err(err)?;
    set_mode(&f, mode).map_err(err)?;
    f.write_all(content.as_bytes()).map_err(err)?;
    f.sync_all().map_err(err)?;
    Ok(())
}

fn key_id(k: &VerifyingKey) -> String {
    let d = Sha256::digest(k.to_bytes());
    format!("ed25519:{}", &hex(&d)[..16])
}

/// A key file's text (at most 4 KiB), trimmed.
fn read_key_text(key: &Path, what: &str) -> Result<String> {
    let mut s = String::new();
    File::open(key)
        .and_then(|f| f.take(4096).read_to_string(&mut s))
        .map_err(|e| io_err(key, &format!("cannot read the {what} file"), &e))?;
    Ok(s.trim().to_string())
}

fn is_pem(t: &str) -> bool {
    t.starts_with("-----BEGIN ")
}

/// A PEM key file that does not parse, named with what was expected.
fn pem_error(key: &Path, what: &str, label: &str, e: impl std::fmt::Display) -> Error {
    key_err(
        key,
        format!(
            "{what} file {}: expected an Ed25519 key as PEM (`-----BEGIN {label}-----`, as \
             openssl writes it) or 64 hex digits; the PEM does not parse: {e}",
            key.display()
        ),
    )
}

/// Reads a hex key file: 64 hex digits (32 bytes), optionally surrounded by whitespace.
fn read_key_bytes(key: &Path, t: &str, what: &str) -> Result<[u8; 32]> {
    parse_hex::<32>(t).ok_or_else(|| {
        key_err(
            key,
            format!(
                "{what} file {}: expected an Ed25519 key as PEM (PKCS#8 or SPKI, as openssl \
                 writes it) or 64 hex digits (a 32-byte {}), found {}",
                key.display(),
                if what.starts_with("private") {
                    "seed"
                } else {
                    "public key"
                },
                describe(t)
            ),
        )
    })
}

fn read_signing_key(key: &Path) -> Result<SigningKey> {
    let what = "private key";
    let t = read_key_text(key, what)?;
    if is_pem(&t) {
        return SigningKey::from_pkcs8_pem(&t).map_err(|e| pem_error(key, what, "PRIVATE KEY", e));
    }
    Ok(SigningKey::from_bytes(&read_key_bytes(key, &t, what)?))
}

fn read_verifying_key(key: &Path) -> Result<VerifyingKey> {
    let what = "public key";
    let t = read_key_text(key, what)?;
    if is_pem(&t) {
        return VerifyingKey::from_public_key_pem(&t)
            .map_err(|e| pem_error(key, what, "PUBLIC KEY", e));
    }
    let b = read_key_bytes(key, &t, what)?;
    VerifyingKey::from_bytes(&b).map_err(|_| {
        key_err(
            key,
            format!(
                "public key file {}: 64 hex digits that are not a valid Ed25519 public key",
                key.display()
            ),
        )
    })
}

fn key_err(key: &Path, message: String) -> Error {
    Error::Key {
        path: key.to_path_buf(),
        message,
    }
}

fn describe(t: &str) -> String {
    if t.is_empty() {
        return "an empty file".into();
    }
    let n = t.chars().count();
    if !t.chars().all(|c| c.is_ascii_hexdigit()) {
        format!("{n} characters that are not all hex digits")
    } else {
        format!("{n} hex digits")
    }
}

fn parse_signature(s: &str) -> Option<Signature> {
    parse_hex::<64>(s).map(|b| Signature::from_bytes(&b))
}

fn parse_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let b = s.as_bytes();
    if b.len() != 2 * N {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = digit(b[2 * i])? << 4 | digit(b[2 * i + 1])?;
    }
    Some(out)
}

fn is_sha256(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    })
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s: OsString = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn set_mode(f: &File, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (f, mode);
    Ok(())
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn ledger_err(path: &Path, message: String) -> Error {
    Error::Ledger {
        path: path.to_path_buf(),
        message,
    }
}

fn io_err(path: &Path, what: &str, e: &std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        message: format!("{what}: {e}"),
    }
}
