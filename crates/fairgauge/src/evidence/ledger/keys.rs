//! Ed25519 keys for signing ledger records, checkpoints and DSSE envelopes: generated and read
//! as PEM (PKCS#8 v1 for the private key, SPKI for the public key, RFC 8410), the hex of earlier
//! versions still read; key ids; hex and base64 helpers for signatures.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use fairgauge_core::fingerprint::hex;
use sha2::{Digest, Sha256};

use super::fs::{io_err, set_mode};
use crate::error::{Error, Result};

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

pub fn key_id(k: &VerifyingKey) -> String {
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

pub fn read_signing_key(key: &Path) -> Result<SigningKey> {
    let what = "private key";
    let t = read_key_text(key, what)?;
    if is_pem(&t) {
        return SigningKey::from_pkcs8_pem(&t).map_err(|e| pem_error(key, what, "PRIVATE KEY", e));
    }
    Ok(SigningKey::from_bytes(&read_key_bytes(key, &t, what)?))
}

pub fn read_verifying_key(key: &Path) -> Result<VerifyingKey> {
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

pub fn parse_signature(s: &str) -> Option<Signature> {
    parse_hex::<64>(s).map(|b| Signature::from_bytes(&b))
}

pub fn parse_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
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
