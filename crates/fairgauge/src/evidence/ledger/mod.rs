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
//! with one kept elsewhere: a signed checkpoint ([`checkpoint`]), an evidence document or any
//! export filed in the ledger ([`proof`]).
//!
//! # Filing evidence
//!
//! `assess --ledger` fixes the new record's position under the ledger's lock ([`append_with`]),
//! writes it into the evidence (`run.ledger`: `seq`, `prev_sha256`, `key_id`), writes the
//! evidence, and records the SHA-256 of its bytes. The record's digest — the ledger's head after
//! the append — then follows from the evidence alone ([`filed_head`]); every export and the HTML
//! report name it as `record <seq> sha256:<hex>` ([`head_text`]).
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
//! record. A signed append also replaces the signed checkpoint `<FILE>.checkpoint`.
//!
//! Modules, bottom to top: [`fs`] (files, errors), [`keys`], [`checkpoint`], [`files`] (what a
//! proof file holds) → [`chain`] → [`proof`].

pub mod chain;
pub mod checkpoint;
pub mod files;
pub mod fs;
pub mod keys;
pub mod proof;

pub use chain::{
    append, append_with, filed_head, head_text, record_digest, verify, LedgerRecord, NewEntry,
    Position, Recorded, Verified, DOMAIN_TAG, GENESIS,
};
pub use checkpoint::{read_checkpoint, signed_checkpoint, Checkpoint};
pub use keys::keygen;
pub use proof::{
    verify_proofs, verify_with_evidence, CheckpointMatch, EvidenceRecord, Proofs, Proven,
};
