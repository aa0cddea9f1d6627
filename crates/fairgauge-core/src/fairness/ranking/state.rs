//! The mergeable ranking state: every counted item (its list, its cell of sensitive-attribute
//! values, its rank or score, its relevance). A list may be split across batches, files or
//! partitions, so nothing is ranked until the report is finished; merging appends items, and
//! the report sorts them, so the result does not depend on the order rows arrive in.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fairness::state::{check_columns, combinations, CodedAttribute, GroupKey};

/// The cut-offs of the top-k selection rates and NDCG@k when none are given.
pub const DEFAULT_K: [u32; 1] = [10];

/// The largest relevance accepted (so that sums over 10⁹ items stay finite).
pub const MAX_RELEVANCE: f64 = 1e150;

/// What orders a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    /// A given 1-based rank (an integer; ranks may not repeat within a list; gaps are kept as
    /// positions, as for a shortlist cut from a longer ranking).
    Rank,
    /// A score, higher first; tied scores share their positions (each tied item gets the mean
    /// discount of the positions the tie occupies: the expectation under a random order of
    /// the tie).
    Score,
}

/// One batch: each row's list (coded, `None` for null), its rank or score, its relevance (when
/// the state has relevance) and its sensitive attributes. Rows with a null list, rank/score or
/// relevance are left out and counted.
#[derive(Debug, Clone)]
pub struct RankingBatch<'a> {
    /// Each row's list, as a code into `query_levels`.
    pub query: &'a [Option<u32>],
    /// The lists' values.
    pub query_levels: &'a [String],
    /// The rank (1, 2, …) or the score of each row.
    pub position: &'a [Option<f64>],
    /// Relevance of each row (`≥ 0`), when the state has relevance.
    pub relevance: Option<&'a [Option<f64>]>,
    /// Sample weight of each row (finite, `≥ 0`), when the state is weighted.
    pub weight: Option<&'a [f64]>,
    /// The sensitive attributes, in the state's order.
    pub attributes: Vec<CodedAttribute<'a>>,
    /// Row number (0-based) of the batch's first row in the whole input, for error messages.
    pub row_offset: usize,
}

/// One counted item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankingItem {
    /// Index of its list in [`RankingState::queries`].
    pub query: u32,
    /// Index of its cell in [`RankingState::keys`].
    pub cell: u32,
    /// Its rank or score.
    pub position: f64,
    /// Its relevance (0 without relevance).
    pub relevance: f64,
}

/// An item as its list is scored: the counted item and its sample weight (1 without sample
/// weights). Only a list at a time is held this way; the state keeps the weights apart
/// ([`RankingState::weights`]), so that an unweighted item takes 24 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ListItem {
    pub(crate) query: u32,
    pub(crate) cell: u32,
    pub(crate) position: f64,
    pub(crate) relevance: f64,
    pub(crate) weight: f64,
}

/// The mergeable state of a ranking fairness assessment. (Two states are equal when their
/// serialised fields are: the lookup tables are rebuilt from them.)
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RankingState {
    /// Sensitive attribute names, in key order.
    pub attributes: Vec<String>,
    /// Whether lists are ordered by rank or by score.
    pub by: RankBy,
    /// Whether items carry a relevance.
    pub has_relevance: bool,
    /// The cut-offs `k`, ascending and distinct.
    pub k: Vec<u32>,
    /// Whether items carry sample weights.
    pub has_weights: bool,
    /// The lists' values, in order of first appearance.
    pub queries: Vec<String>,
    /// The cells (combinations of attribute values), in order of first appearance.
    pub keys: Vec<GroupKey>,
    /// Every counted item.
    pub items: Vec<RankingItem>,
    /// Each item's sample weight, in item order (empty without sample weights).
    pub weights: Vec<f64>,
    /// Rows seen, including excluded ones.
    pub rows_seen: u64,
    /// Rows left out because the list is null.
    pub excluded_null_query: u64,
    /// Rows left out because the rank or score is null.
    pub excluded_null_position: u64,
    /// Rows left out because the relevance is null.
    pub excluded_null_relevance: u64,
    #[serde(skip)]
    query_index: FxHashMap<String, u32>,
    #[serde(skip)]
    key_index: FxHashMap<GroupKey, u32>,
}

impl PartialEq for RankingState {
    fn eq(&self, o: &Self) -> bool {
        self.attributes == o.attributes
            && self.by == o.by
            && self.has_relevance == o.has_relevance
            && self.k == o.k
            && self.has_weights == o.has_weights
            && self.queries == o.queries
            && self.keys == o.keys
            && self.items == o.items
            && self.weights == o.weights
            && self.rows_seen == o.rows_seen
            && self.excluded_null_query == o.excluded_null_query
            && self.excluded_null_position == o.excluded_null_position
            && self.excluded_null_relevance == o.excluded_null_relevance
    }
}

impl RankingState {
    /// An empty state; `k` must hold at least one cut-off, each at least 1.
    pub fn new(
        attributes: Vec<String>,
        by: RankBy,
        has_relevance: bool,
        k: &[u32],
    ) -> Result<Self> {
        let mut k = if k.is_empty() {
            DEFAULT_K.to_vec()
        } else {
            k.to_vec()
        };
        if k.contains(&0) {
            return Err(Error::InvalidArgument(
                "each k (the top-k cut-off) must be at least 1, given 0".into(),
            ));
        }
        k.sort_unstable();
        k.dedup();
        Ok(RankingState {
            attributes,
            by,
            has_relevance,
            k,
            has_weights: false,
            queries: vec![],
            keys: vec![],
            items: vec![],
            weights: vec![],
            rows_seen: 0,
            excluded_null_query: 0,
            excluded_null_position: 0,
            excluded_null_relevance: 0,
            query_index: FxHashMap::default(),
            key_index: FxHashMap::default(),
        })
    }

    /// The same state counting sample weights (each batch then gives a weight per row).
    pub fn weighted(mut self) -> Self {
        self.has_weights = true;
        self
    }

    /// Item `i` as its list is scored, with its weight.
    pub(crate) fn list_item(&self, i: usize) -> ListItem {
        let it = self.items[i];
        ListItem {
            query: it.query,
            cell: it.cell,
            position: it.position,
            relevance: it.relevance,
            weight: self.weights.get(i).copied().unwrap_or(1.0),
        }
    }

    /// Items counted.
    pub fn rows_used(&self) -> u64 {
        self.items.len() as u64
    }

    /// The lookup tables, rebuilt after deserialising.
    fn index(&mut self) {
        if self.query_index.len() != self.queries.len() {
            self.query_index = (0..self.queries.len() as u32)
                .map(|i| (self.queries[i as usize].clone(), i))
                .collect();
        }
        if self.key_index.len() != self.keys.len() {
            self.key_index = (0..self.keys.len() as u32)
                .map(|i| (self.keys[i as usize].clone(), i))
                .collect();
        }
    }

    fn query_id(&mut self, q: &str) -> u32 {
        if let Some(&i) = self.query_index.get(q) {
            return i;
        }
        let i = self.queries.len() as u32;
        self.queries.push(q.to_string());
        self.query_index.insert(q.to_string(), i);
        i
    }

    fn key_id(&mut self, k: &GroupKey) -> u32 {
        if let Some(&i) = self.key_index.get(k) {
            return i;
        }
        let i = self.keys.len() as u32;
        self.keys.push(k.clone());
        self.key_index.insert(k.clone(), i);
        i
    }

    /// Checks one row's rank or score and relevance.
    fn check_row(&self, row: usize, position: f64, relevance: f64, weight: f64) -> Result<()> {
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Error::InvalidSample {
                sample: "weight".into(),
                reason: format!(
                    "weight {weight} at row {} is not a finite number ≥ 0",
                    row + 1
                ),
            });
        }
        if self.by == RankBy::Rank && !(position >= 1.0 && position.fract() == 0.0) {
            return Err(Error::InvalidSample {
                sample: "rank".into(),
                reason: format!(
                    "rank {position} at row {} is not a whole number from 1 up",
                    row + 1
                ),
            });
        }
        if self.by == RankBy::Rank && position >= 4e9 {
            return Err(Error::InvalidSample {
                sample: "rank".into(),
                reason: format!(
                    "rank {position} at row {} is too large (ranks must be below 4e9)",
                    row + 1
                ),
            });
        }
        if !position.is_finite() {
            return Err(Error::InvalidSample {
                sample: "score".into(),
                reason: format!("score {position} at row {} is not a finite number", row + 1),
            });
        }
        // Sums of relevances and of relevance × discount must stay finite.
        if !(0.0..=MAX_RELEVANCE).contains(&relevance) {
            // Huge values in exponent form (`1e200`, not 201 digits).
            let shown = if relevance.abs() >= 1e15 {
                format!("{relevance:e}")
            } else {
                relevance.to_string()
            };
            return Err(Error::InvalidSample {
                sample: "relevance".into(),
                reason: format!(
                    "relevance {shown} at row {} is not a number in [0, {MAX_RELEVANCE:e}]",
                    row + 1
                ),
            });
        }
        Ok(())
    }

    /// Checks a state read from elsewhere (an encoded part): every item's list and cell exist,
    /// the cut-offs are sorted, distinct and at least 1, and the lists' values and cells are
    /// distinct.
    pub fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::IncompatibleStates(format!("ranking state: {m}")));
        if let Some(it) = self.items.iter().find(|it| {
            it.query as usize >= self.queries.len() || it.cell as usize >= self.keys.len()
        }) {
            return bad(format!(
                "an item refers to list {} and cell {} of {} and {}",
                it.query,
                it.cell,
                self.queries.len(),
                self.keys.len()
            ));
        }
        let weights = if self.has_weights {
            self.items.len()
        } else {
            0
        };
        if self.weights.len() != weights {
            return bad(format!(
                "{} weights for {weights} weighted items",
                self.weights.len()
            ));
        }
        if let Some(w) = self.weights.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
            return bad(format!("an item has the weight {w}"));
        }
        if self.k.is_empty() || self.k[0] == 0 || self.k.windows(2).any(|w| w[0] >= w[1]) {
            return bad(format!(
                "cut-offs {:?} are not distinct, ascending and ≥ 1",
                self.k
            ));
        }
        let queries: std::collections::HashSet<&String> = self.queries.iter().collect();
        let keys: std::collections::HashSet<&GroupKey> = self.keys.iter().collect();
        if queries.len() != self.queries.len() || keys.len() != self.keys.len() {
            return bad("a list or a cell appears twice".into());
        }
        if self.keys.iter().any(|k| k.len() != self.attributes.len()) {
            return bad("a cell does not have one value per attribute".into());
        }
        Ok(())
    }

    /// Counts one batch; a rank that is not a whole number ≥ 1, a score that is not finite or a
    /// relevance that is negative or not finite is an error naming its row.
    pub fn update(&mut self, b: &RankingBatch<'_>) -> Result<()> {
        let n = b.query.len();
        let mut lengths = vec![("rank or score", b.position.len())];
        if let Some(r) = b.relevance {
            lengths.push(("relevance", r.len()));
        }
        if let Some(w) = b.weight {
            lengths.push(("weight", w.len()));
        }
        check_columns(
            n,
            lengths,
            (None, b.row_offset),
            &b.attributes,
            &self.attributes,
        )?;
        if b.relevance.is_some() != self.has_relevance {
            return Err(Error::InvalidArgument(
                "the batch's relevance does not match the state's (given for one, not the other)"
                    .into(),
            ));
        }
        if b.weight.is_some() != self.has_weights {
            return Err(Error::InvalidArgument(
                "the batch's sample weights do not match the state's (given for one, not the other)"
                    .into(),
            ));
        }
        self.index();
        // Cells by a flat index of their codes (as the other tasks count them).
        let cards: Vec<u64> = b.attributes.iter().map(|a| a.levels.len() as u64).collect();
        combinations(&cards, "sensitive-attribute values")?;
        let mut cell_of: FxHashMap<u64, u32> = FxHashMap::default();
        let mut queries: Vec<Option<u32>> = vec![None; b.query_levels.len()];
        for i in 0..n {
            self.rows_seen += 1;
            let Some(q) = b.query[i] else {
                self.excluded_null_query += 1;
                continue;
            };
            let Some(position) = b.position[i] else {
                self.excluded_null_position += 1;
                continue;
            };
            let relevance = match b.relevance.map(|r| r[i]) {
                None => 0.0,
                Some(Some(r)) => r,
                Some(None) => {
                    self.excluded_null_relevance += 1;
                    continue;
                }
            };
            let weight = b.weight.map_or(1.0, |w| w[i]);
            self.check_row(b.row_offset + i, position, relevance, weight)?;
            let qi = q as usize;
            if qi >= queries.len() {
                return Err(Error::InvalidArgument(format!(
                    "list code {q} at row {} has no value",
                    b.row_offset + i + 1
                )));
            }
            let query = match queries[qi] {
                Some(id) => id,
                None => {
                    let id = self.query_id(&b.query_levels[qi]);
                    queries[qi] = Some(id);
                    id
                }
            };
            let mut index = 0u64;
            for (a, &card) in b.attributes.iter().zip(&cards) {
                let code = a.codes[i] as u64;
                if code >= card {
                    return Err(Error::InvalidArgument(format!(
                        "code {code} of attribute `{}` at row {} has no level",
                        a.name,
                        b.row_offset + i + 1
                    )));
                }
                index = index * card + code;
            }
            let cell = match cell_of.get(&index) {
                Some(&c) => c,
                None => {
                    let key: GroupKey = b
                        .attributes
                        .iter()
                        .map(|a| a.levels[a.codes[i] as usize].clone())
                        .collect();
                    let c = self.key_id(&key);
                    cell_of.insert(index, c);
                    c
                }
            };
            self.items.push(RankingItem {
                query,
                cell,
                position,
                relevance,
            });
            if self.has_weights {
                self.weights.push(weight);
            }
        }
        Ok(())
    }

    /// Adds another state of the same attributes, ordering, relevance and cut-offs.
    pub fn merge(&mut self, other: &RankingState) -> Result<()> {
        other.check()?;
        if self.attributes != other.attributes
            || self.by != other.by
            || self.has_relevance != other.has_relevance
            || self.k != other.k
            || self.has_weights != other.has_weights
        {
            return Err(Error::IncompatibleStates(format!(
                "rankings of {:?} by {:?} (relevance {}, k {:?}, weights {}) vs {:?} by {:?} (relevance {}, k {:?}, weights {})",
                self.attributes,
                self.by,
                self.has_relevance,
                self.k,
                self.has_weights,
                other.attributes,
                other.by,
                other.has_relevance,
                other.k,
                other.has_weights
            )));
        }
        self.index();
        let queries: Vec<u32> = other.queries.iter().map(|q| self.query_id(q)).collect();
        let keys: Vec<u32> = other.keys.iter().map(|k| self.key_id(k)).collect();
        self.items.extend(other.items.iter().map(|it| RankingItem {
            query: queries[it.query as usize],
            cell: keys[it.cell as usize],
            ..*it
        }));
        self.weights.extend_from_slice(&other.weights);
        self.rows_seen += other.rows_seen;
        self.excluded_null_query += other.excluded_null_query;
        self.excluded_null_position += other.excluded_null_position;
        self.excluded_null_relevance += other.excluded_null_relevance;
        Ok(())
    }
}
