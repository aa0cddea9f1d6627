//! fairgauge-core: the statistics behind fairgauge, free of any data-frame library.
//!
//! Every metric family is a mergeable state (`update` / `merge` / `finish`), so the
//! single-threaded, rayon, streaming and distributed paths share one definition.
//! Inputs are plain slices; reading files and mapping columns to roles happens in the
//! `fairgauge` crate.

pub mod drift;
pub mod error;
pub mod estimate;
pub mod fairness;
pub mod fingerprint;
pub mod membership;
pub mod monitor;
pub mod quality;
pub mod state_codec;
pub mod stats;

pub use error::{Error, Result};
