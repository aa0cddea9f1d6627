//! Finishing a [`RankingState`]: the items sorted into their lists, each item's position
//! discount, top-k membership and ideal discount computed once, and per group (per attribute
//! and intersection) the ranking's exposure, selection in the top k and NDCG; disparities
//! against the reference group and between-group summaries.
//!
//! Definitions (Singh & Joachims 2018, "Fairness of Exposure in Rankings", KDD, §3–4; Järvelin
//! & Kekäläinen 2002 for (N)DCG with scikit-learn's `ndcg_score` conventions):
//! - an item at 1-based position `p` has the discount `v(p) = 1 / log₂(1 + p)`; with `--rank`
//!   `p` is the given rank, with `--score` the items of a list are ordered by score (highest
//!   first) and tied items share their positions: each gets the mean of `v` over the positions
//!   the tie occupies (the expectation under a random order of the tie; scikit-learn's
//!   `ndcg_score` averages ties the same way);
//! - `exposure` of a group: the mean discount of its items, `Σ v / n` (the exposure of
//!   Singh & Joachims, pooled over every list); `exposure_share`: `Σ_group v / Σ_all v`;
//! - `selection_rate_at_<k>`: the share of the group's items in the top `k` of their list (a
//!   tie straddling position `k` counts as the share of its positions within the top `k`);
//! - with relevance `r ≥ 0`: `mean_relevance` `Σ r / n`; `exposure_relevance_ratio` exposure
//!   over mean relevance, `Σ v / Σ r` (their "disparate treatment" ratio of a group);
//! - `ndcg`: per list, the group's DCG `Σ_{i ∈ group} r_i v(p_i)` over the DCG its items would
//!   get in the ideal order of the whole list (every item of the list sorted by relevance, the
//!   same positions reused; tied relevances share their discounts), then the mean over the
//!   lists where that ideal is above 0. When a whole list is one group this is the list's NDCG
//!   with linear gain (scikit-learn's `ndcg_score`); when groups share a list it can exceed 1:
//!   the ranking places the group above its ideal places. Lists where the group's ideal is 0 (its
//!   items all have relevance 0) are left out of its mean (scikit-learn's `ndcg_score` scores
//!   such a list 0 and keeps it). `ndcg_at_<k>` is the same counting only positions up to `k`,
//!   in the ranking and in the ideal (so a list where the group's items only enter the top k
//!   above their ideal places, with an ideal DCG@k of 0, is left out too);
//! - exposure and top-k selection depend on list length as well as order: a group found mostly
//!   in short lists gets more of both with every list ordered fairly; compare groups that share
//!   lists, or read `exposure_share` against `share`;
//! - a disparity is `group − reference` and `group / reference` (`null` when the reference's
//!   value is 0); summaries over the groups with at least `min_group_size` items are
//!   `<metric>_difference` `max − min` and `<metric>_ratio` `min / max` (so `exposure_ratio` is
//!   Singh & Joachims' demographic parity of exposure between the least and most exposed
//!   groups). No intervals: items of one list are not independent draws.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::state::{RankBy, RankingItem, RankingState};
use crate::error::{Error, Result};
use crate::fairness::reference::{check_named_reference, choose_reference};
use crate::fairness::report::{attribute_sets, group_name, FairnessOptions};
use crate::fairness::state::GroupKey;
use crate::fairness::summary::{difference, ratio};
use crate::fairness::NULL_GROUP;

/// Row accounting of a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingRows {
    /// Rows read.
    pub seen: u64,
    /// Items counted.
    pub used: u64,
    /// Rows left out because the list (`--query`) is null.
    pub excluded_null_query: u64,
    /// Rows left out because the rank or score is null.
    pub excluded_null_position: u64,
    /// Rows left out because the relevance is null.
    pub excluded_null_relevance: u64,
}

/// Metrics of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingGroup {
    /// Attribute name, or `a&b` for an intersection.
    pub attribute: String,
    /// Group name (`<null>` for a null value).
    pub group: String,
    /// The group's value of each attribute.
    pub levels: BTreeMap<String, String>,
    /// Items of the group.
    pub count: u64,
    /// Share of all counted items.
    pub share: f64,
    /// Lists with at least one item of the group.
    pub lists: u64,
    /// Fewer items than `min_group_size`.
    pub insufficient_data: bool,
    /// Whether this is the attribute's reference group.
    pub reference: bool,
    /// `exposure`, `exposure_share`, `selection_rate_at_<k>`, and with relevance
    /// `mean_relevance`, `exposure_relevance_ratio`, `ndcg`, `ndcg_at_<k>` (absent when
    /// undefined, with the reason in `undefined`).
    #[serde(flatten)]
    pub metrics: BTreeMap<String, f64>,
    /// Lists that count towards `ndcg` (those where the group's ideal DCG is above 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ndcg_lists: Option<u64>,
    /// Why a metric is undefined.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub undefined: BTreeMap<String, String>,
}

/// One group's metric against its reference group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingDisparity {
    /// Attribute (or intersection).
    pub attribute: String,
    /// The metric compared.
    pub metric: String,
    /// The group.
    pub group: String,
    /// Its reference group.
    pub reference: String,
    /// The group has fewer items than `min_group_size`.
    pub insufficient_data: bool,
    /// The group's value.
    pub value: f64,
    /// The reference group's value.
    pub reference_value: f64,
    /// `value − reference_value`.
    pub difference: f64,
    /// `value / reference_value` (`null` when the reference's value is 0).
    pub ratio: Option<f64>,
}

/// Summary of one attribute (or intersection).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingSummary {
    /// Attribute name.
    pub attribute: String,
    /// The reference group.
    pub reference_group: String,
    /// How it was chosen: `majority` or `named`.
    pub reference_rule: String,
    /// Number of groups.
    pub groups: usize,
    /// Groups left out of the summaries for having fewer than `min_group_size` items.
    pub insufficient_groups: Vec<String>,
    /// `<metric>_difference` and `<metric>_ratio`; `null` when undefined.
    #[serde(flatten)]
    pub metrics: BTreeMap<String, Option<f64>>,
    /// Why a summary is undefined.
    pub undefined: BTreeMap<String, String>,
}

/// The result of a ranking fairness assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingReport {
    /// `ranking`.
    pub task: String,
    /// What ordered the lists: `rank` or `score`.
    pub ranked_by: RankBy,
    /// The top-k cut-offs.
    pub k: Vec<u32>,
    /// Row accounting.
    pub rows: RankingRows,
    /// Lists counted.
    pub lists: u64,
    /// Items in the longest list.
    pub longest_list: u64,
    /// Sensitive attributes.
    pub attributes: Vec<String>,
    /// Minimum group size (items).
    pub min_group_size: u64,
    /// Metrics per group, per attribute and intersection.
    pub groups: Vec<RankingGroup>,
    /// Disparities against the reference group.
    pub disparities: Vec<RankingDisparity>,
    /// Summary per attribute and intersection.
    pub summary: BTreeMap<String, RankingSummary>,
    /// What the reader should know (a cut-off that selects whole lists).
    pub warnings: Vec<String>,
}

/// The discount of 1-based position `p`, `1 / log₂(1 + p)`.
pub fn position_discount(p: f64) -> f64 {
    1.0 / (1.0 + p).log2()
}

/// What each item of one list contributes, in the list's sorted order (reused from list to
/// list): `nk` values per item for each cut-off.
#[derive(Default)]
struct ListScores {
    /// The discount of each item (ties averaged).
    discount: Vec<f64>,
    /// The discount counted up to each k (0 past the cut-off).
    discount_at: Vec<f64>,
    /// The share of the item's positions within each k.
    top: Vec<f64>,
    /// The ideal discount of each item (with relevance), and up to each k.
    ideal: Vec<f64>,
    ideal_at: Vec<f64>,
    /// Scratch: the positions, the ideal order, one tie's values.
    slots: Vec<f64>,
    order: Vec<usize>,
    tie_at: Vec<f64>,
    tie_top: Vec<f64>,
}

/// Mean discount of the positions `slots` (one tie's, or one item's), writing the mean discount
/// within each k to `at` and the share within each k to `top`.
fn tie_share(slots: &[f64], k: &[u32], at: &mut [f64], top: &mut [f64]) -> f64 {
    let n = slots.len() as f64;
    at.fill(0.0);
    top.fill(0.0);
    let mut d = 0.0;
    for &p in slots {
        let x = position_discount(p);
        d += x;
        for (j, &kk) in k.iter().enumerate() {
            if p <= kk as f64 {
                at[j] += x;
                top[j] += 1.0;
            }
        }
    }
    for j in 0..k.len() {
        at[j] /= n;
        top[j] /= n;
    }
    d / n
}

/// Runs of equal values (`same(i, i+1)`) over `0..n`, as `[start, end)`, without allocating.
fn runs<F: Fn(usize, usize) -> bool>(n: usize, same: F) -> impl Iterator<Item = (usize, usize)> {
    let mut s = 0;
    (1..=n)
        .filter(move |&i| i == n || !same(i - 1, i))
        .map(move |i| {
            let run = (s, i);
            s = i;
            run
        })
}

impl RankingState {
    /// The per-item contributions of one list (`items` sorted by position) into `b`, or an
    /// error for a rank given twice.
    fn score_list(&self, items: &[RankingItem], b: &mut ListScores) -> Result<()> {
        let (m, nk) = (items.len(), self.k.len());
        b.slots.clear();
        match self.by {
            RankBy::Rank => {
                if let Some(w) = items.windows(2).find(|w| w[0].position == w[1].position) {
                    return Err(Error::InvalidSample {
                        sample: "rank".into(),
                        reason: format!(
                            "rank {} appears twice in list `{}`; ranks may not repeat within a list (rank by --score to let ties share positions)",
                            w[0].position,
                            self.queries[w[0].query as usize]
                        ),
                    });
                }
                b.slots.extend(items.iter().map(|it| it.position));
            }
            RankBy::Score => b.slots.extend((1..=m).map(|j| j as f64)),
        }
        b.discount.resize(m, 0.0);
        b.discount_at.resize(m * nk, 0.0);
        b.top.resize(m * nk, 0.0);
        b.tie_at.resize(nk, 0.0);
        b.tie_top.resize(nk, 0.0);
        let by_score = self.by == RankBy::Score;
        for (s, e) in runs(m, |a, c| by_score && items[a].position == items[c].position) {
            let d = tie_share(&b.slots[s..e], &self.k, &mut b.tie_at, &mut b.tie_top);
            for i in s..e {
                b.discount[i] = d;
                b.discount_at[i * nk..(i + 1) * nk].copy_from_slice(&b.tie_at);
                b.top[i * nk..(i + 1) * nk].copy_from_slice(&b.tie_top);
            }
        }
        if !self.has_relevance {
            return Ok(());
        }
        // The ideal order: the same positions, items by relevance (highest first).
        b.ideal.resize(m, 0.0);
        b.ideal_at.resize(m * nk, 0.0);
        b.order.clear();
        b.order.extend(0..m);
        b.order
            .sort_by(|&x, &y| items[y].relevance.total_cmp(&items[x].relevance));
        let order = std::mem::take(&mut b.order);
        for (s, e) in runs(m, |x, y| {
            items[order[x]].relevance == items[order[y]].relevance
        }) {
            let d = tie_share(&b.slots[s..e], &self.k, &mut b.tie_at, &mut b.tie_top);
            for &i in &order[s..e] {
                b.ideal[i] = d;
                b.ideal_at[i * nk..(i + 1) * nk].copy_from_slice(&b.tie_at);
            }
        }
        b.order = order;
        Ok(())
    }

    /// The order of each list's value and of each cell's key (their ranks when sorted), so
    /// that items are ordered by numbers, not strings.
    fn orders(&self) -> (Vec<u32>, Vec<u32>) {
        let rank_of = |n: usize, cmp: &(dyn Fn(usize, usize) -> std::cmp::Ordering + Sync)| {
            let mut ids: Vec<usize> = (0..n).collect();
            ids.par_sort_unstable_by(|&a, &b| cmp(a, b));
            let mut rank = vec![0u32; n];
            for (r, &i) in ids.iter().enumerate() {
                rank[i] = r as u32;
            }
            rank
        };
        (
            rank_of(self.queries.len(), &|a, b| {
                self.queries[a].cmp(&self.queries[b])
            }),
            rank_of(self.keys.len(), &|a, b| self.keys[a].cmp(&self.keys[b])),
        )
    }

    /// The items grouped into lists in the lists' order (a counting sort on the list's rank,
    /// keeping arrival order within a list), and each list's range.
    fn grouped_items(&self, query_rank: &[u32]) -> (Vec<RankingItem>, Vec<(usize, usize)>) {
        let mut start = vec![0usize; self.queries.len() + 1];
        for it in &self.items {
            start[query_rank[it.query as usize] as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let lists: Vec<(usize, usize)> = start
            .windows(2)
            .filter(|w| w[1] > w[0])
            .map(|w| (w[0], w[1]))
            .collect();
        let mut next = start;
        let mut out = vec![
            RankingItem {
                query: 0,
                cell: 0,
                position: 0.0,
                relevance: 0.0
            };
            self.items.len()
        ];
        for it in &self.items {
            let r = query_rank[it.query as usize] as usize;
            out[next[r]] = *it;
            next[r] += 1;
        }
        (out, lists)
    }

    /// Sorts one list's items by position (rank ascending, score descending), then by cell and
    /// relevance, so that equal items are interchangeable and the result deterministic.
    fn sort_list(&self, items: &mut [RankingItem], cell_rank: &[u32]) {
        let by = self.by;
        items.sort_unstable_by(|a, b| {
            let p = match by {
                RankBy::Rank => a.position.total_cmp(&b.position),
                RankBy::Score => b.position.total_cmp(&a.position),
            };
            p.then(cell_rank[a.cell as usize].cmp(&cell_rank[b.cell as usize]))
                .then(a.relevance.total_cmp(&b.relevance))
        });
    }
}

/// Sums of one group over lists.
#[derive(Clone, Default)]
struct Acc {
    n: u64,
    lists: u64,
    discount: f64,
    relevance: f64,
    top: Vec<f64>,
    ndcg: f64,
    ndcg_lists: u64,
    ndcg_at: Vec<f64>,
    ndcg_at_lists: Vec<u64>,
}

impl Acc {
    fn new(nk: usize) -> Acc {
        Acc {
            top: vec![0.0; nk],
            ndcg_at: vec![0.0; nk],
            ndcg_at_lists: vec![0; nk],
            ..Acc::default()
        }
    }

    /// Zero sums for every group of every attribute set.
    fn zeroed(sets: &[SetGroups], nk: usize) -> Vec<Vec<Acc>> {
        sets.iter()
            .map(|s| vec![Acc::new(nk); s.keys.len()])
            .collect()
    }

    fn add(&mut self, o: &Acc) {
        self.n += o.n;
        self.lists += o.lists;
        self.discount += o.discount;
        self.relevance += o.relevance;
        self.ndcg += o.ndcg;
        self.ndcg_lists += o.ndcg_lists;
        for j in 0..self.top.len() {
            self.top[j] += o.top[j];
            self.ndcg_at[j] += o.ndcg_at[j];
            self.ndcg_at_lists[j] += o.ndcg_at_lists[j];
        }
    }
}

/// One list's sums of one group.
#[derive(Clone, Default)]
struct ListAcc {
    touched: bool,
    dcg: f64,
    ideal: f64,
    dcg_at: Vec<f64>,
    ideal_at: Vec<f64>,
}

/// One attribute set's groups and the group of each cell of the state.
struct SetGroups {
    name: String,
    attributes: Vec<String>,
    keys: Vec<GroupKey>,
    group_of_cell: Vec<usize>,
}

impl SetGroups {
    fn new(state: &RankingState, set: &[usize]) -> SetGroups {
        let marginal = |k: &GroupKey| -> GroupKey { set.iter().map(|&i| k[i].clone()).collect() };
        let mut keys: Vec<GroupKey> = state.keys.iter().map(marginal).collect();
        keys.sort();
        keys.dedup();
        let group_of_cell = state
            .keys
            .iter()
            .map(|k| keys.binary_search(&marginal(k)).unwrap_or_default())
            .collect();
        SetGroups {
            name: set
                .iter()
                .map(|&i| state.attributes[i].as_str())
                .collect::<Vec<_>>()
                .join("&"),
            attributes: set.iter().map(|&i| state.attributes[i].clone()).collect(),
            keys,
            group_of_cell,
        }
    }

    /// Adds one list (its items and their contributions) to `acc`, with `local` (one entry per
    /// group) and `touched` (the groups the list has, in order of first item) as scratch.
    fn add_list(
        &self,
        items: &[RankingItem],
        b: &ListScores,
        nk: usize,
        acc: &mut [Acc],
        (local, touched): (&mut [ListAcc], &mut Vec<usize>),
    ) {
        let relevance = !b.ideal.is_empty();
        for (i, it) in items.iter().enumerate() {
            let g = self.group_of_cell[it.cell as usize];
            let a = &mut acc[g];
            a.n += 1;
            a.discount += b.discount[i];
            a.relevance += it.relevance;
            for j in 0..nk {
                a.top[j] += b.top[i * nk + j];
            }
            let l = &mut local[g];
            if !l.touched {
                touched.push(g);
                l.touched = true;
                l.dcg = 0.0;
                l.ideal = 0.0;
                l.dcg_at.clear();
                l.dcg_at.resize(nk, 0.0);
                l.ideal_at.clear();
                l.ideal_at.resize(nk, 0.0);
            }
            if relevance {
                l.dcg += it.relevance * b.discount[i];
                l.ideal += it.relevance * b.ideal[i];
                for j in 0..nk {
                    l.dcg_at[j] += it.relevance * b.discount_at[i * nk + j];
                    l.ideal_at[j] += it.relevance * b.ideal_at[i * nk + j];
                }
            }
        }
        touched.sort_unstable();
        for &g in touched.iter() {
            let l = &mut local[g];
            l.touched = false;
            let a = &mut acc[g];
            a.lists += 1;
            if l.ideal > 0.0 {
                a.ndcg += l.dcg / l.ideal;
                a.ndcg_lists += 1;
            }
            for j in 0..nk {
                if l.ideal_at[j] > 0.0 {
                    a.ndcg_at[j] += l.dcg_at[j] / l.ideal_at[j];
                    a.ndcg_at_lists[j] += 1;
                }
            }
        }
        touched.clear();
    }
}

/// Lists per parallel chunk: fixed, so that sums are added in the same order whatever the
/// number of threads (the report's bytes do not depend on the machine).
const LISTS_PER_CHUNK: usize = 4096;

/// What one chunk of lists adds up to: per attribute set its groups' sums, the total discount
/// and the longest list.
struct ChunkSums {
    acc: Vec<Vec<Acc>>,
    total_discount: f64,
    longest: usize,
    /// The last position of any list (its length, or its largest rank).
    last_position: f64,
}

impl RankingState {
    /// Sums one chunk of lists (`lists`: ranges of the grouped `items`, each sorted here).
    fn sum_chunk(
        &self,
        items: &[RankingItem],
        lists: &[(usize, usize)],
        sets: &[SetGroups],
        cell_rank: &[u32],
    ) -> Result<ChunkSums> {
        let nk = self.k.len();
        let mut out = ChunkSums {
            acc: Acc::zeroed(sets, nk),
            total_discount: 0.0,
            longest: 0,
            last_position: 0.0,
        };
        let mut locals: Vec<(Vec<ListAcc>, Vec<usize>)> = sets
            .iter()
            .map(|s| (vec![ListAcc::default(); s.keys.len()], vec![]))
            .collect();
        let mut b = ListScores::default();
        let mut list: Vec<RankingItem> = vec![];
        for &(s, e) in lists {
            list.clear();
            list.extend_from_slice(&items[s..e]);
            self.sort_list(&mut list, cell_rank);
            self.score_list(&list, &mut b)?;
            out.total_discount += b.discount.iter().sum::<f64>();
            out.longest = out.longest.max(e - s);
            out.last_position = out
                .last_position
                .max(b.slots.last().copied().unwrap_or(0.0));
            for ((set, acc), local) in sets.iter().zip(&mut out.acc).zip(&mut locals) {
                set.add_list(&list, &b, nk, acc, (&mut local.0, &mut local.1));
            }
        }
        Ok(out)
    }
}

/// The metrics of one group from its sums (`total_discount`: every item's).
fn group_metrics(
    a: &Acc,
    k: &[u32],
    has_relevance: bool,
    total_discount: f64,
) -> (BTreeMap<String, f64>, BTreeMap<String, String>) {
    let n = a.n as f64;
    let mut m = BTreeMap::new();
    let mut undefined = BTreeMap::new();
    m.insert("exposure".to_string(), a.discount / n);
    m.insert("exposure_share".to_string(), a.discount / total_discount);
    for (j, k) in k.iter().enumerate() {
        m.insert(format!("selection_rate_at_{k}"), a.top[j] / n);
    }
    if !has_relevance {
        return (m, undefined);
    }
    m.insert("mean_relevance".to_string(), a.relevance / n);
    if a.relevance > 0.0 {
        m.insert(
            "exposure_relevance_ratio".to_string(),
            a.discount / a.relevance,
        );
    } else {
        undefined.insert(
            "exposure_relevance_ratio".to_string(),
            "every item of the group has relevance 0".to_string(),
        );
    }
    let no_list = "in no list does the group have an item with relevance above 0 (0/0)";
    if a.ndcg_lists > 0 {
        m.insert("ndcg".to_string(), a.ndcg / a.ndcg_lists as f64);
    } else {
        undefined.insert("ndcg".to_string(), no_list.to_string());
    }
    for (j, k) in k.iter().enumerate() {
        if a.ndcg_at_lists[j] > 0 {
            m.insert(
                format!("ndcg_at_{k}"),
                a.ndcg_at[j] / a.ndcg_at_lists[j] as f64,
            );
        } else {
            undefined.insert(
                format!("ndcg_at_{k}"),
                format!("in no list does the group have an item of relevance above 0 whose ideal place is in the top {k}"),
            );
        }
    }
    // A backstop: a value that is not finite (sums beyond f64) is reported undefined, not
    // written as JSON null.
    let infinite: Vec<String> = m
        .iter()
        .filter(|(_, v)| !v.is_finite())
        .map(|(k, _)| k.clone())
        .collect();
    for k in infinite {
        m.remove(&k);
        undefined.insert(k, "the sums overflow a 64-bit float".to_string());
    }
    (m, undefined)
}

/// The metrics compared between groups, in report order.
fn compared_metrics(k: &[u32], has_relevance: bool) -> Vec<String> {
    let mut out = vec!["exposure".to_string()];
    out.extend(k.iter().map(|k| format!("selection_rate_at_{k}")));
    if has_relevance {
        out.push("exposure_relevance_ratio".into());
        out.push("ndcg".into());
        out.extend(k.iter().map(|k| format!("ndcg_at_{k}")));
    }
    out
}

impl RankingState {
    /// Computes the report.
    pub fn finish(&self, opts: &FairnessOptions) -> Result<RankingReport> {
        self.check()?;
        let used = self.rows_used();
        if used == 0 {
            return Err(Error::NoData(format!(
                "{} rows read, {} with a null list, {} with a null rank or score, {} with a null relevance",
                self.rows_seen, self.excluded_null_query, self.excluded_null_position, self.excluded_null_relevance
            )));
        }
        if opts.bootstrap.is_some() {
            return Err(Error::InvalidArgument(
                "the bootstrap covers the binary, multiclass and regression tasks, not ranking (a list-level resample is not built yet)".into(),
            ));
        }
        if !opts.expected_shares.is_empty() {
            return Err(Error::InvalidArgument(
                "expected shares (representation) are checked by the binary and multiclass tasks, not ranking".into(),
            ));
        }
        let sets: Vec<SetGroups> = attribute_sets(self.attributes.len(), opts.intersect)
            .iter()
            .map(|set| SetGroups::new(self, set))
            .collect();
        // Every attribute's groups (the sets of one attribute), for the named reference.
        let groups: Vec<String> = sets
            .iter()
            .filter(|s| s.attributes.len() == 1)
            .flat_map(|s| s.keys.iter().map(group_name))
            .collect();
        check_named_reference(&self.attributes, &groups, opts)?;
        let (query_rank, cell_rank) = self.orders();
        let (items, lists) = self.grouped_items(&query_rank);
        // Every chunk's result first, then the first error in list order (not the first to
        // arrive), so that the same input names the same list.
        let chunks: Vec<Result<ChunkSums>> = lists
            .par_chunks(LISTS_PER_CHUNK)
            .map(|chunk| self.sum_chunk(&items, chunk, &sets, &cell_rank))
            .collect();
        let chunks: Vec<ChunkSums> = chunks.into_iter().collect::<Result<_>>()?;
        let mut acc = Acc::zeroed(&sets, self.k.len());
        let (mut total_discount, mut longest, mut last) = (0.0, 0, 0.0f64);
        for c in &chunks {
            total_discount += c.total_discount;
            longest = longest.max(c.longest);
            last = last.max(c.last_position);
            for (a, ca) in acc.iter_mut().zip(&c.acc) {
                for (x, y) in a.iter_mut().zip(ca) {
                    x.add(y);
                }
            }
        }
        let mut report = RankingReport {
            task: "ranking".into(),
            ranked_by: self.by,
            k: self.k.clone(),
            rows: RankingRows {
                seen: self.rows_seen,
                used,
                excluded_null_query: self.excluded_null_query,
                excluded_null_position: self.excluded_null_position,
                excluded_null_relevance: self.excluded_null_relevance,
            },
            lists: lists.len() as u64,
            longest_list: longest as u64,
            attributes: self.attributes.clone(),
            min_group_size: opts.min_group_size,
            groups: vec![],
            disparities: vec![],
            summary: BTreeMap::new(),
            warnings: vec![],
        };
        for &k in &self.k {
            if k as f64 >= last {
                report.warnings.push(format!(
                    "k = {k} reaches the last position of every list ({last}): every item is in the top {k}, so selection_rate_at_{k} is 1 for every group"
                ));
            }
        }
        for (set, acc) in sets.iter().zip(&acc) {
            self.push_set(set, acc, used, total_discount, opts, &mut report)?;
        }
        Ok(report)
    }

    /// One attribute set's groups, disparities and summary.
    fn push_set(
        &self,
        set: &SetGroups,
        acc: &[Acc],
        used: u64,
        total_discount: f64,
        opts: &FairnessOptions,
        report: &mut RankingReport,
    ) -> Result<()> {
        if set.keys.len() < 2 {
            return Err(Error::OneGroup {
                attribute: set.name.clone(),
                group: set.keys.first().map(group_name).unwrap_or_default(),
            });
        }
        let names: Vec<String> = set.keys.iter().map(group_name).collect();
        let eligible: Vec<bool> = acc.iter().map(|a| a.n >= opts.min_group_size).collect();
        let sizes: Vec<f64> = acc.iter().map(|a| a.n as f64).collect();
        let (reference, rule) =
            choose_reference(&set.name, &names, &sizes, &eligible, opts, "ranking")?;
        let metrics: Vec<(BTreeMap<String, f64>, BTreeMap<String, String>)> = acc
            .iter()
            .map(|a| group_metrics(a, &self.k, self.has_relevance, total_discount))
            .collect();
        for (i, a) in acc.iter().enumerate() {
            let levels = set.keys[i]
                .iter()
                .zip(&set.attributes)
                .map(|(v, attr)| (attr.clone(), v.clone().unwrap_or_else(|| NULL_GROUP.into())))
                .collect();
            report.groups.push(RankingGroup {
                attribute: set.name.clone(),
                group: names[i].clone(),
                levels,
                count: a.n,
                share: a.n as f64 / used as f64,
                lists: a.lists,
                insufficient_data: !eligible[i],
                reference: i == reference,
                metrics: metrics[i].0.clone(),
                ndcg_lists: self.has_relevance.then_some(a.ndcg_lists),
                undefined: metrics[i].1.clone(),
            });
        }
        let compared = compared_metrics(&self.k, self.has_relevance);
        for metric in &compared {
            let Some(&r) = metrics[reference].0.get(metric) else {
                continue;
            };
            for i in (0..names.len()).filter(|&i| i != reference) {
                if let Some(&v) = metrics[i].0.get(metric) {
                    report.disparities.push(RankingDisparity {
                        attribute: set.name.clone(),
                        metric: metric.clone(),
                        group: names[i].clone(),
                        reference: names[reference].clone(),
                        insufficient_data: !eligible[i],
                        value: v,
                        reference_value: r,
                        difference: v - r,
                        ratio: (r != 0.0).then(|| v / r),
                    });
                }
            }
        }
        let mut summary = RankingSummary {
            attribute: set.name.clone(),
            reference_group: names[reference].clone(),
            reference_rule: rule.to_string(),
            groups: names.len(),
            insufficient_groups: (0..names.len())
                .filter(|&i| !eligible[i])
                .map(|i| names[i].clone())
                .collect(),
            metrics: BTreeMap::new(),
            undefined: BTreeMap::new(),
        };
        for metric in &compared {
            let values: Vec<f64> = (0..names.len())
                .filter(|&i| eligible[i])
                .filter_map(|i| metrics[i].0.get(metric).copied())
                .collect();
            for (key, v) in [
                (
                    format!("{metric}_difference"),
                    difference(metric, &values, opts.min_group_size),
                ),
                (
                    format!("{metric}_ratio"),
                    ratio(metric, &values, opts.min_group_size),
                ),
            ] {
                match v {
                    Ok(x) => {
                        summary.metrics.insert(key, Some(x));
                    }
                    Err(e) => {
                        summary.metrics.insert(key.clone(), None);
                        summary.undefined.insert(key, e);
                    }
                }
            }
        }
        report.summary.insert(set.name.clone(), summary);
        Ok(())
    }
}
