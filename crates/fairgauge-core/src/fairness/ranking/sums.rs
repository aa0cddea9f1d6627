//! The sums a ranking report is made of: what each item of a list contributes (its discount,
//! top-k shares and ideal discount), each group's sums over lists, and a group's metrics from
//! its sums. Shared by the report and its bootstrap, which adds the same sums list by list with
//! each list's resampling weight.
//!
//! With sample weights every sum is weighted: an item of weight `w` adds `w` to the group's
//! weight, `w·v` to its discount, `w·r` to its relevance, `w` times its share of each top k,
//! and `w·r·v` (`w·r·v*` in the ideal order) to its list's DCG (ideal DCG). Every weight 1 gives
//! the unweighted sums to the last bit (a product by 1 is exact).

use std::collections::BTreeMap;

use super::state::{ListItem, RankingState};
use crate::fairness::state::GroupKey;

/// What each item of one list contributes, in the list's sorted order (reused from list to
/// list): `nk` values per item for each cut-off.
#[derive(Default)]
pub(super) struct ListScores {
    /// The discount of each item (ties averaged).
    pub(super) discount: Vec<f64>,
    /// The discount counted up to each k (0 past the cut-off).
    pub(super) discount_at: Vec<f64>,
    /// The share of the item's positions within each k.
    pub(super) top: Vec<f64>,
    /// The ideal discount of each item (with relevance), and up to each k.
    pub(super) ideal: Vec<f64>,
    pub(super) ideal_at: Vec<f64>,
    /// Scratch: the positions, the ideal order, one tie's values.
    pub(super) slots: Vec<f64>,
    pub(super) order: Vec<usize>,
    pub(super) tie_at: Vec<f64>,
    pub(super) tie_top: Vec<f64>,
}

/// Sums of one group over lists (weighted with sample weights; see the module).
#[derive(Clone, Default)]
pub(super) struct Acc {
    /// Items.
    pub(super) n: u64,
    /// Lists with an item of the group.
    pub(super) lists: u64,
    /// `Σw` (the item count without sample weights).
    pub(super) weight: f64,
    /// `Σw²`.
    pub(super) weight_sq: f64,
    /// `Σw·v`.
    pub(super) discount: f64,
    /// `Σw·r`.
    pub(super) relevance: f64,
    /// `Σw·top_k` per cut-off.
    pub(super) top: Vec<f64>,
    /// Sum of the lists' NDCG, and the lists counted.
    pub(super) ndcg: f64,
    pub(super) ndcg_lists: u64,
    pub(super) ndcg_at: Vec<f64>,
    pub(super) ndcg_at_lists: Vec<u64>,
}

impl Acc {
    pub(super) fn new(nk: usize) -> Acc {
        Acc {
            top: vec![0.0; nk],
            ndcg_at: vec![0.0; nk],
            ndcg_at_lists: vec![0; nk],
            ..Acc::default()
        }
    }

    /// Zero sums for every group of every attribute set.
    pub(super) fn zeroed(sets: &[SetGroups], nk: usize) -> Vec<Vec<Acc>> {
        sets.iter()
            .map(|s| vec![Acc::new(nk); s.keys.len()])
            .collect()
    }

    pub(super) fn add(&mut self, o: &Acc) {
        self.n += o.n;
        self.lists += o.lists;
        self.weight += o.weight;
        self.weight_sq += o.weight_sq;
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

/// One list's sums of one group: its (ideal) DCG for NDCG and, for the bootstrap, the list's
/// share of the group's linear sums.
#[derive(Clone, Default)]
pub(super) struct ListAcc {
    touched: bool,
    dcg: f64,
    ideal: f64,
    dcg_at: Vec<f64>,
    ideal_at: Vec<f64>,
    /// `Σw`, `Σw·v`, `Σw·r` and `Σw·top_k` of the list's items of the group (bootstrap only).
    weight: f64,
    discount: f64,
    relevance: f64,
    top: Vec<f64>,
}

/// Stats per group in a bootstrap entry, for `nk` cut-offs.
pub(super) fn entry_len(nk: usize) -> usize {
    5 + 3 * nk
}

/// One attribute set's groups and the group of each cell of the state.
pub(super) struct SetGroups {
    pub(super) name: String,
    pub(super) attributes: Vec<String>,
    pub(super) keys: Vec<GroupKey>,
    pub(super) group_of_cell: Vec<usize>,
}

impl SetGroups {
    pub(super) fn new(state: &RankingState, set: &[usize]) -> SetGroups {
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
    /// group) and `touched` (the groups the list has, in order of first item) as scratch. With
    /// `entries`, what the list adds to each touched group is appended for the bootstrap: the
    /// group to `entries.0` and its [`entry_len`] stats to `entries.1`, `[Σw, Σw·v, Σw·r,
    /// Σw·top_k…, NDCG, counted, NDCG@k…, counted@k…]`, where NDCG is the list's (0 when its
    /// ideal is 0) and `counted` 1 when the list counts towards the group's mean NDCG.
    pub(super) fn add_list(
        &self,
        items: &[ListItem],
        b: &ListScores,
        nk: usize,
        acc: &mut [Acc],
        (local, touched): (&mut [ListAcc], &mut Vec<usize>),
        mut entries: Option<&mut (Vec<usize>, Vec<f64>)>,
    ) {
        let relevance = !b.ideal.is_empty();
        let boot = entries.is_some();
        for (i, it) in items.iter().enumerate() {
            let g = self.group_of_cell[it.cell as usize];
            let w = it.weight;
            let a = &mut acc[g];
            a.n += 1;
            a.weight += w;
            a.weight_sq += w * w;
            a.discount += w * b.discount[i];
            a.relevance += w * it.relevance;
            for j in 0..nk {
                a.top[j] += w * b.top[i * nk + j];
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
                if boot {
                    (l.weight, l.discount, l.relevance) = (0.0, 0.0, 0.0);
                    l.top.clear();
                    l.top.resize(nk, 0.0);
                }
            }
            if boot {
                l.weight += w;
                l.discount += w * b.discount[i];
                l.relevance += w * it.relevance;
                for j in 0..nk {
                    l.top[j] += w * b.top[i * nk + j];
                }
            }
            if relevance {
                let wr = w * it.relevance;
                l.dcg += wr * b.discount[i];
                l.ideal += wr * b.ideal[i];
                for j in 0..nk {
                    l.dcg_at[j] += wr * b.discount_at[i * nk + j];
                    l.ideal_at[j] += wr * b.ideal_at[i * nk + j];
                }
            }
        }
        touched.sort_unstable();
        for &g in touched.iter() {
            let l = &mut local[g];
            l.touched = false;
            let a = &mut acc[g];
            a.lists += 1;
            let ndcg = (l.ideal > 0.0).then(|| l.dcg / l.ideal);
            if let Some(x) = ndcg {
                a.ndcg += x;
                a.ndcg_lists += 1;
            }
            for j in 0..nk {
                if l.ideal_at[j] > 0.0 {
                    a.ndcg_at[j] += l.dcg_at[j] / l.ideal_at[j];
                    a.ndcg_at_lists[j] += 1;
                }
            }
            if let Some((groups, stats)) = entries.as_deref_mut() {
                groups.push(g);
                stats.extend([l.weight, l.discount, l.relevance]);
                stats.extend_from_slice(&l.top);
                stats.extend([ndcg.unwrap_or(0.0), f64::from(u8::from(ndcg.is_some()))]);
                for j in 0..nk {
                    let at = (l.ideal_at[j] > 0.0).then(|| l.dcg_at[j] / l.ideal_at[j]);
                    stats.push(at.unwrap_or(0.0));
                }
                for j in 0..nk {
                    stats.push(f64::from(u8::from(l.ideal_at[j] > 0.0)));
                }
            }
        }
        touched.clear();
    }
}

/// The metrics of one group from its sums (`total_discount`: every item's, weighted).
pub(super) fn group_metrics(
    a: &Acc,
    k: &[u32],
    has_relevance: bool,
    total_discount: f64,
) -> (BTreeMap<String, f64>, BTreeMap<String, String>) {
    let n = a.weight;
    let mut m = BTreeMap::new();
    let mut undefined = BTreeMap::new();
    if n == 0.0 {
        undefined.insert(
            "metrics".to_string(),
            "every sample weight of the group is 0".to_string(),
        );
        return (m, undefined);
    }
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
