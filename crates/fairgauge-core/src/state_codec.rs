//! A compact, versioned binary form of the mergeable states, so that partial results computed in
//! one process (a Spark executor, a shard of a file) merge in another.
//!
//! Layout: the magic `FGST`, the format version (u16, little-endian), the kind of state (u8),
//! then the state in postcard (serde's compact varint encoding). A reader refuses another magic,
//! a newer version or another kind with an error that says which; the payload's own checks
//! (e.g. a HyperLogLog's register count) run on decoding.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};

/// The first four bytes of every encoded state.
pub const MAGIC: &[u8; 4] = b"FGST";
/// The format version this build writes and reads. Version 2 (fairgauge 0.x, December 2026)
/// added sample weights to the fairness state (`has_weights`, and each cell's weight sums);
/// parts are exchanged between processes of one run, so a version-1 part is refused with a
/// message naming both versions rather than migrated. Version 3 (December 2026) added the
/// multiclass task's state to the fairness part (and the regression task's); version 4 the
/// ranking task's; version 5 each regression cell's labels (for its bootstrap); version 6 each
/// ranking state's sample weights (one per item); version 7 the proxy strata's sums of an
/// attribute known as probabilities (for its bounds); version 8 the fairness state's kept sample
/// weights (for the bootstrap with sample weights); version 9 the order of the groups of the
/// weights kept with probabilistic membership (for the bootstrap with sensitive probabilities)
/// and each proxy stratum's (label, decision) cells (for bounds on TPR and FPR).
pub const VERSION: u16 = 9;

/// What an encoded state holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum StateKind {
    /// [`crate::fairness::FairnessState`].
    Fairness = 1,
    /// [`crate::drift::KllSketch`].
    Kll = 2,
    /// [`crate::quality::hll::HyperLogLog`].
    HyperLogLog = 3,
    /// [`crate::fingerprint::ContentFingerprint`].
    ContentFingerprint = 4,
    /// A fairness part of the `fairgauge` crate (the state plus the role values seen).
    FairnessPart = 5,
    /// Drift column accumulators of the `fairgauge` crate (one table's part).
    DriftPart = 6,
    /// A quality part of the `fairgauge` crate (per-slice facts of part of a table).
    QualityPart = 7,
    /// A reference part of the `fairgauge` crate (fingerprint and row hashes for leakage).
    ReferencePart = 8,
    /// A monitoring part of the `fairgauge` crate (a part's rows per window, or its windows'
    /// quality, fairness and drift parts).
    MonitorPart = 9,
    /// An estimate part of the `fairgauge` crate (a part's score histograms, of the data or of
    /// the labelled reference).
    EstimatePart = 10,
}

impl StateKind {
    fn name(self) -> &'static str {
        match self {
            StateKind::Fairness => "fairness state",
            StateKind::Kll => "KLL sketch",
            StateKind::HyperLogLog => "HyperLogLog",
            StateKind::ContentFingerprint => "content fingerprint",
            StateKind::FairnessPart => "fairness part",
            StateKind::DriftPart => "drift part",
            StateKind::QualityPart => "quality part",
            StateKind::ReferencePart => "reference part",
            StateKind::MonitorPart => "monitoring part",
            StateKind::EstimatePart => "estimate part",
        }
    }
}

/// Encodes a state.
pub fn encode<T: Serialize>(kind: StateKind, state: &T) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.push(kind as u8);
    let payload = postcard::to_allocvec(state)
        .map_err(|e| Error::InvalidArgument(format!("cannot encode the {}: {e}", kind.name())))?;
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Decodes a state of the given kind.
pub fn decode<T: DeserializeOwned>(kind: StateKind, bytes: &[u8]) -> Result<T> {
    let bad = |m: String| Error::InvalidArgument(m);
    if bytes.len() < 7 || &bytes[..4] != MAGIC {
        return Err(bad(format!(
            "not an encoded fairgauge state (expected the magic `FGST`, got {} bytes starting {:?})",
            bytes.len(),
            &bytes[..bytes.len().min(4)]
        )));
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if version != VERSION {
        return Err(bad(format!(
            "encoded state format version {version}; this build reads version {VERSION}"
        )));
    }
    if bytes[6] != kind as u8 {
        return Err(bad(format!(
            "the encoded state is of kind {}, expected a {} ({})",
            bytes[6],
            kind.name(),
            kind as u8
        )));
    }
    postcard::from_bytes(&bytes[7..])
        .map_err(|e| bad(format!("cannot decode the {}: {e}", kind.name())))
}
