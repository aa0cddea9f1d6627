//! DSSE envelopes (Dead Simple Signing Envelope v1, <https://github.com/secure-systems-lab/dsse>)
//! around the in-toto statement, signed with the ledger's Ed25519 keys: what in-toto,
//! securesystemslib, sigstore and SLSA tooling read.
//!
//! The envelope is `{"payload": base64(body), "payloadType": "application/vnd.in-toto+json",
//! "signatures": [{"keyid": <key id>, "sig": base64(signature)}]}`, written in standard base64
//! with padding, read in standard or URL-safe base64, padded or not (as DSSE allows). The signature is over the pre-authentication encoding
//! `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, `LEN` the byte count
//! in ASCII decimal (DSSE protocol v1). The body is the statement's compact JSON; the key id is
//! fairgauge's (`ed25519:` and 16 hex digits of the public key's SHA-256).

use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signer, Verifier};
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::evidence::ledger::files::decode_base64;
use crate::evidence::ledger::keys::{key_id, read_signing_key, read_verifying_key};

/// The payload type of an in-toto statement.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// DSSE's pre-authentication encoding of `body` with `payload_type`.
pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// The in-toto `statement` in a DSSE envelope signed with the private key file `key`.
pub fn dsse_envelope(statement: &Value, key: &Path) -> Result<Value> {
    let signer = read_signing_key(key)?;
    let body = serde_json::to_vec(statement)
        .map_err(|e| Error::InvalidOption(format!("cannot write the statement as JSON: {e}")))?;
    let sig = signer.sign(&pae(IN_TOTO_PAYLOAD_TYPE, &body));
    Ok(json!({
        "payload": B64.encode(&body),
        "payloadType": IN_TOTO_PAYLOAD_TYPE,
        "signatures": [{
            "keyid": key_id(&signer.verifying_key()),
            "sig": B64.encode(sig.to_bytes()),
        }],
    }))
}

/// Verifies the DSSE envelope in the file `path` with the public key file `key`: an in-toto
/// payload, and a signature by that key over its PAE. Returns the statement. A malformed
/// envelope or a signature that does not verify is an [`Error::Attestation`].
pub fn verify_envelope(path: &Path, key: &Path) -> Result<Value> {
    let verifier = read_verifying_key(key)?;
    let bad = |m: String| Error::Attestation {
        path: path.to_path_buf(),
        message: m,
    };
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        message: format!("cannot read the envelope: {e}"),
    })?;
    let env: Value =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("is not JSON: {e}")))?;
    let field = |k: &str| {
        env.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("is not a DSSE envelope: no string `{k}`")))
    };
    let payload_type = field("payloadType")?;
    if payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(bad(format!(
            "payloadType is `{payload_type}`, expected `{IN_TOTO_PAYLOAD_TYPE}`"
        )));
    }
    let body = decode_base64(field("payload")?)
        .ok_or_else(|| bad("payload is not base64 (standard or URL-safe)".into()))?;
    let want = key_id(&verifier);
    let message = pae(payload_type, &body);
    let signatures = env
        .get("signatures")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("is not a DSSE envelope: no `signatures` list".into()))?;
    let verified = signatures.iter().any(|s| {
        let sig = s
            .get("sig")
            .and_then(Value::as_str)
            .and_then(decode_base64)
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok());
        sig.is_some_and(|b| {
            verifier
                .verify(&message, &ed25519_dalek::Signature::from_bytes(&b))
                .is_ok()
        })
    });
    if !verified {
        let ids: Vec<&str> = signatures
            .iter()
            .filter_map(|s| s.get("keyid").and_then(Value::as_str))
            .collect();
        return Err(bad(format!(
            "no signature verifies with {want} (signatures by: {})",
            if ids.is_empty() {
                "none named".to_string()
            } else {
                ids.join(", ")
            }
        )));
    }
    serde_json::from_slice(&body).map_err(|e| bad(format!("payload is not JSON: {e}")))
}
