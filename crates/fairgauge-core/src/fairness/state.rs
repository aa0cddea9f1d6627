//! The mergeable fairness state: confusion counts (and, with a score, an exact score histogram)
//! for every combination of sensitive-attribute values seen ("cells"). Groups of one attribute
//! and intersections are sums of cells, so one pass over the rows serves every grouping.
//!
//! `update` counts one batch, `merge` adds another state, `finish` (in [`super::report`]) computes
//! the report. Cells are keyed by the attribute *values*, not by codes, so states built in
//! different processes with different dictionaries merge correctly.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::metric::Confusion;
use super::scores::ScoreHistogram;
use super::weights::WeightSums;
use crate::error::{Error, Result};

/// How a null attribute value is shown as a group name.
pub const NULL_GROUP: &str = "<null>";

/// One value per sensitive attribute (`None` for null), in the state's attribute order.
pub type GroupKey = Vec<Option<String>>;

/// A dictionary-encoded sensitive attribute of one batch: `levels[codes[i]]` is row `i`'s value.
#[derive(Debug, Clone, Copy)]
pub struct CodedAttribute<'a> {
    /// Column name.
    pub name: &'a str,
    /// One code per row.
    pub codes: &'a [u32],
    /// The values the codes stand for (`None` is null).
    pub levels: &'a [Option<String>],
}

/// Probabilistic membership of one attribute's groups: each row counts towards every group
/// with its probability (times its sample weight), as a weighted row of that group.
///
/// `probs` holds `K` probabilities per row, row after row, `K` being the attribute's number of
/// levels (its codes in the batch are not read); a row whose first probability is NaN has no
/// membership and is excluded and counted. The caller checks that each row's probabilities are
/// in `[0, 1]` and sum to 1.
#[derive(Debug, Clone, Copy)]
pub struct Membership<'a> {
    /// Index of the probabilistic attribute among the batch's attributes.
    pub attribute: usize,
    /// `K` probabilities per row, row-major.
    pub probs: &'a [f64],
}

/// One batch of rows with their roles. `None` entries are nulls; such rows are excluded and
/// counted (label first, then prediction, then score).
#[derive(Debug, Clone)]
pub struct FairnessBatch<'a> {
    /// Whether each row's label is the positive label.
    pub label: &'a [Option<bool>],
    /// Whether each row is predicted positive; `None` for dataset bias (labels only).
    pub prediction: Option<&'a [Option<bool>]>,
    /// Predicted probability of the positive label, in `[0, 1]`.
    pub score: Option<&'a [Option<f64>]>,
    /// The sensitive attributes, in the state's order.
    pub attributes: Vec<CodedAttribute<'a>>,
    /// Each row's sample weight (finite, `≥ 0`), when the state is weighted.
    pub weights: Option<&'a [f64]>,
    /// Probabilistic membership of one attribute's groups, for a state made with
    /// [`FairnessState::with_membership`].
    pub membership: Option<Membership<'a>>,
    /// Row number of the batch's first row in the whole input, for error messages.
    pub row_offset: usize,
}

impl<'a> FairnessBatch<'a> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.label.len()
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.label.is_empty()
    }

    /// Rows `start..end` as a batch of their own.
    pub fn slice(&self, start: usize, end: usize) -> FairnessBatch<'a> {
        FairnessBatch {
            label: &self.label[start..end],
            prediction: self.prediction.map(|p| &p[start..end]),
            score: self.score.map(|s| &s[start..end]),
            weights: self.weights.map(|w| &w[start..end]),
            membership: self.membership.map(|m| {
                let k = self.attributes[m.attribute].levels.len();
                Membership {
                    attribute: m.attribute,
                    probs: &m.probs[start * k..end * k],
                }
            }),
            attributes: self
                .attributes
                .iter()
                .map(|a| CodedAttribute {
                    name: a.name,
                    codes: &a.codes[start..end],
                    levels: a.levels,
                })
                .collect(),
            row_offset: self.row_offset + start,
        }
    }
}

/// Checks a batch's columns against the state (every task's): the attributes are the state's,
/// in its order; every column (`lens`, the weights, the attributes) has `n` rows; every weight is
/// finite and `≥ 0` (the first that is not is an error naming its row, counted from the batch's
/// `row_offset`).
pub(crate) fn check_columns<'a>(
    n: usize,
    mut lens: Vec<(&'a str, usize)>,
    (weights, row_offset): (Option<&[f64]>, usize),
    attributes: &[CodedAttribute<'a>],
    expected: &[String],
) -> Result<()> {
    if attributes.len() != expected.len() {
        return Err(Error::IncompatibleStates(format!(
            "batch has {} sensitive attributes, state has {}",
            attributes.len(),
            expected.len()
        )));
    }
    if let Some(w) = weights {
        lens.push(("weight", w.len()));
        if let Some(i) = w.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
            return Err(Error::InvalidWeight {
                row: row_offset + i,
                value: w[i],
            });
        }
    }
    for a in attributes {
        lens.push((a.name, a.codes.len()));
    }
    for (name, len) in lens {
        if len != n {
            return Err(Error::LengthMismatch {
                column: name.to_string(),
                got: len,
                expected: n,
            });
        }
    }
    for (a, e) in attributes.iter().zip(expected) {
        if a.name != e {
            return Err(Error::IncompatibleStates(format!(
                "batch attribute `{}` where the state expects `{e}`",
                a.name
            )));
        }
    }
    Ok(())
}

/// Every task's cells summed over the attributes not in `attrs` (with the cells' own `add`):
/// the groups of one attribute (`[i]`) or of an intersection (`[i, j, …]`).
pub(crate) fn marginal_of<C: Default>(
    cells: &BTreeMap<GroupKey, C>,
    attrs: &[usize],
    add: impl Fn(&mut C, &C),
) -> BTreeMap<GroupKey, C> {
    let mut out: BTreeMap<GroupKey, C> = BTreeMap::new();
    for (k, c) in cells {
        let sub: GroupKey = attrs.iter().map(|&i| k[i].clone()).collect();
        add(out.entry(sub).or_default(), c);
    }
    out
}

/// Counts of one cell.
/// Counts of one cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Confusion counts.
    pub confusion: Confusion,
    /// Score histogram, when a score is given (always written, `null` when absent: the compact
    /// binary encoding has no optional fields).
    #[serde(default)]
    pub scores: Option<ScoreHistogram>,
    /// Sums of the rows' sample weights, when the state is weighted (always written, `null`
    /// when absent).
    #[serde(default)]
    pub weights: Option<WeightSums>,
}

impl Cell {
    /// Adds another cell.
    pub fn add(&mut self, other: &Cell) {
        self.confusion.add(&other.confusion);
        if let Some(o) = &other.scores {
            self.scores.get_or_insert_with(Default::default).merge(o);
        }
        if let Some(o) = &other.weights {
            self.weights.get_or_insert_with(Default::default).add(o);
        }
    }

    /// The cell's confusion as reals `[TP, FP, TN, FN]`: sums of sample weights when weighted,
    /// else the counts.
    pub fn amounts(&self) -> [f64; 4] {
        match &self.weights {
            Some(w) => w.sum,
            None => self.confusion.counts(),
        }
    }
}

/// The mergeable state of a fairness assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessState {
    /// Sensitive attribute names, in key order.
    pub attributes: Vec<String>,
    /// Whether a prediction is given (otherwise only dataset bias is measured).
    pub has_prediction: bool,
    /// Whether a score is given.
    pub has_score: bool,
    /// Whether rows carry sample weights ([`FairnessState::weighted`]).
    #[serde(default)]
    pub has_weights: bool,
    /// Counts per combination of attribute values (serialised as a list of `[key, cell]` pairs,
    /// since JSON keys must be strings).
    #[serde(with = "cells_as_pairs")]
    pub cells: BTreeMap<GroupKey, Cell>,
    /// Rows seen, including excluded ones.
    pub rows_seen: u64,
    /// Rows excluded because the label is null.
    pub excluded_null_label: u64,
    /// Rows excluded because the prediction is null.
    pub excluded_null_prediction: u64,
    /// Rows excluded because the score is null.
    pub excluded_null_score: u64,
    /// The attribute whose groups rows belong to with probabilities
    /// ([`FairnessState::with_membership`]).
    #[serde(default)]
    pub membership: Option<usize>,
    /// With membership: rows counted (each towards every group it may belong to).
    #[serde(default)]
    pub membership_rows: u64,
    /// With membership: rows excluded because they have no probabilities.
    #[serde(default)]
    pub excluded_no_membership: u64,
    /// Whether each row's sample weight is kept ([`FairnessState::keeping_weights`]), for the
    /// bootstrap with sample weights.
    #[serde(default)]
    pub keep_weights: bool,
    /// With `keep_weights`: each cell's rows' sample weights by confusion cell `[TP, FP, TN,
    /// FN]`, in the order counted (the bootstrap sorts them). With membership a row keeps its
    /// weight in each of the `K` groups (probability times sample weight, `K` values a row, in
    /// the order of `membership_levels`) under its key with the probabilistic attribute `None`.
    #[serde(default, with = "cells_as_pairs")]
    pub kept_weights: BTreeMap<GroupKey, [Vec<f64>; 4]>,
    /// With membership and `keep_weights`: the probabilistic attribute's groups, in the order
    /// of each kept row's values (empty until a batch is counted).
    #[serde(default)]
    pub membership_levels: Vec<Option<String>>,
}

/// A row's confusion cell in `[TP, FP, TN, FN]` order (the weight sums' order), by its slot
/// `label · 2 + prediction`.
const WEIGHT_CELL: [usize; 4] = [2, 1, 3, 0];

/// Above this many attribute-value combinations per batch, cells are counted in a hash map.
const DENSE_LIMIT: u64 = 1 << 16;
/// Rows per parallel task.
const PAR_CHUNK: usize = 1 << 16;

impl FairnessState {
    /// An empty state for the given attributes and roles.
    pub fn new(attributes: Vec<String>, has_prediction: bool, has_score: bool) -> Self {
        FairnessState {
            attributes,
            has_prediction,
            has_score,
            has_weights: false,
            cells: BTreeMap::new(),
            rows_seen: 0,
            excluded_null_label: 0,
            excluded_null_prediction: 0,
            excluded_null_score: 0,
            membership: None,
            membership_rows: 0,
            excluded_no_membership: 0,
            keep_weights: false,
            kept_weights: BTreeMap::new(),
            membership_levels: vec![],
        }
    }

    /// The same weighted state keeping each row's sample weight by its cell and confusion cell
    /// (8 bytes a row; with membership its weight in each group, `8·K` bytes), so that the report
    /// can bootstrap the weighted summaries ([`crate::fairness::weighted_bootstrap`]). Call it
    /// after [`FairnessState::weighted`] or [`FairnessState::with_membership`].
    pub fn keeping_weights(mut self) -> Self {
        self.keep_weights = self.has_weights;
        self
    }

    /// The same state with the groups of attribute `attribute` known only as probabilities
    /// ([`Membership`]): every batch gives them, and the state is weighted (a row's weight in a
    /// group is its probability times its sample weight, 1 without sample weights), so rates are
    /// ratios of weighted sums, intervals and tests use Kish's effective size, and a group is
    /// `insufficient_data` when its effective size is below the minimum.
    pub fn with_membership(mut self, attribute: usize) -> Self {
        self.has_weights = true;
        self.membership = Some(attribute);
        self
    }

    /// The same state with sample weights: every batch must then give a weight per row, and the
    /// report's rates, intervals and tests are weighted ([`crate::fairness::weights`]).
    pub fn weighted(mut self) -> Self {
        self.has_weights = true;
        self
    }

    /// Rows counted in cells.
    pub fn rows_used(&self) -> u64 {
        if self.membership.is_some() {
            return self.membership_rows;
        }
        self.cells.values().map(|c| c.confusion.n()).sum()
    }

    fn check_batch(&self, b: &FairnessBatch<'_>) -> Result<()> {
        // With membership the state is weighted whether or not rows carry sample weights.
        let weights_differ = match self.membership {
            Some(_) => b.membership.is_none(),
            None => b.weights.is_some() != self.has_weights || b.membership.is_some(),
        };
        if b.prediction.is_some() != self.has_prediction
            || b.score.is_some() != self.has_score
            || weights_differ
        {
            return Err(Error::IncompatibleStates(
                "batch roles (prediction, score, weight) differ from the state's".into(),
            ));
        }
        let mut lens: Vec<(&str, usize)> = vec![];
        if let Some(p) = b.prediction {
            lens.push(("prediction", p.len()));
        }
        if let Some(s) = b.score {
            lens.push(("score", s.len()));
        }
        if let Some(m) = b.membership {
            let k = b.attributes.get(m.attribute).map_or(0, |a| a.levels.len());
            if Some(m.attribute) != self.membership || k == 0 {
                return Err(Error::IncompatibleStates(format!(
                    "membership of attribute {} where the state has {:?}",
                    m.attribute, self.membership
                )));
            }
            if m.probs.len() != b.len() * k {
                return Err(Error::LengthMismatch {
                    column: "membership probabilities".into(),
                    got: m.probs.len(),
                    expected: b.len() * k,
                });
            }
        }
        check_columns(
            b.len(),
            lens,
            (b.weights, b.row_offset),
            &b.attributes,
            &self.attributes,
        )
    }

    /// Counts one batch, single-threaded.
    pub fn update(&mut self, b: &FairnessBatch<'_>) -> Result<()> {
        self.check_batch(b)?;
        if let (Some(m), true) = (b.membership, self.keep_weights) {
            self.set_membership_levels(b.attributes[m.attribute].levels)?;
        }
        let cards: Vec<u64> = b.attributes.iter().map(|a| a.levels.len() as u64).collect();
        let combos = combinations(&cards, "sensitive-attribute values")?;
        let mut tally = Tally::new(combos, self.has_weights);
        let mut kept: FxHashMap<u64, [Vec<f64>; 4]> = FxHashMap::default();
        let plain = b.score.is_none() && b.weights.is_none() && b.membership.is_none();
        // Every code has a level (else the row loop names the first counted row whose has not).
        let levelled = || {
            let mut codes = b.attributes.iter().zip(&cards);
            codes.all(|(a, &card)| a.codes.iter().all(|&c| u64::from(c) < card))
        };
        let counted = plain && !self.keep_weights && tally.dense && levelled();
        if counted {
            self.count_dense(b, &cards, &mut tally.dense_counts);
        }
        // Row by row (every row, unless the dense count above took them).
        let rows = if counted { 0 } else { b.len() };
        for i in 0..rows {
            self.rows_seen += 1;
            let Some(y) = b.label[i] else {
                self.excluded_null_label += 1;
                continue;
            };
            let p = match b.prediction {
                Some(p) => match p[i] {
                    Some(v) => v,
                    None => {
                        self.excluded_null_prediction += 1;
                        continue;
                    }
                },
                None => false,
            };
            let s = match b.score {
                Some(s) => match s[i] {
                    Some(v) if (0.0..=1.0).contains(&v) => Some(v),
                    Some(v) => {
                        return Err(Error::InvalidScore {
                            row: b.row_offset + i,
                            value: v,
                        })
                    }
                    None => {
                        self.excluded_null_score += 1;
                        continue;
                    }
                },
                None => None,
            };
            // The row's key with the probabilistic attribute's code (if any) left at 0, and
            // that attribute's place value in the key.
            let mut key = 0u64;
            let mut stride = 0u64;
            for (j, (a, &card)) in b.attributes.iter().zip(&cards).enumerate() {
                let probabilistic = b.membership.is_some_and(|m| m.attribute == j);
                let code = if probabilistic { 0 } else { a.codes[i] as u64 };
                if code >= card {
                    return Err(Error::InvalidArgument(format!(
                        "code {code} of attribute `{}` at row {} has no level",
                        a.name,
                        b.row_offset + i
                    )));
                }
                stride = if probabilistic { 1 } else { stride * card };
                key = key * card + code;
            }
            let row = Row {
                slot: (y as usize) * 2 + p as usize,
                label: y,
                score: s,
            };
            let w = b.weights.map_or(1.0, |w| w[i]);
            // The row's confusion cell in `[TP, FP, TN, FN]` order, from `label·2 + prediction`.
            let j = WEIGHT_CELL[row.slot];
            match b.membership {
                None => {
                    if self.keep_weights {
                        kept.entry(key).or_default()[j].push(w);
                    }
                    tally.add(key, &row, w)
                }
                Some(m) => {
                    let k = cards[m.attribute] as usize;
                    let probs = &m.probs[i * k..(i + 1) * k];
                    if probs[0].is_nan() {
                        self.excluded_no_membership += 1;
                        continue;
                    }
                    self.membership_rows += 1;
                    if self.keep_weights {
                        kept.entry(key).or_default()[j].extend(probs.iter().map(|&p| w * p));
                    }
                    for (g, &pg) in probs.iter().enumerate() {
                        if pg > 0.0 {
                            tally.add(key + g as u64 * stride, &row, w * pg);
                        }
                    }
                }
            }
        }
        for (key, cell) in tally.cells(self.has_score) {
            self.cells
                .entry(decode_key(key, &cards, &b.attributes))
                .or_default()
                .add(&cell);
        }
        let mut kept: Vec<(u64, [Vec<f64>; 4])> = kept.into_iter().collect();
        kept.sort_unstable_by_key(|(k, _)| *k);
        for (key, w) in kept {
            let mut key = decode_key(key, &cards, &b.attributes);
            if let Some(m) = b.membership {
                key[m.attribute] = None;
            }
            append_weights(self.kept_weights.entry(key).or_default(), w);
        }
        Ok(())
    }

    /// Records the order of the groups of the rows kept with membership, or checks that it is
    /// the order already recorded (every batch and merged state must give the same).
    fn set_membership_levels(&mut self, levels: &[Option<String>]) -> Result<()> {
        if self.membership_levels.is_empty() {
            self.membership_levels = levels.to_vec();
        } else if self.membership_levels != levels {
            return Err(Error::IncompatibleStates(format!(
                "rows kept with the groups {:?} where the state has {:?}",
                levels, self.membership_levels
            )));
        }
        Ok(())
    }

    /// The rows of a batch without scores, weights or membership, into dense counts by key
    /// (`[label·2 + prediction]`): what [`FairnessState::update`]'s row loop counts for them,
    /// a column at a time (the keys first, then the outcomes), without its per-row branches for
    /// the other cases. Every code must have a level.
    fn count_dense(&mut self, b: &FairnessBatch<'_>, cards: &[u64], counts: &mut [[u64; 4]]) {
        let n = b.len();
        // Dense keys are below DENSE_LIMIT (2^16): u32 holds them. (Built from the first
        // attribute's codes rather than zeros: a zeroed buffer read before it is written costs a
        // copy-on-write page fault per page.)
        let mut keys: Vec<u32> = match b.attributes.first() {
            Some(a) => a.codes[..n].to_vec(),
            None => vec![0; n],
        };
        for (a, &card) in b.attributes.iter().zip(cards).skip(1) {
            for (k, &c) in keys.iter_mut().zip(a.codes) {
                *k = *k * card as u32 + c;
            }
        }
        self.rows_seen += n as u64;
        let mut excluded = [0u64; 2];
        let mut count = |i: usize, y: Option<bool>, p: Option<bool>| match (y, p) {
            (Some(y), Some(p)) => counts[keys[i] as usize][(y as usize) * 2 + p as usize] += 1,
            (None, _) => excluded[0] += 1,
            (Some(_), None) => excluded[1] += 1,
        };
        match b.prediction {
            Some(p) => {
                for (i, (&y, &p)) in b.label.iter().zip(p).enumerate() {
                    count(i, y, p);
                }
            }
            None => {
                for (i, &y) in b.label.iter().enumerate() {
                    count(i, y, Some(false));
                }
            }
        }
        self.excluded_null_label += excluded[0];
        self.excluded_null_prediction += excluded[1];
    }

    /// Counts one batch in parallel over chunks of rows (rayon), merging the chunk states.
    /// The result equals [`FairnessState::update`] on the same rows.
    pub fn update_parallel(&mut self, b: &FairnessBatch<'_>) -> Result<()> {
        if b.len() <= PAR_CHUNK {
            return self.update(b);
        }
        self.check_batch(b)?;
        let starts: Vec<usize> = (0..b.len()).step_by(PAR_CHUNK).collect();
        let mut template =
            FairnessState::new(self.attributes.clone(), self.has_prediction, self.has_score);
        template.has_weights = self.has_weights;
        template.membership = self.membership;
        template.keep_weights = self.keep_weights;
        let merged = starts
            .into_par_iter()
            .map(|start| {
                let mut st = template.clone();
                st.update(&b.slice(start, (start + PAR_CHUNK).min(b.len())))?;
                Ok(st)
            })
            .try_reduce(
                || template.clone(),
                |mut a, b| {
                    a.merge(&b)?;
                    Ok(a)
                },
            )?;
        self.merge(&merged)
    }

    /// Adds another state of the same attributes and roles.
    pub fn merge(&mut self, other: &FairnessState) -> Result<()> {
        if self.attributes != other.attributes
            || self.has_prediction != other.has_prediction
            || self.has_score != other.has_score
            || self.has_weights != other.has_weights
            || self.membership != other.membership
            || self.keep_weights != other.keep_weights
        {
            return Err(Error::IncompatibleStates(format!(
                "attributes {:?} (prediction {}, score {}, weights {}) vs {:?} (prediction {}, score {}, weights {})",
                self.attributes,
                self.has_prediction,
                self.has_score,
                self.has_weights,
                other.attributes,
                other.has_prediction,
                other.has_score,
                other.has_weights
            )));
        }
        if !other.membership_levels.is_empty() {
            self.set_membership_levels(&other.membership_levels)?;
        }
        for (k, c) in &other.cells {
            self.cells.entry(k.clone()).or_default().add(c);
        }
        for (k, w) in &other.kept_weights {
            append_weights(self.kept_weights.entry(k.clone()).or_default(), w.clone());
        }
        self.rows_seen += other.rows_seen;
        self.excluded_null_label += other.excluded_null_label;
        self.excluded_null_prediction += other.excluded_null_prediction;
        self.excluded_null_score += other.excluded_null_score;
        self.membership_rows += other.membership_rows;
        self.excluded_no_membership += other.excluded_no_membership;
        Ok(())
    }

    /// Sums cells over the attributes not in `attrs`: the groups of one attribute (`[i]`) or of an
    /// intersection (`[i, j, …]`).
    pub fn marginal(&self, attrs: &[usize]) -> BTreeMap<GroupKey, Cell> {
        marginal_of(&self.cells, attrs, Cell::add)
    }
}

/// What one row adds to its cell: its confusion slot (`label * 2 + prediction`), its label and
/// its score.
struct Row {
    slot: usize,
    label: bool,
    score: Option<f64>,
}

/// One batch's cells as they are counted: counts (dense up to [`DENSE_LIMIT`] combinations, else
/// hashed), weight sums and scores by the cell's flat key.
struct Tally {
    dense: bool,
    weighted: bool,
    dense_counts: Vec<[u64; 4]>,
    sparse_counts: FxHashMap<u64, [u64; 4]>,
    dense_weights: Vec<WeightSums>,
    sparse_weights: FxHashMap<u64, WeightSums>,
    pairs: FxHashMap<u64, Vec<(f64, bool)>>,
    weighted_pairs: FxHashMap<u64, Vec<(f64, bool, f64)>>,
}

impl Tally {
    fn new(combos: u64, weighted: bool) -> Tally {
        let dense = combos <= DENSE_LIMIT;
        let n = if dense { combos as usize } else { 0 };
        Tally {
            dense,
            weighted,
            dense_counts: vec![[0; 4]; n],
            sparse_counts: FxHashMap::default(),
            dense_weights: vec![WeightSums::default(); if weighted { n } else { 0 }],
            sparse_weights: FxHashMap::default(),
            pairs: FxHashMap::default(),
            weighted_pairs: FxHashMap::default(),
        }
    }

    /// Adds a row of weight `w` (ignored when the state is not weighted) to cell `key`.
    #[inline]
    fn add(&mut self, key: u64, r: &Row, w: f64) {
        // Weight cells are ordered [TP, FP, TN, FN]; `slot` is label * 2 + prediction.
        if self.dense {
            self.dense_counts[key as usize][r.slot] += 1;
            if self.weighted {
                self.dense_weights[key as usize].push(WEIGHT_CELL[r.slot], w);
            }
        } else {
            self.sparse_counts.entry(key).or_insert([0; 4])[r.slot] += 1;
            if self.weighted {
                let sums = self.sparse_weights.entry(key).or_default();
                sums.push(WEIGHT_CELL[r.slot], w);
            }
        }
        if let Some(s) = r.score {
            match self.weighted {
                true => self
                    .weighted_pairs
                    .entry(key)
                    .or_default()
                    .push((s, r.label, w)),
                false => self.pairs.entry(key).or_default().push((s, r.label)),
            }
        }
    }

    /// The counted cells by flat key (scores summarised when `has_score`).
    fn cells(mut self, has_score: bool) -> Vec<(u64, Cell)> {
        let counted: Vec<(u64, [u64; 4])> = if self.dense {
            std::mem::take(&mut self.dense_counts)
                .into_iter()
                .enumerate()
                .filter(|(_, c)| c.iter().any(|&v| v > 0))
                .map(|(k, c)| (k as u64, c))
                .collect()
        } else {
            std::mem::take(&mut self.sparse_counts)
                .into_iter()
                .collect()
        };
        counted
            .into_iter()
            .map(|(key, counts)| {
                let weights = self.weighted.then(|| match self.dense {
                    true => self.dense_weights[key as usize],
                    false => self.sparse_weights.remove(&key).unwrap_or_default(),
                });
                let scores = has_score.then(|| match self.weighted {
                    true => ScoreHistogram::from_weighted(
                        &mut self.weighted_pairs.remove(&key).unwrap_or_default(),
                    ),
                    false => {
                        ScoreHistogram::from_pairs(&mut self.pairs.remove(&key).unwrap_or_default())
                    }
                });
                let cell = Cell {
                    confusion: Confusion::from_cells(counts),
                    scores,
                    weights,
                };
                (key, cell)
            })
            .collect()
    }
}

/// The attribute values a flat cell key stands for (the first attribute most significant).
fn decode_key(mut key: u64, cards: &[u64], attributes: &[CodedAttribute<'_>]) -> GroupKey {
    let mut codes = vec![0u64; cards.len()];
    for j in (0..cards.len()).rev() {
        codes[j] = key % cards[j];
        key /= cards[j];
    }
    codes
        .iter()
        .zip(attributes)
        .map(|(&c, a)| a.levels[c as usize].clone())
        .collect()
}

/// Serde for maps keyed by [`GroupKey`] (a list of `[key, cell]` pairs, since JSON keys must be
/// strings), for every task's cells.
pub(crate) mod cells_as_pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::GroupKey;

    pub fn serialize<S: Serializer, C: Serialize>(
        m: &BTreeMap<GroupKey, C>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(m.iter())
    }

    pub fn deserialize<'de, D: Deserializer<'de>, C: Deserialize<'de>>(
        d: D,
    ) -> Result<BTreeMap<GroupKey, C>, D::Error> {
        let pairs: Vec<(GroupKey, C)> = Vec::deserialize(d)?;
        Ok(pairs.into_iter().collect())
    }
}

/// Appends a cell's kept weights to another's.
fn append_weights(to: &mut [Vec<f64>; 4], from: [Vec<f64>; 4]) {
    for (a, b) in to.iter_mut().zip(from) {
        a.extend(b);
    }
}

/// The product of the cardinalities `cards` (each at least 1): the number of combinations a
/// flat cell index ranges over, or an error when it overflows (`what` names what is combined).
pub(crate) fn combinations(cards: &[u64], what: &str) -> Result<u64> {
    cards
        .iter()
        .try_fold(1u64, |acc, &c| acc.checked_mul(c.max(1)))
        .ok_or_else(|| Error::InvalidArgument(format!("too many combinations of {what} to count")))
}
