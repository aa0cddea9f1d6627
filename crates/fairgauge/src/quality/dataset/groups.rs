//! The columns by sensitive group: the per-group tables (rows and missing values per group;
//! a text column's values by group), suspected placeholders counted as missing in them, and
//! missingness by group (the spread of the missing share across groups, judged when Pearson's
//! chi-square test of independence gives p < 0.05).

use std::collections::BTreeMap;

use fairgauge_core::quality::association::Contingency;
use fairgauge_core::stats::hypothesis::chi_square_independence;

use super::scope::Scope;
use crate::present::{p_value_short, share_percent};
use crate::quality::aggregate::{agg_by_group, Agg};
use crate::quality::read::{GroupNum, NULL_GROUP};
use crate::quality::report::{Check, GroupMissingness, Status};
use crate::quality::score::{above, judge_above};
use crate::quality::spec::{MIN_GROUP_ROWS, NUMERIC_SENTINELS};

/// What the group checks read of each finished column.
pub(crate) struct ColumnData {
    /// Row-order numbers (exact mode).
    pub(crate) numbers: Vec<Option<Vec<f64>>>,
    /// Decile edges of the numbers.
    pub(crate) edges: Vec<Vec<f64>>,
    /// Suspected placeholders: (text values, numbers).
    pub(crate) suspected: Vec<(Vec<String>, Vec<f64>)>,
    /// Bounded mode: per attribute and group, the numbers' moments and sentinel counts.
    pub(crate) sketched: Vec<Option<Vec<Vec<GroupNum>>>>,
}

/// The tables by group, taken before the columns' aggregates are finished.
pub(crate) struct GroupTables {
    /// [attribute][column] → per group (rows, missing).
    pub(crate) by_group: Vec<Vec<Vec<(u64, u64)>>>,
    /// [column][attribute] → a text column's values × the attribute's groups.
    pub(crate) contingencies: Vec<Vec<Option<Contingency>>>,
    /// [column] → the values of a text column that has a contingency table.
    keys: Vec<Option<Vec<String>>>,
}

impl GroupTables {
    /// The tables of every column and attribute.
    pub(crate) fn new(t: &Scope<'_>, agg: &Agg) -> GroupTables {
        let attrs = t.ctx.sens.len();
        GroupTables {
            by_group: (0..attrs).map(|a| agg_by_group(agg, a)).collect(),
            contingencies: (0..t.ctx.cols.len())
                .map(|ci| {
                    (0..attrs)
                        .map(|a| agg.cols_text_contingency(ci, a))
                        .collect()
                })
                .collect(),
            keys: agg
                .cols
                .iter()
                .map(|c| {
                    c.text
                        .as_ref()
                        .filter(|ta| ta.contingency.iter().any(Option::is_some))
                        .map(|ta| ta.keys.clone())
                })
                .collect(),
        }
    }

    /// Suspected placeholders are missing values in the group comparisons too, and not
    /// categories of a proxy: moves their counts from the values to the missing.
    pub(crate) fn count_suspected_as_missing(&mut self, agg: &Agg, cols: &ColumnData) {
        for (ci, (texts, nums)) in cols.suspected.iter().enumerate() {
            for a in 0..self.by_group.len() {
                let bg = &mut self.by_group[a][ci];
                if let (Some(keys), Some(t)) = (&self.keys[ci], &mut self.contingencies[ci][a]) {
                    for v in texts {
                        if let Some(k) = keys.iter().position(|x| x == v) {
                            for g in 0..t.cols {
                                let c = std::mem::take(&mut t.counts[k * t.cols + g]);
                                if let Some(e) = bg.get_mut(g) {
                                    e.1 += c;
                                }
                            }
                        }
                    }
                }
                if nums.is_empty() {
                    continue;
                }
                if let Some(vals) = &cols.numbers[ci] {
                    for (x, &g) in vals.iter().zip(&agg.groups[a].codes) {
                        if g != NULL_GROUP && nums.contains(x) {
                            if let Some(e) = bg.get_mut(g as usize) {
                                e.1 += 1;
                            }
                        }
                    }
                }
                if let Some(gs) = &cols.sketched[ci] {
                    for (g, gn) in gs[a].iter().enumerate() {
                        for (k, c) in gn.watched.iter().enumerate() {
                            if nums.contains(&NUMERIC_SENTINELS[k]) {
                                if let Some(e) = bg.get_mut(g) {
                                    e.1 += c;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Missingness by the groups of attribute `a` (column `si`): each column's missing share per
/// group (groups under [`MIN_GROUP_ROWS`] rows left out), and one check for the worst column.
pub(crate) fn missingness_by_group(
    t: &Scope<'_>,
    agg: &Agg,
    tables: &GroupTables,
    a: usize,
    si: usize,
) -> (Vec<GroupMissingness>, Check) {
    let th = t.thresholds().missing_by_group;
    let attr = t.ctx.cols[si].name.clone();
    let keys = &agg.groups[a].keys;
    let mut worst = Status::Pass;
    let mut worst_msg = String::new();
    let mut worst_value = 0.0;
    let mut out = vec![];
    for (ci, bg) in tables.by_group[a].iter().enumerate() {
        if ci == si {
            continue;
        }
        let Some(m) = column_missingness(bg, keys, &attr, &t.ctx.cols[ci].name) else {
            continue;
        };
        let status = if m.p_value.is_some_and(|p| p < 0.05) {
            judge_above(m.spread, th)
        } else {
            Status::Pass
        };
        if status > worst || (status == worst && m.spread > worst_value) {
            worst = status;
            worst_value = m.spread;
            worst_msg = describe(&m);
        }
        out.push(m);
    }
    let check = Check {
        id: format!("dataset.missingness_by_group.{attr}"),
        attribute: Some(attr.clone()),
        status: worst,
        value: Some(worst_value),
        threshold: above(th),
        message: if worst_msg.is_empty() {
            format!("no column's missing share differs across the groups of `{attr}`")
        } else {
            worst_msg
        },
        ..Check::of_dataset("missingness_by_group")
    };
    (out, check)
}

/// One column's missing share per group, with the spread and the chi-square test; `None` with
/// fewer than two groups large enough, or nothing missing in them.
fn column_missingness(
    bg: &[(u64, u64)],
    keys: &[String],
    attr: &str,
    column: &str,
) -> Option<GroupMissingness> {
    let eligible: Vec<(usize, (u64, u64))> = bg
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, (r, _))| *r >= MIN_GROUP_ROWS)
        .collect();
    if eligible.len() < 2 || eligible.iter().all(|(_, (_, m))| *m == 0) {
        return None;
    }
    let shares: BTreeMap<String, f64> = eligible
        .iter()
        .map(|(gi, (r, m))| (keys[*gi].clone(), *m as f64 / *r as f64))
        .collect();
    let hi = shares.values().cloned().fold(f64::MIN, f64::max);
    let lo = shares.values().cloned().fold(f64::MAX, f64::min);
    let test = chi_square_independence(
        &eligible
            .iter()
            .map(|(_, (r, m))| (*m, *r))
            .collect::<Vec<_>>(),
    );
    Some(GroupMissingness {
        attribute: attr.to_string(),
        column: column.to_string(),
        shares,
        spread: hi - lo,
        p_value: test.map(|t| t.p_value),
    })
}

/// The sentence for the worst column: its highest and lowest groups.
fn describe(m: &GroupMissingness) -> String {
    let (gmax, hi) = m.shares.iter().fold(("", f64::MIN), |acc, (k, v)| {
        if *v > acc.1 {
            (k.as_str(), *v)
        } else {
            acc
        }
    });
    let (gmin, lo) = m.shares.iter().fold(("", f64::MAX), |acc, (k, v)| {
        if *v < acc.1 {
            (k.as_str(), *v)
        } else {
            acc
        }
    });
    format!(
        "`{}` is missing in {} of `{}` = {gmax} rows but {} of {gmin} rows (p = {})",
        m.column,
        share_percent(hi),
        m.attribute,
        share_percent(lo),
        m.p_value.map(p_value_short).unwrap_or_else(|| "n/a".into())
    )
}
