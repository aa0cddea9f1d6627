//! Exports of the evidence document for the tools that consume it: a risk-register CSV for GRC
//! tools, OSCAL 1.1.2 assessment results for auditors, JUnit XML for CI, a Markdown summary for
//! people, and an in-toto statement, signed in a DSSE envelope when asked.
//!
//! Every export is a function of the evidence alone (no clock, no randomness): the same evidence
//! gives the same bytes. OSCAL object uuids are derived from the system id and the object's
//! stable id with [`uuid_from_name`](crate::evidence::ids::uuid_from_name), so two runs of one assessment differ only where their run
//! ids and timestamps differ.
//!
//! Text that comes from the data (column names, group values, messages, rule names) is untrusted:
//! each format escapes it by its own rules — RFC 4180 quoting (and a leading `'` before a
//! spreadsheet formula), XML entities with characters XML 1.0 forbids removed, Markdown backslash
//! escapes — so that no value can add a column, an element or a table cell.
//!
//! One file per export: [`register`], [`oscal`], [`junit`], [`markdown`], [`intoto`], [`dsse`]; what they
//! share in [`words`] (how findings are named) and [`times`]; [`write`](mod@write) writes them all.

pub mod dsse;
pub mod intoto;
pub mod junit;
pub mod markdown;
pub mod oscal;
pub mod register;
pub mod times;
pub mod words;
pub mod write;

pub use crate::io::write::write_atomic;
pub use dsse::{dsse_envelope, pae, verify_envelope, IN_TOTO_PAYLOAD_TYPE};
pub use intoto::{in_toto_statement, PREDICATE_TYPE};
pub use junit::junit_xml;
pub use markdown::markdown_summary;
pub use oscal::{control_token, oscal_assessment_results, OSCAL_NS, OSCAL_VERSION};
pub use register::{register_csv, REGISTER_COLUMNS};
pub use times::REVIEW_INTERVAL_DAYS;
pub use write::{evidence_json, write_all, OutputPaths};
