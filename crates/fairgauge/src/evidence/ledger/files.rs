//! Reading a file offered as proof to `ledger verify --evidence`: an evidence document, an
//! in-toto statement of one, a DSSE envelope of that, or an export or report that names a ledger
//! head in its own field.

use std::path::Path;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::Value;

use super::fs::{is_sha256, ledger_err};
use crate::error::{Error, Result};
use crate::evidence::document::{evidence_json, Evidence};

/// Where an evidence document says it was filed: its record's `seq` and the head before it.
pub type Filed = (u64, String);

/// What a file offered as proof holds.
#[derive(Debug)]
pub enum Proof {
    /// The evidence bytes (as the ledger hashed them) and the position it records.
    Evidence(Vec<u8>, Option<Filed>),
    /// The ledger heads (`seq`, `record_sha256`) an export or report records.
    Heads(Vec<(u64, String)>),
}

/// Reads the file `file` (its bytes): a file that looks like an evidence document, a statement or
/// an envelope but is damaged (not JSON, a payload that does not decode) is an [`Error::Ledger`]
/// (the proof is broken, exit 1); a file that records nothing to check is an [`Error::Format`]
/// (bad usage, exit 2).
pub fn read_proof(file: &Path, bytes: &[u8]) -> Result<Proof> {
    let broken = |why: &str| {
        ledger_err(
            file,
            format!("is damaged: {why} (was the file truncated or edited?)"),
        )
    };
    let json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let v: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) if json => return Err(broken(&format!("not valid JSON: {e}"))),
        Err(_) => return heads_in_text(file, bytes).map(Proof::Heads),
    };
    let link = |e: &Value| {
        let l = e.get("run")?.get("ledger")?;
        Some((
            l.get("seq")?.as_u64()?,
            l.get("prev_sha256")?.as_str()?.to_string(),
        ))
    };
    if v.get("schema_version").is_some() && v.get("run").is_some() {
        return Ok(Proof::Evidence(bytes.to_vec(), link(&v)));
    }
    let statement = match v.get("payload") {
        Some(p) => {
            let body = p
                .as_str()
                .and_then(decode_base64)
                .ok_or_else(|| broken("the DSSE payload is not base64"))?;
            serde_json::from_slice::<Value>(&body)
                .map_err(|e| broken(&format!("the DSSE payload is not JSON: {e}")))?
        }
        None if v.get("predicate").is_some() => v,
        None => return heads_in_oscal(file, &v).map(Proof::Heads),
    };
    let predicate = statement
        .get("predicate")
        .ok_or_else(|| broken("the statement has no predicate"))?;
    let e: Evidence = serde_json::from_value(predicate.clone())
        .map_err(|err| broken(&format!("the predicate is not an evidence document: {err}")))?;
    Ok(Proof::Evidence(
        evidence_json(&e).into_bytes(),
        link(predicate),
    ))
}

/// Base64 as DSSE allows it: standard or URL-safe, padded or not.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(s).ok())
}

/// `record <seq> sha256:<hex>` as a whole value.
fn parse_head(value: &str) -> Option<(u64, String)> {
    let rest = value.trim().strip_prefix("record ")?;
    let (seq, head) = rest.split_once(' ')?;
    if !(is_sha256(head) && !seq.is_empty() && seq.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    Some((seq.parse().ok()?, head.to_string()))
}

/// The heads an OSCAL document records: its results' `ledger-head` properties.
fn heads_in_oscal(file: &Path, v: &Value) -> Result<Vec<(u64, String)>> {
    let heads = v
        .pointer("/assessment-results/results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("props").and_then(Value::as_array))
        .flatten()
        .filter(|p| p.get("name").and_then(Value::as_str) == Some("ledger-head"))
        .filter_map(|p| parse_head(p.get("value")?.as_str()?))
        .collect();
    some_heads(file, heads)
}

/// The heads a register, JUnit, Markdown or HTML export records, each read from its own field,
/// never from text that data can reach (a group named `record 9 sha256:…` proves nothing).
fn heads_in_text(file: &Path, bytes: &[u8]) -> Result<Vec<(u64, String)>> {
    let text = String::from_utf8_lossy(bytes);
    let mut heads = Vec::new();
    // The register: its `ledger_head` column.
    let header = text.lines().next().unwrap_or_default();
    if header.split(',').any(|c| c == "ledger_head") {
        let mut r = csv::ReaderBuilder::new().from_reader(bytes);
        if let Some(col) = r
            .headers()
            .ok()
            .and_then(|h| h.iter().position(|c| c == "ledger_head"))
        {
            heads.extend(
                r.records()
                    .flatten()
                    .filter_map(|rec| parse_head(rec.get(col)?)),
            );
        }
    }
    // JUnit (data in XML is escaped: it cannot open an element), Markdown (data is
    // backslash-escaped: it cannot start a `- **` line) and the HTML provenance row (escaped; the
    // report may mark break opportunities in the digest).
    let html = text.replace("<wbr>", "");
    let fields = [
        r#"<property name="ledger_head" value="(record [0-9]+ sha256:[0-9a-f]{64})"/>"#,
        r"(?m)^- \*\*Ledger head:\*\* `(record [0-9]+ sha256:[0-9a-f]{64})`$",
        r"<th>Ledger</th><td><code>(record [0-9]+ sha256:[0-9a-f]{64})",
    ];
    for f in fields {
        let re = regex::Regex::new(f).expect("a valid pattern");
        heads.extend(re.captures_iter(&html).filter_map(|c| parse_head(&c[1])));
    }
    some_heads(file, heads)
}

/// The heads found, sorted and unique; none is bad usage.
fn some_heads(file: &Path, mut heads: Vec<(u64, String)>) -> Result<Vec<(u64, String)>> {
    heads.sort();
    heads.dedup();
    if heads.is_empty() {
        return Err(Error::Format {
            path: file.to_path_buf(),
            message: "is neither an evidence document (nor its in-toto statement or DSSE \
                      envelope) nor an export that records a ledger head (the register's \
                      `ledger_head`, OSCAL's `ledger-head`, JUnit's `ledger_head` property, the \
                      Markdown `Ledger head` line, the HTML report's `Ledger` row); was it \
                      written with --ledger?"
                .into(),
        });
    }
    Ok(heads)
}
