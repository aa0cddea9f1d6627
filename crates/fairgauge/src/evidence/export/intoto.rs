//! The in-toto Statement v1: the datasets' digests as subjects, the evidence as predicate.

use super::words::*;
use crate::evidence::document::Evidence;
use serde_json::{json, Value};

/// The in-toto predicate type of the evidence.
pub const PREDICATE_TYPE: &str = "https://fairgauge.dev/evidence/v1";

// ---------------------------------------------------------------------------------------------
// in-toto
// ---------------------------------------------------------------------------------------------

/// An in-toto Statement v1 about the datasets: each is a subject named `<role>:<file name>`
/// with the SHA-256 of its bytes (hex, without `sha256:`), or for an in-memory table its
/// content fingerprint under the custom algorithm name `fairgauge-content-v1`; the predicate (type
/// [`PREDICATE_TYPE`]) is the evidence document itself. Sign it with a DSSE envelope
/// (`payloadType: application/vnd.in-toto+json`).
pub fn in_toto_statement(e: &Evidence) -> Value {
    let subject: Vec<Value> = e
        .datasets
        .iter()
        .map(|d| {
            json!({
                "name": format!("{}:{}", d.role, file_name(&d.path)),
                "digest": match &d.file_sha256 {
                    Some(sha) => json!({"sha256": strip_sha256(sha).to_ascii_lowercase()}),
                    // An in-memory table has no bytes: its content fingerprint names it.
                    None => json!({
                        "fairgauge-content-v1":
                            strip_sha256(&d.content_fingerprint).to_ascii_lowercase()
                    }),
                },
            })
        })
        .collect();
    let predicate = serde_json::to_value(e).unwrap_or_else(
        |err| json!({"error": format!("the evidence cannot be written as JSON: {err}")}),
    );
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    })
}
