//! Finishing a [`FairnessState`]: per-group metrics with Wilson intervals, disparities against a
//! reference group with p-values and Newcombe intervals, per-attribute summaries as Fairlearn and
//! AIF360 define them, inequality indices and representation against expected shares.
//!
//! Conventions (each tested):
//! - difference = group − reference, ratio = group / reference (AIF360's direction: unprivileged
//!   over privileged, with the reference as the privileged group);
//! - the summary's "between groups" differences are `max − min` and ratios `min / max` over the
//!   groups with enough rows, exactly as Fairlearn 0.15's `method="between_groups"`;
//! - a p-value comes from the pooled two-proportion z-test, or from Fisher's exact test when any
//!   expected count of the 2×2 table is below 5;
//! - a group with fewer rows than `min_group_size` is reported and flagged `insufficient_data`,
//!   but never chosen as reference nor used in summaries (they say which groups were left out).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::bootstrap::{summary_intervals, Bootstrap, BootstrapInterval};
use super::inequality::{between_group_generalized_entropy_index, generalized_entropy_index};
use super::metric::{higher_is_better, Confusion, Metric};
use super::state::{Cell, FairnessState, GroupKey, NULL_GROUP};
use super::summary::{difference, parity_summaries};
use super::weighted_bootstrap::{
    cell_replicates, group_replicates, membership_cell_replicates, weighted_summary_intervals,
    Replicates,
};
use crate::error::{Error, Result};
use crate::stats::hypothesis::{
    chi_square_independence_effective, two_proportion_z_test_effective, ProportionTest,
};
use crate::stats::proportion::{newcombe_interval_effective, wilson_interval_effective};
use crate::stats::{
    chi_square_gof, chi_square_independence, compare_proportions, wilson_interval, z_critical,
    ChiSquareTest, TestKind,
};

/// How the reference group of each attribute is chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceSpec {
    /// The group with the most rows.
    #[default]
    Majority,
    /// Per metric, the group with the most favourable value (highest, or lowest for error rates).
    Best,
    /// Per metric, the group with the least favourable value.
    Worst,
    /// Named groups: `by_attribute` maps an attribute (or intersection such as `sex&race`) to its
    /// reference group; a name in `any` is used in every attribute that has such a group.
    /// Attributes with neither fall back to the majority group.
    Named {
        /// Attribute → group.
        by_attribute: BTreeMap<String, String>,
        /// Group names to look for in every attribute.
        any: Vec<String>,
    },
}

impl ReferenceSpec {
    /// Parses `majority`, `best`, `worst`, a group name used wherever it occurs, or
    /// `ATTR=GROUP` pairs, comma-separated (`sex=Male,race=White`).
    pub fn parse(s: &str) -> std::result::Result<ReferenceSpec, String> {
        Ok(match s.trim() {
            "majority" => ReferenceSpec::Majority,
            "best" => ReferenceSpec::Best,
            "worst" => ReferenceSpec::Worst,
            s => {
                let mut by_attribute = BTreeMap::new();
                let mut any = vec![];
                for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    match part.split_once('=') {
                        Some((a, g)) => {
                            by_attribute.insert(a.trim().to_string(), g.trim().to_string());
                        }
                        None => any.push(part.to_string()),
                    }
                }
                if by_attribute.is_empty() && any.is_empty() {
                    return Err("the reference group is empty; expected majority, best, worst, a group name or ATTR=GROUP".into());
                }
                ReferenceSpec::Named { by_attribute, any }
            }
        })
    }
}

/// Options of [`FairnessState::finish`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessOptions {
    /// Confidence level of every interval (default 0.95).
    pub confidence: f64,
    /// Groups with fewer rows are flagged `insufficient_data` (default 30).
    pub min_group_size: u64,
    /// How the reference group is chosen (default majority).
    pub reference: ReferenceSpec,
    /// Also report every combination of two or more attributes (default false).
    pub intersect: bool,
    /// `α` of the generalized entropy index (default 2, as AIF360).
    pub gei_alpha: f64,
    /// Expected population share of each group, per attribute, for the representation check.
    pub expected_shares: BTreeMap<String, BTreeMap<String, f64>>,
    /// Below this expected cell count Fisher's exact test replaces the z-test (default 5).
    pub fisher_min_expected: f64,
    /// Percentile bootstrap intervals of the parity summaries (default none).
    #[serde(default)]
    pub bootstrap: Option<Bootstrap>,
}

impl Default for FairnessOptions {
    fn default() -> Self {
        FairnessOptions {
            confidence: 0.95,
            min_group_size: 30,
            reference: ReferenceSpec::Majority,
            intersect: false,
            gei_alpha: 2.0,
            expected_shares: BTreeMap::new(),
            fisher_min_expected: 5.0,
            bootstrap: None,
        }
    }
}

/// Row accounting: nothing is dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowCounts {
    /// Rows read.
    pub seen: u64,
    /// Rows counted.
    pub used: u64,
    /// Rows left out because the label is null.
    pub excluded_null_label: u64,
    /// Rows left out because the prediction is null.
    pub excluded_null_prediction: u64,
    /// Rows left out because the score is null.
    pub excluded_null_score: u64,
    /// With groups known as probabilities: rows left out because they have none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub excluded_no_membership: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Metrics of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMetrics {
    /// Attribute name, or `a&b` for an intersection.
    pub attribute: String,
    /// Group name, or `x&y` for an intersection (`<null>` for a null value).
    pub group: String,
    /// The group's value of each attribute.
    pub levels: BTreeMap<String, String>,
    /// Rows in the group.
    pub count: u64,
    /// Share of all counted rows.
    pub share: f64,
    /// Fewer rows than `min_group_size`.
    pub insufficient_data: bool,
    /// Whether this group is the attribute's (fixed) reference group.
    pub reference: bool,
    /// Confusion counts (with a prediction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tp: Option<u64>,
    /// False positives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp: Option<u64>,
    /// True negatives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<u64>,
    /// False negatives.
    #[serde(default, rename = "fn", skip_serializing_if = "Option::is_none")]
    pub fn_: Option<u64>,
    /// Rows whose label is positive.
    pub positives: u64,
    /// Rows whose label is negative.
    pub negatives: u64,
    /// Every metric under its snake_case name; `null` when undefined (see `undefined`).
    #[serde(flatten)]
    pub metrics: BTreeMap<Metric, Option<f64>>,
    /// Wilson interval of each proportion.
    pub ci: BTreeMap<Metric, [f64; 2]>,
    /// Why a metric is undefined.
    pub undefined: BTreeMap<Metric, String>,
    /// With sample weights: the group's weighted confusion (the rates above are ratios of
    /// these), its total weight and Kish's effective size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted: Option<GroupWeights>,
}

/// A group's sums of sample weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupWeights {
    /// Sum of the group's weights.
    pub total: f64,
    /// Kish's effective size `(Σw)² / Σw²` of the group's rows.
    pub effective_n: f64,
    /// Weight of the true positives (with a prediction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tp: Option<f64>,
    /// Weight of the false positives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fp: Option<f64>,
    /// Weight of the true negatives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tn: Option<f64>,
    /// Weight of the false negatives.
    #[serde(default, rename = "fn", skip_serializing_if = "Option::is_none")]
    pub fn_: Option<f64>,
    /// Weight of the rows whose label is positive.
    pub positives: f64,
    /// Weight of the rows whose label is negative.
    pub negatives: f64,
    /// Kish's effective size of the rows whose label is positive (the size behind TPR).
    pub effective_positives: f64,
    /// Kish's effective size of the rows whose label is negative (the size behind FPR).
    pub effective_negatives: f64,
}

/// Whether and how sample weights entered the report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WeightsUsed {
    /// Sum of the weights of the rows counted.
    pub total: f64,
    /// Kish's effective size of the rows counted.
    pub effective_n: f64,
}

/// One group's metric against its reference group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disparity {
    /// Attribute (or intersection).
    pub attribute: String,
    /// The metric compared.
    pub metric: Metric,
    /// The group.
    pub group: String,
    /// Its reference group.
    pub reference: String,
    /// The group has fewer rows than `min_group_size`.
    pub insufficient_data: bool,
    /// The group's value.
    pub value: Option<f64>,
    /// The reference group's value.
    pub reference_value: Option<f64>,
    /// `value − reference_value`.
    pub difference: Option<f64>,
    /// `value / reference_value`.
    pub ratio: Option<f64>,
    /// Newcombe interval of the difference.
    pub difference_ci: Option<[f64; 2]>,
    /// Two-sided p-value of equal proportions.
    pub p_value: Option<f64>,
    /// Which test gave the p-value.
    pub test: Option<TestKind>,
    /// Why some of the above are null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undefined: Option<String>,
}

/// Summary of one attribute (or intersection).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeSummary {
    /// Attribute name.
    pub attribute: String,
    /// The fixed reference group (`None` with `best` / `worst`, which choose per metric).
    pub reference_group: Option<String>,
    /// How the reference was chosen: `majority`, `named`, `best`, `worst`.
    pub reference_rule: String,
    /// Number of groups.
    pub groups: usize,
    /// Groups left out of the summary for having fewer than `min_group_size` rows.
    pub insufficient_groups: Vec<String>,
    /// Summary metrics under their snake_case names (Fairlearn's names where Fairlearn has them);
    /// `null` when undefined (see `undefined`).
    #[serde(flatten)]
    pub metrics: BTreeMap<String, Option<f64>>,
    /// FN / FP per group (Berk et al. 2018).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub treatment_equality: BTreeMap<String, Option<f64>>,
    /// Chi-square test of independence of each proportion from group membership.
    pub independence: BTreeMap<Metric, ChiSquareTest>,
    /// Chi-square goodness of fit of group sizes to the expected shares, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representation_test: Option<ChiSquareTest>,
    /// Why a summary metric is undefined.
    pub undefined: BTreeMap<String, String>,
    /// Percentile bootstrap intervals of the parity summaries, when asked for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub intervals: BTreeMap<String, BootstrapInterval>,
}

/// A group's share of rows against its expected population share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Representation {
    /// Attribute.
    pub attribute: String,
    /// Group.
    pub group: String,
    /// Rows.
    pub count: u64,
    /// Observed share.
    pub share: f64,
    /// Expected share (as given, rescaled to sum to one).
    pub expected_share: f64,
    /// `share − expected_share`.
    pub difference: f64,
    /// `share / expected_share`.
    pub ratio: f64,
    /// Wilson interval of the observed share.
    pub share_ci: [f64; 2],
}

/// Inequality of benefit over all counted rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inequality {
    /// `α` used.
    pub alpha: f64,
    /// `GE(α)`.
    pub generalized_entropy_index: Option<f64>,
    /// `GE(1)`.
    pub theil_index: Option<f64>,
}

/// The result of a fairness assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessReport {
    /// `classification` (with a prediction) or `dataset_bias` (labels only).
    pub mode: String,
    /// Row accounting.
    pub rows: RowCounts,
    /// Sensitive attributes.
    pub attributes: Vec<String>,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Minimum group size.
    pub min_group_size: u64,
    /// Metrics per group, per attribute and intersection.
    pub groups: Vec<GroupMetrics>,
    /// Disparities against the reference group.
    pub disparities: Vec<Disparity>,
    /// Summary per attribute and intersection.
    pub summary: BTreeMap<String, AttributeSummary>,
    /// Inequality of benefit (with a prediction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inequality: Option<Inequality>,
    /// Representation against expected shares (when given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub representation: Vec<Representation>,
    /// With sample weights: their total and effective size over the rows counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<WeightsUsed>,
    /// The bootstrap behind the summaries' `intervals`, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<Bootstrap>,
}

/// The attribute sets a report covers, as indices: each attribute alone, then (with
/// `intersect`) every combination of two or more, smallest first.
pub(crate) fn attribute_sets(k: usize, intersect: bool) -> Vec<Vec<usize>> {
    let mut sets: Vec<Vec<usize>> = (0..k).map(|i| vec![i]).collect();
    if intersect && k >= 2 {
        let mut inter: Vec<Vec<usize>> = (1u32..(1 << k))
            .filter(|m| m.count_ones() >= 2)
            .map(|m| (0..k).filter(|i| m & (1 << i) != 0).collect())
            .collect();
        inter.sort_by_key(|s| s.len());
        sets.extend(inter);
    }
    sets
}

/// A group's name: its attribute values joined by `&` (`<null>` for a null value).
pub(crate) fn group_name(key: &GroupKey) -> String {
    key.iter()
        .map(|v| v.as_deref().unwrap_or(NULL_GROUP))
        .collect::<Vec<_>>()
        .join("&")
}

/// A group of an attribute (or intersection) as finishing sees it.
struct GroupRow {
    key: GroupKey,
    name: String,
    cell: Cell,
    insufficient: bool,
    values: BTreeMap<Metric, std::result::Result<f64, &'static str>>,
}

impl GroupRow {
    /// A proportion's estimate and the (effective) size of its denominator: `(x / n, n)` from
    /// counts, or the weighted estimate at Kish's effective size; `None` when it is not a
    /// proportion or its denominator is empty.
    fn estimate(&self, m: Metric) -> Option<(f64, f64)> {
        match &self.cell.weights {
            Some(w) => w.estimate(m),
            None => {
                let (x, n) = m.fraction(&self.cell.confusion)?;
                (n > 0).then(|| (x as f64 / n as f64, n as f64))
            }
        }
    }

    /// The group's size as the majority rule weighs it: its total weight, or its row count.
    fn size(&self) -> f64 {
        self.cell.amounts().iter().sum()
    }
}

impl FairnessState {
    /// The metrics reported per group in this state's mode.
    pub fn metrics(&self) -> Vec<Metric> {
        if !self.has_prediction {
            return vec![Metric::BaseRate];
        }
        let mut m = Metric::PROPORTIONS.to_vec();
        m.extend([
            Metric::BalancedAccuracy,
            Metric::F1,
            Metric::TreatmentEquality,
        ]);
        if self.has_score {
            m.extend([
                Metric::MeanScore,
                Metric::RocAuc,
                Metric::BrierScore,
                Metric::Ece,
            ]);
        }
        m
    }

    fn proportions(&self) -> Vec<Metric> {
        self.metrics()
            .into_iter()
            .filter(|m| m.fraction(&Confusion::default()).is_some())
            .collect()
    }

    /// Computes the report.
    pub fn finish(&self, opts: &FairnessOptions) -> Result<FairnessReport> {
        let used = self.rows_used();
        if used == 0 {
            return Err(Error::NoData(format!(
                "{} rows read, {} with a null label, {} with a null prediction, {} with a null score",
                self.rows_seen,
                self.excluded_null_label,
                self.excluded_null_prediction,
                self.excluded_null_score
            )));
        }
        if self.attributes.is_empty() {
            return Err(Error::InvalidArgument(
                "at least one sensitive attribute is needed".into(),
            ));
        }
        let z = z_critical(opts.confidence)?;
        if let Some(b) = &opts.bootstrap {
            b.check()?;
            if self.has_weights && !self.keep_weights {
                return Err(Error::InvalidArgument(
                    "the bootstrap with sample weights or probabilities needs each row's weight: count the state with keeping_weights".into(),
                ));
            }
        }
        if !opts.gei_alpha.is_finite() {
            return Err(Error::InvalidArgument(format!(
                "the generalized entropy index needs a finite alpha, given {}",
                opts.gei_alpha
            )));
        }
        for a in opts.expected_shares.keys() {
            if !self.attributes.contains(a) {
                return Err(Error::InvalidArgument(format!(
                    "expected shares given for `{a}`, which is not a sensitive attribute ({})",
                    self.attributes.join(", ")
                )));
            }
        }
        let k = self.attributes.len();
        // A state with membership reports the probabilistic attribute and its intersections:
        // an ordinary attribute's rows are spread over that attribute's groups, so its own
        // groups come from an ordinary state.
        let sets: Vec<Vec<usize>> = attribute_sets(k, opts.intersect)
            .into_iter()
            .filter(|set| self.membership.is_none_or(|m| set.contains(&m)))
            .collect();
        if let ReferenceSpec::Named { by_attribute, .. } = &opts.reference {
            let names: Vec<String> = sets
                .iter()
                .map(|set| {
                    set.iter()
                        .map(|&i| self.attributes[i].as_str())
                        .collect::<Vec<_>>()
                        .join("&")
                })
                .collect();
            for a in by_attribute.keys() {
                // A single attribute may be named even without --intersect.
                if !names.contains(a) && !self.attributes.contains(a) {
                    return Err(Error::InvalidArgument(format!(
                        "reference group given for `{a}`, which is not a sensitive attribute or intersection ({})",
                        names.join(", ")
                    )));
                }
            }
        }
        if let ReferenceSpec::Named { any, .. } = &opts.reference {
            for name in any {
                let found = (0..k).any(|i| {
                    self.marginal(&[i])
                        .keys()
                        .any(|key| group_name(key) == *name)
                });
                if !found {
                    return Err(Error::UnknownReference {
                        attribute: self.attributes.join(", "),
                        group: name.clone(),
                        available: (0..k)
                            .flat_map(|i| self.marginal(&[i]).into_keys().map(|g| group_name(&g)))
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
            }
        }

        let mut report = FairnessReport {
            mode: if self.has_prediction {
                "classification"
            } else {
                "dataset_bias"
            }
            .into(),
            rows: RowCounts {
                seen: self.rows_seen,
                used,
                excluded_null_label: self.excluded_null_label,
                excluded_null_prediction: self.excluded_null_prediction,
                excluded_null_score: self.excluded_null_score,
                excluded_no_membership: self.excluded_no_membership,
            },
            attributes: self.attributes.clone(),
            confidence: opts.confidence,
            min_group_size: opts.min_group_size,
            groups: vec![],
            disparities: vec![],
            summary: BTreeMap::new(),
            inequality: None,
            representation: vec![],
            weights: None,
            bootstrap: opts.bootstrap,
        };
        let replicates = self.row_replicates(opts)?;
        for set in &sets {
            self.finish_set(set, opts, (z, used), replicates.as_ref(), &mut report)?;
        }
        // With membership the cells' squared weights are a row's split over its groups, not
        // the row's: the state's effective size is not theirs (each group's is).
        if self.has_weights && self.membership.is_none() {
            let mut all = super::weights::WeightSums::default();
            for c in self.cells.values() {
                all.add(&c.weights.unwrap_or_default());
            }
            report.weights = Some(WeightsUsed {
                total: all.total(),
                effective_n: all.effective_n(),
            });
        }
        if self.has_prediction {
            let all: Vec<[f64; 4]> = self.cells.values().map(Cell::amounts).collect();
            report.inequality = Some(Inequality {
                alpha: opts.gei_alpha,
                generalized_entropy_index: generalized_entropy_index(&all, opts.gei_alpha),
                theil_index: generalized_entropy_index(&all, 1.0),
            });
        }
        Ok(report)
    }

    /// With sample weights (or membership) the bootstrap draws a weight for every row: once
    /// per cell, shared by every attribute and intersection (and by a row's groups). `None`
    /// without a bootstrap or without weights (the counts are resampled instead).
    fn row_replicates(
        &self,
        opts: &FairnessOptions,
    ) -> Result<Option<BTreeMap<GroupKey, Replicates>>> {
        let k = self.membership_levels.len();
        let misshapen = |w: &Vec<f64>| !w.is_empty() && (k == 0 || !w.len().is_multiple_of(k));
        if opts.bootstrap.is_some()
            && self.membership.is_some()
            && self.kept_weights.values().flatten().any(misshapen)
        {
            return Err(Error::InvalidArgument(format!(
                "the rows' kept weights do not come in runs of the state's {k} groups"
            )));
        }
        Ok(match (&opts.bootstrap, self.membership) {
            (Some(b), Some(m)) => Some(membership_cell_replicates(
                &self.kept_weights,
                m,
                &self.membership_levels,
                b,
            )),
            (Some(b), None) if self.has_weights => Some(cell_replicates(&self.kept_weights, b)),
            _ => None,
        })
    }

    fn group_values(
        &self,
        cell: &Cell,
    ) -> BTreeMap<Metric, std::result::Result<f64, &'static str>> {
        let mut out = BTreeMap::new();
        for m in self.metrics() {
            let v = match m {
                Metric::MeanScore | Metric::RocAuc | Metric::BrierScore | Metric::Ece => {
                    let h = cell.scores.clone().unwrap_or_default();
                    let v = match m {
                        Metric::MeanScore => h.mean(),
                        Metric::RocAuc => h.roc_auc(),
                        Metric::BrierScore => h.brier(),
                        _ => h.ece(),
                    };
                    v.ok_or(m.undefined_reason())
                }
                _ => m.value_of(cell.amounts()),
            };
            out.insert(m, v);
        }
        out
    }

    /// Finishes one attribute (or intersection): its groups, their disparities against the
    /// reference, the attribute's summary and, when expected shares are given, its
    /// representation.
    fn finish_set(
        &self,
        set: &[usize],
        opts: &FairnessOptions,
        (z, used): (f64, u64),
        replicates: Option<&BTreeMap<GroupKey, Replicates>>,
        report: &mut FairnessReport,
    ) -> Result<()> {
        let s = self.attribute_set(set, opts)?;
        self.push_groups(&s, z, used, report);
        self.push_disparities(&s, opts, z, report);
        let mut summary = self.summarise(&s, opts, replicates);
        push_representation(&s, opts, z, used, &mut summary, report)?;
        report.summary.insert(s.name, summary);
        Ok(())
    }

    /// The groups of an attribute (or intersection) and its reference group.
    fn attribute_set<'a>(
        &self,
        set: &'a [usize],
        opts: &FairnessOptions,
    ) -> Result<AttributeSet<'a>> {
        let attr_names: Vec<&str> = set.iter().map(|&i| self.attributes[i].as_str()).collect();
        let attribute = attr_names.join("&");
        let marg = self.marginal(set);
        if marg.len() < 2 {
            return Err(Error::OneGroup {
                attribute,
                group: marg.keys().next().map(group_name).unwrap_or_default(),
            });
        }
        // A group known as probabilities is as large as its effective size: each of its rows
        // counts with its probability.
        let probabilistic = self.membership.is_some_and(|m| set.contains(&m));
        let too_small = |cell: &Cell| match (&cell.weights, probabilistic) {
            (Some(w), true) => w.effective_n() < opts.min_group_size as f64,
            _ => cell.confusion.n() < opts.min_group_size,
        };
        let rows: Vec<GroupRow> = marg
            .into_iter()
            .map(|(key, cell)| GroupRow {
                name: group_name(&key),
                insufficient: too_small(&cell),
                values: self.group_values(&cell),
                cell,
                key,
            })
            .collect();
        let eligible: Vec<usize> = (0..rows.len()).filter(|&i| !rows[i].insufficient).collect();
        let majority = majority(&rows, &eligible);
        let (fixed_ref, rule) =
            self.fixed_reference(set, &attribute, &rows, majority, &opts.reference)?;
        Ok(AttributeSet {
            name: attribute,
            set,
            rows,
            eligible,
            fixed_ref,
            rule,
            per_metric: matches!(opts.reference, ReferenceSpec::Best | ReferenceSpec::Worst),
        })
    }

    /// The fixed reference group and the rule that chose it: the majority group, or a named one
    /// (for an intersection, the combination of its attributes' named groups, when it exists).
    fn fixed_reference(
        &self,
        set: &[usize],
        attribute: &str,
        rows: &[GroupRow],
        majority: usize,
        reference: &ReferenceSpec,
    ) -> Result<(usize, &'static str)> {
        Ok(match reference {
            ReferenceSpec::Majority => (majority, "majority"),
            ReferenceSpec::Best => (majority, "best"),
            ReferenceSpec::Worst => (majority, "worst"),
            ReferenceSpec::Named { by_attribute, any } => {
                let find = |name: &str| rows.iter().position(|r| r.name == name);
                if let Some(name) = by_attribute.get(attribute) {
                    let i = find(name).ok_or_else(|| Error::UnknownReference {
                        attribute: attribute.to_string(),
                        group: name.clone(),
                        available: rows
                            .iter()
                            .map(|r| r.name.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?;
                    (i, "named")
                } else if set.len() > 1
                    && set
                        .iter()
                        .all(|&a| by_attribute.contains_key(&self.attributes[a]))
                {
                    let name = set
                        .iter()
                        .map(|&a| by_attribute[&self.attributes[a]].as_str())
                        .collect::<Vec<_>>()
                        .join("&");
                    match find(&name) {
                        Some(i) => (i, "named"),
                        None => (majority, "majority"),
                    }
                } else if let Some(i) = any.iter().find_map(|n| find(n)) {
                    (i, "named")
                } else {
                    (majority, "majority")
                }
            }
        })
    }

    /// Appends the metrics of each group, with Wilson intervals of its proportions.
    fn push_groups(&self, s: &AttributeSet<'_>, z: f64, used: u64, report: &mut FairnessReport) {
        // A group known as probabilities has its expected share: its weight over every group's
        // (a row counts towards several groups); other groups their share of the rows.
        let probabilistic = self.membership.is_some_and(|m| s.set.contains(&m));
        let all_weight: f64 = s.rows.iter().map(|r| r.size()).sum();
        let share = |r: &GroupRow| match probabilistic {
            true if all_weight > 0.0 => r.size() / all_weight,
            _ => r.cell.confusion.n() as f64 / used as f64,
        };
        for (i, r) in s.rows.iter().enumerate() {
            let c = &r.cell.confusion;
            let mut metrics = BTreeMap::new();
            let mut ci = BTreeMap::new();
            let mut undefined = BTreeMap::new();
            for (&m, v) in &r.values {
                match v {
                    Ok(x) => {
                        metrics.insert(m, Some(*x));
                        // Counts give `(x/n, n)`, for which this is `wilson_interval(x, n)`.
                        if let Some(iv) = r
                            .estimate(m)
                            .and_then(|(p, n)| wilson_interval_effective(p, n, z))
                        {
                            ci.insert(m, iv);
                        }
                    }
                    Err(reason) => {
                        metrics.insert(m, None);
                        undefined.insert(m, reason.to_string());
                    }
                }
            }
            let levels = s
                .set
                .iter()
                .zip(&r.key)
                .map(|(&a, v)| {
                    (
                        self.attributes[a].clone(),
                        v.clone().unwrap_or_else(|| NULL_GROUP.to_string()),
                    )
                })
                .collect();
            let pred = self.has_prediction;
            report.groups.push(GroupMetrics {
                attribute: s.name.clone(),
                group: r.name.clone(),
                levels,
                count: c.n(),
                share: share(r),
                insufficient_data: r.insufficient,
                reference: !s.per_metric && i == s.fixed_ref,
                tp: pred.then_some(c.tp),
                fp: pred.then_some(c.fp),
                tn: pred.then_some(c.tn),
                fn_: pred.then_some(c.fn_),
                positives: c.tp + c.fn_,
                negatives: c.fp + c.tn,
                metrics,
                ci,
                undefined,
                weighted: r.cell.weights.map(|w| group_weights(&w, pred)),
            });
        }
    }

    /// Appends every group's disparity against the reference, per proportion (with `best` /
    /// `worst`, the metric's own reference; none when no eligible group defines the metric).
    fn push_disparities(
        &self,
        s: &AttributeSet<'_>,
        opts: &FairnessOptions,
        z: f64,
        report: &mut FairnessReport,
    ) {
        for m in self.proportions() {
            let reference = if s.per_metric {
                let best = matches!(opts.reference, ReferenceSpec::Best);
                match per_metric_reference(s, m, best) {
                    Some(i) => i,
                    None => continue,
                }
            } else {
                s.fixed_ref
            };
            for (i, r) in s.rows.iter().enumerate() {
                if i == reference {
                    continue;
                }
                report.disparities.push(disparity(
                    &s.name,
                    m,
                    r,
                    &s.rows[reference],
                    z,
                    opts.fisher_min_expected,
                ));
            }
        }
    }

    /// The between-group summary metrics, by name, in Fairlearn's definitions (and AIF360's for
    /// the average odds difference and the between-group entropy indices).
    fn summary_metrics(
        &self,
        s: &AttributeSet<'_>,
        opts: &FairnessOptions,
    ) -> Vec<(&'static str, std::result::Result<f64, String>)> {
        let min = opts.min_group_size;
        let eligible: Vec<[f64; 4]> = s
            .eligible
            .iter()
            .map(|&i| s.rows[i].cell.amounts())
            .collect();
        let mut out = parity_summaries(&eligible, self.has_prediction, min);
        if !self.has_prediction {
            return out;
        }
        let diff = |m: Metric| {
            let values: Vec<f64> = s
                .eligible
                .iter()
                .filter_map(|&i| s.rows[i].values[&m].ok())
                .collect();
            difference(m.name(), &values, min)
        };
        let all: Vec<[f64; 4]> = s.rows.iter().map(|r| r.cell.amounts()).collect();
        out.extend([
            ("predictive_parity_difference", diff(Metric::Ppv)),
            ("accuracy_difference", diff(Metric::Accuracy)),
            ("false_positive_rate_difference", diff(Metric::Fpr)),
            ("false_negative_rate_difference", diff(Metric::Fnr)),
            ("average_odds_difference", average_odds_difference(s)),
            (
                "between_group_generalized_entropy_index",
                between_group_generalized_entropy_index(&all, opts.gei_alpha)
                    .ok_or_else(|| "mean benefit is 0".to_string()),
            ),
            (
                "between_group_theil_index",
                between_group_generalized_entropy_index(&all, 1.0)
                    .ok_or_else(|| "mean benefit is 0".to_string()),
            ),
        ]);
        out
    }

    /// The attribute's summary: its reference, the groups left out, the summary metrics,
    /// treatment equality per group and the tests of independence.
    fn summarise(
        &self,
        s: &AttributeSet<'_>,
        opts: &FairnessOptions,
        replicates: Option<&BTreeMap<GroupKey, Replicates>>,
    ) -> AttributeSummary {
        let rows = &s.rows;
        let mut summary = AttributeSummary {
            attribute: s.name.clone(),
            reference_group: (!s.per_metric).then(|| rows[s.fixed_ref].name.clone()),
            reference_rule: s.rule.to_string(),
            groups: rows.len(),
            insufficient_groups: rows
                .iter()
                .filter(|r| r.insufficient)
                .map(|r| r.name.clone())
                .collect(),
            metrics: BTreeMap::new(),
            treatment_equality: BTreeMap::new(),
            independence: BTreeMap::new(),
            representation_test: None,
            undefined: BTreeMap::new(),
            intervals: BTreeMap::new(),
        };
        match (&opts.bootstrap, replicates) {
            (Some(b), Some(cells)) => {
                let keys: Vec<&GroupKey> = rows.iter().map(|r| &r.key).collect();
                let groups = group_replicates(cells, s.set, &keys, b.replicates as usize);
                summary.intervals = weighted_summary_intervals(
                    &groups,
                    &s.eligible,
                    self.has_prediction,
                    opts.min_group_size,
                    opts.confidence,
                );
            }
            (Some(b), None) => {
                let groups: Vec<Confusion> = rows.iter().map(|r| r.cell.confusion).collect();
                summary.intervals = summary_intervals(
                    &groups,
                    &s.eligible,
                    self.has_prediction,
                    opts.min_group_size,
                    opts.confidence,
                    b,
                    &s.name,
                );
            }
            _ => {}
        }
        for (name, v) in self.summary_metrics(s, opts) {
            match v {
                Ok(x) => {
                    summary.metrics.insert(name.to_string(), Some(x));
                }
                Err(e) => {
                    summary.metrics.insert(name.to_string(), None);
                    summary.undefined.insert(name.to_string(), e);
                }
            }
        }
        if self.has_prediction {
            for r in rows {
                summary
                    .treatment_equality
                    .insert(r.name.clone(), r.values[&Metric::TreatmentEquality].ok());
            }
        }
        for m in self.proportions() {
            let test = if self.has_weights {
                // Effective counts (p · n_eff, n_eff) of each group.
                let table: Vec<(f64, f64)> = s
                    .eligible
                    .iter()
                    .filter_map(|&i| rows[i].estimate(m))
                    .map(|(p, n)| (p * n, n))
                    .collect();
                chi_square_independence_effective(&table)
            } else {
                let table: Vec<(u64, u64)> = s
                    .eligible
                    .iter()
                    .filter_map(|&i| m.fraction(&rows[i].cell.confusion))
                    .collect();
                chi_square_independence(&table)
            };
            if let Some(t) = test {
                summary.independence.insert(m, t);
            }
        }
        summary
    }
}

/// One attribute (or intersection) being finished: its groups and their reference.
struct AttributeSet<'a> {
    /// The attributes' names joined by `&`.
    name: String,
    /// The attributes' indices.
    set: &'a [usize],
    /// The groups, in key order.
    rows: Vec<GroupRow>,
    /// The groups with at least `min_group_size` rows.
    eligible: Vec<usize>,
    /// The fixed reference group (with `best` / `worst`, the majority group, which the average
    /// odds difference compares against).
    fixed_ref: usize,
    /// How the reference was chosen.
    rule: &'static str,
    /// `best` / `worst`: each metric chooses its own reference.
    per_metric: bool,
}

/// The group with the most rows among the eligible ones (among all when none is); ties go to
/// the first group in sorted order.
fn majority(rows: &[GroupRow], eligible: &[usize]) -> usize {
    let pool: Vec<usize> = if eligible.is_empty() {
        (0..rows.len()).collect()
    } else {
        eligible.to_vec()
    };
    let mut best = pool[0];
    for &i in &pool {
        if rows[i].size() > rows[best].size() {
            best = i;
        }
    }
    best
}

/// With `best` / `worst`: the eligible group with the most (`best`) or least favourable value of
/// `m`, the first in sorted order on ties; none when no eligible group defines it.
fn per_metric_reference(s: &AttributeSet<'_>, m: Metric, best: bool) -> Option<usize> {
    let want_high = higher_is_better(m) == best;
    let mut pick: Option<(usize, f64)> = None;
    for &i in &s.eligible {
        if let Ok(v) = s.rows[i].values[&m] {
            let better = match pick {
                None => true,
                Some((_, pv)) => {
                    if want_high {
                        v > pv
                    } else {
                        v < pv
                    }
                }
            };
            if better {
                pick = Some((i, v));
            }
        }
    }
    pick.map(|(i, _)| i)
}

/// AIF360's average odds difference, group against the fixed reference, the largest in
/// magnitude.
fn average_odds_difference(s: &AttributeSet<'_>) -> std::result::Result<f64, String> {
    let rf = &s.rows[s.fixed_ref].values;
    let mut worst: Option<f64> = None;
    for &i in s.eligible.iter().filter(|&&i| i != s.fixed_ref) {
        let v = &s.rows[i].values;
        if let (Ok(f), Ok(t), Ok(rfp), Ok(rt)) = (
            v[&Metric::Fpr],
            v[&Metric::Tpr],
            rf[&Metric::Fpr],
            rf[&Metric::Tpr],
        ) {
            let d = 0.5 * ((f - rfp) + (t - rt));
            if worst.is_none_or(|w| d.abs() > w.abs()) {
                worst = Some(d);
            }
        }
    }
    worst.ok_or_else(|| {
        "TPR and FPR are not defined for the reference and another group".to_string()
    })
}

/// With expected shares for a single attribute: each group's share against its expected share
/// (appended to the report) and the goodness-of-fit test (in the summary).
fn push_representation(
    s: &AttributeSet<'_>,
    opts: &FairnessOptions,
    z: f64,
    used: u64,
    summary: &mut AttributeSummary,
    report: &mut FairnessReport,
) -> Result<()> {
    if s.set.len() != 1 {
        return Ok(());
    }
    let Some(expected) = opts.expected_shares.get(&s.name) else {
        return Ok(());
    };
    let attribute = &s.name;
    for r in &s.rows {
        if !expected.contains_key(&r.name) {
            return Err(Error::InvalidArgument(format!(
                "expected shares for `{attribute}` do not list group `{}` (listed: {})",
                r.name,
                expected.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    let total: f64 = expected.values().sum();
    if expected.values().any(|&x| !(x > 0.0 && x.is_finite())) || (total - 1.0).abs() > 1e-3 {
        return Err(Error::InvalidArgument(format!(
            "expected shares for `{attribute}` must be positive and sum to 1, they sum to {total}"
        )));
    }
    let mut observed = vec![];
    let mut shares = vec![];
    for (g, &share_expected) in expected {
        let count = s
            .rows
            .iter()
            .find(|r| &r.name == g)
            .map(|r| r.cell.confusion.n())
            .unwrap_or(0);
        let share = count as f64 / used as f64;
        let e = share_expected / total;
        observed.push(count);
        shares.push(e);
        report.representation.push(Representation {
            attribute: attribute.clone(),
            group: g.clone(),
            count,
            share,
            expected_share: e,
            difference: share - e,
            ratio: share / e,
            share_ci: wilson_interval(count, used, z).unwrap_or([0.0, 1.0]),
        });
    }
    summary.representation_test = chi_square_gof(&observed, &shares);
    Ok(())
}

fn disparity(
    attribute: &str,
    m: Metric,
    g: &GroupRow,
    r: &GroupRow,
    z: f64,
    fisher_min_expected: f64,
) -> Disparity {
    let mut d = Disparity {
        attribute: attribute.to_string(),
        metric: m,
        group: g.name.clone(),
        reference: r.name.clone(),
        insufficient_data: g.insufficient,
        value: g.values[&m].ok(),
        reference_value: r.values[&m].ok(),
        difference: None,
        ratio: None,
        difference_ci: None,
        p_value: None,
        test: None,
        undefined: None,
    };
    let (Some((x1, n1)), Some((x2, n2))) =
        (m.fraction(&g.cell.confusion), m.fraction(&r.cell.confusion))
    else {
        return d;
    };
    let (e1, e2) = (g.estimate(m), r.estimate(m));
    if e1.is_none() || e2.is_none() {
        d.undefined = Some(if e1.is_none() {
            format!(
                "{} is undefined for {}: {}",
                m.name(),
                g.name,
                m.undefined_reason()
            )
        } else {
            format!(
                "{} is undefined for the reference {}: {}",
                m.name(),
                r.name,
                m.undefined_reason()
            )
        });
        return d;
    }
    let ((p1, m1), (p2, m2)) = (e1.unwrap_or_default(), e2.unwrap_or_default());
    d.difference = Some(p1 - p2);
    if p2 > 0.0 {
        d.ratio = Some(p1 / p2);
    } else {
        d.undefined = Some(format!(
            "ratio undefined: {} of the reference {} is 0",
            m.name(),
            r.name
        ));
    }
    // Newcombe at the (effective) sizes: with counts, `newcombe_interval(x1, n1, x2, n2)`. The
    // test: Fisher or z on counts; the z-test at the effective sizes with weights.
    d.difference_ci = newcombe_interval_effective(p1, m1, p2, m2, z);
    let test: Option<ProportionTest> = if g.cell.weights.is_some() {
        two_proportion_z_test_effective(p1, m1, p2, m2)
    } else {
        compare_proportions(x1, n1, x2, n2, fisher_min_expected)
    };
    if let Some(t) = test {
        d.p_value = Some(t.p_value);
        d.test = Some(t.test);
    }
    d
}

/// A group's weighted confusion for the report.
fn group_weights(w: &super::weights::WeightSums, with_prediction: bool) -> GroupWeights {
    let [tp, fp, tn, fn_] = w.sum;
    GroupWeights {
        total: w.total(),
        effective_n: w.effective_n(),
        tp: with_prediction.then_some(tp),
        fp: with_prediction.then_some(fp),
        tn: with_prediction.then_some(tn),
        fn_: with_prediction.then_some(fn_),
        positives: tp + fn_,
        negatives: fp + tn,
        effective_positives: super::weights::kish(tp + fn_, w.sum_sq[0] + w.sum_sq[3]),
        effective_negatives: super::weights::kish(fp + tn, w.sum_sq[1] + w.sum_sq[2]),
    }
}
