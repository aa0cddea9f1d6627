//! Bounds on group rates and disparities when membership is known only as probabilities, without
//! assuming that the outcome and true membership are independent given the proxies.
//!
//! The weighted estimator (each row counts towards every group with its probability) is exact
//! only when, given the proxies `Z` the probabilities were computed from (surname, place), the
//! outcome says nothing more about membership. When that fails, its bias is the conditional
//! covariance of outcome and membership (Chen, Kallus, Mao, Svacha & Udell 2019, "Fairness
//! under unawareness", FAT* '19). Kallus, Mao & Zhou (2022, "Assessing algorithmic fairness
//! with unobserved protected class using data combination", *Management Science* 68(3)) give
//! what the data do identify: within each stratum `s` of the proxies, the share of each group
//! `P_g(s)` and the share of positive outcomes `Q(s)` are known, but not how the two are
//! coupled. Every coupling with those margins is possible, so the mass of positives of group
//! `g` in the stratum, `x_g(s)`, is anywhere in the polytope
//!
//! `0 ≤ x_g(s) ≤ P_g(s)`, `Σ_g x_g(s) = Q(s)`,
//!
//! and a group's rate `Σ_s x_g(s) / Σ_s P_g(s)` (its denominator identified) is bounded by the
//! Fréchet bounds summed over strata:
//!
//! `Σ_s max(0, Q(s) − (W(s) − P_g(s))) / N_g ≤ rate_g ≤ Σ_s min(P_g(s), Q(s)) / N_g`,
//!
//! where `W(s)` is the stratum's weight and `N_g = Σ_s P_g(s)`. The difference of two groups'
//! rates is a linear objective over the same polytope, separable by stratum; its maximum puts
//! as many positives as possible in the first group, then in the groups of neither, and the
//! rest in the second (the minimum the other way round). These bounds are sharp for the
//! strata given. The range across groups (max − min rate) is bounded above by the largest of
//! the pairwise upper bounds (sharp) and below by the largest pairwise lower bound and 0 (valid,
//! not always sharp: one coupling must serve every pair at once).
//!
//! **Error rates** (`tpr`, `fpr`, with a decision): a group's TPR is `Σ_s a_g(s) / Σ_s (a_g(s) +
//! b_g(s))`, `a` its mass of true positives and `b` of false negatives, where now the group's
//! mass `P_g(s)` is split over the stratum's four (label, decision) cells, each at most the
//! cell's mass. The denominator is no longer identified: the rate is linear-fractional in the
//! coupling. For `λ ∈ [0, 1]`, `Σ_s (1 − λ)·a_g(s) − λ·b_g(s)` is largest when each stratum gives
//! the group as many true positives as it can, then labels negative (which do not enter), and
//! false negatives last; that allocation does not depend on `λ`, so by Dinkelbach's theorem it
//! attains the largest TPR (and the reverse order the smallest): the bounds of one group's
//! error rate are sharp. A difference of two groups' error rates is a difference of two ratios;
//! it is bounded here by each group's extremes taken apart (`lower_a − upper_b` to `upper_a −
//! lower_b`), valid but not always sharp, and the ranges across groups
//! (`equal_opportunity_difference`, `false_positive_rate_difference`, and
//! `equalized_odds_difference`, the larger of the two) likewise; a group whose rate some
//! coupling leaves undefined (its whole mass can sit outside the denominator) does not raise a
//! range's lower bound, since in that coupling it is not in the range.
//!
//! Conventions: each stratum's group masses are the sums of its rows' probabilities times their
//! sample weights, rescaled to sum to the stratum's weight (rows' probabilities may sum to 1
//! only within a tolerance); a stratum's positives are the weighted count of rows whose outcome
//! is positive. The bounds take each stratum's observed shares as its true ones: a stratum of
//! one row has an outcome share of 0 or 1, which fixes its coupling and contributes no width,
//! so strata should be coarse enough to hold many rows (a ZIP code or a tract, not a surname
//! and a place together). Strata must be functions of the proxies the probabilities were
//! computed from, so that a stratum's mean probability is its true group share.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The sums of one stratum, mergeable by addition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Stratum {
    /// Rows counted.
    rows: u64,
    /// `Σ w`.
    weight: f64,
    /// `Σ w` over rows with each outcome positive, one per outcome.
    positive: Vec<f64>,
    /// `Σ w·p_g`, one per group.
    groups: Vec<f64>,
    /// With error rates: `Σ w` over rows in each (label, decision) cell, in [`Cell`] order.
    #[serde(default)]
    cells: [f64; 4],
}

/// A row's (label, decision) cell, as [`Stratum::cells`] orders them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    TruePositive = 0,
    FalseNegative = 1,
    FalsePositive = 2,
    TrueNegative = 3,
}

impl Cell {
    fn of(label: bool, decision: bool) -> Cell {
        match (label, decision) {
            (true, true) => Cell::TruePositive,
            (true, false) => Cell::FalseNegative,
            (false, true) => Cell::FalsePositive,
            (false, false) => Cell::TrueNegative,
        }
    }
}

/// An error rate: the cells of its numerator and of the rest of its denominator.
struct ErrorRate {
    name: &'static str,
    summary: &'static str,
    numerator: Cell,
    rest: Cell,
}

/// The error rates bounded when the state has decisions.
const ERROR_RATES: [ErrorRate; 2] = [
    ErrorRate {
        name: "tpr",
        summary: "equal_opportunity_difference",
        numerator: Cell::TruePositive,
        rest: Cell::FalseNegative,
    },
    ErrorRate {
        name: "fpr",
        summary: "false_positive_rate_difference",
        numerator: Cell::FalsePositive,
        rest: Cell::TrueNegative,
    },
];

/// The mergeable state: per stratum (a combination of the stratum columns' values, in order of
/// first appearance) its weight, its positives for each outcome and its group masses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BoundsState {
    /// The groups' names.
    pub groups: Vec<String>,
    /// The outcomes bounded (`base_rate`, `selection_rate`).
    pub outcomes: Vec<String>,
    /// Whether each row's (label, decision) cell is counted, for bounds on the error rates
    /// ([`BoundsState::with_error_rates`]).
    #[serde(default)]
    pub error_rates: bool,
    /// The strata's keys, in order of first appearance.
    keys: Vec<String>,
    strata: Vec<Stratum>,
    #[serde(skip)]
    index: FxHashMap<String, u32>,
}

impl PartialEq for BoundsState {
    fn eq(&self, o: &Self) -> bool {
        self.groups == o.groups
            && self.outcomes == o.outcomes
            && self.error_rates == o.error_rates
            && self.keys == o.keys
            && self.strata == o.strata
    }
}

/// One row: its stratum's key, sample weight, group probabilities and outcomes.
#[derive(Debug, Clone, Copy)]
pub struct BoundsRow<'a> {
    /// The stratum's key (any text that identifies it).
    pub stratum: &'a str,
    /// Sample weight (1 without weights); finite and ≥ 0.
    pub weight: f64,
    /// Each group's probability, in the state's group order.
    pub probabilities: &'a [f64],
    /// Whether each outcome is positive, in the state's outcome order.
    pub positive: &'a [bool],
    /// The row's label and decision, for a state [`BoundsState::with_error_rates`].
    pub decision: Option<(bool, bool)>,
}

/// A lower and an upper bound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bound {
    /// The smallest value consistent with the data.
    pub lower: f64,
    /// The largest value consistent with the data.
    pub upper: f64,
}

/// One group's bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupBounds {
    /// The group.
    pub group: String,
    /// Its weight `N_g` (the denominator of its rates).
    pub weight: f64,
    /// Bounds on each outcome's rate, by outcome (`None` when the group has no weight).
    pub rates: BTreeMap<String, Option<Bound>>,
    /// Bounds on each rate minus the reference group's, by outcome (`None` for the reference
    /// itself or a group without weight).
    pub differences: BTreeMap<String, Option<Bound>>,
}

/// The bounds of one attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoundsReport {
    /// The outcomes bounded, in order.
    pub outcomes: Vec<String>,
    /// The reference group of the differences.
    pub reference: String,
    /// Strata.
    pub strata: u64,
    /// Rows counted.
    pub rows: u64,
    /// Rows in strata of one row (each fixes its coupling: no width from it).
    pub rows_in_single_row_strata: u64,
    /// Per group.
    pub groups: Vec<GroupBounds>,
    /// Bounds on each outcome's range across groups (largest rate − smallest rate), by the
    /// summary's name ([`summary_name`]): the upper bound is sharp, the lower bound valid. With
    /// error rates, also `equal_opportunity_difference`, `false_positive_rate_difference` and
    /// `equalized_odds_difference`: valid, not always sharp.
    pub summaries: BTreeMap<String, Option<Bound>>,
}

impl BoundsState {
    /// An empty state for these groups and outcomes.
    pub fn new(groups: Vec<String>, outcomes: Vec<String>) -> Self {
        BoundsState {
            groups,
            outcomes,
            error_rates: false,
            keys: vec![],
            strata: vec![],
            index: FxHashMap::default(),
        }
    }

    /// The same state counting each row's (label, decision) cell too, so that the report bounds
    /// the groups' TPR and FPR (every row must then give its decision).
    pub fn with_error_rates(mut self) -> Self {
        self.error_rates = true;
        self
    }

    /// Strata seen so far.
    pub fn strata(&self) -> usize {
        self.keys.len()
    }

    fn stratum(&mut self, key: &str) -> &mut Stratum {
        if self.index.len() != self.keys.len() {
            self.index = (0..self.keys.len() as u32)
                .map(|i| (self.keys[i as usize].clone(), i))
                .collect();
        }
        let i = match self.index.get(key) {
            Some(&i) => i as usize,
            None => {
                self.keys.push(key.to_string());
                self.index.insert(key.to_string(), self.strata.len() as u32);
                self.strata.push(Stratum {
                    rows: 0,
                    weight: 0.0,
                    positive: vec![0.0; self.outcomes.len()],
                    groups: vec![0.0; self.groups.len()],
                    cells: [0.0; 4],
                });
                self.strata.len() - 1
            }
        };
        &mut self.strata[i]
    }

    /// Counts one row. The caller has checked its probabilities (in `[0, 1]`, summing to 1
    /// within a tolerance) and its weight.
    pub fn push(&mut self, row: BoundsRow<'_>) -> Result<()> {
        if row.probabilities.len() != self.groups.len() || row.positive.len() != self.outcomes.len()
        {
            return Err(Error::InvalidArgument(format!(
                "a row with {} probabilities and {} outcomes, for {} groups and {} outcomes",
                row.probabilities.len(),
                row.positive.len(),
                self.groups.len(),
                self.outcomes.len()
            )));
        }
        let cell = match (self.error_rates, row.decision) {
            (false, _) => None,
            (true, Some((label, decision))) => Some(Cell::of(label, decision)),
            (true, None) => {
                return Err(Error::InvalidArgument(
                    "a row without its label and decision, for bounds on the error rates".into(),
                ))
            }
        };
        let s = self.stratum(row.stratum);
        s.rows += 1;
        if let Some(c) = cell {
            s.cells[c as usize] += row.weight;
        }
        s.weight += row.weight;
        for (acc, &pos) in s.positive.iter_mut().zip(row.positive) {
            if pos {
                *acc += row.weight;
            }
        }
        for (acc, &p) in s.groups.iter_mut().zip(row.probabilities) {
            *acc += row.weight * p;
        }
        Ok(())
    }

    /// An error unless `o` bounds the same groups and outcomes, with error rates or without as
    /// this state.
    pub fn check_compatible(&self, o: &BoundsState) -> Result<()> {
        if self.groups != o.groups
            || self.outcomes != o.outcomes
            || self.error_rates != o.error_rates
        {
            return Err(Error::IncompatibleStates(format!(
                "bounds of groups {:?} and outcomes {:?} (error rates {}) vs {:?} and {:?} (error rates {})",
                self.groups, self.outcomes, self.error_rates, o.groups, o.outcomes, o.error_rates
            )));
        }
        if o.keys.len() != o.strata.len()
            || o.strata
                .iter()
                .any(|s| s.positive.len() != o.outcomes.len() || s.groups.len() != o.groups.len())
        {
            return Err(Error::IncompatibleStates(
                "bounds state: strata do not match their keys, groups or outcomes".into(),
            ));
        }
        Ok(())
    }

    /// Adds another state of the same groups and outcomes (its strata after this one's).
    pub fn merge(&mut self, o: &BoundsState) -> Result<()> {
        self.check_compatible(o)?;
        for (key, s) in o.keys.iter().zip(&o.strata) {
            let t = self.stratum(key);
            t.rows += s.rows;
            t.weight += s.weight;
            for (a, b) in t.positive.iter_mut().zip(&s.positive) {
                *a += b;
            }
            for (a, b) in t.groups.iter_mut().zip(&s.groups) {
                *a += b;
            }
            for (a, b) in t.cells.iter_mut().zip(&s.cells) {
                *a += b;
            }
        }
        Ok(())
    }

    /// The strata in the order of their keys (so that sums over them do not depend on the order
    /// rows, parts or partitions arrived in), each with its group masses rescaled to sum to its
    /// weight.
    fn sorted(&self) -> Vec<(&Stratum, Vec<f64>)> {
        let mut order: Vec<usize> = (0..self.keys.len()).collect();
        order.sort_unstable_by(|&a, &b| self.keys[a].cmp(&self.keys[b]));
        order
            .into_iter()
            .map(|i| &self.strata[i])
            .map(|s| {
                let total: f64 = s.groups.iter().sum();
                let scale = if total > 0.0 { s.weight / total } else { 0.0 };
                (s, s.groups.iter().map(|&m| m * scale).collect())
            })
            .collect()
    }

    /// The bounds, with differences against `reference` (a group's name; the group of most
    /// weight when `None` or not a group).
    pub fn finish(&self, reference: Option<&str>) -> Result<BoundsReport> {
        self.finish_over(reference, &[])
    }

    /// As [`BoundsState::finish`], with the ranges across groups (the summaries) taken over the
    /// groups not `left_out` (those the report's summaries leave out, too small to judge).
    pub fn finish_over(
        &self,
        reference: Option<&str>,
        left_out: &[String],
    ) -> Result<BoundsReport> {
        let covered: Vec<bool> = self.groups.iter().map(|g| !left_out.contains(g)).collect();
        let strata = self.sorted();
        let k = self.groups.len();
        let n: Vec<f64> = (0..k)
            .map(|g| strata.iter().map(|(_, m)| m[g]).sum::<f64>())
            .collect();
        if n.iter().all(|&x| x <= 0.0) {
            return Err(Error::InvalidSample {
                sample: "sensitive probabilities".into(),
                reason: "no row with probabilities and weight to bound".into(),
            });
        }
        let most = (0..k).fold(0, |b, g| if n[g] > n[b] { g } else { b });
        let r = reference
            .and_then(|name| self.groups.iter().position(|g| g == name))
            .filter(|&g| n[g] > 0.0)
            .unwrap_or(most);
        let outcomes = self.outcomes.len();
        let rate = |g: usize, o: usize| -> Option<Bound> {
            (n[g] > 0.0).then(|| {
                let (mut lo, mut hi) = (0.0, 0.0);
                for (s, m) in &strata {
                    let q = s.positive[o].min(s.weight);
                    lo += (q - (s.weight - m[g])).max(0.0);
                    hi += m[g].min(q);
                }
                Bound {
                    lower: lo / n[g],
                    upper: hi / n[g],
                }
            })
        };
        let diff = |a: usize, b: usize, o: usize| -> Option<Bound> {
            (a != b && n[a] > 0.0 && n[b] > 0.0).then(|| {
                // The positives of a and of b in the couplings that set them furthest apart
                // (a above b: `hi`; b above a: `lo`), summed before dividing.
                let (mut hi, mut lo) = ([0.0, 0.0], [0.0, 0.0]);
                for (s, m) in &strata {
                    let q = s.positive[o].min(s.weight);
                    let (xa, xb) = most_apart(q, s.weight, m[a], m[b]);
                    hi = [hi[0] + xa, hi[1] + xb];
                    let (xb, xa) = most_apart(q, s.weight, m[b], m[a]);
                    lo = [lo[0] + xa, lo[1] + xb];
                }
                Bound {
                    lower: lo[0] / n[a] - lo[1] / n[b],
                    upper: hi[0] / n[a] - hi[1] / n[b],
                }
            })
        };
        let mut groups: Vec<GroupBounds> = (0..k)
            .map(|g| GroupBounds {
                group: self.groups[g].clone(),
                weight: n[g],
                rates: (0..outcomes)
                    .map(|o| (self.outcomes[o].clone(), rate(g, o)))
                    .collect(),
                differences: (0..outcomes)
                    .map(|o| (self.outcomes[o].clone(), diff(g, r, o)))
                    .collect(),
            })
            .collect();
        let summaries = (0..outcomes)
            .map(|o| {
                let pairs: Vec<Bound> = (0..k)
                    .flat_map(|a| (0..k).map(move |b| (a, b)))
                    .filter(|&(a, b)| covered[a] && covered[b])
                    .filter_map(|(a, b)| diff(a, b, o))
                    .collect();
                let range = (!pairs.is_empty()).then(|| Bound {
                    lower: pairs.iter().fold(0.0, |x, p| x.max(p.lower)),
                    upper: pairs.iter().fold(0.0, |x, p| x.max(p.upper)),
                });
                (summary_name(&self.outcomes[o]), range)
            })
            .collect();
        let mut summaries: BTreeMap<String, Option<Bound>> = summaries;
        let mut bounded = self.outcomes.clone();
        if self.error_rates {
            error_rate_bounds(&strata, (r, &covered), &mut groups, &mut summaries);
            bounded.extend(ERROR_RATES.iter().map(|e| e.name.to_string()));
        }
        Ok(BoundsReport {
            outcomes: bounded,
            reference: self.groups[r].clone(),
            strata: self.strata.len() as u64,
            rows: self.strata.iter().map(|s| s.rows).sum(),
            rows_in_single_row_strata: self.strata.iter().filter(|s| s.rows == 1).count() as u64,
            groups,
            summaries,
        })
    }
}

/// Adds each group's bounds on the error rates (and their differences against group `r`) to
/// `groups`, and the ranges across groups to `summaries`.
fn error_rate_bounds(
    strata: &[(&Stratum, Vec<f64>)],
    (r, covered): (usize, &[bool]),
    groups: &mut [GroupBounds],
    summaries: &mut BTreeMap<String, Option<Bound>>,
) {
    let mut ranges = vec![];
    for e in &ERROR_RATES {
        let rates: Vec<Option<Bound>> = (0..groups.len())
            .map(|g| error_rate(strata, g, e))
            .collect();
        // A group whose rate some coupling leaves undefined (all its mass can sit outside the
        // rate's denominator) drops out of the range in that coupling: it may not raise the
        // range's lower bound.
        let always: Vec<bool> = (0..groups.len())
            .map(|g| least_denominator(strata, g, e) > 0.0)
            .collect();
        let apart = |a: usize, b: usize| match (rates[a], rates[b]) {
            (Some(x), Some(y)) if a != b => Some(Bound {
                lower: x.lower - y.upper,
                upper: x.upper - y.lower,
            }),
            _ => None,
        };
        for (g, out) in groups.iter_mut().enumerate() {
            out.rates.insert(e.name.into(), rates[g]);
            out.differences.insert(e.name.into(), apart(g, r));
        }
        let k = groups.len();
        let pairs: Vec<(Bound, bool)> = (0..k)
            .flat_map(|a| (0..k).map(move |b| (a, b)))
            .filter(|&(a, b)| covered[a] && covered[b])
            .filter_map(|(a, b)| apart(a, b).map(|x| (x, always[a] && always[b])))
            .collect();
        let range = (!pairs.is_empty()).then(|| Bound {
            lower: pairs
                .iter()
                .filter(|p| p.1)
                .fold(0.0, |x, p| x.max(p.0.lower)),
            upper: pairs.iter().fold(0.0, |x, p| x.max(p.0.upper)),
        });
        summaries.insert(e.summary.into(), range);
        ranges.push(range);
    }
    // The larger of the two ranges lies between the larger lower and the larger upper bound.
    let odds = match (ranges[0], ranges[1]) {
        (Some(t), Some(f)) => Some(Bound {
            lower: t.lower.max(f.lower),
            upper: t.upper.max(f.upper),
        }),
        _ => None,
    };
    summaries.insert("equalized_odds_difference".into(), odds);
}

/// The smallest mass of group `g` in the denominator of error rate `e` over every coupling: in
/// each stratum, what of the group's mass the cells outside the denominator cannot hold.
fn least_denominator(strata: &[(&Stratum, Vec<f64>)], g: usize, e: &ErrorRate) -> f64 {
    let (num, rest) = (e.numerator as usize, e.rest as usize);
    strata
        .iter()
        .map(|(s, m)| {
            let outside: f64 = (0..4)
                .filter(|&j| j != num && j != rest)
                .map(|j| s.cells[j])
                .sum();
            // What is left over only by rounding (the masses are rescaled) does not count.
            let left = m[g] - outside;
            if left > 1e-12 * s.weight {
                left
            } else {
                0.0
            }
        })
        .sum()
}

/// The sharp bounds of group `g`'s error rate `e` over every coupling: the largest gives the
/// group its numerator's cell first, then the cells outside the denominator, then the rest of
/// the denominator; the smallest the rest of the denominator first (module docs). `None` when
/// no coupling gives the group a row in the denominator.
fn error_rate(strata: &[(&Stratum, Vec<f64>)], g: usize, e: &ErrorRate) -> Option<Bound> {
    let (num, rest) = (e.numerator as usize, e.rest as usize);
    let (mut high, mut low) = ([0.0; 2], [0.0; 2]);
    let mut reachable = 0.0;
    for (s, m) in strata {
        let p = m[g];
        let c = &s.cells;
        let outside: f64 = (0..4)
            .filter(|&j| j != num && j != rest)
            .map(|j| c[j])
            .sum();
        reachable += p.min(c[num] + c[rest]);
        // Largest: numerator first, then outside, the rest of the denominator last.
        let a = p.min(c[num]);
        let b = (p - a - outside.min(p - a)).min(c[rest]);
        high = [high[0] + a, high[1] + a + b];
        // Smallest: the rest of the denominator first, then outside, the numerator last.
        let b = p.min(c[rest]);
        let a = (p - b - outside.min(p - b)).min(c[num]);
        low = [low[0] + a, low[1] + a + b];
    }
    if reachable <= 0.0 {
        return None;
    }
    // A denominator of 0 at an extreme: that extreme's allocation gives the group no row of the
    // denominator, which happens only when no coupling gives it a numerator row (largest: the
    // rate is 0 wherever defined) or a rest row (smallest: 1 wherever defined).
    Some(Bound {
        lower: if low[1] > 0.0 { low[0] / low[1] } else { 1.0 },
        upper: if high[1] > 0.0 {
            high[0] / high[1]
        } else {
            0.0
        },
    })
}

/// The summary that is an outcome's range across groups: `demographic_parity_difference` for
/// the selection rate, `base_rate_difference` for the base rate (as the fairness report names
/// them), `<outcome>_range` otherwise.
pub fn summary_name(outcome: &str) -> String {
    match outcome {
        "selection_rate" => "demographic_parity_difference".into(),
        "base_rate" => "base_rate_difference".into(),
        o => format!("{o}_range"),
    }
}

/// The coupling of one stratum that sets group `a` furthest above group `b`: of its positives
/// `q` (out of weight `w`), as many as possible in `a` (mass `pa`), then in the groups of
/// neither, the rest in `b` (mass `pb`). Returns the positives of `a` and of `b`.
fn most_apart(q: f64, w: f64, pa: f64, pb: f64) -> (f64, f64) {
    let xa = pa.min(q);
    let neither = (w - pa - pb).max(0.0);
    let xb = (q - xa - neither).max(0.0).min(pb);
    (xa, xb)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(rows: &[(&str, [f64; 2], bool)]) -> BoundsState {
        let mut s = BoundsState::new(vec!["a".into(), "b".into()], vec!["selection_rate".into()]);
        for (key, p, y) in rows {
            s.push(BoundsRow {
                stratum: key,
                weight: 1.0,
                probabilities: p,
                positive: &[*y],
                decision: None,
            })
            .unwrap();
        }
        s
    }

    #[test]
    fn one_stratum_by_hand() {
        // Four rows, each half a, half b; two positive. P_a = P_b = 2, Q = 2, W = 4.
        // rate_a in [max(0, 2 − 2) / 2, min(2, 2) / 2] = [0, 1]; a − b in [−1, 1].
        let s = state(&[
            ("z", [0.5, 0.5], true),
            ("z", [0.5, 0.5], true),
            ("z", [0.5, 0.5], false),
            ("z", [0.5, 0.5], false),
        ]);
        let r = s.finish(Some("b")).unwrap();
        assert_eq!(r.reference, "b");
        let a = &r.groups[0];
        let sr = "selection_rate";
        assert_eq!(
            a.rates[sr],
            Some(Bound {
                lower: 0.0,
                upper: 1.0
            })
        );
        assert_eq!(
            a.differences[sr],
            Some(Bound {
                lower: -1.0,
                upper: 1.0
            })
        );
        assert_eq!(r.groups[1].differences[sr], None);
        assert_eq!(
            r.summaries["demographic_parity_difference"],
            Some(Bound {
                lower: 0.0,
                upper: 1.0
            })
        );
        assert_eq!((r.strata, r.rows, r.rows_in_single_row_strata), (1, 4, 0));
    }

    #[test]
    fn strata_narrow_the_bounds_by_hand() {
        // Stratum x: 3 rows mostly a (0.9, 0.1), 1 positive; stratum y: 2 rows mostly b
        // (0.2, 0.8), 2 positive. P_a = 2.7 + 0.4 = 3.1, P_b = 0.3 + 1.6 = 1.9.
        // x: W = 3, Q = 1: x_a in [max(0, 1 − 0.3), min(2.7, 1)] = [0.7, 1].
        // y: W = 2, Q = 2: x_a = 0.4, x_b = 1.6 (all rows positive fix the coupling).
        // rate_a in [(0.7 + 0.4) / 3.1, (1 + 0.4) / 3.1]; rate_b in [1.6 / 1.9, (1.6 + 0.3) / 1.9].
        let s = state(&[
            ("x", [0.9, 0.1], true),
            ("x", [0.9, 0.1], false),
            ("x", [0.9, 0.1], false),
            ("y", [0.2, 0.8], true),
            ("y", [0.2, 0.8], true),
        ]);
        let r = s.finish(None).unwrap();
        assert_eq!(r.reference, "a");
        let close = |x: f64, y: f64| assert!((x - y).abs() < 1e-12, "{x} vs {y}");
        let a = r.groups[0].rates["selection_rate"].unwrap();
        close(a.lower, 1.1 / 3.1);
        close(a.upper, 1.4 / 3.1);
        let b = r.groups[1].rates["selection_rate"].unwrap();
        close(b.lower, 1.6 / 1.9);
        close(b.upper, 1.9 / 1.9);
        // b − a: largest with x: x_b = 0.3 (all of b), x_a = 0.7 → 0.3/1.9 − 0.7/3.1, plus y's
        // fixed 1.6/1.9 − 0.4/3.1; smallest with x: x_a = 1, x_b = 0.
        let d = r.groups[1].differences["selection_rate"].unwrap();
        close(d.upper, 1.9 / 1.9 - 1.1 / 3.1);
        close(d.lower, 1.6 / 1.9 - 1.4 / 3.1);
        // The weighted estimate (independence) lies inside.
        let wa = (3.0 * 0.9 / 3.0 + 0.4) / 3.1;
        assert!(a.lower <= wa && wa <= a.upper);
    }

    /// Rows `(stratum, [p_a, p_b], label, decision)` with error rates.
    fn decided(rows: &[(&str, [f64; 2], bool, bool)]) -> BoundsState {
        let mut s = BoundsState::new(vec!["a".into(), "b".into()], vec!["base_rate".into()])
            .with_error_rates();
        for (key, p, y, d) in rows {
            s.push(BoundsRow {
                stratum: key,
                weight: 1.0,
                probabilities: p,
                positive: &[*y],
                decision: Some((*y, *d)),
            })
            .unwrap();
        }
        s
    }

    #[test]
    fn error_rates_by_hand() {
        // Stratum x: three rows (0.9, 0.1): a true positive, a false negative, a true negative
        // (P_a = 2.7). Largest TPR of a: 1 TP, then the 1 negative, then 0.7 FN: 1 / 1.7;
        // smallest: 1 FN, 1 negative, 0.7 TP: 0.7 / 1.7. Stratum y: two true positives (0.2,
        // 0.8): a gets 0.4 TP either way. TPR_a in [1.1 / 2.1, 1.4 / 2.1].
        // b in x (P_b = 0.3): largest 0.3 TP / 0.3, smallest 0.3 FN / 0.3; in y 1.6 TP.
        // TPR_b in [1.6 / 1.9, 1.9 / 1.9]. No false positive anywhere: FPR 0 for both.
        let s = decided(&[
            ("x", [0.9, 0.1], true, true),
            ("x", [0.9, 0.1], true, false),
            ("x", [0.9, 0.1], false, false),
            ("y", [0.2, 0.8], true, true),
            ("y", [0.2, 0.8], true, true),
        ]);
        let r = s.finish(Some("a")).unwrap();
        assert_eq!(r.outcomes, ["base_rate", "tpr", "fpr"]);
        let close = |x: f64, y: f64| assert!((x - y).abs() < 1e-12, "{x} vs {y}");
        let a = r.groups[0].rates["tpr"].unwrap();
        close(a.lower, 1.1 / 2.1);
        close(a.upper, 1.4 / 2.1);
        let b = r.groups[1].rates["tpr"].unwrap();
        close(b.lower, 1.6 / 1.9);
        close(b.upper, 1.0);
        let d = r.groups[1].differences["tpr"].unwrap();
        close(d.lower, 1.6 / 1.9 - 1.4 / 2.1);
        close(d.upper, 1.0 - 1.1 / 2.1);
        assert_eq!(r.groups[0].differences["tpr"], None);
        for g in &r.groups {
            assert_eq!(
                g.rates["fpr"],
                Some(Bound {
                    lower: 0.0,
                    upper: 0.0
                })
            );
        }
        let eo = r.summaries["equal_opportunity_difference"].unwrap();
        close(eo.lower, 1.6 / 1.9 - 1.4 / 2.1);
        close(eo.upper, 1.0 - 1.1 / 2.1);
        assert_eq!(r.summaries["equalized_odds_difference"], Some(eo));
        assert!(r.summaries.contains_key("false_positive_rate_difference"));
        // Without error rates none of this is reported.
        let plain = state(&[("x", [0.9, 0.1], true)]).finish(None).unwrap();
        assert!(!plain.summaries.contains_key("equal_opportunity_difference"));
    }

    #[test]
    fn a_group_whose_rate_may_be_undefined_does_not_raise_a_range_lower_bound() {
        // Stratum x: only a, one TP and one FN. Stratum y: rows half a, half b, one TP and one
        // TN. TPR_a in [1/2, 2/3]. b's mass (1) fits in y's negative: some coupling gives b no
        // positive, so its TPR (1 wherever defined) may be undefined. The pair (b, a) alone
        // would put the range above 1 − 2/3; the range's lower bound stays 0, its upper 1 − 1/2.
        let s = decided(&[
            ("x", [1.0, 0.0], true, true),
            ("x", [1.0, 0.0], true, false),
            ("y", [0.5, 0.5], true, true),
            ("y", [0.5, 0.5], false, false),
        ]);
        let r = s.finish(Some("a")).unwrap();
        let close = |x: f64, y: f64| assert!((x - y).abs() < 1e-12, "{x} vs {y}");
        let a = r.groups[0].rates["tpr"].unwrap();
        close(a.lower, 0.5);
        close(a.upper, 2.0 / 3.0);
        let b = r.groups[1].rates["tpr"].unwrap();
        close(b.lower, 1.0);
        close(b.upper, 1.0);
        let d = r.groups[1].differences["tpr"].unwrap();
        close(d.lower, 1.0 - 2.0 / 3.0);
        let eo = r.summaries["equal_opportunity_difference"].unwrap();
        close(eo.lower, 0.0);
        close(eo.upper, 0.5);
        // Groups the report's summaries leave out are left out of the ranges.
        let only_a = s.finish_over(Some("a"), &["b".to_string()]).unwrap();
        assert_eq!(only_a.summaries["equal_opportunity_difference"], None);
        assert_eq!(only_a.groups, r.groups);
    }

    #[test]
    fn every_coupling_lies_within_the_error_rate_bounds_and_the_extremes_are_reached() {
        // One stratum with cell masses TP 3, FN 2, FP 1, TN 4 and group a's mass 9: every
        // split of a's mass over the cells (each at most the cell's mass) gives a TPR inside
        // the bounds [2 / 4, 3 / 4], and some splits reach each end.
        let mut rows = vec![];
        for (n, y, d) in [
            (3, true, true),
            (2, true, false),
            (1, false, true),
            (4, false, false),
        ] {
            for _ in 0..n {
                rows.push(("z", [0.9, 0.1], y, d));
            }
        }
        let r = decided(&rows).finish(None).unwrap();
        let t = r.groups[0].rates["tpr"].unwrap();
        let cap = [3.0, 2.0, 1.0, 4.0];
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let steps = 60;
        for i in 0..=steps {
            for j in 0..=steps {
                for k in 0..=steps {
                    let x = [
                        cap[0] * i as f64 / steps as f64,
                        cap[1] * j as f64 / steps as f64,
                        cap[2] * k as f64 / steps as f64,
                    ];
                    let tn = 9.0 - x[0] - x[1] - x[2];
                    if !(0.0..=cap[3]).contains(&tn) || x[0] + x[1] == 0.0 {
                        continue;
                    }
                    let tpr = x[0] / (x[0] + x[1]);
                    assert!(t.lower - 1e-12 <= tpr && tpr <= t.upper + 1e-12);
                    lo = lo.min(tpr);
                    hi = hi.max(tpr);
                }
            }
        }
        assert!((t.lower - 0.5).abs() < 1e-12 && (t.upper - 0.75).abs() < 1e-12);
        assert!(
            (lo - t.lower).abs() < 1e-9 && (hi - t.upper).abs() < 1e-9,
            "{lo} {hi} {t:?}"
        );
    }

    #[test]
    fn merging_equals_one_pass_and_mismatches_are_refused() {
        let rows = [
            ("x", [0.9, 0.1], true),
            ("y", [0.2, 0.8], false),
            ("x", [0.6, 0.4], false),
        ];
        let whole = state(&rows);
        let mut split = state(&rows[..1]);
        split.merge(&state(&rows[1..])).unwrap();
        assert_eq!(split, whole);
        assert_eq!(split.finish(None).unwrap(), whole.finish(None).unwrap());
        // Strata arriving in another order: the same bounds to the last bit.
        let mut reversed = state(&rows[1..]);
        reversed.merge(&state(&rows[..1])).unwrap();
        assert_ne!(reversed, whole);
        assert_eq!(reversed.finish(None).unwrap(), whole.finish(None).unwrap());
        let other = BoundsState::new(vec!["a".into()], vec!["selection_rate".into()]);
        assert!(split.merge(&other).is_err());
        let empty = BoundsState::new(vec!["a".into(), "b".into()], vec!["x".into()]);
        assert!(empty.finish(None).is_err());
    }
}
