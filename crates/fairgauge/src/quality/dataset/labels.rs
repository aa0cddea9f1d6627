//! The label: its balance (the rarest label's share) and conflicting labels (rows equal in every
//! feature with different labels).

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::hashes::{group_examples, spill_groups};
use super::scope::Scope;
use crate::error::Result;
use crate::io::spill::SpillReader;
use crate::present::share_percent;
use crate::quality::aggregate::{Agg, GroupAgg};
use crate::quality::read::NULL_GROUP;
use crate::quality::report::{
    Check, Conflicts, Example, LabelBalance, RowGroup, Status, Threshold,
};
use crate::quality::score::{above, judge_above, share};

/// Conflicting labels: (rows, groups, largest groups, example rows with their labels).
type Conflicted = (u64, u64, Vec<RowGroup>, Vec<Example>);

/// The label's balance and conflicting labels, with their checks (pushed to `checks`); `None`
/// without a label.
pub(crate) fn label_checks(
    t: &Scope<'_>,
    agg: &Agg,
    checks: &mut Vec<Check>,
) -> Result<(Option<LabelBalance>, Option<Conflicts>)> {
    let (Some(l), Some(li)) = (&agg.label, t.ctx.label) else {
        return Ok((None, None));
    };
    let name = t.ctx.cols[li].name.clone();
    let counts = label_counts(t, agg, l);
    let labelled: u64 = counts.values().sum();
    let min = counts.values().min().copied();
    let max = counts.values().max().copied();
    let minority_share = min.and_then(|m| share(m, labelled));
    let imbalance_ratio = match (min, max) {
        (Some(a), Some(b)) if a > 0 => Some(b as f64 / a as f64),
        _ => None,
    };
    checks.push(balance_check(
        t,
        &name,
        &counts,
        labelled,
        min,
        minority_share,
        imbalance_ratio,
    ));
    // Conflicts: same features, different labels.
    let (conflict_rows, ng, ex, ex_rows) = match t.spill(|b| b.feats.as_ref()) {
        Some(f) => spill_conflicts(f, l, t.examples)?,
        None => exact_conflicts(&agg.feat_hashes, l, t.examples),
    };
    let s = share(conflict_rows, labelled);
    let v = s.unwrap_or(0.0);
    let th = t.thresholds().conflicting_labels;
    checks.push(Check {
        column: Some(name.clone()),
        status: judge_above(v, th),
        value: Some(v),
        threshold: above(th),
        count: Some(conflict_rows),
        message: if ng == 0 {
            "no two rows with the same features have different labels".into()
        } else {
            format!(
                "{conflict_rows} rows ({}) in {ng} groups share every feature but disagree on `{name}`",
                share_percent(v)
            )
        },
        examples: ex_rows,
        ..Check::of_dataset("conflicting_labels")
    });
    Ok((
        Some(LabelBalance {
            column: name,
            counts,
            minority_share,
            imbalance_ratio,
        }),
        Some(Conflicts {
            groups: ng,
            rows: conflict_rows,
            share: s,
            examples: ex,
        }),
    ))
}

/// Rows per label value (non-empty rows with a label), values with no row left out.
fn label_counts(t: &Scope<'_>, agg: &Agg, l: &GroupAgg) -> BTreeMap<String, u64> {
    let mut per = vec![0u64; l.keys.len()];
    match &t.bounded {
        Some(b) => {
            for (p, c) in per.iter_mut().zip(&b.label_counts) {
                *p = *c;
            }
        }
        None => {
            for (r, &g) in l.codes.iter().enumerate() {
                if g != NULL_GROUP && agg.row_hashes[r] != 0 {
                    per[g as usize] += 1;
                }
            }
        }
    }
    let mut counts = BTreeMap::new();
    for (k, c) in l.keys.iter().zip(&per) {
        if *c > 0 {
            counts.insert(k.clone(), *c);
        }
    }
    counts
}

/// The rarest label's share, judged below the thresholds; a label with one value fails.
fn balance_check(
    t: &Scope<'_>,
    name: &str,
    counts: &BTreeMap<String, u64>,
    labelled: u64,
    min: Option<u64>,
    minority_share: Option<f64>,
    imbalance_ratio: Option<f64>,
) -> Check {
    let base = Check {
        column: Some(name.to_string()),
        ..Check::of_dataset("label_balance")
    };
    if counts.len() < 2 {
        return Check {
            status: Status::Fail,
            count: Some(labelled),
            message: format!(
                "the label `{name}` has {} distinct value(s); a classifier needs at least two",
                counts.len()
            ),
            ..base
        };
    }
    let m = minority_share.unwrap_or(0.0);
    let (w, f) = t.thresholds().label_minority;
    let status = if m < f {
        Status::Fail
    } else if m < w {
        Status::Warn
    } else {
        Status::Pass
    };
    Check {
        status,
        value: Some(m),
        threshold: Some(Threshold::below(w, f)),
        count: min,
        message: format!(
            "the rarest label of `{name}` is {} of labelled rows ({} label values; largest over smallest {:.2})",
            share_percent(m),
            counts.len(),
            imbalance_ratio.unwrap_or(f64::NAN)
        ),
        ..base
    }
}

/// Conflicting labels from the bounded mode's spill of feature hashes tagged with label codes.
fn spill_conflicts(f: &SpillReader, l: &GroupAgg, examples: usize) -> Result<Conflicted> {
    let (rows, ng, gs) = spill_groups(f, examples, |g| {
        let mut tags = g.iter().map(|r| r.tag).filter(|&t| t != NULL_GROUP);
        let Some(first) = tags.next() else {
            return (0, 0);
        };
        let mut labelled = 1u64;
        let mut differ = false;
        for t in tags {
            labelled += 1;
            differ |= t != first;
        }
        if differ {
            (labelled, labelled)
        } else {
            (0, 0)
        }
    })?;
    let ex_rows: Vec<Example> = gs
        .iter()
        .flat_map(|g| {
            g.rows.iter().map(|&(r, t)| Example {
                row: r,
                value: (t != NULL_GROUP).then(|| l.keys[t as usize].clone()),
            })
        })
        .take(examples * 2)
        .collect();
    let ex: Vec<RowGroup> = gs
        .into_iter()
        .map(|g| RowGroup {
            count: g.count,
            rows: g.rows.into_iter().map(|r| r.0).collect(),
        })
        .collect();
    Ok((rows, ng, ex, ex_rows))
}

/// Conflicting labels from the in-memory feature hashes and label codes: (rows, groups,
/// largest groups, example rows with their labels).
pub(crate) fn exact_conflicts(feat_hashes: &[u128], l: &GroupAgg, examples: usize) -> Conflicted {
    let mut pairs: Vec<(u128, u16)> = feat_hashes
        .iter()
        .zip(&l.codes)
        .filter(|(&h, &g)| h != 0 && g != NULL_GROUP)
        .map(|(&h, &g)| (h, g))
        .collect();
    pairs.par_sort_unstable();
    let mut conflict_groups: Vec<(u64, u128)> = vec![];
    let mut conflict_rows = 0u64;
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i + 1;
        while j < pairs.len() && pairs[j].0 == pairs[i].0 {
            j += 1;
        }
        if pairs[j - 1].1 != pairs[i].1 {
            conflict_rows += (j - i) as u64;
            conflict_groups.push(((j - i) as u64, pairs[i].0));
        }
        i = j;
    }
    let ng = conflict_groups.len() as u64;
    let ex = group_examples(feat_hashes, conflict_groups, examples);
    let ex_rows = ex
        .iter()
        .flat_map(|g| {
            g.rows.iter().map(|&r| Example {
                row: r,
                value: l
                    .codes
                    .get(r as usize - 1)
                    .filter(|&&c| c != NULL_GROUP)
                    .map(|&c| l.keys[c as usize].clone()),
            })
        })
        .take(examples * 2)
        .collect();
    (conflict_rows, ng, ex, ex_rows)
}
