//! The binary form of the library's partial states (parts of fairness, drift and quality runs):
//! [`fairgauge_core::state_codec`] with the library's error type.

use serde::de::DeserializeOwned;
use serde::Serialize;

use fairgauge_core::state_codec::{self, StateKind};

use crate::error::{Error, Result};

/// Encodes a part.
pub(crate) fn encode<T: Serialize>(kind: StateKind, part: &T) -> Result<Vec<u8>> {
    state_codec::encode(kind, part).map_err(|e| Error::InvalidOption(e.to_string()))
}

/// Decodes a part; `what` names it in the error (`a fairness part: …`).
pub(crate) fn decode<T: DeserializeOwned>(kind: StateKind, bytes: &[u8], what: &str) -> Result<T> {
    state_codec::decode(kind, bytes).map_err(|e| Error::InvalidOption(format!("{what}: {e}")))
}
