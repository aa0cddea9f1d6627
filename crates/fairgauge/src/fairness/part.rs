//! The two things a fairness pass carries: the mergeable [`FairnessPart`] (what the rows of a
//! part of a table held) and the [`Ctx`] every reader works in (the table, the roles, the
//! positive label, each role column's text rules). Each task's module (`multiclass`,
//! `regression`, `ranking`) and `parts` add their own methods; this module sits below them all.

use super::spec::FairnessSpec;
use super::visit::Distinct;
use crate::io::source::Table;
use crate::io::text::TextRules;
use fairgauge_core::fairness::multiclass::MulticlassState;
use fairgauge_core::fairness::ranking::RankingState;
use fairgauge_core::fairness::regression::RegressionState;
use fairgauge_core::fairness::FairnessState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The mergeable partial result of a fairness assessment over part of a table (a slice, a
/// file shard, a Spark partition): the core's [`FairnessState`] plus what the roles held, so
/// that merging parts in any order and finishing gives the single-pass report
/// ([`fairness_part`], [`FairnessPart::merge`], [`finish_fairness`](crate::fairness::run::finish_fairness)). Serialised with
/// [`FairnessPart::encode`]; its size grows with groups, not rows (the regression task keeps
/// every prediction and the ranking task every item, about 24 bytes each).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FairnessPart {
    pub(crate) state: FairnessState,
    pub(crate) label: Distinct,
    pub(crate) prediction: Distinct,
    pub(crate) score_non_null: u64,
    pub(crate) sensitive_non_null: Vec<u64>,
    /// The multiclass task's state (`None` for the binary task, whose `state` then counts).
    pub(crate) multiclass: Option<MulticlassState>,
    /// The regression task's state (`None` for the other tasks).
    pub(crate) regression: Option<RegressionState>,
    /// The ranking task's state (`None` for the other tasks).
    #[serde(default)]
    pub(crate) ranking: Option<RankingState>,
    /// One part per sensitive attribute known as probabilities ([`super::membership`]).
    #[serde(default)]
    pub(crate) membership: Vec<super::membership::MembershipPart>,
}

pub(crate) struct Ctx<'a> {
    pub(crate) table: &'a Table,
    pub(crate) spec: &'a FairnessSpec,
    pub(crate) positive: Option<String>,
    pub(crate) rules: BTreeMap<String, TextRules>,
}
