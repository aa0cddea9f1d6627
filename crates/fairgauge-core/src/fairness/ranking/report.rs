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
//!   groups);
//! - with sample weights (`--weight`), every sum above is weighted ([`super::sums`]): `share`
//!   is the group's share of the weight, `exposure` `Σ w·v / Σ w`, `exposure_share`
//!   `Σ_group w·v / Σ_all w·v`, the top-k rates and `mean_relevance` weighted means, and each
//!   list's NDCG the ratio of its weighted DCG to its weighted ideal DCG (the mean over lists
//!   stays unweighted: the list is the unit, and weights 1 give the unweighted report to the
//!   last bit); each group's `weighted` gives its total weight and Kish's effective size, and
//!   the reference group is the one with the most weight;
//! - no per-group intervals (items of one list are not independent draws); `--bootstrap`
//!   gives percentile intervals of the summaries by resampling whole lists
//!   ([`super::bootstrap`]).

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bootstrap::{Plan, Replicates};
use super::state::{ListItem, RankBy, RankingState};
use super::sums::{group_metrics, Acc, ListAcc, ListScores, SetGroups};
use crate::error::{Error, Result};
use crate::fairness::bootstrap::{Bootstrap, BootstrapInterval};
use crate::fairness::reference::{check_named_reference, choose_reference};
use crate::fairness::report::{attribute_sets, group_name, FairnessOptions, WeightsUsed};
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
    /// With sample weights: the group's total weight and Kish's effective size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted: Option<WeightsUsed>,
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
    /// Percentile bootstrap intervals of the summaries (lists resampled), when asked for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub intervals: BTreeMap<String, BootstrapInterval>,
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
    /// The bootstrap behind the summaries' `intervals`, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<Bootstrap>,
    /// The intervals' confidence level (with the bootstrap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// With sample weights: their total and effective size over the items counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<WeightsUsed>,
}

/// The discount of 1-based position `p`, `1 / log₂(1 + p)`.
pub fn position_discount(p: f64) -> f64 {
    1.0 / (1.0 + p).log2()
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
    fn score_list(&self, items: &[ListItem], b: &mut ListScores) -> Result<()> {
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

    /// The items' indices grouped into lists in the lists' order (a counting sort on the list's
    /// rank, keeping arrival order within a list), and each list's range. (Indices, not a copy
    /// of the items: 8 bytes an item instead of 24, or 32 with its weight.)
    fn grouped_items(&self, query_rank: &[u32]) -> (Vec<usize>, Vec<(usize, usize)>) {
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
        let mut out = vec![0usize; self.items.len()];
        for (i, it) in self.items.iter().enumerate() {
            let r = query_rank[it.query as usize] as usize;
            out[next[r]] = i;
            next[r] += 1;
        }
        (out, lists)
    }

    /// Sorts one list's items by position (rank ascending, score descending), then by cell and
    /// relevance, so that equal items are interchangeable and the result deterministic.
    fn sort_list(&self, items: &mut [ListItem], cell_rank: &[u32]) {
        let by = self.by;
        items.sort_unstable_by(|a, b| {
            let p = match by {
                RankBy::Rank => a.position.total_cmp(&b.position),
                RankBy::Score => b.position.total_cmp(&a.position),
            };
            p.then(cell_rank[a.cell as usize].cmp(&cell_rank[b.cell as usize]))
                .then(a.relevance.total_cmp(&b.relevance))
                .then(a.weight.total_cmp(&b.weight))
        });
    }
}

/// Lists per parallel chunk: fixed, so that sums are added in the same order whatever the
/// number of threads (the report's bytes do not depend on the machine).
const LISTS_PER_CHUNK: usize = 4096;

/// What one chunk of lists adds up to: per attribute set its groups' sums, the total discount
/// and the longest list.
struct ChunkSums {
    acc: Vec<Vec<Acc>>,
    /// The bootstrap's sums of the chunk, when asked for.
    boot: Option<Replicates>,
    total_discount: f64,
    longest: usize,
    /// The last position of any list (its length, or its largest rank).
    last_position: f64,
}

impl RankingState {
    /// Sums one chunk of lists (`lists`: ranges of the grouped `order`, the items' indices; each
    /// list sorted here).
    fn sum_chunk(
        &self,
        order: &[usize],
        lists: &[(usize, usize)],
        sets: &[SetGroups],
        cell_rank: &[u32],
        plan: Option<&Plan>,
    ) -> Result<ChunkSums> {
        let nk = self.k.len();
        let mut out = ChunkSums {
            acc: Acc::zeroed(sets, nk),
            boot: plan.map(Plan::zeroed),
            total_discount: 0.0,
            longest: 0,
            last_position: 0.0,
        };
        let mut locals: Vec<(Vec<ListAcc>, Vec<usize>)> = sets
            .iter()
            .map(|s| (vec![ListAcc::default(); s.keys.len()], vec![]))
            .collect();
        let mut b = ListScores::default();
        let mut list: Vec<ListItem> = vec![];
        // The bootstrap's scratch: what the list adds to each set's groups, its weights.
        let mut entries: Vec<(Vec<usize>, Vec<f64>)> = vec![Default::default(); sets.len()];
        let (mut draws, mut weights) = (vec![], vec![]);
        for &(s, e) in lists {
            list.clear();
            list.extend(order[s..e].iter().map(|&i| self.list_item(i)));
            self.sort_list(&mut list, cell_rank);
            self.score_list(&list, &mut b)?;
            let discount: f64 = list
                .iter()
                .zip(&b.discount)
                .map(|(it, d)| it.weight * d)
                .sum();
            out.total_discount += discount;
            out.longest = out.longest.max(e - s);
            out.last_position = out
                .last_position
                .max(b.slots.last().copied().unwrap_or(0.0));
            for (((set, acc), local), entry) in sets
                .iter()
                .zip(&mut out.acc)
                .zip(&mut locals)
                .zip(&mut entries)
            {
                entry.0.clear();
                entry.1.clear();
                let entry = plan.is_some().then_some(entry);
                set.add_list(&list, &b, nk, acc, (&mut local.0, &mut local.1), entry);
            }
            if let (Some(plan), Some(boot)) = (plan, out.boot.as_mut()) {
                plan.list_weights(
                    &self.queries[list[0].query as usize],
                    &mut draws,
                    &mut weights,
                );
                boot.add_list(plan, discount, &entries, &weights);
            }
        }
        Ok(out)
    }
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
        if let Some(b) = &opts.bootstrap {
            b.check()?;
            crate::stats::z_critical(opts.confidence)?;
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
        let (order, lists) = self.grouped_items(&query_rank);
        // Every chunk's result first, then the first error in list order (not the first to
        // arrive), so that the same input names the same list.
        let plan = opts
            .bootstrap
            .as_ref()
            .map(|b| Plan::new(&sets, self.k.len(), b));
        let chunks: Vec<Result<ChunkSums>> = lists
            .par_chunks(LISTS_PER_CHUNK)
            .map(|chunk| self.sum_chunk(&order, chunk, &sets, &cell_rank, plan.as_ref()))
            .collect();
        let chunks: Vec<ChunkSums> = chunks.into_iter().collect::<Result<_>>()?;
        let mut acc = Acc::zeroed(&sets, self.k.len());
        let (mut total_discount, mut longest, mut last) = (0.0, 0, 0.0f64);
        let mut boot = plan.as_ref().map(Plan::zeroed);
        for c in &chunks {
            if let (Some(b), Some(cb)) = (boot.as_mut(), &c.boot) {
                b.add(cb);
            }
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
            bootstrap: opts.bootstrap,
            confidence: opts.bootstrap.map(|_| opts.confidence),
            weights: None,
        };
        if self.has_weights {
            let (w, w2) = acc[0]
                .iter()
                .fold((0.0, 0.0), |(w, w2), a| (w + a.weight, w2 + a.weight_sq));
            if w == 0.0 {
                return Err(Error::NoData(format!(
                    "every sample weight of the {used} items counted is 0: there is nothing to weigh"
                )));
            }
            report.weights = Some(WeightsUsed {
                total: w,
                effective_n: w * w / w2,
            });
        }
        let boot = plan.as_ref().zip(boot.as_ref());
        for &k in &self.k {
            if k as f64 >= last {
                report.warnings.push(format!(
                    "k = {k} reaches the last position of every list ({last}): every item is in the top {k}, so selection_rate_at_{k} is 1 for every group"
                ));
            }
        }
        let total_weight = report.weights.map_or(used as f64, |w| w.total);
        for (i, (set, acc)) in sets.iter().zip(&acc).enumerate() {
            let boot = boot.map(|(plan, reps)| (plan, reps, i));
            self.push_set(
                set,
                acc,
                (total_weight, total_discount),
                boot,
                opts,
                &mut report,
            )?;
        }
        Ok(report)
    }

    /// One attribute set's groups, disparities and summary (`totals`: every item's weight and
    /// weighted discount); with `boot` (the bootstrap's plan and sums, and the set's index), the
    /// summary's intervals.
    fn push_set(
        &self,
        set: &SetGroups,
        acc: &[Acc],
        (used, total_discount): (f64, f64),
        boot: Option<(&Plan, &Replicates, usize)>,
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
        let eligible = summary_eligible(acc, opts);
        let sizes: Vec<f64> = acc.iter().map(|a| a.weight).collect();
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
                share: a.weight / used,
                lists: a.lists,
                insufficient_data: !eligible[i],
                reference: i == reference,
                metrics: metrics[i].0.clone(),
                ndcg_lists: self.has_relevance.then_some(a.ndcg_lists),
                weighted: self.has_weights.then(|| WeightsUsed {
                    total: a.weight,
                    effective_n: if a.weight_sq > 0.0 {
                        a.weight * a.weight / a.weight_sq
                    } else {
                        0.0
                    },
                }),
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
            intervals: BTreeMap::new(),
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
        if let Some((plan, reps, index)) = boot {
            summary.intervals = reps.intervals(
                plan,
                index,
                &eligible,
                &compared,
                (&self.k, self.has_relevance),
                opts.min_group_size,
                opts.confidence,
            );
        }
        report.summary.insert(set.name.clone(), summary);
        Ok(())
    }
}

/// Which groups of a set the summaries range over: at least `min_group_size` items, and some
/// weight.
fn summary_eligible(acc: &[Acc], opts: &FairnessOptions) -> Vec<bool> {
    acc.iter()
        .map(|a| a.n >= opts.min_group_size && a.weight > 0.0)
        .collect()
}
