//! Judging and writing: the policy and its controls ([`policy`], [`controls`]), the assessment
//! that turns fairness, drift and quality results into findings and risks ([`assess`]), the
//! evidence document itself ([`document`], [`ids`]), its exports ([`export`]: register CSV,
//! OSCAL, JUnit, Markdown, in-toto), the tamper-evident ledger ([`ledger`]) and the HTML report
//! ([`html`]).
//!
//! Import order, bottom to top: `ids`, `controls` → `policy` → `document` → `ledger` → `html` →
//! `export` → `history`, `assess`.

pub mod assess;
pub mod controls;
pub mod document;
pub mod export;
pub mod history;
pub mod html;
pub mod ids;
pub mod ledger;
pub mod policy;

pub use document::*;
pub use ids::*;
