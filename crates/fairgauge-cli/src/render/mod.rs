//! Text rendering of reports for a terminal: one module per report (`bisg`, `fairness`, `drift`,
//! `quality`, `evidence` for an assessment), with what they share in `text`.

mod bisg;
mod drift;
mod estimate;
mod evidence;
mod fairness;
mod monitor;
mod multiclass;
mod quality;
mod ranking;
mod regression;
mod text;

pub use bisg::bisg_text;
pub use drift::drift_text;
pub use estimate::estimate_text;
pub use evidence::evidence_text;
pub use fairness::fairness_text;
pub use monitor::monitor_text;
pub use multiclass::multiclass_text;
pub use quality::quality_text;
pub use ranking::ranking_text;
pub use regression::regression_text;
pub use text::shown;
