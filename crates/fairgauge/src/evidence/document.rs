//! The evidence document: one assessment run against a policy, as a risk manager files it and an
//! auditor checks it. Its JSON Schema is `schemas/evidence.schema.json` (validated in tests).
//!
//! Apart from `run.id` and the timestamps, the same input and policy give byte-identical
//! evidence: ids of findings and risks are digests of what they are about, and every list has a
//! fixed order.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Version of the evidence format (semantic versioning; a change of the major number breaks
/// readers).
pub const SCHEMA_VERSION: &str = "1.6.0";

/// A finding's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Within thresholds.
    Pass,
    /// Too little data to judge.
    InsufficientData,
    /// Past the warning threshold.
    Warn,
    /// Past the failure threshold.
    Fail,
    /// The check could not run.
    Error,
}

impl Finding {
    /// The finding's family: its kind's first part (`fairness.selection_rate_ratio` →
    /// `fairness`; `drift`, `quality`, `provenance`).
    pub fn family(&self) -> &str {
        self.kind.split('.').next().unwrap_or(&self.kind)
    }
}

impl FindingStatus {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Pass => "pass",
            FindingStatus::InsufficientData => "insufficient_data",
            FindingStatus::Warn => "warn",
            FindingStatus::Fail => "fail",
            FindingStatus::Error => "error",
        }
    }

    /// Whether a status word (as the history stores it) is one the policy breached: `warn` or
    /// `fail`.
    pub fn is_breach(word: &str) -> bool {
        word == FindingStatus::Warn.as_str() || word == FindingStatus::Fail.as_str()
    }
}

/// A risk category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Unfair treatment of groups.
    Bias,
    /// Incomplete, erroneous or leaky data.
    DataQuality,
    /// Data that moved away from what the system was built on.
    Drift,
    /// Data whose origin or integrity is not established.
    Provenance,
}

impl Category {
    /// The snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Bias => "bias",
            Category::DataQuality => "data_quality",
            Category::Drift => "drift",
            Category::Provenance => "provenance",
        }
    }
}

/// A risk rating from the 5 × 5 score: 1–4 low, 5–9 medium, 10–16 high, 20–25 critical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Score 1–4.
    Low,
    /// Score 5–9.
    Medium,
    /// Score 10–16.
    High,
    /// Score 20–25.
    Critical,
}

impl Rating {
    /// The rating of a likelihood × impact score.
    pub fn of(score: u8) -> Rating {
        match score {
            0..=4 => Rating::Low,
            5..=9 => Rating::Medium,
            10..=16 => Rating::High,
            _ => Rating::Critical,
        }
    }

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Low => "low",
            Rating::Medium => "medium",
            Rating::High => "high",
            Rating::Critical => "critical",
        }
    }
}

/// A control a finding or risk refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlRef {
    /// `FRAMEWORK:ID`, e.g. `ISO42001:A.5.4`.
    pub id: String,
    /// The framework.
    pub framework: String,
    /// The id as the framework writes it.
    pub reference: String,
    /// Short title.
    pub title: String,
}

/// What a finding is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// A column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// A sensitive attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    /// A group of the attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The group it is compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_group: Option<String>,
    /// The class (multiclass task: the class judged one-vs-rest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

/// The thresholds a value was judged against.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct JudgedThreshold {
    /// Warning threshold.
    pub warn: f64,
    /// Failure threshold.
    pub fail: f64,
    /// `above` or `below`.
    pub direction: crate::evidence::policy::Direction,
}

/// One check result judged against the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id: `F-` and 12 hex digits of SHA-256 over the kind and subject.
    pub id: String,
    /// What was checked, e.g. `fairness.selection_rate_ratio`, `drift.psi`, `quality.missing`.
    pub kind: String,
    /// Risk category.
    pub category: Category,
    /// Verdict.
    pub status: FindingStatus,
    /// The metric's name.
    pub metric: String,
    /// Its value.
    pub value: Option<f64>,
    /// Its confidence interval, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<[f64; 2]>,
    /// The p-value of the test behind it, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// Thresholds applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<JudgedThreshold>,
    /// What it is about.
    pub subject: Subject,
    /// A sentence a risk manager understands.
    pub message: String,
    /// Controls it is evidence for.
    pub controls: Vec<ControlRef>,
    /// The risk it feeds, when it is not a pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_id: Option<String>,
    /// Set when the value is estimated, not observed: a finding on a sensitive attribute known
    /// only as probabilities (`data.sensitive_probabilities`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated: Option<Estimated>,
}

/// How an estimated finding's value was made, and what it cannot tell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimated {
    /// `weighted` (each row counts towards every group with its probability), `threshold`
    /// (rows assigned their most likely group), or `cbpe` (rates estimated without labels from
    /// calibrated scores; since 1.4.0).
    pub estimator: String,
    /// The attribute known as probabilities, or whose groups' rates were estimated.
    pub attribute: String,
    /// What the estimate cannot tell (the estimators' known biases).
    pub caveat: String,
    /// The smallest and largest values of the finding's summary that the data allow without
    /// assuming the outcome independent of membership given the proxies (`[data] bounds_by`;
    /// weighted estimator, since 1.6.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<[f64; 2]>,
}

/// A risk-register entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    /// Stable id: `R-` and 12 hex digits of SHA-256 over the system id, category and key.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: Category,
    /// Likelihood, 1–5.
    pub likelihood: u8,
    /// Impact, 1–5.
    pub impact: u8,
    /// Likelihood × impact.
    pub score: u8,
    /// Rating of the score.
    pub rating: Rating,
    /// Suggested treatment.
    pub treatment: crate::evidence::policy::Treatment,
    /// `open` (a new finding) — registers track it from there.
    pub status: String,
    /// Findings behind it.
    pub findings: Vec<String>,
    /// Controls (union of its findings').
    pub controls: Vec<ControlRef>,
    /// Its life across the runs of a metric history (`assess --history`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub life: Option<RiskLife>,
}

/// A risk's life across the runs recorded in a metric history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskLife {
    /// `new` (first seen in this run), `open` (as before), `worsening` / `improving` (its score,
    /// else its driving metric's distance past its threshold, moved since the last run that saw
    /// it), `resolved` (seen before, not in this run).
    pub status: String,
    /// The end of the first run that saw it, RFC 3339.
    pub first_seen: String,
    /// The end of the last run that saw it (this run's, unless resolved).
    pub last_seen: String,
    /// Runs that saw it, this one included.
    pub runs_seen: u64,
    /// The runs that saw it, oldest first (at most the last 20): the score and the driving
    /// metric's value.
    pub trend: Vec<TrendPoint>,
    /// The latest decision people recorded on it (`fairgauge risk …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionState>,
}

/// One run of a risk's trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The run's end, RFC 3339.
    pub finished_at: String,
    /// The risk's score then (`null` for runs recorded before history schema 2).
    pub score: Option<u8>,
    /// The driving metric (the risk's worst finding's).
    pub metric: Option<String>,
    /// Its value.
    pub value: Option<f64>,
}

/// A decision on a risk, and whether it still holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionState {
    /// `accept`, `mitigate`, `transfer`, `avoid` or `close`.
    pub decision: String,
    /// Who decided.
    pub decided_by: String,
    /// Why.
    pub reason: String,
    /// When, RFC 3339.
    pub decided_at: String,
    /// Until when it holds (an acceptance's review date), `YYYY-MM-DD`.
    pub review_date: Option<String>,
    /// `false` when its review date has passed, or a closed risk came back.
    pub in_force: bool,
}

/// The run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// UUID v4.
    pub id: String,
    /// Start (RFC 3339, UTC).
    pub started_at: String,
    /// End (RFC 3339, UTC).
    pub finished_at: String,
    /// `fairgauge`.
    pub tool: String,
    /// The tool's version.
    pub tool_version: String,
    /// The command line, as given.
    pub command_line: Vec<String>,
    /// SHA-256 of the policy text.
    pub policy_sha256: String,
    /// The policy file (`null`: built in).
    pub policy_path: Option<PathBuf>,
    /// Where the measurements ran when not in this process (Spark), absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
    /// Where this evidence is filed in a ledger (`assess --ledger`), absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerLink>,
}

/// Where an evidence document is filed in a ledger: the position of its record and the head the
/// record extends, fixed under the ledger's lock before the document is written (its digest is
/// then recorded in that record). With the run's id, end time and system id these give the
/// record's digest, the ledger's head after the append
/// ([`filed_head`](crate::evidence::ledger::filed_head)), so the document and every export of it
/// can name that head without a circular digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerLink {
    /// The record's position (1-based).
    pub seq: u64,
    /// The head before the append: the previous record's `record_sha256`, or the genesis value.
    pub prev_sha256: String,
    /// The signer's key id when the record is signed (`ed25519:` and 16 hex digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

/// A distributed engine that measured the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Engine {
    /// `spark`.
    pub name: String,
    /// The engine's version.
    pub version: Option<String>,
    /// Partitions per dataset role (`current`, `reference`).
    pub partitions: BTreeMap<String, u64>,
}

/// A dataset the run read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// `current` or `reference`.
    pub role: String,
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: String,
    /// Rows.
    pub rows: u64,
    /// Columns.
    pub columns: u64,
    /// SHA-256 of the file's bytes (`sha256:…`); `null` for an in-memory table (a DataFrame
    /// handed to the Python API), which the content fingerprint identifies instead.
    pub file_sha256: Option<String>,
    /// Content fingerprint (`sha256:…`).
    pub content_fingerprint: String,
    /// Schema fingerprint (`sha256:…`).
    pub schema_fingerprint: String,
}

/// Counts and the overall verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Findings by status.
    pub findings: BTreeMap<String, u64>,
    /// Risks by rating.
    pub risks: BTreeMap<String, u64>,
    /// `fail` when any finding fails (or errs), else `warn` when any warns, else `pass`.
    pub overall: FindingStatus,
    /// Whether no finding failed.
    pub passed: bool,
}

/// The system, as in the policy.
pub type System = crate::evidence::policy::System;

/// The evidence document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// [`SCHEMA_VERSION`].
    pub schema_version: String,
    /// The run.
    pub run: Run,
    /// The system.
    pub system: System,
    /// The roles used (policy overridden by the command line).
    pub roles: crate::evidence::policy::Roles,
    /// Datasets read.
    pub datasets: Vec<Dataset>,
    /// Findings, in a fixed order (category, kind, subject).
    pub findings: Vec<Finding>,
    /// Risks, by score (highest first), then id.
    pub risks: Vec<Risk>,
    /// Risks an earlier run of the history saw that this run does not (`assess --history`), as
    /// last seen, by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved_risks: Vec<Risk>,
    /// Summary.
    pub summary: Summary,
    /// The full metric results: `fairness`, `drift`, `quality` (each as its command writes it).
    pub results: BTreeMap<String, serde_json::Value>,
}

/// The evidence as pretty JSON with a final newline: the bytes written to the evidence file,
/// whose SHA-256 the ledger records.
pub fn evidence_json(e: &Evidence) -> String {
    let mut s = serde_json::to_string_pretty(e).unwrap_or_default();
    s.push('\n');
    s
}

/// `sha256:` and the hex SHA-256 of an evidence document's JSON text (of [`evidence_json`]): the
/// digest the ledger, the register and the history record.
pub fn json_sha256(json: &str) -> String {
    use sha2::{Digest, Sha256};
    format!(
        "sha256:{}",
        fairgauge_core::fingerprint::hex(&Sha256::digest(json.as_bytes()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings() {
        assert_eq!(Rating::of(4), Rating::Low);
        assert_eq!(Rating::of(16), Rating::High);
        assert_eq!(Rating::of(20), Rating::Critical);
    }
}
