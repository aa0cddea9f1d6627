//! Signed checkpoints: the ledger's size and head, signed, as Certificate Transparency's signed
//! tree heads (RFC 6962 §3.5) are for a log. A copy kept elsewhere (by an auditor, in a ticket,
//! in another repository) shows a later truncation or rewrite of the ledger, which the chain
//! alone cannot: the ledger must still hold `size` records, record `size` with that head.
//!
//! # Format
//!
//! The layout of the C2SP `tlog-checkpoint` format (<https://c2sp.org/tlog-checkpoint>) in a C2SP
//! signed note (<https://c2sp.org/signed-note>), whose signatures Go's
//! `golang.org/x/mod/sumdb/note` verifies. One difference in meaning: the third line is the head
//! of fairgauge's hash *chain* (the last record's `record_sha256`), not an RFC 6962 Merkle tree
//! root, so tools that compute Merkle proofs from a tlog checkpoint do not apply:
//!
//! ```text
//! fairgauge.invalid/ledger/<ledger file name>
//! <size>
//! <base64 of the 32 bytes of the head's SHA-256>
//!
//! — <key name> <base64 of key hash (4 bytes) ‖ Ed25519 signature (64 bytes)>
//! ```
//!
//! The signed message is the text before the blank line (each line ending in `\n`). The key name
//! is the fairgauge key id (`ed25519:` and 16 hex digits); the key hash is the first 4 bytes of
//! SHA-256(name ‖ `\n` ‖ 0x01 ‖ the 32-byte public key), 0x01 naming Ed25519.

use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use fairgauge_core::fingerprint::hex;
use sha2::{Digest, Sha256};

use super::fs::{is_sha256, ledger_err};
use super::keys::{key_id, parse_hex};
use crate::error::Result;

/// The signature line's leading dash: U+2014 EM DASH and a space.
const DASH: &str = "\u{2014} ";

/// A checkpoint as read from its note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The origin line.
    pub origin: String,
    /// The ledger's size (records) when it was signed.
    pub size: u64,
    /// `record_sha256` of record `size`.
    pub head_sha256: String,
    /// Key names of the signature lines.
    pub signers: Vec<String>,
    /// Whether a signature was verified with the key given to [`read_checkpoint`].
    pub verified: bool,
}

/// The note's key hash for an Ed25519 key called `name`.
fn key_hash(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n\x01");
    h.update(key.to_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// The origin line for the ledger at `ledger`: `fairgauge.invalid/ledger/` and its file name, with
/// characters other than ASCII letters, digits, `.`, `_` and `-` as `_` (an origin has no spaces
/// or `+`).
fn origin(ledger: &Path) -> String {
    let name: String = ledger
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("fairgauge.invalid/ledger/{name}")
}

/// The signed checkpoint note of a ledger with `size` records and head `head_sha256`.
pub fn signed_checkpoint(ledger: &Path, size: u64, head_sha256: &str, key: &SigningKey) -> String {
    let head = parse_hex::<32>(head_sha256.trim_start_matches("sha256:")).unwrap_or([0; 32]);
    let body = format!("{}\n{size}\n{}\n", origin(ledger), B64.encode(head));
    let name = key_id(&key.verifying_key());
    let mut sig = key_hash(&name, &key.verifying_key()).to_vec();
    sig.extend_from_slice(&key.sign(body.as_bytes()).to_bytes());
    format!("{body}\n{DASH}{name} {}\n", B64.encode(sig))
}

/// Reads the checkpoint note in `text` (from the file `path`); with `key`, a signature by that
/// key must verify. A note that does not parse, or has no valid signature by `key`, is an
/// [`Error::Ledger`](crate::Error::Ledger) naming `path`.
pub fn read_checkpoint(path: &Path, text: &str, key: Option<&VerifyingKey>) -> Result<Checkpoint> {
    let bad = |m: &str| {
        ledger_err(
            path,
            format!("is not a fairgauge checkpoint (a C2SP signed note): {m}"),
        )
    };
    // The signatures follow the last blank line (as Go's `note` reader splits).
    let Some((body, sigs)) = text.rsplit_once("\n\n") else {
        return Err(bad("no blank line before the signatures"));
    };
    let body = format!("{body}\n");
    let lines: Vec<&str> = body.lines().collect();
    if lines.len() < 3 {
        return Err(bad(
            "expected the origin, the size and the head on three lines",
        ));
    }
    // The size in canonical decimal: no sign, no leading zeros.
    let size: u64 = lines[1]
        .parse()
        .ok()
        .filter(|n: &u64| n.to_string() == lines[1])
        .ok_or_else(|| bad(&format!("the size `{}` is not a decimal number", lines[1])))?;
    let head = B64
        .decode(lines[2])
        .ok()
        .filter(|b| b.len() == 32)
        .ok_or_else(|| bad("the head is not the base64 of 32 bytes"))?;
    let head_sha256 = format!("sha256:{}", hex(&head));
    debug_assert!(is_sha256(&head_sha256));
    let mut cp = Checkpoint {
        origin: lines[0].to_string(),
        size,
        head_sha256,
        signers: Vec::new(),
        verified: false,
    };
    for line in sigs.lines().filter(|l| !l.is_empty()) {
        let Some((name, sig)) = line
            .strip_prefix(DASH)
            .and_then(|rest| rest.split_once(' '))
        else {
            return Err(bad(&format!(
                "`{line}` is not a signature line (`— name base64`)"
            )));
        };
        cp.signers.push(name.to_string());
        let (Some(key), Ok(raw)) = (key, B64.decode(sig)) else {
            continue;
        };
        if raw.len() == 68 && raw[..4] == key_hash(name, key) && name == key_id(key) {
            let ok = <[u8; 64]>::try_from(&raw[4..])
                .map(|b| Signature::from_bytes(&b))
                .is_ok_and(|s| key.verify(body.as_bytes(), &s).is_ok());
            cp.verified |= ok;
        }
    }
    if cp.signers.is_empty() {
        return Err(bad("it has no signature line"));
    }
    if let Some(key) = key {
        if !cp.verified {
            return Err(ledger_err(
                path,
                format!(
                    "the checkpoint's signature does not verify with {} (signed by {})",
                    key_id(key),
                    cp.signers.join(", ")
                ),
            ));
        }
    }
    Ok(cp)
}
