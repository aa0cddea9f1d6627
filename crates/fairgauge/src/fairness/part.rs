//! The two things a fairness pass carries: the mergeable [`FairnessPart`] (what the rows of a
//! part of a table held) and the [`Ctx`] every reader works in (the table, the roles, the
//! positive label, each role column's text rules). Each task's module (`multiclass`,
//! `regression`, `ranking`) and `parts` add their own methods; this module sits below them all.

use super::spec::{FairnessSpec, ProbabilisticSpec};
use super::visit::Distinct;
use crate::error::{Error, Result};
use crate::io::source::Table;
use crate::io::text::TextRules;
use fairgauge_core::fairness::multiclass::MulticlassState;
use fairgauge_core::fairness::ranking::RankingState;
use fairgauge_core::fairness::regression::RegressionState;
use fairgauge_core::fairness::FairnessState;
use fairgauge_core::membership::bounds::BoundsState;
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
    pub(crate) membership: Vec<MembershipPart>,
}

pub(crate) struct Ctx<'a> {
    pub(crate) table: &'a Table,
    pub(crate) spec: &'a FairnessSpec,
    pub(crate) positive: Option<String>,
    pub(crate) rules: BTreeMap<String, TextRules>,
}

/// What part of a table held for one attribute known as probabilities.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MembershipPart {
    /// The weighted estimator: the attribute (first) and the ordinary sensitive attributes, for
    /// intersections.
    pub(crate) weighted: FairnessState,
    /// The threshold estimator: the assigned rows by their assigned group.
    pub(crate) assigned: FairnessState,
    /// Rows with probabilities whose largest is below the threshold.
    pub(crate) unassigned: u64,
    /// The strata's sums for the bounds (with `--bounds-by`).
    pub(crate) bounds: Option<BoundsState>,
}

/// The outcomes the bounds cover: the base rate, and the selection rate with a prediction or a
/// score.
fn bounded_outcomes(spec: &FairnessSpec) -> Vec<String> {
    let mut o = vec!["base_rate".to_string()];
    if spec.prediction.is_some() || spec.score.is_some() {
        o.push("selection_rate".into());
    }
    o
}

impl MembershipPart {
    pub(crate) fn empty(spec: &FairnessSpec, p: &ProbabilisticSpec) -> MembershipPart {
        let has_pred = spec.prediction.is_some() || spec.score.is_some();
        let has_score = spec.score.is_some();
        let mut attrs = vec![p.name.clone()];
        attrs.extend(spec.sensitive.iter().cloned());
        let mut assigned = FairnessState::new(vec![p.assigned_name()], has_pred, has_score);
        let mut weighted = FairnessState::new(attrs, has_pred, has_score).with_membership(0);
        if spec.weight.is_some() {
            assigned = assigned.weighted();
        }
        // The bootstrap draws a weight for every row: the rows' weights (in each group) are kept.
        if spec.keep_labels {
            assigned = assigned.keeping_weights();
            weighted = weighted.keeping_weights();
        }
        MembershipPart {
            weighted,
            assigned,
            unassigned: 0,
            bounds: (!p.bounds_by.is_empty()).then(|| {
                let b = BoundsState::new(p.group_names(), bounded_outcomes(spec));
                // With decisions, the error rates (TPR, FPR) are bounded too.
                if has_pred {
                    b.with_error_rates()
                } else {
                    b
                }
            }),
        }
    }

    pub(crate) fn merge(&mut self, o: &MembershipPart) -> Result<()> {
        let core = |e| Error::Core {
            context: String::new(),
            source: e,
        };
        // The bounds are checked first, so that a mismatch leaves this part as it was.
        match (&self.bounds, &o.bounds) {
            (Some(a), Some(b)) => a.check_compatible(b).map_err(core)?,
            (None, None) => {}
            _ => {
                return Err(Error::InvalidOption(
                    "parts counted with and without --bounds-by".into(),
                ))
            }
        }
        self.weighted.merge(&o.weighted).map_err(core)?;
        self.assigned.merge(&o.assigned).map_err(core)?;
        self.unassigned += o.unassigned;
        if let (Some(a), Some(b)) = (&mut self.bounds, &o.bounds) {
            a.merge(b).map_err(core)?;
        }
        Ok(())
    }
}
