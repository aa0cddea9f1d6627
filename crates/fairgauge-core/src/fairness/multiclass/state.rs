//! The mergeable multiclass state: for every combination of sensitive-attribute values (a
//! "cell", as in the binary [`FairnessState`](crate::fairness::FairnessState)), the rows of each
//! (true class, predicted class) pair — a sparse K×K confusion matrix — and with sample weights
//! their sums Σw and Σw². Classes and groups are kept by value, so states counted with different
//! dictionaries (other chunks, processes or engines) merge exactly.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fairness::state::{check_columns, combinations, marginal_of, CodedAttribute, GroupKey};

/// Most classes a multiclass label and prediction may have together.
pub const MAX_CLASSES: usize = 100;

/// `true class → predicted class → T`.
pub type PairTable<T> = BTreeMap<String, BTreeMap<String, T>>;

/// One batch of rows: the label and prediction dictionary-encoded like the sensitive attributes
/// (a null level is a null value; such rows are left out and counted).
#[derive(Debug, Clone)]
pub struct MulticlassBatch<'a> {
    /// The true class of each row.
    pub label: CodedAttribute<'a>,
    /// The predicted class of each row.
    pub prediction: CodedAttribute<'a>,
    /// The sensitive attributes, in the state's order.
    pub attributes: Vec<CodedAttribute<'a>>,
    /// Each row's sample weight (finite, `≥ 0`), when the state is weighted.
    pub weights: Option<&'a [f64]>,
    /// Row number of the batch's first row in the whole input, for error messages.
    pub row_offset: usize,
}

impl MulticlassBatch<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.label.codes.len()
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The confusion matrix of one cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassCell {
    /// Rows per (true, predicted) class.
    pub counts: PairTable<u64>,
    /// `[Σw, Σw²]` per (true, predicted) class, when the state is weighted (always written,
    /// `null` when absent: the compact binary encoding has no optional fields).
    #[serde(default)]
    pub weights: Option<PairTable<[f64; 2]>>,
}

impl ClassCell {
    /// Adds another cell.
    pub fn add(&mut self, other: &ClassCell) {
        for (l, row) in &other.counts {
            let mine = self.counts.entry(l.clone()).or_default();
            for (p, n) in row {
                *mine.entry(p.clone()).or_default() += n;
            }
        }
        if let Some(o) = &other.weights {
            let w = self.weights.get_or_insert_with(Default::default);
            for (l, row) in o {
                let mine = w.entry(l.clone()).or_default();
                for (p, s) in row {
                    let e = mine.entry(p.clone()).or_default();
                    e[0] += s[0];
                    e[1] += s[1];
                }
            }
        }
    }

    /// Rows in the cell.
    pub fn n(&self) -> u64 {
        self.counts.values().flat_map(|r| r.values()).sum()
    }
}

/// The mergeable state of a multiclass fairness assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MulticlassState {
    /// Sensitive attribute names, in key order.
    pub attributes: Vec<String>,
    /// Whether rows carry sample weights.
    pub has_weights: bool,
    /// The confusion matrix per combination of attribute values (a list of `[key, cell]` pairs).
    #[serde(with = "crate::fairness::state::cells_as_pairs")]
    pub cells: BTreeMap<GroupKey, ClassCell>,
    /// Rows seen, including excluded ones.
    pub rows_seen: u64,
    /// Rows left out because the label is null.
    pub excluded_null_label: u64,
    /// Rows left out because the prediction is null.
    pub excluded_null_prediction: u64,
    /// Whether each row's sample weight is kept ([`MulticlassState::keeping_weights`]).
    #[serde(default)]
    pub keep_weights: bool,
    /// With `keep_weights`: each cell's rows' sample weights by (true, predicted) class, in the
    /// order counted (the bootstrap sorts them).
    #[serde(default, with = "crate::fairness::state::cells_as_pairs")]
    pub kept_weights: BTreeMap<GroupKey, PairTable<Vec<f64>>>,
}

/// Above this many (cell, true, predicted) slots per batch, they are counted in a hash map.
const DENSE_LIMIT: u64 = 1 << 20;

impl MulticlassState {
    /// An empty state for the given attributes.
    pub fn new(attributes: Vec<String>) -> Self {
        MulticlassState {
            attributes,
            has_weights: false,
            cells: BTreeMap::new(),
            rows_seen: 0,
            excluded_null_label: 0,
            excluded_null_prediction: 0,
            keep_weights: false,
            kept_weights: BTreeMap::new(),
        }
    }

    /// The same weighted state keeping each row's sample weight by its cell and (true,
    /// predicted) class (8 bytes a row), for the bootstrap with sample weights.
    pub fn keeping_weights(mut self) -> Self {
        self.keep_weights = self.has_weights;
        self
    }

    /// The same state with sample weights: every batch must then give a weight per row.
    pub fn weighted(mut self) -> Self {
        self.has_weights = true;
        self
    }

    /// Rows counted in cells.
    pub fn rows_used(&self) -> u64 {
        self.cells.values().map(ClassCell::n).sum()
    }

    /// The classes seen as a true label and as a prediction.
    pub fn classes_seen(&self) -> (Vec<String>, Vec<String>) {
        let mut labels = std::collections::BTreeSet::new();
        let mut predicted = std::collections::BTreeSet::new();
        for c in self.cells.values() {
            for (l, row) in &c.counts {
                labels.insert(l.clone());
                predicted.extend(row.keys().cloned());
            }
        }
        (
            labels.into_iter().collect(),
            predicted.into_iter().collect(),
        )
    }

    fn check_batch(&self, b: &MulticlassBatch<'_>) -> Result<()> {
        if b.weights.is_some() != self.has_weights {
            return Err(Error::IncompatibleStates(
                "batch weights differ from the state's".into(),
            ));
        }
        check_columns(
            b.len(),
            vec![(b.prediction.name, b.prediction.codes.len())],
            (b.weights, b.row_offset),
            &b.attributes,
            &self.attributes,
        )
    }

    /// Counts one batch.
    pub fn update(&mut self, b: &MulticlassBatch<'_>) -> Result<()> {
        self.check_batch(b)?;
        // Slot of a row: ((cell · L) + true code) · P + predicted code.
        let mut cards: Vec<u64> = b.attributes.iter().map(|a| a.levels.len() as u64).collect();
        cards.push(b.label.levels.len() as u64);
        cards.push(b.prediction.levels.len() as u64);
        let slots = combinations(&cards, "sensitive-attribute values and classes")?;
        let dense = slots <= DENSE_LIMIT;
        let mut dense_counts = vec![0u64; if dense { slots as usize } else { 0 }];
        let mut sparse: FxHashMap<u64, u64> = FxHashMap::default();
        let mut weighed: FxHashMap<u64, [f64; 2]> = FxHashMap::default();
        let mut kept: FxHashMap<u64, Vec<f64>> = FxHashMap::default();
        let mut columns: Vec<&CodedAttribute<'_>> = b.attributes.iter().collect();
        columns.push(&b.label);
        columns.push(&b.prediction);
        for i in 0..b.len() {
            self.rows_seen += 1;
            if b.label.levels[code_at(&b.label, i, b.row_offset)?].is_none() {
                self.excluded_null_label += 1;
                continue;
            }
            if b.prediction.levels[code_at(&b.prediction, i, b.row_offset)?].is_none() {
                self.excluded_null_prediction += 1;
                continue;
            }
            let mut slot = 0u64;
            for (a, &card) in columns.iter().zip(&cards) {
                slot = slot * card + code_at(a, i, b.row_offset)? as u64;
            }
            if dense {
                dense_counts[slot as usize] += 1;
            } else {
                *sparse.entry(slot).or_default() += 1;
            }
            if let Some(w) = b.weights {
                let e = weighed.entry(slot).or_default();
                e[0] += w[i];
                e[1] += w[i] * w[i];
                if self.keep_weights {
                    kept.entry(slot).or_default().push(w[i]);
                }
            }
        }
        let counted: Vec<(u64, u64)> = if dense {
            dense_counts
                .into_iter()
                .enumerate()
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| (s as u64, n))
                .collect()
        } else {
            sparse.into_iter().collect()
        };
        for (slot, n) in counted {
            let mut codes = vec![0usize; cards.len()];
            let mut rest = slot;
            for j in (0..cards.len()).rev() {
                codes[j] = (rest % cards[j]) as usize;
                rest /= cards[j];
            }
            let k = b.attributes.len();
            let key: GroupKey = (0..k)
                .map(|j| b.attributes[j].levels[codes[j]].clone())
                .collect();
            let label = level(&b.label, codes[k]);
            let predicted = level(&b.prediction, codes[k + 1]);
            let cell = self.cells.entry(key.clone()).or_default();
            *cell
                .counts
                .entry(label.clone())
                .or_default()
                .entry(predicted.clone())
                .or_default() += n;
            if self.has_weights {
                let s = weighed.get(&slot).copied().unwrap_or_default();
                let e = cell
                    .weights
                    .get_or_insert_with(Default::default)
                    .entry(label.clone())
                    .or_default()
                    .entry(predicted.clone())
                    .or_default();
                e[0] += s[0];
                e[1] += s[1];
            }
            if let Some(w) = kept.remove(&slot) {
                self.kept_weights
                    .entry(key)
                    .or_default()
                    .entry(label)
                    .or_default()
                    .entry(predicted)
                    .or_default()
                    .extend(w);
            }
        }
        Ok(())
    }

    /// Adds another state of the same attributes.
    pub fn merge(&mut self, other: &MulticlassState) -> Result<()> {
        if self.attributes != other.attributes
            || self.has_weights != other.has_weights
            || self.keep_weights != other.keep_weights
        {
            return Err(Error::IncompatibleStates(format!(
                "attributes {:?} (weights {}) vs {:?} (weights {})",
                self.attributes, self.has_weights, other.attributes, other.has_weights
            )));
        }
        for (k, c) in &other.cells {
            self.cells.entry(k.clone()).or_default().add(c);
        }
        for (k, table) in &other.kept_weights {
            let mine = self.kept_weights.entry(k.clone()).or_default();
            for (l, row) in table {
                for (p, w) in row {
                    mine.entry(l.clone())
                        .or_default()
                        .entry(p.clone())
                        .or_default()
                        .extend_from_slice(w);
                }
            }
        }
        self.rows_seen += other.rows_seen;
        self.excluded_null_label += other.excluded_null_label;
        self.excluded_null_prediction += other.excluded_null_prediction;
        Ok(())
    }

    /// Sums cells over the attributes not in `attrs` (the groups of one attribute or of an
    /// intersection).
    pub fn marginal(&self, attrs: &[usize]) -> BTreeMap<GroupKey, ClassCell> {
        marginal_of(&self.cells, attrs, ClassCell::add)
    }
}

/// Row `i`'s code in `a`, checked against its levels.
fn code_at(a: &CodedAttribute<'_>, i: usize, offset: usize) -> Result<usize> {
    let c = a.codes[i] as usize;
    if c >= a.levels.len() {
        return Err(Error::InvalidArgument(format!(
            "code {c} of `{}` at row {} has no level",
            a.name,
            offset + i
        )));
    }
    Ok(c)
}

/// A non-null level's text (callers have left null rows out).
fn level(a: &CodedAttribute<'_>, code: usize) -> String {
    a.levels[code].clone().unwrap_or_default()
}
