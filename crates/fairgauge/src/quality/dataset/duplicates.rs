//! Duplicate rows (equal in every column) and duplicate keys (equal in the key columns).

use super::hashes::{duplicate_groups, spill_duplicates};
use super::scope::Scope;
use crate::error::Result;
use crate::present::share_percent;
use crate::quality::aggregate::Agg;
use crate::quality::report::{Check, Duplicates, Example, RowGroup, Status, Threshold};
use crate::quality::score::{above, judge_above, share};

/// Example rows of the largest groups.
fn group_rows(groups: &[RowGroup], examples: usize) -> Vec<Example> {
    groups
        .iter()
        .flat_map(|g| {
            g.rows.iter().map(|&r| Example {
                row: r,
                value: None,
            })
        })
        .take(examples)
        .collect()
}

/// Rows that repeat another row exactly: the extra copies' share, judged.
pub(crate) fn duplicates(t: &Scope<'_>, agg: &Agg) -> Result<(Duplicates, Check)> {
    let th = t.thresholds().duplicates;
    let (extra, groups, ex) = match t.spill(|b| Some(&b.rows)) {
        Some(rows) => spill_duplicates(rows, t.examples)?,
        None => duplicate_groups(&agg.row_hashes, t.examples),
    };
    let dup_share = share(extra, t.rows);
    let v = dup_share.unwrap_or(0.0);
    let check = Check {
        status: judge_above(v, th),
        value: Some(v),
        threshold: above(th),
        count: Some(extra),
        message: if extra == 0 {
            "no two rows are identical".into()
        } else {
            format!(
                "{extra} rows ({}) repeat another row exactly, in {groups} groups of identical rows",
                share_percent(v)
            )
        },
        examples: group_rows(&ex, t.examples),
        ..Check::of_dataset("duplicates")
    };
    let duplicates = Duplicates {
        columns: t.ctx.cols.iter().map(|c| c.name.clone()).collect(),
        extra_rows: extra,
        groups,
        share: dup_share,
        examples: ex,
    };
    Ok((duplicates, check))
}

/// Rows that repeat the key of another row (any repeat fails); `None` without a key.
pub(crate) fn duplicate_keys(t: &Scope<'_>, agg: &Agg) -> Result<Option<(Duplicates, Check)>> {
    let ctx = t.ctx;
    if ctx.key.is_empty() {
        return Ok(None);
    }
    let (extra, groups, ex) = match t.spill(|b| b.keys.as_ref()) {
        Some(k) => spill_duplicates(k, t.examples)?,
        None => duplicate_groups(&agg.key_hashes, t.examples),
    };
    let names: Vec<String> = ctx.key.iter().map(|&i| ctx.cols[i].name.clone()).collect();
    let check = Check {
        column: Some(names.join(",")),
        status: if extra > 0 {
            Status::Fail
        } else {
            Status::Pass
        },
        value: Some(extra as f64),
        threshold: Some(Threshold::above(0.0, 0.0)),
        count: Some(extra),
        message: if extra == 0 {
            format!("the key ({}) is unique", names.join(", "))
        } else {
            format!(
                "{extra} rows repeat a key ({}) of another row, in {groups} groups",
                names.join(", ")
            )
        },
        examples: group_rows(&ex, t.examples),
        ..Check::of_dataset("duplicate_keys")
    };
    let duplicates = Duplicates {
        columns: names,
        extra_rows: extra,
        groups,
        share: share(extra, t.rows),
        examples: ex,
    };
    Ok(Some((duplicates, check)))
}
