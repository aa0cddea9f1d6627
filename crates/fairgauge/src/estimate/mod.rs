//! Label-free estimates: a model's performance per group on data without labels, from its scores
//! calibrated on a labelled reference (confidence-based performance estimation, as NannyML's
//! CBPE, per group). The statistics are in [`fairgauge_core::estimate`].

pub mod parts;
pub mod read;
pub mod run;
pub mod spec;
pub mod summary;

pub use parts::{finish_estimate, EstimatePart};
pub use run::run_estimate;
pub use spec::*;
