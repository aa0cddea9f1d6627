//! Leakage: current rows that are also in the reference (train/test overlap), compared on the
//! columns both tables have.

use std::path::PathBuf;

use rustc_hash::FxHashSet;

use super::hashes::spill_overlap;
use super::scope::Scope;
use crate::error::{Error, Result};
use crate::io::spill::SpillReader;
use crate::present::share_percent;
use crate::quality::aggregate::Agg;
use crate::quality::report::{Check, Example, Leakage};
use crate::quality::score::{above, judge_above, share};

/// The reference rows compared for leakage: in memory (exact mode) or on disk (bounded).
pub(crate) enum LeakSet {
    Memory(FxHashSet<u128>),
    Spill(SpillReader),
}

/// The reference to compare with: its path, the columns compared, its rows' hashes.
pub(crate) type LeakReference = (PathBuf, Vec<String>, LeakSet);

/// The current rows found in the reference, judged.
pub(crate) fn leakage(
    t: &Scope<'_>,
    agg: &Agg,
    (path, columns, set): LeakReference,
) -> Result<(Leakage, Check)> {
    let (n, ex) = match (&set, &t.bounded) {
        (LeakSet::Spill(r), Some(b)) => {
            spill_overlap(b.leaks.as_ref().unwrap_or(&b.rows), r, t.examples)?
        }
        (LeakSet::Spill(_), None) => {
            return Err(Error::InvalidOption(
                "a bounded-memory reference with an in-memory run".into(),
            ))
        }
        (LeakSet::Memory(set), _) => memory_overlap(agg, set, t.examples),
    };
    let s = share(n, t.rows);
    let v = s.unwrap_or(0.0);
    let th = t.thresholds().leakage;
    let check = Check {
        status: judge_above(v, th),
        value: Some(v),
        threshold: above(th),
        count: Some(n),
        message: if n == 0 {
            format!("no row is also in the reference {}", path.display())
        } else {
            format!(
                "{n} rows ({}) are also in the reference {} (compared on {} columns): train/test overlap",
                share_percent(v),
                path.display(),
                columns.len()
            )
        },
        examples: ex
            .iter()
            .map(|&r| Example {
                row: r,
                value: None,
            })
            .collect(),
        ..Check::of_dataset("leakage")
    };
    let leakage = Leakage {
        reference: path,
        columns,
        rows: n,
        share: s,
        examples: ex,
    };
    Ok((leakage, check))
}

/// Rows (1-based) of the in-memory hashes found in `set`: count and the first `examples`.
fn memory_overlap(agg: &Agg, set: &FxHashSet<u128>, examples: usize) -> (u64, Vec<u64>) {
    let hashes = if agg.leak_hashes.is_empty() {
        &agg.row_hashes
    } else {
        &agg.leak_hashes
    };
    let mut n = 0u64;
    let mut ex = vec![];
    for (r, h) in hashes.iter().enumerate() {
        if *h != 0 && set.contains(h) {
            n += 1;
            if ex.len() < examples {
                ex.push(r as u64 + 1);
            }
        }
    }
    (n, ex)
}
