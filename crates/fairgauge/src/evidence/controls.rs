//! The controls findings refer to: ISO/IEC 42001:2023 (clauses and Annex A), the NIST AI RMF 1.0
//! and the EU AI Act (Regulation (EU) 2024/1689), with their numbering as the standards publish
//! it, and the built-in mapping from kinds of finding to controls.
//!
//! An id is `FRAMEWORK:ID`: `ISO42001:A.5.4`, `NIST-AI-RMF:MEASURE-2.11`, `EU-AI-Act:Art.10(2)(f)`.

use serde::Serialize;

/// One control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Control {
    /// `FRAMEWORK:ID`.
    pub id: &'static str,
    /// The framework's name.
    pub framework: &'static str,
    /// The id as the framework writes it.
    pub reference: &'static str,
    /// Short title.
    pub title: &'static str,
}

const ISO: &str = "ISO/IEC 42001:2023";
const NIST: &str = "NIST AI RMF 1.0";
const EU: &str = "EU AI Act";

macro_rules! c {
    ($id:expr, $fw:expr, $r:expr, $t:expr) => {
        Control {
            id: $id,
            framework: $fw,
            reference: $r,
            title: $t,
        }
    };
}

/// Every control fairgauge knows.
pub const CATALOG: &[Control] = &[
    c!("ISO42001:6.1.2", ISO, "6.1.2", "AI risk assessment"),
    c!("ISO42001:6.1.3", ISO, "6.1.3", "AI risk treatment"),
    c!(
        "ISO42001:6.1.4",
        ISO,
        "6.1.4",
        "AI system impact assessment"
    ),
    c!("ISO42001:7.5", ISO, "7.5", "Documented information"),
    c!("ISO42001:8.2", ISO, "8.2", "AI risk assessment (operation)"),
    c!("ISO42001:8.3", ISO, "8.3", "AI risk treatment (operation)"),
    c!(
        "ISO42001:8.4",
        ISO,
        "8.4",
        "AI system impact assessment (operation)"
    ),
    c!(
        "ISO42001:9.1",
        ISO,
        "9.1",
        "Monitoring, measurement, analysis and evaluation"
    ),
    c!(
        "ISO42001:10.2",
        ISO,
        "10.2",
        "Nonconformity and corrective action"
    ),
    c!("ISO42001:A.2.2", ISO, "A.2.2", "AI policy"),
    c!(
        "ISO42001:A.2.3",
        ISO,
        "A.2.3",
        "Alignment with other organizational policies"
    ),
    c!("ISO42001:A.2.4", ISO, "A.2.4", "Review of the AI policy"),
    c!(
        "ISO42001:A.3.2",
        ISO,
        "A.3.2",
        "AI roles and responsibilities"
    ),
    c!("ISO42001:A.3.3", ISO, "A.3.3", "Reporting of concerns"),
    c!("ISO42001:A.4.2", ISO, "A.4.2", "Resource documentation"),
    c!("ISO42001:A.4.3", ISO, "A.4.3", "Data resources"),
    c!("ISO42001:A.4.4", ISO, "A.4.4", "Tooling resources"),
    c!(
        "ISO42001:A.4.5",
        ISO,
        "A.4.5",
        "System and computing resources"
    ),
    c!("ISO42001:A.4.6", ISO, "A.4.6", "Human resources"),
    c!(
        "ISO42001:A.5.2",
        ISO,
        "A.5.2",
        "AI system impact assessment process"
    ),
    c!(
        "ISO42001:A.5.3",
        ISO,
        "A.5.3",
        "Documentation of AI system impact assessments"
    ),
    c!(
        "ISO42001:A.5.4",
        ISO,
        "A.5.4",
        "Assessing AI system impact on individuals or groups of individuals"
    ),
    c!(
        "ISO42001:A.5.5",
        ISO,
        "A.5.5",
        "Assessing societal impacts of AI systems"
    ),
    c!(
        "ISO42001:A.6.1.2",
        ISO,
        "A.6.1.2",
        "Objectives for responsible development of AI system"
    ),
    c!(
        "ISO42001:A.6.1.3",
        ISO,
        "A.6.1.3",
        "Processes for responsible AI system design and development"
    ),
    c!(
        "ISO42001:A.6.2.2",
        ISO,
        "A.6.2.2",
        "AI system requirements and specification"
    ),
    c!(
        "ISO42001:A.6.2.3",
        ISO,
        "A.6.2.3",
        "Documentation of AI system design and development"
    ),
    c!(
        "ISO42001:A.6.2.4",
        ISO,
        "A.6.2.4",
        "AI system verification and validation"
    ),
    c!("ISO42001:A.6.2.5", ISO, "A.6.2.5", "AI system deployment"),
    c!(
        "ISO42001:A.6.2.6",
        ISO,
        "A.6.2.6",
        "AI system operation and monitoring"
    ),
    c!(
        "ISO42001:A.6.2.7",
        ISO,
        "A.6.2.7",
        "AI system technical documentation"
    ),
    c!(
        "ISO42001:A.6.2.8",
        ISO,
        "A.6.2.8",
        "AI system recording of event logs"
    ),
    c!(
        "ISO42001:A.7.2",
        ISO,
        "A.7.2",
        "Data for development and enhancement of AI system"
    ),
    c!("ISO42001:A.7.3", ISO, "A.7.3", "Acquisition of data"),
    c!(
        "ISO42001:A.7.4",
        ISO,
        "A.7.4",
        "Quality of data for AI systems"
    ),
    c!("ISO42001:A.7.5", ISO, "A.7.5", "Data provenance"),
    c!("ISO42001:A.7.6", ISO, "A.7.6", "Data preparation"),
    c!(
        "ISO42001:A.8.2",
        ISO,
        "A.8.2",
        "System documentation and information for users"
    ),
    c!("ISO42001:A.8.3", ISO, "A.8.3", "External reporting"),
    c!("ISO42001:A.8.4", ISO, "A.8.4", "Communication of incidents"),
    c!(
        "ISO42001:A.8.5",
        ISO,
        "A.8.5",
        "Information for interested parties"
    ),
    c!(
        "ISO42001:A.9.2",
        ISO,
        "A.9.2",
        "Processes for responsible use of AI systems"
    ),
    c!(
        "ISO42001:A.9.3",
        ISO,
        "A.9.3",
        "Objectives for responsible use of AI system"
    ),
    c!(
        "ISO42001:A.9.4",
        ISO,
        "A.9.4",
        "Intended use of the AI system"
    ),
    c!(
        "ISO42001:A.10.2",
        ISO,
        "A.10.2",
        "Allocating responsibilities"
    ),
    c!("ISO42001:A.10.3", ISO, "A.10.3", "Suppliers"),
    c!("ISO42001:A.10.4", ISO, "A.10.4", "Customers"),
    c!(
        "NIST-AI-RMF:MAP-2.3",
        NIST,
        "MAP 2.3",
        "Data representativeness and suitability documented"
    ),
    c!(
        "NIST-AI-RMF:MEASURE-1.1",
        NIST,
        "MEASURE 1.1",
        "Metrics chosen for the most significant risks"
    ),
    c!(
        "NIST-AI-RMF:MEASURE-2.1",
        NIST,
        "MEASURE 2.1",
        "Test sets, metrics and tools documented"
    ),
    c!(
        "NIST-AI-RMF:MEASURE-2.4",
        NIST,
        "MEASURE 2.4",
        "Functionality and behaviour monitored in production"
    ),
    c!(
        "NIST-AI-RMF:MEASURE-2.5",
        NIST,
        "MEASURE 2.5",
        "Validity and reliability demonstrated"
    ),
    c!(
        "NIST-AI-RMF:MEASURE-2.11",
        NIST,
        "MEASURE 2.11",
        "Fairness and bias evaluated and results documented"
    ),
    c!(
        "NIST-AI-RMF:MEASURE-3.1",
        NIST,
        "MEASURE 3.1",
        "Risks tracked in deployment"
    ),
    c!(
        "NIST-AI-RMF:MANAGE-1.3",
        NIST,
        "MANAGE 1.3",
        "Responses to risks: mitigate, transfer, avoid, accept"
    ),
    c!(
        "NIST-AI-RMF:MANAGE-4.1",
        NIST,
        "MANAGE 4.1",
        "Post-deployment monitoring"
    ),
    c!(
        "EU-AI-Act:Art.10(2)(f)",
        EU,
        "Art. 10(2)(f)",
        "Examination in view of possible biases"
    ),
    c!(
        "EU-AI-Act:Art.10(2)(g)",
        EU,
        "Art. 10(2)(g)",
        "Measures to detect, prevent and mitigate biases"
    ),
    c!(
        "EU-AI-Act:Art.10(2)(h)",
        EU,
        "Art. 10(2)(h)",
        "Data gaps and shortcomings"
    ),
    c!(
        "EU-AI-Act:Art.10(3)",
        EU,
        "Art. 10(3)",
        "Data relevant, representative, free of errors and complete"
    ),
    c!(
        "EU-AI-Act:Art.10(5)",
        EU,
        "Art. 10(5)",
        "Special categories of personal data for bias detection"
    ),
    c!(
        "EU-AI-Act:Art.12(1)",
        EU,
        "Art. 12(1)",
        "Automatic recording of events"
    ),
    c!(
        "EU-AI-Act:Art.15(4)",
        EU,
        "Art. 15(4)",
        "Feedback loops and biased outputs"
    ),
    c!(
        "EU-AI-Act:Art.19(1)",
        EU,
        "Art. 19(1)",
        "Automatically generated logs kept"
    ),
    c!(
        "EU-AI-Act:Art.26(6)",
        EU,
        "Art. 26(6)",
        "Deployers keep logs"
    ),
];

/// A control by id.
pub fn lookup(id: &str) -> Option<&'static Control> {
    CATALOG.iter().find(|c| c.id == id)
}

/// The built-in controls of a kind of finding (`fairness.…`, `drift.…`, `quality.…`,
/// `provenance.…`), following the mapping in the project's compliance reference: group fairness
/// → A.5.4 and A.6.2.4 (A.7.4 for dataset bias), MEASURE 2.11, Art. 10(2)(f); data quality →
/// A.7.4, MAP 2.3, Art. 10(3); fingerprints → A.7.5; drift → A.6.2.6, MEASURE 2.4, MANAGE 4.1.
pub fn builtin(kind: &str) -> &'static [&'static str] {
    match kind {
        // An anomaly on a metric's history: monitoring and its evaluation.
        k if k.ends_with(".anomaly") => &[
            "ISO42001:9.1",
            "ISO42001:A.6.2.6",
            "NIST-AI-RMF:MEASURE-3.1",
            "NIST-AI-RMF:MANAGE-4.1",
        ],
        "fairness.base_rate_ratio" => &[
            "ISO42001:A.5.4",
            "ISO42001:A.7.4",
            "NIST-AI-RMF:MAP-2.3",
            "NIST-AI-RMF:MEASURE-2.11",
            "EU-AI-Act:Art.10(2)(f)",
            "EU-AI-Act:Art.10(3)",
        ],
        "fairness.insufficient_data" => &[
            "ISO42001:A.7.4",
            "NIST-AI-RMF:MAP-2.3",
            "EU-AI-Act:Art.10(2)(h)",
            "EU-AI-Act:Art.10(3)",
        ],
        k if k.starts_with("fairness.") => &[
            "ISO42001:A.5.4",
            "ISO42001:A.6.2.4",
            "NIST-AI-RMF:MEASURE-2.11",
            "EU-AI-Act:Art.10(2)(f)",
        ],
        k if k.starts_with("drift.") => &[
            "ISO42001:A.6.2.6",
            "NIST-AI-RMF:MEASURE-2.4",
            "NIST-AI-RMF:MANAGE-4.1",
        ],
        "quality.proxy" | "quality.missingness_by_group" => &[
            "ISO42001:A.5.4",
            "ISO42001:A.7.4",
            "NIST-AI-RMF:MEASURE-2.11",
            "EU-AI-Act:Art.10(2)(f)",
            "EU-AI-Act:Art.10(3)",
        ],
        "quality.duplicates" | "quality.leakage" | "quality.conflicting_labels" => &[
            "ISO42001:A.7.4",
            "ISO42001:A.7.6",
            "NIST-AI-RMF:MEASURE-2.5",
            "EU-AI-Act:Art.10(3)",
        ],
        k if k.starts_with("quality.") => &[
            "ISO42001:A.7.4",
            "NIST-AI-RMF:MAP-2.3",
            "EU-AI-Act:Art.10(2)(h)",
            "EU-AI-Act:Art.10(3)",
        ],
        k if k.starts_with("provenance.") => &["ISO42001:A.7.5", "NIST-AI-RMF:MEASURE-2.1"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_mapping_names_known_controls() {
        for kind in [
            "fairness.selection_rate_ratio",
            "fairness.base_rate_ratio",
            "fairness.insufficient_data",
            "drift.psi",
            "quality.missing",
            "quality.proxy",
            "quality.leakage",
            "provenance.fingerprints",
        ] {
            let ids = builtin(kind);
            assert!(!ids.is_empty(), "{kind}");
            for id in ids {
                assert!(lookup(id).is_some(), "{id}");
            }
        }
        let ids: std::collections::BTreeSet<&str> = CATALOG.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), CATALOG.len(), "duplicate ids");
    }
}
